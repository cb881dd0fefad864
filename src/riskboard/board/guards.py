"""Preconditions every meeting change checks: which meeting, is it still editable, who
is recording, does the risk exist in the meeting's board month.

Each raises RiskboardError with a message a minute-taker can act on.
"""

from __future__ import annotations

import difflib
import json
from typing import Any, NamedTuple

import sqlite_utils

from riskboard.board.models import Meeting, MeetingStatus
from riskboard.domain import Risk, count_of, month_name
from riskboard.errors import MeetingStateError, NotFound, Remedy, RiskboardError
from riskboard.safe_text import clean_typed, replace_undecodable
from riskboard.store import meetings as store
from riskboard.store.db import database_path


def meeting_from_row(row: dict[str, Any]) -> Meeting:
    return Meeting(
        **{k: v for k, v in row.items() if k not in {"declarations", "aob", "quorum_rule"}},
        declarations=text_list(row["declarations"]),
        aob=text_list(row["aob"]),
    )


def text_list(value: str | None) -> list[str]:
    """A JSON list column (aob, declarations); plain legacy text is one item. Bytes
    that were not UTF-8 (recorded before such input was refused) come back escaped."""
    if not value:
        return []
    try:
        items = json.loads(value)
    except json.JSONDecodeError:
        return [replace_undecodable(value)]
    listed = items if isinstance(items, list) else [items]
    return [replace_undecodable(str(i)) for i in listed]


def clean(text: str | None) -> str | None:
    """Typed text as stored: stripped, without control characters; blank becomes None.
    Text that is not valid UTF-8 is refused (RiskboardError) before anything is written."""
    if text is None:
        return None
    text = clean_typed(str(text)).strip()
    return text or None


def clean_name(text: str | None) -> str | None:
    """A typed person's name as stored and compared: ``clean``, with runs of spaces made
    one ("Helen  Marsh " is "Helen Marsh"), so one person is never two."""
    cleaned = clean(text)
    return " ".join(cleaned.split()) if cleaned else None


def get_meeting(db: sqlite_utils.Database, meeting_id: int) -> Meeting:
    row = store.meeting_row(db, meeting_id)
    if row is None:
        ids = [r["id"] for r in store.meeting_rows(db)]
        known = (
            f"meetings recorded: {_ranges(ids)}"
            if ids
            else f"no meetings recorded yet in database {database_path(db)}"
        )
        raise NotFound(f"no meeting {meeting_id} ({known})")
    return meeting_from_row(row)


def current_meeting(db: sqlite_utils.Database) -> Meeting | None:
    """The meeting not yet closed (draft or in progress), if any: the one to resume."""
    row = store.unclosed_meeting_row(db)
    return meeting_from_row(row) if row else None


def resolve_meeting(db: sqlite_utils.Database, meeting_id: int | None) -> Meeting:
    """``meeting_id``'s meeting, or the open one when None (RiskboardError if none)."""
    if meeting_id is not None:
        return get_meeting(db, meeting_id)
    meeting = current_meeting(db)
    if meeting is None:
        last = store.last_meeting_row(db)
        latest = f"; the latest, meeting {last['id']}, is closed" if last else ""
        raise MeetingStateError(
            f"no open meeting in database {database_path(db)}{latest}",
            remedy=Remedy.START_MEETING,
        )
    return meeting


def editable(db: sqlite_utils.Database, meeting_id: int, *, decisions: bool) -> Meeting:
    """The meeting if it may still change. ``decisions`` (reviews, actions, escalations,
    approvals, closing) also need it started: a draft only takes preparation
    (attendance, apologies, declarations, AOB, next date)."""
    meeting = get_meeting(db, meeting_id)
    if meeting.locked:
        raise MeetingStateError(
            f"{meeting.label} is locked: its minutes were approved at meeting"
            f" {meeting.approved_by_meeting_id}; the record is read-only"
        )
    if meeting.status == MeetingStatus.CLOSED:
        raise MeetingStateError(f"{meeting.label} is closed: its record is read-only")
    if decisions and meeting.status == MeetingStatus.DRAFT:
        raise MeetingStateError(
            f"{meeting.label} is a draft: open it before recording decisions",
            remedy=Remedy.OPEN_MEETING,
        )
    return meeting


def actor_for(meeting: Meeting, actor: str | None) -> str | None:
    """Who records the change: the named actor, which must be the meeting's chair or
    minute-taker; by default the minute-taker, else the chair."""
    named = [n for n in (meeting.chair, meeting.minute_taker) if n]
    if actor is None or not actor.strip():
        return meeting.minute_taker or meeting.chair
    for n in named:
        if n.casefold() == actor.strip().casefold():
            return n
    raise RiskboardError(
        f"{actor!r} is neither the chair nor the minute-taker of {meeting.label}"
        f" (named at the start: {', '.join(named) or 'nobody'})"
    )


class BoardRisk(NamedTuple):
    """A risk as the board deals with it: the board month's snapshot, or - for a risk
    missing from that month's export - its last known snapshot (rule 2)."""

    ref: str
    snapshot: dict[str, Any]
    month: str  # the export month the snapshot comes from
    board_month: str  # the month the meeting reviews

    @property
    def missing(self) -> bool:
        """Not in the board month's export: decided against its last known snapshot."""
        return self.month != self.board_month


def board_risk(db: sqlite_utils.Database, meeting: Meeting, ref: str) -> BoardRisk:
    """The snapshot the board decides ``ref`` against: the meeting's board month, else
    (missing from that export, never closed) the last month it was exported. A clear
    refusal for a risk never exported, or closed when it was last seen."""
    ref = (ref or "").strip()
    if not ref:
        raise RiskboardError("a risk reference is needed")
    row = store.risk_snapshot(db, meeting.month, ref)
    if row is not None:
        return BoardRisk(row["ref"], row, meeting.month, meeting.month)
    last = store.last_snapshot_before(db, meeting.month, ref)
    if last is not None:
        if Risk.model_construct(ref=last["ref"], status=last.get("status")).is_closed():
            raise RiskboardError(
                f"risk {last['ref']} was closed in the {month_name(last['month'])} export and is"
                f" not in the {month_name(meeting.month)} register: there is nothing for the board to decide"
            )
        return BoardRisk(last["ref"], last, last["month"], meeting.month)
    refs = store.month_refs(db, meeting.month)
    close = difflib.get_close_matches(ref.upper(), [r.upper() for r in refs], n=3, cutoff=0.6)
    by_upper = {r.upper(): r for r in refs}
    hint = (
        f"did you mean {', '.join(by_upper[c] for c in close)}?"
        if close
        else f"`riskboard risks --month {meeting.month}` lists them"
    )
    raise NotFound(
        f"unknown risk {ref!r}: not in the {month_name(meeting.month)} register reviewed by"
        f" {meeting.label}"
        f" ({count_of(len(refs), 'risk')} that month) nor in any earlier export",
        hint=hint,
    )


def _ranges(ids: list[int]) -> str:
    if not ids:
        return ""
    return f"{ids[0]}-{ids[-1]}" if len(ids) > 1 else str(ids[0])
