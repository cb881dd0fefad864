"""The 5x5 heat map as data: which risks sit in each likelihood x impact cell, and
which moved there (or away) since the previous month. Pure Python, no textual."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

Position = tuple[int, int]  # (likelihood, impact), each 1-5


@dataclass
class HeatCell:
    likelihood: int
    impact: int
    refs: list[str] = field(default_factory=list)
    previous_count: int = 0
    moved_in: list[str] = field(default_factory=list)  # were elsewhere (or new) last month
    moved_out: list[str] = field(default_factory=list)  # were here last month, now elsewhere

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
class HeatMapData:
    month: str
    previous_month: str | None
    cells: dict[Position, HeatCell]
    unscored: list[str]  # risks without a likelihood and impact this month
    positions: dict[str, Position] = field(default_factory=dict)  # this month
    previous_positions: dict[str, Position] = field(default_factory=dict)

    def cell(self, likelihood: int, impact: int) -> HeatCell:
        return self.cells[(likelihood, impact)]

    @property
    def total(self) -> int:
        return sum(c.count for c in self.cells.values())


def _valid(pos: tuple[int | None, int | None] | None) -> Position | None:
    if pos is None:
        return None
    likelihood, impact = pos
    if likelihood is None or impact is None:
        return None
    if 1 <= likelihood <= 5 and 1 <= impact <= 5:
        return (likelihood, impact)
    return None


def build_heat_map(
    month: str,
    current: Iterable[tuple[str, int | None, int | None]],
    previous: Mapping[str, tuple[int | None, int | None]] | None,
    previous_month: str | None = None,
) -> HeatMapData:
    """Cells for ``current`` (ref, likelihood, impact) with movement against ``previous``
    ({ref: (likelihood, impact)} of the previous month with data, or None)."""
    cells = {(li, im): HeatCell(li, im) for li in range(1, 6) for im in range(1, 6)}
    unscored: list[str] = []
    now: dict[str, Position] = {}
    for ref, likelihood, impact in current:
        pos = _valid((likelihood, impact))
        if pos is None:
            unscored.append(ref)
            continue
        now[ref] = pos
        cells[pos].refs.append(ref)
    before: dict[str, Position] = {}
    for ref, prev in (previous or {}).items():
        pos = _valid(prev)
        if pos is not None:
            before[ref] = pos
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
    return HeatMapData(month, previous_month, cells, sorted(unscored), now, before)
