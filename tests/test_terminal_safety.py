"""Terminal escape injection (issue 10, kind 5): a cell holding ``_x001B_]0;TITLE_x0007_``
(Excel's own escape form) once became raw ESC/BEL in the database and went raw to the
terminal (window title, screen clear, OSC 52 clipboard write) and into the minutes,
the chase list and CSV. Control characters other than tab and newline are removed at
import and from typed text, and nothing is ever printed or written raw."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest

from riskboard.cli import main
from riskboard.config import Config
from riskboard.importer import import_file
from riskboard.reports.chase import write_chase_list
from riskboard.store import open_db
from workbooks import REGISTER_HEADER, rezip, write_xlsx

TITLE = "_x001B_]0;PWNED_x0007_Potholes"  # sets the window title
CLEAR = "Ann_x001B_[2J_x001B_[H"  # clears the screen
CLIPBOARD = "_x001B_]52;c;cm0gLXJmIH4=_x0007_Patch"  # OSC 52: writes the clipboard
C1 = "Bob_x009B_31m"  # CSI as one C1 character
RAW = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


BOARD = [("Carl Contractor", "contractor"), ("Dee Directorate", "directorate"),
         ("Cora Corporate", "corporate")]  # fmt: skip


def quorate_by_cli() -> None:
    """One lead officer of each side present: the board does business only when quorate."""
    for name, org in BOARD:
        assert main(["meeting", "attend", name, "--org", org]) == 0


@pytest.fixture()
def workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    rows = [
        ["Report run: 31/08/2022"],
        REGISTER_HEADER,
        ["HM-001", TITLE, "Highways", CLEAR, 4, 4, "Treat", "Open",
         CLIPBOARD, C1, "30/09/2022", "15/08/2022"],
        ["HM-002", "Ordinary", "Highways", "Cat", 2, 2, "Treat", "Open",
         "RAW", "Dan", "30/09/2022", "15/08/2022"],
    ]  # fmt: skip
    path = write_xlsx(tmp_path / "base.xlsx", {"Register": rows})
    with zipfile.ZipFile(path) as zf:
        xml = zf.read("xl/worksheets/sheet1.xml")
    # and one raw ESC written as a character reference (calamine decodes those too)
    xml = xml.replace(b">RAW<", b">raw&#27;[31mred&#x9b;0m<")
    rezip(path, tmp_path / "IRIS_2022-08.xlsx", {"xl/worksheets/sheet1.xml": xml})
    db = open_db(tmp_path / "riskboard.db")
    import_file(db, tmp_path / "IRIS_2022-08.xlsx", Config().resolve(tmp_path))
    db.conn.close()
    return tmp_path


def stored_text(workspace: Path) -> list[str]:
    db = open_db(workspace / "riskboard.db")
    try:
        out: list[str] = []
        for table in ("risk_snapshots", "action_snapshots"):
            for row in db[table].rows:
                out += [v for v in row.values() if isinstance(v, str)]
        return out
    finally:
        db.conn.close()


def test_control_characters_never_reach_the_database(workspace: Path) -> None:
    text = stored_text(workspace)
    assert not [t for t in text if RAW.search(t)]
    assert "]0;PWNEDPotholes" in text  # the text around them is kept
    assert "Ann[2J[H" in text
    assert "raw[31mred0m" in text


@pytest.mark.parametrize(
    "argv", [["risks"], ["flags"], ["show", "HM-001"], ["risks", "--json"], ["flags", "--json"]]
)
def test_register_commands_print_nothing_raw(
    workspace: Path, capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert not RAW.search(out.replace("\n", "").replace("\t", ""))
    assert "PWNED" in out  # the cell is still shown


def test_text_stored_raw_before_this_fix_is_printed_escaped(
    workspace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = open_db(workspace / "riskboard.db")
    db.execute("UPDATE risk_snapshots SET title = ? WHERE ref = 'HM-002'", ["a\x1b]0;x\x07b\x9bc"])
    db.conn.commit()
    db.conn.close()
    for argv in (["risks"], ["show", "HM-002"], ["flags"]):
        assert main(argv) == 0
        out = capsys.readouterr().out
        assert not RAW.search(out.replace("\n", ""))
    assert main(["show", "HM-002"]) == 0
    assert "a\\x1b]0;x\\x07b\\x9bc" in capsys.readouterr().out


def test_typed_text_loses_control_characters(
    workspace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["meeting", "new", "--date", "14/09/2022", "--chair", "Al"]) == 0
    quorate_by_cli()
    assert main(["review", "HM-001", "--note", "see \x1b]0;title\x07 this\x9b"]) == 0
    assert main(["meeting", "aob", "line one\nline\ttwo\x1b[2J"]) == 0
    capsys.readouterr()
    db = open_db(workspace / "riskboard.db")
    note = db.execute("SELECT note FROM reviews").fetchone()[0]
    aob = db.execute("SELECT aob FROM meetings").fetchone()[0]
    db.conn.close()
    assert note == "see ]0;title this"
    assert "line one\\nline\\ttwo[2J" in aob  # tab and newline kept (JSON-escaped here)


def test_minutes_chase_list_and_csv_carry_no_control_characters(
    workspace: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    db = open_db(workspace / "riskboard.db")
    # as if recorded before this fix: raw controls in typed text and in a cell
    db.execute("UPDATE risk_snapshots SET owner = ? WHERE ref = 'HM-002'", ["Eve\x1b[2J\x07"])
    db.conn.commit()
    assert main(["meeting", "new", "--date", "14/09/2022", "--chair", "Al"]) == 0
    quorate_by_cli()
    with monkeypatch.context() as before_the_fix:  # the service stored typed text as given
        before_the_fix.setattr("riskboard.board.guards.clean_typed", lambda text: text)
        assert main(["review", "HM-001", "--note", "note\x1b]52;c;eA==\x07"]) == 0
        assert main(["escalate", "HM-002", "--to", "corporate",
                     "--reason", "why\x1b[31m\x9b"]) == 0  # fmt: skip
    config = Config().resolve(workspace)
    files = write_chase_list(db, "2022-08", config)
    db.conn.close()
    assert main(["export", "minutes", "--format", "md"]) == 0
    assert main(["export", "minutes", "--format", "xlsx"]) == 0
    assert main(["export", "register", "--to", "corporate", "--format", "csv"]) == 0
    written = [*(workspace / "exports").glob("*.md"), *(workspace / "exports").glob("*.csv")]
    assert files.md in written and len(written) == 3  # chase list, minutes, transfer sheet
    for path in written:
        text = path.read_text("utf-8-sig")
        assert not RAW.search(text.replace("\n", "").replace("\r", "")), path.name
    csv_text = next((workspace / "exports").glob("*.csv")).read_text("utf-8-sig")
    assert "why[31m" in csv_text
