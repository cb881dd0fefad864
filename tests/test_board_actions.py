"""Actions arising: numbered across meetings and never reused, carried into the next
meeting's action log while open, closed ones reported once, updates per meeting."""

from __future__ import annotations

from datetime import date

import pytest
import sqlite_utils

from board_helpers import start
from riskboard import board
from riskboard.errors import RiskboardError


def _next(db: sqlite_utils.Database, prev: int, when: str) -> int:
    board.close_meeting(db, prev, force_reason="test")
    return start(db, when).id


def test_numbers_run_across_meetings(db: sqlite_utils.Database) -> None:
    m1 = start(db).id
    a1 = board.add_action(db, m1, "First", owner="Carl", due="2022-10-31", risk_ref="hm-001")
    a2 = board.add_action(db, m1, "Second", owner="Dee", due="31/10/2022")
    m2 = _next(db, m1, "2022-10-12")
    a3 = board.add_action(db, m2, "Third", owner="Cora", due="2022-11-30")
    assert [a1.number, a2.number, a3.number] == [1, 2, 3]
    assert a1.risk_ref == "HM-001" and a2.risk_ref is None
    assert a2.due == date(2022, 10, 31)
    assert db.execute("SELECT number, meeting_id FROM board_actions").fetchall() == [
        (1, m1), (2, m1), (3, m2)
    ]  # fmt: skip


def test_numbers_are_never_reused(db: sqlite_utils.Database) -> None:
    m1 = start(db).id
    board.add_action(db, m1, "One", owner="Carl", due="2022-10-31")
    board.add_action(db, m1, "Two", owner="Carl", due="2022-10-31")
    # even if a row vanished (nothing in the service deletes), AUTOINCREMENT moves on
    db.execute("PRAGMA foreign_keys = OFF")
    with db.atomic():
        db.execute("DELETE FROM action_updates WHERE action_number = 2")
        db.execute("DELETE FROM board_actions WHERE number = 2")
    db.execute("PRAGMA foreign_keys = ON")
    assert board.add_action(db, m1, "Three", owner="Carl", due="2022-10-31").number == 3


def test_refused_action_takes_no_number(db: sqlite_utils.Database) -> None:
    m1 = start(db).id
    with pytest.raises(RiskboardError, match="unknown risk 'XX-9'"):
        board.add_action(db, m1, "Bad", owner="Carl", due="2022-10-31", risk_ref="XX-9")
    with pytest.raises(RiskboardError, match="is before the meeting"):
        board.add_action(db, m1, "Late", owner="Carl", due="2022-01-01")
    with pytest.raises(RiskboardError, match="needs an owner"):
        board.add_action(db, m1, "Nobody", owner=" ", due="2022-10-31")
    with pytest.raises(RiskboardError, match="bad due date 'soon'"):
        board.add_action(db, m1, "When", owner="Carl", due="soon")
    assert db.execute("SELECT COUNT(*) FROM board_actions").fetchone()[0] == 0
    assert board.add_action(db, m1, "Good", owner="Carl", due="2022-10-31").number == 1


def test_open_actions_carry_and_closed_ones_are_reported_once(db: sqlite_utils.Database) -> None:
    m1 = start(db).id
    keep = board.add_action(db, m1, "Keep going", owner="Carl", due="2022-10-31").number
    done = board.add_action(db, m1, "Finish", owner="Dee", due="2022-10-31").number
    same = board.add_action(db, m1, "Closed same day", owner="Dee", due="2022-10-31").number
    board.update_action(db, m1, same, status="done")
    assert board.action_log(db, m1) == []  # nothing from earlier meetings
    assert [a.status for a in board.actions_arising(db, m1)] == ["open", "open", "closed"]

    m2 = _next(db, m1, "2022-10-12")
    log = board.action_log(db, m2)
    assert [e.action.number for e in log] == [keep, done]  # closed-at-m1 one is not carried
    board.update_action(db, m2, done, status="closed", progress="Report issued")
    board.update_action(
        db, m2, keep, status="in progress", progress="Half way", revised_due="30/11/2022"
    )
    log = {e.action.number: e for e in board.action_log(db, m2)}
    assert log[done].closed_here and log[done].action.status == "closed"
    assert log[done].raised_meeting_date == date(2022, 9, 14)
    assert [u.progress for u in log[done].updates] == ["Report issued"]
    assert not log[keep].closed_here
    assert log[keep].action.revised_due == date(2022, 11, 30)
    assert log[keep].action.due == date(2022, 10, 31)  # the original due date stays

    m3 = _next(db, m2, "2022-11-09")
    assert [e.action.number for e in board.action_log(db, m3)] == [keep]  # dropped after once
    assert board.action_log(db, m3)[0].updates == []
    assert [a.number for a in board.open_actions(db)] == [keep]


