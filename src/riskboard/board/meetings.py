"""Meetings: start, open, resume, close, previous minutes, verification, AOB, next date.

Lifecycle: draft -> in_progress -> closed. One meeting at a time is not closed: it is
the one every change acts on unless another is named, and the one a restarted TUI
resumes. Closed meetings are read-only. Approving a meeting's minutes at a later
meeting locks it for good and stores the sha256 of its canonical record, so
``verify`` can tell when the database was changed behind the service's back.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

import sqlite_utils

from riskboard.board import audit
from riskboard.board.attendance import quorum
from riskboard.board.dates import parse_date, parse_month, parse_optional_date
from riskboard.board.guards import (
    actor_for,
    clean,
    current_meeting,
    editable,
    get_meeting,
    meeting_from_row,
)
from riskboard.board.models import Meeting, MeetingStatus, VerifyResult
from riskboard.board.record import content_hash
from riskboard.board.txn import change
from riskboard.config import Config
from riskboard.domain import uk_date
from riskboard.errors import RiskboardError
from riskboard.store import meetings as store
from riskboard.store.register import latest_month, months, now_iso


def list_meetings(db: sqlite_utils.Database) -> list[Meeting]:
    """Every meeting, oldest first."""
    return [meeting_from_row(r) for r in store.meeting_rows(db)]


def new_meeting(
    db: sqlite_utils.Database,
    *,
    meeting_date: date | str,
    chair: str,
    month: str | None = None,
    minute_taker: str | None = None,
    config: Config | None = None,
    start: bool = True,
    actor: str | None = None,
) -> Meeting:
    """Create a meeting for a board month (default: the latest imported), in progress
    (or a draft with ``start=False``). Refused while another meeting is not closed."""
    when = parse_date(meeting_date, "meeting date")
    chair_ = clean(chair)
    if chair_ is None:
        raise RiskboardError("a meeting needs a chair")
    minute_taker_ = clean(minute_taker)
    rule = (config or Config()).meeting.quorum
    with change(db):
        open_ = current_meeting(db)
        if open_ is not None:
            raise RiskboardError(
                f"{open_.label} is still {open_.status.value.replace('_', ' ')}",
                hint="resume it, or close it first with `riskboard meeting close`",
            )
        if month is None:
            month_ = latest_month(db)
            if month_ is None:
                raise RiskboardError(
                    "no register imported yet: import the month's export before the meeting",
                    hint="`riskboard import FILE`",
                )
        else:
            month_ = parse_month(month)
            if not store.month_has_data(db, month_):
                have = months(db)
                raise RiskboardError(
                    f"no register imported for board month {month_}"
                    f" (months with data: {', '.join(have) if have else 'none'})"
                )
        last = store.last_meeting_row(db)
        if last is not None and when.isoformat() < last["meeting_date"]:
            raise RiskboardError(
                f"meeting date {uk_date(when)} is before the previous meeting"
                f" (meeting {last['id']}, {last['meeting_date']})"
            )
        now = now_iso()
        meeting_id = store.insert(
            db,
            "meetings",
            {
                "meeting_date": when.isoformat(),
                "month": month_,
                "chair": chair_,
                "minute_taker": minute_taker_,
                "status": (MeetingStatus.IN_PROGRESS if start else MeetingStatus.DRAFT).value,
                "previous_meeting_id": last["id"] if last else None,
                "created_at": now,
                "opened_at": now if start else None,
                "quorum_rule": json.dumps(rule.model_dump()),
            },
        )
        meeting = get_meeting(db, meeting_id)
        after = store.meeting_row(db, meeting_id)
        audit.write(
            db,
            meeting_id=meeting_id,
            actor=actor_for(meeting, actor),
            entity="meeting",
            entity_id=meeting_id,
            change="meeting created" + (" and opened" if start else " as a draft"),
            before=None,
            after=after,
        )
    return meeting


def open_meeting(
    db: sqlite_utils.Database, meeting_id: int, *, actor: str | None = None
) -> Meeting:
    """Start a draft meeting (draft -> in_progress); an open one is returned as is."""
    with change(db):
        meeting = editable(db, meeting_id, decisions=False)
        if meeting.status == MeetingStatus.IN_PROGRESS:
            return meeting
        who = actor_for(meeting, actor)
        _set(
            db,
            meeting,
            who,
            "meeting opened",
            {"status": MeetingStatus.IN_PROGRESS.value, "opened_at": now_iso()},
        )
    return get_meeting(db, meeting_id)


def close_meeting(
    db: sqlite_utils.Database,
    meeting_id: int,
    *,
    force_reason: str | None = None,
    actor: str | None = None,
) -> Meeting:
    """Close a meeting: refused while quorum is not met unless ``force_reason`` says why.
    Afterwards its record is read-only."""
    reason = clean(force_reason)
    with change(db):
        meeting = editable(db, meeting_id, decisions=True)
        who = actor_for(meeting, actor)
        q = quorum(db, meeting_id)
        if not q.met and reason is None:
            raise RiskboardError(
                f"cannot close {meeting.label}: {q.describe()}",
                hint="record attendance (`riskboard meeting attend NAME --org ...`),"
                " or close anyway with --force REASON",
            )
        _set(
            db,
            meeting,
            who,
            "meeting closed" + ("" if q.met else " without quorum"),
            {
                "status": MeetingStatus.CLOSED.value,
                "closed_at": now_iso(),
                "close_forced_reason": reason,
            },
        )
    return get_meeting(db, meeting_id)


def approve_previous(
    db: sqlite_utils.Database,
    meeting_id: int,
    *,
    amendment: str | None = None,
    previous_id: int | None = None,
    actor: str | None = None,
) -> Meeting:
    """At meeting ``meeting_id``, approve the previous meeting's minutes as a correct
    record (optionally subject to an amendment, noted at this meeting). That meeting is
    locked and its content hash stored. ``previous_id`` approves an older closed meeting
    whose minutes were never approved. Returns the approved meeting."""
    with change(db):
        meeting = editable(db, meeting_id, decisions=True)
        who = actor_for(meeting, actor)
        target_id = previous_id if previous_id is not None else meeting.previous_meeting_id
        if target_id is None:
            raise RiskboardError(f"{meeting.label} has no previous meeting to approve")
        target = get_meeting(db, target_id)
        if target.id >= meeting.id:
            raise RiskboardError(f"{target.label} is not earlier than {meeting.label}")
        if target.locked:
            raise RiskboardError(
                f"the minutes of {target.label} were already approved at meeting"
                f" {target.approved_by_meeting_id} ({target.approved_at})"
            )
        if target.status != MeetingStatus.CLOSED:
            raise RiskboardError(f"{target.label} is not closed yet: close it before approving")
        before = store.meeting_row(db, target.id)
        digest = content_hash(db, target.id)
        approved_at = now_iso()
        store.update(
            db,
            "meetings",
            {"id": target.id},
            {
                "approved_at": approved_at,
                "approved_by_meeting_id": meeting.id,
                "content_hash": digest,
            },
        )
        text = amendment and clean(amendment)
        line = (
            f"Minutes of meeting {target.id} ({target.meeting_date:%d/%m/%Y}) approved as a"
            " correct record" + (f", subject to: {text}" if text else ".")
        )
        note = "\n".join(x for x in (meeting.previous_minutes_note, line) if x)
        store.update(db, "meetings", {"id": meeting.id}, {"previous_minutes_note": note})
        audit.write(
            db,
            meeting_id=meeting.id,
            actor=who,
            entity="meeting",
            entity_id=target.id,
            change="previous minutes approved",
            before=before,
            after={**(store.meeting_row(db, target.id) or {}), "note": line},
        )
    return get_meeting(db, target.id)


def verify(db: sqlite_utils.Database, meeting_id: int) -> VerifyResult:
    """Recompute an approved meeting's content hash and compare it with the one stored
    at approval: a difference means its record was changed afterwards."""
    meeting = get_meeting(db, meeting_id)
    computed = content_hash(db, meeting_id)
    if not meeting.locked:
        return VerifyResult(
            meeting_id=meeting_id,
            approved=False,
            stored_hash=None,
            computed_hash=computed,
            ok=False,
            message=f"{meeting.label}: minutes not approved yet, nothing to verify",
        )
    ok = computed == meeting.content_hash
    message = (
        f"{meeting.label}: record unchanged since its minutes were approved"
        f" at meeting {meeting.approved_by_meeting_id}"
        if ok
        else f"{meeting.label}: TAMPERED - the record no longer matches the hash stored"
        f" when its minutes were approved at meeting {meeting.approved_by_meeting_id}"
        f" ({meeting.approved_at})"
    )
    return VerifyResult(
        meeting_id=meeting_id,
        approved=True,
        stored_hash=meeting.content_hash,
        computed_hash=computed,
        ok=ok,
        message=message,
    )


def suggest_next_meeting_date(meeting: Meeting, config: Config | None = None) -> date:
    """The meeting date plus ``config.meeting.next_meeting_weeks`` (default 4 weeks)."""
    weeks = (config or Config()).meeting.next_meeting_weeks
    return meeting.meeting_date + timedelta(weeks=weeks)


def set_next_meeting_date(
    db: sqlite_utils.Database, meeting_id: int, when: date | str | None, *, actor: str | None = None
) -> Meeting:
    """Record the date of the next meeting (after this one); None clears it."""
    new = parse_optional_date(when, "next meeting date")
    with change(db):
        meeting = editable(db, meeting_id, decisions=False)
        if new is not None and new <= meeting.meeting_date:
            raise RiskboardError(
                f"next meeting date {uk_date(new)} must be after this meeting"
                f" ({uk_date(meeting.meeting_date)})"
            )
        _set(
            db,
            meeting,
            actor_for(meeting, actor),
            "next meeting date set",
            {"next_meeting_date": new.isoformat() if new else None},
        )
    return get_meeting(db, meeting_id)


def add_aob(
    db: sqlite_utils.Database, meeting_id: int, text: str, *, actor: str | None = None
) -> Meeting:
    """Add an item of any other business."""
    return _add_item(db, meeting_id, "aob", text, actor)


def set_aob(
    db: sqlite_utils.Database, meeting_id: int, items: list[str], *, actor: str | None = None
) -> Meeting:
    """Replace the items of any other business (blank items dropped)."""
    return _set_items(db, meeting_id, "aob", items, actor)


def add_declaration(
    db: sqlite_utils.Database, meeting_id: int, text: str, *, actor: str | None = None
) -> Meeting:
    """Add a declaration of interest ("J Smith - HM-004, family member employed by ...")."""
    return _add_item(db, meeting_id, "declarations", text, actor)


def set_declarations(
    db: sqlite_utils.Database, meeting_id: int, items: list[str], *, actor: str | None = None
) -> Meeting:
    return _set_items(db, meeting_id, "declarations", items, actor)


# ----------------------------------------------------------------------------- helpers


def _add_item(
    db: sqlite_utils.Database, meeting_id: int, column: str, text: str, actor: str | None
) -> Meeting:
    item = clean(text)
    if item is None:
        raise RiskboardError(f"nothing to add to {_LABELS[column]}")
    with change(db):
        meeting = editable(db, meeting_id, decisions=False)
        items = [*getattr(meeting, column), item]
        _set(
            db,
            meeting,
            actor_for(meeting, actor),
            f"{_LABELS[column]} added",
            {column: json.dumps(items)},
        )
    return get_meeting(db, meeting_id)


def _set_items(
    db: sqlite_utils.Database, meeting_id: int, column: str, items: list[str], actor: str | None
) -> Meeting:
    kept = [c for c in (clean(i) for i in items) if c]
    with change(db):
        meeting = editable(db, meeting_id, decisions=False)
        if kept != getattr(meeting, column):
            _set(
                db,
                meeting,
                actor_for(meeting, actor),
                f"{_LABELS[column]} changed",
                {column: json.dumps(kept)},
            )
    return get_meeting(db, meeting_id)


_LABELS = {"aob": "any other business", "declarations": "declarations of interest"}


def _set(
    db: sqlite_utils.Database,
    meeting: Meeting,
    actor: str | None,
    what: str,
    values: dict[str, Any],
) -> None:
    """Update the meeting row and write its audit row (inside the caller's transaction)."""
    before = store.meeting_row(db, meeting.id)
    store.update(db, "meetings", {"id": meeting.id}, values)
    after = store.meeting_row(db, meeting.id)
    audit.write(
        db,
        meeting_id=meeting.id,
        actor=actor,
        entity="meeting",
        entity_id=meeting.id,
        change=what,
        before=before,
        after=after,
    )
