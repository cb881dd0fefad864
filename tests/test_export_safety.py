"""The export safety layer: atomic replace, text never becomes a formula, Unicode survives."""

from __future__ import annotations

import csv
import zipfile
from pathlib import Path

import openpyxl
import pytest

from riskboard.errors import RiskboardError
from riskboard.reports.safe_write import (
    CUT_NOTE,
    EXCEL_CELL_LIMIT,
    atomic_text,
    csv_text,
    set_text,
    text_cell,
    write_atomic,
    write_csv,
)

NASTY = [
    '=HYPERLINK("http://evil.example","x")',
    "=1+1",
    "+44 20 7946 0000",
    "-2+3",
    "@SUM(A1:A2)",
    "\t=cmd|' /C calc'!A0",
    "\r=2*3",
    "=cmd|' /C notepad'!'A1'",
    "#N/A",
    "#REF!",
]


def _sheet_xml(path: Path) -> str:
    with zipfile.ZipFile(path) as zf:
        return "".join(
            zf.read(n).decode("utf-8") for n in zf.namelist() if n.startswith("xl/worksheets/")
        )


def test_existing_file_survives_a_writer_that_fails_mid_way(tmp_path: Path) -> None:
    target = tmp_path / "minutes.docx"
    target.write_bytes(b"the approved minutes")

    def broken(tmp: Path) -> None:
        tmp.write_bytes(b"half a docu")
        raise RuntimeError("disk on fire")

    with pytest.raises(RuntimeError, match="disk on fire"):
        write_atomic(target, broken)
    assert target.read_bytes() == b"the approved minutes"
    assert [p.name for p in tmp_path.iterdir()] == ["minutes.docx"]


def test_atomic_text_replaces_on_success_and_keeps_unicode(tmp_path: Path) -> None:
    target = tmp_path / "out" / "minutes.md"
    with atomic_text(target) as fh:
        fh.write("Café – £1,000\n")
    assert target.read_text(encoding="utf-8") == "Café – £1,000\n"
    with atomic_text(target) as fh:
        fh.write("second")
    assert target.read_text(encoding="utf-8") == "second"
    assert [p.name for p in target.parent.iterdir()] == ["minutes.md"]
    assert target.stat().st_mode & 0o777 != 0o600  # not left private like a temp file


def test_unwritable_folder_is_a_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "exports"
    blocker.write_text("a file where the folder should be")
    with pytest.raises(
        RiskboardError, match="exports is a file, not a folder; nothing was written"
    ):
        write_atomic(blocker / "x.xlsx", lambda p: p.write_bytes(b"x"))
    with pytest.raises(RiskboardError, match="cannot write to folder .*sub: .*exports is a file"):
        write_atomic(blocker / "sub" / "x.xlsx", lambda p: p.write_bytes(b"x"))


@pytest.mark.parametrize("write_only", [False, True])
def test_formula_like_text_is_stored_as_plain_strings_in_xlsx(
    tmp_path: Path, write_only: bool
) -> None:
    path = tmp_path / "t.xlsx"
    wb = openpyxl.Workbook(write_only=write_only)
    if write_only:
        ws = wb.create_sheet("Data")
        for text in NASTY:
            ws.append([text_cell(ws, text), text_cell(ws, 12), text_cell(ws, "Café – £5")])
    else:
        ws = wb.active
        ws.title = "Data"
        for i, text in enumerate(NASTY, start=1):
            set_text(ws.cell(row=i, column=1), text)
            set_text(ws.cell(row=i, column=2), 12)
            set_text(ws.cell(row=i, column=3), "Café – £5")
    wb.save(path)

    assert "<f>" not in _sheet_xml(path) and "<f " not in _sheet_xml(path)
    back = openpyxl.load_workbook(path)["Data"]
    for i, text in enumerate(NASTY, start=1):
        cell = back.cell(row=i, column=1)
        assert cell.data_type == "s"
        assert cell.value == text
        assert cell.quotePrefix  # Excel keeps it text even if the cell is edited
        assert back.cell(row=i, column=2).value == 12
        assert back.cell(row=i, column=2).data_type == "n"
        assert back.cell(row=i, column=3).value == "Café – £5"


def test_plain_openpyxl_would_have_written_a_formula(tmp_path: Path) -> None:
    # the hazard the layer exists for: without set_text the cell is a live formula
    path = tmp_path / "raw.xlsx"
    wb = openpyxl.Workbook()
    wb.active["A1"] = "=1+1"
    wb.save(path)
    assert "<f>" in _sheet_xml(path)


def test_control_characters_are_dropped_not_fatal(tmp_path: Path) -> None:
    path = tmp_path / "c.xlsx"
    wb = openpyxl.Workbook()
    set_text(wb.active["A1"], "line\x01one\x0b")
    wb.save(path)
    assert openpyxl.load_workbook(path).active["A1"].value == "lineone"


