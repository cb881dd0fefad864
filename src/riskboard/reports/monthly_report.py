"""The monthly risk report for the contract improvement board (xlsx).

People would rather look than read: the first sheet opens on the heat map with the
12-month chart of risks whose actions were updated beside it; the counts (by RAG,
annex and flag) follow, and the detail is on its own sheets: the monthly figures
behind the chart, escalations, overdue actions and risks whose score rose.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import sqlite_utils
from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.chart.label import DataLabelList

from riskboard.config import Config
from riskboard.domain import ESCALATION_TARGET_NAMES, FLAG_LABELS, count_of, upper_first
from riskboard.domain import month_name as month_label
from riskboard.reports.heat_map import write_heat_map
from riskboard.reports.report_data import ReportData, gather
from riskboard.reports.safe_write import write_atomic
from riskboard.reports.xlsx_sheets import (
    BOLD,
    HEADER_FILL,
    HEADER_FONT,
    Column,
    RagPalette,
    SheetWriter,
    table_sheet,
)

CHART_ANCHOR = "H3"  # beside the heat map, so both are the first thing on the sheet
CHART_ROWS = 18  # rows the chart covers; the counts start below it
TREND_SHEET = "Action updates"


def short_month(month: str) -> str:
    return date(int(month[:4]), int(month[5:7]), 1).strftime("%b %Y")


def _trend_sheet(wb: Any, data: ReportData, palette: RagPalette) -> tuple[Any, int]:
    rows = [
        [short_month(t.month), t.with_open_actions if t.exported else None,
         t.updated if t.exported else None,
         (t.with_open_actions - t.updated) if t.exported else None, t.share,
         None if t.exported else "No export imported"]
        for t in data.trend
    ]  # fmt: skip
    out = table_sheet(
        wb, TREND_SHEET,
        [Column("Month", "text", 16), Column("Open risks with an open action", "int", 18),
         Column("Updated in the month", "int", 14), Column("Not updated", "int", 12),
         Column("Share updated", "pct", 12), Column("Note", "text", 22)],
        rows, palette,
        title="Risks with actions updated in the month (the board's first rule)",
    )  # fmt: skip
    return out.ws, 3  # the header row (title, blank, header)


def _chart(trend_ws: Any, header_row: int, n: int) -> BarChart:
    chart = BarChart()
    chart.type = "col"
    chart.title = "Share of risks with actions updated in the month"
    chart.y_axis.title = "Share updated"
    chart.y_axis.number_format = "0%"
    chart.y_axis.scaling.min = 0
    chart.y_axis.scaling.max = 1
    chart.x_axis.title = "Month"
    chart.x_axis.delete = False  # Excel hides axes openpyxl leaves unspecified
    chart.y_axis.delete = False
    chart.legend = None
    chart.dataLabels = DataLabelList()
    chart.dataLabels.showVal = True
    for part in ("showSerName", "showCatName", "showLegendKey", "showPercent"):
        setattr(chart.dataLabels, part, False)
    data = Reference(trend_ws, min_col=5, min_row=header_row, max_row=header_row + n)
    cats = Reference(trend_ws, min_col=1, min_row=header_row + 1, max_row=header_row + n)
    chart.add_data(data, titles_from_data=True)
    chart.set_categories(cats)
    chart.height = 9
    chart.width = 17
    return chart


def _counts(out: SheetWriter, data: ReportData) -> None:
    palette = out.palette
    bands = palette.bands()
    total = len(data.open_rows)
    out.append([out.cell(f"Open risks by RAG ({total} open)", font=BOLD)])
    out.append([out.cell(h, font=HEADER_FONT, fill=HEADER_FILL) for h in ("RAG", "Risks")])
    for band in bands:
        out.append([out.value(band, "rag"), data.rag_counts.get(band, 0)])
    if data.rag_counts.get(None):
        out.append(["Not scored", data.rag_counts[None]])
    out.blank()

    out.append([out.cell("Open risks by service annex", font=BOLD)])
    headers = ["Service annex", *(upper_first(b) for b in bands), "Not scored", "Total"]
    out.append([out.cell(h, font=HEADER_FONT, fill=HEADER_FILL) for h in headers])
    for annex, counts in data.annex_counts.items():
        out.append([annex, *(counts.get(b, 0) for b in bands), counts.get(None, 0),
                    sum(counts.values())])  # fmt: skip
    out.blank()

    out.append([out.cell("Risks by flag", font=BOLD)])
    out.append([out.cell(h, font=HEADER_FONT, fill=HEADER_FILL) for h in ("Flag", "Risks")])
    for code, count in data.flag_counts.items():
        out.append([FLAG_LABELS[code], count])


def build_report(data: ReportData, config: Config) -> Any:
    palette = RagPalette(config)
    wb = Workbook()
    summary = SheetWriter(wb.active, palette)
    summary.ws.title = "Summary"
    # printed: one landscape page wide, so the chart beside the heat map comes out too
    summary.ws.page_setup.orientation = "landscape"
    summary.ws.page_setup.paperSize = summary.ws.PAPERSIZE_A4
    summary.ws.sheet_properties.pageSetUpPr.fitToPage = True
    summary.ws.page_setup.fitToWidth = 1
    summary.ws.page_setup.fitToHeight = 0
    summary.widths([34, 11, 11, 11, 11, 11, 11])
    summary.title(f"Monthly risk report: {month_label(data.month)}")
    summary.append([
        f"{config.meeting.board_name} · {count_of(len(data.rows), 'risk')} in the register · "
        f"as at {data.as_of:%d/%m/%Y} · prepared {date.today():%d/%m/%Y}"
    ])  # fmt: skip
    summary.blank()
    write_heat_map(summary, data.heat)
    trend_ws, header_row = _trend_sheet(wb, data, palette)
    summary.ws.add_chart(_chart(trend_ws, header_row, len(data.trend)), CHART_ANCHOR)
    while summary.row < 3 + CHART_ROWS:
        summary.blank()
    summary.blank()
    _counts(summary, data)

    table_sheet(
        wb, "Escalations",
        [Column("Meeting", "date", 12), Column("Ref", "text"), Column("Risk", "wrap", 40),
         Column("Register / board", "text"), Column("Direction", "text"),
         Column("Score", "score", 8), Column("Reason", "wrap", 45), Column("Exposure", "gbp"),
         Column("Proposed owner", "text"), Column("Status", "text")],
        [[when, e.ref, e.risk_title, ESCALATION_TARGET_NAMES[e.target],
          upper_first(e.direction), e.risk_score, e.reason, e.exposure, e.proposed_owner,
          upper_first(e.status.value)] for when, e in data.escalations],
        palette, title=f"Escalations at the {month_label(data.month)} board",
    )  # fmt: skip
    table_sheet(
        wb, "Overdue actions",
        [Column("Source", "text", 10), Column("Ref", "text"), Column("Risk", "wrap", 40),
         Column("Service annex", "text"), Column("Action", "wrap", 50),
         Column("Owner", "text"), Column("Due", "date", 12), Column("Days overdue", "int", 12)],
        [[o.source, o.ref, o.risk, o.annex, o.action, o.owner, o.due, o.days_overdue]
         for o in data.overdue],
        palette, title=f"Overdue actions as at {data.as_of:%d/%m/%Y}",
    )  # fmt: skip
    table_sheet(
        wb, "Score increases",
        [Column("Ref", "text"), Column("Risk", "wrap", 40), Column("Service annex", "text"),
         Column("Risk owner", "text"), Column("Previous score", "score", 10),
         Column("Current score", "score", 10), Column("Increase", "int", 10),
         Column("RAG", "rag", 9)],
        [[r.ref, r.title, r.annex, r.owner, r.previous_score, r.current_score,
          (r.current_score or 0) - (r.previous_score or 0), r.rag] for r in data.score_rises],
        palette, title="Risks whose score rose since the previous export",
    )  # fmt: skip
    wb.properties.title = f"Monthly risk report {month_label(data.month)}"
    return wb


def report_path(month: str, out_dir: Path) -> Path:
    return Path(out_dir) / f"risk_report_{month}.xlsx"


def export_report(
    db: sqlite_utils.Database,
    config: Config,
    *,
    month: str | None = None,
    out_dir: Path | None = None,
) -> Path:
    """Write the monthly report for ``month`` (default: the latest imported)."""
    data = gather(db, config, month)
    wb = build_report(data, config)
    target = report_path(data.month, out_dir or config.paths.exports)
    return write_atomic(target, lambda tmp: wb.save(str(tmp)))
