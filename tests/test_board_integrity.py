"""Rules 4 and 5 (issue 11): tamper evidence without gaps, and minutes that are never
exported as approved over a record that no longer matches.

Each tamper case is done as someone with the database file would: drop the protective
triggers first, change the rows, even recompute hashes with riskboard's own function.
``meeting verify`` must say TAMPERED (exit 1) in every case, and ``export minutes``
must refuse."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
import sqlite_utils

from board_helpers import seeded_db, start
from legacy_board import LEGACY_HASH, approve_legacy, legacy_db
from riskboard import board
from riskboard.cli import main
from riskboard.config import Config
from riskboard.errors import RiskboardError
from riskboard.reports.minutes import export_minutes
from riskboard.store import open_db
from riskboard.store.integrity import GENESIS, PROTECTIVE_TRIGGERS, row_hash


def _drop_triggers(db: sqlite_utils.Database) -> None:
    for name in PROTECTIVE_TRIGGERS:
        db.execute(f"DROP TRIGGER IF EXISTS {name}")


def _board(db: sqlite_utils.Database) -> str:
    """Meeting 1 (a decision, an action, an escalation) approved at meeting 2, closed;
    meeting 2 approved at meeting 3. Returns meeting 1's approved hash."""
    m1 = start(db)
    board.save_review(db, m1.id, "HM-001", strategy="treat", decision="treat it", reviewed=True)
    board.add_action(db, m1.id, "Report", owner="Carl", due="2022-10-31")
    board.escalate(db, m1.id, "HM-001", target="corporate", reason="16")
    board.close_meeting(db, m1.id)
    m2 = start(db, "2022-10-12")
    digest = board.approve_previous(db, m2.id).content_hash
    board.close_meeting(db, m2.id)
    m3 = start(db, "2022-11-09")
    board.approve_previous(db, m3.id)
    assert digest is not None
    return digest


@pytest.fixture
def approved(db: sqlite_utils.Database) -> tuple[sqlite_utils.Database, str]:
    return db, _board(db)


def _verdict(db: sqlite_utils.Database, meeting_id: int = 1, **kw: str) -> board.VerifyResult:
    result = board.verify(db, meeting_id, **kw)  # type: ignore[arg-type]
    assert not result.ok and "TAMPERED" in result.message, result.message
    return result


def test_untouched_record_verifies_and_prints_its_hash(approved) -> None:  # type: ignore[no-untyped-def]
    db, digest = approved
    for mid in (1, 2):
        result = board.verify(db, mid)
        assert result.ok and result.findings == []
    first = board.verify(db, 1)
    assert first.message.endswith(f"approved at meeting 2; sha256 {digest}")
    assert board.verify(db, 1, anchor=digest).ok
    assert board.audit_findings(db) == []


def test_direct_changes_are_refused_by_the_triggers(approved) -> None:  # type: ignore[no-untyped-def]
    db, _ = approved
    for sql in (
        "UPDATE reviews SET decision = 'x' WHERE meeting_id = 1",
        "DELETE FROM attendance WHERE meeting_id = 1",
        "UPDATE meetings SET content_hash = NULL WHERE id = 1",
        "UPDATE approvals SET content_hash = 'x'",
        "DELETE FROM audit_log WHERE id = 3",
        "UPDATE board_actions SET text = 'other' WHERE number = 1",
    ):
        with pytest.raises(sqlite3.IntegrityError):
            db.execute(sql)
    assert board.verify(db, 1).ok


def test_deleted_audit_rows_after_the_trigger_was_dropped(approved) -> None:  # type: ignore[no-untyped-def]
    db, _ = approved
    with db.conn:
        db.execute("DROP TRIGGER audit_log_no_delete")
        db.execute("DELETE FROM audit_log WHERE id IN (5, 6)")
    findings = _verdict(db).findings
    assert findings[0] == (
        "protective triggers missing or altered: audit_log_no_delete (missing) - audit rows"
        " and approved records could be changed or deleted unseen (the meeting service puts"
        " them back at its next change and records that it did)"
    )
    assert "the audit chain is broken before audit row 7: rows 5-6 deleted" in findings
    # put the trigger back by hand: the chain still tells
    with db.conn:
        db.execute(PROTECTIVE_TRIGGERS["audit_log_no_delete"])
    findings = _verdict(db).findings
    assert findings[0] == "the audit chain is broken before audit row 7: rows 5-6 deleted"
    # and what those rows recorded is now in the tables with no audit row
    assert (
        "the review of HM-001 at meeting 1 is in the database but in no audit row: it was"
        " written around the meeting service" in findings
    )


