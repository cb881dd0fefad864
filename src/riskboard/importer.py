"""The import service: one export file into the database, in one transaction.

``import_file`` reads the workbook (``riskboard.ingest``), refuses bad input with a
RiskboardError before anything is written, then in ONE ``db.atomic()`` transaction
saves the import and its snapshots and recomputes the flags of that month and of the
next month with data (whose "previous month" it is). The same file again (by
sha256) is reported as already imported and changes nothing; a corrected file (same
name) for the same month updates the risks it contains. A risk another file already
gave for the month is updated too, but visibly (``same_risk``).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import sqlite3
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Literal

import sqlite_utils
from pydantic import BaseModel, Field

from riskboard.config import Config
from riskboard.errors import NotFound, RefusedWorkbook, RiskboardError, StoreUnavailable
from riskboard.ingest.headers import HeaderMatcher
from riskboard.ingest.month import check_month, month_in_file_name
from riskboard.ingest.names import match_annexes
from riskboard.ingest.regular import open_regular
from riskboard.ingest.workbook import ParsedWorkbook, parse_workbook
from riskboard.safe_text import replace_undecodable
from riskboard.same_risk import note_risks_in_other_files
from riskboard.store import early_warnings as ew_store
from riskboard.store import register as store
from riskboard.store.db import write_transaction

Status = Literal["imported", "already_imported", "dry_run"]


class ImportResult(BaseModel):
    file: str
    sha256: str
    month: str
    status: Status
    import_id: int | None = None
    risk_count: int = 0
    action_count: int = 0
    sheets: list[str] = Field(default_factory=list)
    # every warning, every row skipped named (the import record and --dry-run)
    warnings: list[str] = Field(default_factory=list)
    # the same with the rows skipped capped per sheet (what an import prints)
    brief_warnings: list[str] = Field(default_factory=list)
    # sheet -> header -> field (None: header not used)
    mapping: dict[str, dict[str, str | None]] = Field(default_factory=dict)
    month_source: str | None = None
    report_date: str | None = None
    # sheet -> Excel row of its header, and whether it was read as risks or actions
    header_rows: dict[str, int] = Field(default_factory=dict)
    roles: dict[str, str] = Field(default_factory=dict)
    # cells that held something that could not be read (each is an unreadable_value flag)
    unreadable_count: int = 0
    # every source of the board month seen, in words ("file name: 2022-08")
    month_evidence: list[str] = Field(default_factory=list)
    # the NEC early warning register in the file, if any
    ew_count: int = 0
    ew_action_count: int = 0


def sha256_file(path: Path) -> str:
    """Hex sha256 of a file's bytes (the identity of an import). Only a regular file is
    read (``ingest.regular``): a FIFO or a link to a device is refused first."""
    with open_regular(path) as fh:
        try:
            return hashlib.file_digest(fh, "sha256").hexdigest()
        except OSError as exc:
            raise StoreUnavailable(
                f"cannot read file: {exc.strerror or exc}", file=path.name
            ) from None


def import_file(
    db: sqlite_utils.Database | Callable[[], sqlite_utils.Database],
    path: Path,
    config: Config,
    *,
    month: str | None = None,
    dry_run: bool = False,
    source: str = "cli",
    matcher: HeaderMatcher | None = None,
) -> ImportResult:
    """Import one export; nothing is written unless it all goes in.

    ``db`` may be a function that opens (creating) the database: it is called only once
    the file has been read and is going in, so a refused file creates no database.

    Raises RefusedWorkbook if the workbook is at fault (every refusal from reading it
    is of that type), NotFound if it does not exist, StoreUnavailable if the database
    or the file cannot be used now (busy, read-only, disk full, held by a program)."""
    # One pause of the cyclic GC for the whole import: reading, assembling, storing
    # and flagging build ~1M short-lived acyclic objects, and a collection on the way
    # (or the first one after a shorter pause) would scan them all for nothing.
    with store.gc_paused():
        return _import_file(db, Path(path), config, month, dry_run, source, matcher)


def _import_file(
    db: sqlite_utils.Database | Callable[[], sqlite_utils.Database],
    path: Path,
    config: Config,
    month: str | None,
    dry_run: bool,
    source: str,
    matcher: HeaderMatcher | None,
) -> ImportResult:
    if month is not None:
        month = check_month(month)
    create: Callable[[], sqlite_utils.Database] | None = None
    if callable(db):  # no database yet: the file is read against an empty register
        from riskboard.store.db import open_db

        create, db = db, open_db(":memory:")
    digest = sha256_file(path)
    previous = store.find_import_by_sha(db, digest)
    if previous is not None and not dry_run:
        return _already(path, digest, previous)
    from riskboard import register  # the flag rules; imported late to keep start-up light

    # One helper thread for the import. calamine parses the sheets without holding
    # the GIL, so the parse runs there while this thread reads what the flags need of
    # the previous month (used only if the board month is the one guessed and nobody
    # else has written by then); at the end the helper frees the import's objects
    # while SQLite commits (COMMIT does not hold the GIL either).
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="riskboard-import") as helper:
        parsing = helper.submit(_parse, path, config, month, matcher)
        ahead: register.PreviousMonth | None = None
        guess = None if dry_run else month or month_in_file_name(path.name)
        if guess is not None:
            with contextlib.suppress(sqlite3.Error):
                ahead = register.read_previous(db, guess)
        parsed = parsing.result()
        warnings = list(parsed.warnings)
        brief = list(parsed.brief_warnings)
        if previous is not None:
            seen = (
                f"already imported as import #{previous['id']} ({previous['month']});"
                " would be skipped"
            )
            warnings.insert(0, seen)
            brief.insert(0, seen)
        result = _result(parsed, digest, "dry_run" if dry_run else "imported", warnings, brief)
        if dry_run:
            return result
        record = store.ImportRecord(
            file_name=replace_undecodable(path.name),  # a name's bytes need not be UTF-8
            sha256=digest,
            month=parsed.month,
            file_path=replace_undecodable(str(path.resolve())),
            report_date=parsed.report_date.isoformat() if parsed.report_date else None,
            sheets=result.sheets,
            warnings=warnings,
            source=source,
        )
        if create is not None:  # the file is going in: now the database is made
            db.conn.close()
            db = create()
            previous = store.find_import_by_sha(db, digest)
            if previous is not None:  # another process imported it meanwhile
                return _already(path, digest, previous)
        risks, parsed.risks = parsed.risks, []  # only this frame holds them now
        try:
            with write_transaction(db):
                match_annexes(risks, store.annex_names(db))
                # the month's first file: its risks ARE the month, so the flags need not
                # read them back (a later annex file joins risks already stored)
                whole_month = not store.month_has_data(db, parsed.month)
                if not whole_month:  # a risk another file gave this month is never lost
                    also, added = note_risks_in_other_files(
                        db, parsed.month, record.file_name, risks
                    )
                    record.warnings = [*record.warnings, *also]
                    result.warnings = [*result.warnings, *also]
                    result.brief_warnings = [*result.brief_warnings, *also]
                    result.unreadable_count += added
                result.import_id = store.save_import(db, record, risks)
                if parsed.early_warnings:
                    ew_store.save_early_warnings(
                        db,
                        import_id=result.import_id,
                        month=parsed.month,
                        file_name=record.file_name,
                        report_date=record.report_date,
                        early_warnings=parsed.early_warnings,
                    )
                    ew_store.set_import_ew_count(db, result.import_id, len(parsed.early_warnings))
                flags = register.recompute_flags(
                    db, parsed.month, config, current=risks if whole_month else None, ahead=ahead
                )
                following = store.next_month_with_data(db, parsed.month)
                if following is not None:
                    register.recompute_flags(db, following, config)
                helper.submit(_drop, [risks, ahead, flags])  # freed over there during COMMIT
                del risks, ahead, flags
        except sqlite3.IntegrityError:
            # another process imported the same file between our check and our write
            again = store.find_import_by_sha(db, digest)
            if again is None:
                raise
            return import_file(db, path, config, month=month, source=source, matcher=matcher)
    return result


def _already(path: Path, digest: str, previous: dict[str, Any]) -> ImportResult:
    return ImportResult(
        file=path.name,
        sha256=digest,
        month=previous["month"],
        status="already_imported",
        import_id=previous["id"],
        risk_count=previous["risk_count"],
        action_count=previous["action_count"],
        sheets=json.loads(previous["sheets"]),
        ew_count=previous.get("ew_count") or 0,
    )


def _parse(
    path: Path, config: Config, month: str | None, matcher: HeaderMatcher | None
) -> ParsedWorkbook:
    """``parse_workbook``, every refusal typed as the workbook's fault."""
    try:
        return parse_workbook(path, config, month=month, matcher=matcher)
    except (RefusedWorkbook, NotFound, StoreUnavailable):
        raise
    except RiskboardError as exc:  # the ingest modules say what is wrong with the file
        raise RefusedWorkbook.like(exc) from None


def _drop(objects: list[Any]) -> None:
    """Let go of ``objects`` (on the helper thread: ~65,000 objects at 50k rows)."""
    objects.clear()


def _result(
    parsed: ParsedWorkbook, digest: str, status: Status, warnings: list[str], brief: list[str]
) -> ImportResult:
    return ImportResult(
        file=parsed.file_name,
        sha256=digest,
        month=parsed.month,
        status=status,
        risk_count=len(parsed.risks),
        action_count=parsed.action_count,
        sheets=[s.name for s in parsed.sheets],
        warnings=warnings,
        brief_warnings=brief,
        mapping={s.name: s.mapping for s in parsed.sheets},
        month_source=parsed.month_source,
        report_date=parsed.report_date.isoformat() if parsed.report_date else None,
        header_rows={s.name: s.header_row for s in parsed.sheets},
        roles={s.name: s.role for s in parsed.sheets},
        unreadable_count=parsed.unreadable_count,
        month_evidence=parsed.month_evidence,
        ew_count=len(parsed.early_warnings),
        ew_action_count=parsed.ew_action_count,
    )
