"""``riskboard import FILE... [--month] [--dry-run]``: what the user reads, exit codes,
and the database afterwards."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlite_utils

from riskboard.cli import main
from workbooks import register_rows, write_xlsx, zip_bomb

HEADER = ["Risk Ref", "Risk Title", "Likelihood", "Impact", "Strategy", "Action", "Last Updated"]


@pytest.fixture
def workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "config.toml").write_text('[paths]\ndatabase = "board.db"\n')
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("RISKBOARD_CONFIG", raising=False)
    return tmp_path


def run(*args: str) -> int:
    return main(["import", *args])


def table_dump(path: Path) -> dict[str, list[tuple[object, ...]]]:
    db = sqlite_utils.Database(path)
    try:
        return {
            t: sorted(db.execute(f"SELECT * FROM [{t}]").fetchall(), key=repr)
            for t in db.table_names()
        }
    finally:
        db.conn.close()


def test_import_then_again(workspace: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write_xlsx(workspace / "joint.xlsx", {"Register": register_rows()})
    assert run(str(path)) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0] == (
        "imported joint.xlsx for 2022-08 (import #1): 2 risks, 2 actions from sheet 'Register'"
    )
    assert "  2 warnings:" in out
    assert "'Total risks: 2'" in out
    before = table_dump(workspace / "board.db")
    assert run(str(path)) == 0
    assert capsys.readouterr().out == (
        "already imported joint.xlsx (import #1, 2022-08): nothing changed\n"
    )
    assert table_dump(workspace / "board.db") == before


def test_refused_file_exits_non_zero_and_says_why_without_traceback(
    workspace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = write_xlsx(workspace / "joint.xlsx", {"Register": register_rows()})
    assert run(str(good)) == 0
    capsys.readouterr()
    before = table_dump(workspace / "board.db")
    conflict = write_xlsx(
        workspace / "bad 2022-09.xlsx",
        {"Register": [HEADER, ["R1", "A", 1, 1, "Treat", "x", None],
                      ["R1", "B", 1, 1, "Treat", "y", None]]},
    )  # fmt: skip
    assert run(str(conflict)) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == (
        "refused file bad 2022-09.xlsx, sheet 'Register', row 3, column 'Risk Title': risk R1"
        " appears again with different data: 'B' here but 'A' on row 2 - every row of one"
        " reference must carry the same risk details; correct the export and import it again\n"
    )
    assert "Traceback" not in captured.err
    assert table_dump(workspace / "board.db") == before


def test_several_files_one_refused(workspace: Path, capsys: pytest.CaptureFixture[str]) -> None:
    aug = write_xlsx(workspace / "joint.xlsx", {"Register": register_rows()})
    sep = write_xlsx(
        workspace / "joint 2022-09.xlsx",
        {"Register": [HEADER, ["HM-001", "Potholes", 4, 5, "Treat", "Patching", "01/09/2022"]]},
    )
    bomb = zip_bomb(workspace / "bomb.xlsx", inflated_mb=40)
    assert run(str(aug), str(bomb), str(sep)) == 1
    captured = capsys.readouterr()
    assert "imported joint.xlsx for 2022-08" in captured.out
    assert "imported joint 2022-09.xlsx for 2022-09" in captured.out
    assert "2 of 3 files read, 1 refused" in captured.out
    assert captured.err.startswith("refused file bomb.xlsx: part xl/worksheets/sheet1.xml")
    db = sqlite_utils.Database(workspace / "board.db")
    assert [r["month"] for r in db.query("SELECT month FROM imports ORDER BY id")] == [
        "2022-08",
        "2022-09",
    ]


def test_month_option(workspace: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write_xlsx(
        workspace / "register.xlsx",
        {"Register": [HEADER, ["R1", "Flooding", 3, 3, "Treat", "Pumps", "01/07/2022"]]},
    )
    assert run(str(path)) == 1
    assert "give it with --month YYYY-MM" in capsys.readouterr().err
    assert run(str(path), "--month", "2022-07") == 0
    assert "imported register.xlsx for 2022-07" in capsys.readouterr().out


def test_bad_month_option_is_a_usage_error(workspace: Path) -> None:
    with pytest.raises(SystemExit) as info:
        run("x.xlsx", "--month", "July")
    assert info.value.code == 2


def test_dry_run_prints_the_mapping_and_writes_nothing(
    workspace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = register_rows()
    rows[3] = [*rows[3], "RAG colour"]
    path = write_xlsx(workspace / "joint.xlsx", {"Register": rows})
    assert run(str(path), "--dry-run") == 0
    out = capsys.readouterr().out
    assert out.startswith("dry run joint.xlsx: nothing written\n")
    assert "  month: 2022-08 (from report date 31/08/2022 in the title block)" in out
    assert "  would import: 2 risks, 2 actions from sheet 'Register'" in out
    assert "  sheet 'Register' (header on row 4, read as risks):" in out
    assert "    Risk Ref      -> ref\n" in out
    assert "    Last Updated  -> last_updated\n" in out
    assert "    not used: 'RAG colour'" in out
    assert "skipped, a note or footer in the reference column, not a risk: 'Total risks: 2'" in out
    assert not (workspace / "board.db").exists()  # a dry run creates nothing


def test_dry_run_into_an_existing_database_writes_nothing(
    workspace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first = write_xlsx(workspace / "joint.xlsx", {"Register": register_rows()})
    assert run(str(first)) == 0
    before = table_dump(workspace / "board.db")
    again = write_xlsx(workspace / "joint 2022-09.xlsx", {"Register": register_rows("15/09/2022")})
    assert run(str(again), "--dry-run", "--month", "2022-09") == 0
    assert "dry run joint 2022-09.xlsx: nothing written" in capsys.readouterr().out
    assert table_dump(workspace / "board.db") == before


def test_a_folder_imports_its_workbooks(
    workspace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = workspace / "imports"
    write_xlsx(folder / "joint.xlsx", {"Register": register_rows()})
    (folder / "readme.txt").write_text("not a workbook")
    (folder / "~$joint.xlsx").write_bytes(b"lock file")
    assert run(str(folder)) == 0
    assert "imported joint.xlsx for 2022-08" in capsys.readouterr().out


def test_missing_file(workspace: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run("nowhere.xlsx") == 1
    assert "refused file nowhere.xlsx: file not found" in capsys.readouterr().err
