"""What exports and the terminal do with text that only looks harmless (the review of
issue 10, finding 2 and the CSV/xlsx limits of finding 8):

- ``_xHHHH_`` typed at the meeting or read from a cell is literal text, and every xlsx
  riskboard writes keeps it literal (Excel, calamine and openpyxl all decode it);
- Unicode bidi overrides never reach the database, the terminal or an export;
- a cell the reader turns into 30/12/1899 (0 or NaN with a date format) is unreadable;
- Excel's 32,767-character limit is counted as Excel counts, in UTF-16 units.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
import python_calamine
from openpyxl import Workbook, load_workbook

from riskboard.cli import main
from riskboard.config import Config
from riskboard.importer import import_file
from riskboard.reports.safe_write import CUT_NOTE, EXCEL_CELL_LIMIT, fit_cell, text_cell, write_csv
from riskboard.safe_text import for_terminal, strip_controls
from riskboard.store import open_db
from test_terminal_safety import quorate_by_cli
from workbooks import REGISTER_HEADER, write_xlsx

LITERAL = "_x001B_]0;OWNED_x0007_ typed"


def _read_back(path: Path) -> list[str]:
    """Every text cell of every sheet as calamine reads it - which decodes ``_xHHHH_`` as
    Excel does. (openpyxl leaves an inline string's escapes as written, so it only has to
    show no control character.)"""
    texts: list[str] = []
    wb = python_calamine.CalamineWorkbook.from_path(str(path))
    for name in wb.sheet_names:
        texts += [v for row in wb.get_sheet_by_name(name).to_python() for v in row
                  if isinstance(v, str)]  # fmt: skip
    for ws in load_workbook(path).worksheets:
        for row in ws.iter_rows():
            assert not any(isinstance(c.value, str) and "\x1b" in c.value for c in row)
    return texts


def test_an_xlsx_cell_keeps_literal_excel_escapes(tmp_path: Path) -> None:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("S")
    ws.append([text_cell(ws, LITERAL), text_cell(ws, "_x005F_ and _xZZZZ_ and x_x0041_")])
    wb.save(tmp_path / "s.xlsx")
    texts = _read_back(tmp_path / "s.xlsx")
    assert texts.count(LITERAL) == 1
    assert texts.count("_x005F_ and _xZZZZ_ and x_x0041_") == 1
    assert not any("\x1b" in t or "\x07" in t for t in texts)


@pytest.fixture()
def meeting(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    rows = [["Report run: 31/08/2022"], REGISTER_HEADER,
            ["HM-001", "Potholes _x0007_ here", "Highways", "Ann", 4, 4, "Treat", "Open",
             "Patch", "Bob", "30/09/2022", "15/08/2022"]]  # fmt: skip
    write_xlsx(tmp_path / "IRIS_2022-08.xlsx", {"Register": rows})
    db = open_db(tmp_path / "riskboard.db")
    import_file(db, tmp_path / "IRIS_2022-08.xlsx", Config().resolve(tmp_path))
    db.conn.close()
    assert main(["meeting", "new", "--date", "14/09/2022", "--chair", "Al"]) == 0
    quorate_by_cli()
    return tmp_path


def test_every_xlsx_export_gives_back_the_text_as_typed(
    meeting: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The review's example: an AOB typed with Excel's escape form came back from the
    minutes as a real ESC. Minutes, transfer sheet, chase list and report alike."""
    assert main(["meeting", "aob", LITERAL]) == 0
    assert main(["escalate", "HM-001", "--to", "corporate", "--reason", LITERAL]) == 0
    for argv in (
        ["export", "minutes", "--format", "xlsx"],
        ["export", "register", "--to", "corporate"],
        ["export", "report"],
    ):
        assert main(argv) == 0, argv
    from riskboard.reports.chase import write_chase_list

    db = open_db(meeting / "riskboard.db")
    write_chase_list(db, "2022-08", Config().resolve(meeting))
    db.conn.close()
    capsys.readouterr()
    books = sorted((meeting / "exports").glob("*.xlsx"))
    assert len(books) == 4
    for book in books:
        texts = _read_back(book)
        assert not any("\x1b" in t or "\x07" in t for t in texts), book.name
    minutes = next(b for b in books if "minutes" in b.name.lower())
    assert any(LITERAL in t for t in _read_back(minutes))
    transfer = next(b for b in books if b.name.startswith("transfer"))
    assert LITERAL in _read_back(transfer)
    # in the imported workbook "_x0007_" WAS a BEL (openpyxl wrote it unescaped): removed
    chase = next(b for b in books if b.name.startswith("chase"))
    assert any("Potholes  here" in t for t in _read_back(chase))


