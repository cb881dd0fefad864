"""What the board itself has recorded about one risk, meeting by meeting: its reviews
(strategy decided, rationale, review-by date, discussion, decision), the escalations
and de-escalations proposed and how each was decided, and the actions raised on it
with their status now.

``riskboard.history`` puts this beside the register's own month-by-month history, for
``riskboard show REF`` and the meeting app's review screen alike.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import sqlite_utils
from pydantic import BaseModel, ConfigDict, Field

from riskboard.board.actions import action_from_row
from riskboard.board.escalations import escalation_from_row
from riskboard.board.models import BoardAction, Escalation
from riskboard.domain import (
    ESCALATION_TARGET_NAMES,
    EscalationTarget,
    outcome_text,
    resolution_text,
    revised_due_text,
    uk_date,
)
from riskboard.store import meetings as store


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True)


class BoardReview(_Model):
    """One meeting's review of the risk."""

    meeting_id: int
    meeting_date: date
    month: str  # the board month that meeting reviewed
    strategy: str | None = None  # Strategy value
    rationale: str | None = None
    review_by: date | None = None
    note: str | None = None
    decision: str | None = None  # "RESOLVED: ..." as typed
    reviewed: bool = False

    @property
    def resolution(self) -> str | None:
        """The decision as minuted, after "RESOLVED:" (``domain.resolution_text``: the
        minutes and the review screen's history tidy it the same way)."""
        return resolution_text(self.decision)


class BoardEscalation(_Model):
    """An escalation or de-escalation of the risk, with its outcome as it stands now."""

    escalation: Escalation
    meeting_date: date  # the meeting that proposed it
    decided_meeting_date: date | None = None

    @property
    def outcome(self) -> str:
        """ "Accepted at meeting 1 (10/08/2022) – Added to the CRR" / "Awaiting a
        decision" (``domain.outcome_text``: the note as typed, never a chain of colons)."""
        e = self.escalation
        when = f" at meeting {e.decided_meeting_id}" if e.decided_meeting_id else ""
        if self.decided_meeting_date:
            when += f" ({uk_date(self.decided_meeting_date)})"
        return outcome_text(e.status.value, e.decision_note, when)

    @property
    def what(self) -> str:
        """ "escalated to the Corporate risk register" / "de-escalated from the ..." """
        e = self.escalation
        if e.direction == "de-escalate":
            source = (
                ESCALATION_TARGET_NAMES[EscalationTarget(e.source)] if e.source else "a register"
            )
            return f"de-escalation from the {source} to the contract register"
        return f"escalation to the {e.target_name}"


class BoardRiskAction(_Model):
    """An action the board raised on the risk, as it stands now."""

    action: BoardAction
    meeting_date: date  # the meeting that raised it

    @property
    def due_text(self) -> str:
        return revised_due_text(self.action.due, self.action.revised_due)


class BoardHistory(_Model):
    """The board's record of one risk, oldest meeting first."""

    ref: str
    reviews: list[BoardReview] = Field(default_factory=list)
    escalations: list[BoardEscalation] = Field(default_factory=list)
    actions: list[BoardRiskAction] = Field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.reviews or self.escalations or self.actions)

    def before(self, meeting_id: int) -> BoardHistory:
        """What meetings before ``meeting_id`` recorded (an escalation they proposed is
        kept with its outcome as it stands now, even when decided at ``meeting_id``)."""
        return BoardHistory(
            ref=self.ref,
            reviews=[r for r in self.reviews if r.meeting_id < meeting_id],
            escalations=[e for e in self.escalations if e.escalation.meeting_id < meeting_id],
            actions=[a for a in self.actions if a.action.meeting_id < meeting_id],
        )

    def at(self, meeting_id: int) -> BoardHistory:
        """What meeting ``meeting_id`` itself recorded: its review, the escalations it
        proposed and the actions it raised."""
        return BoardHistory(
            ref=self.ref,
            reviews=[r for r in self.reviews if r.meeting_id == meeting_id],
            escalations=[e for e in self.escalations if e.escalation.meeting_id == meeting_id],
            actions=[a for a in self.actions if a.action.meeting_id == meeting_id],
        )

    @property
    def latest_strategy(self) -> BoardReview | None:
        """The last review that recorded a strategy: what the board decided."""
        return next((r for r in reversed(self.reviews) if r.strategy), None)


def board_history(
    db: sqlite_utils.Database, ref: str, spellings: Sequence[str] = ()
) -> BoardHistory:
    """Everything the board recorded about risk ``ref`` - under that spelling or any of
    ``spellings`` (the exports' spellings of it) - as it stands now; empty lists when the
    board never discussed it."""
    names = list(dict.fromkeys([ref, *spellings]))
    dates = {m["id"]: date.fromisoformat(m["meeting_date"]) for m in store.meeting_rows(db)}
    reviews = [
        BoardReview(
            meeting_id=r["meeting_id"],
            meeting_date=r["meeting_date"],
            month=r["meeting_month"],
            strategy=r["strategy"],
            rationale=r["rationale"],
            review_by=r["review_by"],
            note=r["note"],
            decision=r["decision"],
            reviewed=bool(r["reviewed"]),
        )
        for r in store.risk_review_rows(db, names)
    ]
    escalations = []
    rows = {r["id"]: r for name in names for r in store.escalation_rows(db, ref=name)}
    for row in (rows[i] for i in sorted(rows)):
        e = escalation_from_row(row)
        escalations.append(
            BoardEscalation(
                escalation=e,
                meeting_date=dates[e.meeting_id],
                decided_meeting_date=dates.get(e.decided_meeting_id or 0),
            )
        )
    raised = {r["number"]: r for name in names for r in store.action_rows(db, risk_ref=name)}
    actions = [
        BoardRiskAction(action=a, meeting_date=dates[a.meeting_id])
        for a in (action_from_row(raised[n]) for n in sorted(raised))
    ]
    return BoardHistory(ref=ref, reviews=reviews, escalations=escalations, actions=actions)


def board_strategies(db: sqlite_utils.Database, *, upto_meeting_id: int) -> dict[str, BoardReview]:
    """{ref: the last review recording a strategy} at meetings up to and including
    ``upto_meeting_id`` - the strategy the board had decided for each risk as at that
    meeting (later meetings never change it, so approved minutes stay as approved)."""
    return {
        r["ref"]: BoardReview(
            meeting_id=r["meeting_id"],
            meeting_date=r["meeting_date"],
            month=r["meeting_month"],
            strategy=r["strategy"],
            rationale=r["rationale"],
            review_by=r["review_by"],
            decision=r["decision"],
            reviewed=bool(r["reviewed"]),
        )
        for r in store.latest_strategy_rows(db, upto_meeting_id=upto_meeting_id)
    }
