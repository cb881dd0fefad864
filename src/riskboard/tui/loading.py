"""What the screens read, gathered in one call each so a worker thread can fetch it
with its own database connection (a sqlite_utils Database belongs to its thread).

No textual here and no SQL: everything comes from the register and board services.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import sqlite_utils

from riskboard import board
from riskboard.config import Config
from riskboard.register import RegisterRow, register_rows, score_history
from riskboard.store import agenda as agenda_store
from riskboard.store import open_db
from riskboard.store import register as store
from riskboard.tui.heat_data import HeatMapData, build_heat_map
from riskboard.tui.risk_rows import RiskRow, agenda_order, build_row, make_row

NOT_ON_GRID = {"closed", "archived", "retired", "missing"}


@contextmanager
def connection(config: Config) -> Iterator[sqlite_utils.Database]:
    """A connection of this thread's own, closed afterwards."""
    db = open_db(config.paths.database)
    try:
        yield db
    finally:
        db.conn.close()


@dataclass
class MonthData:
    """The board month as the agenda shows it."""

    month: str
    previous_month: str | None
    register: dict[str, RegisterRow]  # empty until complete
    rows: list[RiskRow]  # agenda order
    complete: bool = True  # False: the quick first page (stored flags, no details)
    # the board's acceptances lapsed by the month's end or falling due before the next
    # meeting (None on the quick first page)
    acceptances: board.AcceptanceOutlook | None = None

    @property
    def acceptance_refs(self) -> set[str]:
        a = self.acceptances
        return {x.ref for x in [*a.lapsed, *a.due]} if a else set()

    def row(self, ref: str) -> RiskRow | None:
        for r in self.rows:
            if r.ref == ref:
                return r
        return None


def load_month(
    db: sqlite_utils.Database, config: Config, month: str, meeting_id: int | None
) -> MonthData:
    regs = register_rows(db, month, config)
    reviewed = board.reviewed_refs(db, meeting_id) if meeting_id is not None else set()
    rows = agenda_order(make_row(r, r.ref in reviewed) for r in regs)
    meeting = board.get_meeting(db, meeting_id) if meeting_id is not None else None
    return MonthData(
        month=month,
        previous_month=store.previous_month_with_data(db, month),
        register={r.ref: r for r in regs},
        rows=rows,
        acceptances=board.acceptance_outlook(db, month, config, meeting=meeting),
    )


def _direction(row: dict[str, Any], has_previous: bool) -> str:
    """As ``register.register_rows`` decides it."""
    if row["status"] == "missing":
        return "level"
    if not has_previous or not row["in_previous"]:
        return "new"
    prev, cur = row["previous_score"], row["current_score"]
    if prev is None or cur is None:
        return "level"
    return "up" if cur > prev else "down" if cur < prev else "level"


def load_quick(
    db: sqlite_utils.Database, config: Config, month: str, meeting_id: int | None
) -> MonthData:
    """The agenda's first page from one query: flags as stored by the last import."""
    previous = store.previous_month_with_data(db, month)
    reviewed = board.reviewed_refs(db, meeting_id) if meeting_id is not None else set()
    rag = {score: config.scoring.rag(score) for score in range(1, 26)}
    has_previous = previous is not None
    rows = [
        build_row(
            r["ref"],
            r["title"],
            r["annex"],
            r["owner"],
            score=r["current_score"],
            rag=rag.get(r["current_score"]),
            direction=_direction(r, has_previous),
            last_update=r["last_action_update"],
            flags=r["flags"],
            reviewed=r["ref"] in reviewed,
            likelihood=r["current_likelihood"],
            impact=r["current_impact"],
            previous_score=r["previous_score"],
            missing=r["status"] == "missing",
        )
        for r in agenda_store.agenda_rows(db, month, previous)
    ]
    return MonthData(month, previous, {}, agenda_order(rows), complete=False)


def load_heat_map(db: sqlite_utils.Database, data: MonthData) -> HeatMapData:
    """Open risks by current likelihood x impact, with the previous month's positions."""
    current = [
        (r.ref, r.current_likelihood, r.current_impact)
        for r in data.register.values()
        if (r.status or "").strip().lower() not in NOT_ON_GRID
    ]
    previous: dict[str, tuple[int | None, int | None]] | None = None
    if data.previous_month:
        previous = {
            r.ref: (r.current_likelihood, r.current_impact)
            for r in store.load_month(db, data.previous_month)
            if not r.is_closed()
        }
    return build_heat_map(data.month, current, previous, data.previous_month)


@dataclass
class RiskDetail:
    """Everything the risk review screen shows about one risk."""

    ref: str
    snapshot: dict[str, Any] | None  # this month's snapshot row with its actions
    history: list[tuple[str, int | None]]
    review: board.Review | None
    actions_arising: list[board.BoardAction] = field(default_factory=list)
    escalations: list[board.Escalation] = field(default_factory=list)


def load_risk(
    db: sqlite_utils.Database, ref: str, month: str, meeting_id: int | None
) -> RiskDetail:
    snapshots = store.risk_history(db, ref)
    this_month = next((s for s in snapshots if s["month"] == month), None)
    if this_month is None:  # missing from the export: show the last one we had
        earlier = [s for s in snapshots if s["month"] < month]
        this_month = earlier[-1] if earlier else None
    review = board.get_review(db, meeting_id, ref) if meeting_id is not None else None
    arising = (
        [a for a in board.actions_arising(db, meeting_id) if a.risk_ref == ref]
        if meeting_id is not None
        else []
    )
    escalations = board.list_escalations(db, ref=ref)
    return RiskDetail(
        ref=ref,
        snapshot=this_month,
        history=score_history(db, ref, 12, upto=month),
        review=review,
        actions_arising=arising,
        escalations=escalations,
    )
