"""De-escalation proposals after consecutive months below the register's threshold."""

from __future__ import annotations

from pathlib import Path

import sqlite_utils

from board_helpers import import_month, quorate, risk, start
from riskboard import board
from riskboard.board.deescalation import deescalation_candidates
from riskboard.config import Config
from riskboard.store import open_db

CFG = Config()


def _escalated_db(tmp_path: Path, scores_after: list[int]) -> sqlite_utils.Database:
    """HM-001 scores 16 in 2022-01, is escalated to Corporate and accepted; then the
    following months carry ``scores_after``."""
    db = open_db(tmp_path / "rb.db")
    import_month(db, "2022-01", [risk("HM-001", current_score=16)])
    m = start(db, "2022-02-10", month="2022-01")
    esc = board.escalate(db, m.id, "HM-001", target="corporate", reason="Score 16")
    board.decide_escalation(db, m.id, esc.id, accept=True)
    quorate(db, m.id)
    board.close_meeting(db, m.id)
    for i, score in enumerate(scores_after, start=2):
        import_month(db, f"2022-{i:02d}", [risk("HM-001", current_score=score)])
    return db


def test_three_months_below_proposes_deescalation(tmp_path: Path) -> None:
    db = _escalated_db(tmp_path, [12, 12, 9])
    (cand,) = deescalation_candidates(db, "2022-04", CFG)
    assert cand.ref == "HM-001" and cand.held_on == "corporate" and cand.threshold == 16
    assert [m for m, _ in cand.history] == ["2022-02", "2022-03", "2022-04"]
    assert "below 16 for 3 consecutive months" in cand.reason


def test_two_months_is_not_enough_and_a_spike_resets(tmp_path: Path) -> None:
    db = _escalated_db(tmp_path, [12, 12, 16, 12])
    assert deescalation_candidates(db, "2022-03", CFG) == []  # only 2 months below
    assert deescalation_candidates(db, "2022-05", CFG) == []  # 16 in 2022-04 resets


def test_months_setting_is_honoured(tmp_path: Path) -> None:
    db = _escalated_db(tmp_path, [12, 12])
    cfg = Config.model_validate({"escalation": {"deescalate_after_months": 2}})
    assert [c.ref for c in deescalation_candidates(db, "2022-03", cfg)] == ["HM-001"]


def test_not_proposed_once_deescalated_or_never_accepted(tmp_path: Path) -> None:
    db = _escalated_db(tmp_path, [12, 12, 9])
    m = start(db, "2022-05-12", month="2022-04")
    board.deescalate(db, m.id, "HM-001", reason="Below 16 since February", from_target="corporate")
    assert deescalation_candidates(db, "2022-04", CFG) == []

    db2 = open_db(tmp_path / "other.db")
    import_month(db2, "2022-01", [risk("HM-001", current_score=16)])
    m2 = start(db2, "2022-02-10", month="2022-01")
    esc = board.escalate(db2, m2.id, "HM-001", target="corporate", reason="Score 16")
    board.decide_escalation(db2, m2.id, esc.id, accept=False)
    for i in (2, 3, 4):
        import_month(db2, f"2022-{i:02d}", [risk("HM-001", current_score=4)])
    assert deescalation_candidates(db2, "2022-04", CFG) == []
