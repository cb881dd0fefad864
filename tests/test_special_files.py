"""Special files - a link to /dev/zero, a FIFO, a device - are refused before a byte is
read, wherever a workbook is opened (issue 10, kind 3). Each test would hang forever
on main (100% CPU on /dev/zero, blocked on the FIFO), so each runs with a timeout."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from riskboard.cli import main
from riskboard.config import Config
from riskboard.errors import RefusedWorkbook
from riskboard.importer import sha256_file
from riskboard.ingest.reader import WorkbookReader, check_container
from riskboard.schedule.job import run_nightly
from test_schedule_job import FrozenClock
from workbooks import register_rows, write_xlsx

posix_only = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs and /dev/zero are POSIX")


@pytest.fixture
def specials(tmp_path: Path) -> dict[str, Path]:
    folder = tmp_path / "drop"
    folder.mkdir()
    zero = folder / "x_2022-09.xlsx"
    zero.symlink_to("/dev/zero")
    fifo = folder / "pipe_2022-09.xlsx"
    os.mkfifo(fifo)
    dangling = folder / "gone_2022-09.xlsx"
    dangling.symlink_to(tmp_path / "nowhere.xlsx")
    return {"zero": zero, "fifo": fifo, "dangling": dangling, "null": Path("/dev/null")}


@posix_only
def test_every_opener_refuses_them_at_once(specials: dict[str, Path]) -> None:
    expected = {
        "zero": "is a character device, not a workbook file (a symbolic link to /dev/zero)",
        "fifo": "is a named pipe (FIFO), not a workbook file",
        "dangling": "is a symbolic link to",
        "null": "is a character device",
    }
    for key, path in specials.items():
        for opener in (
            lambda p: check_container(p, 200),
            lambda p: WorkbookReader(p),
            sha256_file,
        ):
            with pytest.raises(RefusedWorkbook, match=re.escape(expected[key])) as info:
                opener(path)
            assert info.value.file == path.name


@posix_only
def test_import_refuses_them_in_one_line_each_and_goes_on(
    specials: dict[str, Path], tmp_path: Path
) -> None:
    """In a real process with a timeout: on main this hung forever."""
    good = write_xlsx(tmp_path / "drop" / "good.xlsx", {"Register": register_rows()})
    proc = subprocess.run(
        [sys.executable, "-m", "riskboard", "import", str(tmp_path / "drop")],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    assert proc.returncode == 1
    refused = proc.stderr.splitlines()
    assert len(refused) == 3, proc.stderr  # the folder's link, FIFO and dangling link
    assert all(line.startswith("refused file ") for line in refused)
    assert "Traceback" not in proc.stderr
    assert f"imported {good.name}" in proc.stdout
    assert "1 of 4 files read, 3 refused" in proc.stdout


@posix_only
def test_a_link_to_a_real_workbook_is_read(tmp_path: Path, fresh_db) -> None:
    from riskboard.importer import import_file

    real = write_xlsx(tmp_path / "real.xlsx", {"Register": register_rows()})
    link = tmp_path / "link_2022-08.xlsx"
    link.symlink_to(real)
    assert import_file(fresh_db, link, Config()).status == "imported"


@posix_only
def test_the_nightly_job_refuses_them_to_failed_with_a_reason(tmp_path: Path) -> None:
    config = Config.model_validate({"schedule": {"settle_seconds": 60}}).resolve(tmp_path)
    imports = config.paths.imports
    imports.mkdir(parents=True)
    (imports / "x_2022-09.xlsx").symlink_to("/dev/zero")
    os.mkfifo(imports / "pipe_2022-09.xlsx")
    summary = run_nightly(config, clock=FrozenClock())  # no settle wait: it never settles
    assert sorted((d.file, d.result) for d in summary.details) == [
        ("pipe_2022-09.xlsx", "refused"),
        ("x_2022-09.xlsx", "refused"),
    ]
    failed = imports / "failed"
    assert (failed / "x_2022-09.xlsx").is_symlink()  # the link moved, /dev/zero untouched
    note = (failed / "x_2022-09.xlsx.error.txt").read_text("utf-8")
    assert "a symbolic link to /dev/zero" in note
    assert "FIFO" in (failed / "pipe_2022-09.xlsx.error.txt").read_text("utf-8")


@posix_only
def test_the_cli_says_which_kind_without_a_traceback(
    specials: dict[str, Path],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["import", str(specials["fifo"])]) == 1
    assert capsys.readouterr().err == (
        "refused file pipe_2022-09.xlsx: is a named pipe (FIFO), not a workbook file\n"
    )
    assert not (tmp_path / "riskboard.db").exists()  # refused before a database was made
