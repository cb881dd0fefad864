"""The tamper cases the review of issue 11 found ``meeting verify`` reporting as sound
(finding 6), and what every minutes export now checks first (finding 5).

- K: a closed meeting's record changed before its minutes were approved: the record is
  sealed (hashed) when the meeting closes, so approval is refused and verify fails;
- P: any direct SQL edit of an audited thing: verify replays the audit log against the
  tables, field by field;
- X: a trigger riskboard did not create is reported, and removed at the next change;
- B and the forgeries that recompute the chain with riskboard's own code: the audit
  chain head printed on every minutes (and by verify) is an anchor outside the
  database (``--anchor``); each approval pins the log written before it.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlite_utils

from board_helpers import seeded_db, start
from riskboard import board
from riskboard.cli import main
from riskboard.config import Config
from riskboard.errors import RiskboardError
from riskboard.reports.minutes import export_minutes
from riskboard.store import open_db
from riskboard.store.integrity import GENESIS, PROTECTIVE_TRIGGERS, row_hash
from test_board_integrity import _board, _drop_triggers


def _restore_triggers(db: sqlite_utils.Database) -> None:
    for sql in PROTECTIVE_TRIGGERS.values():
        db.execute(sql)


def _rechain(db: sqlite_utils.Database) -> None:
    """Recompute the whole chain with riskboard's own function (a forger with its code)."""
    prev = GENESIS
    for r in list(db.query("SELECT * FROM audit_log ORDER BY id")):
        digest = row_hash({**r, "prev_hash": prev})
        db.execute(
            "UPDATE audit_log SET prev_hash = ?, row_hash = ? WHERE id = ?", [prev, digest, r["id"]]
        )
        prev = digest


def _closed_unapproved(db: sqlite_utils.Database) -> int:
    """Meeting 1 closed (a decision, an action), meeting 2 open and quorate."""
    m1 = start(db)
    board.save_review(db, m1.id, "HM-001", decision="treat it", reviewed=True)
    board.add_action(db, m1.id, "Report", owner="Carl", due="2022-10-31")
    board.close_meeting(db, m1.id)
    return start(db, "2022-10-12").id


# ----------------------------------------------------------------------------- K


def test_k_a_record_changed_after_the_close_is_never_approved(
    db: sqlite_utils.Database,
) -> None:
    m2 = _closed_unapproved(db)
    close_row = [e for e in board.audit_entries(db) if e.change == "meeting closed"][-1]
    assert close_row.after is not None and len(str(close_row.after["record_hash"])) == 64
    assert board.verify(db, 1).ok
    # no trigger protects an unapproved record: a plain UPDATE goes through
    with db.conn:
        db.execute("UPDATE reviews SET decision = 'RESOLVED: forged' WHERE meeting_id = 1")
    result = board.verify(db, 1)
    assert not result.ok and not result.approved
    assert result.findings[0] == (
        "the record of meeting 1 (14/09/2022, August 2022 register) no longer matches the hash"
        f" taken when it closed ({str(close_row.after['record_hash'])[:12]}..., audit row"
        f" {close_row.id} at {close_row.at}): it was changed after the meeting closed, around"
        " the meeting service"
    )
    before = db.execute("SELECT COUNT(*) FROM audit_log").fetchone()[0]
    with pytest.raises(RiskboardError) as err:
        board.approve_previous(db, m2)
    assert str(err.value).startswith(
        "cannot approve the minutes of meeting 1 (14/09/2022, August 2022 register): the record"
        " of meeting 1 (14/09/2022, August 2022 register) no longer matches the hash taken when"
        " it closed"
    )
    assert not board.get_meeting(db, 1).locked
    assert db.execute("SELECT COUNT(*) FROM audit_log").fetchone()[0] == before
    # put back as it closed: approved
    with db.conn:
        db.execute("UPDATE reviews SET decision = 'RESOLVED: treat it' WHERE meeting_id = 1")
    assert board.approve_previous(db, m2).locked


def test_k_the_seal_survives_an_approval_that_bypassed_it(db: sqlite_utils.Database) -> None:
    """Approved through the service, then the approval's hash and the record rewritten
    together: the hash recorded at the close still differs."""
    m2 = _closed_unapproved(db)
    board.approve_previous(db, m2)
    with db.conn:
        _drop_triggers(db)
        db.execute("UPDATE reviews SET decision = 'RESOLVED: forged' WHERE meeting_id = 1")
        forged = board.content_hash(db, 1)
        db.execute("UPDATE meetings SET content_hash = ? WHERE id = 1", [forged])
        db.execute("UPDATE approvals SET content_hash = ? WHERE meeting_id = 1", [forged])
        _restore_triggers(db)
    findings = board.verify(db, 1).findings
    assert any(
        f.startswith(f"the hash recorded at approval ({forged[:12]}...) is not the one taken when")
        and f.endswith("the record was changed between the close and the approval")
        for f in findings
    )


# ----------------------------------------------------------------------------- P


