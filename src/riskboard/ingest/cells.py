"""Reading a row's cells into field values - the innermost loop of an import.

A sheet's columns become a *plan*: one slot per mapped column with the field's
converter and a cache. Exports repeat their values (owners, statuses, dates, scores)
thousands of times, so each distinct raw value is converted once; plain text is only
trimmed. A cell that cannot be read becomes a ``Bad`` with the reason, reported by the
caller with the sheet, row and column (the import's ``unreadable_value``).

Score, likelihood, impact and date converters depend on the workbook and the config
(scale words, the 1904 date system): ``risk_converters`` / ``action_converters`` build
them once per import.
"""

from __future__ import annotations

import functools
import hashlib
import linecache
from collections.abc import Callable, Sequence
from datetime import date
from operator import itemgetter
from types import CodeType
from typing import Any, NamedTuple

from riskboard.config import ScoringConfig
from riskboard.ingest.cellscan import CellError
from riskboard.ingest.dates import date_reader
from riskboard.ingest.layout import Column
from riskboard.ingest.scores import AxisReader, ScoreReader
from riskboard.ingest.values import (
    action_status,
    risk_status,
    strategy,
    to_money,
    to_ref,
    to_text,
)
from riskboard.safe_text import strip_controls

Converter = Callable[[Any], Any]


def strategy_cell(value: Any) -> tuple[str | None, str] | None:
    """(normalised strategy or None, text as written); None for a blank cell."""
    normalised, text = strategy(value)
    return None if text is None else (normalised, text)


_TEXT_CONVERTERS: dict[str, Converter] = {
    "title": to_text, "description": to_text, "cause": to_text, "effect": to_text,
    "annex": to_text, "category": to_text, "owner": to_text, "trend": to_text,
    "controls": to_text, "early_warning_ref": to_ref, "compensation_event_ref": to_ref,
    "exposure": to_money, "status": risk_status, "strategy": strategy_cell,
}  # fmt: skip


def risk_converters(scoring: ScoringConfig) -> dict[str, Converter]:
    """The converter of each risk field, with the config's scale and band words."""
    likelihood = AxisReader("likelihood", scoring.likelihood_scale(), "scoring.likelihood_words")
    impact = AxisReader("impact", scoring.impact_scale(), "scoring.impact_words")
    bands = [(b.name, b.min, b.max) for b in scoring.effective_bands()]
    score = ScoreReader(scoring.score_words, bands)
    parts: dict[str, Converter] = {"likelihood": likelihood, "impact": impact, "score": score}
    return {
        **_TEXT_CONVERTERS,
        **{f"{level}_{part}": conv for level in ("inherent", "current", "target")
           for part, conv in parts.items()},
    }  # fmt: skip


def action_converters(date1904: bool) -> dict[str, Converter]:
    """The converter of each action field; dates in the workbook's date system."""
    dates = date_reader(date1904)
    return {
        "action_ref": to_ref, "action": to_text, "action_owner": to_text, "due": dates,
        "progress": to_text, "last_updated": dates, "action_status": action_status,
    }  # fmt: skip


RISK_CONVERTERS = risk_converters(ScoringConfig())
ACTION_CONVERTERS = action_converters(False)
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


def _clean(text: str) -> str:
    """Free text without control characters (ESC, BEL...: never stored)."""
    return strip_controls(text).strip()


class Bad:
    """A cell that could not be read: the reason, the cell as written, and whether it is
    a formula whose result was never saved (a score can then be computed instead)."""

    __slots__ = ("formula", "reason", "text")

    def __init__(self, reason: str, text: str, formula: bool = False) -> None:
        self.reason = reason
        self.text = text
        self.formula = formula


# (field, header, Bad) for each cell of a row that could not be read
BadCells = list[tuple[str, str, Bad]]


class Slot(NamedTuple):
    """One mapped column."""

    field: str  # the header field ("current_score", "due")
    key: str  # output key
    plain: bool  # free text or a reference: text is only trimmed, never cached
    conv: Converter
    cache: dict[Any, Any]  # raw cell -> converted value (None: blank; a Bad)
    header: str


class Plan:
    """The slots of a sheet's mapped columns, in column order, and ``read``: the
    function ``read_cells`` runs for each row, compiled for these slots."""

    def __init__(self, slots: list[Slot]) -> None:
        self.slots = slots
        self.read = _compile(slots)

    def __len__(self) -> int:
        return len(self.slots)

    def position(self, key: str) -> int | None:
        return next((i for i, slot in enumerate(self.slots) if slot.key == key), None)


def make_plan(
    columns: Sequence[Column], converters: dict[str, Converter], keys: dict[str, str] | None = None
) -> tuple[Plan, list[int]]:
    """The slots for the columns whose field has a converter, and their column indices."""
    slots: list[Slot] = []
    indices: list[int] = []
    for col in columns:
        if col.field in converters:
            key = keys[col.field] if keys else col.field
            conv = converters[col.field]
            slots.append(
                Slot(col.field, key, col.field in _PLAIN_TEXT, conv, {"": None}, col.header)
            )
            indices.append(col.index)
    return Plan(slots), indices


def getter(indices: Sequence[int]) -> Callable[[Sequence[Any]], tuple[Any, ...]]:
    """A fast function row -> tuple of the cells at ``indices``."""
    if not indices:
        return lambda row: ()
    if len(indices) == 1:
        only = indices[0]
        return lambda row: (row[only],)
    return itemgetter(*indices)  # type: ignore[return-value]


def shown(cell: Any) -> str:
    """A raw cell as the register shows it, for saying what could not be read."""
    if type(cell) is float:
        return f"{cell:g}"
    if isinstance(cell, date):
        return cell.strftime("%d/%m/%Y")
    return str(cell).strip()


