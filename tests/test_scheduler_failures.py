"""The scheduler when the database or the disk fails (the review of issue 10, findings 3
and 4) and what it picks up (finding 8): one line in the log and on the console, never
a traceback; a non-zero exit when something could not be done; ``scheduler status``
never blames a kill for a run it could not record; a file settles by its mtime; a
folder with a workbook's name is reported as skipped."""

from __future__ import annotations

import logging
import os
import sqlite3
import threading
import time
from pathlib import Path

import pytest

from riskboard.cli import main
from riskboard.cli.scheduler import once_exit_code
from riskboard.errors import StoreUnavailable
from riskboard.schedule import job, runner
from riskboard.schedule.job import run_nightly
from riskboard.schedule.timing import utc_now
from riskboard.store import db as store_db
from riskboard.store import open_db, runs
from test_schedule_job import APRIL, FrozenClock, make_config, register_file

pytestmark = pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")


def _no_tracebacks(caplog: pytest.LogCaptureFixture) -> None:
    assert not [r for r in caplog.records if r.exc_info and r.levelno >= logging.INFO]


@pytest.fixture()
def held(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """A database another process holds the write lock of (busy timeout cut to 0.2 s)."""
    config = make_config(tmp_path, settle=0)
    open_db(config.paths.database).conn.close()
    monkeypatch.setattr(store_db, "BUSY_TIMEOUT_MS", 200)
    other = sqlite3.connect(config.paths.database)
    other.execute("BEGIN IMMEDIATE")
    yield config
    other.rollback()
    other.close()


def test_the_scheduled_job_logs_one_line_when_the_database_is_busy(
    held, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    result = runner.nightly_job(held, "nightly", threading.Event(), threading.Lock())
    assert result is None  # nothing raised to APScheduler: no "Job raised an exception"
    lines = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert len(lines) == 1 and lines[0].startswith("nightly run could not start: database")
    assert "is busy" in lines[0]
    _no_tracebacks(caplog)


def test_once_that_cannot_start_writes_it_to_the_scheduler_log(
    held, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "config.toml").write_text("[schedule]\nsettle_seconds = 0\n")
    monkeypatch.chdir(tmp_path)
    assert main(["scheduler", "--once"]) == 1
    assert "is busy" in capsys.readouterr().err
    log = (tmp_path / "logs" / "scheduler.log").read_text("utf-8")
    assert "run (once) could not start: database" in log and "is busy" in log
    assert "Traceback" not in log


def test_a_run_recorded_as_failed_when_the_database_allows(tmp_path: Path) -> None:
    config = make_config(tmp_path, settle=0)
    open_db(config.paths.database).conn.close()
    runner._record_failed_start(config, utc_now, "once", StoreUnavailable("log folder full"))
    db = open_db(config.paths.database)
    (run,) = runs.recent_runs(db)
    db.conn.close()
    assert (run["outcome"], run["error"]) == ("failed", "log folder full")


def test_a_full_disk_while_recording_the_run_is_one_line_and_not_ok(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """The review's 28-56 KiB free: progress could not be recorded and the chase list not
    written; each was a traceback, then "ok" and exit 0."""
    caplog.set_level(logging.INFO)
    config = make_config(tmp_path, settle=0)
    config.paths.imports.mkdir(parents=True)
    register_file(config.paths.imports / "april.xlsx", utc_now().date(), APRIL)

    def full(*_a: object, **_k: object) -> None:
        raise sqlite3.OperationalError("database or disk is full")

    def no_room(*_a: object, **_k: object) -> None:
        raise OSError(28, "No space left on device", str(config.paths.exports / "chase.xlsx"))

    monkeypatch.setattr(runs, "update_run", full)
    monkeypatch.setattr("riskboard.reports.chase.write_chase_list", no_room)
    monkeypatch.setattr(job, "import_one", _in_process)
    summary = run_nightly(config, clock=FrozenClock())
    assert summary.outcome == "partial" and summary.errors >= 2
    assert once_exit_code([summary]) == 3
    errors = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert any("could not record the progress of run" in e and "is full" in e for e in errors)
    assert any(e.startswith("chase list for") and "No space left" in e for e in errors)
    _no_tracebacks(caplog)


def _in_process(path: Path, config):  # type: ignore[no-untyped-def]
    """The import without a child process (the full-disk stand-ins are in this one)."""
    from riskboard.importer import import_file

    db = open_db(config.paths.database)
    try:
        return import_file(db, path, config, source="scheduler")
    finally:
        db.conn.close()


def test_status_never_says_killed_for_a_run_it_could_not_record(tmp_path: Path) -> None:
    config = make_config(tmp_path, settle=0)
    db = open_db(config.paths.database)
    runs.start_run(db, "once", "2024-06-02T01:00:00+00:00")  # its end never recorded
    runs.close_abandoned_runs(db, "2024-06-03T01:00:00+00:00")
    (run,) = runs.recent_runs(db)
    db.conn.close()
    assert run["outcome"] == "interrupted"
    assert "could not write the database" in run["error"] and "scheduler.log" in run["error"]


def test_a_log_that_cannot_be_flushed_on_close_never_crashes_the_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = make_config(tmp_path, settle=0)
    undo = runner.start_file_logging(config)
    (handler,) = [
        h for h in logging.getLogger("riskboard").handlers if isinstance(h, runner._LogFile)
    ]

    class FullDisk:
        def write(self, _text: str) -> int:
            raise OSError(28, "No space left on device")

        def seek(self, *_a: object) -> int:
            return 0

        def tell(self) -> int:
            return 0

        def flush(self) -> None:
            raise OSError(28, "No space left on device")

        def close(self) -> None:
            raise OSError(28, "No space left on device")

    handler.stream = FullDisk()  # type: ignore[assignment]
    logging.getLogger("riskboard.schedule").info("a line the disk cannot take")
    undo()  # was: OSError [Errno 28] from handler.close(), exit 1, no summary
    err = capsys.readouterr().err
    assert "cannot write the scheduler log" in err and "No space left" in err
    assert len(err.strip().splitlines()) == 1


# ------------------------------------------------------------ what the night picks up


def test_a_file_unchanged_for_settle_seconds_by_its_mtime_is_read_at_first_sight(
    tmp_path: Path,
) -> None:
    """A cron ``--once --no-wait`` run: a file copied in during the day is imported that
    night, not a night later; one written a moment ago still waits."""
    config = make_config(tmp_path, settle=60)
    config.paths.imports.mkdir(parents=True)
    old = register_file(config.paths.imports / "april.xlsx", utc_now().date(), APRIL)
    hour_ago = time.time() - 3600
    os.utime(old, (hour_ago, hour_ago))
    fresh = config.paths.imports / "fresh.xlsx"
    fresh.write_bytes(old.read_bytes())
    summary = run_nightly(config, clock=utc_now)
    results = {d.file: d.result for d in summary.details}
    assert results["april.xlsx"] == "imported"
    assert results["fresh.xlsx"] == "unsettled"


def test_a_folder_with_a_workbooks_name_is_reported_as_skipped(tmp_path: Path) -> None:
    config = make_config(tmp_path, settle=0)
    (config.paths.imports / "x.xlsx").mkdir(parents=True)
    summary = run_nightly(config, clock=FrozenClock())
    (detail,) = summary.details
    assert (detail.file, detail.result) == ("x.xlsx", "skipped")
    assert "a folder" in detail.message
    assert (config.paths.imports / "x.xlsx").is_dir()  # left where it is
    assert summary.outcome == "ok"