def test_p_every_direct_edit_is_named_field_by_field(db: sqlite_utils.Database) -> None:
    _board(db)
    raised = next(e for e in board.audit_entries(db) if e.change == "action raised")
    with db.conn:  # an approved meeting's action: status and owner are not trigger-guarded
        db.execute("UPDATE board_actions SET owner = 'Nobody', status = 'closed' WHERE number = 1")
    findings = board.audit_findings(db)
    assert (
        f"action 1 owner is 'Nobody' but the audit log's last change to it (row {raised.id}:"
        " action raised) recorded 'Carl'" in findings
    )
    assert (
        f"action 1 status is 'closed' but the audit log's last change to it (row {raised.id}:"
        " action raised) recorded 'open'" in findings
    )
    result = board.verify(db, 1)
    assert not result.ok and "action 1 owner is 'Nobody'" in " ".join(result.findings)


@pytest.mark.parametrize(
    ("sql", "finding"),
    [
        (
            "UPDATE escalations SET status = 'declined', decision_note = 'forged' WHERE id = 1",
            "escalation 1 (HM-001) status is 'declined' but the audit log's last change to it",
        ),
        (
            "UPDATE meetings SET previous_minutes_note = 'NOT approved' WHERE id = 3",
            "meeting 3 previous minutes note is 'NOT approved' but the audit log's last change"
            " to it",
        ),
        (
            "UPDATE meetings SET quorum_rule = NULL WHERE id = 1",
            "meeting 1 quorum rule is (blank) but the audit log's last change to it",
        ),
        (
            "UPDATE attendance SET role = 'Janitor' WHERE meeting_id = 3",
            "the attendance of Carl Contractor at meeting 3 role is 'Janitor'",
        ),
        (
            "INSERT INTO reviews (meeting_id, ref, decision, reviewed, created_at, updated_at)"
            " VALUES (3, 'SL-002', 'RESOLVED: slipped in', 1, 'x', 'x')",
            "the review of SL-002 at meeting 3 is in the database but in no audit row: it was"
            " written around the meeting service",
        ),
        (
            "DELETE FROM attendance WHERE meeting_id = 3 AND person_id = 1",
            "the attendance of Carl Contractor at meeting 3 is in the audit log (row",
        ),
        (
            "DELETE FROM action_updates WHERE id = (SELECT MAX(id) FROM action_updates)",
            "action 1 has 1 recorded state in the action log but the audit log recorded 2"
            " changes to it",
        ),
        (
            "UPDATE approvals SET amendment = 'forged amendment' WHERE meeting_id = 1",
            "the approval of meeting 1's minutes amendment is 'forged amendment'",
        ),
    ],
)
def test_p_direct_edits_anywhere(db: sqlite_utils.Database, sql: str, finding: str) -> None:
    _board(db)
    board.update_action(db, 3, 1, progress="on track")  # a second recorded state
    assert board.audit_findings(db) == []
    with db.conn:
        _drop_triggers(db)
        db.execute(sql)
        _restore_triggers(db)
    findings = board.audit_findings(db)
    assert any(f.startswith(finding) for f in findings), findings


def test_p_legacy_rows_are_not_reported_as_written_around_the_service(tmp_path: Path) -> None:
    from legacy_board import LEGACY_HASH, approve_legacy, legacy_db

    db = legacy_db(tmp_path / "old.db")
    approve_legacy(db, LEGACY_HASH)
    db.conn.close()
    db = open_db(tmp_path / "old.db")
    assert board.audit_findings(db) == []
    assert board.verify(db, 1).ok
    db.conn.close()


# ----------------------------------------------------------------------------- X


def test_x_a_foreign_trigger_is_reported_then_removed_and_audited(
    db: sqlite_utils.Database,
) -> None:
    m = start(db)
    db.execute(
        "CREATE TRIGGER zz_helper AFTER INSERT ON reviews BEGIN UPDATE reviews SET decision ="
        " 'RESOLVED: that the risk be accepted' WHERE id = NEW.id; END"
    )
    assert board.audit_findings(db) == [
        "trigger zz_helper on table reviews was not created by riskboard: it can change what"
        " is recorded as it is written (the meeting service removes it at its next change and"
        " records that it did)"
    ]
    review = board.save_review(db, m.id, "HM-001", decision="treat it")
    assert review.decision == "RESOLVED: treat it"  # removed before the write, not rewritten
    names = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")}
    assert "zz_helper" not in names
    removal = next(e for e in board.audit_entries(db) if e.entity == "integrity")
    assert (
        removal.change
        == "triggers riskboard did not create found and removed: zz_helper (on reviews)"
    )
    assert board.audit_findings(db) == [
        f"audit row {removal.id} records that triggers riskboard did not create (zz_helper)"
        f" were removed at {removal.at}: until then what the service wrote could have been"
        " rewritten as it was written"
    ]


# ----------------------------------------------------------------------------- anchors


