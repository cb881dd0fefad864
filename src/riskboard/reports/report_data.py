"""What the monthly risk report says, gathered from the register and the board record.

The headline measure is the board's first rule: every action updated every month. For
each of the last 12 calendar months it counts the open risks that have an open
action and how many of them show an update in that month (not flagged
``stale_action``); a month with no export is a gap, never a zero.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date

import sqlite_utils

from riskboard.board import list_escalations, list_meetings, open_actions
from riskboard.board.models import BoardAction, Escalation
from riskboard.config import Config
from riskboard.domain import EW_ONLY_FLAGS, FLAG_ORDER, FlagCode, Risk
from riskboard.flag_details import OverdueActionDetail
from riskboard.flags import action_is_complete, compute_flags, month_bounds
from riskboard.heat_map import HeatMap, month_heat_map
from riskboard.register import RegisterRow, register_rows, resolve_month
from riskboard.reports.xlsx_sheets import as_date
from riskboard.store import register as store

TREND_MONTHS = 12


@dataclass
class MonthShare:
    month: str
    exported: bool
    with_open_actions: int = 0
    updated: int = 0

    @property
    def share(self) -> float | None:
        if not self.exported or not self.with_open_actions:
            return None
        return self.updated / self.with_open_actions


@dataclass
class OverdueLine:
    source: str  # "Register" (the contractor's export) or "Board" (the board's action log)
    ref: str | None
    risk: str | None
    annex: str | None
    action: str
    owner: str | None
    due: date | None
    days_overdue: int | None


@dataclass
class ReportData:
    month: str
    as_of: date
    rows: list[RegisterRow]
    trend: list[MonthShare]
    escalations: list[tuple[date, Escalation]]  # (meeting date, escalation)
    overdue: list[OverdueLine]
    score_rises: list[RegisterRow]
    heat: HeatMap
    rag_counts: Counter[str | None] = field(default_factory=Counter)
    annex_counts: dict[str, Counter[str | None]] = field(default_factory=dict)
    flag_counts: dict[FlagCode, int] = field(default_factory=dict)

    @property
    def open_rows(self) -> list[RegisterRow]:
        return [r for r in self.rows if r.is_open]


def previous_months(month: str, n: int = TREND_MONTHS) -> list[str]:
    """The ``n`` calendar months ending with ``month``, oldest first."""
    year, mon = int(month[:4]), int(month[5:7])
    out = []
    for _ in range(n):
        out.append(f"{year:04d}-{mon:02d}")
        year, mon = (year, mon - 1) if mon > 1 else (year - 1, 12)
    return out[::-1]


def _report_date(db: sqlite_utils.Database, month: str) -> date | None:
    return as_date(store.month_report_date(db, month))


def action_update_trend(
    db: sqlite_utils.Database, month: str, config: Config, n: int = TREND_MONTHS
) -> list[MonthShare]:
    """Month by month: open risks with an open action, and how many were updated."""
    with_data = set(store.months(db))
    loaded: dict[str, list[Risk]] = {}

    def load(m: str) -> list[Risk]:
        if m not in loaded:
            loaded[m] = store.load_month(db, m)
        return loaded[m]

    out = []
    for m in previous_months(month, n):
        if m not in with_data:
            out.append(MonthShare(month=m, exported=False))
            continue
        prev_month = store.previous_month_with_data(db, m)
        current = load(m)
        flags = compute_flags(
            current,
            load(prev_month) if prev_month else None,
            month=m,
            report_date=_report_date(db, m),
            config=config,
            previous_month=prev_month,
        )
        stale = {f.ref for f in flags if FlagCode.STALE_ACTION in f.flags}
        candidates = [
            r for r in current
            if not r.is_closed() and any(not action_is_complete(a) for a in r.actions)
        ]  # fmt: skip
        out.append(
            MonthShare(
                month=m,
                exported=True,
                with_open_actions=len(candidates),
                updated=sum(1 for r in candidates if r.ref not in stale),
            )
        )
    return out


def _overdue(rows: list[RegisterRow], board: list[BoardAction], as_of: date) -> list[OverdueLine]:
    out = []
    for r in rows:
        details = r.flag_details.get(FlagCode.OVERDUE_ACTION.value)
        if not isinstance(details, OverdueActionDetail):
            continue
        for a in details.actions:
            out.append(
                OverdueLine(
                    source="Register", ref=r.ref, risk=r.title, annex=r.annex,
                    action=a.action or "", owner=a.owner, due=a.due,
                    days_overdue=(as_of - a.due).days,
                )
            )  # fmt: skip
    for b in board:
        due = b.revised_due or b.due
        if due is not None and due < as_of:
            out.append(
                OverdueLine(
                    source="Board", ref=b.risk_ref, risk=f"Action {b.number}", annex=None,
                    action=b.text, owner=b.owner, due=due, days_overdue=(as_of - due).days,
                )
            )  # fmt: skip
    out.sort(key=lambda o: (-(o.days_overdue or 0), o.ref or ""))
    return out


def gather(db: sqlite_utils.Database, config: Config, month: str | None) -> ReportData:
    month = resolve_month(db, month)
    rows = register_rows(db, month, config)
    as_of = _report_date(db, month) or month_bounds(month)[1]
    escalations: list[tuple[date, Escalation]] = []
    for meeting in list_meetings(db):
        if meeting.month == month:
            escalations += [
                (meeting.meeting_date, e) for e in list_escalations(db, meeting_id=meeting.id)
            ]
    open_rows = [r for r in rows if r.is_open]
    annex_counts: dict[str, Counter[str | None]] = {}
    for r in open_rows:
        annex_counts.setdefault(r.annex or "(no annex)", Counter())[r.rag] += 1
    # risks by flag: the flags only an early warning carries are not counted as risks'
    flag_counts = {
        code: sum(1 for r in rows if code.value in r.flags)
        for code in FLAG_ORDER
        if code not in EW_ONLY_FLAGS
    }
    return ReportData(
        month=month,
        as_of=as_of,
        rows=rows,
        trend=action_update_trend(db, month, config),
        escalations=escalations,
        overdue=_overdue(rows, open_actions(db), as_of),
        # the flag's own rule (closed risks are never flagged), not the direction of
        # travel, which every row has
        score_rises=sorted(
            (r for r in rows if FlagCode.SCORE_INCREASED.value in r.flags),
            key=lambda r: (-((r.current_score or 0) - (r.previous_score or 0)), r.ref),
        ),
        heat=month_heat_map(db, config, month, rows),
        rag_counts=Counter(r.rag for r in open_rows),
        annex_counts=dict(sorted(annex_counts.items())),
        flag_counts=flag_counts,
    )
