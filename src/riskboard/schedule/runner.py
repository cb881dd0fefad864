"""The APScheduler wiring: ``riskboard scheduler`` as its own long-running process.

``run_scheduler(config)`` holds the per-database lock, catches up a missed night, runs
``riskboard.schedule.job.run_nightly`` at ``schedule.nightly`` in ``schedule.timezone`` with
a ``BlockingScheduler`` (job id ``riskboard-nightly``, ``replace_existing``, ``coalesce``,
``max_instances=1``, the configured misfire grace) and stops cleanly on SIGTERM or
Ctrl-C between files. ``run_once(config)`` is the same job for cron, systemd timers or
Windows Task Scheduler. Files still being written are looked at again
``settle_seconds`` later rather than waiting a whole night.
"""

from __future__ import annotations

import contextlib
import logging
import signal
import sqlite3
import sys
import threading
from collections.abc import Callable
from datetime import datetime, timedelta
from logging.handlers import RotatingFileHandler
from pathlib import Path
from types import FrameType
from typing import Any
from zoneinfo import ZoneInfo

from apscheduler.events import (
    EVENT_JOB_ERROR,
    EVENT_JOB_EXECUTED,
    EVENT_JOB_MISSED,
    EVENT_SCHEDULER_STARTED,
    JobExecutionEvent,
    SchedulerEvent,
)
from apscheduler.schedulers import SchedulerNotRunningError
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.date import DateTrigger

from riskboard.config import Config
from riskboard.errors import Remedy, RiskboardError, StoreUnavailable
from riskboard.safe_text import OneLineFormatter
from riskboard.schedule.job import RunSummary, run_nightly
from riskboard.schedule.lock import SchedulerLock
from riskboard.schedule.timing import Clock, catch_up_due, iso, next_fire, trigger_for, utc_now
from riskboard.store import runs
from riskboard.store.db import open_db, store_error, write_transaction

log = logging.getLogger("riskboard.schedule")

JOB_ID = "riskboard-nightly"
CATCH_UP_JOB_ID = "riskboard-catch-up"
RECHECK_JOB_ID = "riskboard-recheck"
MAX_RECHECKS = 30  # look again at files still being written at most this often in a row
LOG_FILE = "scheduler.log"
FILE_ONLY = "riskboard_file_only"  # a log record the console handler leaves out


def log_file(config: Config) -> Path:
    return config.paths.logs / LOG_FILE


def last_success_time(config: Config) -> datetime | None:
    db = open_db(config.paths.database)
    try:
        row = runs.last_successful_run(db)
    finally:
        db.conn.close()
    return datetime.fromisoformat(row["started_at"]) if row else None


# ------------------------------------------------------------------------- logging


class _LogFile(RotatingFileHandler):
    """The scheduler log; if it cannot be written (a full disk) that is said once on
    stderr, in one line, and the run goes on - also when the last lines cannot be
    flushed as the log is closed."""

    warned = False

    def handleError(self, record: logging.LogRecord | None) -> None:  # noqa: N802 - logging's
        if not self.warned:
            self.warned = True
            exc = sys.exc_info()[1]
            why = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
            print(
                f"riskboard: warning: cannot write the scheduler log {self.baseFilename}"
                f" ({why}); carrying on without it",
                file=sys.stderr,
            )

    def flush(self) -> None:
        try:
            super().flush()
        except OSError:
            self.handleError(None)

    def close(self) -> None:
        try:
            super().close()
        except OSError:
            self.handleError(None)


