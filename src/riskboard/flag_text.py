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
    FlagDetail,
    MissingFromExportDetail,
    NewRiskDetail,
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


def evidence(code: str, detail: FlagDetail | None) -> str:
    """The short form, for a table cell."""
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
    if code == FlagCode.UNREADABLE_VALUE:
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
    return name


def suggested_target(details: Mapping[str, FlagDetail]) -> str | None:
    """The register an escalation candidate's score points at (directorate / corporate)."""
    detail = details.get(FlagCode.ESCALATION_CANDIDATE.value)
    return detail.register if isinstance(detail, EscalationCandidateDetail) else None


def unreadable_cells(details: Mapping[str, FlagDetail]) -> list[UnreadableCell]:
    """The cells behind a risk's ``unreadable_value`` flag (none if it has no such flag)."""
    return _cells(details.get(FlagCode.UNREADABLE_VALUE.value))
