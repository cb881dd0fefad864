"""The evidence behind each flag, as typed models (one per flag code).

``compute_flags`` builds them; ``flag_text`` words them for the CLI, the meeting app,
the chase list and the minutes; ``flags --json`` and the ``flag_results`` table hold
their JSON form (dates as ISO text). No riskboard imports here: ``domain.Flag`` holds
these models, so this module sits below it.
"""

from __future__ import annotations

import warnings
from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, RootModel


class _Detail(BaseModel):
    model_config = ConfigDict(frozen=True)


class StaleActionEvidence(_Detail):
    action: str | None = None  # the action's reference, else its text
    evidence: str  # why it does not count as updated this month, in words


class StaleActionDetail(_Detail):
    last_update: date | None = None  # the latest last-updated date of the risk's actions
    month_start: date
    actions: list[StaleActionEvidence] = []


class UnknownStrategyDetail(_Detail):
    strategy_text: str | None = None  # as written in the export


class OverdueAction(_Detail):
    action: str | None = None
    due: date
    owner: str | None = None


class OverdueActionDetail(_Detail):
    as_of: date  # the export's report date, else the month end
    actions: list[OverdueAction] = []


class ScoreIncreasedDetail(_Detail):
    previous_score: int
    current_score: int
    previous_month: str | None = None  # YYYY-MM


class NewRiskDetail(_Detail):
    previous_month: str | None = None


class MissingFromExportDetail(_Detail):
    previous_month: str | None = None
    previous_score: int | None = None


# "register" is also a method of the models' metaclass (ABCMeta.register); an
# instance's field is unaffected, so pydantic's warning about it is silenced here
with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message='Field name "register"')

    class EscalationCandidateDetail(_Detail):
        register: Literal["directorate", "corporate"]
        current_score: int
        threshold: int


class AcceptanceLapsedDetail(_Detail):
    """The board's standing accept / tolerate decision whose review-by date has passed."""

    meeting_id: int
    meeting_date: date
    board_month: str  # the month that meeting reviewed (YYYY-MM)
    strategy: str  # accept / tolerate
    decision: str | None = None  # "RESOLVED: ..."
    rationale: str | None = None
    review_by: date | None = None


class NoEarlyWarningDetail(_Detail):
    """A risk whose quantified exposure reaches the early warning threshold, with no
    early warning linked to it in either register (``ew_flags``)."""

    exposure: float  # GBP, as the risk register gives it
    threshold: float  # GBP: ``[early_warnings] exposure_threshold_gbp`` or the routing one
    ew_month: str | None = None  # the early warning register compared with (None: none)
    removed: list[str] = []  # early warnings linked to it that were removed


class EwLinkProblem(_Detail):
    """One place where the risk register's early warning column and the early warning
    register's linked-risk column disagree."""

    risk_ref: str
    ew_ref: str
    # who names whom: "risk" - the risk's EW column names the early warning; "early_warning"
    # - the early warning's linked-risk column names the risk
    named_by: Literal["risk", "early_warning"]
    risk_says: list[str] = []  # the early warnings the risk's own column names
    ew_says: list[str] = []  # the risks the early warning's column names
    ew_on_register: bool = True  # False: the risk names an EW the register does not hold


class EwLinkMismatchDetail(_Detail):
    ew_month: str | None = None  # the early warning register compared with
    problems: list[EwLinkProblem] = []


class EwNoLinkedRiskDetail(_Detail):
    linked_risk: str | None = None  # the linked-risk cell as written (None: blank)
    not_on_register: list[str] = []  # references it names that the month's register lacks
    month: str  # the risk register compared with (YYYY-MM)


class EwRiskClosedDetail(_Detail):
    risks: list[str]  # the linked risks the month's risk register shows closed
    month: str


class EwUndecidedDetail(_Detail):
    """Open longer than ``[early_warnings] undecided_weeks`` since it was notified or
    last decided."""

    since: date  # the date notified, or of the last decision
    weeks: int  # whole weeks from ``since`` to ``as_of``
    limit_weeks: int
    as_of: date  # the register's report date, else the month end
    date_notified: date | None = None
    last_decision: str | None = None  # in words, with where it was recorded
    last_decision_date: date | None = None


class EwActionOverdueDetail(_Detail):
    as_of: date
    actions: list[OverdueAction] = []


class EwMissingDetail(_Detail):
    """An early warning open on an earlier register and absent from this one, neither
    removed nor a compensation event by the board's decision: shown from its last entry."""

    last_month: str  # the register it was last on (YYYY-MM)
    ew_month: str  # the register it is missing from


class UnreadableCell(_Detail):
    """A cell that holds something but could not be read as its field."""

    field: str  # what the column is: "Score", "Likelihood", "Last updated", ...
    sheet: str | None = None
    row: int | None = None  # Excel row number
    column: str | None = None  # the column's header as written
    text: str  # the cell's text as written, or the Excel error ("#REF!")
    reason: str | None = None  # why it could not be read, in words
    # "contradiction": the cell was read but disagrees with the row (a score that is not
    # likelihood x impact); ``reason`` says what was used instead
    kind: Literal["contradiction"] | None = None


class UnreadableValueDetail(RootModel[list[UnreadableCell]]):
    """``flags --json`` gives this flag's details as a plain list of cells."""

    model_config = ConfigDict(frozen=True)


FlagDetail = (
    StaleActionDetail
    | UnknownStrategyDetail
    | OverdueActionDetail
    | ScoreIncreasedDetail
    | NewRiskDetail
    | MissingFromExportDetail
    | EscalationCandidateDetail
    | AcceptanceLapsedDetail
    | UnreadableValueDetail
    | NoEarlyWarningDetail
    | EwLinkMismatchDetail
    | EwNoLinkedRiskDetail
    | EwRiskClosedDetail
    | EwUndecidedDetail
    | EwActionOverdueDetail
    | EwMissingDetail
)
