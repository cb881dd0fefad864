"""Acceptances that lapse: the board's accept / tolerate decisions and their review-by
dates (DOMAIN.md: acceptance is time-limited; when it passes, the risk is back on the
agenda). Pure functions over the board's recorded decisions - no I/O.

- A risk's *acceptance* is the board's last strategy decision on it when that decision
  is accept or tolerate (a later treat / transfer / terminate supersedes it), at any
  meeting reviewing the board month or an earlier one - an earlier meeting on the same
  month included (a second meeting on August's register sees the first one's renewal).
- It has *lapsed* for a board month when its review-by date falls on or before the
  month's last day, or before the meeting reviewing the month when that is later
  (``lapse_day``): flag ``acceptance_lapsed``.
- It *falls due* before the next meeting when the review-by date is after that day but
  on or before the next meeting date: listed beside the agenda and chase list. Lapsed
  and falling due never overlap.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict

from riskboard.flag_details import AcceptanceLapsedDetail

ACCEPTING = ("accept", "tolerate")


class Acceptance(BaseModel):
    """The board's standing accept / tolerate decision on one risk."""

    model_config = ConfigDict(frozen=True)

    ref: str
    strategy: str  # accept / tolerate
    review_by: date | None
    rationale: str | None = None
    decision: str | None = None  # "RESOLVED: ..."
    meeting_id: int
    meeting_date: date
    month: str  # the board month that meeting reviewed

    def lapsed_by(self, day: date) -> bool:
        """Its review-by date is on or before ``day``."""
        return self.review_by is not None and self.review_by <= day

    def due_between(self, after: date, until: date) -> bool:
        """Its review-by date falls after ``after`` and on or before ``until``."""
        return self.review_by is not None and after < self.review_by <= until

    def flag_details(self) -> AcceptanceLapsedDetail:
        """What ``flags --json`` shows for ``acceptance_lapsed``: the meeting, the
        decision and the review-by date."""
        return AcceptanceLapsedDetail(
            meeting_id=self.meeting_id,
            meeting_date=self.meeting_date,
            board_month=self.month,
            strategy=self.strategy,
            decision=self.decision,
            rationale=self.rationale,
            review_by=self.review_by,
        )


def lapse_day(month_end: date, board_date: date | None) -> date:
    """The day by which an acceptance has lapsed for a board month: the month's last day,
    or the date of the meeting reviewing the month when that is later (an acceptance to
    be reviewed by 30/09 has lapsed for a meeting on 19/10, whatever month it reviews)."""
    return max(month_end, board_date) if board_date is not None else month_end


def standing_acceptances(decisions: Iterable[Mapping[str, Any]]) -> dict[str, Acceptance]:
    """{ref: acceptance} from the board's strategy decisions, oldest first (rows with
    ref, strategy, rationale, review_by, decision, meeting_id, meeting_date, month):
    each risk's last decision, kept only when it is accept or tolerate."""
    last: dict[str, Mapping[str, Any]] = {}
    for row in decisions:
        last[row["ref"]] = row
    return {
        ref: Acceptance.model_validate(dict(row))
        for ref, row in last.items()
        if row["strategy"] in ACCEPTING
    }
