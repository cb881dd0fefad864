"""Escalations and de-escalations: targets, reason, exposure, proposed owner, and the
proposed -> accepted / declined decision recorded at the meeting that hears it."""

from __future__ import annotations

import pytest
import sqlite_utils

from board_helpers import start
from riskboard import board
from riskboard.errors import RiskboardError


@pytest.mark.parametrize(
    "text,target",
    [
        ("directorate", "directorate"),
        ("Corporate risk register", "corporate"),
        ("operations-board", "operations-board"),
        ("Operations Board", "operations-board"),
        ("strategic-board", "strategic-board"),
        ("Strategic Partnering Board", "strategic-board"),
        ("fc-cluster", "fc-cluster"),
        ("Financial & Commercial Cluster Group", "fc-cluster"),
    ],
)
def test_targets_by_slug_or_name(text: str, target: str) -> None:
    assert board.parse_target(text).value == target


def test_escalation_recorded_with_everything(db: sqlite_utils.Database) -> None:
    m = start(db).id
    e = board.escalate(
        db, m, "hm-001", target="corporate", reason="Score 16 exceeds contract tolerance",
        exposure="£250,000", proposed_owner="Director of Place",
    )  # fmt: skip
    assert (e.ref, e.target.value, e.direction, e.status.value) == (
        "HM-001", "corporate", "escalate", "proposed",
    )  # fmt: skip
    assert e.exposure == 250_000.0 and e.proposed_owner == "Director of Place"
    assert e.target_name == "Corporate risk register"
    assert (e.risk_title, e.risk_score) == ("Pothole claims", 16)
    row = db.execute("SELECT ref, target, reason, exposure, status FROM escalations").fetchone()
    assert row == (
        "HM-001",
        "corporate",
        "Score 16 exceeds contract tolerance",
        250000.0,
        "proposed",
    )


def test_exposure_defaults_to_the_exported_figure(db: sqlite_utils.Database) -> None:
    m = start(db).id
    assert (
        board.escalate(db, m, "HM-001", target="operations-board", reason="cost").exposure
        == 120_000.0
    )
    assert board.escalate(db, m, "SL-002", target="directorate", reason="x").exposure is None
    assert (
        board.escalate(db, m, "WS-003", target="fc-cluster", reason="x", exposure="1.5m").exposure
        == 1_500_000
    )


def test_escalation_refusals_write_nothing(db: sqlite_utils.Database) -> None:
    m = start(db).id
    with pytest.raises(RiskboardError, match="unknown escalation target 'the moon'"):
        board.escalate(db, m, "HM-001", target="the moon", reason="x")
    with pytest.raises(RiskboardError, match="needs a reason"):
        board.escalate(db, m, "HM-001", target="corporate", reason=" ")
    with pytest.raises(RiskboardError, match="bad exposure 'lots'"):
        board.escalate(db, m, "HM-001", target="corporate", reason="x", exposure="lots")
    with pytest.raises(RiskboardError, match="must not be negative"):
        board.escalate(db, m, "HM-001", target="corporate", reason="x", exposure=-5)
    with pytest.raises(RiskboardError, match="unknown risk 'NOPE'"):
        board.escalate(db, m, "NOPE", target="corporate", reason="x")
    with pytest.raises(RiskboardError, match="use de-escalation"):
        board.escalate(db, m, "HM-001", target="contract", reason="x")
    board.escalate(db, m, "HM-001", target="corporate", reason="x")
    with pytest.raises(
        RiskboardError, match="already been put forward: escalation #1 to the Corporate"
    ):
        board.escalate(db, m, "HM-001", target="corporate", reason="again")
    assert db.execute("SELECT COUNT(*) FROM escalations").fetchone()[0] == 1


def test_deescalation_back_to_the_contract_register(db: sqlite_utils.Database) -> None:
    m1 = start(db).id
    up = board.escalate(db, m1, "SL-002", target="corporate", reason="score 16")
    board.decide_escalation(db, m1, up.id, accept=True)
    board.close_meeting(db, m1)
    m = start(db, "2022-10-12").id
    e = board.deescalate(db, m, "SL-002", from_target="corporate", reason="3 months below 9")
    assert (e.target.value, e.direction, e.source) == ("contract", "de-escalate", "corporate")
    assert e.target_name == "Contract risk register (de-escalation)"
    with pytest.raises(RiskboardError, match="needs a reason"):
        board.deescalate(db, m, "WS-003", reason="")


def test_decision_at_the_same_or_a_later_meeting(db: sqlite_utils.Database) -> None:
    m1 = start(db).id
    now = board.escalate(db, m1, "HM-001", target="corporate", reason="16")
    later = board.escalate(db, m1, "WS-003", target="operations-board", reason="cost")
    accepted = board.decide_escalation(db, m1, now.id, accept=True, note="Added to the CRR")
    assert (accepted.status.value, accepted.decided_meeting_id) == ("accepted", m1)
    with pytest.raises(RiskboardError, match="was already accepted at meeting 1"):
        board.decide_escalation(db, m1, now.id, accept=False)
    board.close_meeting(db, m1, force_reason="t")
    m2 = start(db, "2022-10-12").id
    declined = board.decide_escalation(db, m2, later.id, accept=False, note="Within contract")
    assert (declined.status.value, declined.decided_meeting_id) == ("declined", m2)
    raised, decided = board.escalations.escalations_at(db, m1)
    assert {e.ref: e.status.value for e in raised} == {"HM-001": "accepted", "WS-003": "proposed"}
    raised2, decided2 = board.escalations.escalations_at(db, m2)
    assert raised2 == [] and [(e.ref, e.status.value) for e in decided2] == [("WS-003", "declined")]
    assert [e.ref for e in board.list_escalations(db, status="declined")] == ["WS-003"]
    with pytest.raises(RiskboardError, match="no escalation 99"):
        board.decide_escalation(db, m2, 99, accept=True)