def test_the_chain_head_is_printed_on_every_minutes_and_by_verify(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "config.toml").write_text('[paths]\ndatabase = "rb.db"\nexports = "out"\n')
    monkeypatch.chdir(tmp_path)
    db = seeded_db(tmp_path / "rb.db")
    _board(db)
    head = board.chain_head(db)
    assert head is not None
    db.conn.close()
    for meeting_id in ("1", "3"):  # approved, and a draft
        assert main(["export", "minutes", meeting_id, "--format", "md"]) == 0
        written = Path(capsys.readouterr().out.strip().splitlines()[-1])
        assert f"| **Audit log head** | {head.id}:{head.hash} |" in written.read_text("utf-8")
    assert main(["meeting", "verify"]) == 0
    out = capsys.readouterr().out
    assert f"Audit log head: row {head.id}, sha256 {head.hash}" in out
    assert main(["meeting", "verify", "--anchor", f"{head.id}:{head.hash}"]) == 0
    capsys.readouterr()
    assert main(["meeting", "verify", "--anchor", "nonsense"]) == 1
    assert "bad anchor 'nonsense': give the audit row and hash" in capsys.readouterr().err


def test_b_the_log_cut_back_consistently_is_caught_only_by_the_anchor(
    db: sqlite_utils.Database,
) -> None:
    """The newest change deleted from the log and undone in the table, the trigger put
    back exactly: nothing inside the database can tell - the anchor held outside can."""
    _board(db)
    board.add_aob(db, 3, "Winter readiness")
    anchor = board.chain_head(db)
    assert anchor is not None
    with db.conn:
        _drop_triggers(db)
        db.execute("DELETE FROM audit_log WHERE id = ?", [anchor.id])
        db.execute("UPDATE meetings SET aob = NULL WHERE id = 3")
        _restore_triggers(db)
    assert board.audit_findings(db) == []  # the database alone: sound
    assert board.check_anchor(db, anchor) == [
        f"the audit row {anchor.id} you hold (sha256 {anchor.hash[:12]}...) is no longer in the"
        f" audit log (the log now ends at row {anchor.id - 1}): rows were deleted from its end"
    ]
    result = board.verify(db, 3, chain_anchor=anchor)
    assert not result.ok and "no longer in the audit log" in result.message


def test_a_rechained_log_breaks_the_pin_of_the_approval_after_it_and_the_anchor(
    db: sqlite_utils.Database,
) -> None:
    _board(db)
    anchor = board.chain_head(db)
    assert anchor is not None
    pins = [a.chain_head for a in board.approvals_at(db, 2) + board.approvals_at(db, 3)]
    assert all(p and p["id"] and len(p["hash"]) == 64 for p in pins)
    with db.conn:
        _drop_triggers(db)
        db.execute("UPDATE audit_log SET actor = 'Mallory' WHERE id = 5")
        _rechain(db)
        _restore_triggers(db)
    findings = board.audit_findings(db)
    assert findings and findings[0].startswith("the approval of meeting 1's minutes recorded")
    assert findings[0].endswith("the log before that approval was rewritten")
    assert board.check_anchor(db, anchor)[0].startswith(f"audit row {anchor.id} now hashes ")


def test_e2_an_approval_erased_and_the_log_rechained_is_caught_by_the_anchor(
    db: sqlite_utils.Database,
) -> None:
    m2 = _closed_unapproved(db)
    board.approve_previous(db, m2)
    anchor = board.chain_head(db)
    assert anchor is not None
    with db.conn:
        _drop_triggers(db)
        db.execute(
            "UPDATE meetings SET approved_at = NULL, approved_by_meeting_id = NULL,"
            " content_hash = NULL WHERE id = 1"
        )
        db.execute("UPDATE meetings SET previous_minutes_note = NULL WHERE id = 2")
        db.execute("DELETE FROM approvals")
        db.execute("DELETE FROM audit_log WHERE id = ?", [anchor.id])
        _rechain(db)
        _restore_triggers(db)
    assert board.verify(db, 1).ok  # consistent: the database alone cannot tell
    assert not board.verify(db, 1, chain_anchor=anchor).ok


# ----------------------------------------------------------------------------- finding 5


def test_a_draft_is_not_exported_over_a_log_with_rows_deleted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "config.toml").write_text('[paths]\ndatabase = "rb.db"\nexports = "out"\n')
    monkeypatch.chdir(tmp_path)
    db = seeded_db(tmp_path / "rb.db")
    m = start(db)
    board.save_review(db, m.id, "HM-001", decision="treat it")
    with db.conn:
        db.execute("DROP TRIGGER audit_log_no_delete")
        db.execute("DELETE FROM audit_log WHERE entity = 'review'")
    with pytest.raises(RiskboardError, match="refused to export the minutes: meeting 1"):
        export_minutes(db, Config().resolve(tmp_path), meeting_id=m.id, fmt="md")
    db.conn.close()
    assert main(["export", "minutes", "--format", "md"]) == 1
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1
    assert err.startswith(
        "riskboard: error: refused to export the minutes: meeting 1 (14/09/2022, August 2022"
        " register): TAMPERED - protective triggers missing or altered: audit_log_no_delete"
        " (missing)"
    )
    assert "more finding" in err and "- `riskboard meeting verify 1` shows every check" in err
    assert not (tmp_path / "out").exists() or not list((tmp_path / "out").iterdir())
