"""Every flag's sentences, in one place: the CLI, the meeting app, the chase list and
the minutes all word a flag through these functions.

Three forms of each flag, from its typed details (``flag_details``):

- ``evidence``: the short form for a table cell ("16 -> 20", "due 30/09/2022");
- ``reasons``: the headline a board member reads aloud, then one line per piece of
  evidence (the review screen and the minutes);
- ``chase``: one sentence telling the risk owner what to supply (the chase list).

Dates are written dd/mm/yyyy by ``domain.uk_date`` everywhere.
"""

from __future__ import annotations

from collections.abc import Mapping

from riskboard.domain import (
    ESCALATION_TARGET_NAMES,
    FLAG_LABELS,
    EscalationTarget,
    FlagCode,
    month_name,
    month_short,
    uk_date,
)
from riskboard.flag_details import (
    AcceptanceLapsedDetail,
    EscalationCandidateDetail,
    EwActionOverdueDetail,
    EwLinkMismatchDetail,
    EwLinkProblem,
    EwMissingDetail,
    EwNoLinkedRiskDetail,
    EwRiskClosedDetail,
    EwUndecidedDetail,
    FlagDetail,
    MissingFromExportDetail,
    NewRiskDetail,
    NoEarlyWarningDetail,
    OverdueActionDetail,
    ScoreIncreasedDetail,
    StaleActionDetail,
    UnknownStrategyDetail,
    UnreadableCell,
    UnreadableValueDetail,
)

FOUR_TS = "accept, tolerate, treat, transfer or terminate"


def label(code: str) -> str:
    """The flag's name as the board reads it ("No action update this month")."""
    try:
        return FLAG_LABELS[FlagCode(code)]
    except ValueError:
        return code


# the register fields an unreadable cell can belong to, as the board reads them
FIELD_LABELS: dict[str, str] = {
    "current_score": "Score", "current_likelihood": "Likelihood", "current_impact": "Impact",
    "inherent_score": "Inherent score", "inherent_likelihood": "Inherent likelihood",
    "inherent_impact": "Inherent impact", "target_score": "Target score",
    "target_likelihood": "Target likelihood", "target_impact": "Target impact",
    "due": "Due date", "last_updated": "Last updated", "action_status": "Action status",
    "exposure": "Financial exposure", "action": "Action", "action_ref": "Action reference",
    "action_owner": "Action owner", "early_warning_ref": "Early warning reference",
    "compensation_event_ref": "Compensation event reference",
    "date_notified": "Date notified", "notified_by": "Notified by",
    "linked_risk": "Linked risk", "meeting_date": "Meeting date",
}  # fmt: skip


def field_label(field: str) -> str:
    """ "current_score" -> "Score", "due" -> "Due date", "owner" -> "Owner"."""
    return FIELD_LABELS.get(field) or field.replace("_", " ").capitalize()


def unreadable_sentence(cell: UnreadableCell) -> str:
    """ "Score: could not read 'High' in sheet Register, row 8, column Score"."""
    where = []
    if cell.sheet:
        where.append(f"sheet {cell.sheet}")
    if cell.row is not None:
        where.append(f"row {cell.row}")
    if cell.column:
        where.append(f"column {cell.column}")
    place = f" in {', '.join(where)}" if where else ""
    if cell.kind == "contradiction":
        return f"{field_label(cell.field)}: {cell.text!r}{place} {cell.reason or 'contradicts the row'}"
    return f"{field_label(cell.field)}: could not read {cell.text!r}{place}"


def _cells(detail: FlagDetail | None) -> list[UnreadableCell]:
    return list(detail.root) if isinstance(detail, UnreadableValueDetail) else []


def _target_name(register: str) -> str:
    try:
        return ESCALATION_TARGET_NAMES[EscalationTarget(register)]
    except ValueError:
        return register


def _gbp(amount: float) -> str:
    return f"£{amount:,.0f}"


def _refs(refs: list[str], none: str = "nothing") -> str:
    return ", ".join(refs) if refs else none


def link_problem(p: EwLinkProblem, month: str | None = None) -> str:
    """One disagreement between the two registers, in words."""
    register = f"the {month} early warning register" if month else "the early warning register"
    if p.named_by == "risk":
        if not p.ew_on_register:
            return f"risk {p.risk_ref} names early warning {p.ew_ref}, which is not on {register}"
        says = f"names risk {_refs(p.ew_says)}" if p.ew_says else "names no risk"
        return f"risk {p.risk_ref} names early warning {p.ew_ref}, but {p.ew_ref} {says}"
    says = f"names {_refs(p.risk_says)}" if p.risk_says else "names no early warning"
    return (
        f"early warning {p.ew_ref} names risk {p.risk_ref}, but the risk register's early"
        f" warning column for {p.risk_ref} {says}"
    )


