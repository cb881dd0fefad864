"""Meeting lifecycle: start, draft/open, one open meeting, close with quorum, read-only
after close, previous minutes approval (lock + content hash) and verification."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import sqlite_utils

from board_helpers import CHAIR, MINUTE_TAKER, audit_count, import_month, quorate, risk, start
from riskboard import board
from riskboard.cli import main
from riskboard.config import Config
from riskboard.errors import MeetingStateError, NotFound, Remedy, RiskboardError
from riskboard.store import open_db
from riskboard.store.integrity import PROTECTIVE_TRIGGERS


def test_new_meeting_defaults_to_latest_month_and_starts(db: sqlite_utils.Database) -> None:
    m = start(db, "14/09/2022")
    assert m.meeting_date == date(2022, 9, 14)
    assert m.month == "2022-08"
    assert m.status == board.MeetingStatus.IN_PROGRESS
    assert m.opened_at is not None
    row = db.execute("SELECT chair, minute_taker, status FROM meetings").fetchone()
    assert row == (CHAIR, MINUTE_TAKER, "in_progress")
    assert board.current_meeting(db) == m


def test_new_meeting_for_a_named_month(db: sqlite_utils.Database) -> None:
    assert start(db, month="2022-07").month == "2022-07"


def test_month_without_data_is_refused(db: sqlite_utils.Database) -> None:
    with pytest.raises(RiskboardError, match=r"no register imported for board month 2022-05"):
        start(db, month="2022-05")
    with pytest.raises(RiskboardError, match=r"bad board month"):
        start(db, month="August")
    assert db.execute("SELECT COUNT(*) FROM meetings").fetchone()[0] == 0


def test_no_imported_data_at_all(tmp_path: Path) -> None:
    with pytest.raises(RiskboardError, match="no register imported yet"):
        start(open_db(tmp_path / "empty.db"))


def test_bad_meeting_date_and_missing_chair(db: sqlite_utils.Database) -> None:
    with pytest.raises(RiskboardError, match=r"bad meeting date '31/02/2022'"):
        start(db, "31/02/2022")
    with pytest.raises(RiskboardError, match="needs a chair"):
        start(db, chair="  ")


def test_only_one_meeting_open_at_a_time(db: sqlite_utils.Database) -> None:
    m = start(db)
    with pytest.raises(RiskboardError, match=r"meeting 1 .* is still in progress"):
        start(db, "2022-10-12")
    board.close_meeting(db, m.id, force_reason="test")
    assert start(db, "2022-10-12").previous_meeting_id == m.id


def test_new_meeting_not_before_the_previous(db: sqlite_utils.Database) -> None:
    m = start(db, "2022-09-14")
    board.close_meeting(db, m.id, force_reason="test")
    with pytest.raises(
        RiskboardError, match=r"before the previous meeting \(meeting 1, 2022-09-14\)"
    ):
        start(db, "2022-09-01")


def test_draft_takes_preparation_but_not_decisions(db: sqlite_utils.Database) -> None:
    m = start(db, start=False)
    assert m.status == board.MeetingStatus.DRAFT and m.opened_at is None
    board.attend(db, m.id, "Cora Corporate", organisation="corporate", apologies=True)
    board.add_aob(db, m.id, "Winter readiness")
    with pytest.raises(RiskboardError, match="is a draft: open it"):
        board.save_review(db, m.id, "HM-001", note="x")
    with pytest.raises(RiskboardError, match="is a draft"):
        board.close_meeting(db, m.id, force_reason="x")
    opened = board.open_meeting(db, m.id)
    assert opened.status == board.MeetingStatus.IN_PROGRESS
    quorate(db, m.id)
    assert board.save_review(db, m.id, "HM-001", note="x").note == "x"


def test_close_refused_without_quorum_naming_who_is_missing(db: sqlite_utils.Database) -> None:
    m = start(db, quorate=False)
    board.attend(db, m.id, "Carl Contractor", organisation="contractor")
    with pytest.raises(RiskboardError) as err:
        board.close_meeting(db, m.id)
    assert "Directorate needs 1 lead officer" in str(err.value)
    assert "Corporate needs 1 lead officer" in str(err.value)
    assert "Contractor needs" not in str(err.value)
    assert board.get_meeting(db, m.id).status == board.MeetingStatus.IN_PROGRESS


def test_close_with_quorum(db: sqlite_utils.Database) -> None:
    m = start(db)
    quorate(db, m.id)
    closed = board.close_meeting(db, m.id)
    assert closed.status == board.MeetingStatus.CLOSED
    assert closed.closed_at and closed.close_forced_reason is None
    assert board.current_meeting(db) is None


def test_force_close_records_the_reason(db: sqlite_utils.Database) -> None:
    m = start(db, quorate=False)
    with pytest.raises(RiskboardError):
        board.close_meeting(db, m.id, force_reason="   ")
    closed = board.close_meeting(db, m.id, force_reason="Corporate sent apologies")
    assert closed.close_forced_reason == "Corporate sent apologies"
    row = db.execute("SELECT status, close_forced_reason FROM meetings").fetchone()
    assert row == ("closed", "Corporate sent apologies")


def test_closed_meeting_is_read_only(db: sqlite_utils.Database) -> None:
    m = start(db)
    quorate(db, m.id)
    action = board.add_action(db, m.id, "Report", owner="Carl", due="2022-10-31")
    esc = board.escalate(db, m.id, "HM-001", target="corporate", reason="16")
    board.close_meeting(db, m.id)
    before = db.execute("SELECT COUNT(*) FROM audit_log").fetchone()[0]
    attempts = [
        lambda: board.save_review(db, m.id, "HM-001", note="late"),
        lambda: board.attend(db, m.id, "New Person", organisation="other"),
        lambda: board.remove_attendance(db, m.id, "Carl Contractor"),
        lambda: board.add_action(db, m.id, "late", owner="x", due="2022-12-01"),
        lambda: board.update_action(db, m.id, action.number, progress="late"),
        lambda: board.escalate(db, m.id, "SL-002", target="directorate", reason="x"),
        lambda: board.decide_escalation(db, m.id, esc.id, accept=True),
        lambda: board.add_aob(db, m.id, "late"),
        lambda: board.add_declaration(db, m.id, "late"),
        lambda: board.set_next_meeting_date(db, m.id, "2022-10-12"),
        lambda: board.close_meeting(db, m.id),
        lambda: board.open_meeting(db, m.id),
    ]
    for attempt in attempts:
        with pytest.raises(RiskboardError, match="is closed: its record is read-only"):
            attempt()
    assert db.execute("SELECT COUNT(*) FROM audit_log").fetchone()[0] == before


def test_approve_previous_locks_it_with_a_content_hash(db: sqlite_utils.Database) -> None:
    first = start(db)
    quorate(db, first.id)
    board.save_review(db, first.id, "HM-001", note="discussed", decision="noted")
    board.close_meeting(db, first.id)
    second = start(db, "2022-10-12")
    approved = board.approve_previous(db, second.id)
    assert approved.id == first.id and approved.locked
    assert approved.approved_by_meeting_id == second.id
    assert approved.content_hash == board.content_hash(db, first.id)
    assert len(approved.content_hash or "") == 64
    note = board.get_meeting(db, second.id).previous_minutes_note
    assert note == "Minutes of meeting 1 (14/09/2022) approved as a correct record."
    with pytest.raises(RiskboardError, match="is locked: its minutes were approved at meeting 2"):
        board.save_review(db, first.id, "HM-001", note="changed")
    with pytest.raises(RiskboardError, match="already approved at meeting 2"):
        board.approve_previous(db, second.id)
    assert board.verify(db, first.id).ok


def test_approve_with_amendment_and_refusals(db: sqlite_utils.Database) -> None:
    first = start(db)
    with pytest.raises(RiskboardError, match="has no previous meeting"):
        board.approve_previous(db, first.id)
    board.close_meeting(db, first.id, force_reason="t")
    second = start(db, "2022-10-12")
    board.approve_previous(db, second.id, amendment="item 5: owner is J Smith")
    assert board.get_meeting(db, second.id).previous_minutes_note == (
        "Minutes of meeting 1 (14/09/2022) approved as a correct record,"
        " subject to: item 5: owner is J Smith"
    )
    with pytest.raises(RiskboardError, match="not earlier than"):
        board.approve_previous(db, second.id, previous_id=second.id)


def test_approving_an_older_unapproved_meeting(db: sqlite_utils.Database) -> None:
    ids = []
    for when in ("2022-07-13", "2022-08-10"):
        m = start(db, when)
        board.close_meeting(db, m.id, force_reason="t")
        ids.append(m.id)
    third = start(db, "2022-09-14")
    board.approve_previous(db, third.id)  # meeting 2
    board.approve_previous(db, third.id, previous_id=ids[0])  # catch up on meeting 1
    assert all(board.get_meeting(db, i).locked for i in ids)
    assert board.get_meeting(db, third.id).previous_minutes_note.count("approved") == 2


def test_verify_detects_tampering_in_any_part(db: sqlite_utils.Database) -> None:
    first = start(db)
    quorate(db, first.id)
    board.save_review(db, first.id, "HM-001", strategy="treat", decision="treat it")
    board.add_action(db, first.id, "Report", owner="Carl", due="2022-10-31")
    board.escalate(db, first.id, "HM-001", target="corporate", reason="16")
    board.close_meeting(db, first.id)
    second = start(db, "2022-10-12")
    board.approve_previous(db, second.id)
    tampers = [
        "UPDATE reviews SET decision = 'RESOLVED: something else'",
        "UPDATE attendance SET name = 'Someone Else' WHERE name = 'Cora Corporate'",
        "UPDATE board_actions SET text = 'Different' WHERE number = 1",
        "UPDATE escalations SET reason = 'other'",
        "UPDATE meetings SET chair = 'Mallory' WHERE id = 1",
    ]
    for sql in tampers:
        db.conn.execute("BEGIN")  # tamper, check, then undo the tampering
        for name in PROTECTIVE_TRIGGERS:  # the tamperer drops the protection first
            db.conn.execute(f"DROP TRIGGER IF EXISTS {name}")
        db.conn.execute(sql)
        result = board.verify(db, first.id)
        db.conn.execute("ROLLBACK")
        assert not result.ok, sql
        assert "TAMPERED" in result.message
        assert "protective triggers missing" in " ".join(result.findings)
        assert result.stored_hash != result.computed_hash
        assert board.verify(db, first.id).ok, sql


def test_verify_survives_everything_legitimate_after_approval(db: sqlite_utils.Database) -> None:
    """Later meetings, re-imports and people-list edits never change an approved record."""
    first = start(db)
    quorate(db, first.id)
    board.save_review(db, first.id, "HM-001", strategy="treat", decision="treat it")
    action = board.add_action(db, first.id, "Report", owner="Carl", due="2022-10-31")
    esc = board.escalate(db, first.id, "HM-001", target="corporate", reason="16")
    board.close_meeting(db, first.id)
    second = start(db, "2022-10-12")
    board.approve_previous(db, second.id)
    board.update_action(db, second.id, action.number, status="closed", progress="done", owner="Dee")
    board.decide_escalation(db, second.id, esc.id, accept=True)
    board.save_person(
        db, "Cora Corporate", organisation="other", role="Retired", lead_officer=False
    )
    import_month(db, "2022-08", [risk("HM-001", title="Renamed in a re-import", current_score=4)])
    assert board.verify(db, first.id).ok
    rec = board.meeting_record(db, first.id)
    assert rec["reviews"][0]["risk_title"] == "Pothole claims"
    assert rec["actions_arising"][0]["status"] == "open"
    assert rec["escalations"][0]["status"] == "proposed"


def test_verify_an_unapproved_meeting(db: sqlite_utils.Database) -> None:
    """What can be checked is checked (the audit log; once closed, the record against
    the hash taken at the close) and a sound one is OK, saying it is not approved yet."""
    m = start(db)
    result = board.verify(db, m.id)
    assert result.ok and not result.approved and result.findings == []
    assert result.message == (
        "meeting 1 (14/09/2022, August 2022 register): not approved yet (still in progress);"
        " the audit log holds every change to it"
    )
    board.save_review(db, m.id, "HM-001", decision="treat it")
    closed = board.close_meeting(db, m.id)
    result = board.verify(db, m.id)
    assert result.ok
    assert result.message.startswith(
        "meeting 1 (14/09/2022, August 2022 register): not approved yet; record unchanged since"
        f" it closed ({board.audit_entries(db)[-1].at}); sha256 "
    )
    assert closed.closed_at is not None


def test_unknown_meeting_and_no_open_meeting(db: sqlite_utils.Database) -> None:
    """Not found and not open are different kinds; each names the database looked in."""
    with pytest.raises(
        NotFound, match=r"no meeting 9 \(no meetings recorded yet in database .*rb\.db\)"
    ):
        board.get_meeting(db, 9)
    with pytest.raises(MeetingStateError, match=r"no open meeting in database .*rb\.db") as info:
        board.resolve_meeting(db, None)
    assert info.value.remedy is Remedy.START_MEETING


def test_next_meeting_date_aob_and_declarations(db: sqlite_utils.Database) -> None:
    m = start(db)
    assert board.suggest_next_meeting_date(m, Config()) == date(2022, 10, 12)
    with pytest.raises(RiskboardError, match="must be after this meeting"):
        board.set_next_meeting_date(db, m.id, "2022-09-01")
    assert board.set_next_meeting_date(db, m.id, "12/10/2022").next_meeting_date == date(
        2022, 10, 12
    )
    board.add_aob(db, m.id, "Winter readiness")
    board.add_aob(db, m.id, "Budget, next year")
    board.add_declaration(db, m.id, "Dee Directorate: HM-001, family member at contractor")
    got = board.get_meeting(db, m.id)
    assert got.aob == ["Winter readiness", "Budget, next year"]
    assert got.declarations == ["Dee Directorate: HM-001, family member at contractor"]
    assert board.set_aob(db, m.id, ["Only item", " "]).aob == ["Only item"]
    with pytest.raises(RiskboardError, match="nothing to add"):
        board.add_aob(db, m.id, "  ")


def test_actor_must_be_chair_or_minute_taker(db: sqlite_utils.Database) -> None:
    m = start(db)
    board.add_aob(db, m.id, "by default", actor=None)
    board.add_aob(db, m.id, "by the chair", actor="alice chair")
    with pytest.raises(RiskboardError, match="neither the chair nor the minute-taker"):
        board.add_aob(db, m.id, "by someone else", actor="Mallory")
    actors = [e.actor for e in board.audit_entries(db, meeting_id=m.id)]
    assert actors[-2:] == [MINUTE_TAKER, CHAIR]


def test_a_board_month_earlier_than_one_already_reviewed_needs_a_reason(
    db: sqlite_utils.Database,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    first = start(db)  # reviews 2022-08, the latest imported
    board.close_meeting(db, first.id)
    before = audit_count(db)
    with pytest.raises(RiskboardError) as err:
        board.new_meeting(db, meeting_date="2022-10-13", month="2022-07", chair=CHAIR)
    assert str(err.value).startswith(
        "board month 2022-07 is earlier than 2022-08, already reviewed by meeting 1"
        " (14/09/2022): meetings review the months in order"
    )
    assert "--force-month REASON" in (err.value.hint or "")
    assert audit_count(db) == before and len(board.list_meetings(db)) == 1
    # the same month again is not earlier
    again = board.new_meeting(db, meeting_date="2022-10-13", month="2022-08", chair=CHAIR)
    board.close_meeting(db, again.id, force_reason="extraordinary meeting, nobody came")
    forced = board.new_meeting(
        db, meeting_date="2022-10-20", month="2022-07", chair=CHAIR,
        force_month="July re-issued by the contractor",
    )  # fmt: skip
    entry = board.audit_entries(db, meeting_id=forced.id)[0]
    assert entry.change == (
        "meeting created and opened (board month 2022-07 is earlier than 2022-08, already"
        " reviewed by meeting 2 (13/10/2022): July re-issued by the contractor)"
    )
    assert entry.after is not None and entry.after["month_forced"]["reason"] == (
        "July re-issued by the contractor"
    )
    board.close_meeting(db, forced.id, force_reason="t")
    db.conn.close()
    (tmp_path / "config.toml").write_text('[paths]\ndatabase = "rb.db"\n')
    monkeypatch.chdir(tmp_path)
    assert main(["meeting", "new", "--date", "2022-10-27", "--month", "2022-07",
                 "--chair", CHAIR]) == 1  # fmt: skip
    assert "board month 2022-07 is earlier than 2022-08" in capsys.readouterr().err
    assert main(["meeting", "new", "--date", "2022-10-27", "--month", "2022-07",
                 "--chair", CHAIR, "--force-month", "a second look"]) == 0  # fmt: skip
