"""The meeting CLI: a whole board run from the command line, its JSON, and the clear
errors (exit 1, no traceback) for unknown risks, no open meeting, locked meetings and
bad dates."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest

import riskboard.cli.tui
from board_helpers import seeded_db
from riskboard.cli import main
from riskboard.store import open_db


@pytest.fixture()
def workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "config.toml").write_text('[paths]\ndatabase = "rb.db"\n')
    monkeypatch.chdir(tmp_path)
    seeded_db(tmp_path / "rb.db").conn.close()
    return tmp_path


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def ok(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    code, out, err = run(capsys, *argv)
    assert code == 0, err
    return out


def fails(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    code, out, err = run(capsys, *argv)
    assert code == 1, out
    assert err.startswith("riskboard: error: ")
    assert "Traceback" not in err
    return err


BOARD = (("Carl Contractor", "contractor"), ("Dee Directorate", "directorate"),
         ("Cora Corporate", "corporate"))  # fmt: skip


def make_quorate(capsys: pytest.CaptureFixture[str]) -> None:
    """One lead officer present from each side: business needs a quorate board."""
    for name, org in BOARD:
        ok(capsys, "meeting", "attend", name, "--org", org)


def test_a_whole_meeting_from_the_command_line(
    workspace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = ok(capsys, "meeting", "new", "--date", "14/09/2022", "--chair", "Alice Chair",
             "--minute-taker", "Mo Minutes")  # fmt: skip
    assert "Meeting 1 started: 14/09/2022, August 2022 register, chair Alice Chair" in out
    out = ok(capsys, "meeting", "attend", "Carl Contractor", "--org", "contractor", "--role", "CM")
    assert "Carl Contractor (contractor, CM): present at meeting 1" in out
    assert "not quorate" in out
    ok(capsys, "meeting", "attend", "Dee Directorate", "--org", "directorate")
    out = ok(capsys, "meeting", "attend", "Cora Corporate", "--org", "corporate")
    assert out.rstrip().endswith("quorate") and "not quorate" not in out
    ok(capsys, "meeting", "attend", "Abe Absent", "--org", "other", "--apologies")
    out = ok(capsys, "review", "HM-001", "--strategy", "tolerate", "--rationale", "cost",
             "--review-by", "2022-12-31", "--note", "Claims rising", "--decision", "tolerate it")  # fmt: skip
    assert "HM-001 Pothole claims: reviewed at meeting 1" in out
    assert "RESOLVED: tolerate it" in out
    out = ok(capsys, "escalate", "HM-001", "--to", "corporate", "--reason", "Score 16",
             "--exposure", "250000", "--owner", "CFO")  # fmt: skip
    assert "HM-001 -> Corporate risk register [proposed]" in out and "£250,000" in out
    out = ok(capsys, "action", "add", "Cost the treatment", "--owner", "Carl", "--due",
             "2022-10-31", "--risk", "HM-001")  # fmt: skip
    assert out.startswith("Action 1 (open) [HM-001]: Cost the treatment - Carl, due 31/10/2022")
    ok(capsys, "action", "update", "1", "--status", "in progress", "--progress", "Quotes in")
    ok(capsys, "meeting", "declare", "Dee Directorate: none")
    ok(capsys, "meeting", "aob", "Winter readiness")
    assert "12/10/2022" in ok(capsys, "meeting", "next-date")
    out = ok(capsys, "meeting", "close")
    assert "Meeting 1 closed" in out and "1 risk reviewed, 1 decision," in out
    assert "1 risks" not in out and "1 decisions" not in out

    ok(capsys, "meeting", "new", "--date", "2022-10-12", "--chair", "Alice Chair")
    make_quorate(capsys)
    out = ok(capsys, "meeting", "approve-previous")
    assert "Minutes of meeting 1 (14/09/2022) approved and locked" in out
    ok(capsys, "escalation", "decide", "1", "--accept", "--note", "On the CRR")
    ok(capsys, "action", "update", "1", "--status", "closed", "--progress", "Done")
    assert "record unchanged" in ok(capsys, "meeting", "verify", "1")

    rec = json.loads(ok(capsys, "meeting", "show", "1", "--json"))
    assert rec["meeting"]["chair"] == "Alice Chair"
    assert [p["name"] for p in rec["attendance"]["present"]] == [
        "Carl Contractor", "Cora Corporate", "Dee Directorate"
    ]  # fmt: skip
    assert [p["name"] for p in rec["attendance"]["apologies"]] == ["Abe Absent"]
    assert rec["reviews"][0]["strategy"] == "tolerate"
    assert rec["reviews"][0]["review_by"] == "2022-12-31"
    assert rec["actions_arising"][0]["progress"] == "Quotes in"
    assert rec["escalations"][0]["exposure"] == 250000.0
    assert rec["aob"] == ["Winter readiness"]
    assert rec["approval"]["approved"]
    text = ok(capsys, "meeting", "show")  # the open meeting (2)
    assert "Meeting 2 - 12/10/2022" in text and "closed at this meeting" in text
    db = open_db(workspace / "rb.db")
    assert db.execute("SELECT COUNT(*) FROM audit_log").fetchone()[0] == 20  # one per change above
    assert db.execute("SELECT status FROM board_actions WHERE number = 1").fetchone()[0] == "closed"


def test_json_outputs(workspace: Path, capsys: pytest.CaptureFixture[str]) -> None:
    m = json.loads(ok(capsys, "meeting", "new", "--chair", "A", "--date", "2022-09-14", "--json"))
    assert m["id"] == 1 and m["status"] == "in_progress" and m["month"] == "2022-08"
    assert json.loads(ok(capsys, "meeting", "people", "--json")) == []
    make_quorate(capsys)
    r = json.loads(ok(capsys, "review", "SL-002", "--strategy", "treat", "--json"))
    assert r["ref"] == "SL-002" and r["reviewed"] is True
    a = json.loads(
        ok(capsys, "action", "add", "X", "--owner", "B", "--due", "31/10/2022", "--json")
    )
    assert a["number"] == 1 and a["due"] == "2022-10-31"
    actions = json.loads(ok(capsys, "action", "list", "--json"))
    assert [x["number"] for x in actions] == [1]
    people = json.loads(ok(capsys, "meeting", "people", "--json"))
    assert [p["name"] for p in people] == ["Carl Contractor", "Cora Corporate", "Dee Directorate"]
    listed = json.loads(ok(capsys, "meeting", "list", "--json"))
    assert [x["id"] for x in listed] == [1]


def test_clear_errors_exit_non_zero(workspace: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert "no open meeting" in fails(capsys, "review", "HM-001", "--strategy", "treat")
    assert "no meetings recorded yet" in fails(capsys, "meeting", "show")
    assert "bad meeting date '2022-02-30'" in fails(
        capsys, "meeting", "new", "--date", "2022-02-30", "--chair", "A"
    )
    ok(capsys, "meeting", "new", "--date", "2022-09-14", "--chair", "A")
    assert "is not quorate" in fails(capsys, "review", "HM-001", "--note", "x")
    make_quorate(capsys)
    err = fails(capsys, "review", "HM-01", "--note", "x")
    assert "unknown risk 'HM-01'" in err and "did you mean HM-001?" in err
    assert "needs a rationale and a review-by date" in fails(
        capsys, "review", "HM-001", "--strategy", "accept"
    )
    assert "bad due date '31/13/2022'" in fails(
        capsys, "action", "add", "X", "--owner", "B", "--due", "31/13/2022"
    )
    assert "no Action 4" in fails(capsys, "action", "update", "4", "--status", "closed")
    ok(capsys, "meeting", "attend", "Cora Corporate", "--remove")  # left early
    assert "cannot close meeting 1" in fails(capsys, "meeting", "close")
    ok(capsys, "meeting", "close", "--force", "Inquorate but urgent")
    assert "is closed: its record is read-only" in fails(
        capsys, "review", "HM-001", "--note", "x", "--meeting", "1"
    )
    ok(capsys, "meeting", "new", "--date", "2022-10-12", "--chair", "A")
    make_quorate(capsys)
    ok(capsys, "meeting", "approve-previous")
    assert "is locked" in fails(capsys, "meeting", "aob", "late", "--meeting", "1")
    assert "no meeting 7" in fails(capsys, "meeting", "show", "7")


def test_verify_reports_tampering_with_exit_1(
    workspace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ok(capsys, "meeting", "new", "--date", "2022-09-14", "--chair", "A")
    make_quorate(capsys)
    ok(capsys, "review", "HM-001", "--decision", "keep watching")
    ok(capsys, "meeting", "close")
    ok(capsys, "meeting", "new", "--date", "2022-10-12", "--chair", "A")
    make_quorate(capsys)
    ok(capsys, "meeting", "approve-previous")
    assert "record unchanged" in ok(capsys, "meeting", "verify")
    db = open_db(workspace / "rb.db")
    with pytest.raises(sqlite3.IntegrityError, match="approved: its record is read-only"):
        db.execute("UPDATE reviews SET decision = 'RESOLVED: something else'")
    db.execute("DROP TRIGGER reviews_approved_no_update")  # a determined tamperer
    with db.conn:
        db.execute("UPDATE reviews SET decision = 'RESOLVED: something else'")
    db.conn.close()
    code, out, _ = run(capsys, "meeting", "verify", "1")
    assert code == 1 and "TAMPERED" in out
    assert "reviews_approved_no_update (missing)" in out
    assert "the record no longer matches the hash stored" in out
    code, out, _ = run(capsys, "meeting", "verify", "2")  # not approved, but the log tells
    assert code == 1 and "meeting 2 (12/10/2022, August 2022 register): TAMPERED" in out


def test_people_list_and_attendance_edits(
    workspace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ok(capsys, "meeting", "new", "--date", "2022-09-14", "--chair", "A", "--draft")
    ok(capsys, "meeting", "person", "Oscar Observer", "--org", "corporate", "--not-lead")
    ok(capsys, "meeting", "attend", "Oscar Observer")  # drafts take attendance
    assert "Corporate needs 1 lead officer" in ok(capsys, "meeting", "attend", "Oscar Observer")
    err = fails(capsys, "review", "HM-001", "--note", "x")
    assert "is a draft: open it" in err
    assert "in progress" in ok(capsys, "meeting", "open")
    assert "removed" in ok(capsys, "meeting", "attend", "Oscar Observer", "--remove")
    out = ok(capsys, "meeting", "people")
    assert "Oscar Observer" in out and "not lead officer" in out
    assert "not in the people list: give their organisation" in fails(
        capsys, "meeting", "attend", "Nobody"
    )


def test_escalation_extras(workspace: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ok(capsys, "meeting", "new", "--date", "2022-09-14", "--chair", "A")
    make_quorate(capsys)
    err = fails(capsys, "deescalate", "SL-002", "--from", "directorate", "--reason", "Below 9")
    assert "SL-002 is not on the Directorate or Corporate register" in err
    ok(capsys, "escalate", "SL-002", "--to", "directorate", "--reason", "Score 12")
    ok(capsys, "escalate", "WS-003", "--to", "fc-cluster", "--reason", "cost")
    out = ok(capsys, "escalation", "decide", "2", "--decline", "--note", "not financial")
    assert "[declined]" in out
    listed = json.loads(ok(capsys, "escalation", "list", "--status", "proposed", "--json"))
    assert [e["ref"] for e in listed] == ["SL-002"]
    ok(capsys, "escalation", "decide", "1", "--accept")
    ok(capsys, "meeting", "close")
    ok(capsys, "meeting", "new", "--date", "2022-10-12", "--chair", "A")
    make_quorate(capsys)
    out = ok(capsys, "deescalate", "SL-002", "--reason", "Below 9")  # from the one it is on
    assert "SL-002 de-escalated from Directorate register to the contract register" in out
    assert "unknown escalation target 'moon'" in fails(
        capsys, "escalate", "WS-003", "--to", "moon", "--reason", "x"
    )


def test_bare_meeting_opens_the_tui(
    workspace: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[Any] = []

    def fake_launch(config: Any) -> int:
        seen.append(config)
        return 0

    monkeypatch.setattr(riskboard.cli.tui, "launch_meeting", fake_launch)
    assert main(["meeting"]) == 0
    assert len(seen) == 1 and seen[0].paths.database == workspace / "rb.db"


def test_verify_a_meeting_not_yet_approved_checks_what_it_can(
    workspace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Review of issue 11, finding 11: not "nothing to verify", exit 1."""
    ok(capsys, "meeting", "new", "--date", "2022-09-14", "--chair", "A")
    make_quorate(capsys)
    ok(capsys, "review", "HM-001", "--decision", "keep watching")
    out = ok(capsys, "meeting", "verify", "1")
    assert out.startswith(
        "meeting 1 (14/09/2022, August 2022 register): not approved yet (still in progress);"
        " the audit log holds every change to it\n"
    )
    assert "\nAudit log head: row " in out
    ok(capsys, "meeting", "close")
    out = ok(capsys, "meeting", "verify", "1")
    assert "not approved yet; record unchanged since it closed (" in out
    db = open_db(workspace / "rb.db")
    with db.conn:
        db.execute("UPDATE reviews SET decision = 'RESOLVED: something else'")
    db.conn.close()
    code, out, _ = run(capsys, "meeting", "verify", "1")
    assert code == 1
    assert "TAMPERED - the record of meeting 1 (14/09/2022, August 2022 register) no longer" in out