def _weeks(n: int) -> str:
    return f"{n} week{'s' if n != 1 else ''}"


def evidence(code: str, detail: FlagDetail | None) -> str:
    """The short form, for a table cell."""
    if isinstance(detail, NoEarlyWarningDetail):
        return f"exposure {_gbp(detail.exposure)} >= {_gbp(detail.threshold)}"
    if isinstance(detail, EwLinkMismatchDetail):
        return "; ".join(link_problem(p) for p in detail.problems)
    if isinstance(detail, EwNoLinkedRiskDetail):
        if detail.not_on_register:
            return f"{_refs(detail.not_on_register)} not on the {detail.month} register"
        return "no linked risk given"
    if isinstance(detail, EwRiskClosedDetail):
        return f"{_refs(detail.risks)} closed in {detail.month}"
    if isinstance(detail, EwUndecidedDetail):
        return f"{_weeks(detail.weeks)} since {uk_date(detail.since)}"
    if isinstance(detail, EwActionOverdueDetail):
        return "; ".join(f"due {uk_date(a.due)}" for a in detail.actions)
    if isinstance(detail, EwMissingDetail):
        return f"last on the {detail.last_month} register"
    if isinstance(detail, OverdueActionDetail):
        return "; ".join(f"due {uk_date(a.due)}" for a in detail.actions)
    if isinstance(detail, ScoreIncreasedDetail):
        return f"{detail.previous_score} -> {detail.current_score}"
    if isinstance(detail, EscalationCandidateDetail):
        return f"{detail.register} (score {detail.current_score} >= {detail.threshold})"
    if isinstance(detail, UnknownStrategyDetail):
        return f"strategy {detail.strategy_text!r}"
    if isinstance(detail, StaleActionDetail):
        actions = detail.actions
        return actions[0].evidence if len(actions) == 1 else f"{len(actions)} actions, none updated"
    if isinstance(detail, MissingFromExportDetail):
        return f"open in {month_short(detail.previous_month, 'last month')}"
    if isinstance(detail, UnreadableValueDetail):
        return "; ".join(unreadable_sentence(c) for c in detail.root)
    if isinstance(detail, AcceptanceLapsedDetail):
        return (
            f"{detail.strategy} at meeting {detail.meeting_id}"
            f" ({uk_date(detail.meeting_date)}), review by {uk_date(detail.review_by)}"
        )
    return ""


def summary(code: str, detail: FlagDetail | None) -> str:
    """The flag's name, with the cells for an unreadable value (the minutes' flags line)."""
    if code in (FlagCode.UNREADABLE_VALUE, FlagCode.EW_LINK_MISMATCH):
        return f"{label(code)} ({evidence(code, detail)})"
    return label(code)


