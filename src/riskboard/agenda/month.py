"""The board month as the agenda lists it: every risk as a ``RiskRow`` in agenda order,
with the month's counts and the board's acceptances to review.

Two loads of the same month: ``quick_month`` paints the agenda's first page from one
query (the flags stored by the last import), ``board_month`` then replaces it with the
full register (flags recomputed with the current config, details for the review
screen). Both decide direction of travel with ``register.direction_of``.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlite_utils

from riskboard import board
from riskboard.agenda.rows import RiskRow, agenda_order, build_row, make_row
from riskboard.config import Config
from riskboard.month_counts import MonthCounts, month_counts
from riskboard.register import (
    MISSING,
    RegisterRow,
    direction_of,
    previous_month,
    register_rows,
)
from riskboard.store import agenda as agenda_store


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
    counts: MonthCounts | None = None  # None on the quick first page

    @property
    def acceptance_refs(self) -> set[str]:
        a = self.acceptances
        return {x.ref for x in [*a.lapsed, *a.due]} if a else set()

    def row(self, ref: str) -> RiskRow | None:
        for r in self.rows:
            if r.ref == ref:
                return r
        return None


def board_month(
    db: sqlite_utils.Database, config: Config, month: str, meeting_id: int | None
) -> MonthData:
    """Every risk of board month ``month`` (YYYY-MM; those missing from its export
    included) in agenda order, marked reviewed where meeting ``meeting_id`` reviewed
    it, with the month's counts and the acceptance outlook."""
    regs = register_rows(db, month, config, meeting_id=meeting_id)
    reviewed = board.reviewed_refs(db, meeting_id) if meeting_id is not None else set()
    meeting = board.get_meeting(db, meeting_id) if meeting_id is not None else None
    return MonthData(
        month=month,
        previous_month=previous_month(db, month),
        register={r.ref: r for r in regs},
        rows=agenda_order(make_row(r, r.ref in reviewed) for r in regs),
        acceptances=board.acceptance_outlook(db, month, config, meeting=meeting),
        counts=month_counts(month, regs),
    )


def quick_month(
    db: sqlite_utils.Database, config: Config, month: str, meeting_id: int | None
) -> MonthData:
    """The agenda's first page from one query: flags as stored by the last import
    (``complete`` is False: no register details, counts or acceptances yet)."""
    previous = previous_month(db, month)
    reviewed = board.reviewed_refs(db, meeting_id) if meeting_id is not None else set()
    rag = {score: config.scoring.rag(score) for score in range(1, 26)}
    rows = [
        build_row(
            r["ref"],
            r["title"],
            r["annex"],
            r["owner"],
            score=r["current_score"],
            rag=rag.get(r["current_score"]),
            direction=direction_of(
                r["current_score"],
                r["previous_score"],
                in_previous=previous is not None and r["in_previous"],
                missing=r["status"] == MISSING,
            ),
            last_update=r["last_action_update"],
            flags=r["flags"],
            reviewed=r["ref"] in reviewed,
            likelihood=r["current_likelihood"],
            impact=r["current_impact"],
            previous_score=r["previous_score"],
            missing=r["status"] == MISSING,
        )
        for r in agenda_store.agenda_rows(db, month, previous)
    ]
    return MonthData(month, previous, {}, agenda_order(rows), complete=False)
