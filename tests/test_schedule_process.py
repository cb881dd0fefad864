"""The scheduler as a process: one per database, a clean stop, and the CLI faces.

Real processes (``python -m riskboard``) for the lock and signals; the CLI's other
commands run in-process through ``riskboard.cli.main``.
"""

from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import sys
import threading
from datetime import date
from pathlib import Path

import pytest

from riskboard.cli import main
from riskboard.domain import Action, Risk
from riskboard.sample.workbooks import write_workbook
from riskboard.store import open_db

pytestmark = pytest.mark.slow  # child processes

RISKS = [
    Risk(ref="HM-001", title="Potholes", annex="Highways", owner="Alice", strategy="treat",
         strategy_text="Treat", current_likelihood=2, current_impact=3, current_score=6,
         actions=[Action(risk_ref="HM-001", action_ref="A1", text="Patch", owner="Dan",
                         due=date(2024, 12, 1), last_updated=date(2024, 4, 2), status="Open")]),
]  # fmt: skip


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    (tmp_path / "config.toml").write_text("[schedule]\nsettle_seconds = 0\n", encoding="utf-8")
    (tmp_path / "imports").mkdir()
    return tmp_path


def drop(workspace: Path, name: str, month_end: str = "31/05/2024") -> Path:
    return write_workbook(
        workspace / "imports" / name, RISKS, title_block=[f"Report run: {month_end}"]
    )


def riskboard(workspace: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "riskboard", "--config", str(workspace / "config.toml"), *args],
        capture_output=True,
        text=True,
        timeout=120,
    )


class Scheduler:
    """``riskboard scheduler`` in its own process, its output read line by line."""

    def __init__(self, workspace: Path) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "riskboard", "--config", str(workspace / "config.toml"),
             "scheduler"],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )  # fmt: skip
        self.lines: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.put(line.rstrip("\n"))

    def wait_for(self, text: str, timeout: float = 60) -> str:
        """Wait for an output line containing ``text`` (the process's progress, not a timer)."""
        while True:
            try:
                line = self.lines.get(timeout=timeout)
            except queue.Empty:
                raise AssertionError(f"no {text!r} in output: {self.seen}") from None
            self.seen.append(line)
            if text in line:
                return line

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(30)


def test_a_second_scheduler_refuses_and_a_killed_one_frees_the_database(workspace):
    first = Scheduler(workspace)
    try:
        first.wait_for("riskboard scheduler running for")
        first.wait_for("catch-up: ok")  # it caught up at start (it had never run)

        second = riskboard(workspace, "scheduler")
        assert second.returncode == 1
        assert "is already running for database" in second.stderr
        assert f"pid {first.proc.pid}" in second.stderr
        once = riskboard(workspace, "scheduler", "--once")
        assert once.returncode == 1 and f"pid {first.proc.pid}" in once.stderr

        status = riskboard(workspace, "scheduler", "status")
        assert f"Running:    yes, pid {first.proc.pid}" in status.stdout

        first.proc.send_signal(signal.SIGKILL)  # a crash: no chance to clean up
        first.proc.wait(30)
    finally:
        first.stop()

    drop(workspace, "may.xlsx")
    after = riskboard(workspace, "scheduler", "--once")
    assert after.returncode == 0, after.stderr
    assert "imported   may.xlsx" in after.stdout
    status = riskboard(workspace, "scheduler", "status")
    assert "Running:    no" in status.stdout


def test_sigterm_stops_the_scheduler_cleanly(workspace):
    drop(workspace, "may.xlsx")
    scheduler = Scheduler(workspace)
    try:
        scheduler.wait_for("riskboard scheduler running for")
        scheduler.wait_for("imported   may.xlsx")
        scheduler.proc.send_signal(signal.SIGTERM)
        assert scheduler.proc.wait(30) == 0
        scheduler.wait_for("riskboard scheduler stopped")
    finally:
        scheduler.stop()
    db = open_db(workspace / "riskboard.db")
    outcomes = [r["outcome"] for r in db.query("SELECT outcome FROM scheduler_runs")]
    assert outcomes == ["ok"]
    db.conn.close()
    log = (workspace / "logs" / "scheduler.log").read_text(encoding="utf-8")
    assert "SIGTERM received" in log and "riskboard scheduler stopped" in log


# ---------------------------------------------------------------------- CLI in-process


def cli(workspace: Path, *args: str) -> int:
    return main(["--config", str(workspace / "config.toml"), *args])


def test_once_exit_status_says_whether_a_person_must_look(workspace, capsys):
    assert cli(workspace, "scheduler", "--once") == 0  # nothing to do
    drop(workspace, "may.xlsx")
    assert cli(workspace, "scheduler", "--once") == 0
    (workspace / "imports" / "broken.xlsx").write_bytes(b"junk")
    drop(workspace, "may-again.xlsx")  # same content: a duplicate, not a problem
    assert cli(workspace, "scheduler", "--once") == 3
    out = capsys.readouterr().out
    assert "REFUSED    broken.xlsx" in out
    assert "duplicate  may-again.xlsx" in out
    assert (workspace / "imports" / "failed" / "broken.xlsx.error.txt").exists()


def test_status_reports_the_night(workspace, capsys):
    drop(workspace, "may.xlsx")
    (workspace / "imports" / "broken.xlsx").write_bytes(b"junk")
    drop(workspace, "resent-may.xlsx")
    cli(workspace, "scheduler", "--once")
    cli(workspace, "scheduler", "--once")  # a quiet night after it
    capsys.readouterr()
    drop(workspace, "june.xlsx", "30/06/2024")
    (workspace / "imports" / "~$june.xlsx").write_bytes(b"lock")

    assert cli(workspace, "scheduler", "status") == 0
    out = capsys.readouterr().out
    assert "Running:    no" in out
    assert "Next run:   " in out and "02:00" in out
    assert "Waiting:    1 file(s)" in out and "june.xlsx" in out
    runs_part = out.split("Last runs")[1]
    assert "#2 " in runs_part.split("\n")[1] and "once: ok - seen 0" in runs_part
    # the busy night is still listed file by file under the quiet one
    assert "once: partial - seen 3, imported 1, refused 1, duplicates 1" in runs_part
    assert "imported   may.xlsx" in out
    assert "REFUSED    broken.xlsx" in out and "not an Excel workbook" in out
    assert "chase list chase-2024-05.xlsx" in out

    assert cli(workspace, "scheduler", "status", "--json") == 0
    status = json.loads(capsys.readouterr().out)
    assert status["holder"] is None
    assert status["waiting"] == ["june.xlsx"]
    assert status["catch_up_due"] is False
    assert [r["outcome"] for r in status["runs"]] == ["ok", "partial"]
    assert status["runs"][1]["details"][0]["result"] == "refused"


def test_print_systemd_uses_this_python_and_config(workspace, capsys):
    assert cli(workspace, "scheduler", "--print-systemd") == 0
    unit = capsys.readouterr().out
    config = workspace / "config.toml"
    from riskboard.cli.scheduler import _systemd_quote as q  # a checkout path may hold spaces

    assert (
        f"ExecStart={q(sys.executable)} -m riskboard --config {q(str(config))} scheduler\n" in unit
    )
    assert f"WorkingDirectory={workspace}\n" in unit
    assert "KillSignal=SIGTERM" in unit
    assert "[Install]\nWantedBy=default.target" in unit
    assert os.path.isabs(sys.executable)
