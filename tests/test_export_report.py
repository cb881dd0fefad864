"""The monthly risk report: heat map and chart first, then counts and the detail sheets."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import openpyxl
import pytest

from export_board import Board, build_board, import_month, month_risks
from riskboard.cli import main
from riskboard.reports.monthly_report import export_report


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> tuple[Board, Path]:
    b = build_board(tmp_path_factory.mktemp("board"))
    return b, export_report(b.db, b.config, month="2026-03", out_dir=b.config.paths.exports)


def _section(ws: openpyxl.worksheet.worksheet.Worksheet, title: str) -> list[tuple[object, ...]]:
    """The rows of the table under a bold section title on the Summary sheet."""
    rows = list(ws.iter_rows(values_only=True))
    start = next(i for i, r in enumerate(rows) if isinstance(r[0], str) and r[0].startswith(title))
    out = []
    for r in rows[start + 2 :]:
        if r[0] is None:
            break
        while r and r[-1] is None:
            r = r[:-1]
        out.append(r)
    return out


def test_heat_map_and_chart_are_the_first_thing_on_the_first_sheet(
    report: tuple[Board, Path],
) -> None:
    _, path = report
    assert path.name == "risk_report_2026-03.xlsx"
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames[0] == "Summary"
    ws = wb["Summary"]
    assert ws["A1"].value == "Monthly risk report: March 2026"
    assert ws["A4"].value.startswith("Heat map")
    assert [ws.cell(5, c).value for c in range(2, 7)] == [f"Impact {i}" for i in range(1, 6)]
    assert ws["E7"].value == 1 and ws["E7"].fill.fgColor.rgb.endswith("FF0000")  # L4 x I4
    (chart,) = ws._charts
    assert chart.anchor._from.row == 2 and chart.anchor._from.col == 7  # H3, beside the grid
    (series,) = chart.series
    assert series.val.numRef.f == "'Action updates'!$E$4:$E$15"  # the 12 monthly shares
    assert series.tx.strRef.f == "'Action updates'!E3"  # "Share updated"
    assert (series.cat.numRef or series.cat.strRef).f == "'Action updates'!$A$4:$A$15"  # the months


def test_share_of_risks_with_actions_updated_month_by_month(report: tuple[Board, Path]) -> None:
    _, path = report
    ws = openpyxl.load_workbook(path)["Action updates"]
    assert [c.value for c in ws[3]][:5] == [
        "Month", "Open risks with an open action", "Updated in the month", "Not updated",
        "Share updated",
    ]  # fmt: skip
    rows = [r for r in ws.iter_rows(min_row=4, values_only=True)]
    assert [r[0] for r in rows] == [
        "Apr 2025", "May 2025", "Jun 2025", "Jul 2025", "Aug 2025", "Sep 2025", "Oct 2025",
        "Nov 2025", "Dec 2025", "Jan 2026", "Feb 2026", "Mar 2026",
    ]  # fmt: skip
    # months with no export are gaps, not zeros
    assert all(
        r[1:5] == (None, None, None, None) and r[5] == "No export imported" for r in rows[:10]
    )
    # HM-001, HM-002, SL-003, FN-004 have open actions (HM-005 closed, PR-006 none);
    # HM-002's action was last updated in January, so 3 of 4 show an update
    assert rows[10][1:5] == (4, 3, 1, 0.75)
    assert rows[11][1:5] == (4, 3, 1, 0.75)
    assert ws["E14"].number_format == "0%"


def test_share_drops_when_a_month_has_no_updates(tmp_path: Path) -> None:
    b = build_board(tmp_path)
    april = [r.model_copy(update={"actions": [a.model_copy(update={"last_updated": None})
                                              for a in r.actions]})
             for r in month_risks("2026-03")]  # fmt: skip
    import_month(b.db, "2026-04", april)  # same text and progress, no dates: no update
    path = export_report(b.db, b.config, out_dir=tmp_path)  # latest month by default
    assert path.name == "risk_report_2026-04.xlsx"
    rows = list(
        openpyxl.load_workbook(path)["Action updates"].iter_rows(min_row=4, values_only=True)
    )
    assert rows[-1][0] == "Apr 2026" and rows[-1][1:5] == (4, 0, 4, 0)


def test_counts_by_rag_annex_and_flag(report: tuple[Board, Path]) -> None:
    _, path = report
    ws = openpyxl.load_workbook(path)["Summary"]
    assert _section(ws, "Open risks by RAG") == [("Green", 1), ("Amber", 2), ("Red", 2)]
    annex = {r[0]: r[1:6] for r in _section(ws, "Open risks by service annex")}
    assert annex == {
        "Commercial": (0, 0, 1, 0, 1),
        "Highways Maintenance": (0, 1, 1, 0, 2),  # HM-005 is closed
        "Public Rights of Way": (1, 0, 0, 0, 1),
        "Street Lighting": (0, 1, 0, 0, 1),
    }
    flags = dict(r[:2] for r in _section(ws, "Risks by flag"))
    assert flags["No action update this month"] == 1
    assert flags["No strategy"] == 1
    assert flags["No action"] == 1
    assert flags["Score increased"] == 1
    # 2, not 3: SL-003 is on the Directorate register (accepted at meeting 2), so it is no
    # candidate for it any more
    assert flags["Escalation candidate"] == 2


def test_detail_sheets(report: tuple[Board, Path]) -> None:
    _, path = report
    wb = openpyxl.load_workbook(path)
    esc = list(wb["Escalations"].iter_rows(min_row=4, values_only=True))
    assert sorted((r[1], r[3], r[4]) for r in esc) == [
        ("FN-004", "Corporate risk register", "Escalate"),
        ("HM-001", "Directorate risk register", "Escalate"),
        ("SL-003", "Contract risk register (de-escalation)", "De-escalate"),
    ]
    assert esc[0][0] == datetime(2026, 4, 14)

    overdue = list(wb["Overdue actions"].iter_rows(min_row=4, values_only=True))
    assert overdue == [
        (
            "Register",
            "HM-002",
            '=HYPERLINK("http://evil.example","Click me")',
            "Highways Maintenance",
            "Chase supplier",
            "Sam Roe",
            datetime(2026, 1, 31),
            56,
        ),
    ]  # fmt: skip  (as at the report date 28/03/2026)
    assert wb["Overdue actions"]["C4"].data_type == "s"

    rises = list(wb["Score increases"].iter_rows(min_row=4, values_only=True))
    assert rises == [("HM-001", "Carriageway defects backlog", "Highways Maintenance",
                      "Jo Bloggs", 12, 16, 4, "Red")]  # fmt: skip


def test_cli_report(
    report: tuple[Board, Path], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    b, _ = report
    monkeypatch.chdir(b.config.paths.database.parent)
    assert main(["export", "report", "--month", "2026-02", "--out", "r"]) == 0
    assert capsys.readouterr().out.strip() == "r/risk_report_2026-02.xlsx"
    assert main(["export", "report", "--month", "2025-01"]) == 1
    assert "no register imported for 2025-01" in capsys.readouterr().err