def test_the_service_puts_dropped_triggers_back_and_says_so(approved) -> None:  # type: ignore[no-untyped-def]
    db, _ = approved
    with db.conn:
        db.execute("DROP TRIGGER audit_log_no_delete")
    board.add_aob(db, 3, "after the trigger went")  # the next change restores it
    names = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")}
    assert set(PROTECTIVE_TRIGGERS) <= names
    restored = [e for e in board.audit_entries(db) if e.entity == "integrity"]
    assert len(restored) == 1
    assert restored[0].change == (
        "protective triggers found missing or altered and restored: audit_log_no_delete (missing)"
    )
    findings = _verdict(db).findings
    assert findings == [
        f"audit row {restored[0].id} records that the protective triggers were found missing"
        f" or altered and put back at {restored[0].at}: until then rows could have been"
        " changed or deleted unseen"
    ]


def test_cleared_stored_hash(approved) -> None:  # type: ignore[no-untyped-def]
    db, digest = approved
    with db.conn:
        _drop_triggers(db)
        db.execute("UPDATE meetings SET content_hash = NULL WHERE id = 1")
    findings = _verdict(db).findings
    assert findings[0] == (
        "the hash stored when its minutes were approved at meeting 2 has been cleared"
        f" (recorded at approval: {digest[:12]}...; approvals record and audit row 13)"
    )


def test_un_approval_is_detected(approved, capsys: pytest.CaptureFixture[str]) -> None:  # type: ignore[no-untyped-def]
    db, digest = approved
    with db.conn:
        _drop_triggers(db)
        db.execute(
            "UPDATE meetings SET approved_at = NULL, approved_by_meeting_id = NULL,"
            " content_hash = NULL WHERE id = 1"
        )
    result = _verdict(db)
    assert result.findings[0].startswith("its minutes were approved at meeting 2 (")
    assert result.findings[0].endswith(
        f", sha256 {digest[:12]}...; approvals record and audit row 13) but the meeting no"
        " longer records the approval: it was un-approved"
    )
    assert 1 in board.approval_traced_meetings(db)
    # and the minutes are not exported as a draft instead
    with pytest.raises(RiskboardError, match="refused to export the minutes: .* TAMPERED"):
        export_minutes(db, Config(), meeting_id=1, fmt="md", out_dir=Path(db.conn.execute(
            "PRAGMA database_list").fetchone()[2]).parent)  # fmt: skip


def test_decision_changed_and_hash_recomputed_with_riskboards_own_function(approved) -> None:  # type: ignore[no-untyped-def]
    db, digest = approved
    with db.conn:
        _drop_triggers(db)
        db.execute("UPDATE reviews SET decision = 'RESOLVED: tolerate it' WHERE meeting_id = 1")
        forged = board.content_hash(db, 1)
        db.execute("UPDATE meetings SET content_hash = ? WHERE id = 1", [forged])
    findings = _verdict(db).findings
    assert findings[0] == (
        f"the hash stored on the meeting ({forged[:12]}...) is not the one recorded when its"
        f" minutes were approved ({digest[:12]}...; approvals record and audit row 13): it"
        " was replaced"
    )
    assert any(f.startswith("the record no longer matches the hash stored") for f in findings)
    # the forger also rewrites the approvals row: the approval's audit row still differs
    with db.conn:
        db.execute("UPDATE approvals SET content_hash = ? WHERE meeting_id = 1", [forged])
    findings = _verdict(db).findings
    assert (
        f"the approvals record's hash ({forged[:12]}...) differs from the one in the approval's"
        f" audit row 13 ({digest[:12]}...)" in findings
    )
    # ... and meeting 2, whose approved record holds meeting 1's approval, no longer matches
    assert (
        "the record of meeting 2, which approved these minutes, no longer matches its own"
        " approval hash (it holds this meeting's approval)" in findings
    )
    assert "the record no longer matches the hash stored" in _verdict(db, 2).message


def test_edited_audit_row_breaks_the_chain(approved) -> None:  # type: ignore[no-untyped-def]
    db, _ = approved
    row = next(db.query("SELECT * FROM audit_log WHERE id = 13"))
    after = json.loads(row["after"])
    after["content_hash"] = "f" * 64
    with db.conn:
        _drop_triggers(db)
        db.execute("UPDATE audit_log SET after = ? WHERE id = 13", [json.dumps(after)])
    assert (
        "audit row 13 was changed after it was written: its contents no longer match its hash"
        in _verdict(db).findings
    )


