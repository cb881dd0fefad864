"""The nightly job, called directly on a temporary workspace with a frozen clock.

Real imports (riskboard.importer, each in its child process) of workbooks generated in
code (riskboard.sample);
the settle check is driven by the clock, so nothing sleeps.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from riskboard import importer
from riskboard.config import Config
from riskboard.domain import Action, Risk
from riskboard.sample.data import generate_register
from riskboard.sample.workbooks import write_workbook
from riskboard.schedule import job
from riskboard.schedule.job import run_nightly
from riskboard.schedule.runner import run_once
from riskboard.store import open_db, runs
from riskboard.store.db import store_error

T0 = datetime(2024, 6, 2, 1, 0, tzinfo=UTC)  # 02:00 BST


class FrozenClock:
    def __init__(self, at: datetime = T0) -> None:
        self.now = at

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


def make_config(root: Path, settle: int = 60) -> Config:
    return Config.model_validate({"schedule": {"settle_seconds": settle}}).resolve(root)


def risk(ref: str, owner: str = "Alice", *, updated: date, score: tuple[int, int] = (2, 3)) -> Risk:
    return Risk(
        ref=ref,
        title=f"Risk {ref}",
        annex="Highways Maintenance",
        owner=owner,
        strategy="treat",
        strategy_text="Treat",
        current_likelihood=score[0],
        current_impact=score[1],
        current_score=score[0] * score[1],
        actions=[
            Action(
                risk_ref=ref,
                action_ref="A1",
                text=f"Action for {ref}",
                owner=owner,
                due=date(2024, 12, 31),
                last_updated=updated,
                status="Open",
            )
        ],
    )


def register_file(path: Path, report: date, risks: list[Risk]) -> Path:
    title = ["Joint contract risk register", f"Report run: {report:%d/%m/%Y}"]
    return write_workbook(path, risks, title_block=title)


APRIL = [risk("HM-001", updated=date(2024, 4, 12)), risk("HM-002", "Bob", updated=date(2024, 4, 3))]
MAY = [
    risk("HM-001", updated=date(2024, 4, 12), score=(3, 4)),  # stale, score up: chased
    risk("HM-002", "Bob", updated=date(2024, 5, 20)),
]


def names(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def test_a_night_with_new_duplicate_refused_unsettled_and_lock_files(tmp_path):
    config = make_config(tmp_path)
    imports = config.paths.imports
    clock = FrozenClock()
    db = open_db(config.paths.database)
    # April was imported by hand last month; the contractor re-sends it tonight
    april = register_file(tmp_path / "april.xlsx", date(2024, 4, 30), APRIL)
    importer.import_file(db, april, config)
    imports.mkdir()
    (imports / "april-resent.xlsx").write_bytes(april.read_bytes())
    register_file(imports / "may.xlsx", date(2024, 5, 31), MAY)
    (imports / "broken.xlsx").write_bytes(b"this is not a workbook")
    bad = register_file(
        imports / "no-header.xlsx", date(2024, 5, 31), [risk("BAD-001", updated=date(2024, 5, 1))]
    )
    write_workbook(bad, [risk("BAD-001", updated=date(2024, 5, 1))], headers={"ref": "Widget"})
    june_full = register_file(tmp_path / "june.xlsx", date(2024, 6, 30), MAY).read_bytes()
    (imports / "june.xlsx").write_bytes(june_full[: len(june_full) // 2])  # still copying
    ignored_names = ["~$may.xlsx", ".hidden.xlsx", "notes.txt", ".~lock.may.xlsx#",
                     "~WRL0003.tmp", "july.xlsx.crdownload"]  # fmt: skip
    for ignored in ignored_names:
        (imports / ignored).write_bytes(b"x")

    # 02:00 - first sight of every file: nothing is read yet
    first = run_nightly(config, clock=clock)
    assert (first.outcome, first.files_seen, first.unsettled, first.imported) == ("ok", 5, 5, 0)
    assert [r["id"] for r in db.query("SELECT id FROM imports")] == [1]
    assert first.details[0].message == (
        "new - it is read once unchanged for 60 seconds (it may still be being copied)"
    )

    # the copy of june.xlsx carries on; 61 seconds later the others have settled
    (imports / "june.xlsx").write_bytes(june_full)
    clock.advance(61)
    second = run_nightly(config, clock=clock)
    results = {d.file: d for d in second.details}
    assert {f: d.result for f, d in results.items()} == {
        "april-resent.xlsx": "duplicate",
        "broken.xlsx": "refused",
        "june.xlsx": "unsettled",
        "may.xlsx": "imported",
        "no-header.xlsx": "refused",
        "chase-2024-05.xlsx": "chase_list",
    }
    assert results["june.xlsx"].message.startswith("still being written (changed since")
    assert (second.outcome, second.imported, second.duplicates, second.refused) == (
        "partial", 1, 1, 2,
    )  # fmt: skip

    # files sorted: archive by board month, failed with a reason beside each
    assert names(imports) == sorted(["archive", "failed", "june.xlsx", *ignored_names])
    assert names(imports / "archive") == ["2024-04", "2024-05"]
    assert names(imports / "archive" / "2024-05") == ["may.xlsx"]
    assert names(imports / "archive" / "2024-04") == ["april-resent.duplicate.xlsx"]
    assert names(imports / "failed") == [
        "broken.xlsx", "broken.xlsx.error.txt", "no-header.xlsx", "no-header.xlsx.error.txt",
    ]  # fmt: skip
    note = (imports / "failed" / "broken.xlsx.error.txt").read_text(encoding="utf-8")
    assert note.startswith("riskboard did not import this file. Nothing from it was added")
    assert "File:  broken.xlsx" in note
    assert "not an Excel workbook" in note
    assert "When:  Sun 02 Jun 2024 02:01 BST" in note
    assert f"put the corrected file in {imports}" in note
    header_note = (imports / "failed" / "no-header.xlsx.error.txt").read_text(encoding="utf-8")
    assert "Risk Register" in header_note  # names the sheet it looked at
    assert "april.xlsx" in results["april-resent.xlsx"].message  # says what it duplicates

    # the database: the good month in, nothing from a refused file
    imported = list(db.query("SELECT file_name, month, source, file_path FROM imports ORDER BY id"))
    assert [(r["file_name"], r["month"], r["source"]) for r in imported] == [
        ("april.xlsx", "2024-04", "cli"),
        ("may.xlsx", "2024-05", "scheduler"),
    ]
    assert imported[1]["file_path"] == str(imports / "archive" / "2024-05" / "may.xlsx")
    assert db.execute("SELECT count(*) FROM risk_snapshots WHERE ref = 'BAD-001'").fetchone() == (
        0,
    )
    flags = {r["ref"] for r in db.query("SELECT ref FROM flag_results WHERE month = '2024-05'")}
    assert flags == {"HM-001"}

    # the chase list for the new month
    chase_md = (config.paths.exports / "chase-2024-05.md").read_text(encoding="utf-8")
    assert "## Alice - 1 risk" in chase_md and "HM-001" in chase_md and "HM-002" not in chase_md
    assert (config.paths.exports / "chase-2024-05.xlsx").exists()

    # the run records
    stored = runs.recent_runs(db)
    assert [(r["id"], r["trigger"], r["outcome"]) for r in stored] == [
        (second.run_id, "nightly", "partial"),
        (first.run_id, "nightly", "ok"),
    ]
    latest = stored[0]
    assert (latest["files_seen"], latest["imported"], latest["refused"]) == (5, 1, 2)
    assert (latest["duplicates"], latest["unsettled"]) == (1, 1)
    assert latest["started_at"] == "2024-06-02T01:01:01+00:00"
    assert latest["finished_at"] is not None
    refused = [d for d in latest["details"] if d["result"] == "refused"]
    assert refused[0]["file"] == "broken.xlsx" and "not an Excel workbook" in refused[0]["message"]

    # the next look: june has settled and is imported; nothing else is touched again
    clock.advance(61)
    third = run_nightly(config, clock=clock)
    assert (third.imported, third.files_seen, third.outcome) == (1, 1, "ok")
    assert names(imports / "archive" / "2024-06") == ["june.xlsx"]
    assert (config.paths.exports / "chase-2024-06.xlsx").exists()
    assert db.execute("SELECT count(*) FROM scheduler_file_observations").fetchone() == (0,)
    db.conn.close()


def test_settle_zero_reads_a_file_on_first_sight(tmp_path):
    config = make_config(tmp_path, settle=0)
    register_file(config.paths.imports / "may.xlsx", date(2024, 5, 31), MAY)
    summary = run_nightly(config, clock=FrozenClock())
    assert (summary.imported, summary.unsettled) == (1, 0)


def test_a_name_already_in_failed_is_not_overwritten(tmp_path):
    config = make_config(tmp_path, settle=0)
    failed = config.paths.imports / "failed"
    failed.mkdir(parents=True)
    (failed / "broken.xlsx").write_bytes(b"last month's")
    (failed / "broken.xlsx.error.txt").write_text("last month's reason", encoding="utf-8")
    (config.paths.imports / "broken.xlsx").write_bytes(b"tonight's")
    run_nightly(config, clock=FrozenClock())
    assert names(failed) == [
        "broken-2.xlsx", "broken-2.xlsx.error.txt", "broken.xlsx", "broken.xlsx.error.txt",
    ]  # fmt: skip
    assert (failed / "broken.xlsx.error.txt").read_text(encoding="utf-8") == "last month's reason"
    assert (failed / "broken-2.xlsx").read_bytes() == b"tonight's"


def test_database_trouble_keeps_the_file_for_the_next_run(tmp_path, monkeypatch):
    config = make_config(tmp_path, settle=0)
    register_file(config.paths.imports / "may.xlsx", date(2024, 5, 31), MAY)

    def busy(path, cfg):
        # what the import raises when the database stays locked past the busy timeout
        raise store_error(sqlite3.OperationalError("database is locked"), cfg.paths.database)

    monkeypatch.setattr(job, "import_one", busy)
    summary = run_nightly(config, clock=FrozenClock())
    assert summary.outcome == "partial"
    assert [(d.file, d.result) for d in summary.details] == [("may.xlsx", "error")]
    assert "tried again on the next run" in summary.details[0].message
    assert names(config.paths.imports) == ["may.xlsx"]  # not moved to failed


def test_a_fault_in_riskboard_refuses_the_file_and_carries_on(tmp_path, monkeypatch):
    config = make_config(tmp_path, settle=0)
    register_file(config.paths.imports / "a-april.xlsx", date(2024, 4, 30), APRIL)
    register_file(config.paths.imports / "b-may.xlsx", date(2024, 5, 31), MAY)
    real = job.import_one

    def flaky(path, cfg):
        if path.name == "a-april.xlsx":
            raise KeyError("bug")
        return real(path, cfg)

    monkeypatch.setattr(job, "import_one", flaky)
    summary = run_nightly(config, clock=FrozenClock())
    assert [(d.file, d.result) for d in summary.details[:2]] == [
        ("a-april.xlsx", "refused"),
        ("b-may.xlsx", "imported"),
    ]
    note = (config.paths.imports / "failed" / "a-april.xlsx.error.txt").read_text("utf-8")
    assert "fault in riskboard" in note and "KeyError" in note


def test_stop_request_ends_the_run_between_files(tmp_path, monkeypatch):
    config = make_config(tmp_path, settle=0)
    register_file(config.paths.imports / "a-april.xlsx", date(2024, 4, 30), APRIL)
    register_file(config.paths.imports / "b-may.xlsx", date(2024, 5, 31), MAY)
    stop = threading.Event()
    real = job.import_one

    def then_stop(*args, **kwargs):
        result = real(*args, **kwargs)  # the import's transaction completes...
        stop.set()  # ...and the stop arrives while it was running
        return result

    monkeypatch.setattr(job, "import_one", then_stop)
    summary = run_nightly(config, clock=FrozenClock(), stop=stop)
    assert summary.outcome == "interrupted"
    assert summary.imported == 1
    assert names(config.paths.imports) == ["archive", "b-may.xlsx"]
    db = open_db(config.paths.database)
    assert [r["month"] for r in db.query("SELECT month FROM imports")] == ["2024-04"]
    db.conn.close()
    assert names(config.paths.exports) == []  # stopping comes first

    # someone takes b-may.xlsx away; the next run still writes April's missing chase list
    (config.paths.imports / "b-may.xlsx").unlink()
    monkeypatch.setattr(job, "import_one", real)
    summary = run_nightly(config, clock=FrozenClock())
    assert [(d.file, d.result) for d in summary.details] == [("chase-2024-04.xlsx", "chase_list")]
    assert names(config.paths.exports) == ["chase-2024-04.md", "chase-2024-04.xlsx"]


def test_sigterm_during_once_stops_after_the_current_file(tmp_path, monkeypatch):
    config = make_config(tmp_path, settle=0)
    register_file(config.paths.imports / "a-april.xlsx", date(2024, 4, 30), APRIL)
    register_file(config.paths.imports / "b-may.xlsx", date(2024, 5, 31), MAY)
    real = job.import_one
    before = signal.getsignal(signal.SIGTERM)

    def terminated(*args, **kwargs):
        result = real(*args, **kwargs)
        os.kill(os.getpid(), signal.SIGTERM)  # systemd stops the service
        return result

    monkeypatch.setattr(job, "import_one", terminated)
    results = run_once(config, clock=FrozenClock())
    assert [r.outcome for r in results] == ["interrupted"]
    assert names(config.paths.imports) == ["archive", "b-may.xlsx"]
    assert signal.getsignal(signal.SIGTERM) == before  # handler put back
    log = (config.paths.logs / "scheduler.log").read_text(encoding="utf-8")
    assert "SIGTERM received: stopping after the current file" in log


def test_once_looks_again_at_files_still_being_written_and_logs(tmp_path):
    config = make_config(tmp_path, settle=60)
    register_file(config.paths.imports / "may.xlsx", date(2024, 5, 31), MAY)
    clock = FrozenClock()
    waited: list[float] = []

    def wait(seconds: float) -> None:
        waited.append(seconds)
        clock.advance(seconds)

    results = run_once(config, clock=clock, wait=wait)
    assert [(r.trigger, r.unsettled, r.imported) for r in results] == [
        ("once", 1, 0),
        ("recheck", 0, 1),
    ]
    assert waited == [60]
    log = (config.paths.logs / "scheduler.log").read_text(encoding="utf-8")
    assert "may.xlsx: imported - imported 2 risks and 2 actions for 2024-05" in log
    assert f"run #{results[1].run_id} ok" in log


def test_once_closes_runs_a_killed_process_left_open(tmp_path):
    config = make_config(tmp_path)
    db = open_db(config.paths.database)
    orphan = runs.start_run(db, "nightly", "2024-06-01T01:00:00+00:00")
    run_once(config, clock=FrozenClock(), wait_for_unsettled=False)
    row = runs.get_run(db, orphan)
    assert row is not None and row["outcome"] == "interrupted"
    assert "the end of this run was never recorded" in row["error"]
    db.conn.close()


READER = r"""
import json, sys, time
from pathlib import Path
from riskboard.board.attendance import save_person
from riskboard.store.db import connect
from riskboard.store import register
db = connect(sys.argv[1])
stop = Path(sys.argv[2])
print("ready", flush=True)
queries, writes, errors, counts, stamps = 0, 0, [], set(), []
while not stop.exists():
    try:
        counts.add(db.execute("SELECT count(*) FROM risk_snapshots").fetchone()[0])
        latest = register.latest_month(db)
        if latest:
            db.execute("SELECT count(*) FROM action_snapshots WHERE month = ?", [latest])
        list(db.query("SELECT * FROM scheduler_runs ORDER BY id DESC LIMIT 5"))
        queries += 1
        stamps.append(time.time())
        if queries % 10 == 0:  # the minute-taker adds someone to the people list
            save_person(db, f"Officer {queries}", organisation="corporate")
            writes += 1
    except Exception as exc:
        errors.append(repr(exc))
