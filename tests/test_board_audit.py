"""Audit and durability: every change writes exactly one append-only audit row in the
same transaction; a failed change writes nothing; a killed process loses nothing
already entered and the meeting resumes."""

from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import sqlite_utils

from board_helpers import CHAIR, MINUTE_TAKER, audit_count, seeded_db, start
from riskboard import board
from riskboard.errors import RiskboardError, StoreUnavailable
from riskboard.store import meetings as store
from riskboard.store import open_db

TESTS = Path(__file__).parent


def test_every_change_writes_exactly_one_audit_row(db: sqlite_utils.Database) -> None:
    m1 = start(db, start=False)
    ctx: dict[str, Any] = {}
    steps: list[tuple[str, Callable[[], Any]]] = [
        ("meeting", lambda: board.open_meeting(db, m1.id)),
        ("person", lambda: board.save_person(db, "Pat", organisation="other", meeting_id=m1.id)),
        ("attendance", lambda: board.attend(db, m1.id, "Carl", organisation="contractor")),
        ("attendance", lambda: board.attend(db, m1.id, "Dee", organisation="directorate")),
        ("attendance", lambda: board.attend(db, m1.id, "Cora", organisation="corporate")),
        ("attendance", lambda: board.attend(db, m1.id, "Pat", apologies=True)),
        ("attendance", lambda: board.remove_attendance(db, m1.id, "Pat")),
        ("meeting", lambda: board.add_declaration(db, m1.id, "none")),
        ("review", lambda: board.save_review(db, m1.id, "HM-001", strategy="treat")),
        ("review", lambda: board.save_review(db, m1.id, "HM-001", decision="treat it")),
        ("action", lambda: ctx.update(a=board.add_action(db, m1.id, "Do", owner="Carl", due="2022-10-31"))),
        ("action", lambda: board.update_action(db, m1.id, ctx["a"].number, progress="begun")),
        ("action", lambda: ctx.update(w=board.add_action(db, m1.id, "Oops", owner="Carl", due="2022-10-31"))),
        ("action", lambda: board.withdraw_action(db, m1.id, ctx["w"].number, reason="raised in error")),
        ("escalation", lambda: ctx.update(e=board.escalate(db, m1.id, "HM-001", target="corporate", reason="16"))),
        ("escalation", lambda: board.escalate(db, m1.id, "SL-002", target="operations-board", reason="cost")),
        ("escalation", lambda: board.decide_escalation(db, m1.id, ctx["e"].id, accept=True)),
        ("meeting", lambda: board.add_aob(db, m1.id, "Winter")),
        ("meeting", lambda: board.set_next_meeting_date(db, m1.id, "2022-10-12")),
        ("meeting", lambda: board.close_meeting(db, m1.id)),
        ("meeting", lambda: ctx.update(m2=start(db, "2022-10-12", quorate=False))),
        ("attendance", lambda: board.attend(db, ctx["m2"].id, "Carl")),
        ("attendance", lambda: board.attend(db, ctx["m2"].id, "Dee")),
        ("attendance", lambda: board.attend(db, ctx["m2"].id, "Cora")),
        ("meeting", lambda: board.approve_previous(db, ctx["m2"].id)),
    ]  # fmt: skip
    for entity, step in steps:
        before = audit_count(db)
        step()
        assert audit_count(db) == before + 1, entity
        last = board.audit_entries(db)[-1]
        assert last.entity == entity
        assert last.actor in {MINUTE_TAKER, CHAIR}
        assert last.at
    reviews = [e for e in board.audit_entries(db, meeting_id=m1.id) if e.entity == "review"]
    assert reviews[0].before is None and reviews[0].after["strategy"] == "treat"
    assert reviews[1].before["decision"] is None
    assert reviews[1].after["decision"] == "RESOLVED: treat it"


def test_refused_change_writes_no_audit_row(db: sqlite_utils.Database) -> None:
    m = start(db, quorate=False)
    before = audit_count(db)
    with pytest.raises(RiskboardError):
        board.save_review(db, m.id, "NOPE", note="x")
    with pytest.raises(RiskboardError):
        board.close_meeting(db, m.id)
    assert audit_count(db) == before


