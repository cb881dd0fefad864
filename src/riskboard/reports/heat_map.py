"""The heat map as an Excel grid: the service's ``riskboard.heat_map.HeatMap`` written
into a sheet (the minutes' Heat Map sheet, the monthly report's summary).

Each cell holds its count and the fill of its score's band; below the grid a line
says what was counted (open risks: in the export, not closed) and lists the open risks
without a likelihood and impact, so the grid never silently loses one.
"""

from __future__ import annotations

from riskboard.domain import count_of
from riskboard.domain import month_name as month_label
from riskboard.heat_map import SCALE, HeatMap
from riskboard.reports.xlsx_sheets import BOLD, BOX, CENTRE, SheetWriter

TITLE = "Heat map: open risks by current likelihood and impact"


def write_heat_map(out: SheetWriter, hm: HeatMap, *, title: str = TITLE) -> tuple[int, int]:
    """Append the grid (likelihood 5 at the top, impact 1-5 across) to ``out``.

    Each cell holds its count and the fill of its score's band. Returns the sheet rows
    of the grid's first and last likelihood rows (columns B-F hold impact 1-5).
    """
    out.append([out.cell(title, font=BOLD)])
    out.append(
        [out.cell("Likelihood", font=BOLD, alignment=CENTRE)]
        + [out.cell(f"Impact {i}", font=BOLD, alignment=CENTRE, border=BOX) for i in SCALE]
    )
    first = out.row + 1
    for lk in reversed(SCALE):
        out.append(
            [out.cell(lk, font=BOLD, alignment=CENTRE, border=BOX)]
            + [
                out.cell(
                    hm.count(lk, im),
                    font=BOLD,
                    alignment=CENTRE,
                    border=BOX,
                    fill=out.palette.fill_for_score(lk * im),
                )
                for im in SCALE
            ]
        )
    last = out.row
    out.append([out.cell(placed_text(hm))])
    if hm.previous_month:
        moved = sum(len(c.moved_in) for c in hm.cells.values())
        since = month_label(hm.previous_month)
        out.append(
            [out.cell(f"Since {since}: {moved} moved to another cell or are new to the grid")]
        )
    return first, last


def placed_text(hm: HeatMap) -> str:
    """ "87 open risks on the grid; 2 without a likelihood and impact: X, Y" """
    text = f"{count_of(hm.placed, 'open risk')} on the grid"
    if hm.unscored:
        shown = ", ".join(hm.unscored[:10]) + (" ..." if len(hm.unscored) > 10 else "")
        text += f"; {len(hm.unscored)} without a likelihood and impact: {shown}"
    if hm.not_open:
        text += f" ({hm.not_open} closed or missing from the export left off)"
    return text
