"""Flags: a month's snapshots in, flags out. Pure functions, no I/O.

The rules (DOMAIN.md and issue 2), for risks that are not closed:

- ``stale_action``: the risk has open actions and none was updated in the month. An
  action counts as updated when its last-updated date falls on or after the first of
  the board month (an update made after month end but before the report ran still
  counts). Where the export has no last-updated date for an action, it counts as
  updated only when its text or progress differs from the previous month's snapshot
  (or it is new this month); with no earlier month to compare, there is no evidence of
  an update and it is flagged. A risk whose actions are all complete is not stale.
- ``no_action``, ``no_strategy`` (blank), ``unknown_strategy`` (text kept as written).
- ``overdue_action``: an action not complete whose due date is before the export's
  report date (month end if none).
- ``score_increased``: current score above the previous month's.
- ``new_risk``: present now, absent from the previous month (only when it has data).
- ``missing_from_export``: open in the previous month, absent now.
- ``escalation_candidate``: current score at or above the directorate or corporate
  threshold; details say which register.
- ``unreadable_value``: a cell of the risk or its actions held something that could not
  be read as its field (a score, likelihood, impact, date, status or strategy); details
  list each cell (field, sheet, row, column, text). A closed risk is not flagged.

"Previous month" is the latest earlier month that has data, so a month the contractor
skipped does not hide changes; the details name the month compared with.
"""

from __future__ import annotations

import calendar
import functools
from collections.abc import Sequence
from datetime import date

from riskboard.config import Config
from riskboard.domain import Action, EscalationTarget, Flag, FlagCode, Risk, ref_key, uk_date
from riskboard.flag_details import (
    EscalationCandidateDetail,
    FlagDetail,
    MissingFromExportDetail,
    NewRiskDetail,
    OverdueAction,
    OverdueActionDetail,
    ScoreIncreasedDetail,
    StaleActionDetail,
    StaleActionEvidence,
    UnknownStrategyDetail,
    UnreadableValueDetail,
)

COMPLETE = {"complete", "completed", "closed", "done"}


def month_bounds(month: str) -> tuple[date, date]:
    """First and last day of a YYYY-MM month."""
    year, mon = int(month[:4]), int(month[5:7])
    return date(year, mon, 1), date(year, mon, calendar.monthrange(year, mon)[1])


def _as_date(value: object) -> date | None:
    if type(value) is date:
        return value
    if value is None or value == "":
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def action_is_complete(action: Action) -> bool:
    return _complete(action.status)


@functools.lru_cache(maxsize=256)  # a register repeats a handful of statuses
def _complete(status: str | None) -> bool:
    return (status or "").strip().lower() in COMPLETE


def _action_key(action: Action, seq: int) -> str:
    return f"ref:{action.action_ref}" if action.action_ref else f"seq:{seq}"


def _updated(
    action: Action, seq: int, month_start: date, previous: dict[str, Action] | None
) -> tuple[bool, str | date]:
    """Whether the action shows an update in the month, and the evidence: in words, or
    the last-updated date (worded by ``_evidence`` only for the risks flagged)."""
    last = _as_date(action.last_updated)
    if last is not None:
        return last >= month_start, last
    if previous is None:
        return False, "no last-updated date and no earlier month to compare"
    before = previous.get(_action_key(action, seq))
    if before is None:
        by_text = [p for p in previous.values() if p.text == action.text]
        before = by_text[0] if by_text else None
    if before is None:
        return True, "new action this month"
    if (before.text or "") == (action.text or "") and (before.progress or "") == (
        action.progress or ""
    ):
        return False, "no last-updated date; text and progress unchanged from last month"
    return True, "progress changed since last month"


def _evidence(why: str | date) -> str:
    return f"last updated {uk_date(why)}" if isinstance(why, date) else why


class _Previous:
    """The previous month's risks by reference. Month to month a reference matches
    ignoring case, spaces, invisible characters and the kind of dash (``ref_key``);
    nearly every risk keeps its exact spelling, so that is looked up first and the
    keyed table is built only on the first miss (3x fewer ref_key calls at 16,000 risks)."""

    def __init__(self, risks: Sequence[Risk]) -> None:
        self.exact = {r.ref: r for r in risks}
        self._keyed: dict[str, Risk] | None = None

    def get(self, ref: str) -> Risk | None:
        hit = self.exact.get(ref)
        if hit is None:
            if self._keyed is None:
                self._keyed = {ref_key(r.ref): r for r in self.exact.values()}
            hit = self._keyed.get(ref_key(ref))
        return hit


