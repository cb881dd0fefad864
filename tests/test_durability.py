"""The properties the adversarial run found on main and issue 10 keeps: kill -9 at any
point of the nightly run loses nothing already recorded and leaves no half import, and
concurrent runs never see "database is locked" - now that each import is a child
process of its own."""

from __future__ import annotations

import random
import shutil
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest

from riskboard.sample.data import generate_register
from riskboard.store import open_db
from test_schedule_job import register_file

pytestmark = pytest.mark.slow  # real processes, killed

MONTHS = {"2024-03": date(2024, 3, 31), "2024-04": date(2024, 4, 30), "2024-05": date(2024, 5, 31)}


def riskboard(workspace: Path, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "riskboard", "--config", str(workspace / "config.toml"), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


def drop_files(folder: Path) -> dict[str, int]:
    """Three monthly exports; file name -> number of risks in it."""
    folder.mkdir(parents=True, exist_ok=True)
    sizes = {}
    registers = generate_register(list(MONTHS), 60, seed=10)  # ~500 risks a month
    for month, report in MONTHS.items():
        name = f"IRIS_{month}.xlsx"
        register_file(folder / name, report, registers[month])
        sizes[name] = len(registers[month])
    return sizes


def everywhere(imports: Path) -> list[str]:
    return sorted(p.name.replace(".duplicate", "") for p in imports.rglob("*.xlsx"))


def check_whole(workspace: Path, sizes: dict[str, int]) -> int:
    """No half import: each import row has exactly its file's risks; returns imports."""
    db = open_db(workspace / "rb.db")
    try:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        rows = list(db.query("SELECT id, file_name, month, risk_count FROM imports"))
        for row in rows:
            assert row["risk_count"] == sizes[row["file_name"]]
            stored = db.execute(
                "SELECT COUNT(*) FROM risk_snapshots WHERE month = ?", [row["month"]]
            ).fetchone()[0]
            assert stored == sizes[row["file_name"]]
        return len(rows)
    finally:
        db.conn.close()


def workspace_with_files(root: Path, source: Path) -> Path:
    root.mkdir()
    (root / "config.toml").write_text(
        '[paths]\ndatabase = "rb.db"\n[schedule]\nsettle_seconds = 0\n'
    )
    shutil.copytree(source, root / "imports")
    return root


def test_kill_9_at_random_points_of_the_night_loses_nothing(tmp_path: Path) -> None:
    sizes = drop_files(tmp_path / "source")
    timed = workspace_with_files(tmp_path / "timed", tmp_path / "source")
    started = time.monotonic()
    whole = riskboard(timed, "scheduler", "--once")
    assert whole.wait(300) == 0
    duration = time.monotonic() - started
    rng = random.Random(10)
    for i in range(6):
        ws = workspace_with_files(tmp_path / f"run{i}", tmp_path / "source")
        proc = riskboard(ws, "scheduler", "--once")
        time.sleep(rng.uniform(0.1, duration))
        proc.send_signal(signal.SIGKILL)  # somewhere in the night, no chance to clean up
        proc.wait(60)
        time.sleep(1)  # its import child sees the lifeline close and ends, rolled back
        assert everywhere(ws / "imports") == sorted(sizes)  # no file ever lost
        check_whole(ws, sizes)  # and no half import
        again = riskboard(ws, "scheduler", "--once")
        out, err = again.communicate(timeout=300)
        assert again.returncode == 0, out + err
        assert check_whole(ws, sizes) == 3  # each month imported exactly once
        assert sorted(p.name for p in (ws / "imports").iterdir()) == ["archive"]


def test_three_concurrent_runs_never_see_a_locked_database(tmp_path: Path) -> None:
    (tmp_path / "config.toml").write_text(
        '[paths]\ndatabase = "rb.db"\n[schedule]\nsettle_seconds = 0\n'
    )
    sizes = drop_files(tmp_path / "drop")
    (tmp_path / "imports").mkdir()
    first, second, third = sorted(sizes)
    (tmp_path / "drop" / third).rename(tmp_path / "imports" / third)
    runs = [
        riskboard(tmp_path, "import", str(tmp_path / "drop" / first)),
        riskboard(tmp_path, "import", str(tmp_path / "drop" / second)),
        riskboard(tmp_path, "scheduler", "--once"),
    ]
    results = [(p.wait(300), *p.communicate()) for p in runs]
    for code, out, err in results:
        assert code == 0, out + err
        assert "locked" not in (out + err)
    assert check_whole(tmp_path, sizes) == 3
