"""Early warning decisions, actions and notices are audited rows the replay of the audit
log understands (``board.replay``): a meeting that recorded them verifies clean, closes,
is approved and exports; the same rows changed, added or deleted around the meeting
service are found by ``meeting verify`` and refuse the exports - also while the meeting
is still open, before any seal or approval hash protects them."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import sqlite_utils

from board_helpers import start
from ew_helpers import ew, import_ews
from riskboard import board
from riskboard.config import Config
from riskboard.errors import RiskboardError
from riskboard.reports.ew_notice import draft_notice
from riskboard.reports.ew_register_export import export_ew_register
from riskboard.reports.minutes import export_minutes

CONFIG = Config()


@pytest.fixture
def ews(db: sqlite_utils.Database) -> sqlite_utils.Database:
    import_ews(db, "2022-08", [ew("EW-001", linked_risk="HM-001"),
                               ew("EW-002", linked_risk="WS-003")])  # fmt: skip
    return db


def business(db: sqlite_utils.Database, tmp_path: Path) -> board.Meeting:
    """A meeting that did every kind of early warning business once."""
    meeting = start(db)
    board.decide_early_warning(db, meeting.id, "EW-001", decision="remove", reason="Done")
    board.decide_early_warning(db, meeting.id, "EW-001", decision="keep_open")  # amended
    board.decide_early_warning(db, meeting.id, "EW-002", decision="compensation_event",
                               ce_ref="CE-4")  # fmt: skip
    action = board.add_action(
        db, meeting.id, "Survey the culvert", owner="Carl", due="2022-10-01", ew_ref="EW-002"
    )
    board.update_action(db, meeting.id, action.number, progress="Surveyor booked")
    draft_notice(db, CONFIG, risk_ref="SL-002", meeting_id=meeting.id, out_dir=tmp_path)
    draft_notice(db, CONFIG, risk_ref="SL-002", meeting_id=meeting.id, out_dir=tmp_path)
    return meeting


def test_early_warning_business_verifies_closes_approves_and_exports(
    ews: sqlite_utils.Database, tmp_path: Path
) -> None:
    meeting = business(ews, tmp_path)
    assert board.verify(ews, meeting.id).ok
    board.close_meeting(ews, meeting.id)
    result = board.verify(ews, meeting.id)
    assert result.ok and "record unchanged since it closed" in result.message
    export = export_ew_register(ews, CONFIG, meeting_id=meeting.id, out_dir=tmp_path)
    assert export.path.exists() and export.decided == 2
    assert export_minutes(ews, CONFIG, meeting_id=meeting.id, fmt="md", out_dir=tmp_path)
    following = start(ews, "2022-10-12")
    board.approve_previous(ews, following.id)
    approved = board.verify(ews, meeting.id)
    assert approved.ok and approved.approved, approved.findings
    assert export_ew_register(ews, CONFIG, meeting_id=meeting.id, out_dir=tmp_path).path.exists()


def _insert_decision(db: sqlite_utils.Database, meeting_id: int) -> None:
    db.execute(
        "INSERT INTO ew_decisions (meeting_id, ew_ref, decision, reason, created_at,"
        " updated_at) VALUES (?, 'EW-009', 'remove', 'slipped in', 'x', 'x')",
        [meeting_id],
    )


TAMPERS: dict[str, tuple[Callable[[sqlite_utils.Database, int], None], str]] = {
    "decision reason rewritten": (
        lambda db, m: db.execute(
            "UPDATE ew_decisions SET reason = 'Never agreed' WHERE ew_ref = 'EW-002'"
        ),
        "the decision on early warning EW-002 at meeting 1 reason is 'Never agreed'",
    ),  # fmt: skip
    "decision changed": (
        lambda db, m: db.execute(
            "UPDATE ew_decisions SET decision = 'remove', reason = 'x' WHERE ew_ref = 'EW-001'"
        ),
        "the decision on early warning EW-001 at meeting 1 decision is 'remove'",
    ),  # fmt: skip
    "decision deleted": (
        lambda db, m: db.execute("DELETE FROM ew_decisions WHERE ew_ref = 'EW-001'"),
        "the decision on early warning EW-001 at meeting 1 is in the audit log",
    ),
    "decision slipped in": (
        _insert_decision,
        "the decision on early warning EW-009 at meeting 1 is in the database but in no audit row",
    ),
    "action moved to another early warning": (
        lambda db, m: db.execute("UPDATE board_actions SET ew_ref = 'EW-001'"),
        "action 1 ew ref is 'EW-001'",
    ),
    "notice reference rewritten": (
        lambda db, m: db.execute("UPDATE ew_notices SET ew_ref = 'EW-777'"),
        "early warning notice EW-777 ew ref is 'EW-777'",
    ),
    "notice deleted": (
        lambda db, m: db.execute("DELETE FROM ew_notices"),
        "early warning notice EW-003 is in the audit log",
    ),
}


@pytest.mark.parametrize("name", list(TAMPERS))
def test_early_warning_rows_changed_around_the_service_are_found_and_refuse_exports(
    ews: sqlite_utils.Database, tmp_path: Path, name: str
) -> None:
    meeting = business(ews, tmp_path)
    tamper, finding = TAMPERS[name]
    tamper(ews, meeting.id)
    ews.conn.commit()
    result = board.verify(ews, meeting.id)  # the meeting is still open: no seal yet
    assert not result.ok
    assert any(finding in f for f in result.findings), result.findings
    with pytest.raises(
        RiskboardError, match="refused to export the revised early warning register"
    ):
        export_ew_register(ews, CONFIG, meeting_id=meeting.id, out_dir=tmp_path)
    assert not list(tmp_path.glob("early_warning_register_*"))
