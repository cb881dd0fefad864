"""The agenda table's columns: which show at a given width and how each sorts.

Display only (no textual import): the rows and their agenda order come from the agenda
service (``riskboard.agenda.rows``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple

from riskboard.agenda.rows import RiskRow, agenda_key


class Column(NamedTuple):
    key: str
    label: str
    width: int  # 0: takes the remaining width
    min_table_width: int  # the column shows only when the table is at least this wide


COLUMNS: tuple[Column, ...] = (
    Column("ref", "Ref", 10, 0),
    Column("title", "Title", 0, 0),
    Column("annex", "Annex", 18, 110),
    Column("owner", "Owner", 16, 120),
    Column("score", "Score", 7, 0),
    Column("direction", "DoT", 5, 64),
    Column("last_update", "Last update", 13, 90),
    Column("flags", "Flags", 20, 0),
    Column("reviewed", "Rev", 5, 0),
)
COLUMN_KEYS = tuple(c.key for c in COLUMNS)
_DIRECTION_RANK = {"up": 0, "unknown": 1, "new": 2, "gone": 3, "level": 4, "down": 5}


def sort_key(column: str) -> Any:
    """A key function sorting rows by ``column`` (None sorts last in ascending order)."""
    if column == "agenda":
        return agenda_key
    if column == "score":
        return lambda r: (r.score is None, r.score or 0, r.ref)
    if column == "direction":
        return lambda r: (_DIRECTION_RANK.get(r.direction, 9), r.ref)
    if column == "flags":
        return lambda r: (r.rank, -len(r.flags), r.ref)
    if column == "reviewed":
        return lambda r: (r.reviewed, r.ref)
    if column == "last_update":
        return lambda r: (r.last_update is None, r.last_update or "", r.ref)
    if column in COLUMN_KEYS:
        return lambda r: (getattr(r, column).lower(), r.ref)
    raise ValueError(f"unknown column {column!r}")


def sort_rows(rows: Sequence[RiskRow], column: str, reverse: bool = False) -> list[RiskRow]:
    return sorted(rows, key=sort_key(column), reverse=reverse)
