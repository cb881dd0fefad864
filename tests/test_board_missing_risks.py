"""Rule 2 (issue 11): a risk missing from the board month's export is on the agenda, and
the board can review it, minute a decision, raise an action and escalate it - against
its last known snapshot - so "N of N reviewed" can be reached."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlite_utils

from board_helpers import import_month, risk, start
from riskboard import board
from riskboard.agenda import board_month, reviewed_status, section_rows
from riskboard.cli import main
from riskboard.config import Config
from riskboard.errors import RiskboardError
from riskboard.reports.minutes import export_minutes


@pytest.fixture
def gone(db: sqlite_utils.Database) -> sqlite_utils.Database:
    """TM-009 open in July, missing from August's export; PR-008 closed in July."""
    import_month(
        db,
        "2022-07",
        [
            risk("HM-001"),
            risk("SL-002", annex="Street Lighting"),
            risk("TM-009", title="Signal failures", annex="Traffic", current_score=15),
            risk("PR-008", title="Old stile", status="Closed"),
        ],
    )
    return db


def test_missing_risk_is_decided_against_its_last_snapshot(gone: sqlite_utils.Database) -> None:
    db = gone
    m = start(db)
    review = board.save_review(
        db, m.id, "tm-009", strategy="treat", decision="ask the contractor where it went",
        reviewed=True,
    )  # fmt: skip
    assert (review.ref, review.risk_title, review.risk_score, review.risk_month) == (
        "TM-009", "Signal failures", 15, "2022-07",
    )  # fmt: skip
    assert review.missing_from("2022-08")
    action = board.add_action(
        db, m.id, "Have TM-009 restored in IRIS", owner="Carl", due="2022-10-31", risk_ref="TM-009"
    )
    assert action.risk_ref == "TM-009"
    esc = board.escalate(db, m.id, "TM-009", target="directorate", reason="score 15, unexported")
    assert (esc.risk_title, esc.risk_score) == ("Signal failures", 15)
    row = db.execute("SELECT risk_month, reviewed FROM reviews WHERE ref = 'TM-009'").fetchone()
    assert row == ("2022-07", 1)


def test_closed_and_unknown_risks_are_still_refused(gone: sqlite_utils.Database) -> None:
    m = start(gone)
    with pytest.raises(RiskboardError, match="PR-008 was closed in the July 2022 export"):
        gone_review(gone, m.id, "PR-008")
    with pytest.raises(RiskboardError, match="unknown risk 'ZZ-404'.*nor in any earlier export"):
        gone_review(gone, m.id, "ZZ-404")


def gone_review(db: sqlite_utils.Database, meeting_id: int, ref: str) -> None:
    board.save_review(db, meeting_id, ref, note="x")


def test_every_agenda_risk_can_be_reviewed(gone: sqlite_utils.Database) -> None:
    db = gone
    m = start(db)
    data = board_month(db, Config(), "2022-08", m.id)
    flagged = section_rows(data.rows, "whole")
    assert "TM-009" in {r.ref for r in flagged}
    for row in flagged:
        board.save_review(db, m.id, row.ref, reviewed=True)
    data = board_month(db, Config(), "2022-08", m.id)
    text, done = reviewed_status(section_rows(data.rows, "whole"))
    assert done and text == f"{len(flagged)} of {len(flagged)} reviewed"


def test_minutes_say_it_was_missing(gone: sqlite_utils.Database, tmp_path: Path) -> None:
    db = gone
    m = start(db)
    board.save_review(db, m.id, "TM-009", decision="chase the contractor", reviewed=True)
    text = export_minutes(
        db, Config().resolve(tmp_path), meeting_id=m.id, fmt="md", out_dir=tmp_path
    ).read_text(encoding="utf-8")
    assert "Risk TM-009: Signal failures" in text
    assert (
        "Not in the August 2022 export: reviewed against its last known entry, in the"
        " July 2022 export" in text
    )
    assert "**RESOLVED:** chase the contractor." in text
    # no current score or direction of travel for a risk this export left out
    item = text[text.index("Risk TM-009: Signal failures") :]
    item = item[: item.index("**RESOLVED:**")]
    assert "Current score" not in item
    assert "- **Last known score:** 15 – Red (in the July 2022 export)" in item
    assert "- **Direction of travel:** Not in the August 2022 export" in item
    assert "no change" not in item


def test_cli_reviews_a_missing_risk(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from board_helpers import seeded_db

    (tmp_path / "config.toml").write_text('[paths]\ndatabase = "rb.db"\n')
    monkeypatch.chdir(tmp_path)
    db = seeded_db(tmp_path / "rb.db")
    import_month(db, "2022-07", [risk("HM-001"), risk("TM-009", title="Signal failures")])
    start(db)
    db.conn.close()
    assert main(["review", "TM-009", "--decision", "chase", "--note", "missing"]) == 0
    assert main(["action", "add", "Restore it", "--owner", "Carl", "--due", "2022-10-31",
                 "--risk", "TM-009"]) == 0  # fmt: skip
    out = capsys.readouterr().out
    assert "TM-009 Signal failures: reviewed at meeting 1" in out
    assert main(["meeting", "show", "1"]) == 0
    shown = capsys.readouterr().out
    assert "Not in the August 2022 export: reviewed against its July 2022 entry" in shown
    assert "(Highways, owner Jo Bloggs, last known score 12 (July 2022))" in shown
