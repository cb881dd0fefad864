"""How the board's own record bears on a month's flags - one place for both rules that
read it, so the agenda, ``riskboard flags``, the chase list and the minutes agree:

- ``acceptance_lapsed``: the board's standing accept / tolerate decision has passed its
  review-by date (``riskboard.acceptance``);
- no ``escalation_candidate`` for a register the board already put the risk on (or one
  below it): SL-001 on the Corporate register is "on the Corporate risk register since
  meeting 1", not a candidate for it.

"As at" a meeting: the record of the meetings before it, on the board month or an
earlier one (a meeting's own decisions never clear the flags that put a risk on its
agenda, and later meetings never change an earlier meeting's minutes); with no meeting,
the record as it stands now.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

import sqlite_utils
from pydantic import BaseModel

from riskboard.acceptance import lapse_day, standing_acceptances
from riskboard.domain import (
    ESCALATION_TARGET_NAMES,
    FLAG_ORDER,
    EscalationTarget,
    Flag,
    FlagCode,
    Risk,
    ref_key,
    uk_date,
)
from riskboard.flag_details import EscalationCandidateDetail
from riskboard.flags import month_bounds
from riskboard.store import meetings as board_store


class Holding(BaseModel):
    """A register above the contract's that the board put a risk on: the accepted
    escalation's target and the meeting that accepted it."""

    target: str  # EscalationTarget value: directorate / corporate
    meeting_id: int
    meeting_date: date | None = None

    def text(self) -> str:
        """ "on the Corporate risk register since meeting 1 (10/08/2022)" """
        name = ESCALATION_TARGET_NAMES.get(EscalationTarget(self.target), self.target)
        when = f" ({uk_date(self.meeting_date)})" if self.meeting_date else ""
        return f"on the {name} since meeting {self.meeting_id}{when}"


# how high a register is: a risk on one is no escalation candidate for it or one below
REGISTER_LEVEL = {"directorate": 1, "corporate": 2}


def with_board_record(
    db: sqlite_utils.Database,
    month: str,
    current: Sequence[Risk],
    flags: list[Flag],
    meeting_id: int | None = None,
    holdings: dict[str, list[Holding]] | None = None,
) -> list[Flag]:
    """``flags`` as the board's record bears on them, as at meeting ``meeting_id`` (the
    meetings before it, on this month or an earlier one), else as the record stands:

    - ``acceptance_lapsed`` on every risk whose standing acceptance has lapsed
      (``with_lapsed_acceptances``);
    - no ``escalation_candidate`` for a register the risk is already on, or one below
      it (``holdings``: ``board_holdings``, read here when not given) - a risk the
      board put on the Corporate register is not a candidate for it."""
    if holdings is None:
        holdings = board_holdings(db, month, meeting_id)
    flags = without_held_candidates(flags, holdings)
    return with_lapsed_acceptances(db, month, current, flags, meeting_id)


def board_holdings(
    db: sqlite_utils.Database, month: str, meeting_id: int | None = None
) -> dict[str, list[Holding]]:
    """{ref_key: the registers above the contract's the risk is on}, from escalations
    accepted at meetings reviewing ``month`` or earlier (before meeting ``meeting_id``,
    when given) and not since returned by an accepted de-escalation."""
    # board imports this module (de-escalation reads score_history): import it late
    from riskboard.board.escalations import escalation_from_row
    from riskboard.board.holdings import registers_held

    rows = board_store.accepted_escalation_rows(db, month=month, before_meeting_id=meeting_id)
    if not rows:
        return {}
    dates = {m["id"]: m["meeting_date"] for m in board_store.meeting_rows(db)}
    by_ref: dict[str, list[Any]] = {}
    for row in rows:
        by_ref.setdefault(row["ref"], []).append(escalation_from_row(row))
    out: dict[str, list[Holding]] = {}
    for ref, escalations in by_ref.items():
        for target, e in registers_held(escalations, ref).items():
            decided = e.decided_meeting_id or e.meeting_id
            out.setdefault(ref_key(ref), []).append(
                Holding(target=target.value, meeting_id=decided, meeting_date=dates.get(decided))
            )
    return out


def without_held_candidates(flags: list[Flag], holdings: dict[str, list[Holding]]) -> list[Flag]:
    """``flags`` without ``escalation_candidate`` where the risk is already on the
    register its score points at, or a higher one (a risk left with no flag drops out)."""
    if not holdings:
        return flags
    code = FlagCode.ESCALATION_CANDIDATE
    out = []
    for f in flags:
        held = holdings.get(ref_key(f.ref))
        detail = f.details.get(code.value)
        if held and code in f.flags and isinstance(detail, EscalationCandidateDetail):
            top = max(REGISTER_LEVEL.get(h.target, 0) for h in held)
            if REGISTER_LEVEL[detail.register] <= top:
                details = {k: v for k, v in f.details.items() if k != code.value}
                f = f.model_copy(
                    update={"flags": [c for c in f.flags if c != code], "details": details}
                )
                if not f.flags:
                    continue
        out.append(f)
    return out


def with_lapsed_acceptances(
    db: sqlite_utils.Database,
    month: str,
    current: Sequence[Risk],
    flags: list[Flag],
    meeting_id: int | None = None,
) -> list[Flag]:
    """``flags`` plus ``acceptance_lapsed`` on every risk whose standing board acceptance
    has a review-by date on or before ``acceptance.lapse_day``: the month's last day, or
    the date of the meeting it is seen at when later. The standing acceptance is the
    board's last accept / tolerate decision at a meeting reviewing this month or an
    earlier one - before meeting ``meeting_id`` when given (the meeting's own decisions
    never clear the flag that put the risk on its agenda), else every one so far. Like
    every flag: never on a closed risk, and on a risk missing from the export only when
    it is flagged missing."""
    decisions = board_store.strategy_decisions(db, month=month, before_meeting_id=meeting_id)
    accepted = standing_acceptances(decisions)
    seen_at = board_store.board_date_row(db, month, meeting_id)
    board_date = date.fromisoformat(seen_at["meeting_date"]) if seen_at else None
    day = lapse_day(month_bounds(month)[1], board_date)
    lapsed = {ref: a for ref, a in accepted.items() if a.lapsed_by(day)}
    if not lapsed:
        return flags
    by_ref = {f.ref: f for f in flags}
    risks = {r.ref: r for r in current}
    for ref, acceptance in lapsed.items():
        risk, flag = risks.get(ref), by_ref.get(ref)
        if risk is not None and risk.is_closed():
            continue
        if flag is None:
            if risk is None:
                continue  # not exported this month and not flagged missing
            flag = Flag(ref=risk.ref, title=risk.title, annex=risk.annex, owner=risk.owner)
        by_ref[ref] = flag.model_copy(
            update={
                "flags": sorted({*flag.flags, FlagCode.ACCEPTANCE_LAPSED}, key=FLAG_ORDER.index),
                "details": {
                    **flag.details,
                    FlagCode.ACCEPTANCE_LAPSED.value: acceptance.flag_details(),
                },
            }
        )
    return sorted(by_ref.values(), key=lambda f: f.ref)
