"""What the command line takes in and where it looks (issue 10, kinds 4 and 8).

- Text that is not valid UTF-8 (``meeting aob $'Budget \\xa3250k'``: Python keeps the
  byte as a lone surrogate) is refused at entry in one line, for every command; a
  record poisoned that way before this fix still exports and approves.
- Read-only commands never create a database or its folders: a mistyped path says
  there is no database at PATH; every "nothing here" names the database it looked in.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from board_helpers import seeded_db
from riskboard import board
from riskboard.cli import main
from riskboard.errors import RiskboardError
from riskboard.store import open_db

BAD = "Budget \udca3250k"  # what Python makes of the bytes b"Budget \xa3250k" in argv


@pytest.fixture()
def workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "config.toml").write_text('[paths]\ndatabase = "rb.db"\n')
    monkeypatch.chdir(tmp_path)
    seeded_db(tmp_path / "rb.db").conn.close()
    assert main(["meeting", "new", "--date", "14/09/2022", "--chair", "Alice Chair",
                 "--minute-taker", "Mo Minutes"]) == 0  # fmt: skip
    return tmp_path


def record(workspace: Path) -> str:
    db = open_db(workspace / "rb.db")
    try:
        return json.dumps(board.meeting_record(db, 1), default=str)
    finally:
        db.conn.close()


TEXT_COMMANDS = [
    ["meeting", "aob", BAD],
    ["meeting", "declare", BAD],
    ["meeting", "attend", BAD, "--org", "other"],
    ["meeting", "person", BAD, "--org", "other"],
    ["meeting", "close", "--force", BAD],
    ["review", "HM-001", "--note", BAD],
    ["review", "HM-001", "--strategy", "tolerate", "--rationale", BAD, "--review-by", "2022-12-31"],
    ["review", BAD],
    ["escalate", "HM-001", "--to", "corporate", "--reason", BAD],
    ["action", "add", BAD, "--owner", "Carl", "--due", "2022-10-31"],
    ["action", "add", "Patch", "--owner", BAD, "--due", "2022-10-31"],
    ["show", BAD],
    ["meeting", "new", "--chair", BAD],
]


@pytest.mark.parametrize("argv", TEXT_COMMANDS, ids=lambda a: " ".join(a[:2]))
def test_text_that_is_not_utf8_is_refused_at_entry(
    workspace: Path, capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    before = record(workspace)
    assert main(argv) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.splitlines()
    assert len(lines) == 1, captured.err
    assert lines[0].startswith("riskboard: error: ")
    assert "is not valid UTF-8 text (Budget \\xa3250k); nothing was read or recorded" in lines[0]
    assert "type it again as UTF-8" in lines[0]
    assert record(workspace) == before


def test_the_refusal_names_the_option(workspace: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["review", "HM-001", "--note", BAD]) == 1
    assert "error: --note is not valid UTF-8" in capsys.readouterr().err
    assert main(["meeting", "aob", BAD]) == 1
    assert "error: TEXT is not valid UTF-8" in capsys.readouterr().err


def test_a_real_process_with_latin1_bytes_in_argv(workspace: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "riskboard", "meeting", "aob", b"Budget \xa3250k"],
        capture_output=True,
        timeout=60,
        cwd=workspace,
    )
    assert proc.returncode == 1
    assert proc.stderr.count(b"\n") == 1 and b"Traceback" not in proc.stderr
    assert b"Budget \\xa3250k" in proc.stderr


def test_the_services_refuse_it_too(workspace: Path) -> None:
    db = open_db(workspace / "rb.db")
    try:
        with pytest.raises(RiskboardError, match="not valid UTF-8"):
            board.add_aob(db, 1, BAD)
        assert board.get_meeting(db, 1).aob == []
    finally:
        db.conn.close()


def test_a_record_poisoned_before_the_fix_still_exports_and_approves(
    workspace: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    db = open_db(workspace / "rb.db")
    with monkeypatch.context() as before_the_fix:  # the service stored typed text as given
        before_the_fix.setattr("riskboard.board.guards.clean_typed", lambda text: text)
        board.add_aob(db, 1, BAD)
    assert db.execute("SELECT aob FROM meetings WHERE id = 1").fetchone()[0] == json.dumps([BAD])
    db.conn.close()
    assert main(["meeting", "show"]) == 0
    assert "Budget \\xa3250k" in capsys.readouterr().out
    for fmt in ("md", "docx", "xlsx"):
        assert main(["export", "minutes", "1", "--format", fmt]) == 0, capsys.readouterr().err
    md = next((workspace / "exports").glob("*.md")).read_text("utf-8")
    assert "Budget \\\\xa3250k" in md  # the byte shown, escaped for Markdown
    for who in ("Carl Contractor", "Dee Directorate", "Cora Corporate"):
        org = who.split()[1].lower()
        assert main(["meeting", "attend", who, "--org", org]) == 0
    assert main(["meeting", "close"]) == 0
    assert main(["meeting", "new", "--date", "12/10/2022", "--chair", "Alice Chair"]) == 0
    for who in ("Carl Contractor", "Dee Directorate", "Cora Corporate"):
        assert main(["meeting", "attend", who]) == 0
    assert main(["meeting", "approve-previous"]) == 0, capsys.readouterr().err
    assert "approved and locked" in capsys.readouterr().out


def test_a_file_name_that_is_not_utf8_is_still_a_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """File names are bytes on POSIX: imported, and shown escaped - never a crash."""
    from workbooks import register_rows, write_xlsx

    monkeypatch.chdir(tmp_path)
    name = "IRIS \udca3 2022-08.xlsx"
    write_xlsx(tmp_path / "x.xlsx", {"Register": register_rows()}).rename(tmp_path / name)
    assert main(["import", name]) == 0
    assert 'imported "IRIS \\xa3 2022-08.xlsx" for 2022-08' in capsys.readouterr().out


# ------------------------------------------------------------ the database's place

READ_ONLY = [
    ["flags"],
    ["risks"],
    ["show", "HM-001"],
    ["meeting", "list"],
    ["meeting", "show"],
    ["meeting", "people"],
    ["meeting", "verify"],
    ["meeting", "audit"],
    ["action", "list"],
    ["escalation", "list"],
    ["export", "minutes"],
    ["export", "report"],
    ["export", "register", "--to", "corporate"],
    ["scheduler", "status"],
    ["meeting"],  # the meeting app
    ["meeting", "new", "--chair", "Alice"],  # needs an imported register
    ["review", "HM-001", "--note", "x"],
]


@pytest.mark.parametrize("argv", READ_ONLY, ids=lambda a: " ".join(a))
def test_a_mistyped_database_path_creates_nothing(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    argv: list[str],
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "config.toml").write_text('[paths]\ndatabase = "dta/riskbord.db"\n')
    assert main(argv) == 1
    err = capsys.readouterr().err
    assert err.startswith(
        f"riskboard: error: there is no database at {tmp_path / 'dta' / 'riskbord.db'}"
    )
    assert f"check paths.database in {tmp_path / 'config.toml'}" in err
    assert len(err.splitlines()) == 1
    assert not (tmp_path / "dta").exists()


def test_import_dry_run_creates_nothing_either(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from workbooks import register_rows, write_xlsx

    monkeypatch.chdir(tmp_path)
    (tmp_path / "config.toml").write_text('[paths]\ndatabase = "dta/riskbord.db"\n')
    path = write_xlsx(tmp_path / "joint.xlsx", {"Register": register_rows()})
    assert main(["import", str(path), "--dry-run"]) == 0
    assert not (tmp_path / "dta").exists()
    assert main(["import", str(path)]) == 0  # a real import is what creates it
    assert (tmp_path / "dta" / "riskbord.db").is_file()


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["meeting", "list"], "No meetings yet in database {db}"),
        (["meeting", "people"], "The people list in database {db} is empty"),
        (["action", "list"], "No open actions in database {db}"),
        (["action", "list", "--all"], "No actions yet in database {db}"),
        (["escalation", "list"], "No escalations in database {db}"),
        (["meeting", "verify"], "Nothing recorded yet in database {db}"),
        (["meeting", "audit"], "No audit entries in database {db}"),
        (["scheduler", "status"], "No runs yet recorded in database {db}"),
    ],
)
def test_nothing_here_names_the_database(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    argv: list[str],
    says: str,
) -> None:
    monkeypatch.chdir(tmp_path)
    open_db(tmp_path / "riskboard.db").conn.close()  # an empty database
    assert main(argv) == 0
    assert says.format(db=tmp_path / "riskboard.db") in capsys.readouterr().out


@pytest.mark.parametrize(
    "argv",
    [
        ["flags"],
        ["risks"],
        ["show", "HM-001"],
        ["meeting", "show"],
        ["export", "minutes"],
        ["review", "HM-001"],
    ],  # fmt: skip
)
def test_nothing_here_errors_name_the_database(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    argv: list[str],
) -> None:
    monkeypatch.chdir(tmp_path)
    open_db(tmp_path / "riskboard.db").conn.close()
    assert main(argv) == 1
    err = capsys.readouterr().err
    assert f"database {tmp_path / 'riskboard.db'}" in err and len(err.splitlines()) == 1