def test_change_and_audit_row_commit_together(
    db: sqlite_utils.Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """If the audit row cannot be written the change itself is rolled back, and the
    failure of the database is one typed error naming it."""
    m = start(db)
    calls = store.insert_audit

    def broken(*args: Any, **kw: Any) -> int:
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(store, "insert_audit", broken)
    with pytest.raises(StoreUnavailable, match="rb.db"):
        board.save_review(db, m.id, "HM-001", note="lost with its audit row")
    with pytest.raises(StoreUnavailable):
        board.add_action(db, m.id, "Never numbered", owner="Carl", due="2022-10-31")
    monkeypatch.setattr(store, "insert_audit", calls)
    assert db.execute("SELECT COUNT(*) FROM reviews").fetchone()[0] == 0
    assert db.execute("SELECT COUNT(*) FROM board_actions").fetchone()[0] == 0
    assert db.execute("SELECT COUNT(*) FROM action_updates").fetchone()[0] == 0
    assert not db.conn.in_transaction
    assert board.add_action(db, m.id, "First real", owner="Carl", due="2022-10-31").number == 1


def test_audit_log_is_append_only(db: sqlite_utils.Database) -> None:
    start(db, quorate=False)
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        db.execute("UPDATE audit_log SET actor = 'Mallory'")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        db.execute("DELETE FROM audit_log")
    assert [e.actor for e in board.audit_entries(db)] == [MINUTE_TAKER]


def test_store_refuses_writes_outside_a_transaction(db: sqlite_utils.Database) -> None:
    with pytest.raises(store.NotInTransaction):
        store.insert(db, "people", {"name": "X", "organisation": "other"})
    assert not db.conn.in_transaction


_SESSION = textwrap.dedent(
    """
    import os, signal, sys
    sys.path.insert(0, {tests!r})
    from board_helpers import start, quorate
    from riskboard import board
    from riskboard.board.txn import plain_change
    from riskboard.store import open_db
    from riskboard.store import meetings as store

    db = open_db({path!r})
    m = start(db, quorate=False)
    quorate(db, m.id)
    board.save_review(db, m.id, "HM-001", strategy="tolerate", rationale="cost",
                      review_by="2022-12-31", decision="tolerate", reviewed=True)
    board.add_action(db, m.id, "Report costs", owner="Carl", due="2022-10-31")
    board.escalate(db, m.id, "HM-001", target="corporate", reason="16")
    print("entered", flush=True)
    with plain_change(db):  # killed half-way through the next change
        store.insert(db, "board_actions", {{"meeting_id": m.id, "text": "half-written",
                     "status": "open", "created_at": "x", "updated_at": "x"}})
        os.kill(os.getpid(), signal.SIGKILL)
    """
)


@pytest.mark.slow  # a child process killed mid-meeting
def test_killed_process_loses_nothing_entered_and_the_meeting_resumes(tmp_path: Path) -> None:
    path = tmp_path / "rb.db"
    seeded_db(path).conn.close()
    proc = subprocess.run(
        [sys.executable, "-c", _SESSION.format(tests=str(TESTS), path=str(path))],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    assert "entered" in proc.stdout
    db = open_db(path)
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    meeting = board.current_meeting(db)  # what the TUI resumes
    assert meeting is not None and meeting.status == board.MeetingStatus.IN_PROGRESS
    assert board.quorum(db, meeting.id).met
    review = board.get_review(db, meeting.id, "HM-001")
    assert review is not None and review.decision == "RESOLVED: tolerate" and review.reviewed
    assert [a.text for a in board.all_actions(db)] == ["Report costs"]  # not the half-written
    assert [e.ref for e in board.list_escalations(db, meeting_id=meeting.id)] == ["HM-001"]
    assert audit_count(db) == 7  # created, 3 attendances, review, action, escalation
    # and the meeting carries on where it stopped
    board.close_meeting(db, meeting.id)
    assert board.get_meeting(db, meeting.id).status == board.MeetingStatus.CLOSED


def test_dropped_connection_mid_change_leaves_no_trace(tmp_path: Path) -> None:
    path = tmp_path / "rb.db"
    db = seeded_db(path)
    m = start(db)
    db.conn.execute("BEGIN IMMEDIATE")
    store.insert(db, "reviews", {"meeting_id": m.id, "ref": "HM-001", "created_at": "x",
                                 "updated_at": "x"})  # fmt: skip
    db.conn.close()  # connection lost before commit
    again = open_db(path)
    assert again.execute("SELECT COUNT(*) FROM reviews").fetchone()[0] == 0
    assert board.current_meeting(again) == m
    assert (
        board.save_review(again, m.id, "HM-001", note="after reconnect").note == "after reconnect"
    )


def test_two_connections_interleave_safely(tmp_path: Path) -> None:
    """The TUI and a CLI minute-taker write through separate connections."""
    path = tmp_path / "rb.db"
    tui = seeded_db(path)
    cli = open_db(path)
    m = start(tui)
    board.save_review(cli, m.id, "HM-001", note="from the CLI")
    board.save_review(tui, m.id, "SL-002", note="from the TUI")
    board.add_action(cli, m.id, "A", owner="x", due="2022-10-31")
    board.add_action(tui, m.id, "B", owner="x", due="2022-10-31")
    assert [a.number for a in board.all_actions(cli)] == [1, 2]
    assert board.reviewed_refs(tui, m.id) == set()
    assert json.dumps(board.meeting_record(cli, m.id))  # both see everything
    assert len(board.list_reviews(cli, m.id)) == 2


def test_audit_rows_name_what_they_changed(db: sqlite_utils.Database) -> None:
    m = start(db)
    action = board.add_action(db, m.id, "Do", owner="Carl", due="2022-10-31")
    esc = board.escalate(db, m.id, "HM-001", target="corporate", reason="16")
    named = [(e.entity, e.entity_id, e.change) for e in board.audit_entries(db)]
    assert named[0] == ("meeting", str(m.id), "meeting created and opened")
    assert ("action", str(action.number), "action raised") in named
    assert ("escalation", str(esc.id), "escalate HM-001 -> corporate") in named