def reasons(code: str, detail: FlagDetail | None) -> list[str]:
    """The headline and evidence lines for one flag of a risk (review screen, minutes)."""
    name = label(code)
    if code == FlagCode.STALE_ACTION and isinstance(detail, StaleActionDetail):
        last = uk_date(detail.last_update, "never recorded")
        lines = [f"{name}: last update {last} (the month began {uk_date(detail.month_start)})"]
        lines += [f"   - {a.action or 'action'}: {a.evidence}" for a in detail.actions]
        return lines
    if code == FlagCode.UNREADABLE_VALUE:
        cells = _cells(detail)
        noun = "value" if len(cells) == 1 else "values"
        lines = [f"{name}: {len(cells)} {noun} in the export could not be read"]
        return lines + [f"   - {unreadable_sentence(c)}" for c in cells]
    if code == FlagCode.UNKNOWN_STRATEGY:
        text = detail.strategy_text if isinstance(detail, UnknownStrategyDetail) else None
        return [f"{name}: the export says {text!r}"]
    if code == FlagCode.NO_STRATEGY:
        return [f"{name}: the export gives no strategy for this risk"]
    if code == FlagCode.NO_ACTION:
        return [f"{name}: the export lists no action against this risk"]
    if code == FlagCode.OVERDUE_ACTION and isinstance(detail, OverdueActionDetail):
        lines = [f"{name} (as of {uk_date(detail.as_of)})"]
        for a in detail.actions:
            owner = f", owner {a.owner}" if a.owner else ""
            lines.append(f"   - {a.action or 'action'}: due {uk_date(a.due)}{owner}")
        return lines
    if code == FlagCode.SCORE_INCREASED and isinstance(detail, ScoreIncreasedDetail):
        return [
            f"{name}: from {detail.previous_score} in {month_name(detail.previous_month, 'last month')}"
            f" to {detail.current_score}"
        ]
    if code == FlagCode.NEW_RISK:
        month = detail.previous_month if isinstance(detail, NewRiskDetail) else None
        return [f"{name}: not in the {month_name(month, 'previous')} register"]
    if code == FlagCode.MISSING_FROM_EXPORT and isinstance(detail, MissingFromExportDetail):
        return [
            f"{name}: open in the {month_name(detail.previous_month, 'previous')} register"
            f" (score {detail.previous_score}) but not in this month's export"
        ]
    if code == FlagCode.ESCALATION_CANDIDATE and isinstance(detail, EscalationCandidateDetail):
        return [
            f"{name}: score {detail.current_score} is at or above the {detail.register}"
            f" threshold {detail.threshold} - candidate for the {_target_name(detail.register)}"
        ]
    if code == FlagCode.ACCEPTANCE_LAPSED and isinstance(detail, AcceptanceLapsedDetail):
        lines = [
            f"{name}: {detail.strategy or 'accepted'} at meeting {detail.meeting_id}"
            f" ({uk_date(detail.meeting_date, '?')}), review by"
            f" {uk_date(detail.review_by, '?')}"
        ]
        if detail.decision:
            lines.append(f"   - {detail.decision}")
        return lines
    if code == FlagCode.NO_EARLY_WARNING and isinstance(detail, NoEarlyWarningDetail):
        compared = (
            f"none on the {detail.ew_month} early warning register"
            if detail.ew_month
            else "no early warning register imported"
        )
        lines = [
            f"{name}: exposure {_gbp(detail.exposure)} is at or above {_gbp(detail.threshold)};"
            f" the risk register names no early warning and {compared} links to it"
        ]
        if detail.removed:
            lines.append(f"   - removed from the early warning register: {_refs(detail.removed)}")
        return lines
    if code == FlagCode.EW_LINK_MISMATCH and isinstance(detail, EwLinkMismatchDetail):
        lines = [f"{name}: the risk register and the early warning register disagree"]
        return lines + [f"   - {link_problem(p, detail.ew_month)}" for p in detail.problems]
    if code == FlagCode.EW_NO_LINKED_RISK and isinstance(detail, EwNoLinkedRiskDetail):
        if detail.not_on_register:
            return [
                f"{name}: it names {_refs(detail.not_on_register)}, not on the"
                f" {detail.month} risk register"
            ]
        return [f"{name}: no linked risk is given, and no risk names it"]
    if code == FlagCode.EW_RISK_CLOSED and isinstance(detail, EwRiskClosedDetail):
        noun = "risk" if len(detail.risks) == 1 else "risks"
        return [
            f"{name}: linked {noun} {_refs(detail.risks)} closed in the {detail.month} risk"
            " register while the early warning is still open"
        ]
    if code == FlagCode.EW_UNDECIDED and isinstance(detail, EwUndecidedDetail):
        lines = [
            f"{name}: open {_weeks(detail.weeks)} since {uk_date(detail.since)} (as of"
            f" {uk_date(detail.as_of)}; the limit is {_weeks(detail.limit_weeks)})"
        ]
        if detail.last_decision:
            lines.append(f"   - last decision: {detail.last_decision}")
        else:
            lines.append("   - no decision recorded since it was notified")
        return lines
    if code == FlagCode.EW_ACTION_OVERDUE and isinstance(detail, EwActionOverdueDetail):
        lines = [f"{name} (as of {uk_date(detail.as_of)})"]
        for a in detail.actions:
            owner = f", owner {a.owner}" if a.owner else ""
            lines.append(f"   - {a.action or 'action'}: due {uk_date(a.due)}{owner}")
        return lines
    if code == FlagCode.EW_MISSING and isinstance(detail, EwMissingDetail):
        return [
            f"{name}: open on the {detail.last_month} early warning register, not on the"
            f" {detail.ew_month} one, and the board has not removed it - shown as last"
            " entered"
        ]
    return [name]


