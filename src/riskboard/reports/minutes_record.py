"""The meeting record as the minutes exporter reads it.

``board.record.meeting_record(db, meeting_id)`` returns a JSON-able dict; these models
are the exact part of it the exporters consume (unknown keys are ignored, so the
meeting service may record more). Keep them in step with ``board.record``.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator


class _Rec(BaseModel):
    model_config = ConfigDict(extra="ignore")


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value] if value.strip() else []
    return [str(v) for v in value if v is not None and str(v).strip()]


class RecMeeting(_Rec):
    id: int
    meeting_date: date
    month: str
    chair: str | None = None
    minute_taker: str | None = None
    status: str = "draft"
    next_meeting_date: date | None = None
    previous_meeting_id: int | None = None
    close_forced_reason: str | None = None
    opened_at: str | None = None  # ISO timestamps (UTC)
    closed_at: str | None = None
    ew_register_due: date | None = None  # frozen at the close (record version 6)
    ew_register_due_days: int | None = None


class RecAttendee(_Rec):
    name: str
    organisation: str = "other"
    role: str | None = None
    lead_officer: bool = True  # a member of the board (counts towards the quorum)
    left_at: str | None = None  # left during the meeting (UTC ISO)


class RecAttendance(_Rec):
    present: list[RecAttendee] = Field(default_factory=list)
    apologies: list[RecAttendee] = Field(default_factory=list)


class RecOrgQuorum(_Rec):
    organisation: str
    required: int
    present: int


class RecQuorum(_Rec):
    met: bool
    by_organisation: list[RecOrgQuorum] = Field(default_factory=list)


class RecMeetingRef(_Rec):
    id: int | None = None
    meeting_id: int | None = None
    meeting_date: date
    amendment: str | None = None
    quorum: RecQuorum | None = None  # as it stood when these minutes were approved


class RecPreviousMinutes(_Rec):
    previous_meeting: RecMeetingRef | None = None
    approved_here: list[RecMeetingRef] = Field(default_factory=list)
    note: str | None = None


class RecReview(_Rec):
    ref: str
    strategy: str | None = None
    rationale: str | None = None
    review_by: date | None = None
    note: str | None = None
    decision: str | None = None
    reviewed: bool = False
    risk_title: str | None = None
    risk_annex: str | None = None
    risk_owner: str | None = None
    risk_score: int | None = None
    risk_month: str | None = None  # an earlier month: missing from the board month's export
    # the board month's register row as the board saw it (``board.risk_facts``); None on
    # reviews recorded before it was pinned (the minutes then read the register)
    risk_facts: dict[str, Any] | None = None


class RecAction(_Rec):
    number: int
    meeting_id: int | None = None
    text: str
    owner: str | None = None
    due: date | None = None
    revised_due: date | None = None
    status: str = "open"
    progress: str | None = None
    risk_ref: str | None = None
    withdrawn_reason: str | None = None
    ew_ref: str | None = None  # an action on an NEC early warning

    @property
    def withdrawn(self) -> bool:
        return self.status == "withdrawn"


class RecActionLogEntry(_Rec):
    """An action raised at an earlier meeting, as it stood at the end of this one."""

    action: RecAction
    raised_meeting_date: date | None = None
    closed_here: bool = False
    withdrawn_here: bool = False


class RecEscalation(_Rec):
    meeting_id: int | None = None
    ref: str
    target: str
    direction: str = "escalate"
    source: str | None = None
    reason: str | None = None
    exposure: float | None = None
    proposed_owner: str | None = None
    status: str = "proposed"
    decided_at: str | None = None
    decision_note: str | None = None
    risk_title: str | None = None
    risk_score: int | None = None
    created_at: str | None = None


class RecEwDecision(_Rec):
    """A decision on an NEC early warning, with the early warning as the board saw it."""

    ew_ref: str
    decision: str  # keep_open / remove / compensation_event
    reason: str | None = None
    ce_ref: str | None = None
    ew_month: str | None = None
    ew_description: str | None = None
    ew_status: str | None = None
    ew_linked_risk: str | None = None


class RecEwNotice(_Rec):
    """An early warning notice drafted at the meeting (the board giving early warning)."""

    ew_ref: str
    risk_ref: str | None = None
    escalation_id: int | None = None
    matter: str | None = None
    proposed_meeting: date | None = None


class RecApproval(_Rec):
    approved: bool = False
    approved_at: str | None = None
    content_hash: str | None = None
    amendment: str | None = None  # approved subject to it


class RecBusinessRef(_Rec):
    entity: str
    entity_id: str | None = None
    change: str = ""


class RecDeparture(_Rec):
    name: str
    organisation: str = "other"
    at: str
    after: RecBusinessRef | None = None
    returned_at: str | None = None
    quorate_after: bool = True


class RecInquorate(_Rec):
    start_at: str
    start_by: str
    end_at: str | None = None
    end_by: str | None = None
    business: int = 0


class RecQuorumHistory(_Rec):
    """``board.quorum_history.QuorumHistory``: the quorum while business was done."""

    business: int = 0
    departures: list[RecDeparture] = Field(default_factory=list)
    inquorate: list[RecInquorate] = Field(default_factory=list)
    business_before_quorum: int = 0


class MeetingRecord(_Rec):
    """The shape of ``board.record.meeting_record`` this module reads."""

    meeting: RecMeeting
    attendance: RecAttendance = Field(default_factory=RecAttendance)
    quorum: RecQuorum | None = None
    quorum_history: RecQuorumHistory | None = None
    declarations: list[str] = Field(default_factory=list)
    previous_minutes: RecPreviousMinutes = Field(default_factory=RecPreviousMinutes)
    action_log: list[RecActionLogEntry] = Field(default_factory=list)
    reviews: list[RecReview] = Field(default_factory=list)
    actions_arising: list[RecAction] = Field(default_factory=list)
    escalations: list[RecEscalation] = Field(default_factory=list)  # raised at the meeting
    escalation_decisions: list[RecEscalation] = Field(default_factory=list)  # earlier ones
    early_warnings: list[RecEwDecision] = Field(default_factory=list)  # decided at the meeting
    ew_notices: list[RecEwNotice] = Field(default_factory=list)  # notices drafted there
    aob: list[str] = Field(default_factory=list)
    approval: RecApproval = Field(default_factory=RecApproval)

    _lists = field_validator("declarations", "aob", mode="before")(_as_list)
