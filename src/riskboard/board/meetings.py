"""Meetings: start, open, resume, close, AOB, declarations, next date.

Lifecycle: draft -> in_progress -> closed. One meeting at a time is not closed: it is
the one every change acts on unless another is named, and the one a restarted TUI
resumes. Closed meetings are read-only. Approving the minutes (``board.approval``)
locks a meeting for good; ``board.integrity`` verifies it afterwards.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any

import sqlite_utils

from riskboard.board.dates import parse_date, parse_month, parse_optional_date
from riskboard.board.guards import (
    actor_for,
    clean,
    clean_name,
    current_meeting,
    get_meeting,
    meeting_from_row,
)
from riskboard.board.models import Meeting, MeetingStatus
from riskboard.board.record import CLOSE_HASH, CLOSE_HASH_VERSION, RECORD_VERSION, content_hash
from riskboard.board.txn import Scope, Step, audited
from riskboard.config import Config
from riskboard.domain import uk_date
from riskboard.errors import NotFound, Remedy, RiskboardError
from riskboard.store import meetings as store
from riskboard.store.db import database_path
from riskboard.store.register import latest_month, months, now_iso


def list_meetings(db: sqlite_utils.Database) -> list[Meeting]:
    """Every meeting, oldest first."""
    return [meeting_from_row(r) for r in store.meeting_rows(db)]


def _as_listed(db: sqlite_utils.Database, name: str) -> str:
    person = store.person_by_name(db, name)
    return str(person["name"]) if person else name


def new_meeting(
    db: sqlite_utils.Database,
    *,
    meeting_date: date | str,
    chair: str,
    month: str | None = None,
    minute_taker: str | None = None,
    config: Config | None = None,
    start: bool = True,
    force_month: str | None = None,
    actor: str | None = None,
) -> Meeting:
    """Create a meeting for a board month (default: the latest imported), in progress
    (or a draft with ``start=False``). Refused while another meeting is not closed, and
    for a board month earlier than one an earlier meeting already reviewed unless
    ``force_month`` gives the reason (kept in the audit row). One transaction, one
    audit row."""
    when = parse_date(meeting_date, "meeting date")
    chair_ = clean_name(chair)
    if chair_ is None:
        raise RiskboardError("a meeting needs a chair")
    minute_taker_ = clean_name(minute_taker)
    rule = (config or Config()).meeting.quorum
    with audited(db, None, Scope.CREATE, actor=actor) as step:
        # the chair and minute-taker as the people list spells them ("helen marsh" is
        # Helen Marsh): the attendee marked chair is the person who chairs, never a second
        chair_ = _as_listed(db, chair_)
        minute_taker_ = _as_listed(db, minute_taker_) if minute_taker_ else None
        open_ = current_meeting(db)
        if open_ is not None:
            raise RiskboardError(
                f"{open_.label} is still {open_.status.value.replace('_', ' ')}",
                hint="resume it, or close it first with `riskboard meeting close`",
            )
        if month is None:
            month_ = latest_month(db)
            if month_ is None:
                raise NotFound(
                    f"no register imported yet into database {database_path(db)}: import"
                    " the month's export before the meeting",
                    remedy=Remedy.IMPORT_REGISTER,
                )
        else:
            month_ = parse_month(month)
            if not store.month_has_data(db, month_):
                have = months(db)
                raise NotFound(
                    f"no register imported for board month {month_} in database"
                    f" {database_path(db)} (months with data: {', '.join(have) if have else 'none'})"
                )
        last = store.last_meeting_row(db)
        if last is not None and when.isoformat() < last["meeting_date"]:
            raise RiskboardError(
                f"meeting date {uk_date(when)} is before the previous meeting"
                f" (meeting {last['id']}, {last['meeting_date']})"
            )
        forced = _check_month_order(db, month_, clean(force_month))
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
        step.meeting_id = meeting_id
        step.actor = actor_for(meeting, actor)
        step.new("meeting")
        if forced is not None:
            step.extra = {"month_forced": forced}
        step.record(
            "meeting created"
            + (" and opened" if start else " as a draft")
            + (f" ({forced['why']}: {forced['reason']})" if forced else ""),
            entity_id=meeting_id,
            read=lambda: store.meeting_row(db, meeting_id),
        )
    return meeting


def _check_month_order(
    db: sqlite_utils.Database, month: str, reason: str | None
) -> dict[str, Any] | None:
    """Meetings review months in order: refuse a board month earlier than one an earlier
    meeting already reviewed, unless a reason is given (returned, for the audit row)."""
    reviewed = [r for r in store.meeting_rows(db) if r["month"] > month]
    if not reviewed:
        return None
    latest = max(reviewed, key=lambda r: (r["month"], r["id"]))
    why = (
        f"board month {month} is earlier than {latest['month']}, already reviewed by meeting"
        f" {latest['id']} ({uk_date(latest['meeting_date'])})"
    )
    if reason is None:
        raise RiskboardError(
            f"{why}: meetings review the months in order, so this meeting would review an"
            " older register than the board has already seen - its flags, acceptances due and"
            " action log would read as current when they are not",
            hint=f"leave out --month for the latest imported month ({latest_month(db)}), or"
            " review the earlier month again on purpose with --force-month REASON (the"
            " reason is recorded in the audit log)",
        )
    return {"why": why, "reason": reason, "latest_reviewed": latest["month"]}


def open_meeting(
    db: sqlite_utils.Database, meeting_id: int, *, actor: str | None = None
) -> Meeting:
    """Start a draft meeting (draft -> in_progress); an open one is returned as is."""
    with audited(db, meeting_id, Scope.PREPARATION, actor=actor) as step:
        assert step.meeting is not None
        if step.meeting.status == MeetingStatus.IN_PROGRESS:
            step.unchanged()
        else:
            _set(
                step,
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
    config: Config | None = None,
) -> Meeting:
    """Close a meeting: refused while quorum is not met unless ``force_reason`` says why
    (a quorate meeting needs no reason, and none is recorded: the record never says
    "without quorum" of a quorate meeting). Afterwards its record is read-only, and the
    sha256 of the record as it closed is kept in the close's audit row: approving the
    minutes later is refused (and ``meeting verify`` fails) if the record no longer
    matches it. The date the revised early warning register is due (``config``'s
    ``[early_warnings] register_due_days`` after the meeting) is frozen in the record
    here, so later exports never follow a changed config. One transaction, one audit
    row."""
    reason = clean(force_reason)
    due_days = (config or Config()).early_warnings.register_due_days
    with audited(db, meeting_id, Scope.CLOSING, actor=actor) as step:
        meeting = step.meeting
        q = step.quorum
        assert meeting is not None and q is not None
        if not q.met and reason is None:
            raise RiskboardError(
                f"cannot close {meeting.label}: {q.describe()}",
                hint="record attendance (`riskboard meeting attend NAME --org ...`),"
                " or close anyway with --force REASON",
            )
        step.track(
            "meeting", meeting.id, lambda: store.meeting_row(db, meeting.id), subject=meeting.label
        )
        store.update(
            db,
            "meetings",
            {"id": meeting.id},
            {
                "status": MeetingStatus.CLOSED.value,
                "closed_at": now_iso(),
                "close_forced_reason": None if q.met else reason,
                "ew_register_due": (meeting.meeting_date + timedelta(days=due_days)).isoformat(),
                "ew_register_due_days": due_days,
            },
        )
        step.extra = {
            CLOSE_HASH: content_hash(db, meeting.id),
            CLOSE_HASH_VERSION: RECORD_VERSION,
        }
        step.record("meeting closed" + ("" if q.met else " without quorum"))
    return get_meeting(db, meeting_id)


def suggest_next_meeting_date(meeting: Meeting, config: Config | None = None) -> date:
    """The meeting date plus ``config.meeting.next_meeting_weeks`` (default 4 weeks)."""
    weeks = (config or Config()).meeting.next_meeting_weeks
    return meeting.meeting_date + timedelta(weeks=weeks)


def set_next_meeting_date(
    db: sqlite_utils.Database,
    meeting_id: int,
    when: date | str | None,
    *,
    expected: Mapping[str, Any] | None = None,
    actor: str | None = None,
) -> Meeting:
    """Record the date of the next meeting (after this one); None clears it.
    ``expected={"next_meeting_date": shown}`` refuses it if someone else set a different
    date meanwhile. One transaction, one audit row."""
    new = parse_optional_date(when, "next meeting date")
    shown = None
    if expected and "next_meeting_date" in expected:
        was = parse_optional_date(expected["next_meeting_date"], "next meeting date")
        shown = {"next_meeting_date": was.isoformat() if was else None}
    with audited(db, meeting_id, Scope.PREPARATION, actor=actor) as step:
        meeting = step.meeting
        assert meeting is not None
        if new is not None and new <= meeting.meeting_date:
            raise RiskboardError(
                f"next meeting date {uk_date(new)} must be after this meeting"
                f" ({uk_date(meeting.meeting_date)})"
            )
        _set(
            step,
            "next meeting date set",
            {"next_meeting_date": new.isoformat() if new else None},
            expected=shown,
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
    with audited(db, meeting_id, Scope.PREPARATION, actor=actor) as step:
        assert step.meeting is not None
        items = [*getattr(step.meeting, column), item]
        _set(step, f"{_LABELS[column]} added", {column: json.dumps(items)})
    return get_meeting(db, meeting_id)


def _set_items(
    db: sqlite_utils.Database,
    meeting_id: int,
    column: str,
    items: list[str],
    actor: str | None,
    expected: list[str] | None = None,
) -> Meeting:
    kept = [c for c in (clean(i) for i in items) if c]
    with audited(db, meeting_id, Scope.PREPARATION, actor=actor) as step:
        assert step.meeting is not None
        if kept == getattr(step.meeting, column):
            step.unchanged()
        else:
            shown = None if expected is None else {column: json.dumps(expected)}
            _set(step, f"{_LABELS[column]} changed", {column: json.dumps(kept)}, expected=shown)
    return get_meeting(db, meeting_id)


_LABELS = {"aob": "any other business", "declarations": "declarations of interest"}


def _set(
    step: Step,
    what: str,
    values: dict[str, Any],
    *,
    expected: Mapping[str, Any] | None = None,
) -> None:
    """Update the step's meeting row and write its audit row."""
    meeting = step.meeting
    assert meeting is not None
    db = step.db
    step.track(
        "meeting",
        meeting.id,
        lambda: store.meeting_row(db, meeting.id),
        expected=expected,
        wanted=values,
        subject=meeting.label,
        labels={"next_meeting_date": "next meeting date", **_LABELS},
    )
    store.update(db, "meetings", {"id": meeting.id}, values)
    step.record(what)