def test_a_complete_forgery_is_caught_by_the_printed_hash(approved) -> None:  # type: ignore[no-untyped-def]
    """Everything rewritten consistently, the chain recomputed with riskboard's own
    function and the triggers put back: only an anchor outside the database - the hash
    printed on the approved minutes - can tell."""
    db, digest = approved
    with db.conn:
        _drop_triggers(db)
        db.execute("UPDATE reviews SET decision = 'RESOLVED: tolerate it' WHERE meeting_id = 1")
        forged = board.content_hash(db, 1)
        db.execute("UPDATE meetings SET content_hash = ? WHERE id = 1", [forged])
        db.execute("UPDATE approvals SET content_hash = ? WHERE meeting_id = 1", [forged])
        for r in list(db.query("SELECT * FROM audit_log WHERE entity_id = '1'"
                               " AND change = 'previous minutes approved'")):  # fmt: skip
            after = json.loads(r["after"])
            after["content_hash"] = after["approval"]["content_hash"] = forged
            db.execute("UPDATE audit_log SET after = ? WHERE id = ?", [json.dumps(after), r["id"]])
        prev = GENESIS
        for r in list(db.query("SELECT * FROM audit_log ORDER BY id")):
            digest_row = row_hash({**r, "prev_hash": prev})
            db.execute(
                "UPDATE audit_log SET prev_hash = ?, row_hash = ? WHERE id = ?",
                [prev, digest_row, r["id"]],
            )
            prev = digest_row
        for sql in PROTECTIVE_TRIGGERS.values():
            db.execute(sql)
    result = _verdict(db, 1, anchor=digest)
    assert result.findings[0] == (
        f"the hash printed on the minutes you hold ({digest[:12]}...) is not the one recorded"
        f" at approval ({forged[:12]}...)"
    )
    # meeting 2's approved record still holds the forged approval, and its own hash was
    # never rewritten: caught without the paper copy too
    assert not board.verify(db, 2).ok


def test_cli_verify_exit_codes_and_export_refusal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "config.toml").write_text('[paths]\ndatabase = "rb.db"\nexports = "out"\n')
    monkeypatch.chdir(tmp_path)
    db = seeded_db(tmp_path / "rb.db")
    digest = _board(db)
    db.conn.close()
    assert main(["meeting", "verify"]) == 0
    assert main(["meeting", "verify", "1", "--hash", digest]) == 0
    assert main(["export", "minutes", "1", "--format", "md"]) == 0
    written = Path(capsys.readouterr().out.strip().splitlines()[-1])
    text = written.read_text(encoding="utf-8")
    assert "APPROVED 12/10/2022" in text and f"| **Record (sha256)** | {digest} |" in text
    written.unlink()

    db = open_db(tmp_path / "rb.db")
    with db.conn:
        _drop_triggers(db)
        db.execute("UPDATE reviews SET decision = 'RESOLVED: something else' WHERE meeting_id = 1")
    db.conn.close()
    assert main(["meeting", "verify"]) == 1
    out = capsys.readouterr().out
    assert (
        "meeting 1 (14/09/2022, August 2022 register): TAMPERED - the record no longer matches"
        " the hash stored when its minutes were approved at meeting 2" in out
    )
    assert "The audit log: TAMPERED - protective triggers missing or altered: " in out
    assert "approvals_no_delete (missing)" in out
    for fmt in ("md", "docx", "xlsx"):
        assert main(["export", "minutes", "1", "--format", fmt]) == 1
        err = capsys.readouterr().err
        assert err.startswith("riskboard: error: refused to export the minutes: meeting 1")
        assert "TAMPERED" in err and "Traceback" not in err
    assert not list((tmp_path / "out").glob("minutes_*"))
    # nor the draft of another meeting: the audit log it rests on is not sound
    assert main(["export", "minutes", "3", "--format", "md"]) == 1
    err = capsys.readouterr().err
    assert err.startswith(
        "riskboard: error: refused to export the minutes: meeting 3 (09/11/2022, August 2022"
        " register): TAMPERED - protective triggers missing or altered: "
    )
    assert len(err.strip().splitlines()) == 1 and "`riskboard meeting verify 3`" in err


def test_legacy_database_is_migrated_chained_and_still_verifies(tmp_path: Path) -> None:
    db = legacy_db(tmp_path / "old.db")
    approve_legacy(db, LEGACY_HASH)
    db.conn.close()
    db = open_db(tmp_path / "old.db")  # runs 0006_board_integrity
    assert board.audit_findings(db) == []
    rows = list(db.query("SELECT id, prev_hash, row_hash FROM audit_log ORDER BY id"))
    assert rows[0]["prev_hash"] == GENESIS
    assert all(b["prev_hash"] == a["row_hash"] for a, b in zip(rows, rows[1:], strict=False))
    approval = board.get_approval(db, 1)
    assert approval is not None and (approval.content_hash, approval.record_version) == (
        LEGACY_HASH, 1,
    )  # fmt: skip
    assert approval.quorum is None  # not kept before the migration
    result = board.verify(db, 1)
    assert result.ok, result.findings
    assert board.content_hash(db, 1, 1) == LEGACY_HASH  # the old layout, unchanged
    # new audit rows carry on the chain; a tampered legacy record is caught
    board.attend(db, 2, "Carl Contractor")
    with db.conn:
        _drop_triggers(db)
        db.execute("UPDATE reviews SET decision = 'RESOLVED: other' WHERE meeting_id = 1")
    assert "the record no longer matches the hash stored" in " ".join(_verdict(db).findings)