def compute_flags(
    current: Sequence[Risk],
    previous: Sequence[Risk] | None,
    *,
    month: str,
    report_date: date | None,
    config: Config,
    previous_month: str | None = None,
) -> list[Flag]:
    """Flags for every risk of ``month`` that has any; sorted by ref."""
    month_start, month_end = month_bounds(month)
    as_of = report_date or month_end
    prev_by_ref = _Previous(previous) if previous is not None else None
    befores = [prev_by_ref.get(r.ref) for r in current] if prev_by_ref else [None] * len(current)
    matched = {id(b) for b in befores if b is not None}
    thresholds = config.escalation
    out: list[Flag] = []

    for risk, before in zip(current, befores, strict=True):
        if risk.is_closed():
            continue
        codes: list[FlagCode] = []
        details: dict[FlagCode, FlagDetail] = {}
        open_actions = [a for a in risk.actions if not _complete(a.status)]

        if not risk.actions:
            codes.append(FlagCode.NO_ACTION)
        elif open_actions:
            prev_actions = None
            if prev_by_ref is not None:
                prev_actions = (
                    {_action_key(a, i): a for i, a in enumerate(before.actions)}
                    if before and before.actions
                    else {}
                )
            # most risks have an updated action: the evidence is worded only for the rest
            if not any(
                _updated(action, seq, month_start, prev_actions)[0]
                for seq, action in enumerate(risk.actions)
            ):
                evidence = [
                    StaleActionEvidence(
                        action=action.action_ref or action.text,
                        evidence=_evidence(_updated(action, seq, month_start, prev_actions)[1]),
                    )
                    for seq, action in enumerate(risk.actions)
                ]
                last_dates = [d for a in risk.actions if (d := _as_date(a.last_updated))]
                codes.append(FlagCode.STALE_ACTION)
                details[FlagCode.STALE_ACTION] = StaleActionDetail(
                    last_update=max(last_dates) if last_dates else None,
                    month_start=month_start,
                    actions=evidence,
                )

        if risk.unreadable:
            codes.append(FlagCode.UNREADABLE_VALUE)
            details[FlagCode.UNREADABLE_VALUE] = UnreadableValueDetail(risk.unreadable)

        if not (risk.strategy_text or "").strip() and not risk.strategy:
            codes.append(FlagCode.NO_STRATEGY)
        elif not risk.strategy:
            codes.append(FlagCode.UNKNOWN_STRATEGY)
            details[FlagCode.UNKNOWN_STRATEGY] = UnknownStrategyDetail(
                strategy_text=risk.strategy_text
            )

        overdue = [
            OverdueAction(action=a.action_ref or a.text, due=d, owner=a.owner)
            for a in open_actions
            if (d := _as_date(a.due)) is not None and d < as_of
        ]
        if overdue:
            codes.append(FlagCode.OVERDUE_ACTION)
            details[FlagCode.OVERDUE_ACTION] = OverdueActionDetail(as_of=as_of, actions=overdue)

        if (
            before is not None
            and before.current_score is not None
            and risk.current_score is not None
            and risk.current_score > before.current_score
        ):
            codes.append(FlagCode.SCORE_INCREASED)
            details[FlagCode.SCORE_INCREASED] = ScoreIncreasedDetail(
                previous_score=before.current_score,
                current_score=risk.current_score,
                previous_month=previous_month,
            )

        if prev_by_ref is not None and before is None:
            codes.append(FlagCode.NEW_RISK)
            details[FlagCode.NEW_RISK] = NewRiskDetail(previous_month=previous_month)

        score = risk.current_score
        if score is not None and score >= thresholds.directorate:
            register = "corporate" if score >= thresholds.corporate else "directorate"
            codes.append(FlagCode.ESCALATION_CANDIDATE)
            details[FlagCode.ESCALATION_CANDIDATE] = EscalationCandidateDetail(
                register=register,
                current_score=score,
                threshold=getattr(thresholds, register),
            )

        if codes:
            out.append(_flag(risk, codes, details))

    if prev_by_ref is not None:
        for gone in prev_by_ref.exact.values():
            if id(gone) not in matched and not gone.is_closed():
                out.append(
                    _flag(
                        gone,
                        [FlagCode.MISSING_FROM_EXPORT],
                        {
                            FlagCode.MISSING_FROM_EXPORT: MissingFromExportDetail(
                                previous_month=previous_month, previous_score=gone.current_score
                            )
                        },
                    )
                )
    out.sort(key=lambda f: f.ref)
    return out


def escalation_routes(risk: Risk, config: Config) -> list[EscalationTarget]:
    """Where the board should consider sending a risk (DOMAIN.md, configurable):
    the Directorate or Corporate register by current score, and financial implications
    to the Operations Board (quantified exposure or a financial category), then the
    Strategic Partnering Board and the Financial & Commercial Cluster Group by exposure."""
    routes: list[EscalationTarget] = []
    esc = config.escalation
    score = risk.current_score
    if score is not None and score >= esc.corporate:
        routes.append(EscalationTarget.CORPORATE)
    elif score is not None and score >= esc.directorate:
        routes.append(EscalationTarget.DIRECTORATE)
    fin = esc.financial
    exposure = risk.exposure or 0
    financial_category = (risk.category or "").strip().lower() in {
        c.lower() for c in fin.categories
    }
    if fin.operations_board and (exposure > 0 or financial_category):
        routes.append(EscalationTarget.OPERATIONS_BOARD)
    if fin.strategic_board_min_gbp is not None and exposure >= fin.strategic_board_min_gbp > 0:
        routes.append(EscalationTarget.STRATEGIC_BOARD)
    if fin.fc_cluster_min_gbp is not None and exposure >= fin.fc_cluster_min_gbp > 0:
        routes.append(EscalationTarget.FC_CLUSTER)
    return routes


_ORDER = {c: i for i, c in enumerate(FlagCode)}


def _flag(risk: Risk, codes: list[FlagCode], details: dict[FlagCode, FlagDetail]) -> Flag:
    order = _ORDER
    return Flag(
        ref=risk.ref,
        title=risk.title,
        annex=risk.annex,
        owner=risk.owner,
        flags=sorted(codes, key=order.__getitem__),
        details={k.value: v for k, v in details.items()},
    )
