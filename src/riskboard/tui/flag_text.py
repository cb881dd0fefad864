"""Why a flag fired, in words a board member reads aloud. Pure Python."""

from __future__ import annotations

from typing import Any

from riskboard.domain import (
    ESCALATION_TARGET_NAMES,
    FLAG_LABELS,
    EscalationTarget,
    FlagCode,
    uk_date,
)


def _d(details: dict[str, Any], code: str) -> dict[str, Any]:
    value = details.get(code)
    return value if isinstance(value, dict) else {}


def flag_reasons(code: str, details: dict[str, Any]) -> list[str]:
    """The headline and evidence lines for one flag of a risk."""
    d = _d(details, code)
    label = FLAG_LABELS.get(code, code)  # type: ignore[call-overload]
    if code == FlagCode.STALE_ACTION:
        last = uk_date(d.get("last_update"), "never recorded")
        lines = [
            f"{label}: last update {last} (the month began {uk_date(d.get('month_start'), '?')})"
        ]
        for a in d.get("actions") or []:
            lines.append(f"   - {a.get('action') or 'action'}: {a.get('evidence', '')}")
        return lines
    if code == FlagCode.UNKNOWN_STRATEGY:
        return [f"{label}: the export says {d.get('strategy_text')!r}"]
    if code == FlagCode.NO_STRATEGY:
        return [f"{label}: the export gives no strategy for this risk"]
    if code == FlagCode.NO_ACTION:
        return [f"{label}: the export lists no action against this risk"]
    if code == FlagCode.OVERDUE_ACTION:
        lines = [f"{label} (as of {uk_date(d.get('as_of'), '?')})"]
        for a in d.get("actions") or []:
            owner = f", owner {a['owner']}" if a.get("owner") else ""
            lines.append(f"   - {a.get('action') or 'action'}: due {uk_date(a.get('due'))}{owner}")
        return lines
    if code == FlagCode.SCORE_INCREASED:
        return [
            f"{label}: from {d.get('previous_score')} in {d.get('previous_month') or 'last month'}"
            f" to {d.get('current_score')}"
        ]
    if code == FlagCode.NEW_RISK:
        return [f"{label}: not in the {d.get('previous_month') or 'previous'} register"]
    if code == FlagCode.MISSING_FROM_EXPORT:
        return [
            f"{label}: open in the {d.get('previous_month') or 'previous'} register"
            f" (score {d.get('previous_score')}) but not in this month's export"
        ]
    if code == FlagCode.ESCALATION_CANDIDATE:
        register = str(d.get("register") or "directorate")
        try:
            name = ESCALATION_TARGET_NAMES[EscalationTarget(register)]
        except ValueError:
            name = register
        return [
            f"{label}: score {d.get('current_score')} is at or above the {register}"
            f" threshold {d.get('threshold')} - candidate for the {name}"
        ]
    if code == FlagCode.ACCEPTANCE_LAPSED:
        lines = [
            f"{label}: {d.get('strategy') or 'accepted'} at meeting {d.get('meeting_id')}"
            f" ({uk_date(d.get('meeting_date'), '?')}), review by"
            f" {uk_date(d.get('review_by'), '?')}"
        ]
        if d.get("decision"):
            lines.append(f"   - {d['decision']}")
        return lines
    return [label]


def suggested_target(details: dict[str, Any]) -> str | None:
    """The register an escalation candidate's score points at (directorate / corporate)."""
    register = _d(details, FlagCode.ESCALATION_CANDIDATE).get("register")
    return str(register) if register else None