def start_file_logging(config: Config) -> Callable[[], None]:
    """Log riskboard and APScheduler at INFO to ``<logs>/scheduler.log`` (rotating).
    Returns a function that undoes it."""
    folder = config.paths.logs
    try:
        folder.mkdir(parents=True, exist_ok=True)
        handler = _LogFile(
            log_file(config),
            maxBytes=config.schedule.log_max_bytes,
            backupCount=config.schedule.log_backups,
            encoding="utf-8",
        )
    except OSError as exc:
        raise StoreUnavailable(
            f"cannot write the scheduler log in {folder}: {exc.strerror or exc} - check"
            " paths.logs in config.toml, and that its disk is not full",
            remedy=Remedy.MAKE_WRITABLE,
        ) from None
    handler.setFormatter(OneLineFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    loggers = [logging.getLogger("riskboard"), logging.getLogger("apscheduler")]
    levels = [lg.level for lg in loggers]
    for lg in loggers:
        lg.addHandler(handler)
        if lg.getEffectiveLevel() > logging.INFO:
            lg.setLevel(logging.INFO)

    def undo() -> None:
        for lg, level in zip(loggers, levels, strict=True):
            lg.removeHandler(handler)
            lg.setLevel(level)
        handler.close()

    return undo


# ------------------------------------------------------------------------- signals


def _on_stop_signals(callback: Callable[[str], None]) -> Callable[[], None]:
    """Call ``callback(signal name)`` on SIGINT/SIGTERM; returns the restorer. Does
    nothing outside the main thread (Python only delivers signals there)."""
    if threading.current_thread() is not threading.main_thread():
        return lambda: None
    previous: dict[int, Any] = {}

    def handler(signum: int, frame: FrameType | None) -> None:
        callback(signal.Signals(signum).name)

    for sig in (signal.SIGINT, signal.SIGTERM):
        previous[sig] = signal.signal(sig, handler)

    def restore() -> None:
        for sig, old in previous.items():
            signal.signal(sig, old)

    return restore


# ---------------------------------------------------------------------------- once


def run_once(
    config: Config,
    *,
    clock: Clock = utc_now,
    stop: threading.Event | None = None,
    wait: Callable[[float], object] | None = None,
    wait_for_unsettled: bool = True,
) -> list[RunSummary]:
    """Run the job now (holding the lock) and return its run summaries.

    Files still being written are looked at again after ``settle_seconds`` (through
    ``wait``, which tests replace) up to MAX_RECHECKS times unless
    ``wait_for_unsettled`` is False. SIGINT/SIGTERM stop it between files."""
    stop = stop or threading.Event()
    wait = wait or stop.wait
    undo_logging = start_file_logging(config)
    restore = _on_stop_signals(lambda name: _request_stop(stop, name))
    try:
        with SchedulerLock(config.paths.database, purpose="once"):
            try:
                _close_abandoned(config, clock)
                results = [run_nightly(config, trigger="once", clock=clock, stop=stop)]
            except RiskboardError as exc:  # busy, read-only, full: the run never started
                # the command says it on the console: the log file gets it here
                log.error("run (once) could not start: %s", exc, extra={FILE_ONLY: True})
                _record_failed_start(config, clock, "once", exc)
                raise
            while (
                wait_for_unsettled
                and results[-1].unsettled
                and results[-1].outcome != "failed"
                and not stop.is_set()
                and len(results) <= MAX_RECHECKS
            ):
                delay = config.schedule.settle_seconds
                log.info("%d files still being written; looking again in %ds",
                         results[-1].unsettled, delay)  # fmt: skip
                wait(delay)
                if stop.is_set():
                    break
                results.append(run_nightly(config, trigger="recheck", clock=clock, stop=stop))
            return results
    finally:
        restore()
        undo_logging()


def _request_stop(stop: threading.Event, name: str) -> None:
    if not stop.is_set():
        log.warning("%s received: stopping after the current file", name)
    stop.set()


def _record_failed_start(config: Config, clock: Clock, trigger: str, exc: Exception) -> None:
    """Record a run that could not start, if the database takes the write now (it may
    be the very thing that failed: then the log line is the record)."""
    with contextlib.suppress(RiskboardError, sqlite3.Error, OSError):
        db = open_db(config.paths.database, create=False)
        try:
            with write_transaction(db):
                run_id = runs.start_run(db, trigger, iso(clock()))
                runs.update_run(
                    db, run_id, outcome="failed", finished_at=iso(clock()), error=str(exc)
                )
        finally:
            db.conn.close()


def _close_abandoned(config: Config, clock: Clock) -> None:
    db = open_db(config.paths.database)
    try:
        try:
            n = runs.close_abandoned_runs(db, iso(clock()))
        except sqlite3.Error as exc:  # read-only, busy, full: the run could not be recorded
            raise store_error(exc, config.paths.database) from None
        if n:
            log.warning(
                "%d earlier run(s) had not finished (process killed?): marked interrupted", n
            )
    finally:
        db.conn.close()


# ----------------------------------------------------------------------- scheduler


def nightly_job(
    config: Config, trigger: str, stop: threading.Event, busy: threading.Lock
) -> RunSummary | None:
    """The scheduled job: one run at a time in this process, none once stopping. A run
    that cannot start (the database busy, read-only, full) is one line in the log and
    is tried again at the next time - never a traceback from APScheduler."""
    with busy:
        if stop.is_set():
            return None
        try:
            return run_nightly(config, trigger=trigger, stop=stop)
        except RiskboardError as exc:
            log.error("%s run could not start: %s", trigger, exc)
            _record_failed_start(config, utc_now, trigger, exc)
        except Exception as exc:  # a fault in riskboard: one line, the detail at DEBUG
            log.error("%s run failed: %s: %s", trigger, type(exc).__name__, exc)
            log.debug("the fault in detail", exc_info=True)
        return None


def build_scheduler(
    config: Config, stop: threading.Event, busy: threading.Lock
) -> BlockingScheduler:
    """A BlockingScheduler with the nightly job (not started)."""
    tz = ZoneInfo(config.schedule.timezone)
    grace = int(timedelta(hours=config.schedule.misfire_grace_hours).total_seconds())
    scheduler = BlockingScheduler(
        timezone=tz,
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": grace},
    )
    scheduler.add_job(
        nightly_job,
        trigger_for(config),
        id=JOB_ID,
        name="riskboard nightly import",
        replace_existing=True,
        kwargs={"config": config, "trigger": "nightly", "stop": stop, "busy": busy},
    )
    return scheduler


class NightlyScheduler:
    """The BlockingScheduler with the nightly job, plus what reacts to its events:
    a re-check of files still being written, a catch-up for a run missed beyond the
    misfire grace, and a stop between files."""

    def __init__(
        self,
        config: Config,
        *,
        clock: Clock = utc_now,
        on_run: Callable[[RunSummary], None] | None = None,
    ) -> None:
        self.config = config
        self.clock = clock
        self.on_run = on_run
        self.stop = threading.Event()
        self.busy = threading.Lock()
        self.started = threading.Event()
        self.rechecks = 0
        self.scheduler = build_scheduler(config, self.stop, self.busy)
        self.scheduler.add_listener(
            self.on_event,
            EVENT_SCHEDULER_STARTED | EVENT_JOB_EXECUTED | EVENT_JOB_ERROR | EVENT_JOB_MISSED,
        )

    def add_one_off(self, job_id: str, trigger: str, when: datetime) -> None:
        self.scheduler.add_job(
            nightly_job,
            DateTrigger(run_date=when),
            id=job_id,
            name=f"riskboard {trigger} import",
            replace_existing=True,
            kwargs={"config": self.config, "trigger": trigger, "stop": self.stop,
                    "busy": self.busy},
        )  # fmt: skip

    def on_event(self, event: SchedulerEvent) -> None:
        if event.code == EVENT_SCHEDULER_STARTED:
            self.started.set()
            return
        if not isinstance(event, JobExecutionEvent):
            return
        if event.code == EVENT_JOB_ERROR:
            log.error("job %s failed: %r", event.job_id, event.exception)
            return
        if event.code == EVENT_JOB_MISSED:
            log.warning("job %s missed its time by more than the misfire grace: catching up now",
                        event.job_id)  # fmt: skip
            self.add_one_off(CATCH_UP_JOB_ID, "catch-up", self.clock())
            return
        summary = event.retval
        if not isinstance(summary, RunSummary):
            return
        if self.on_run:
            self.on_run(summary)
        self.rechecks = self.rechecks + 1 if summary.unsettled else 0
        if summary.unsettled and not self.stop.is_set() and self.rechecks <= MAX_RECHECKS:
            when = self.clock() + timedelta(seconds=self.config.schedule.settle_seconds)
            log.info("%d file(s) still being written: looking again at %s",
                     summary.unsettled, when.isoformat(timespec="seconds"))  # fmt: skip
            self.add_one_off(RECHECK_JOB_ID, "recheck", when)

    def request_stop(self, name: str) -> None:
        """From a signal handler: no new jobs, the running one ends after its file."""
        _request_stop(self.stop, name)
        threading.Thread(target=self._shutdown, name="riskboard-stop", daemon=True).start()

    def _shutdown(self) -> None:
        self.started.wait(10)
        with contextlib.suppress(SchedulerNotRunningError):
            self.scheduler.shutdown(wait=False)

    def run(self) -> None:
        """Block until stopped, then wait for a running job to finish its current file."""
        if not self.stop.is_set():
            self.scheduler.start()
        log.info("scheduler stopped taking jobs; waiting for the current file to finish")
        with self.busy:
            pass
        log.info("riskboard scheduler stopped")


def run_scheduler(
    config: Config,
    *,
    clock: Clock = utc_now,
    on_ready: Callable[[str], None] | None = None,
    on_run: Callable[[RunSummary], None] | None = None,
) -> int:
    """Run until SIGTERM/SIGINT. Refuses (RiskboardError) if a scheduler already holds
    this database. Returns 0 after a clean stop."""
    trigger = trigger_for(config)  # a bad schedule fails before anything starts
    undo_logging = start_file_logging(config)
    lock = SchedulerLock(config.paths.database, purpose="scheduler")
    try:
        lock.acquire()
        try:
            _close_abandoned(config, clock)
            last = last_success_time(config)
        except RiskboardError as exc:
            log.error("scheduler could not start: %s", exc)
            raise
        nightly = NightlyScheduler(config, clock=clock, on_run=on_run)
        now = clock()
        catch_up = catch_up_due(trigger, last, now)
        if catch_up:
            nightly.add_one_off(CATCH_UP_JOB_ID, "catch-up", now)
        restore = _on_stop_signals(nightly.request_stop)
        try:
            nxt = next_fire(trigger, now)
            when = nxt.strftime("%a %d %b %Y %H:%M %Z") if nxt else "never"
            message = (
                f"riskboard scheduler running for {config.paths.database}: imports from"
                f" {config.paths.imports} at {config.schedule.nightly}"
                f" ({config.schedule.timezone}); next run {when}"
                + ("; catching up a missed run now" if catch_up else "")
            )
            log.info(message)
            if on_ready:
                on_ready(message)
            nightly.run()
        finally:
            restore()
        return 0
    finally:
        lock.release()
        undo_logging()
