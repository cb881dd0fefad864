"""Rows -> risks with their actions, whatever the export's shape.

One assembler takes every sheet of a file: risk sheets (one row per risk with action
columns beside it, or one row per action with the risk's columns repeated - the same
code reads both) and then Actions sheets, linked by the risk reference. A reference
met again must carry the same risk data (blank cells are not a difference); different
data refuses the file, naming both places.

The row loop is the hot path of an import: raw cells are taken with ``itemgetter``, a
risk's cells are converted only when they differ from the last row seen for it, and
the risks and their actions are validated by pydantic in one call at the end.

An early warning register is read by the same assembler (``RecordKind``: the EW
reference is its key, its actions are read like a risk's): the same shapes, refusals
and unreadable cells, with early warnings for risks.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, cast

from pydantic import ValidationError

from riskboard.domain import ref_key
from riskboard.errors import RiskboardError
from riskboard.flag_details import UnreadableCell
from riskboard.ingest.cells import (
    ACTION_ATTRS,
    BadCells,
    Converter,
    Plan,
    getter,
    make_plan,
    read_cells,
    split_lines,
    split_strategy,
)
from riskboard.ingest.cellscan import CellError, is_error_text
from riskboard.ingest.dates import date_reader, month_first_example
from riskboard.ingest.layout import ACTION_FIELDS, SheetLayout
from riskboard.ingest.names import continued_ref, name_annex, note_kind
from riskboard.ingest.reader import Row, Sheet
from riskboard.ingest.record_kind import RISK, RecordKind
from riskboard.ingest.table_end import OWNED, key_like, not_risks
from riskboard.ingest.values import NO_ACTION_WORDS, to_ref, to_text
from riskboard.ingest.warning_log import Warnings

_MISS = object()
_DATE_FIELDS = frozenset({"due", "last_updated"})
_SCORE_KEYS = tuple(
    (level, f"{level}_likelihood", f"{level}_impact", f"{level}_score")
    for level in ("inherent", "current", "target")
)


@dataclass(slots=True)
class _Build:
    """A risk being assembled from one or more rows."""

    ref: str
    sheet: str
    row: int
    annex_hint: str | None
    values: dict[str, Any] = field(default_factory=dict)
    # where a value came from, for values first given by a later row (the rest came
    # from ``sheet``/``row``)
    origin: dict[str, tuple[str, int, str]] = field(default_factory=dict)
    raw: tuple[Any, ...] = ()
    raw_sheet: str = ""
    actions: list[dict[str, Any]] = field(default_factory=list)
    # cells that could not be read, and whether each is a formula with no saved result
    unreadable: list[tuple[UnreadableCell, bool]] = field(default_factory=list)
    after_gap: bool = False  # a blank row came between the table's first row and this one


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, str) and isinstance(b, str):
        return " ".join(a.casefold().split()) == " ".join(b.casefold().split())
    return bool(a == b)


class Assembler:
    """Collects the risks of one file across its sheets."""

    def __init__(
        self,
        file_name: str,
        warnings: Warnings,
        file_annex: str | None,
        risk_converters: dict[str, Converter],
        action_converters: dict[str, Converter],
        date1904: bool = False,
        kind: RecordKind = RISK,
    ) -> None:
        self.kind = kind
        self.file_name = file_name
        self.warnings = warnings
        self.file_annex = file_annex
        self.risk_converters = risk_converters
        self.action_converters = action_converters
        self.date1904 = date1904
        # by ref_key: "R-001" and "r–001 " on an Actions sheet are one risk
        self.risks: dict[str, _Build] = {}
        # raw reference cell -> (its ref_key, the reference as shown), None when blank
        self._refs: dict[Any, tuple[str, str] | None] = {}
        self._headers: dict[str, dict[str, str]] = {}  # sheet -> field -> header
        self._bad: BadCells = []
        self.unreadable_count = 0

    # ------------------------------------------------------------------ helpers
    def _key(self, value: Any) -> tuple[str, str] | None:
        """(ref_key, reference as shown) of a reference cell, cached: exports repeat
        their references. A reference that is an Excel error or an unsaved formula has
        the key "" (the caller shows the row as a risk whose reference could not be read)."""
        found = self._refs.get(value, _MISS)
        if found is _MISS:
            if type(value) is CellError:
                found = ("", value.text)
            else:
                ref = to_ref(value)
                found = (("" if is_error_text(ref) else ref_key(ref)), ref) if ref else None
            self._refs[value] = found
        return found  # type: ignore[return-value]

    def _unreadable_ref(
        self, sheet: str, row: int, header: str, value: Any, cells: Sequence[Any]
    ) -> tuple[str, UnreadableCell] | None:
        """A row whose reference is an Excel error ("#REF!") or an unsaved formula: it
        stays a risk the board can see, under a reference that names its place, with the
        cell as ``unreadable_value`` - never a risk called "#REF!", and two such rows are
        never one risk. None (the row is skipped with a warning) when the row holds
        nothing else."""
        text = value.text if type(value) is CellError else str(value).strip()
        if sum(1 for c in cells if c != "") <= 1:
            self._skip_row(
                sheet, row, cells, f"its reference is {text} and the row holds nothing else"
            )
            return None
        if type(value) is CellError and value.formula:
            reason = "a formula whose result was never saved: the risk's reference is unknown"
        else:
            reason = f"the Excel error {text}: the risk's reference is unknown"
        ref = f"[unreadable ref: {sheet} row {row}]"
        return ref, UnreadableCell(
            field="ref", sheet=sheet, row=row, column=header, text=text, reason=reason
        )

    def _has_risk_data(self, raw: tuple[Any, ...], plan: Plan, actions: bool) -> bool:
        """Whether a row's cells give a risk's owner, strategy, status, score or an
        action (read aside: nothing is reported from here)."""
        if actions:
            return True
        values: dict[str, Any] = {}
        plan.read(raw, values, [])
        return not OWNED.isdisjoint(values)

    def _date_columns(self, rows: Sequence[Row], layout: SheetLayout) -> dict[str, Converter]:
        """The action converters for this sheet: a date column that writes a date month
        first (08/15/2022) reads none of its dates that could be either way (03/04/2022)."""
        converters = self.action_converters
        for col in layout.columns:
            if col.field in _DATE_FIELDS:
                cells = (row[col.index] for row in rows[layout.header_row + 1 :])
                example = month_first_example(cells)
                if example is not None:
                    if converters is self.action_converters:
                        converters = dict(converters)
                    converters[col.field] = date_reader(self.date1904, example)
        return converters

    def _report_bad(self, build: _Build, sheet: str, row: int) -> None:
        """The cells of this row that could not be read go on the risk (the import's
        ``unreadable_value``), once per column and text."""
        seen = {(c.field, c.sheet, c.column, c.text) for c, _ in build.unreadable}
        for fld, header, bad in self._bad:
            cell = UnreadableCell(
                field=fld, sheet=sheet, row=row, column=header, text=bad.text, reason=bad.reason
            )
            if (fld, sheet, header, bad.text) not in seen:
                build.unreadable.append((cell, bad.formula))
        self._bad.clear()

    def _skip_row(self, sheet: str, row: int, values: Sequence[Any], why: str) -> None:
        """A row not read as a risk: a warning naming it (``--dry-run`` and the import
        record name every one)."""
        text = next((t for v in values if (t := to_text(v))), "")
        snippet = f": {text[:60]!r}" if text else ""
        self.warnings.add(
            f"sheet {sheet!r}: rows skipped",
            f"sheet {sheet!r}, row {row}: skipped, {why}{snippet}",
            listed=True,
        )

    def _origin(self, build: _Build, fld: str) -> tuple[str, int, str]:
        if fld in build.origin:
            return build.origin[fld]
        return build.sheet, build.row, self._headers.get(build.sheet, {}).get(fld, fld)

    # ------------------------------------------------------------------ risks
    def add_risk_sheet(self, sheet: Sheet, layout: SheetLayout) -> tuple[int, int]:
        """Read a sheet of risk rows (with or without action columns).
        Returns (rows read, actions read)."""
        name = sheet.name
        rows = sheet.rows
        cols = layout.index()
        self._headers[name] = {f: c.header for f, c in cols.items()}
        ref_i = cols["ref"].index
        ref_header_key = ref_key(cols["ref"].header)
        rplan, rindices = make_plan(layout.columns, self.risk_converters)
        aplan, aindices = make_plan(layout.columns, self._date_columns(rows, layout), ACTION_ATTRS)
        rget, aget = getter(rindices), getter(aindices)
        rblank, ablank = ("",) * len(rplan), ("",) * len(aplan)
        text_pos = aplan.position("text")
        has_actions = len(aplan) > 0
        annex_hint = None if "annex" in cols or not self.kind.annexes else name_annex(name)
        risks = self.risks
        bad = self._bad
        prev: _Build | None = None
        read = actions = 0
        refs = self._refs
        built: list[_Build] = []  # the risks this sheet started, in row order
        gap = False
        for r in range(layout.header_row + 1, len(rows)):
            row = rows[r]
            refv = row[ref_i]
            found = None if refv == "" else refs.get(refv, _MISS)
            pair = self._key(refv) if found is _MISS else cast("tuple[str, str] | None", found)
            if pair is None:
                if row.count("") == len(row):
                    prev = None  # a blank row ends a block of continuation rows
                    gap = bool(built)
                elif (
                    prev is not None and has_actions and rget(row) == rblank and aget(row) != ablank
                ):
                    actions += self._add_actions(prev, aget(row), aplan, name, r + 1, text_pos)
                else:
                    self._skip_row(name, r + 1, row, f"no {self.kind.noun} reference in the row")
                    prev = None
                continue
            raw = rget(row)
            key = pair[0]
            bad_ref = None
            if not key:  # an Excel error or an unsaved formula in the reference column
                found_bad = self._unreadable_ref(name, r + 1, cols["ref"].header, refv, row)
                if found_bad is None:
                    prev = None
                    continue
                ref, bad_ref = found_bad
                pair = (key := ref_key(ref), ref)
            build = risks.get(key)
            if build is None:
                if key == ref_header_key:
                    continue  # the header repeated (printed page breaks)
                ref = pair[1]
                cont = continued_ref(ref) if bad_ref is None else None
                if cont is not None:  # "HM-001 (cont.)", "(continued)": the risk above
                    target = risks.get(ref_key(cont)) if cont else prev
                    if target is None:
                        self._skip_row(name, r + 1, row, f"a continuation row with no {self.kind.noun}"
                                       " to continue (none such above it), not"
                                       f" {self.kind.a_noun}")  # fmt: skip
                        prev = None
                        continue
                    self.warnings.note(
                        f"sheet {name!r}, row {r + 1}: {ref!r} read as more of {self.kind.noun}"
                        f" {target.ref}"
                    )
                    pair, build = (ref_key(target.ref), target.ref), target
                    key = pair[0]
            if build is None:
                ref = pair[1]
                note = note_kind(ref, row) if bad_ref is None else None
                if note is not None and (
                    note == "alone"
                    or not self._has_risk_data(raw, rplan, has_actions and aget(row) != ablank)
                ):
                    self._skip_row(
                        name,
                        r + 1,
                        row,
                        f"a note or footer in the reference column, not {self.kind.a_noun}",
                    )
                    prev = None
                    continue
                build = risks[key] = _Build(ref, name, r + 1, annex_hint, raw=raw, raw_sheet=name)
                build.after_gap = gap
                built.append(build)
                if bad_ref is not None:
                    build.unreadable.append((bad_ref, False))
                if raw != rblank:
                    rplan.read(raw, build.values, bad)
                    split_strategy(build.values)
                    if bad:
                        self._report_bad(build, name, r + 1)
            elif raw != rblank and (raw != build.raw or build.raw_sheet is not name):
                if gap and not (has_actions and aget(row) != ablank) and key_like(refv, raw):
                    # below the table, a scoring key numbered like the table's risks
                    self._skip_row(
                        name, r + 1, row, "below the table, a scoring key or legend row (only"
                        f" scale words and numbers), not risk {build.ref} again",
                    )  # fmt: skip
                    prev = None
                    continue
                self._fold(build, raw, rplan, name, r + 1)
            read += 1
            if has_actions:
                araw = aget(row)
                if araw != ablank:
                    text = araw[text_pos] if text_pos is not None else None
                    if type(text) is str and "\n" in text:  # maybe several actions
                        actions += self._add_actions(build, araw, aplan, name, r + 1, text_pos)
                    else:
                        actions += self._add_action(build, araw, aplan, name, r + 1)
            prev = build
        for dropped, why in not_risks(
            built, strong=self.kind.strong, a_noun=self.kind.a_noun,
            strong_words=self.kind.strong_words,
        ):  # fmt: skip
            del risks[ref_key(dropped.ref)]
            read -= 1
            actions -= len(dropped.actions)
            self._skip_row(name, dropped.row, rows[dropped.row - 1], why)
        return read, actions

    def _fold(self, build: _Build, raw: tuple[Any, ...], plan: Plan, sheet: str, row: int) -> None:
        """Another row of a known risk: fill its blanks, refuse a different value."""
        new: dict[str, Any] = {}
        read_cells(plan, raw, new, self._bad)
        split_strategy(new)
        if self._bad:
            self._report_bad(build, sheet, row)
        headers = self._headers[sheet]
        values = build.values
        for fld, value in new.items():
            old = values.get(fld)
            if old is None:
                values[fld] = value
                build.origin[fld] = (sheet, row, headers.get(fld, fld))
            elif not _same(old, value):
                column = headers.get("strategy" if fld == "strategy_text" else fld, fld)
                self._conflict(build, fld, old, value, sheet, row, column)
        build.raw, build.raw_sheet = raw, sheet

    def _conflict(
        self, build: _Build, fld: str, old: Any, new: Any, sheet: str, row: int, header: str
    ) -> None:
        osheet, orow, oheader = self._origin(build, "strategy" if fld == "strategy_text" else fld)
        where = f"row {orow}" + (f" of sheet {osheet!r}" if osheet != sheet else "")
        if oheader != header:
            where += f" (column {oheader!r})"
        noun = self.kind.noun
        raise RiskboardError(
            f"{noun} {build.ref} appears again with different data: {_show(new)} here but"
            f" {_show(old)} on {where}",
            file=self.file_name,
            sheet=sheet,
            row=row,
            column=header,
            hint=f"every row of one reference must carry the same {noun} details;"
            " correct the export and import it again",
        )

    # ------------------------------------------------------------------ actions
    def _add_actions(
        self,
        build: _Build,
        araw: tuple[Any, ...],
        plan: Plan,
        sheet: str,
        row: int,
        text_pos: int | None,
    ) -> int:
        """The action(s) of one row. One row per risk may list several actions as lines
        of its action cells (line n of every action column is action n)."""
        if text_pos is not None:
            text = araw[text_pos]
            if type(text) is str and "\n" in text:
                parts = split_lines(araw, text_pos)
                if parts is not None:
                    return sum(self._add_action(build, p, plan, sheet, row) for p in parts)
        return self._add_action(build, araw, plan, sheet, row)

    def _add_action(
        self, build: _Build, araw: tuple[Any, ...], plan: Plan, sheet: str, row: int
    ) -> int:
        kw: dict[str, Any] = {}
        plan.read(araw, kw, self._bad)
        if self._bad:
            self._report_bad(build, sheet, row)
        if not kw or (len(kw) == 1 and kw.get("text", "").casefold() in NO_ACTION_WORDS):
            return 0
        if self.kind.action_needs_text and not kw.get("text"):
            self.warnings.add(
                f"sheet {sheet!r}: action cells with no action text",
                f"sheet {sheet!r}, row {row}: action cells with no action text"
                f" ({', '.join(sorted(kw))}) for {self.kind.noun} {build.ref}; not read as"
                " an action",
                listed=True,
            )
            return 0
        kw[self.kind.parent_key] = build.ref
        kw["source_sheet"] = sheet
        kw["source_row"] = row
        build.actions.append(kw)
        return 1

    def add_action_sheet(self, sheet: Sheet, layout: SheetLayout) -> tuple[int, int]:
        """Read an Actions sheet: each row an action of the risk named by its reference."""
        name = sheet.name
        rows = sheet.rows
        ref_col = layout.index()["ref"]
        ref_i = ref_col.index
        ref_header_key = ref_key(ref_col.header)
        aplan, aindices = make_plan(
            [c for c in layout.columns if c.field in ACTION_FIELDS],
            self._date_columns(rows, layout),
            ACTION_ATTRS,
        )
        aget = getter(aindices)
        ablank = ("",) * len(aplan)
        risks = self.risks
        read = actions = 0
        for r in range(layout.header_row + 1, len(rows)):
            row = rows[r]
            refv = row[ref_i]
            pair = self._key(refv) if refv != "" else None
            noun = self.kind.noun
            if pair is None:
                if row.count("") != len(row):
                    self._skip_row(name, r + 1, row, f"no {noun} reference in the row")
                continue
            key, ref = pair
            if key == ref_header_key:
                continue
            if not key:
                self._skip_row(
                    name, r + 1, row, f"an action whose risk reference is {ref}: it cannot be"
                    " tied to a risk - correct the reference in the export",
                )  # fmt: skip
                continue
            build = risks.get(key)
            if build is None:
                if note_kind(ref, row) == "alone":
                    self._skip_row(
                        name, r + 1, row, "a note or footer in the reference column, not an action"
                    )
                else:
                    self.warnings.add(
                        f"sheet {name!r}: actions of {noun}s on no {noun}s sheet",
                        f"sheet {name!r}, row {r + 1}: action for {noun} {ref}, which is on no"
                        f" {noun}s sheet; skipped",
                        listed=True,
                    )
                continue
            read += 1
            araw = aget(row)
            if araw != ablank:
                actions += self._add_action(build, araw, aplan, name, r + 1)
        return read, actions

    # ------------------------------------------------------------------ result
    def finish(self) -> list[Any]:
        """The risks (or early warnings: ``kind``), validated by pydantic in one call
        (with their actions)."""
        payload: list[dict[str, Any]] = []
        for build in self.risks.values():
            values = build.values
            for level, likelihood_key, impact_key, score_key in _SCORE_KEYS:
                likelihood = values.get(likelihood_key)
                if likelihood is not None and (impact := values.get(impact_key)) is not None:
                    self._score(build, level, likelihood * impact, score_key)
            if build.unreadable:
                values["unreadable"] = self._unreadable(build)
            if self.kind.annexes and values.get("annex") is None:
                values["annex"] = build.annex_hint or self.file_annex
            values["ref"] = build.ref
            values["source_sheet"] = build.sheet
            values["source_row"] = build.row
            values["actions"] = build.actions
            payload.append(values)
        try:
            return cast("list[Any]", self.kind.adapter.validate_python(payload))
        except ValidationError as exc:  # a converter let through a value the model refuses
            first = exc.errors()[0]
            loc = first["loc"]
            culprit = list(self.risks.values())[int(loc[0])] if loc else None
            raise RiskboardError(
                f"cannot read {self.kind.noun} {culprit.ref if culprit else '?'}: {first['msg']}"
                f" ({'.'.join(str(p) for p in loc[1:])})",
                file=self.file_name,
                sheet=culprit.sheet if culprit else None,
                row=culprit.row if culprit else None,
            ) from None

    def _unreadable(self, build: _Build) -> list[UnreadableCell]:
        """The risk's unreadable cells; a score formula with no saved result is not one
        when likelihood x impact gave the score (``_score`` filled it in)."""
        cells = []
        for cell, formula in build.unreadable:
            if formula and cell.field.endswith("_score") and build.values.get(cell.field):
                level = cell.field.removesuffix("_score")
                self.warnings.add(
                    f"sheet {cell.sheet!r}: score formulas with no saved result",
                    f"sheet {cell.sheet!r}, row {cell.row}, column {cell.column!r}: risk"
                    f" {build.ref} {level} score is a formula whose result was never saved"
                    f" ({cell.text}); computed from likelihood x impact",
                )
                continue
            cells.append(cell)
        self.unreadable_count += len(cells)
        return cells

    def _score(self, build: _Build, level: str, product: int, score_key: str) -> None:
        """The score is likelihood x impact: filled in when blank. A score that says
        otherwise is shown to the board (``unreadable_value``, a contradiction) and the
        higher of the two figures is used, so the risk never drops off the escalation
        list because of a slip in the export."""
        values = build.values
        score = values.get(score_key)
        if score is None:
            values[score_key] = product
        elif score != product:
            likelihood, impact = values[f"{level}_likelihood"], values[f"{level}_impact"]
            sheet, row, header = self._origin(build, score_key)
            used = max(score, product)
            values[score_key] = used
            build.unreadable.append(
                (
                    UnreadableCell(
                        field=score_key, sheet=sheet, row=row, column=header, text=str(score),
                        kind="contradiction",
                        reason=f"does not match likelihood {likelihood} x impact {impact} ="
                        f" {product}: the higher figure, {used}, is used until the register"
                        " is corrected",
                    ),
                    False,
                )
            )  # fmt: skip


def _show(value: Any) -> str:
    text = value.isoformat() if hasattr(value, "isoformat") else str(value)
    return repr(text if len(text) <= 60 else text[:57] + "...")
