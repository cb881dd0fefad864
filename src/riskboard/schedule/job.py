"""The nightly import job: what the scheduler does each night, callable directly.

``run_nightly(config)`` goes through ``config.paths.imports`` once:

1. finds workbooks (``.xlsx``/``.xlsm`` and the other formats ``riskboard import``
   reads; not ``~$`` Excel lock files, hidden or temp files) and reads only those
   whose size and mtime have not changed for ``schedule.settle_seconds`` (decided from
   observations stored in the database, so nothing sleeps);
2. imports each through ``riskboard.isolated_import.import_isolated`` (one transaction
   each, in a child process: a reader that crashes or runs out of memory on one file
   refuses that file and the run goes on with the next);
3. moves an imported file to ``imports/archive/YYYY-MM/``, a duplicate (same sha256 as
   an earlier import) there as ``<name>.duplicate.xlsx``, and a refused file to
   ``imports/failed/`` with ``<name>.error.txt`` saying why and what to do;
4. recomputes the flags of each month it imported and writes the chase list of the
   latest month (``exports/chase-YYYY-MM.xlsx`` and ``.md``), also when that list is
   missing (say an earlier run was stopped before writing it); then, when
   ``[chase] days_before_board`` says so, writes or sends the owner emails
   (``schedule.chase_due``);
5. records the run in ``scheduler_runs`` (updated after every file) and logs.

One bad file never stops the others. What happens to a file that was not imported is
decided by the type of the error: a ``RefusedWorkbook`` (the file's fault) goes to
``failed/``; anything else - the database busy, read-only or full, the file held by
another program - leaves it in place for the next run. ``stop`` (a
``threading.Event``) is checked between files, so a shutdown never interrupts an
import's transaction. File names are quoted in the log and the run report
(``safe_text.quote_name``): a name holding a newline cannot forge a line.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Literal
from zoneinfo import ZoneInfo

import sqlite_utils
from pydantic import BaseModel, Field

from riskboard import isolated_import
from riskboard.config import Config
from riskboard.domain import count_of
from riskboard.errors import RefusedWorkbook, Remedy, RiskboardError, StoreUnavailable
from riskboard.safe_text import quote_name, replace_undecodable
from riskboard.schedule.folder import (
    ARCHIVE_DIR,
    FAILED_DIR,
    discover,
    error_note,
    free_name,
    is_folder,
    move_into,
    not_a_file,
    observation_key,
    settle_state,
)
from riskboard.schedule.timing import Clock, iso, utc_now
from riskboard.store import runs
from riskboard.store.db import open_db, store_error, write_transaction

if TYPE_CHECKING:
    from riskboard.importer import ImportResult

log = logging.getLogger("riskboard.schedule.job")

Result = Literal[
    "imported", "duplicate", "refused", "unsettled", "error", "chase_list", "owner_emails",
    "skipped",
]  # fmt: skip


class FileOutcome(BaseModel):
    """What the run did with one file (or, for ``chase_list``, what it wrote)."""

    file: str
    result: Result
    message: str
    month: str | None = None
    moved_to: str | None = None
    import_id: int | None = None


class RunSummary(BaseModel):
    run_id: int
    trigger: str
    started_at: str
    finished_at: str | None = None
    outcome: str = "running"
    files_seen: int = 0
    imported: int = 0
    refused: int = 0
    duplicates: int = 0
    unsettled: int = 0
    errors: int = 0  # files left in place (database busy, file locked) + output failures
    error: str | None = None
    details: list[FileOutcome] = Field(default_factory=list)
    months: list[str] = Field(default_factory=list)

    def counts_text(self) -> str:
        text = (
            f"seen {self.files_seen}, imported {self.imported}, refused {self.refused},"
            f" duplicates {self.duplicates}, not yet settled {self.unsettled}"
        )
        return text + (f", problems {self.errors}" if self.errors else "")


# ------------------------------------------------------------------------------ run


def run_nightly(
    config: Config,
    *,
    trigger: str = "nightly",
    clock: Clock = utc_now,
    stop: threading.Event | None = None,
) -> RunSummary:
    """Run the nightly job once over the imports folder; never raises for a bad file.

    Opens its own database connection (the scheduler calls it from a worker thread).
    The returned summary is also stored in ``scheduler_runs``."""
    db = open_db(config.paths.database)
    try:
        try:
            job = _Run(db, config, trigger, clock, stop or threading.Event())
        except sqlite3.Error as exc:  # e.g. locked past the busy timeout: nothing touched
            raise store_error(exc, config.paths.database) from None
        return job.run()
    finally:
        db.conn.close()


def import_one(path: Path, config: Config) -> ImportResult:
    """One file of the night, in its own child process; the child finishes its file
    even when the scheduler is asked to stop (it stops between files)."""
    return isolated_import.import_isolated(path, config, source="scheduler", finish_on_signal=True)


FAULT_FIX = (
    "This looks like a fault in riskboard or in the workbook reader rather than in the"
    " file. If the file opens in Excel, report it with this file attached; once fixed,"
    " put the file back in {imports}."
)


class _Run:
    def __init__(
        self,
        db: sqlite_utils.Database,
        config: Config,
        trigger: str,
        clock: Clock,
        stop: threading.Event,
    ) -> None:
        self.db = db
        self.config = config
        self.clock = clock
        self.stop = stop
        self.tz = ZoneInfo(config.schedule.timezone)
        self.imports = config.paths.imports
        self._unrecorded = False  # a write of the run's progress failed
        started = clock()
        self.summary = RunSummary(
            run_id=runs.start_run(db, trigger, iso(started)),
            trigger=trigger,
            started_at=iso(started),
        )

    def run(self) -> RunSummary:
        s = self.summary
        log.info("run #%d (%s) started: looking in %s", s.run_id, s.trigger, self.imports)
        try:
            interrupted = self._process()
        except Exception as exc:  # the job itself broke: record it, never crash the scheduler
            if isinstance(exc, sqlite3.Error):
                exc = store_error(exc, self.config.paths.database)
            if isinstance(exc, RiskboardError):
                log.error("run #%d failed: %s", s.run_id, exc)
            else:
                log.exception("run #%d failed", s.run_id)
            s.outcome = "failed"
            s.error = (
                str(exc) if isinstance(exc, RiskboardError) else f"{type(exc).__name__}: {exc}"
            )
        else:
            if interrupted:
                s.outcome = "interrupted"
                s.error = "stopped on request; files not yet reached are still waiting"
            elif s.refused or s.errors:
                s.outcome = "partial"
            else:
                s.outcome = "ok"
        s.finished_at = iso(self.clock())
        self._save(finished_at=s.finished_at, outcome=s.outcome, error=s.error)
        if self._unrecorded and s.outcome == "ok":
            s.outcome = "partial"  # the database has not got this run's record
        log.info("run #%d %s: %s", s.run_id, s.outcome, s.counts_text())
        return s

    def _save(self, **extra: object) -> None:
        s = self.summary
        try:
            runs.update_run(
                self.db,
                s.run_id,
                files_seen=s.files_seen,
                imported=s.imported,
                refused=s.refused,
                duplicates=s.duplicates,
                unsettled=s.unsettled,
                details=[d.model_dump(exclude_none=True) for d in s.details],
                **extra,
            )
        except sqlite3.Error as exc:
            # one line, and the run counts a problem: its record may stay "running"
            # until the next start marks it unfinished (scheduler status says so)
            log.error("could not record the progress of run #%d: %s", s.run_id,
                      store_error(exc, self.config.paths.database))  # fmt: skip
            if not self._unrecorded:
                self._unrecorded = True
                s.errors += 1

    def _note(self, outcome: FileOutcome) -> None:
        s = self.summary
        s.details.append(outcome)
        counter = {
            "imported": "imported", "duplicate": "duplicates", "refused": "refused",
            "unsettled": "unsettled", "error": "errors",
        }.get(outcome.result)  # fmt: skip
        if counter:
            setattr(s, counter, getattr(s, counter) + 1)
        level = logging.WARNING if outcome.result in ("refused", "error") else logging.INFO
        log.log(level, "%s: %s - %s", quote_name(outcome.file), outcome.result, outcome.message)

    def _process(self) -> bool:
        """Go through the folder; True if stopped before the end."""
        self.imports.mkdir(parents=True, exist_ok=True)
        now = self.clock()
        settle = self.config.schedule.settle_seconds
        ready: list[Path] = []
        waiting: list[Path] = []
        for path in discover(self.imports):
            if is_folder(path):
                self._note(FileOutcome(file=path.name, result="skipped",
                                       message="a folder, not a workbook: left where it is"))  # fmt: skip
                continue
            try:
                # a FIFO, a device or a link to nothing is refused at once: it never settles
                not_yet = None if not_a_file(path) else settle_state(self.db, path, now, settle)
            except FileNotFoundError:
                continue  # moved away while we looked
            self.summary.files_seen += 1
            if not_yet is None:
                ready.append(path)
            else:
                waiting.append(path)
                self._note(FileOutcome(file=path.name, result="unsettled", message=not_yet))
        self._save()
        interrupted = False
        for path in ready:
            if self.stop.is_set():
                interrupted = True
                break
            self._note(self._one(path))
            self._save()
        still_there = {observation_key(p) for p in [*waiting, *ready] if p.exists()}
        runs.forget_observations(self.db, still_there)
        if not interrupted and (self.summary.months or self._chase_list_missing()):
            self._chase_lists()
        if not interrupted:
            self._owner_emails()
        return interrupted

    def _owner_emails(self) -> None:
        """The owner emails, when ``[chase] days_before_board`` says they are due
        (``schedule.chase_due``)."""
        from riskboard.schedule.chase_due import owner_emails_due

        due = owner_emails_due(self.db, self.config, self.clock)
        if due is None:
            return
        if not due.ok:
            self.summary.errors += 1
        self.summary.details.append(
            FileOutcome(
                file=f"chase-{due.month} owner emails",
                result="owner_emails" if due.ok else "error",
                month=due.month,
                message=due.message,
                moved_to=due.what if due.what not in ("sent", "") else None,
            )
        )
        self._save()

    def _chase_list_missing(self) -> bool:
        from riskboard.reports.chase import chase_path
        from riskboard.store.register import latest_month

        latest = latest_month(self.db)
        return latest is not None and not chase_path(self.config, latest, ".xlsx").exists()

    # ------------------------------------------------------------------ one file

    def _one(self, path: Path) -> FileOutcome:
        name = quote_name(path.name)
        try:
            result = import_one(path, self.config)
        except RefusedWorkbook as exc:  # the file's fault: to failed/ with the reason
            fix = (
                FAULT_FIX.format(imports=self.imports)
                if exc.remedy is Remedy.REPORT_FAULT
                else None
            )
            return self._refuse(path, str(exc), fix=fix)
        except RiskboardError as exc:  # the database, the disk, another program: not the file
            log.error("%s: left in place: %s", name, exc)
            return FileOutcome(
                file=path.name,
                result="error",
                message=f"not imported this time ({exc}); the file stays in the imports folder"
                " and is tried again on the next run",
            )
        except (sqlite3.Error, OSError) as exc:
            log.exception("%s: left in place", name)
            return FileOutcome(
                file=path.name,
                result="error",
                message=f"not imported this time ({type(exc).__name__}: {exc}); the file stays"
                " in the imports folder and is tried again on the next run",
            )
        except Exception as exc:  # a fault in riskboard: keep the run going
            log.exception("%s: unexpected error while importing", name)
            return self._refuse(
                path,
                f"riskboard failed while reading it ({type(exc).__name__}: {exc}).",
                fix=FAULT_FIX.format(imports=self.imports),
            )
        month = result.month
        if result.status == "already_imported":
            earlier = runs.find_import(self.db, result.sha256)
            name = f"{path.stem}.duplicate{path.suffix}"
            message = "same content as an earlier import"
            if earlier:
                message += (
                    f" ({quote_name(earlier['file_name'])}, import #{earlier['id']} for"
                    f" {earlier['month']},"
                    f" on {self._local(earlier['imported_at'])}); nothing changed"
                )
            moved = self._move(path, self.imports / ARCHIVE_DIR / month, name)
            return FileOutcome(
                file=path.name,
                result="duplicate",
                month=month,
                message=message + (moved[1] or ""),
                moved_to=moved[0],
                import_id=result.import_id,
            )
        if month not in self.summary.months:
            self.summary.months.append(month)
        moved_to, problem = self._move(path, self.imports / ARCHIVE_DIR / month)
        if moved_to and result.import_id:
            try:
                runs.set_import_location(self.db, result.import_id, replace_undecodable(moved_to))
            except sqlite3.Error as exc:  # the import itself is recorded; only its new place
                log.error("%s: archived, but its new place not recorded: %s", name,
                          store_error(exc, self.config.paths.database))  # fmt: skip
        warn = f", {len(result.warnings)} warnings" if result.warnings else ""
        if result.unreadable_count:
            warn += f", {result.unreadable_count} values could not be read - see riskboard flags"
        out = FileOutcome(
            file=path.name,
            result="imported",
            month=month,
            message=f"imported {count_of(result.risk_count, 'risk')} and"
            f" {count_of(result.action_count, 'action')}"
            + (f" and {count_of(result.ew_count, 'early warning')}" if result.ew_count else "")
            + f" for {month}{warn}"
            + (
                problem
                and f"{problem}; it stays in the imports folder and is archived as a"
                " duplicate on the next run"
            ),
            moved_to=moved_to,
            import_id=result.import_id,
        )
        return out

    def _move(self, path: Path, folder: Path, name: str | None = None) -> tuple[str | None, str]:
        """Move ``path`` into ``folder``: (new path, "") or (None, "; why not")."""
        try:
            return str(move_into(path, folder, name)), ""
        except OSError as exc:
            log.error("%s: could not move to %s: %s", quote_name(path.name), folder, exc)
            self.summary.errors += 1
            return None, f"; could not move it to {folder} ({exc.strerror or exc})"

    def _refuse(self, path: Path, reason: str, fix: str | None = None) -> FileOutcome:
        failed = self.imports / FAILED_DIR
        moved_to, problem = self._move(path, failed)
        target_name = Path(moved_to).name if moved_to else free_name(failed, path.name)
        note = failed / f"{target_name}.error.txt"
        try:
            text = error_note(
                path.name,
                reason,
                fix,
                imports=self.imports,
                when=f"{self._local(iso(self.clock()))} (scheduler run #{self.summary.run_id})",
                moved=moved_to is not None,
            )
            note.write_text(text, encoding="utf-8")
        except OSError as exc:
            problem += f"; could not write {note} ({exc.strerror or exc})"
        return FileOutcome(
            file=path.name,
            result="refused",
            message=reason.replace("\n", " ") + problem,
            moved_to=moved_to,
        )

    def _local(self, iso_text: str) -> str:
        try:
            dt = datetime.fromisoformat(iso_text)
        except ValueError:
            return iso_text
        if dt.tzinfo is None:
            dt = dt.replace(tzinfo=UTC)
        return dt.astimezone(self.tz).strftime("%a %d %b %Y %H:%M %Z")

    # --------------------------------------------------------------- after imports

    def _chase_lists(self) -> None:
        """Recompute the flags of the months imported and write the chase list of the
        latest month (the one the next board reviews; a late correction to an earlier
        month can change its flags too)."""
        from riskboard import register
        from riskboard.reports import chase
        from riskboard.store import register as store

        latest = store.latest_month(self.db)
        if latest is None:
            return
        try:
            with write_transaction(self.db):  # reads then writes: lock first
                for month in sorted({*self.summary.months, latest}):
                    register.recompute_flags(self.db, month, self.config)
            files = chase.write_chase_list(self.db, latest, self.config, generated_at=self.clock())
        except (RiskboardError, OSError, sqlite3.Error) as exc:
            if isinstance(exc, sqlite3.Error):
                exc = store_error(exc, self.config.paths.database)
            elif isinstance(exc, OSError):
                exc = StoreUnavailable(f"{exc.strerror or exc}", file=str(exc.filename or ""))
            log.error("chase list for %s not written: %s", latest, exc)
            self.summary.errors += 1
            self.summary.details.append(
                FileOutcome(
                    file=f"chase-{latest}",
                    result="error",
                    month=latest,
                    message=f"chase list not written: {exc}",
                )
            )
        else:
            risks = f"{files.risks} flagged risk{'' if files.risks == 1 else 's'}"
            owners = f"{files.owners} owner{'' if files.owners == 1 else 's'}"
            self.summary.details.append(
                FileOutcome(
                    file=files.xlsx.name,
                    result="chase_list",
                    month=latest,
                    message=f"{risks} for {owners} (also {files.md.name})",
                    moved_to=str(files.xlsx),
                )
            )
            log.info("chase list for %s: %s", latest, files.xlsx)
        self._save()
