"""What the meeting service returns: pydantic models over the board tables.

Dates are ``datetime.date``; timestamps are ISO strings (UTC). ``model_dump(mode="json")``
gives the JSON the CLI prints.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from riskboard.domain import ESCALATION_TARGET_NAMES, EscalationTarget, month_name, uk_date


class MeetingStatus(StrEnum):
    DRAFT = "draft"
    IN_PROGRESS = "in_progress"
    CLOSED = "closed"


class AttendanceStatus(StrEnum):
    PRESENT = "present"
    APOLOGIES = "apologies"


class BoardActionStatus(StrEnum):
    OPEN = "open"
    IN_PROGRESS = "in progress"
    CLOSED = "closed"
    WITHDRAWN = "withdrawn"  # raised in error: kept in the log with its reason, never live

    @property
    def finished(self) -> bool:
        """Closed or withdrawn: it stays so, and drops off the next action log."""
        return self in (BoardActionStatus.CLOSED, BoardActionStatus.WITHDRAWN)


class EscalationStatus(StrEnum):
    PROPOSED = "proposed"
    ACCEPTED = "accepted"
    DECLINED = "declined"


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True)


class Meeting(_Model):
    id: int
    meeting_date: date
    month: str
    chair: str | None = None
    minute_taker: str | None = None
    status: MeetingStatus
    declarations: list[str] = Field(default_factory=list)
    aob: list[str] = Field(default_factory=list)
    next_meeting_date: date | None = None
    previous_meeting_id: int | None = None
    previous_minutes_note: str | None = None
    created_at: str
    opened_at: str | None = None
    closed_at: str | None = None
    close_forced_reason: str | None = None
    approved_at: str | None = None
    approved_by_meeting_id: int | None = None
    content_hash: str | None = None
    # frozen at the close (issue 14 review F23): when the revised early warning register
    # is due, and the configured days it came from
    ew_register_due: date | None = None
    ew_register_due_days: int | None = None

    @property
    def locked(self) -> bool:
        """Its minutes were approved: read-only for ever, hash stored."""
        return self.approved_at is not None

    @property
    def read_only(self) -> bool:
        return self.locked or self.status == MeetingStatus.CLOSED

    @property
    def label(self) -> str:
        return (
            f"meeting {self.id} ({uk_date(self.meeting_date)}, {month_name(self.month)} register)"
        )


class Person(_Model):
    id: int
    name: str
    organisation: str  # Organisation value
    role: str | None = None
    lead_officer: bool = True
    active: bool = True
    email: str | None = None  # where the owner emails go (issue 15)


class AttendanceEntry(_Model):
    meeting_id: int
    person_id: int
    name: str
    organisation: str
    role: str | None = None
    lead_officer: bool = True
    status: AttendanceStatus
    left_at: str | None = None  # left during the meeting (UTC ISO): present until then

    @property
    def here(self) -> bool:
        """Present and not (yet) left: counts towards the quorum now."""
        return self.status == AttendanceStatus.PRESENT and self.left_at is None


class OrganisationQuorum(_Model):
    organisation: str
    required: int
    present: int

    @property
    def met(self) -> bool:
        return self.present >= self.required


class QuorumStatus(_Model):
    met: bool
    rule: dict[str, int]  # organisation -> lead officers required
    by_organisation: list[OrganisationQuorum]
    missing: list[OrganisationQuorum]  # the organisations short of their requirement

    def describe(self) -> str:
        if self.met:
            return "quorate"
        parts = [
            f"{m.organisation.capitalize()} needs {m.required} lead officer"
            f"{'s' if m.required != 1 else ''} present ({m.present} present)"
            for m in self.missing
        ]
        return "not quorate: " + "; ".join(parts)


class Review(_Model):
    id: int
    meeting_id: int
    ref: str
    strategy: str | None = None  # Strategy value
    rationale: str | None = None
    review_by: date | None = None
    note: str | None = None
    decision: str | None = None  # "RESOLVED: ..."
    reviewed: bool = False
    risk_title: str | None = None  # from the board month's snapshot when recorded
    risk_annex: str | None = None
    risk_owner: str | None = None
    risk_score: int | None = None
    # the export month of the snapshot the review was made against: the board month,
    # or an earlier one for a risk missing from the board month's export
    risk_month: str | None = None
    # what the minutes print about the risk as the board saw it at the review (the board
    # month's register row: ``board.risk_facts``); None on reviews recorded before it
    risk_facts: dict[str, Any] | None = None
    created_at: str
    updated_at: str

    def missing_from(self, board_month: str) -> bool:
        """Reviewed against an earlier month's snapshot: missing from ``board_month``."""
        return self.risk_month is not None and self.risk_month != board_month


