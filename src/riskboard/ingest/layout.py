"""Where a sheet's table is: merged cells, the header row, and which column is which.

The header row is found by itself: of the first rows of the sheet, the one whose cells
match the most fields (a reference column first) wins, so title blocks above it are
skipped. A header split over two rows - "Current" merged over "L | I | Score", or
"Action" over "Owner | Due" - is read by joining each cell with the one above it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from riskboard.domain import strip_invisible
from riskboard.ingest.headers import (
    ACTION_HEADER_FIELDS,
    GENERIC,
    RISK_HEADER_FIELDS,
    SCORE_FIELDS,
    HeaderMatcher,
    header_key,
)
from riskboard.ingest.reader import Sheet
from riskboard.ingest.values import classify_status_column

HEADER_SCAN_ROWS = 40
UNMATCHED = 9

Role = Literal["risks", "actions"]

# fields only a risk register carries: a sheet with none of them but with action
# columns, next to a sheet that has them, is the Actions sheet of a two-sheet export
STRICT_RISK_FIELDS = frozenset(
    {*SCORE_FIELDS, "strategy", "category", "cause", "effect", "controls", "exposure", "trend",
     "early_warning_ref", "compensation_event_ref"}
)  # fmt: skip
ACTION_FIELDS = frozenset(ACTION_HEADER_FIELDS)
RISK_FIELDS = frozenset(RISK_HEADER_FIELDS)


@dataclass
class Column:
    index: int
    header: str  # as shown to the user ("Current L" for a two-row header)
    field: str | None
    priority: int = UNMATCHED
    from_upper: bool = False  # the header used the row above (a two-row header)


@dataclass
class SheetLayout:
    name: str
    header_row: int  # 0-based index of the (last) header row; data starts below it
    first_header_row: int  # 0-based; above header_row when a group row was joined
    columns: list[Column]
    notes: list[str] = field(default_factory=list)

    def fields(self) -> set[str]:
        return {c.field for c in self.columns if c.field}

    def index(self) -> dict[str, Column]:
        return {c.field: c for c in self.columns if c.field}

    @property
    def has_ref(self) -> bool:
        return "ref" in self.fields()

    def mapping(self) -> dict[str, str | None]:
        """header -> field (None: not used); repeated headers get their column letter."""
        seen: dict[str, int] = {}
        for c in self.columns:
            seen[c.header] = seen.get(c.header, 0) + 1
        out: dict[str, str | None] = {}
        for c in self.columns:
            key = c.header if seen[c.header] == 1 else f"{c.header} [{column_letter(c.index)}]"
            out[key] = c.field
        return out


def column_letter(index: int) -> str:
    letters = ""
    n = index + 1
    while n:
        n, rem = divmod(n - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def fill_merged(sheet: Sheet) -> int:
    """Copy each merged range's value into all its cells (a per-action export often
    merges the risk's cells down its action rows). Ranges are clipped to the data, and
    the work is capped at the sheet's own size so a hostile file cannot blow it up.
    Returns the number of cells filled."""
    rows = sheet.rows
    if not rows or not sheet.merged:
        return 0
    height, width = len(rows), len(rows[0])
    budget = 2 * height * width + 1000
    filled = 0
    for (r0, c0), (r1, c1) in sheet.merged:
        if r0 >= height or c0 >= width:
            continue
        value = rows[r0][c0]
        if value == "":
            continue
        r1, c1 = min(r1, height - 1), min(c1, width - 1)
        filled += (r1 - r0 + 1) * (c1 - c0 + 1)
        if filled > budget:
            break
        for r in range(r0, r1 + 1):
            row = rows[r]
            for c in range(c0, c1 + 1):
                if row[c] == "":
                    row[c] = value
    return filled


def _text(value: Any) -> str | None:
    """A header cell's text: zero-width characters, BOM and soft hyphens dropped, NBSP
    a space, trimmed."""
    if type(value) is str:
        s = strip_invisible(value).strip()
        return s or None
    return None


def _map_row(rows: Sequence[Sequence[Any]], r: int, matcher: HeaderMatcher) -> list[Column]:
    row = rows[r]
    upper = rows[r - 1] if r > 0 else None
    cols: list[Column] = []
    for c, value in enumerate(row):
        lower = _text(value)
        up = _text(upper[c]) if upper is not None and c < len(upper) else None
        if up is not None and lower is not None and header_key(up) == header_key(lower):
            up = None  # a cell merged down over both rows
        header = lower
        hit = None
        joined = False
        if up and lower:
            hit = matcher.match(f"{up} {lower}")
            if hit:
                header, joined = f"{up} {lower}", True
        if hit is None and lower:
            hit = matcher.match(lower)
        if hit is None and lower is None and up:
            hit = matcher.match(up)
            if hit:
                header, joined = up, True
        if header is None:
            continue
        cols.append(
            Column(c, " ".join(header.split()), hit.field if hit else None,
                   hit.priority if hit else UNMATCHED, joined)
        )  # fmt: skip
    return cols


def detect_layout(sheet: Sheet, matcher: HeaderMatcher) -> SheetLayout | None:
    """The best header row in the first rows of the sheet, or None if nothing there
    looks like a header at all."""
    rows = sheet.rows
    best: tuple[tuple[bool, int, int], int, list[Column]] | None = None
    for r in range(min(len(rows), HEADER_SCAN_ROWS)):
        if not any(type(v) is str and v.strip() for v in rows[r]):
            continue
        cols = _map_row(rows, r, matcher)
        fields = {c.field for c in cols if c.field}
        score = ("ref" in fields, len(fields), sum(1 for c in cols if c.field))
        if best is None or score > best[0]:
            best = (score, r, cols)
    if best is None or best[0][1] == 0:
        return None
    _, r, cols = best
    joined = any(c.from_upper for c in cols)
    return SheetLayout(
        name=sheet.name, header_row=r, first_header_row=r - 1 if joined else r, columns=cols
    )


def is_actions_candidate(layout: SheetLayout) -> bool:
    """Could this be the Actions sheet of a Risks + Actions export?"""
    fields = layout.fields()
    lowered = layout.name.casefold()
    if "action" in lowered and "risk" not in lowered:
        return bool(fields & ACTION_FIELDS) or "ref" in fields
    return not (fields & STRICT_RISK_FIELDS) and bool(fields & (ACTION_FIELDS - {"action_ref"}))


def resolve_columns(
    layout: SheetLayout, role: Role, matcher: HeaderMatcher, rows: Sequence[Sequence[Any]]
) -> None:
    """Settle each column's field for the sheet's role: on an Actions sheet a bare
    "Owner"/"Status" is the action's; when two columns claim a field the more specific
    header wins; a "Status" column is read by its values (Open/Closed, a 4T, or an
    action status)."""
    if role == "actions":
        for col in layout.columns:
            if col.field in RISK_FIELDS and col.field != "ref":
                action_field = matcher.action_field(col.header)
                if action_field:
                    col.field, col.priority = action_field, GENERIC
                else:
                    layout.notes.append(
                        f"column {col.header!r} ({col.field}) is not read on an actions sheet"
                    )
                    col.field = None
    if role == "risks":
        _classify_status_columns(layout, rows)
    _settle_duplicates(layout, role)


def _classify_status_columns(layout: SheetLayout, rows: Sequence[Sequence[Any]]) -> None:
    """Decide what every status-like column holds by its values, before duplicate
    headers are settled: "Risk Status" holding Treat/Tolerate beside "Status" holding
    Open/Closed are the strategy and the status, whichever comes first."""
    candidates = [c for c in layout.columns if c.field == "status"]
    if not candidates:
        return
    has_actions = bool(layout.fields() & ACTION_FIELDS)
    body = rows[layout.header_row + 1 :]
    kinds = {
        id(col): classify_status_column([row[col.index] for row in body], has_actions=has_actions)
        for col in candidates
    }
    for col in candidates:
        kind = kinds[id(col)]
        if kind == "status":
            continue
        label = kind.replace("_", " ")
        headed = [c for c in layout.columns if c.field == kind]
        if headed:
            layout.notes.append(
                f"column {col.header!r} holds {label} values but column {headed[0].header!r}"
                f" is already the {label}; not read"
            )
            col.field = None
        else:
            layout.notes.append(
                f"column {col.header!r} holds {label} values (decided by its values);"
                f" read as {kind}"
            )
            col.field = kind


def _settle_duplicates(layout: SheetLayout, role: Role) -> None:
    claims: dict[str, list[Column]] = {}
    for col in layout.columns:
        if col.field:
            claims.setdefault(col.field, []).append(col)
    taken = set(claims)
    for fld, cols in claims.items():
        if len(cols) < 2:
            continue
        cols.sort(key=lambda c: (c.priority, c.index))
        keep = cols[0]
        for extra in cols[1:]:
            if fld == "ref" and role == "actions" and "action_ref" not in taken:
                extra.field = "action_ref"
                taken.add("action_ref")
                continue
            layout.notes.append(
                f"column {extra.header!r} also looks like {fld}; using {keep.header!r}"
            )
            extra.field = None
