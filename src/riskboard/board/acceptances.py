"""The board's acceptances as a meeting sees them: which have lapsed for the board month
(flag ``acceptance_lapsed``) and which fall due before the next meeting."""

from __future__ import annotations

from datetime import date, timedelta

import sqlite_utils
from pydantic import BaseModel

from riskboard.acceptance import Acceptance, standing_acceptances
from riskboard.board.guards import meeting_from_row
from riskboard.board.models import Meeting
from riskboard.config import Config
from riskboard.domain import Risk
from riskboard.flags import month_bounds
from riskboard.store import meetings as store
from riskboard.store import register as register_store


class AcceptanceOutlook(BaseModel):
    """Acceptances for board month ``month``: lapsed by its end, and falling due after it
    but on or before ``until`` (the next meeting date, ``until_note`` says whence)."""

    month: str
    month_end: date
    until: date
    until_note: str
    lapsed: list[Acceptance]
    due: list[Acceptance]


def acceptance_outlook(
    db: sqlite_utils.Database,
    month: str,
    config: Config,
    *,
    meeting: Meeting | None = None,
) -> AcceptanceOutlook:
    """Lapsed and soon-due acceptances of the risks still open in ``month`` (or missing
    from its export, never closed), by review-by date. The next meeting date is
    ``meeting``'s (or that of the meeting reviewing ``month``): the date set, else its
    date plus ``meeting.next_meeting_weeks``; with no meeting, that many weeks after the
    month's end."""
    month_end = month_bounds(month)[1]
    until, note = _next_meeting(db, month, month_end, config, meeting)
    accepted = standing_acceptances(store.strategy_decisions(db, before_month=month))
    live = _live_refs(db, month)
    current = sorted(
        (a for ref, a in accepted.items() if ref in live), key=lambda a: (a.review_by, a.ref)
    )
    return AcceptanceOutlook(
        month=month,
        month_end=month_end,
        until=until,
        until_note=note,
        lapsed=[a for a in current if a.lapsed_by(month_end)],
        due=[a for a in current if a.due_between(month_end, until)],
    )


def _next_meeting(
    db: sqlite_utils.Database,
    month: str,
    month_end: date,
    config: Config,
    meeting: Meeting | None,
) -> tuple[date, str]:
    weeks = config.meeting.next_meeting_weeks
    if meeting is None:
        rows = [r for r in store.meeting_rows(db) if r["month"] == month]
        meeting = meeting_from_row(rows[-1]) if rows else None
    if meeting is None:
        return (
            month_end + timedelta(weeks=weeks),
            f"no meeting for {month} yet: {weeks} weeks after the month's end",
        )
    if meeting.next_meeting_date is not None:
        return meeting.next_meeting_date, f"the date set at meeting {meeting.id}"
    when = meeting.meeting_date + timedelta(weeks=weeks)
    return when, f"not set yet: {weeks} weeks after meeting {meeting.id}"


def _live_refs(db: sqlite_utils.Database, month: str) -> set[str]:
    """Refs open in ``month``'s export, plus those open in the previous month with data
    and missing from this one (flagged ``missing_from_export``)."""
    this = register_store.load_month(db, month, actions_for=(), fields=("status",))
    live = {r.ref for r in this if not r.is_closed()}
    previous = register_store.previous_month_with_data(db, month)
    if previous is not None:
        seen = {r.ref for r in this}
        before: list[Risk] = register_store.load_month(
            db, previous, actions_for=(), fields=("status",)
        )
        live |= {r.ref for r in before if r.ref not in seen and not r.is_closed()}
    return live
