"""The heat map service: a board month's open risks on the 5x5 likelihood x impact
grid, with where each stood in the previous month with data.

One model, rendered by the meeting app (``tui.widgets.heat_map``) and by the Excel
exports (``reports.heat_map``: the minutes' Heat Map sheet, the monthly report), so
"open" means one thing everywhere: in the month's export and not closed
(``RegisterRow.is_open``). Risks missing from the export and closed risks are left
off; open risks without a valid likelihood and impact are listed apart, never lost.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import sqlite_utils

from riskboard.config import Config
from riskboard.domain import ref_key
from riskboard.register import RegisterRow, open_scores, previous_month, register_rows

Position = tuple[int, int]  # (likelihood, impact), each 1-5
SCALE = (1, 2, 3, 4, 5)


@dataclass
class HeatCell:
    likelihood: int
    impact: int
    refs: list[str] = field(default_factory=list)
    previous_count: int = 0
    moved_in: list[str] = field(default_factory=list)  # elsewhere (or new) last month
    moved_out: list[str] = field(default_factory=list)  # here last month, now elsewhere

    @property
    def score(self) -> int:
        return self.likelihood * self.impact

    @property
    def count(self) -> int:
        return len(self.refs)

    @property
    def change(self) -> int:
        return self.count - self.previous_count


@dataclass
class HeatMap:
    """The grid of one board month. ``previous_month`` is None when no earlier month
    has data (then nothing has moved)."""

    month: str
    previous_month: str | None
    cells: dict[Position, HeatCell]
    unscored: list[str]  # open risks without a likelihood and impact this month
    positions: dict[str, Position] = field(default_factory=dict)  # this month
    previous_positions: dict[str, Position] = field(default_factory=dict)
    not_open: int = 0  # risks of the month left off: closed, or missing from the export

    def cell(self, likelihood: int, impact: int) -> HeatCell:
        return self.cells[(likelihood, impact)]

    def count(self, likelihood: int, impact: int) -> int:
        return self.cells[(likelihood, impact)].count

    @property
    def placed(self) -> int:
        """Open risks on the grid."""
        return sum(c.count for c in self.cells.values())

    @property
    def open(self) -> int:
        """Open risks of the month: those placed and those without a score."""
        return self.placed + len(self.unscored)


def position(likelihood: int | None, impact: int | None) -> Position | None:
    """(likelihood, impact) when both are on the 1-5 scale, else None (off the grid)."""
    if likelihood in SCALE and impact in SCALE:
        return (likelihood, impact)  # type: ignore[return-value]
    return None


def build_heat_map(
    month: str,
    rows: Iterable[RegisterRow],
    previous: Mapping[str, tuple[int | None, int | None]] | None = None,
    previous_month: str | None = None,
) -> HeatMap:
    """The grid of ``rows`` (the month's ``register_rows``) with movement against
    ``previous`` ({ref: (likelihood, impact)} of the previous month's open risks, as
    ``register.open_scores`` reads them; None: no movement shown)."""
    cells = {(li, im): HeatCell(li, im) for li in SCALE for im in SCALE}
    unscored: list[str] = []
    now: dict[str, Position] = {}
    left_off = 0
    for row in rows:
        if not row.is_open:
            left_off += 1
            continue
        pos = position(row.current_likelihood, row.current_impact)
        if pos is None:
            unscored.append(row.ref)
            continue
        now[row.ref] = pos
        cells[pos].refs.append(row.ref)
    # last month's positions under this month's spelling of each reference (matched
    # by ref_key, as the flag rules match them)
    spelled_now = {ref_key(ref): ref for ref in now}
    before: dict[str, Position] = {}
    for ref, (likelihood, impact) in (previous or {}).items():
        pos = position(likelihood, impact)
        if pos is not None:
            before[spelled_now.get(ref_key(ref), ref)] = pos
            cells[pos].previous_count += 1
    if previous is not None:
        for ref, pos in now.items():
            if before.get(ref) != pos:
                cells[pos].moved_in.append(ref)
        for ref, pos in before.items():
            if now.get(ref) != pos:
                cells[pos].moved_out.append(ref)
    for cell in cells.values():
        cell.refs.sort()
        cell.moved_in.sort()
        cell.moved_out.sort()
    return HeatMap(
        month, previous_month if previous is not None else None, cells, sorted(unscored),
        now, before, left_off,
    )  # fmt: skip


def month_heat_map(
    db: sqlite_utils.Database,
    config: Config,
    month: str,
    rows: Sequence[RegisterRow] | None = None,
) -> HeatMap:
    """The heat map of board month ``month`` (YYYY-MM) with movement since the previous
    month with data. ``rows``: the month's ``register_rows`` when the caller holds them
    already (read otherwise)."""
    if rows is None:
        rows = register_rows(db, month, config)
    before = previous_month(db, month)
    previous = open_scores(db, before) if before else None
    return build_heat_map(month, rows, previous, before)
