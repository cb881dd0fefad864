"""Minutes exports: each format opened and read back as a council officer would see it."""

from __future__ import annotations

import re
import zipfile
from datetime import datetime
from pathlib import Path

import docx
import openpyxl
import pytest

from export_board import (
    FORMULA_DECISION,
    FORMULA_OWNER,
    FORMULA_PROGRESS,
    FORMULA_REASON,
    FORMULA_TITLE,
    UNICODE_TITLE,
    Board,
    build_board,
)
from riskboard.cli import main
from riskboard.errors import RiskboardError
from riskboard.reports.minutes import export_minutes

ITEM_ORDER = [
    "Attendance, apologies and quorum",
    "Declarations of interest",
    "Minutes of the previous meeting",
    "Matters arising: action log review",
    "Risk FN-004: Price adjustment claim",
    "Risk HM-001: Carriageway defects backlog",
    f"Risk HM-002: {FORMULA_TITLE}",
    f"Risk SL-003: {UNICODE_TITLE}",
    "Escalations and de-escalations",
    "New actions arising",
    "Any other business",
    "Date of next meeting",
]
DECISIONS = {
    "FN-004": "that the claim be escalated.",
    "HM-001": "that the defect programme be accelerated.",
    "HM-002": FORMULA_DECISION + ".",
    "SL-003": "that the risk be tolerated.",
}


@pytest.fixture(scope="module")
def board(tmp_path_factory: pytest.TempPathFactory) -> Board:
    return build_board(tmp_path_factory.mktemp("board"))


