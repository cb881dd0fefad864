"""The meeting record: everything recorded, JSON-able, as it stood at the meeting;
and its plain-text rendering in minute order."""

from __future__ import annotations

import json

import sqlite_utils

from board_helpers import start
from riskboard import board
from riskboard.board.text import record_text


def _chaired(db: sqlite_utils.Database) -> tuple[int, int]:
    """Meeting 1 raises Actions 1-2 and escalates; meeting 2 hears the follow-up."""
    m1 = start(db).id
    board.attend(db, m1, "Carl Contractor", organisation="contractor", role="Contract Manager")
    board.attend(db, m1, "Dee Directorate", organisation="directorate")
    board.attend(db, m1, "Cora Corporate", organisation="corporate")
    board.attend(db, m1, "Abe Absent", organisation="directorate", apologies=True)
    board.add_declaration(db, m1, "Dee Directorate - WS-003")
    board.save_review(db, m1, "HM-001", strategy="tolerate", rationale="cost", review_by="2022-12-31",
                      note="Discussed claims", decision="tolerate until December", reviewed=True)  # fmt: skip
    board.add_action(
        db, m1, "Cost the treatment", owner="Carl", due="2022-10-31", risk_ref="HM-001"
    )
    board.add_action(db, m1, "Update the register", owner="Dee", due="2022-10-31")
    board.escalate(db, m1, "HM-001", target="corporate", reason="Score 16", proposed_owner="CFO")
    board.add_aob(db, m1, "Winter readiness")
    board.set_next_meeting_date(db, m1, "2022-10-12")
    board.close_meeting(db, m1)
    m2 = start(db, "2022-10-12").id
    board.approve_previous(db, m2)
    board.update_action(db, m2, 2, status="closed", progress="Done")
    board.decide_escalation(db, m2, 1, accept=True, note="On the CRR")
    board.add_action(db, m2, "New one", owner="Cora", due="2022-11-30")
    return m1, m2


def test_record_holds_everything_said(db: sqlite_utils.Database) -> None:
    m1, m2 = _chaired(db)
    rec = board.meeting_record(db, m1)
    json.dumps(rec)  # JSON-able as it is
    assert rec["meeting"]["meeting_date"] == "2022-09-14"
    assert rec["meeting"]["month"] == "2022-08"
    assert rec["meeting"]["status"] == "closed"
    assert rec["attendance"]["by_organisation"] == {
        "contractor": {"present": ["Carl Contractor"], "apologies": []},
        "directorate": {"present": ["Dee Directorate"], "apologies": ["Abe Absent"]},
        "corporate": {"present": ["Cora Corporate"], "apologies": []},
    }
    assert [p["name"] for p in rec["attendance"]["apologies"]] == ["Abe Absent"]
    assert rec["quorum"]["met"] and rec["quorum"]["text"] == "quorate"
    assert rec["declarations"] == ["Dee Directorate - WS-003"]
    assert rec["previous_minutes"]["previous_meeting"] is None
    [review] = rec["reviews"]
    assert review["ref"] == "HM-001" and review["risk_title"] == "Pothole claims"
    assert review["risk_score"] == 16 and review["risk_owner"] == "Jo Bloggs"
    assert review["decision"] == "RESOLVED: tolerate until December"
    assert [a["number"] for a in rec["actions_arising"]] == [1, 2]
    assert [a["status"] for a in rec["actions_arising"]] == ["open", "open"]  # as that day
    [esc] = rec["escalations"]
    assert esc["target_name"] == "Corporate risk register" and esc["status"] == "proposed"
    assert esc["proposed_owner"] == "CFO"
    assert rec["aob"] == ["Winter readiness"]
    assert rec["next_meeting_date"] == "2022-10-12"
    assert rec["approval"]["approved"] and rec["approval"]["approved_by_meeting_id"] == m2
    assert rec["summary"]["reviews"] == 1 and rec["summary"]["actions_arising"] == 2


def test_next_meetings_record_carries_and_reports(db: sqlite_utils.Database) -> None:
    m1, m2 = _chaired(db)
    rec = board.meeting_record(db, m2)
    approved = rec["previous_minutes"]["approved_here"]
    assert [a["meeting_id"] for a in approved] == [m1]
    assert approved[0]["content_hash"] == board.get_meeting(db, m1).content_hash
    assert rec["previous_minutes"]["note"].startswith("Minutes of meeting 1 (14/09/2022) approved")
    log = {e["action"]["number"]: e for e in rec["action_log"]}
    assert set(log) == {1, 2}
    assert log[2]["closed_here"] and log[2]["action"]["status"] == "closed"
    assert not log[1]["closed_here"]
    assert [a["number"] for a in rec["actions_arising"]] == [3]
    assert rec["escalations"] == []
    assert [(e["ref"], e["status"], e["decision_note"]) for e in rec["escalation_decisions"]] == [
        ("HM-001", "accepted", "On the CRR")
    ]
    assert rec["summary"]["actions_closed_here"] == 1


def test_hash_ignores_only_the_approval_and_the_replayed_quorum_history(
    db: sqlite_utils.Database,
) -> None:
    m1, _ = _chaired(db)
    from riskboard.board.record import canonical_json

    rec = board.meeting_record(db, m1)
    body = json.loads(canonical_json(rec))
    # the quorum history is replayed from the audit log, which its own chain protects
    assert set(body) == set(rec) - {"approval", "quorum_history"}


def test_text_rendering_in_minute_order(db: sqlite_utils.Database) -> None:
    m1, m2 = _chaired(db)
    text = record_text(board.meeting_record(db, m1))
    order = ["1. Attendance", "2. Declarations", "3. Minutes of the previous", "4. Action log",
             "5. Risk reviews", "6. Actions arising", "7. Escalations", "8. Any other business",
             "9. Date of next meeting"]  # fmt: skip
    positions = [text.index(h) for h in order]
    assert positions == sorted(positions)
    assert "Contractor: Carl Contractor (Contract Manager)" in text
    assert "Apologies: Abe Absent (Directorate)" in text
    assert "RESOLVED: tolerate until December" in text
    assert "Action 1 (open) [HM-001]: Cost the treatment - Carl, due 31/10/2022" in text
    assert "HM-001 -> Corporate risk register [proposed]" in text
    assert "12/10/2022" in text
    assert f"Minutes approved at meeting {m2}" in text
    text2 = record_text(board.meeting_record(db, m2))
    assert "closed at this meeting" in text2
    assert "[accepted]" in text2