print(json.dumps({"queries": queries, "writes": writes, "errors": errors[:5],
                  "counts": sorted(counts), "stamps": stamps}))
"""


@pytest.mark.slow  # a 50,000-row import in a child process
def test_the_register_stays_usable_throughout_a_large_import(tmp_path):
    """Another process reading (and making meeting writes) while a large import runs
    sees no "database is locked" and never half an import."""
    config = make_config(tmp_path, settle=0)
    big = generate_register(["2024-05"], 400, seed=7)["2024-05"]  # 3,200 risks
    register_file(config.paths.imports / "big.xlsx", date(2024, 5, 31), big)
    open_db(config.paths.database).conn.close()  # schema in place before the reader starts
    stop_file = tmp_path / "stop-reader"
    reader = subprocess.Popen(
        [sys.executable, "-c", READER, str(config.paths.database), str(stop_file)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert reader.stdout is not None
        assert reader.stdout.readline().strip() == "ready"
        started = time.time()
        summary = run_nightly(config, clock=FrozenClock())
        finished = time.time()
    finally:
        stop_file.touch()
        out, _ = reader.communicate(timeout=60)
    report = json.loads(out)
    assert (summary.outcome, summary.imported) == ("ok", 1)  # the job was not upset either
    assert report["errors"] == []
    assert report["writes"] >= 1
    during = [t for t in report["stamps"] if started <= t <= finished]
    assert len(during) >= 3, "the reader should have been querying while the import ran"
    # it saw the register before and after, never half an import
    assert report["counts"] == [0, len(big)]
