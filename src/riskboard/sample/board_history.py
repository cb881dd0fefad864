"""The demo board's previous meeting: held on 10/08/2022 on the July register, closed,
its minutes waiting to be approved at the next meeting.

It gives the demo what a board has after a month of use: an accepted risk whose
review-by date has passed by the end of August (flag ``acceptance_lapsed``), another
falling due before the next meeting, a risk the board put on the Corporate register
(so de-escalation is on offer), another it proposed for the Directorate register whose
decision waits for the next meeting, an action carried forward, a decision to keep an
NEC early warning open with an action on it, and minutes to approve.
Made through the meeting service like any meeting; skipped when the database already
holds a meeting.
"""

from __future__ import annotations

import sqlite_utils

from riskboard import board
from riskboard.config import Config
from riskboard.sample.ew_demo import BOARD_DECIDED_EW
from riskboard.store import register as store

MEETING_DATE = "2022-08-10"
MONTH = "2022-07"
CHAIR = "Helen Marsh"
MINUTE_TAKER = "Lucy Whitfield"
PRESENT = ("Gareth Price", "Helen Marsh", "Alison Reeve")
APOLOGIES = ("Mark Bellamy",)


def is_demo_history(meeting: board.Meeting) -> bool:
    """The meeting ``seed_previous_meeting`` records (not one the user held)."""
    return (
        meeting.meeting_date.isoformat() == MEETING_DATE
        and meeting.month == MONTH
        and meeting.chair == CHAIR
    )


def seed_previous_meeting(db: sqlite_utils.Database, config: Config, latest: str) -> int | None:
    """Record and close the previous meeting (see the module doc); returns its id, or
    None when the database already holds a meeting."""
    if board.list_meetings(db):
        return None
    july = {r.ref: r for r in store.load_month(db, MONTH) if not r.is_closed()}
    now = [r for r in store.load_month(db, latest) if not r.is_closed() and r.ref in july]
    by_score = sorted(now, key=lambda r: (-(july[r.ref].current_score or 0), r.ref))
    high = next(r for r in by_score if (july[r.ref].current_score or 0) >= 16)
    # a second high risk in another annex, proposed for the Directorate register
    second = next(
        r
        for r in by_score
        if r.ref != high.ref and r.annex != high.annex and (july[r.ref].current_score or 0) >= 9
    )
    calm = [r for r in sorted(now, key=lambda r: r.ref) if r.ref not in (high.ref, second.ref)]
    lapsing, falling_due = calm[0], calm[1]

    m = board.new_meeting(
        db,
        meeting_date=MEETING_DATE,
        month=MONTH,
        chair=CHAIR,
        minute_taker=MINUTE_TAKER,
        config=config,
    ).id
    for name in PRESENT:
        board.attend(db, m, name)
    for name in APOLOGIES:
        board.attend(db, m, name, apologies=True)
    board.save_review(
        db, m, lapsing.ref, strategy="tolerate", rationale="Within the contract's tolerance",
        review_by="2022-08-31", decision="that the risk be tolerated until the end of August",
        reviewed=True, config=config,
    )  # fmt: skip
    board.save_review(
        db, m, falling_due.ref, strategy="accept", rationale="Cost of treatment outweighs it",
        review_by="2022-09-30", decision="that the risk be accepted until 30 September",
        reviewed=True, config=config,
    )  # fmt: skip
    board.save_review(
        db, m, high.ref, strategy="treat", decision="that the risk go to the Corporate register",
        reviewed=True, config=config,
    )  # fmt: skip
    escalation = board.escalate(
        db, m, high.ref, target="corporate", reason="Score at the Corporate threshold"
    )
    board.decide_escalation(db, m, escalation.id, accept=True, note="Added to the CRR")
    board.save_review(
        db, m, second.ref, strategy="treat", note="The Directorate's view is needed first.",
        decision="that the risk be proposed for the Directorate register", reviewed=True,
        config=config,
    )  # fmt: skip
    board.escalate(
        db, m, second.ref, target="directorate",
        reason="Above the Directorate threshold; the service director to decide",
    )  # fmt: skip
    board.add_action(
        db, m, "Report the treatment plan's progress", owner=high.owner or "Gareth Price",
        due="2022-09-14", risk_ref=high.ref,
    )  # fmt: skip
    if board.agenda_status(db, m) is not None:  # the July early warning register is in
        board.decide_early_warning(
            db, m, BOARD_DECIDED_EW, decision="keep_open",
            reason="Salt deliveries rescheduled; review at the next meeting",
        )  # fmt: skip
        board.add_action(
            db, m, "Confirm the revised salt delivery dates with the supplier",
            owner="Tom Okafor", due="2022-09-14", ew_ref=BOARD_DECIDED_EW,
        )  # fmt: skip
    board.set_next_meeting_date(db, m, "2022-09-14")
    board.close_meeting(db, m, config=config)
    return m
