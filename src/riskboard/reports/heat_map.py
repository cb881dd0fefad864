"""The 5x5 heat map: open risks counted by current likelihood and impact.

Counted from the month's register rows; closed risks and risks missing from the
export are left out, and risks without a likelihood or impact are counted apart so
the grid never silently loses one.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from riskboard.register import RegisterRow
from riskboard.reports.xlsx_sheets import BOLD, BOX, CENTRE, SheetWriter

SCALE = (1, 2, 3, 4, 5)
TITLE = "Heat map: open risks by current likelihood and impact"


@dataclass
class HeatMap:
    counts: Counter[tuple[int, int]] = field(default_factory=Counter)  # (likelihood, impact)
    unplaced: list[str] = field(default_factory=list)  # refs without likelihood/impact

    @property
    def placed(self) -> int:
        return sum(self.counts.values())

    def count(self, likelihood: int, impact: int) -> int:
        return self.counts.get((likelihood, impact), 0)


def is_open(row: RegisterRow) -> bool:
    status = (row.status or "").strip().lower()
    return status not in {"closed", "archived", "retired", "missing"}


def heat_map(rows: Iterable[RegisterRow]) -> HeatMap:
    hm = HeatMap()
    for row in rows:
        if not is_open(row):
            continue
        lk, im = row.current_likelihood, row.current_impact
        if lk in SCALE and im in SCALE:
            hm.counts[(lk, im)] += 1  # type: ignore[index]
        else:
            hm.unplaced.append(row.ref)
    return hm


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
    note = f"{hm.placed} open risks placed"
    if hm.unplaced:
        shown = ", ".join(hm.unplaced[:10]) + (" ..." if len(hm.unplaced) > 10 else "")
        note += f"; {len(hm.unplaced)} without a likelihood and impact: {shown}"
    out.append([out.cell(note)])
    return first, last
