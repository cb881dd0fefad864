"""Each import in a child process: a reader crash refuses that file, nothing more
(issue 10, kind 1). The crashes are real: with the cell limit raised, a value at
XFD1048576 makes calamine abort allocating 549 GB, exactly as on main."""

from __future__ import annotations

import signal
from datetime import date
from pathlib import Path

import pytest

from riskboard.cli import main
from riskboard.config import Config
from riskboard.errors import NotFound, RefusedWorkbook, Remedy
from riskboard.isolated_import import import_isolated
from riskboard.schedule.job import run_nightly
from riskboard.store import open_db
from test_schedule_job import APRIL, FrozenClock, register_file
from workbooks import register_rows, sparse_register, write_xlsx

pytestmark = pytest.mark.slow  # child processes


def config_for(root: Path, **import_: object) -> Config:
    data = {"schedule": {"settle_seconds": 0}, "import": {"max_cells": 10**12, **import_}}
    return Config.model_validate(data).resolve(root)


@pytest.fixture(params=["fork", "forkserver"])
def start_method(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """The child forked by a single-threaded caller (the CLI), or from the forkserver
    (a caller with threads: the scheduler) - the same refusals either way."""
    from riskboard import isolated_import

    threads = 1 if request.param == "fork" else 2
    monkeypatch.setattr(isolated_import.threading, "active_count", lambda: threads)
    assert isolated_import._context().get_start_method() == request.param
    return str(request.param)


def test_a_reader_abort_is_a_refusal_naming_the_file(tmp_path: Path, start_method: str) -> None:
    config = config_for(tmp_path)  # the scan lets it through: calamine itself aborts
    path = sparse_register(tmp_path / "IRIS_2022-09.xlsx")
    with pytest.raises(RefusedWorkbook) as info:
        import_isolated(path, config)
    err = info.value
    assert err.file == path.name
    assert "the workbook reader crashed while reading it (SIGABRT" in str(err)
    assert "memory allocation of" in str(err)  # the reader's own last words
    # a 5 KB file that needs 549 GB is malformed or hostile: nothing invites raising a
    # limit or reporting a fault in riskboard (the review's finding 1e)
    assert "a file of 5 KB" in str(err) and "malformed or hostile; refused" in str(err)
    assert "max_memory_mb" not in str(err) and err.remedy is None
    # this process is fine and the database has nothing of it
    db = open_db(config.paths.database)
    assert db.execute("SELECT COUNT(*) FROM imports").fetchone()[0] == 0
    db.conn.close()


def test_running_out_of_memory_is_a_refusal_too(tmp_path: Path) -> None:
    # XFD5000 needs ~3 GB (82 million cells); allow 600 MiB
    config = config_for(tmp_path, max_memory_mb=600)
    path = sparse_register(tmp_path / "IRIS_2022-09.xlsx", "XFD5000")
    with pytest.raises(RefusedWorkbook, match="IRIS_2022-09.xlsx") as info:
        import_isolated(path, config)
    text = str(info.value)
    assert "crashed" in text or "needed more memory than this import may use" in text
    assert "malformed or hostile" in text and "max_memory_mb" not in text


def test_a_large_file_out_of_memory_is_told_about_the_limit(tmp_path: Path) -> None:
    from riskboard import isolated_import

    config = config_for(tmp_path, max_memory_mb=100)
    big = tmp_path / "big_2022-09.xlsx"
    big.write_bytes(b"x" * 2_000_000)  # 2 MB: over 1/100 of 100 MiB
    with pytest.raises(RefusedWorkbook) as info:
        isolated_import._outcome(None, -signal.SIGABRT, big, config, "memory allocation")
    err = info.value
    assert "may need more memory than import.max_memory_mb (100 MiB)" in str(err)
    assert err.remedy is Remedy.RAISE_LIMIT


def test_a_good_file_imports_through_the_child_with_its_result(
    tmp_path: Path, start_method: str
) -> None:
    config = config_for(tmp_path)
    path = write_xlsx(tmp_path / "joint.xlsx", {"Register": register_rows()})
    result = import_isolated(path, config)
    assert (result.status, result.month, result.risk_count) == ("imported", "2022-08", 2)
    assert import_isolated(path, config).status == "already_imported"


def test_a_missing_file_is_not_found_under_the_name_given(tmp_path: Path) -> None:
    with pytest.raises(NotFound, match="file not found"):
        import_isolated(tmp_path / "nowhere.xlsx", config_for(tmp_path))


def test_the_night_goes_on_past_a_file_that_crashes_the_reader(tmp_path: Path) -> None:
    config = config_for(tmp_path)
    imports = config.paths.imports
    imports.mkdir(parents=True)
    sparse_register(imports / "a-crash_2022-09.xlsx")
    register_file(imports / "b-april.xlsx", date(2024, 4, 30), APRIL)
    summary = run_nightly(config, clock=FrozenClock())
    assert [(d.file, d.result) for d in summary.details] == [
        ("a-crash_2022-09.xlsx", "refused"),
        ("b-april.xlsx", "imported"),
        ("chase-2024-04.xlsx", "chase_list"),
    ]
    note = (imports / "failed" / "a-crash_2022-09.xlsx.error.txt").read_text("utf-8")
    assert "SIGABRT" in note and "malformed or hostile" in note
    assert "report it" not in note and "fault in riskboard" not in note
    assert (imports / "failed" / "a-crash_2022-09.xlsx").exists()
    assert summary.outcome == "partial"


def test_scheduler_once_exits_3_and_reports_the_crash(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cfg = tmp_path / "config.toml"
    cfg.write_text(
        "[schedule]\nsettle_seconds = 0\n[import]\nmax_cells = 1000000000000\n", encoding="utf-8"
    )
    (tmp_path / "imports").mkdir()
    sparse_register(tmp_path / "imports" / "bad_2022-09.xlsx")
    write_xlsx(tmp_path / "imports" / "good.xlsx", {"Register": register_rows()})
    assert main(["--config", str(cfg), "scheduler", "--once"]) == 3
    out = capsys.readouterr().out
    assert "REFUSED    bad_2022-09.xlsx" in out and "SIGABRT" in out
    assert "imported   good.xlsx" in out
    assert "Traceback" not in out


def test_the_cli_import_goes_on_after_a_crash(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "config.toml").write_text("[import]\nmax_cells = 1000000000000\n")
    bad = sparse_register(tmp_path / "bad_2022-09.xlsx")
    good = write_xlsx(tmp_path / "good.xlsx", {"Register": register_rows()})
    assert main(["import", str(bad), str(good)]) == 1
    captured = capsys.readouterr()
    assert captured.err.startswith("refused file bad_2022-09.xlsx: the workbook reader crashed")
    assert len(captured.err.splitlines()) == 1
    assert "imported good.xlsx for 2022-08" in captured.out
    assert "1 of 2 files read, 1 refused" in captured.out


def test_how_a_child_ended_decides_whose_fault_it_was(tmp_path: Path) -> None:
    """Interrupted: Ctrl-C for the caller. Killed (SIGKILL: another program, the OOM
    killer): not the file's fault - the scheduler keeps it for the next run."""
    from riskboard import isolated_import
    from riskboard.errors import StoreUnavailable

    config = config_for(tmp_path)
    path = tmp_path / "joint.xlsx"
    with pytest.raises(KeyboardInterrupt):
        isolated_import._outcome(("interrupted", None), 0, path, config)
    with pytest.raises(StoreUnavailable, match="killed by another program"):
        isolated_import._outcome(None, -signal.SIGKILL, path, config)
    with pytest.raises(RefusedWorkbook, match=r"crashed while reading it \(SIGSEGV\)"):
        isolated_import._outcome(None, -signal.SIGSEGV, path, config)
