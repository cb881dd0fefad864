"""The content of a meeting's minutes, ready to render: numbered items made of
paragraphs, fact lists and tables, plus typed rows for the xlsx sheets.

Built once by ``minutes_model.build_minutes``; ``minutes_docx``, ``minutes_xlsx`` and
``minutes_md`` only decide how each block looks.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, Field

from riskboard.domain import long_date as long_date
from riskboard.domain import uk_date as uk_date


class Para(BaseModel):
    kind: Literal["para"] = "para"
    text: str
    lead: str | None = None  # bold lead-in, e.g. "RESOLVED:"


class Facts(BaseModel):
    kind: Literal["facts"] = "facts"
    pairs: list[tuple[str, str]]
    rag: str | None = None  # band of the "Current score" fact, for colour


class Table(BaseModel):
    kind: Literal["table"] = "table"
    headers: list[str]
    rows: list[list[str]]
    sheet: str | None = None  # the xlsx sheet holding the same rows, if any
    empty: str = "None."


Block = Para | Facts | Table


class Item(BaseModel):
    number: int
    title: str
    kind: str
    ref: str | None = None
    blocks: list[Block] = Field(default_factory=list)


class DecisionRow(BaseModel):
    item: int
    ref: str
    title: str | None
    annex: str | None
    owner: str | None
    likelihood: int | None
    impact: int | None
    score: int | None
    rag: str | None
    previous_score: int | None
    direction: str
    flags: list[str]
    strategy: str | None  # the board's: decided at this meeting, else standing from earlier
    rationale: str | None
    review_by: date | None
    discussion: str | None
    decision: str | None  # as typed (tidied), else worded from the strategy decided here
    actions: list[int]
    # "Action 3: Prepare a costed bid - Anil Mistry, due 31/10/2022", one per action
    action_lines: list[str] = Field(default_factory=list)
    missing_from: str | None = None  # reviewed against this earlier month's export
    strategy_decided_on: date | None = None  # when the standing strategy was decided (if earlier)
    strategy_review_by: date | None = None  # its review-by date (if decided earlier)
    export_strategy: str | None = None  # as the export gives it
    missing: bool = False  # not in the board month's export: the score is the last known


class EscalationRow(BaseModel):
    item: int
    ref: str
    title: str | None
    target: str
    direction: str
    score: int | None
    rag: str | None
    reason: str | None
    exposure: float | None
    proposed_owner: str | None
    status: str  # "Accepted – the decision note as typed", "Proposed"
    earlier: bool = False  # proposed at an earlier meeting, decided at this one


class ActionRow(BaseModel):
    number: int
    source: Literal["carried", "new"]
    raised: date | None  # date of the meeting that raised it
    closed_here: bool = False  # closed at this meeting: reported once, then drops off
    risk_ref: str | None
    text: str
    owner: str | None
    due: date | None
    revised_due: date | None
    status: str
    progress: str | None
    withdrawn_reason: str | None = None
    ew_ref: str | None = None  # an action on an NEC early warning

    @property
    def withdrawn(self) -> bool:
        return self.status == "withdrawn"


class EwDecisionRow(BaseModel):
    """A decision on an NEC early warning at the meeting (the minutes' early warnings item)."""

    item: int
    ref: str
    matter: str | None
    linked_risk: str | None
    decision: str  # in words, with the reason and CE ref
    status: str  # the register's status once the decision is applied
    ce_ref: str | None
    actions: list[int]


class Minutes(BaseModel):
    board: str
    council: str
    meeting_id: int
    meeting_date: date
    month: str
    chair: str | None
    minute_taker: str | None
    approved_on: date | None
    items: list[Item]
    decisions: list[DecisionRow]
    escalations: list[EscalationRow]
    actions: list[ActionRow]
    header: list[tuple[str, str]]  # the title block, label -> value
    closing: list[Block] = Field(default_factory=list)  # after the items: the signature
    early_warnings: list[EwDecisionRow] = Field(default_factory=list)

    @property
    def approved(self) -> bool:
        return self.approved_on is not None

    @property
    def status_label(self) -> str:
        return f"APPROVED {uk_date(self.approved_on)}" if self.approved_on else "DRAFT"

    @property
    def title(self) -> str:
        return f"{self.board}: minutes of the meeting held on {long_date(self.meeting_date)}"

    def minute_ref(self, ref: str) -> str:
        """The minute recording ``ref`` (its review item, else the escalations item)."""
        number = next((i.number for i in self.items if i.ref == ref), None)
        if number is None:
            number = next(i.number for i in self.items if i.kind == "escalations")
        return f"Minute {number}, {uk_date(self.meeting_date)}"

    def file_stem(self) -> str:
        return f"minutes_{self.month}_meeting_{self.meeting_date.isoformat()}"