@pytest.fixture(scope="module")
def files(board: Board, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("exports")
    return {
        fmt: export_minutes(board.db, board.config, fmt=fmt, out_dir=out)  # type: ignore[arg-type]
        for fmt in ("docx", "xlsx", "md")
    }


def _docx_xml(path: Path, part_prefix: str) -> str:
    with zipfile.ZipFile(path) as zf:
        return "".join(
            zf.read(n).decode("utf-8") for n in zf.namelist() if n.startswith(part_prefix)
        )


def _table_texts(document: docx.document.Document) -> list[list[list[str]]]:
    return [[[c.text for c in row.cells] for row in t.rows] for t in document.tables]


# ----------------------------------------------------------------------------- docx


def test_docx_has_numbered_headings_in_council_order(files: dict[str, Path]) -> None:
    document = docx.Document(str(files["docx"]))
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert headings == [f"{i}. {title}" for i, title in enumerate(ITEM_ORDER, start=1)]
    assert files["docx"].name == "minutes_2026-03_meeting_2026-04-14.docx"


def test_docx_records_each_decision_under_its_risk(files: dict[str, Path]) -> None:
    document = docx.Document(str(files["docx"]))
    current_ref = None
    found: dict[str, str] = {}
    for p in document.paragraphs:
        if p.style.name == "Heading 1":
            m = re.match(r"\d+\. Risk (\S+):", p.text)
            current_ref = m.group(1) if m else None
        elif current_ref and p.text.startswith("RESOLVED:"):
            assert p.runs[0].bold  # the RESOLVED lead-in is bold
            found[current_ref] = p.text.removeprefix("RESOLVED: ")
    assert found == DECISIONS


def test_docx_tables_hold_attendance_actions_and_escalations(files: dict[str, Path]) -> None:
    document = docx.Document(str(files["docx"]))
    tables = _table_texts(document)
    by_header = {tuple(t[0]): t[1:] for t in tables}
    # members present, then those in attendance: the minute-taker (not at the table as
    # a member, never recorded in the attendance)
    present, attending = [t[1:] for t in tables if tuple(t[0]) == ("Name", "Organisation", "Role")]
    assert [r[0] for r in present] == ["Casey Contractor", "Alex Chair", "Corin Corporate"]
    assert present[1][2] == "Chair"  # the meeting's chair, marked from the meeting itself
    assert attending == [["Min Taker", "", "Minute-taker"]]
    log = by_header[("No.", "Action", "Owner", "Due", "Status", "Progress")]
    assert log == [["1", "Report on defect backlog", "Casey Contractor", "30/04/2026",
                    "Closed", FORMULA_PROGRESS]]  # fmt: skip
    new = by_header[("No.", "Action", "Risk / EW", "Owner", "Due")]
    assert [(r[0], r[2], r[4]) for r in new] == [("2", "HM-001", "31/05/2026"),
                                                 ("3", "FN-004", "15/05/2026")]  # fmt: skip
    esc_head = ("Ref", "Risk", "Register / board", "Score when proposed", "Reason", "Exposure",
                "Proposed owner", "Status")  # fmt: skip
    raised, earlier = [t[1:] for t in tables if tuple(t[0]) == esc_head]
    esc = {r[0]: r for r in raised}
    # SL-003's escalation from meeting 1 was accepted here, then it was de-escalated
    assert [(r[0], r[2], r[7]) for r in earlier] == [
        ("SL-003", "Directorate risk register", "Accepted")
    ]
    assert esc["FN-004"][2] == "Corporate risk register"
    assert esc["FN-004"][4] == FORMULA_REASON
    assert esc["FN-004"][5] == "£250,000"
    assert esc["HM-001"][2] == "Directorate risk register"
    assert esc["SL-003"][2] == "De-escalated from the Directorate risk register"
    # header rows repeat on each page
    assert "<w:tblHeader" in _docx_xml(files["docx"], "word/document.xml")
    body = "\n".join(p.text for p in document.paragraphs)
    assert "Dee Directorate (Council Directorate)" in body  # apologies
    assert "The meeting was quorate" in body
    assert "RESOLVED: that the minutes of the meeting held on 10 March 2026 be confirmed" in body
    assert "The next meeting will be held on 12 May 2026." in body
    assert "Minutes of meeting 1" not in body  # the service's own note is not repeated


def test_docx_risk_facts_show_score_rag_direction_and_strategy(files: dict[str, Path]) -> None:
    document = docx.Document(str(files["docx"]))
    facts = [
        dict((r[0], r[1]) for r in t) for t in _table_texts(document) if t[0][0] == "Service annex"
    ]
    hm001 = next(f for f in facts if f["Direction of travel"].startswith("↑"))
    assert hm001["Current score"] == "16 (likelihood 4 × impact 4) – Red"
    assert hm001["Direction of travel"] == "↑ up from 12"
    assert hm001["Strategy"] == "Treat"
    assert "Score increased" in hm001["Flags"]
    owners = {f["Risk owner"] for f in facts}
    assert FORMULA_OWNER in owners  # typed text kept exactly


def test_docx_is_marked_draft_until_approved(board: Board, tmp_path: Path) -> None:
    draft = export_minutes(board.db, board.config, meeting_id=board.second, out_dir=tmp_path)
    approved = export_minutes(board.db, board.config, meeting_id=board.first, out_dir=tmp_path)

    draft_doc = docx.Document(str(draft))
    assert "DRAFT" in draft_doc.sections[0].header.paragraphs[0].text
    assert 'string="DRAFT"' in _docx_xml(draft, "word/header")  # the watermark
    assert any("DRAFT" in p.text for p in draft_doc.paragraphs[:4])

    approved_doc = docx.Document(str(approved))
    head = approved_doc.sections[0].header.paragraphs[0].text
    assert head == "APPROVED 14/04/2026"  # dated by the meeting that approved it
    assert "DRAFT" not in _docx_xml(approved, "word/")
    assert any(p.text == "APPROVED 14/04/2026" for p in approved_doc.paragraphs[:4])


def test_docx_footer_numbers_pages_with_fields(files: dict[str, Path]) -> None:
    footer = _docx_xml(files["docx"], "word/footer")
    assert re.search(r"<w:instrText[^>]*> PAGE </w:instrText>", footer)
    assert re.search(r"<w:instrText[^>]*> NUMPAGES </w:instrText>", footer)


def test_docx_keeps_unicode_and_a4(files: dict[str, Path]) -> None:
    document = docx.Document(str(files["docx"]))
    headings = [p.text for p in document.paragraphs]
    assert f"8. Risk SL-003: {UNICODE_TITLE}" in headings
    assert round(document.sections[0].page_width.mm) == 210


# ----------------------------------------------------------------------------- xlsx


def test_xlsx_sheets_and_decisions(files: dict[str, Path]) -> None:
    wb = openpyxl.load_workbook(files["xlsx"])
    assert wb.sheetnames == [
        "Minutes",
        "Decisions",
        "Escalations",
        "Action Log",
        "Risk Log",
        "Heat Map",
    ]
    ws = wb["Decisions"]
    header = [c.value for c in ws[1]]
    rows = {
        r[1]: dict(zip(header, r, strict=True)) for r in ws.iter_rows(min_row=2, values_only=True)
    }
    assert {ref: row["Decision (RESOLVED)"] for ref, row in rows.items()} == {
        ref: f"RESOLVED: {text}" for ref, text in DECISIONS.items()
    }
    assert rows["HM-001"]["Minute"] == 6
    assert rows["SL-003"]["Risk"] == UNICODE_TITLE  # é, – and £ survive
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == "A1:T5"
    # the board's strategy beside the export's: HM-001 treat decided here; SL-003 had
    # no strategy from the board, whatever its export says
    assert (rows["HM-001"]["Board's strategy"], rows["HM-001"]["Strategy decided on"]) == (
        "Treat",
        datetime(2026, 4, 14),
    )
    assert rows["SL-003"]["Board's strategy"] is None
    assert rows["SL-003"]["Strategy in export"] is not None
    # the score and RAG cells carry the band's fill
    score_col = header.index("Score") + 1
    rag_col = header.index("RAG") + 1
    for row in ws.iter_rows(min_row=2):
        ref, score = row[1].value, row[score_col - 1]
        expected = {"FN-004": "FF0000", "HM-001": "FF0000", "HM-002": "FFC000", "SL-003": "FFC000"}
        assert score.fill.fgColor.rgb.endswith(expected[ref]), ref
        assert row[rag_col - 1].fill.fgColor.rgb.endswith(expected[ref])


def test_xlsx_action_log_has_numbers_and_real_uk_dates(files: dict[str, Path]) -> None:
    ws = openpyxl.load_workbook(files["xlsx"])["Action Log"]
    header = [c.value for c in ws[1]]
    rows = [dict(zip(header, r, strict=True)) for r in ws.iter_rows(min_row=2)]
    assert [r["Action no."].value for r in rows] == [1, 2, 3]
    assert [r["Carried / new"].value for r in rows] == ["Carried", "New", "New"]
    due = rows[1]["Due"]
    assert due.value == datetime(2026, 5, 31)
    assert due.number_format == "dd/mm/yyyy"
    assert rows[0]["Progress"].value == FORMULA_PROGRESS
    assert rows[0]["Progress"].data_type == "s"


def test_xlsx_escalations_sheet(files: dict[str, Path]) -> None:
    ws = openpyxl.load_workbook(files["xlsx"])["Escalations"]
    header = [c.value for c in ws[1]]
    rows = {
        r[1]: dict(zip(header, r, strict=True))
        for r in ws.iter_rows(min_row=2, values_only=True)
        if r[4] != "Escalate" or r[1] != "SL-003"  # its earlier escalation, accepted here
    }
    assert set(rows) == {"FN-004", "HM-001", "SL-003"}
    assert rows["FN-004"]["Escalated to"] == "Corporate risk register"
    assert rows["FN-004"]["Exposure"] == 250000
    assert rows["FN-004"]["Reason"] == FORMULA_REASON
    assert rows["SL-003"]["Direction"] == "De-escalate"


def test_xlsx_risk_log_is_the_full_register(files: dict[str, Path]) -> None:
    ws = openpyxl.load_workbook(files["xlsx"])["Risk Log"]
    assert ws.freeze_panes == "A4"
    header = [c.value for c in ws[3]]
    assert header[:2] == ["Ref", "Title"]
    assert ws.auto_filter.ref.startswith("A3:")
    rows = {
        r[0].value: {h: c for h, c in zip(header, r, strict=True)} for r in ws.iter_rows(min_row=4)
    }
    assert sorted(rows) == ["FN-004", "HM-001", "HM-002", "HM-005", "PR-006", "SL-003"]
    hm1 = rows["HM-001"]
    assert hm1["RAG"].value == "Red" and hm1["RAG"].fill.fgColor.rgb.endswith("FF0000")
    assert hm1["Last action update"].value == datetime(2026, 3, 5)
    assert hm1["Last action update"].number_format == "dd/mm/yyyy"
    assert hm1["Strategy in export"].value == "Treat"
    assert "Strategy (export)" not in header and "Strategy as exported" not in header
    # beside it, the strategy the board decided (meeting 2 recorded treat for HM-001)
    assert hm1["Board's strategy"].value == "Treat"
    assert hm1["Board decided on"].value == datetime(2026, 4, 14)
    assert rows["FN-004"]["Board's strategy"].value == "Transfer"
    assert rows["HM-005"]["Board's strategy"].value is None
    assert rows["HM-002"]["Flags"].value == "No action update this month; Overdue action"
    assert rows["PR-006"]["RAG"].fill.fgColor.rgb.endswith("00B050")
    assert ws.column_dimensions["B"].width >= 20  # titles get room


def test_xlsx_heat_map_counts_open_risks_with_fills(files: dict[str, Path]) -> None:
    ws = openpyxl.load_workbook(files["xlsx"])["Heat Map"]
    grid_top = next(r for r in range(1, 20) if ws.cell(r, 2).value == "Impact 1") + 1
    counts = {}
    for offset, likelihood in enumerate(range(5, 0, -1)):
        assert ws.cell(grid_top + offset, 1).value == likelihood
        for impact in range(1, 6):
            cell = ws.cell(grid_top + offset, 1 + impact)
            counts[(likelihood, impact)] = cell.value
            colour = cell.fill.fgColor.rgb[-6:]
            score = likelihood * impact
            assert colour == ("00B050" if score <= 4 else "FFC000" if score <= 12 else "FF0000")
    # open risks only: HM-005 (closed) is left out
    placed = {k: v for k, v in counts.items() if v}
    assert placed == {(5, 4): 1, (4, 4): 1, (2, 3): 1, (3, 3): 1, (1, 1): 1}


def test_xlsx_formula_like_text_is_never_a_formula(files: dict[str, Path]) -> None:
    with zipfile.ZipFile(files["xlsx"]) as zf:
        xml = "".join(zf.read(n).decode() for n in zf.namelist() if n.startswith("xl/worksheets/"))
    assert "<f>" not in xml and "<f " not in xml
    wb = openpyxl.load_workbook(files["xlsx"])
    seeded = {
        FORMULA_TITLE,
        FORMULA_OWNER,
        FORMULA_DECISION + ".",
        FORMULA_PROGRESS,
        FORMULA_REASON,
    }
    seen = set()
    for ws in wb:
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and cell.value.startswith(("=", "+", "-", "@")):
                    assert cell.data_type == "s", (ws.title, cell.coordinate)
                    seen.add(cell.value)
    assert seeded - {FORMULA_DECISION + "."} <= seen  # (the decision sits after "RESOLVED: ")


def test_xlsx_minutes_sheet_follows_the_same_items(files: dict[str, Path]) -> None:
    ws = openpyxl.load_workbook(files["xlsx"])["Minutes"]
    items = [(r[0], r[1]) for r in ws.iter_rows(values_only=True) if isinstance(r[0], int)]
    assert items == list(enumerate(ITEM_ORDER, start=1))
    assert ws["A3"].value == "DRAFT – not yet approved"


# ----------------------------------------------------------------------------- md


def test_md_has_the_same_minutes(files: dict[str, Path]) -> None:
    text = files["md"].read_text(encoding="utf-8")
    headings = re.findall(r"^## (\d+)\. (.*)$", text, flags=re.MULTILINE)
    assert [int(n) for n, _ in headings] == list(range(1, len(ITEM_ORDER) + 1))
    assert headings[7][1] == f"Risk SL-003: {UNICODE_TITLE}"
    assert "**DRAFT** – not yet approved" in text
    assert "**RESOLVED:** that the defect programme be accelerated." in text
    assert "| 2 | Accelerate patching programme | HM-001 | Casey Contractor | 31/05/2026 |" in text
    # markup typed into a field is escaped, not rendered
    assert r"\=cmd\|' /C calc'!A0" in text


def test_an_amendment_to_the_previous_minutes_is_minuted(tmp_path: Path) -> None:
    b = build_board(tmp_path, amendment="item 5: the owner is the Highways Manager – not £")
    text = export_minutes(b.db, b.config, fmt="md", out_dir=tmp_path).read_text(encoding="utf-8")
    assert (
        "**RESOLVED:** that the minutes of the meeting held on 10 March 2026 be confirmed as a"
        " correct record and signed by the Chair, subject to the following amendment: item 5:"
        " the owner is the"
        " Highways Manager – not £" in text
    )
    assert "Minutes of meeting 1" not in text


# ----------------------------------------------------------------------------- CLI / safety


def test_cli_writes_latest_meeting_to_the_exports_folder(
    board: Board, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = board.config.paths.database.parent
    monkeypatch.chdir(folder)
    assert main(["export", "minutes", "--format", "md"]) == 0
    printed = capsys.readouterr().out.strip()
    assert printed == str(folder / "exports" / "minutes_2026-03_meeting_2026-04-14.md")
    assert Path(printed).read_text(encoding="utf-8").startswith("# Contract Risk Management Board")

    assert main(["export", "minutes", "1", "--format", "xlsx", "--out", "older"]) == 0
    assert capsys.readouterr().out.strip() == "older/minutes_2026-02_meeting_2026-03-10.xlsx"

    assert main(["export", "minutes", "99"]) == 1
    assert "no meeting 99" in capsys.readouterr().err


def test_no_meeting_is_a_clear_error(tmp_path: Path) -> None:
    from riskboard.config import Config
    from riskboard.store import open_db

    with pytest.raises(RiskboardError, match="no meeting has been recorded"):
        export_minutes(open_db(tmp_path / "x.db"), Config().resolve(tmp_path))


@pytest.mark.parametrize("fmt", ["docx", "xlsx"])
def test_a_failing_writer_leaves_the_filed_minutes_alone(
    board: Board, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fmt: str
) -> None:
    target = export_minutes(board.db, board.config, fmt=fmt, out_dir=tmp_path)  # type: ignore[arg-type]
    before = target.read_bytes()

    cls = docx.document.Document if fmt == "docx" else openpyxl.Workbook
    real_save = cls.save

    def crash(self: object, filename: str) -> None:
        real_save(self, filename)  # type: ignore[arg-type]
        path = Path(filename)
        path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])  # half written
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(cls, "save", crash)
    with pytest.raises(RiskboardError, match="No space left on device"):
        export_minutes(board.db, board.config, fmt=fmt, out_dir=tmp_path)  # type: ignore[arg-type]
    assert target.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == [target.name]