def chase(code: str, detail: FlagDetail | None, *, to_owner: bool = False) -> str:
    """One flag as a sentence an owner can act on (the chase list). ``to_owner``: the
    form said to the owner themself (their email), where the chase list's form speaks
    to the officer who sends it ("ask the contractor to correct the register")."""
    name = label(code)
    if code == FlagCode.STALE_ACTION:
        last = detail.last_update if isinstance(detail, StaleActionDetail) else None
        since = f"last update {uk_date(last)}" if last else "no update date recorded"
        return f"{name} ({since}): update every open action, even if there is no progress"
    if code == FlagCode.UNREADABLE_VALUE:
        what = "; ".join(unreadable_sentence(c) for c in _cells(detail))
        if to_owner:
            return f"{name}: please correct the register: {what}"
        return f"{name}: {what} - ask the contractor to correct the register"
    if code == FlagCode.NO_STRATEGY:
        return f"{name}: record {FOUR_TS}"
    if code == FlagCode.UNKNOWN_STRATEGY:
        text = detail.strategy_text if isinstance(detail, UnknownStrategyDetail) else None
        return f"{name} (says {text!r}): restate as {FOUR_TS}"
    if code == FlagCode.NO_ACTION:
        return f"{name}: add at least one action with an owner and a due date"
    if code == FlagCode.OVERDUE_ACTION:
        parts = []
        if isinstance(detail, OverdueActionDetail):
            for a in detail.actions:
                who = f", {a.owner}" if a.owner else ""
                parts.append(f"{a.action or 'action'} due {uk_date(a.due)}{who}")
        what = "; ".join(parts) or "an action is past its due date"
        return f"{name}: {what} - complete it or give a revised date"
    if code == FlagCode.SCORE_INCREASED and isinstance(detail, ScoreIncreasedDetail):
        since = f" since {month_name(detail.previous_month)}" if detail.previous_month else ""
        return (
            f"{name} from {detail.previous_score} to {detail.current_score}{since}:"
            " explain why and what is being done"
        )
    if code == FlagCode.NEW_RISK:
        return f"{name}: confirm the owner, strategy and actions"
    if code == FlagCode.MISSING_FROM_EXPORT:
        month = detail.previous_month if isinstance(detail, MissingFromExportDetail) else None
        when = f" (open in {month_name(month)})" if month else ""
        return f"{name}{when}: confirm it was closed, or have it restored in IRIS"
    if code == FlagCode.ESCALATION_CANDIDATE and isinstance(detail, EscalationCandidateDetail):
        return (
            f"{name}: score {detail.current_score} reaches the {detail.register} register"
            f" threshold ({detail.threshold}) - be ready to discuss escalation"
        )
    if code == FlagCode.ACCEPTANCE_LAPSED:
        lapsed = detail if isinstance(detail, AcceptanceLapsedDetail) else None
        strategy = lapsed.strategy if lapsed else "acceptance"
        decided = uk_date(lapsed.meeting_date if lapsed else None, "?")
        review_by = uk_date(lapsed.review_by if lapsed else None, "?")
        return (
            f"{name}: the board's {strategy} decision of {decided} was to be reviewed by"
            f" {review_by} - be ready to say whether it still stands"
        )
    if code == FlagCode.NO_EARLY_WARNING and isinstance(detail, NoEarlyWarningDetail):
        return (
            f"{name}: exposure {_gbp(detail.exposure)} reaches {_gbp(detail.threshold)} -"
            " notify an early warning (NEC clause 15) or say why none is needed"
        )
    if code == FlagCode.EW_LINK_MISMATCH and isinstance(detail, EwLinkMismatchDetail):
        what = "; ".join(link_problem(p, detail.ew_month) for p in detail.problems)
        return f"{name}: {what} - correct whichever register is wrong"
    if code == FlagCode.EW_NO_LINKED_RISK:
        return f"{name}: name the contract risk it belongs to, or add one to the risk register"
    if code == FlagCode.EW_RISK_CLOSED:
        return f"{name}: remove the early warning, or reopen the risk"
    if code == FlagCode.EW_UNDECIDED and isinstance(detail, EwUndecidedDetail):
        return (
            f"{name} for {_weeks(detail.weeks)}: bring it to the early warning meeting for a"
            " decision"
        )
    if code == FlagCode.EW_ACTION_OVERDUE:
        parts = []
        if isinstance(detail, EwActionOverdueDetail):
            for a in detail.actions:
                who = f", {a.owner}" if a.owner else ""
                parts.append(f"{a.action or 'action'} due {uk_date(a.due)}{who}")
        what = "; ".join(parts) or "an action is past its date"
        return f"{name}: {what} - complete it or give a revised date"
    if code == FlagCode.EW_MISSING and isinstance(detail, EwMissingDetail):
        return (
            f"{name}: open on the {detail.last_month} register, left off the"
            f" {detail.ew_month} one - put it back, or say when it was removed"
        )
    return name


def suggested_target(details: Mapping[str, FlagDetail]) -> str | None:
    """The register an escalation candidate's score points at (directorate / corporate)."""
    detail = details.get(FlagCode.ESCALATION_CANDIDATE.value)
    return detail.register if isinstance(detail, EscalationCandidateDetail) else None


def unreadable_cells(details: Mapping[str, FlagDetail]) -> list[UnreadableCell]:
    """The cells behind a risk's ``unreadable_value`` flag (none if it has no such flag)."""
    return _cells(details.get(FlagCode.UNREADABLE_VALUE.value))
