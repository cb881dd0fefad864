"""Which sheets of a workbook are an NEC early warning register, and how they are read.

A sheet is an early warning register when, read with the early warning headers
(``ew_headers``), it has an early warning reference column and fields only that register
carries (date notified, notified by, linked risk, meeting date, decision) - or a sheet
name that says so ("Early Warnings", "EW Register") - and, read with the risk headers,
none of a risk register's own fields (scores, strategy, category, cause, effect,
controls, trend, exposure). A risk register's "EW ref" column never makes it one: its
risk reference comes first, and it has scores. A sheet with an early warning reference
and only action columns, beside an early warning register, is that register's actions
sheet (the two-sheet shape).

The rows are then read by the risk register's own assembler (``shapes.Assembler``
with ``EW``): every shape, repeat, note, end of table and unreadable cell is handled
as for risks.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any, Literal

from pydantic import TypeAdapter

from riskboard.early_warning import EarlyWarning, EwStatus, normalise_ew_status
from riskboard.ingest.cells import Converter
from riskboard.ingest.dates import date_reader
from riskboard.ingest.headers import SCORE_FIELDS, SPECIFIC, USER, HeaderMatcher
from riskboard.ingest.layout import (
    ACTION_FIELDS,
    SheetLayout,
    _settle_duplicates,
    resolve_columns,
)
from riskboard.ingest.record_kind import RecordKind
from riskboard.ingest.values import _ACTION_ONLY_WORDS, to_ref, to_text

EwRole = Literal["early_warnings", "ew_actions"]

# fields only an early warning register carries
EW_ONLY_FIELDS = frozenset({"date_notified", "notified_by", "linked_risk", "meeting_date",
                            "decision"})  # fmt: skip
# fields only a risk register carries: a sheet with any of them is a risk register
RISK_MARKS = frozenset(
    {*SCORE_FIELDS, "strategy", "category", "cause", "effect", "controls", "trend", "exposure"}
)
_EW_SHEET_NAME = re.compile(r"early[\s_-]*warning|\bewn?s?\b|\bew[\s_-]*register", re.I)

# what makes a row an early warning whatever its reference looks like (table_end)
EW_STRONG = frozenset(
    {"date_notified", "notified_by", "linked_risk", "status", "meeting_date", "decision"}
)

EW = RecordKind(
    noun="early warning",
    a_noun="an early warning",
    adapter=TypeAdapter(list[EarlyWarning]),
    parent_key="ew_ref",
    annexes=False,
    strong=EW_STRONG,
    strong_words="date notified, notified by, linked risk, status, meeting, decision or action",
    action_needs_text=True,
)


def ew_status_cell(value: Any) -> str | None:
    """An early warning's status: open, removed or compensation event; other text
    cannot be read (ValueError - the board sees the cell)."""
    text = to_text(value)
    if text is None:
        return None
    status = normalise_ew_status(text)
    if status is None:
        raise ValueError(
            f"{text!r} is not an early warning status (open, removed or compensation event)"
        )
    return status.value


def ew_converters(date1904: bool) -> dict[str, Converter]:
    """The converter of each early warning field; dates in the workbook's date system."""
    dates = date_reader(date1904)
    return {
        "date_notified": dates, "notified_by": to_text, "description": to_text,
        "linked_risk": to_ref, "meeting_date": dates, "decision": to_text,
        "status": ew_status_cell, "compensation_event_ref": to_ref,
    }  # fmt: skip


def is_ew_sheet_name(name: str) -> bool:
    return bool(_EW_SHEET_NAME.search(name))


