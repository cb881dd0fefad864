"""Reading a row's cells into field values - the innermost loop of an import.

A sheet's columns become a *plan*: one slot per mapped column with the field's
converter and a cache. Exports repeat their values (owners, statuses, dates, scores)
thousands of times, so each distinct raw value is converted once; plain text is only
trimmed. A cell that cannot be read becomes a ``Bad`` with the reason, reported by the
caller with the sheet, row and column.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from operator import itemgetter
from typing import Any

from riskboard.ingest.dates import parse_date
from riskboard.ingest.layout import Column
from riskboard.ingest.values import (
    action_status,
    risk_status,
    strategy,
    to_int,
    to_money,
    to_ref,
    to_text,
)

Converter = Callable[[Any], Any]


def strategy_cell(value: Any) -> tuple[str | None, str] | None:
    """(normalised strategy or None, text as written); None for a blank cell."""
    normalised, text = strategy(value)
    return None if text is None else (normalised, text)


RISK_CONVERTERS: dict[str, Converter] = {
    "title": to_text, "description": to_text, "cause": to_text, "effect": to_text,
    "annex": to_text, "category": to_text, "owner": to_text, "trend": to_text,
    "controls": to_text, "early_warning_ref": to_ref, "compensation_event_ref": to_ref,
    "exposure": to_money, "status": risk_status, "strategy": strategy_cell,
    **{f"{lvl}_{part}": to_int for lvl in ("inherent", "current", "target")
       for part in ("likelihood", "impact", "score")},
}  # fmt: skip
ACTION_CONVERTERS: dict[str, Converter] = {
    "action_ref": to_ref, "action": to_text, "action_owner": to_text, "due": parse_date,
    "progress": to_text, "last_updated": parse_date, "action_status": action_status,
}  # fmt: skip
# header field -> Action attribute
ACTION_ATTRS: dict[str, str] = {
    "action_ref": "action_ref", "action": "text", "action_owner": "owner", "due": "due",
    "progress": "progress", "last_updated": "last_updated", "action_status": "status",
}  # fmt: skip
# free text and references: trimmed in place, never cached (mostly unique)
_PLAIN_TEXT = frozenset(
    {"title", "description", "cause", "effect", "controls", "action", "progress", "action_ref"}
)

_MISS = object()


class Bad:
    """A cell that could not be read, with the reason."""

    __slots__ = ("reason",)

    def __init__(self, reason: str) -> None:
        self.reason = reason


# (output key, plain text?, converter, cache, header) - a tuple: the loop unpacks it
Slot = tuple[str, bool, Converter, dict[Any, Any], str]
Plan = list[Slot]


def make_plan(
    columns: Sequence[Column], converters: dict[str, Converter], keys: dict[str, str] | None = None
) -> tuple[Plan, list[int]]:
    """The slots for the columns whose field has a converter, and their column indices."""
    plan: Plan = []
    indices: list[int] = []
    for col in columns:
        if col.field in converters:
            key = keys[col.field] if keys else col.field
            plan.append((key, col.field in _PLAIN_TEXT, converters[col.field], {}, col.header))
            indices.append(col.index)
    return plan, indices


def getter(indices: Sequence[int]) -> Callable[[Sequence[Any]], tuple[Any, ...]]:
    """A fast function row -> tuple of the cells at ``indices``."""
    if not indices:
        return lambda row: ()
    if len(indices) == 1:
        only = indices[0]
        return lambda row: (row[only],)
    return itemgetter(*indices)  # type: ignore[return-value]


def _convert(conv: Converter, cell: Any) -> Any:
    try:
        return conv(cell)
    except ValueError as exc:
        return Bad(str(exc))
    except (TypeError, OverflowError):
        return Bad(f"{cell!r} cannot be read")


def read_cells(
    plan: Plan, raw: Sequence[Any], out: dict[str, Any], bad: list[tuple[str, str]]
) -> None:
    """Convert ``raw`` (cells in plan order) into ``out``; blanks are left out and
    unreadable cells appended to ``bad`` as (header, reason)."""
    for (key, plain, conv, cache, header), cell in zip(plan, raw, strict=True):
        if cell == "":
            continue
        if plain and type(cell) is str:
            text = cell.strip()
            if text:
                if conv is to_ref and ("  " in text or "\n" in text or "\t" in text):
                    text = " ".join(text.split())
                out[key] = text
            continue
        if type(cell) is bool:  # True == 1.0: never share a cache entry with numbers
            value = _convert(conv, cell)
        else:
            value = cache.get(cell, _MISS)
            if value is _MISS:
                value = cache[cell] = _convert(conv, cell)
        if value is None:
            continue
        if type(value) is Bad:
            bad.append((header, value.reason))
            continue
        out[key] = value


def split_strategy(values: dict[str, Any]) -> None:
    """Turn the strategy cell's (normalised, text) pair into strategy + strategy_text."""
    pair = values.pop("strategy", None)
    if pair is not None:
        values["strategy"], values["strategy_text"] = pair


def _lines(text: str) -> list[str]:
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


def split_lines(araw: tuple[Any, ...], text_pos: int) -> list[tuple[Any, ...]] | None:
    """Split a row whose action text has k lines into k actions, when at least one
    other action column has exactly k lines too and none has another count above one
    (single values apply to every action). None: not a multi-action row."""
    k = len(_lines(str(araw[text_pos])))
    columns: list[list[Any]] = []
    matched = 0
    for i, cell in enumerate(araw):
        if type(cell) is str and "\n" in cell:
            lines = _lines(cell)
            if len(lines) != k:
                return None
            matched += i != text_pos
            columns.append(lines)
        else:
            columns.append([cell] * k)
    if k < 2 or not matched:
        return None
    return [tuple(col[j] for col in columns) for j in range(k)]