BIDI = "Risk \u202eesolc\u202c closed \u2066x\u2069"


def test_bidi_overrides_are_removed_at_import_and_escaped_when_printed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert strip_controls(BIDI) == "Risk esolc closed x"
    assert for_terminal(BIDI) == "Risk \\u202eesolc\\u202c closed \\u2066x\\u2069"
    monkeypatch.chdir(tmp_path)
    rows = [["Report run: 31/08/2022"], REGISTER_HEADER,
            ["HM-001", BIDI, "Highways", "Ann", 4, 4, "Treat", "Open",
             "Patch", "Bob", "30/09/2022", "15/08/2022"]]  # fmt: skip
    write_xlsx(tmp_path / "IRIS_2022-08.xlsx", {"Register": rows})
    assert main(["import", "IRIS_2022-08.xlsx"]) == 0
    db = open_db(tmp_path / "riskboard.db")
    assert db.execute("SELECT title FROM risk_snapshots").fetchone()[0] == "Risk esolc closed x"
    # text stored before this fix is printed escaped
    db.execute("UPDATE risk_snapshots SET title = ?", [BIDI])
    db.conn.commit()
    db.conn.close()
    capsys.readouterr()
    assert main(["show", "HM-001"]) == 0
    out = capsys.readouterr().out
    assert "\u202e" not in out and "\\u202e" in out


def test_a_date_cell_holding_nan_is_unreadable_not_1899(tmp_path: Path) -> None:
    """calamine turns NaN (or 0) in a date-formatted cell into 30/12/1899: that is a value
    that could not be read, never a due date."""
    rows = [["Report run: 31/08/2022"], REGISTER_HEADER,
            ["HM-001", "Potholes", "Highways", "Ann", 4, 4, "Treat", "Open",
             "Patch", "Bob", "30/09/2022", "15/08/2022"]]  # fmt: skip
    path = write_xlsx(tmp_path / "IRIS_2022-08.xlsx", {"Register": rows})
    with zipfile.ZipFile(path) as zf:
        xml = zf.read("xl/worksheets/sheet1.xml").decode()
    import re

    from workbooks import rezip

    # the due date cell (column K) as a date-styled number cell holding NaN
    xml = re.sub(r'<c r="K3"[^>]*>.*?</c>', '<c r="K3" s="1"><v>NaN</v></c>', xml)
    styles = zipfile.ZipFile(path).read("xl/styles.xml").decode()
    styles = re.sub(r"<cellXfs[^>]*>.*</cellXfs>", '<cellXfs count="2"><xf numFmtId="0"/>'
                    '<xf numFmtId="14" applyNumberFormat="1"/></cellXfs>', styles, flags=re.S)  # fmt: skip
    nan = rezip(path, tmp_path / "IRIS nan 2022-08.xlsx",
                {"xl/worksheets/sheet1.xml": xml.encode(), "xl/styles.xml": styles.encode()})  # fmt: skip
    db = open_db(tmp_path / "riskboard.db")
    result = import_file(db, nan, Config().resolve(tmp_path))
    assert result.unreadable_count == 1
    due = db.execute("SELECT due FROM action_snapshots").fetchone()[0]
    assert due is None  # not 1899-12-30
    db.conn.close()


def test_excel_cell_limit_counts_utf16_units() -> None:
    emoji = "\U0001f600" * 20_000  # 20,000 characters, 40,000 UTF-16 units
    cut, was_cut = fit_cell(emoji)
    assert was_cut and cut.endswith(CUT_NOTE)
    assert len(cut.encode("utf-16-le")) // 2 <= EXCEL_CELL_LIMIT
    assert "\ud83d" not in cut  # no half emoji
    assert fit_cell("a" * EXCEL_CELL_LIMIT) == ("a" * EXCEL_CELL_LIMIT, False)


def test_csv_and_xlsx_register_exports_say_how_many_fields_were_cut(
    meeting: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    long = "\U0001f600" * 17_000  # 34,000 UTF-16 units: over Excel's limit
    assert main(["escalate", "HM-001", "--to", "corporate", "--reason", long]) == 0
    capsys.readouterr()
    for fmt in ("csv", "xlsx"):
        assert main(["export", "register", "--to", "corporate", "--format", fmt]) == 0
        err = capsys.readouterr().err
        assert "1 field was longer than Excel's 32,767-character cell limit" in err, fmt
    assert write_csv(meeting / "x.csv", ["a"], [[long]]).cut == 1
