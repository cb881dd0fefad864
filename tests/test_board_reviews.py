"""Risk reviews: one per risk per meeting, strategy rules, decisions, unknown risks."""

from __future__ import annotations

from datetime import date

import pytest
import sqlite_utils

from board_helpers import start
from riskboard import board
from riskboard.errors import RiskboardError


@pytest.fixture
def mid(db: sqlite_utils.Database) -> int:
    return start(db).id


def test_review_records_everything_with_the_risk_as_exported(
    db: sqlite_utils.Database, mid: int
) -> None:
    r = board.save_review(
        db, mid, "HM-001", strategy="Tolerate", rationale="treatment costs exceed exposure",
        review_by="31/12/2022", note="Long discussion", decision="tolerate until year end",
        reviewed=True,
    )  # fmt: skip
    assert r.strategy == "tolerate"
    assert r.review_by == date(2022, 12, 31)
    assert r.decision == "RESOLVED: tolerate until year end"
    assert r.reviewed
    assert (r.risk_title, r.risk_annex, r.risk_owner, r.risk_score) == (
        "Pothole claims", "Highways", "Jo Bloggs", 16,
    )  # fmt: skip
    row = db.execute(
        "SELECT ref, strategy, rationale, review_by, note, decision, reviewed FROM reviews"
    ).fetchone()
    assert row == (
        "HM-001", "tolerate", "treatment costs exceed exposure", "2022-12-31",
        "Long discussion", "RESOLVED: tolerate until year end", 1,
    )  # fmt: skip


def test_one_review_per_risk_per_meeting_amended_in_place(
    db: sqlite_utils.Database, mid: int
) -> None:
    board.save_review(db, mid, "SL-002", note="first thoughts")
    board.save_review(
        db, mid, "sl-002", decision="Resolved that the risk is treated", reviewed=True
    )
    rows = list(db.query("SELECT ref, note, decision, reviewed FROM reviews"))
    assert rows == [
        {"ref": "SL-002", "note": "first thoughts",
         "decision": "Resolved that the risk is treated", "reviewed": 1},
    ]  # fmt: skip
    board.save_review(db, mid, "SL-002", note="")  # empty clears, None keeps
    assert board.get_review(db, mid, "SL-002").note is None
    assert board.get_review(db, mid, "SL-002").decision == "Resolved that the risk is treated"
    assert board.reviewed_refs(db, mid) == {"SL-002"}


@pytest.mark.parametrize("strategy", ["accept", "tolerate", "Accepted", "retain"])
def test_accept_and_tolerate_need_rationale_and_review_date(
    db: sqlite_utils.Database, mid: int, strategy: str
) -> None:
    with pytest.raises(RiskboardError, match="needs a rationale and a review-by date"):
        board.save_review(db, mid, "HM-001", strategy=strategy)
    with pytest.raises(RiskboardError, match="needs a review-by date"):
        board.save_review(db, mid, "HM-001", strategy=strategy, rationale="why")
    with pytest.raises(RiskboardError, match="needs a rationale$|needs a rationale\n"):
        board.save_review(db, mid, "HM-001", strategy=strategy, review_by="2023-01-31")
    assert db.execute("SELECT COUNT(*) FROM reviews").fetchone()[0] == 0
    r = board.save_review(
        db, mid, "HM-001", strategy=strategy, rationale="why", review_by="2023-01-31"
    )
    assert r.strategy in {"accept", "tolerate"}
    with pytest.raises(RiskboardError, match="needs a rationale"):
        board.save_review(db, mid, "HM-001", rationale="")  # cannot clear it under tolerate


@pytest.mark.parametrize("strategy,stored", [("treat", "treat"), ("Reduce", "treat"),
                                             ("insure", "transfer"), ("avoid", "terminate")])  # fmt: skip
def test_other_strategies_need_no_rationale(
    db: sqlite_utils.Database, mid: int, strategy: str, stored: str
) -> None:
    assert board.save_review(db, mid, "WS-003", strategy=strategy).strategy == stored


def test_bad_strategy_and_dates(db: sqlite_utils.Database, mid: int) -> None:
    with pytest.raises(RiskboardError, match="unknown strategy 'ignore it'"):
        board.save_review(db, mid, "HM-001", strategy="ignore it")
    with pytest.raises(RiskboardError, match="bad review-by date '2022-13-01'"):
        board.save_review(db, mid, "HM-001", strategy="treat", review_by="2022-13-01")
    with pytest.raises(RiskboardError, match="must be after the meeting"):
        board.save_review(
            db, mid, "HM-001", strategy="tolerate", rationale="x", review_by="01/09/2022"
        )
    assert db.execute("SELECT COUNT(*) FROM reviews").fetchone()[0] == 0


def test_uk_review_date_is_day_first(db: sqlite_utils.Database, mid: int) -> None:
    r = board.save_review(
        db, mid, "HM-001", strategy="accept", rationale="x", review_by="04/11/2022"
    )
    assert r.review_by == date(2022, 11, 4)


def test_unknown_risk_is_refused_with_a_suggestion(db: sqlite_utils.Database, mid: int) -> None:
    with pytest.raises(RiskboardError) as err:
        board.save_review(db, mid, "HM-01", note="x")
    text = str(err.value)
    assert "unknown risk 'HM-01': not in the August 2022 register" in text
    assert "did you mean HM-001?" in text
    assert db.execute("SELECT COUNT(*) FROM reviews").fetchone()[0] == 0


def test_risk_must_be_in_the_meetings_board_month(db: sqlite_utils.Database) -> None:
    m = start(db, month="2022-07")  # WS-003 first appeared in August
    with pytest.raises(RiskboardError, match="not in the July 2022 register"):
        board.save_review(db, m.id, "WS-003", note="x")
    assert board.save_review(db, m.id, "HM-001", note="x").risk_title == "Title of HM-001"


def test_list_reviews_in_ref_order(db: sqlite_utils.Database, mid: int) -> None:
    for ref in ("WS-003", "HM-001"):
        board.save_review(db, mid, ref, reviewed=True)
    assert [r.ref for r in board.list_reviews(db, mid)] == ["HM-001", "WS-003"]