def _convert(conv: Converter, cell: Any) -> Any:
    if type(cell) is CellError:
        if cell.formula:
            return Bad("a formula whose result was never saved", cell.text, formula=True)
        return Bad(f"the Excel error {cell.text}", cell.text)
    try:
        return conv(cell)
    except ValueError as exc:
        return Bad(str(exc), shown(cell))
    except (TypeError, OverflowError):
        return Bad(f"{cell!r} cannot be read", shown(cell))


def read_cells(plan: Plan, raw: Sequence[Any], out: dict[str, Any], bad: BadCells) -> None:
    """Convert ``raw`` (cells in plan order) into ``out``; blanks are left out and
    unreadable cells appended to ``bad`` as (field, header, Bad)."""
    plan.read(raw, out, bad)


Reader = Callable[[Sequence[Any], dict[str, Any], BadCells], None]

# What ``read_cells`` does with cell i of a row. A free-text cell that is text is
# trimmed and loses any control characters (a reference also gets its inner
# whitespace runs made one space). Any other cell: a blank ('') is left out; a bool is converted afresh (True == 1.0 must not
# share a cache entry with the number); anything else is converted once per distinct
# value through the slot's cache; None (blank) is left out, a Bad is reported.
_TEXT = """\
    if type(c{i}) is str:
        t = c{i}.strip()
        if not t.isprintable():
            t = _clean(t)
        if t:{ref}
            out[{key!r}] = t
    else:
{other}"""
_REF = """
            if "  " in t or "\\n" in t or "\\t" in t or not t.isascii():
                t = _to_ref(t)"""
_OTHER = """\
    if type(c{i}) is bool:
        v = _convert(conv{i}, c{i})
    else:
        v = cache{i}.get(c{i}, _MISS)
        if v is _MISS:
            v = cache{i}[c{i}] = _convert(conv{i}, c{i})
    if v is not None:
        if type(v) is Bad:
            bad.append((field{i}, header{i}, v))
        else:
            out[{key!r}] = v
"""


def _compile(slots: list[Slot]) -> Reader:
    """The row reader for ``slots``: the per-cell loop unrolled into one function.
    Only the slots' keys - internal field names - are written into the code; headers,
    caches and converters are passed in its namespace. Its source is kept in
    ``linecache``, so a traceback through it shows the lines.

    A speed trick, kept because it measurably pays (issue 13's rule: over ~2%): against
    ``_plain_reader`` (the same steps as a loop, its reference in
    ``tests/test_ingest_row_reader.py``), parsing a 50,000-action-row x 25-column export
    took 2.37 s of CPU unrolled vs 2.43 s plain (best of 8 each, alternating; median of
    the pair ratios 1.05x), Python 3.11.7 - about 2-4% of the whole import."""
    namespace: dict[str, Any] = {
        "_MISS": _MISS,
        "Bad": Bad,
        "_convert": _convert,
        "_clean": _clean,
        "_to_ref": to_ref,
    }
    body: list[str] = []
    for i, slot in enumerate(slots):
        if not slot.key.isidentifier():
            raise ValueError(f"not a field name: {slot.key!r}")
        namespace.update({f"conv{i}": slot.conv, f"cache{i}": slot.cache,
                          f"header{i}": slot.header, f"field{i}": slot.field})  # fmt: skip
        other = _OTHER.format(i=i, key=slot.key)
        if slot.plain:
            ref = _REF if slot.conv is to_ref else ""
            other = "".join("    " + line for line in other.splitlines(keepends=True))
            body.append(_TEXT.format(i=i, key=slot.key, ref=ref, other=other))
        else:
            body.append(other)
    cells = "".join(f"c{i}, " for i in range(len(slots)))
    source = f"def read(raw, out, bad):\n    ({cells}) = raw\n" + "".join(body)
    exec(_code(source, len(slots)), namespace)  # noqa: S102
    reader: Reader = namespace["read"]
    return reader


@functools.lru_cache(maxsize=64)
def _code(source: str, width: int) -> CodeType:
    """Compiled once per column layout (~1 ms each; every month's export is alike)."""
    name = f"<riskboard row reader {width} {hashlib.sha1(source.encode()).hexdigest()[:8]}>"
    linecache.cache[name] = (len(source), None, source.splitlines(keepends=True), name)
    return compile(source, name, "exec")


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


def _plain_reader(slots: list[Slot]) -> Reader:
    """The row reader for ``slots`` as a plain loop: what ``_compile``'s unrolled code
    does, cell by cell (``_TEXT``, ``_REF`` and ``_OTHER`` above)."""
    specs = [(s.key, s.plain, s.conv is to_ref, s.conv, s.cache, s.field, s.header) for s in slots]

    def read(raw: Sequence[Any], out: dict[str, Any], bad: BadCells) -> None:
        for cell, (key, plain, ref, conv, cache, field, header) in zip(raw, specs, strict=True):
            if plain and type(cell) is str:
                t = cell.strip()
                if not t.isprintable():
                    t = _clean(t)
                if t:
                    if ref and ("  " in t or "\n" in t or "\t" in t or not t.isascii()):
                        out[key] = to_ref(t)  # as the unrolled code: stored even if None
                    else:
                        out[key] = t
                continue
            if type(cell) is bool:
                v = _convert(conv, cell)
            else:
                v = cache.get(cell, _MISS)
                if v is _MISS:
                    v = cache[cell] = _convert(conv, cell)
            if v is not None:
                if type(v) is Bad:
                    bad.append((field, header, v))
                else:
                    out[key] = v

    return read
