"""Early warning flags: the risk register and the early warning register side by side.
Pure functions - a month's risks and early warnings in, links and flags out; no I/O.

Links. An early warning and a risk are linked when the early warning's linked-risk
column names the risk, or the risk's "EW ref" column names the early warning (either
register; references matched ignoring case, spaces and the kind of dash, a cell may name
several). Where one register names the other and the other does not name it back, the
two disagree: ``ew_link_mismatch`` (on the risk and on the early warning). A register
that names nothing at all (a risk register with no EW column in use, an early warning
register with no linked-risk column in use) is not compared.

On an open risk (closed risks are never flagged):
- ``no_early_warning``: its quantified exposure is at or above the threshold
  (``EarlyWarningConfig.threshold``) and no open early warning (or one that became a
  compensation event) is linked to it.
- ``ew_link_mismatch``.

On an open early warning (removed ones and compensation events are never flagged):
- ``unreadable_value``: a cell of it or its actions could not be read;
- ``ew_no_linked_risk``: no risk on the month's risk register is linked to it;
- ``ew_risk_closed``: a risk linked to it is closed in the month's risk register;
- ``ew_link_mismatch``;
- ``ew_undecided``: more than ``undecided_weeks`` since it was notified or last decided
  (a decision recorded by the board, or one the register itself records);
- ``ew_action_overdue``: an action not complete whose date is before the as-of date (the
  register's report date, else the month end).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from riskboard.domain import FlagCode, Risk, ref_key
from riskboard.early_warning import EarlyWarning, EwStatus, split_refs
from riskboard.flag_details import (
    EwActionOverdueDetail,
    EwLinkMismatchDetail,
    EwLinkProblem,
    EwNoLinkedRiskDetail,
    EwRiskClosedDetail,
    EwUndecidedDetail,
    FlagDetail,
    NoEarlyWarningDetail,
    OverdueAction,
    UnreadableValueDetail,
)
from riskboard.flags import COMPLETE


@dataclass(frozen=True)
class LastDecision:
    """The latest decision on an early warning: when, and in words."""

    day: date
    words: str
    closes: bool = False  # the board removed it or recorded a compensation event


@dataclass
class CrossReference:
    """Who links to whom, in each register's own spelling."""

    risk_to_ews: dict[str, list[str]] = field(default_factory=dict)  # risk ref -> EW refs
    ew_to_risks: dict[str, list[str]] = field(default_factory=dict)  # EW ref -> risk refs
    problems: list[EwLinkProblem] = field(default_factory=list)
    # the month's risks by ref_key (built once, when an early warning names a risk)
    risk_keys: dict[str, Risk] = field(default_factory=dict)

    def problems_of_risk(self) -> dict[str, list[EwLinkProblem]]:
        """The disagreements by risk reference (one pass: a register can hold thousands)."""
        out: dict[str, list[EwLinkProblem]] = {}
        for p in self.problems:
            out.setdefault(p.risk_ref, []).append(p)
        return out

    def problems_of_ew(self) -> dict[str, list[EwLinkProblem]]:
        out: dict[str, list[EwLinkProblem]] = {}
        for p in self.problems:
            out.setdefault(p.ew_ref, []).append(p)
        return out


@dataclass
class Flagged:
    """The flags of one risk or early warning, in flag order, with their details."""

    codes: list[FlagCode] = field(default_factory=list)
    details: dict[str, FlagDetail] = field(default_factory=dict)

    def add(self, code: FlagCode, detail: FlagDetail | None = None) -> None:
        self.codes.append(code)
        if detail is not None:
            self.details[code.value] = detail


