"""The board's acceptances as a meeting sees them: which have lapsed for the board month
(flag ``acceptance_lapsed``) and which fall due before the next meeting."""

from __future__ import annotations

from datetime import date, timedelta

import sqlite_utils
from pydantic import BaseModel

from riskboard.acceptance import Acceptance, lapse_day, standing_acceptances
from riskboard.board.guards import meeting_from_row
from riskboard.board.models import Meeting
from riskboard.config import Config
from riskboard.domain import Risk, month_name
from riskboard.flags import month_bounds
from riskboard.store import meetings as store
from riskboard.store import register as register_store


class AcceptanceOutlook(BaseModel):
    """Acceptances for board month ``month``: lapsed by ``lapse_day`` (the month's end, or
    the date of the meeting reviewing it when later), and falling due after it but on or
    before ``until`` (the next meeting date, ``until_note`` says whence)."""

    month: str
    month_end: date
    lapse_day: date
    until: date
    until_note: str
    lapsed: list[Acceptance]
    due: list[Acceptance]
    # every standing acceptance not lapsed (review-by after ``lapse_day``, or none):
    # what ``for_meeting`` picks the falling-due ones from when the next date changes
    standing: list[Acceptance] = []
    weeks: int = 4  # config.meeting.next_meeting_weeks, for a next date not set yet

    def for_meeting(self, meeting: Meeting) -> AcceptanceOutlook:
        """The same outlook with "falling due" measured to ``meeting``'s next meeting
        date as it is now (set, or its date plus ``weeks``): the agenda's item follows a
        next date set during the meeting."""
        until, note = next_meeting_of(meeting, self.weeks)
        if until == self.until and note == self.until_note:
            return self
        return self.model_copy(
            update={
                "until": until,
                "until_note": note,
                "due": [a for a in self.standing if a.due_between(self.lapse_day, until)],
            }
        )


def acceptance_outlook(
    db: sqlite_utils.Database,
    month: str,
    config: Config,
    *,
    meeting: Meeting | None = None,
) -> AcceptanceOutlook:
    """Lapsed and soon-due acceptances of the risks still open in ``month`` (or missing
    from its export, never closed), by review-by date, as at ``meeting`` (the board's
    decisions at meetings before it, on this month or an earlier one) - else as at the
    latest meeting reviewing ``month``, counting every decision so far. The next meeting
    date is that meeting's: the date set, else its date plus
    ``meeting.next_meeting_weeks``; with no meeting, that many weeks after the month's
    end."""
    month_end = month_bounds(month)[1]
    weeks = config.meeting.next_meeting_weeks
    seen_at = meeting
    if seen_at is None:
        row = store.board_date_row(db, month)
        seen_at = meeting_from_row(row) if row else None
    day = lapse_day(month_end, seen_at.meeting_date if seen_at else None)
    if seen_at is None:
        until = month_end + timedelta(weeks=weeks)
        note = f"no meeting for {month_name(month)} yet: {weeks} weeks after the month's end"
    else:
        until, note = next_meeting_of(seen_at, weeks)
    decisions = store.strategy_decisions(
        db, month=month, before_meeting_id=meeting.id if meeting else None
    )
    accepted = standing_acceptances(decisions)
    live = _live_refs(db, month)
    current = sorted(
        (a for ref, a in accepted.items() if ref in live),
        key=lambda a: (a.review_by or date.max, a.ref),
    )
    standing = [a for a in current if not a.lapsed_by(day)]
    return AcceptanceOutlook(
        month=month,
        month_end=month_end,
        lapse_day=day,
        until=until,
        until_note=note,
        lapsed=[a for a in current if a.lapsed_by(day)],
        due=[a for a in standing if a.due_between(day, until)],
        standing=standing,
        weeks=weeks,
    )


def next_meeting_of(meeting: Meeting, weeks: int) -> tuple[date, str]:
    """(the next meeting date, whence): the date ``meeting`` set, else its date plus
    ``weeks`` weeks."""
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
