"""Rows -> risks with their actions, whatever the export's shape.

One assembler takes every sheet of a file: risk sheets (one row per risk with action
columns beside it, or one row per action with the risk's columns repeated - the same
code reads both) and then Actions sheets, linked by the risk reference. A reference
met again must carry the same risk data (blank cells are not a difference); different
data refuses the file, naming both places.

The row loop is the hot path of an import: raw cell tuples are taken with
``itemgetter``, a risk's cells are parsed only when they differ from the last row
seen for it, and each action is validated once by pydantic.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from operator import itemgetter
from typing import Any

from riskboard.domain import Action, Risk
from riskboard.errors import RiskboardError
from riskboard.ingest.dates import MONTHS, parse_date
from riskboard.ingest.layout import ACTION_FIELDS, Column, SheetLayout
from riskboard.ingest.reader import Sheet
from riskboard.ingest.values import (
    NO_ACTION_WORDS,
    action_status,
    risk_status,
    strategy,
    to_int,
    to_money,
    to_ref,
    to_text,
)
from riskboard.ingest.warning_log import Warnings

Converter = Callable[[Any], Any]

RISK_CONVERTERS: dict[str, Converter] = {
    "title": to_text, "description": to_text, "cause": to_text, "effect": to_text,
    "annex": to_text, "category": to_text, "owner": to_text, "trend": to_text,
    "controls": to_text, "early_warning_ref": to_ref, "compensation_event_ref": to_ref,
    "exposure": to_money, "status": risk_status, "strategy": strategy,
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

_NOTE_START = re.compile(
    r"^(?:total|end\b|count\b|number of|page\s*\d|printed|generated|report\s+(?:run|date)"
    r"|source\b|notes?\b|key\b|produced|run\s+date|\*)",
    re.IGNORECASE,
)
_NAME_WORDS = frozenset(
    {"sheet", "risk", "risks", "register", "registers", "action", "actions", "iris", "export",
     "exports", "exported", "report", "joint", "contract", "data", "output", "monthly", "month",
     "log", "list", "copy", "final", "draft", "version", "summary", "all", "extract", "annex",
     "rev"}
)  # fmt: skip
_CONNECTORS = frozenset({"and", "&", "of", "the", "for", "-"})


def name_annex(text: str) -> str | None:
    """The service annex a sheet or file name stands for, or None if it is a generic
    name ("Sheet1", "Risks", "IRIS export 2022-08"). "street-lighting_2022-08" gives
    "Street Lighting"."""
    words = []
    for word in re.split(r"[\s_.()\[\],]+|(?<=\w)-(?=\w)|\s-\s", text):
        w = word.strip(" -")
        lw = w.casefold()
        if (
            not w
            or lw in _NAME_WORDS
            or lw in MONTHS
            or re.fullmatch(r"(?:sheet|v|rev)?\d+[a-z]?|\d{1,4}[-/]\d{1,2}(?:[-/]\d{1,4})?", lw)
        ):
            continue
        words.append(w)
    while words and words[-1].casefold() in _CONNECTORS:
        words.pop()
    while words and words[0].casefold() in _CONNECTORS:
        words.pop(0)
    if not any(ch.isalpha() for w in words for ch in w):
        return None
    joined = " ".join(words)
    return joined.title() if joined == joined.lower() else joined


@dataclass(slots=True)
class _Build:
    """A risk being assembled from one or more rows."""

    ref: str
    sheet: str
    row: int
    annex_hint: str | None
    values: dict[str, Any] = field(default_factory=dict)
    origin: dict[str, tuple[str, int, str]] = field(default_factory=dict)
    raw: dict[str, tuple[Any, ...]] = field(default_factory=dict)
    actions: list[Action] = field(default_factory=list)


def _getter(indices: Sequence[int]) -> Callable[[Sequence[Any]], tuple[Any, ...]]:
    if not indices:
        return lambda row: ()
    if len(indices) == 1:
        only = indices[0]
        return lambda row: (row[only],)
    return itemgetter(*indices)  # type: ignore[return-value]


_Plan = list[tuple[str, Converter, str]]  # (field, converter, header) in getter order


def _plan(columns: Sequence[Column], wanted: dict[str, Converter]) -> tuple[_Plan, list[int]]:
    plan: _Plan = []
    indices: list[int] = []
    for col in columns:
        if col.field in wanted:
            plan.append((col.field, wanted[col.field], col.header))
            indices.append(col.index)
    return plan, indices


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, str) and isinstance(b, str):
        return " ".join(a.casefold().split()) == " ".join(b.casefold().split())
    return bool(a == b)


class Assembler:
    """Collects the risks of one file across its sheets."""

    def __init__(self, file_name: str, warnings: Warnings, file_annex: str | None) -> None:
        self.file_name = file_name
        self.warnings = warnings
        self.file_annex = file_annex
        self.risks: dict[str, _Build] = {}
        self._refs: dict[Any, str | None] = {}

    # ------------------------------------------------------------------ helpers
    def _ref(self, value: Any) -> str | None:
        try:
            return self._refs[value]
        except KeyError:
            ref = to_ref(value)
            self._refs[value] = ref
            return ref
        except TypeError:  # unhashable - never from calamine
            return to_ref(value)

    def _bad_value(self, sheet: str, row: int, header: str, exc: ValueError) -> None:
        self.warnings.add(
            f"sheet {sheet!r}, column {header!r}: values not read", f"sheet {sheet!r}, row {row}, column {header!r}: {exc};"
            " left blank",
        )  # fmt: skip

    def _skip_row(self, sheet: str, row: int, values: Sequence[Any], why: str) -> None:
        text = next((to_text(v) for v in values if to_text(v)), "")
        snippet = f": {text[:60]!r}" if text else ""
        self.warnings.add(
            f"sheet {sheet!r}: rows skipped", f"sheet {sheet!r}, row {row}: skipped, {why}{snippet}"
        )

    # ------------------------------------------------------------------ risks
    def add_risk_sheet(self, sheet: Sheet, layout: SheetLayout) -> tuple[int, int]:
        """Read a sheet of risk rows (with or without action columns).
        Returns (rows read, actions read)."""
        name = sheet.name
        rows = sheet.rows
        cols = layout.index()
        ref_col = cols["ref"]
        ref_i = ref_col.index
        ref_header_key = ref_col.header.casefold()
        rplan, rindices = _plan(layout.columns, RISK_CONVERTERS)
        aplan, aindices = _plan(layout.columns, ACTION_CONVERTERS)
        rget, aget = _getter(rindices), _getter(aindices)
        rblank, ablank = ("",) * len(rplan), ("",) * len(aplan)
        text_pos = next((i for i, p in enumerate(aplan) if p[0] == "action"), None)
        annex_hint = None if "annex" in cols else name_annex(name)
        risks = self.risks
        prev: _Build | None = None
        read = actions = 0
        for r in range(layout.header_row + 1, len(rows)):
            row = rows[r]
            refv = row[ref_i]
            ref = self._ref(refv) if refv != "" else None
            if ref is None:
                if row.count("") == len(row):
                    prev = None  # a blank row ends a block of continuation rows
                    continue
                if prev is not None and aplan and rget(row) == rblank and aget(row) != ablank:
                    actions += self._add_actions(prev, aget(row), aplan, name, r + 1, text_pos)
                    continue
                self._skip_row(name, r + 1, row, "no risk reference")
                prev = None
                continue
            raw = rget(row)
            build = risks.get(ref)
            if build is None:
                if ref.casefold() == ref_header_key:
                    continue  # the header repeated (printed page breaks)
                if self._is_note(ref, row):
                    self._skip_row(name, r + 1, row, "not a risk (no risk reference)")
                    prev = None
                    continue
                build = _Build(ref=ref, sheet=name, row=r + 1, annex_hint=annex_hint)
                risks[ref] = build
                if raw != rblank:
                    self._merge(build, raw, rplan, name, r + 1)
                build.raw[name] = raw
            elif raw != build.raw.get(name) and raw != rblank:
                self._merge(build, raw, rplan, name, r + 1)
                build.raw[name] = raw
            read += 1
            if aplan:
                araw = aget(row)
                if araw != ablank:
                    actions += self._add_actions(build, araw, aplan, name, r + 1, text_pos)
            prev = build
        return read, actions

    @staticmethod
    def _is_note(ref: str, row: Sequence[Any]) -> bool:
        """A footer or note sitting in the reference column ("Total risks: 42")."""
        if _NOTE_START.match(ref) or len(ref) > 60:
            return True
        if " " not in ref and ":" not in ref:
            return False
        texts = {to_text(v) for v in row if v != ""}
        return len(texts) == 1  # the only text on the row (or one merged across it)

    def _merge(
        self, build: _Build, raw: tuple[Any, ...], plan: _Plan, sheet: str, row: int
    ) -> None:
        values = build.values
        for (fld, conv, header), cell in zip(plan, raw, strict=True):
            if cell == "":
                continue
            try:
                value = conv(cell)
            except ValueError as exc:
                self._bad_value(sheet, row, header, exc)
                continue
            if fld == "strategy":
                normalised, value = value
                if value is not None and values.get("strategy_text") is None:
                    values["strategy"] = normalised
                fld = "strategy_text"
            if value is None:
                continue
            old = values.get(fld)
            if old is None:
                values[fld] = value
                build.origin[fld] = (sheet, row, header)
            elif not _same(old, value):
                self._conflict(build, fld, old, value, sheet, row, header)

    def _conflict(
        self, build: _Build, fld: str, old: Any, new: Any, sheet: str, row: int, header: str
    ) -> None:
        osheet, orow, oheader = build.origin.get(fld, (build.sheet, build.row, header))
        where = f"row {orow}" + (f" of sheet {osheet!r}" if osheet != sheet else "")
        if oheader != header:
            where += f" (column {oheader!r})"
        raise RiskboardError(
            f"risk {build.ref} appears again with different data: {_show(new)} here but"
            f" {_show(old)} on {where}",
            file=self.file_name,
            sheet=sheet,
            row=row,
            column=header,
            hint="every row of one reference must carry the same risk details;"
            " correct the export and import it again",
        )

    # ------------------------------------------------------------------ actions
    def _add_actions(
        self,
        build: _Build,
        araw: tuple[Any, ...],
        plan: _Plan,
        sheet: str,
        row: int,
        text_pos: int | None,
    ) -> int:
        """The action(s) of one row. One row per risk may list several actions as lines
        of its action cells (line n of every action column is action n)."""
        if text_pos is not None:
            text = araw[text_pos]
            if type(text) is str and "\n" in text:
                parts = _split_lines(araw, text_pos)
                if parts is not None:
                    return sum(self._add_action(build, p, plan, sheet, row) for p in parts)
        return int(self._add_action(build, araw, plan, sheet, row))

    def _add_action(
        self, build: _Build, araw: tuple[Any, ...], plan: _Plan, sheet: str, row: int
    ) -> bool:
        kw: dict[str, Any] = {}
        for (fld, conv, header), cell in zip(plan, araw, strict=True):
            if cell == "":
                continue
            try:
                value = conv(cell)
            except ValueError as exc:
                self._bad_value(sheet, row, header, exc)
                continue
            if value is not None:
                kw[ACTION_ATTRS[fld]] = value
        if not kw or (len(kw) == 1 and (kw.get("text") or "").casefold() in NO_ACTION_WORDS):
            return False
        build.actions.append(Action(risk_ref=build.ref, source_sheet=sheet, source_row=row, **kw))
        return True

    def add_action_sheet(self, sheet: Sheet, layout: SheetLayout) -> tuple[int, int]:
        """Read an Actions sheet: each row an action of the risk named by its reference."""
        name = sheet.name
        rows = sheet.rows
        ref_col = layout.index()["ref"]
        ref_i = ref_col.index
        aplan, aindices = _plan(
            [c for c in layout.columns if c.field in ACTION_FIELDS], ACTION_CONVERTERS
        )
        aget = _getter(aindices)
        ablank = ("",) * len(aplan)
        risks = self.risks
        read = actions = 0
        for r in range(layout.header_row + 1, len(rows)):
            row = rows[r]
            refv = row[ref_i]
            ref = self._ref(refv) if refv != "" else None
            if ref is None:
                if row.count("") != len(row):
                    self._skip_row(name, r + 1, row, "no risk reference")
                continue
            if ref.casefold() == ref_col.header.casefold():
                continue
            build = risks.get(ref)
            if build is None:
                if self._is_note(ref, row):
                    self._skip_row(name, r + 1, row, "not an action (no risk reference)")
                else:
                    self.warnings.add(
                        f"sheet {name!r}: actions of risks on no risks sheet",
                        f"sheet {name!r}, row {r + 1}: action for risk {ref}, which is on no"
                        " risks sheet; skipped",
                    )
                continue
            read += 1
            araw = aget(row)
            if araw != ablank and self._add_action(build, araw, aplan, name, r + 1):
                actions += 1
        return read, actions

    # ------------------------------------------------------------------ result
    def finish(self) -> list[Risk]:
        out: list[Risk] = []
        for build in self.risks.values():
            values = build.values
            for level in ("inherent", "current", "target"):
                self._score(build, level)
            if values.get("annex") is None:
                values["annex"] = build.annex_hint or self.file_annex
            out.append(
                Risk(
                    ref=build.ref,
                    **values,
                    source_sheet=build.sheet,
                    source_row=build.row,
                    actions=build.actions,
                )
            )
        return out

    def _score(self, build: _Build, level: str) -> None:
        values = build.values
        likelihood = values.get(f"{level}_likelihood")
        impact = values.get(f"{level}_impact")
        score = values.get(f"{level}_score")
        if likelihood is None or impact is None:
            return
        product = likelihood * impact
        if score is None:
            values[f"{level}_score"] = product
        elif score != product:
            sheet, row, header = build.origin[f"{level}_score"]
            self.warnings.add(
                f"sheet {sheet!r}: {level} scores that are not likelihood x impact",
                f"sheet {sheet!r}, row {row}, column {header!r}: risk {build.ref} {level} score"
                f" {score} is not likelihood {likelihood} x impact {impact} = {product};"
                " kept the export's score",
            )


def _lines(text: str) -> list[str]:
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


def _split_lines(araw: tuple[Any, ...], text_pos: int) -> list[tuple[Any, ...]] | None:
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


def _show(value: Any) -> str:
    text = value.isoformat() if hasattr(value, "isoformat") else str(value)
    return repr(text if len(text) <= 60 else text[:57] + "...")