class BoardAction(_Model):
    """An action arising, numbered across all meetings (Action 1, 2, ... never reused)."""

    number: int
    meeting_id: int  # the meeting that raised it
    text: str
    owner: str | None = None
    due: date | None = None
    revised_due: date | None = None
    status: BoardActionStatus
    progress: str | None = None
    risk_ref: str | None = None
    created_at: str
    updated_at: str
    closed_at: str | None = None
    closed_meeting_id: int | None = None  # the meeting that closed or withdrew it
    withdrawn_reason: str | None = None
    ew_ref: str | None = None  # an action on an NEC early warning (issue 14)

    @property
    def live(self) -> bool:
        """Open or in progress (not closed, not withdrawn)."""
        return not self.status.finished


class ActionUpdate(_Model):
    id: int
    action_number: int
    meeting_id: int | None
    status: str | None
    progress: str | None
    revised_due: date | None
    owner: str | None
    at: str
    withdrawn_reason: str | None = None


class ActionLogEntry(_Model):
    """One line of a meeting's action log (matters arising): an action raised at an
    earlier meeting and still open when this one began, as it stood at the end of this
    meeting. Closed here means it is reported once and then drops off."""

    action: BoardAction
    raised_meeting_date: date | None
    updates: list[ActionUpdate]  # what this meeting recorded against it
    closed_here: bool
    withdrawn_here: bool = False  # withdrawn at this meeting: reported once, then dropped


class Escalation(_Model):
    id: int
    meeting_id: int
    ref: str
    target: EscalationTarget
    direction: str  # escalate / de-escalate
    source: str | None = None  # de-escalation: the register the risk leaves
    reason: str | None = None
    exposure: float | None = None
    proposed_owner: str | None = None
    status: EscalationStatus
    decided_at: str | None = None
    decided_meeting_id: int | None = None
    decision_note: str | None = None
    risk_title: str | None = None
    risk_score: int | None = None
    created_at: str

    @property
    def target_name(self) -> str:
        return ESCALATION_TARGET_NAMES[self.target]


class AuditEntry(_Model):
    id: int
    at: str
    meeting_id: int | None
    actor: str | None
    origin: str | None = None  # where the change came from (meeting app, command line)
    entity: str
    entity_id: str | None
    change: str
    before: dict[str, object] | None
    after: dict[str, object] | None
    row_hash: str | None = None  # this row's link in the audit chain


class Approval(_Model):
    """The approval of a meeting's minutes as a correct record (append-only)."""

    id: int
    meeting_id: int  # the meeting whose minutes were approved
    approving_meeting_id: int
    approved_at: str
    content_hash: str  # sha256 of the record at approval
    record_version: int  # the record layout that was hashed
    amendment: str | None = None
    quorum: QuorumStatus | None = None  # as it stood at approval (None before it was kept)
    # the audit log's last row when approved ({"id": N, "hash": H}; None before it was kept)
    chain_head: dict[str, Any] | None = None


class VerifyResult(_Model):
    meeting_id: int
    approved: bool
    stored_hash: str | None
    computed_hash: str
    ok: bool  # approved and every check passed
    message: str  # the verdict, one line
    # every problem found, one sentence each (the first is in ``message``)
    findings: list[str] = Field(default_factory=list)
    recorded_hash: str | None = None  # the hash in the approval's own records
    approved_at: str | None = None