def cross_reference(risks: Sequence[Risk], ews: Sequence[EarlyWarning]) -> CrossReference:
    """The links between the month's risks and early warnings, and where the two
    registers disagree (only when both registers name links at all)."""
    ew_by_key = {ref_key(e.ref): e for e in ews}
    # only the risks naming an early warning (a few in a register of thousands)
    naming = {ref_key(r.ref): r for r in risks if r.early_warning_ref}
    risk_named = {rk: split_refs(r.early_warning_ref) for rk, r in naming.items()}
    ew_named = {ref_key(e.ref): e.linked_refs() for e in ews}
    # the whole register is needed only to find the risks early warnings name
    risk_by_key = {ref_key(r.ref): r for r in risks} if ew_named else naming
    risk_side = any(risk_named.values())
    ew_side = any(ew_named.values())
    out = CrossReference(risk_keys=risk_by_key)

    def link(risk_ref: str, ew_ref: str) -> None:
        ews_of = out.risk_to_ews.setdefault(risk_ref, [])
        if ew_ref not in ews_of:
            ews_of.append(ew_ref)
        risks_of = out.ew_to_risks.setdefault(ew_ref, [])
        if risk_ref not in risks_of:
            risks_of.append(risk_ref)

    for rk, named in risk_named.items():
        risk = risk_by_key[rk]
        for name in named:
            ek = ref_key(name)
            ew = ew_by_key.get(ek)
            link(risk.ref, ew.ref if ew else name)
            if not ews:
                continue  # no early warning register to compare with
            if ew is None:
                out.problems.append(
                    EwLinkProblem(risk_ref=risk.ref, ew_ref=name, named_by="risk",
                                  risk_says=named, ew_on_register=False)
                )  # fmt: skip
            elif ew_side and rk not in {ref_key(x) for x in ew_named[ek]}:
                out.problems.append(
                    EwLinkProblem(risk_ref=risk.ref, ew_ref=ew.ref, named_by="risk",
                                  risk_says=named, ew_says=ew_named[ek])
                )  # fmt: skip
    for ek, named in ew_named.items():
        ew = ew_by_key[ek]
        for name in named:
            rk = ref_key(name)
            linked = risk_by_key.get(rk)
            link(linked.ref if linked else name, ew.ref)
            says = risk_named.get(rk, [])
            if linked is not None and risk_side and ek not in {ref_key(x) for x in says}:
                out.problems.append(
                    EwLinkProblem(risk_ref=linked.ref, ew_ref=ew.ref, named_by="early_warning",
                                  risk_says=says, ew_says=named)
                )  # fmt: skip
    return out


def risk_flags(
    risks: Sequence[Risk],
    ews: Sequence[EarlyWarning],
    links: CrossReference,
    *,
    threshold: float | None,
    ew_month: str | None,
) -> dict[str, Flagged]:
    """{risk ref: its early warning flags} for the open risks that have any."""
    status = {ref_key(e.ref): e.ew_status for e in ews}
    by_risk = links.problems_of_risk()
    out: dict[str, Flagged] = {}
    floor = None if threshold is None else max(threshold, 1e-9)  # 0: any exposure above 0
    # most risks have nothing to check: no exposure at the threshold, no disagreement
    candidates = [
        r for r in risks
        if (floor is not None and r.exposure is not None and r.exposure >= floor)
        or r.ref in by_risk
    ]  # fmt: skip
    for risk in candidates:
        if risk.is_closed():
            continue
        exposure = risk.exposure
        reaches = floor is not None and exposure is not None and exposure >= floor
        flagged = Flagged()
        named = links.risk_to_ews.get(risk.ref, [])
        if reaches and not _has_live_ew(named, status):
            removed = [e for e in named if status.get(ref_key(e)) == EwStatus.REMOVED]
            flagged.add(
                FlagCode.NO_EARLY_WARNING,
                NoEarlyWarningDetail(
                    exposure=exposure,  # type: ignore[arg-type]
                    threshold=threshold,  # type: ignore[arg-type]
                    ew_month=ew_month,
                    removed=removed,
                ),
            )
        problems = by_risk.get(risk.ref)
        if problems:
            flagged.add(
                FlagCode.EW_LINK_MISMATCH,
                EwLinkMismatchDetail(ew_month=ew_month, problems=problems),
            )
        if flagged.codes:
            out[risk.ref] = flagged
    return out