def test_each_update_is_recorded_against_its_meeting(db: sqlite_utils.Database) -> None:
    m1 = start(db).id
    n = board.add_action(db, m1, "Survey", owner="Carl", due="2022-10-31").number
    m2 = _next(db, m1, "2022-10-12")
    board.update_action(db, m2, n, progress="Started")
    board.update_action(db, m2, n, owner="Dee")
    m3 = _next(db, m2, "2022-11-09")
    board.update_action(db, m3, n, status="closed", progress="Done")
    rows = db.execute(
        "SELECT meeting_id, status, progress, owner FROM action_updates ORDER BY id"
    ).fetchall()
    assert rows == [
        (m1, "open", None, "Carl"),  # as raised
        (m2, "open", "Started", "Carl"),
        (m2, "open", "Started", "Dee"),
        (m3, "closed", "Done", "Dee"),
    ]
    current = board.get_action(db, n)
    assert (current.status, current.owner, current.closed_meeting_id) == ("closed", "Dee", m3)
    assert len(board.action_history(db, n)) == 4


def test_logs_read_as_they_stood_that_day(db: sqlite_utils.Database) -> None:
    m1 = start(db).id
    n = board.add_action(db, m1, "Survey", owner="Carl", due="2022-10-31").number
    m2 = _next(db, m1, "2022-10-12")
    board.update_action(db, m2, n, progress="Started")
    m3 = _next(db, m2, "2022-11-09")
    board.update_action(db, m3, n, status="closed", progress="Done", owner="Dee")
    assert board.actions_arising(db, m1)[0].model_dump(include={"status", "progress", "owner"}) == {
        "status": "open", "progress": None, "owner": "Carl"
    }  # fmt: skip
    assert board.action_log(db, m2)[0].action.progress == "Started"
    assert board.action_log(db, m2)[0].action.status == "open"
    assert board.action_log(db, m3)[0].action.status == "closed"


def test_closed_actions_stay_closed(db: sqlite_utils.Database) -> None:
    m1 = start(db).id
    n = board.add_action(db, m1, "Survey", owner="Carl", due="2022-10-31").number
    board.update_action(db, m1, n, status="closed")
    board.update_action(db, m1, n, status="open")  # a slip at the same meeting can be undone
    board.update_action(db, m1, n, status="complete")
    m2 = _next(db, m1, "2022-10-12")
    with pytest.raises(RiskboardError, match=f"Action {n} was closed at meeting {m1}"):
        board.update_action(db, m2, n, status="open")


def test_update_errors(db: sqlite_utils.Database) -> None:
    m1 = start(db).id
    n = board.add_action(db, m1, "Survey", owner="Carl", due="2022-10-31").number
    with pytest.raises(RiskboardError, match=r"no Action 7 \(actions are numbered 1-1\)"):
        board.update_action(db, m1, 7, progress="x")
    with pytest.raises(RiskboardError, match="nothing to update"):
        board.update_action(db, m1, n)
    with pytest.raises(RiskboardError, match="unknown action status 'maybe'"):
        board.update_action(db, m1, n, status="maybe")
    with pytest.raises(RiskboardError, match="bad revised due date"):
        board.update_action(db, m1, n, revised_due="32/01/2023")
    assert db.execute("SELECT COUNT(*) FROM action_updates").fetchone()[0] == 1
