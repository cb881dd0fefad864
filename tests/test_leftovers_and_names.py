"""Leftovers and forged lines (issue 10, kind 7): an export killed between its temporary
file and the rename left hidden ``.part`` files nothing cleaned; a file named with a
newline wrote a forged line into ``logs/scheduler.log`` and the run report."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from riskboard.cli import main
from riskboard.reports.safe_write import sweep_leftovers, write_atomic

KILLED_EXPORT = textwrap.dedent(
    """
    import os, signal, sys
    from pathlib import Path
    from riskboard.reports.safe_write import atomic_path
    with atomic_path(Path(sys.argv[1])) as tmp:
        tmp.write_bytes(b"half a document")
        os.kill(os.getpid(), signal.SIGKILL)  # killed between temp file and rename
    """
)


def age(path: Path, seconds: float = 60) -> None:
    then = time.time() - seconds
    os.utime(path, (then, then), follow_symlinks=False)


def parts(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".part"))


@pytest.mark.slow  # a child process killed with SIGKILL
def test_an_export_killed_before_its_rename_is_cleaned_by_the_next(tmp_path: Path) -> None:
    target = tmp_path / "exports" / "minutes.docx"
    target.parent.mkdir()
    target.write_bytes(b"the approved minutes")
    proc = subprocess.run([sys.executable, "-c", KILLED_EXPORT, str(target)], timeout=60)
    assert proc.returncode == -signal.SIGKILL
    left = parts(target.parent)
    assert len(left) == 1 and left[0].startswith(".minutes.docx.")  # what main left behind
    assert target.read_bytes() == b"the approved minutes"
    age(target.parent / left[0])
    write_atomic(target.parent / "report.xlsx", lambda p: p.write_bytes(b"new"))
    assert parts(target.parent) == []
    assert sorted(p.name for p in target.parent.iterdir()) == ["minutes.docx", "report.xlsx"]


def test_a_part_file_a_live_writer_holds_is_left_alone(tmp_path: Path) -> None:
    fcntl = pytest.importorskip("fcntl")
    live = tmp_path / ".minutes.docx.riskboard-abc12345.part"
    live.write_bytes(b"being written")
    age(live)
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import fcntl, sys, time; f = open(sys.argv[1], 'rb'); fcntl.flock(f, fcntl.LOCK_EX);"
         " print('locked', flush=True); time.sleep(60)", str(live)],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        assert sweep_leftovers(tmp_path) == []
        assert live.exists()
    finally:
        holder.kill()
        holder.wait(30)
    assert sweep_leftovers(tmp_path) == [live]  # its writer is gone now
    assert fcntl is not None


def test_only_our_own_regular_part_files_are_ever_removed(tmp_path: Path) -> None:
    precious = tmp_path / "precious.docx"
    precious.write_bytes(b"keep me")
    link = tmp_path / ".evil.riskboard-abcdefgh.part"
    link.symlink_to(precious)
    folder = tmp_path / ".folder.riskboard-abcdefgh.part"
    folder.mkdir()
    visible = tmp_path / "draft.part"  # not hidden: not one of ours
    visible.write_bytes(b"x")
    fresh = tmp_path / ".minutes.md.riskboard-fresh123.part"  # younger than a lock can take
    fresh.write_bytes(b"x")
    # another program's hidden partial download, in a folder given with --out
    theirs = [tmp_path / ".report.pdf.part", tmp_path / ".minutes.docx.abc123.part",
              tmp_path / ".x.riskboard-TOOLONG99.part"]  # fmt: skip
    for p in theirs:
        p.write_bytes(b"someone else's")
    for p in (link, folder, visible, *theirs):
        age(p)
    assert sweep_leftovers(tmp_path) == []
    assert precious.read_bytes() == b"keep me" and link.is_symlink() and folder.is_dir()
    assert visible.exists() and fresh.exists()
    assert all(p.read_bytes() == b"someone else's" for p in theirs)


# ------------------------------------------------------------------ names

FORGED = "x\n2024-06-02 02:00:01,000 INFO riskboard.schedule.job: all files imported OK"


@pytest.fixture()
def night(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "config.toml").write_text("[schedule]\nsettle_seconds = 0\n")
    (tmp_path / "imports").mkdir()
    (tmp_path / "imports" / f"{FORGED}.xlsx").write_bytes(b"not a workbook")
    return tmp_path


@pytest.mark.slow  # the scheduler's import children
def test_a_file_name_with_a_newline_forges_no_line(
    night: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["scheduler", "--once"]) == 3
    report = capsys.readouterr().out
    assert main(["scheduler", "status"]) == 0
    status = capsys.readouterr().out
    log = (night / "logs" / "scheduler.log").read_text("utf-8")
    note = next((night / "imports" / "failed").glob("*.error.txt")).read_text("utf-8")
    quoted = '"x\\n2024-06-02 02:00:01,000 INFO riskboard.schedule.job: all files imported OK.xlsx"'
    for text in (report, status, log):
        assert not any(line.startswith("2024-06-02 02:00:01,000") for line in text.splitlines())
        assert quoted in text
    assert f"File:  {quoted}" in note
    # each log record is one line (a timestamp starts every line)
    assert all(line[:2] == "20" for line in log.splitlines()), log


def test_the_import_command_quotes_the_name_too(
    night: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["import", str(night / "imports")]) == 1
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1
    assert err.startswith('refused file "x\\n2024-06-02')