def _has_live_ew(named: list[str], status: Mapping[str, EwStatus]) -> bool:
    """An early warning not removed: open, a compensation event, or one the early warning
    register does not hold (the risk register's word for it is taken)."""
    return any(status.get(ref_key(ref), EwStatus.OPEN) != EwStatus.REMOVED for ref in named)


def ew_flags(
    ews: Sequence[EarlyWarning],
    risks: Sequence[Risk],
    links: CrossReference,
    *,
    month: str,
    ew_month: str | None,
    as_of: date,
    undecided_weeks: int,
    decisions: Mapping[str, LastDecision],
) -> dict[str, Flagged]:
    """{early warning ref: its flags} for the open early warnings that have any.
    ``decisions`` maps an early warning's ``ref_key`` to the board's latest decision."""
    risk_by_key = (
        links.risk_keys
        if len(links.risk_keys) == len(risks)
        else {ref_key(r.ref): r for r in risks}
    )
    by_ew = links.problems_of_ew()
    out: dict[str, Flagged] = {}
    for ew in ews:
        if not ew.is_open():
            continue
        flagged = Flagged()
        if ew.unreadable:
            flagged.add(FlagCode.UNREADABLE_VALUE, UnreadableValueDetail(ew.unreadable))
        linked = links.ew_to_risks.get(ew.ref, [])
        on_register = [risk_by_key[k] for k in (ref_key(r) for r in linked) if k in risk_by_key]
        problems = by_ew.get(ew.ref)
        if problems:
            flagged.add(
                FlagCode.EW_LINK_MISMATCH,
                EwLinkMismatchDetail(ew_month=ew_month, problems=problems),
            )
        if risks and not on_register:
            flagged.add(
                FlagCode.EW_NO_LINKED_RISK,
                EwNoLinkedRiskDetail(
                    linked_risk=ew.linked_risk,
                    not_on_register=[r for r in ew.linked_refs() if ref_key(r) not in risk_by_key],
                    month=month,
                ),
            )
        closed = [r.ref for r in on_register if r.is_closed()]
        if closed:
            flagged.add(FlagCode.EW_RISK_CLOSED, EwRiskClosedDetail(risks=closed, month=month))
        undecided = _undecided(ew, as_of, undecided_weeks, decisions.get(ref_key(ew.ref)))
        if undecided is not None:
            flagged.add(FlagCode.EW_UNDECIDED, undecided)
        overdue = [
            OverdueAction(action=a.action_ref or a.text, due=a.due, owner=a.owner)
            for a in ew.actions
            if a.due is not None and a.due < as_of and (a.status or "").lower() not in COMPLETE
        ]
        if overdue:
            flagged.add(
                FlagCode.EW_ACTION_OVERDUE, EwActionOverdueDetail(as_of=as_of, actions=overdue)
            )
        if flagged.codes:
            flagged.codes.sort(key=list(FlagCode).index)
            out[ew.ref] = flagged
    return out


def register_decision(ew: EarlyWarning) -> LastDecision | None:
    """The decision the register itself records (its meeting date and decision)."""
    if ew.meeting_date is None or not (ew.decision or "").strip():
        return None
    return LastDecision(
        ew.meeting_date, f"{ew.decision} (the register, meeting of {ew.meeting_date:%d/%m/%Y})"
    )


def _undecided(
    ew: EarlyWarning, as_of: date, limit_weeks: int, board: LastDecision | None
) -> EwUndecidedDetail | None:
    decided = [d for d in (board, register_decision(ew)) if d is not None]
    last = max(decided, key=lambda d: d.day, default=None)
    since = last.day if last else ew.date_notified
    if since is None:
        return None  # no date to count from (a blank or unreadable date notified)
    days = (as_of - since).days  # a decision after the as-of date: negative, not flagged
    if days <= limit_weeks * 7:
        return None
    return EwUndecidedDetail(
        since=since,
        weeks=days // 7,
        limit_weeks=limit_weeks,
        as_of=as_of,
        date_notified=ew.date_notified,
        last_decision=last.words if last else None,
        last_decision_date=last.day if last else None,
    )