def classify_sheet(
    name: str, risk_layout: SheetLayout | None, ew_layout: SheetLayout | None
) -> EwRole | None:
    """``early_warnings`` or ``ew_actions`` when the sheet is (part of) an early warning
    register; None: leave it to the risk register's reading."""
    if ew_layout is None or not ew_layout.has_ref or len(ew_layout.fields()) < 2:
        return None
    if risk_layout is not None and risk_layout.fields() & RISK_MARKS:
        return None  # scores, a strategy...: a risk register (its "EW ref" is a column)
    named = is_ew_sheet_name(name)
    index = ew_layout.index()
    key = index["ref"]
    keyed = key.priority in (USER, SPECIFIC)  # "EW ref", not a bare "Ref" or "ID"
    if not (keyed or named):
        return None
    linked = index.get("linked_risk")
    if linked is not None and linked.index < key.index and not named:
        return None  # the risk reference comes first: a risk register with an EW column
    fields = ew_layout.fields()
    # an actions sheet: the reference and action columns only (a bare "Status" or
    # "Description" there is the action's), unless its name says it is the register
    actions_named = "action" in name.casefold()
    if (
        keyed
        and not fields & EW_ONLY_FIELDS
        and fields - {"ref"} <= ACTION_FIELDS | {"status", "description"}
        and (actions_named or (fields & (ACTION_FIELDS - {"action_ref"}) and not named))
    ):
        return "ew_actions"
    if fields & EW_ONLY_FIELDS or (named and fields - {"ref"}):
        return "early_warnings"
    return None


def resolve_ew_columns(
    layout: SheetLayout, role: EwRole, matcher: HeaderMatcher, rows: Sequence[Sequence[Any]]
) -> None:
    """Settle each column's field for the sheet's role: on the actions sheet a bare
    "Owner"/"Status" is the action's (as for risks); on the register, a "Status" column
    is read by its values (open / removed / compensation event, or an action status)."""
    if role == "ew_actions":
        resolve_columns(layout, "actions", matcher, rows)
        return
    _bare_date(layout)
    candidates = [c for c in layout.columns if c.field == "status"]
    body = rows[layout.header_row + 1 :]
    for col in candidates:
        if _holds_action_statuses([row[col.index] for row in body]):
            if "action_status" in layout.fields():
                layout.notes.append(
                    f"column {col.header!r} holds action status values but column"
                    f" {layout.index()['action_status'].header!r} is already the action"
                    " status; not read"
                )
                col.field = None
            else:
                layout.notes.append(
                    f"column {col.header!r} holds action status values (decided by its"
                    " values); read as action_status"
                )
                col.field = "action_status"
    _settle_duplicates(layout, "risks")


def _bare_date(layout: SheetLayout) -> None:
    """A bare "Date" on an early warning register (review F24): the date notified when
    no other column is and no action owner column makes it the action's date (the NEC
    template's "EW No | Date | Notified by | ... | Risk reduction actions"); beside an
    action owner with no date-notified column it stays the action's date ("Action |
    Owner | Date"), and the import says so."""
    if "date_notified" in layout.fields():
        return
    bare = [c for c in layout.columns if c.field == "due" and _key(c.header) == "date"]
    if len(bare) != 1:
        return
    [col] = bare
    if "action_owner" in layout.fields():
        layout.notes.append(
            f"no 'date notified' column; column {col.header!r} read as the action's date"
            " (beside the action owner)"
        )
        return
    col.field = "date_notified"
    layout.notes.append(
        f"column {col.header!r} read as the date notified (no other date-notified column,"
        " no action owner column)"
    )


def _key(header: str) -> str:
    return "".join(ch for ch in header.casefold() if ch.isalnum())


def _holds_action_statuses(values: Sequence[Any]) -> bool:
    """More action statuses (In progress, Complete) than early warning statuses."""
    ew = action = 0
    for value in set(v for v in values if type(v) is str):
        text = value.strip().casefold()
        if not text:
            continue
        if normalise_ew_status(text) is not None:
            ew += 1
        elif text in _ACTION_ONLY_WORDS:
            action += 1
    return action > ew


def shown_mapping(mapping: dict[str, str | None]) -> dict[str, str | None]:
    """header -> field as the user names the fields (the key field is ``ew_ref``)."""
    return {h: ("ew_ref" if f == "ref" else f) for h, f in mapping.items()}


__all__ = [
    "EW",
    "EwRole",
    "EwStatus",
    "classify_sheet",
    "ew_converters",
    "resolve_ew_columns",
    "shown_mapping",
]