def test_csv_fields_are_neutralised_per_owasp(tmp_path: Path) -> None:
    assert csv_text("=1+1") == "'=1+1"
    assert csv_text("-2+3") == "'-2+3"
    assert csv_text("\t=x") == "'\t=x"
    assert csv_text("plain") == "plain"
    assert csv_text(-5) == -5  # a number is not text
    assert csv_text(None) == ""

    path = tmp_path / "r.csv"
    write_csv(path, ["Ref", "Title", "Score"], [[t, "Café – £5", 16] for t in NASTY])
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # BOM so Excel reads UTF-8
    with path.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == ["Ref", "Title", "Score"]
    for text, row in zip(NASTY, rows[1:], strict=True):
        first = row[0]
        assert first.startswith("'") == text.startswith(("=", "+", "-", "@", "\t", "\r"))
        assert first.lstrip("'") == text.replace("\r", "\n")  # a lone CR is a line break
        assert row[1] == "Café – £5"
        assert row[2] == "16"
    # every field quoted: a separator inside text cannot start a new cell
    assert raw.decode("utf-8-sig").splitlines()[0] == '"Ref","Title","Score"'


@pytest.mark.parametrize("write_only", [False, True])
def test_big_tables_written_compact_are_still_safe(tmp_path: Path, write_only: bool) -> None:
    from riskboard.config import Config
    from riskboard.reports.xlsx_sheets import COMPACT_ROWS, Column, RagPalette, table_sheet

    rows: list[list[object]] = [
        [f"R-{i}", NASTY[i % len(NASTY)], i, "Café – £5"] for i in range(COMPACT_ROWS + 50)
    ]
    wb = openpyxl.Workbook(write_only=write_only)
    table_sheet(wb, "Log", [Column("Ref"), Column("Title"), Column("N", "int"),
                            Column("Note", "wrap")], rows, RagPalette(Config()))  # fmt: skip
    path = tmp_path / "big.xlsx"
    wb.save(path)
    xml = _sheet_xml(path)
    assert "<f>" not in xml and "<f " not in xml
    back = openpyxl.load_workbook(path)["Log"]
    for i, row in enumerate(back.iter_rows(min_row=2), start=0):
        assert row[1].value == NASTY[i % len(NASTY)] and row[1].data_type == "s"
        assert row[2].value == i and row[2].data_type == "n"
        assert row[3].value == "Café – £5"


FULLWIDTH = ['＝HYPERLINK("http://evil.example")', "＋1", "－1+2", "＠SUM(A1)"]


def test_csv_neutralises_fullwidth_formula_signs(tmp_path: Path) -> None:
    """Excel reads ＝ ＋ － ＠ (U+FF1D, FF0B, FF0D, FF20) at the start of a cell as a formula."""
    for text in FULLWIDTH:
        assert csv_text(text) == "'" + text
    path = tmp_path / "f.csv"
    write_csv(path, ["Ref"], [[t] for t in FULLWIDTH])
    with path.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    assert [r[0] for r in rows[1:]] == ["'" + t for t in FULLWIDTH]


def test_csv_cuts_fields_at_excels_cell_limit_and_says_so(tmp_path: Path) -> None:
    long = "A risk described at great length. " * 1200  # 40,800 characters
    path = tmp_path / "long.csv"
    written = write_csv(path, ["Ref", "Description"], [["R1", long], ["R2", "short"]])
    assert written.cut == 1
    with path.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    cell = rows[1][1]
    assert len(cell) == EXCEL_CELL_LIMIT
    assert cell.endswith(CUT_NOTE)
    assert long.startswith(cell[: -len(CUT_NOTE)])
    assert rows[2] == ["R2", "short"]


def test_xlsx_text_over_the_limit_carries_the_note_too(tmp_path: Path) -> None:
    path = tmp_path / "long.xlsx"
    wb = openpyxl.Workbook()
    set_text(wb.active["A1"], "x" * 40_000)
    wb.save(path)
    value = openpyxl.load_workbook(path).active["A1"].value
    assert len(value) == EXCEL_CELL_LIMIT and value.endswith(CUT_NOTE)


def test_export_register_csv_says_how_many_fields_were_cut(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from board_helpers import seeded_db
    from riskboard.cli import main

    monkeypatch.chdir(tmp_path)
    db = seeded_db(tmp_path / "riskboard.db")
    db.execute("UPDATE risk_snapshots SET description = ?", ["y" * 40_000])
    db.conn.commit()
    db.conn.close()
    assert main(["meeting", "new", "--date", "14/09/2022", "--chair", "Al"]) == 0
    for name, org in (("Carl", "contractor"), ("Dee", "directorate"), ("Cora", "corporate")):
        assert main(["meeting", "attend", name, "--org", org]) == 0
    assert main(["escalate", "HM-001", "--to", "corporate", "--reason", "＝1+1"]) == 0
    capsys.readouterr()
    assert main(["export", "register", "--to", "corporate", "--format", "csv"]) == 0
    err = capsys.readouterr().err
    assert "1 field was longer than Excel's 32,767-character cell limit and cut there" in err
    text = next((tmp_path / "exports").glob("*.csv")).read_text("utf-8-sig")
    assert '"\'＝1+1"' in text
