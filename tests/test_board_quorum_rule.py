"""Rule 1 (issue 11): business - approving the previous minutes included - needs a
quorate board at that moment, and the minutes say only what was true: the quorum as it
stood when the minutes were approved, and "was quorate" only of a closed meeting."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlite_utils

from board_helpers import audit_count, quorate, start
from riskboard import board
from riskboard.cli import main
from riskboard.config import Config
from riskboard.errors import RiskboardError
from riskboard.reports.minutes import export_minutes


def _closed_first(db: sqlite_utils.Database) -> board.Meeting:
    first = start(db)
    board.save_review(db, first.id, "HM-001", decision="noted", reviewed=True)
    return board.close_meeting(db, first.id)


def test_approval_with_nobody_present_is_refused_and_writes_nothing(
    db: sqlite_utils.Database,
) -> None:
    _closed_first(db)
    second = start(db, "2022-10-12", quorate=False)
    before = audit_count(db)
    with pytest.raises(RiskboardError) as err:
        board.approve_previous(db, second.id)
    assert "is not quorate: Contractor needs 1 lead officer present (0 present)" in str(err.value)
    assert "only while it is quorate" in str(err.value)
    first = board.get_meeting(db, 1)
    assert not first.locked and first.content_hash is None
    assert db.execute("SELECT COUNT(*) FROM approvals").fetchone()[0] == 0
    assert audit_count(db) == before
    assert board.get_meeting(db, second.id).previous_minutes_note is None


def test_every_kind_of_business_needs_the_quorum_now(db: sqlite_utils.Database) -> None:
    m = start(db, quorate=False)
    board.attend(db, m.id, "Carl Contractor", organisation="contractor")
    board.attend(db, m.id, "Dee Directorate", organisation="directorate")
    refused = [
        lambda: board.save_review(db, m.id, "HM-001", note="x"),
        lambda: board.add_action(db, m.id, "Do", owner="Carl", due="2022-10-31"),
        lambda: board.escalate(db, m.id, "HM-001", target="corporate", reason="16"),
    ]
    for attempt in refused:
        with pytest.raises(RiskboardError, match="Corporate needs 1 lead officer present"):
            attempt()
    # preparation is not business: attendance, declarations, AOB, next date
    board.add_aob(db, m.id, "Winter readiness")
    board.attend(db, m.id, "Cora Corporate", organisation="corporate")
    assert board.save_review(db, m.id, "HM-001", note="x").note == "x"
    board.leave(db, m.id, "Cora Corporate")
    with pytest.raises(RiskboardError, match="not quorate"):  # she left: business stops
        board.add_action(db, m.id, "Do", owner="Carl", due="2022-10-31")
    assert db.execute("SELECT COUNT(*) FROM board_actions").fetchone()[0] == 0


def test_minutes_record_the_quorum_at_approval(db: sqlite_utils.Database, tmp_path: Path) -> None:
    _closed_first(db)
    second = start(db, "2022-10-12")  # one lead officer from each side
    board.approve_previous(db, second.id)
    row = db.execute("SELECT quorum FROM approvals WHERE meeting_id = 1").fetchone()
    stored = json.loads(row[0])
    assert stored["met"] is True
    assert [(o["organisation"], o["present"]) for o in stored["by_organisation"]] == [
        ("contractor", 1), ("directorate", 1), ("corporate", 1),
    ]  # fmt: skip
    # two of them leave before the end: the approval's quorum stays as it was
    board.leave(db, second.id, "Dee Directorate")
    board.leave(db, second.id, "Cora Corporate")
    board.close_meeting(db, second.id, force_reason="two members left early")
    config = Config().resolve(tmp_path)
    text = export_minutes(db, config, meeting_id=second.id, fmt="md", out_dir=tmp_path).read_text(
        encoding="utf-8"
    )
    assert (
        "The board was quorate when these minutes were approved (lead officers present:"
        " 1 from the Contractor, 1 from the Council Directorate and 1 from Council Corporate;"
        " the quorum is one from each)." in text
    )
    # quorate for its business (the approval), then not: said so, never "was not quorate"
    assert "The meeting was quorate until Dee Directorate left at " in text
    assert "; no business was transacted after that. At the close it was not quorate" in text
    assert "The meeting was not quorate (" not in text
    assert (
        "At the close it was not quorate (lead officers present: 1 from the Contractor, none"
        " from the Council Directorate and none from Council Corporate; the quorum is one"
        " from each)." in text
    )
    assert " of 1 required" not in text  # never "Contractor 2 of 1 required"
    assert "The chair closed the meeting without quorum: two members left early" in text


def test_a_draft_never_says_the_meeting_was_quorate(
    db: sqlite_utils.Database, tmp_path: Path
) -> None:
    m = start(db, quorate=False)
    config = Config().resolve(tmp_path)
    text = export_minutes(db, config, meeting_id=m.id, fmt="md", out_dir=tmp_path).read_text(
        encoding="utf-8"
    )
    assert "At the time of this draft the meeting is not quorate" in text
    assert "The meeting was quorate" not in text
    quorate(db, m.id)
    text = export_minutes(db, config, meeting_id=m.id, fmt="md", out_dir=tmp_path).read_text(
        encoding="utf-8"
    )
    assert "At the time of this draft the meeting is quorate" in text
    board.close_meeting(db, m.id)
    text = export_minutes(db, config, meeting_id=m.id, fmt="md", out_dir=tmp_path).read_text(
        encoding="utf-8"
    )
    assert "The meeting was quorate (lead officers present: 1 from the Contractor," in text


def test_cli_approve_previous_without_quorum_exits_1(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from board_helpers import seeded_db

    (tmp_path / "config.toml").write_text('[paths]\ndatabase = "rb.db"\n')
    monkeypatch.chdir(tmp_path)
    db = seeded_db(tmp_path / "rb.db")
    _closed_first(db)
    start(db, "2022-10-12", quorate=False)
    db.conn.close()
    assert main(["meeting", "approve-previous"]) == 1
    err = capsys.readouterr().err
    assert "riskboard: error: meeting 2 (12/10/2022, August 2022 register) is not quorate" in err
    assert "Traceback" not in err
    for name, org in (("Carl C", "contractor"), ("Dee D", "directorate"), ("Cora C", "corporate")):
        assert main(["meeting", "attend", name, "--org", org]) == 0
    assert main(["meeting", "approve-previous"]) == 0
    out = capsys.readouterr().out
    assert "Minutes of meeting 1 (14/09/2022) approved and locked" in out
    assert main(["meeting", "show", "2"]) == 0
    shown = capsys.readouterr().out
    assert "Quorum at approval of meeting 1: quorate" in shown
