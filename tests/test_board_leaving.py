"""Attendance over the meeting (review of issue 11, findings 1 and 2): someone present
while the board did business stays on the record as present - taking them off or
turning them into apologies is refused - and leaving is recorded with its time; the
quorum for later business counts only who is still there, and the minutes' quorum
statement is true for the business transacted. A quorate meeting is never said to
have closed "without quorum"."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlite_utils

from board_helpers import start
from riskboard import board
from riskboard.board.text import record_text
from riskboard.config import Config
from riskboard.errors import RiskboardError
from riskboard.reports.minutes import export_minutes
from test_cli_meeting import fails, make_quorate, ok, workspace  # noqa: F401


def _minutes(db: sqlite_utils.Database, tmp_path: Path, meeting_id: int = 1) -> str:
    config = Config().resolve(tmp_path)
    path = export_minutes(db, config, meeting_id=meeting_id, fmt="md", out_dir=tmp_path)
    return path.read_text(encoding="utf-8")


def test_someone_who_took_part_cannot_be_removed_or_turned_into_apologies(
    db: sqlite_utils.Database,
) -> None:
    m = start(db)
    board.save_review(db, m.id, "HM-001", decision="treat it", reviewed=True)
    for attempt in (
        lambda: board.remove_attendance(db, m.id, "Cora Corporate"),
        lambda: board.attend(db, m.id, "Cora Corporate", apologies=True),
    ):
        with pytest.raises(RiskboardError) as err:
            attempt()
        text = str(err.value)
        assert "Cora Corporate was present at meeting 1" in text
        assert "while the board did business (review HM-001: review recorded, audit row" in text
        assert err.value.hint is not None
        assert 'riskboard meeting attend "Cora Corporate" --left' in err.value.hint
    assert [e.status for e in board.attendance(db, m.id) if e.name == "Cora Corporate"] == [
        board.AttendanceStatus.PRESENT
    ]


def test_a_mistake_before_any_business_can_still_be_corrected(db: sqlite_utils.Database) -> None:
    m = start(db)
    board.attend(db, m.id, "Ed Extra", organisation="contractor")
    board.remove_attendance(db, m.id, "Ed Extra")  # no business yet: a plain mistake
    board.save_review(db, m.id, "HM-001", note="x")
    board.attend(db, m.id, "Fay Late", organisation="directorate")  # arrived after it
    board.attend(db, m.id, "Fay Late", apologies=True)  # took part in nothing: allowed
    assert {e.name for e in board.attendance(db, m.id)} >= {"Fay Late"}


def test_leaving_keeps_them_present_and_later_business_needs_the_quorum_without_them(
    db: sqlite_utils.Database, tmp_path: Path
) -> None:
    m = start(db)
    board.save_review(db, m.id, "HM-001", decision="treat it", reviewed=True)
    entry = board.leave(db, m.id, "Cora Corporate")
    assert entry.status == board.AttendanceStatus.PRESENT and entry.left_at is not None
    assert not board.quorum(db, m.id).met
    with pytest.raises(RiskboardError, match="Corporate needs 1 lead officer present"):
        board.save_review(db, m.id, "SL-002", decision="tolerate")
    audit = board.audit_entries(db, meeting_id=m.id)[-1]
    assert (audit.entity, audit.entity_id, audit.change) == ("attendance", "Cora Corporate", "left")
    board.close_meeting(db, m.id, force_reason="Corporate lead left for another meeting")
    text = _minutes(db, tmp_path)
    # she is on the present list, with when she left and after which item
    assert "| Cora Corporate | Council Corporate | Risk Manager |" in text
    assert "**Left during the meeting:** Cora Corporate (Council Corporate) at " in text
    assert ", after item 5 (Risk HM-001: Pothole claims)." in text
    assert "The meeting was quorate until Cora Corporate left at " in text
    assert "; no business was transacted after that. At the close it was not quorate" in text
    assert "The meeting was not quorate (" not in text
    assert "**RESOLVED:** treat it." in text
    shown = record_text(board.meeting_record(db, m.id))
    assert "Corporate: Cora Corporate (Risk Manager, left at " in shown


def test_a_departure_the_quorum_survives_says_quorate_throughout(
    db: sqlite_utils.Database, tmp_path: Path
) -> None:
    m = start(db)
    board.attend(db, m.id, "Cy Second", organisation="corporate")
    board.save_review(db, m.id, "HM-001", decision="treat it", reviewed=True)
    board.leave(db, m.id, "Cora Corporate")
    board.save_review(db, m.id, "SL-002", decision="tolerate it")  # still quorate
    board.close_meeting(db, m.id)
    text = _minutes(db, tmp_path)
    assert "The meeting was quorate throughout (" in text
    assert "Cora Corporate (Council Corporate) at " in text


def test_someone_who_left_and_came_back(db: sqlite_utils.Database, tmp_path: Path) -> None:
    m = start(db)
    board.save_review(db, m.id, "HM-001", decision="treat it", reviewed=True)
    board.leave(db, m.id, "Cora Corporate")
    with pytest.raises(RiskboardError, match="already left"):
        board.leave(db, m.id, "Cora Corporate")
    back = board.attend(db, m.id, "Cora Corporate")
    assert back.left_at is None and board.quorum(db, m.id).met
    assert board.audit_entries(db, meeting_id=m.id)[-1].change == "returned"
    board.save_review(db, m.id, "SL-002", decision="tolerate it")
    board.close_meeting(db, m.id)
    text = _minutes(db, tmp_path)
    assert "; returned at " in text
    assert "The meeting was quorate (" in text
    assert "The meeting was not quorate from " in text
    assert "(Cora Corporate left) to " in text and "(Cora Corporate returned)" in text
    assert "no business was transacted in that time." in text


def test_who_can_leave(db: sqlite_utils.Database) -> None:
    m = start(db)
    board.attend(db, m.id, "Abe Absent", organisation="directorate", apologies=True)
    with pytest.raises(RiskboardError, match="sending apologies .* only someone present"):
        board.leave(db, m.id, "Abe Absent")
    with pytest.raises(RiskboardError, match="'Nobody Here' is not recorded at meeting 1"):
        board.leave(db, m.id, "Nobody Here")
    board.close_meeting(db, m.id)
    draft = start(db, "2022-10-12", start=False)
    board.attend(db, draft.id, "Carl Contractor")
    with pytest.raises(RiskboardError, match="has not started: nobody can leave it yet"):
        board.leave(db, draft.id, "Carl Contractor")


def test_a_quorate_meeting_closed_with_force_is_not_said_to_lack_quorum(
    db: sqlite_utils.Database, tmp_path: Path
) -> None:
    m = start(db)
    closed = board.close_meeting(db, m.id, force_reason="ran out of time")
    assert closed.close_forced_reason is None
    assert board.audit_entries(db, meeting_id=m.id)[-1].change == "meeting closed"
    shown = record_text(board.meeting_record(db, m.id))
    assert "without quorum" not in shown
    assert "without quorum" not in _minutes(db, tmp_path)


def test_cli_left_and_force_on_a_quorate_meeting(
    workspace: Path,  # noqa: F811
    capsys: pytest.CaptureFixture[str],
) -> None:
    ok(capsys, "meeting", "new", "--date", "2022-09-14", "--chair", "Alice Chair")
    make_quorate(capsys)
    ok(capsys, "review", "HM-001", "--decision", "treat it")
    err = fails(capsys, "meeting", "attend", "Cora Corporate", "--remove")
    assert "Cora Corporate was present at meeting 1" in err
    assert 'riskboard meeting attend "Cora Corporate" --left' in err
    fails(capsys, "meeting", "attend", "Cora Corporate", "--apologies")
    out = ok(capsys, "meeting", "attend", "Cora Corporate", "--left")
    assert out.startswith("Cora Corporate left meeting 1 at ")
    assert "not quorate: Corporate needs 1 lead officer present (0 present)" in out
    fails(capsys, "review", "SL-002", "--decision", "tolerate")
    ok(capsys, "meeting", "attend", "Cora Corporate")  # back
    out = ok(capsys, "meeting", "close", "--force", "ran out of time")
    assert out.splitlines()[0] == (
        "Meeting 1 closed (it was quorate: --force was not needed, no reason recorded)"
    )
    assert "without quorum" not in ok(capsys, "meeting", "show", "1")