def test_approved_minutes_show_the_amendment_they_were_approved_subject_to(
    tmp_path: Path,
) -> None:
    from board_helpers import seeded_db, start
    from riskboard import board
    from riskboard.config import Config

    db = seeded_db(tmp_path / "rb.db")
    first = start(db)
    board.save_review(db, first.id, "HM-001", decision="treat it", reviewed=True)
    board.close_meeting(db, first.id)
    second = start(db, "2022-10-12")
    board.approve_previous(db, second.id, amendment="item 4: owner is Sam Roe, not Jo Bloggs")
    config = Config().resolve(tmp_path)
    for fmt in ("md", "docx", "xlsx"):
        path = export_minutes(db, config, meeting_id=first.id, fmt=fmt, out_dir=tmp_path)  # type: ignore[arg-type]
        if fmt == "md":
            text = path.read_text(encoding="utf-8")
        elif fmt == "docx":
            text = "\n".join(c.text for t in docx.Document(path).tables for r in t.rows
                             for c in r.cells)  # fmt: skip
        else:
            wb = openpyxl.load_workbook(path)
            text = "\n".join(str(c.value) for row in wb.worksheets[0].iter_rows() for c in row)
        assert (
            "as a correct record, subject to the following amendment: item 4: owner is Sam Roe,"
            " not Jo Bloggs" in text
        ), fmt
