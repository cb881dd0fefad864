"""Rule 6 (issue 11): an action raised in error is withdrawn with a reason (audited);
the minutes list it as withdrawn, never as a live action, and it leaves the log."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlite_utils

from board_helpers import audit_count, start
from riskboard import board
from riskboard.cli import main
from riskboard.config import Config
from riskboard.errors import RiskboardError
from riskboard.reports.minutes import export_minutes


def test_withdrawn_with_its_reason_and_audited(db: sqlite_utils.Database) -> None:
    m = start(db)
    a = board.add_action(db, m.id, "Duplicate of Action 1", owner="Carl", due="2022-10-31")
    with pytest.raises(RiskboardError, match="withdrawing Action 1 needs a reason"):
        board.withdraw_action(db, m.id, a.number, reason="  ")
    with pytest.raises(RiskboardError, match="needs a reason"):
        board.update_action(db, m.id, a.number, status="withdrawn")
    before = audit_count(db)
    w = board.withdraw_action(db, m.id, a.number, reason="raised twice in error")
    assert (w.status, w.withdrawn_reason, w.closed_meeting_id) == (
        "withdrawn", "raised twice in error", m.id,
    )  # fmt: skip
    assert not w.live
    assert audit_count(db) == before + 1
    entry = board.audit_entries(db)[-1]
    assert (entry.entity, entry.entity_id, entry.change) == ("action", "1", "action withdrawn")
    assert entry.before["status"] == "open" and entry.after["status"] == "withdrawn"
    assert entry.after["withdrawn_reason"] == "raised twice in error"
    assert board.open_actions(db) == []
    assert [h.status for h in board.action_history(db, 1)] == ["open", "withdrawn"]


def test_minutes_list_it_as_withdrawn_not_as_a_live_action(
    db: sqlite_utils.Database, tmp_path: Path
) -> None:
    m = start(db)
    keep = board.add_action(db, m.id, "Cost the treatment", owner="Carl", due="2022-10-31")
    oops = board.add_action(db, m.id, "Cost the treatment again", owner="Carl", due="2022-10-31",
                            risk_ref="HM-001")  # fmt: skip
    board.save_review(db, m.id, "HM-001", decision="treat", reviewed=True)
    board.withdraw_action(db, m.id, oops.number, reason="duplicate of Action 1")
    summary = board.meeting_record(db, m.id)["summary"]
    assert (summary["actions_arising"], summary["actions_withdrawn"]) == (1, 1)
    board.close_meeting(db, m.id)
    config = Config().resolve(tmp_path)
    text = export_minutes(db, config, meeting_id=m.id, fmt="md", out_dir=tmp_path).read_text(
        encoding="utf-8"
    )
    new_actions = text[text.index("New actions arising") :]
    assert f"| {keep.number} | Cost the treatment |" in new_actions
    assert f"| {oops.number} | Cost the treatment again" not in new_actions
    assert (
        f"Action {oops.number} (Cost the treatment again) was withdrawn: duplicate of Action 1."
        in new_actions
    )
    assert f"Action {oops.number} arising" not in text  # not listed as an action arising
    # the next meeting's action log does not carry it
    m2 = start(db, "2022-10-12")
    assert [e.action.number for e in board.action_log(db, m2.id)] == [keep.number]


def test_withdrawn_at_an_earlier_meeting_stays_withdrawn(db: sqlite_utils.Database) -> None:
    m1 = start(db)
    a = board.add_action(db, m1.id, "Do", owner="Carl", due="2022-10-31")
    board.close_meeting(db, m1.id)
    m2 = start(db, "2022-10-12")
    board.withdraw_action(db, m2.id, a.number, reason="overtaken by the new contract")
    log = board.action_log(db, m2.id)
    assert [(e.action.number, e.withdrawn_here, e.closed_here) for e in log] == [(1, True, False)]
    board.close_meeting(db, m2.id)
    m3 = start(db, "2022-11-09")
    with pytest.raises(RiskboardError, match=r"Action 1 was withdrawn at meeting 2 \(12/10/2022,"
                       r" \d\d:\d\d\): \"overtaken by the new contract\": a withdrawn action is"
                       " never live again"):  # fmt: skip
        board.update_action(db, m3.id, a.number, status="open")
    assert board.action_log(db, m3.id) == []


@pytest.mark.parametrize(
    "change",
    [
        {"status": "open"},
        {"status": "closed"},
        {"status": "in progress"},
        {"progress": "still wanted"},
        {"owner": "Someone Else"},
        {"revised_due": "2022-12-01"},
    ],
)
def test_a_withdrawn_action_takes_no_updates_even_at_the_same_meeting(
    db: sqlite_utils.Database, change: dict[str, str]
) -> None:
    m = start(db)
    a = board.add_action(db, m.id, "Oops", owner="Carl", due="2022-10-31")
    board.withdraw_action(db, m.id, a.number, reason="raised in error")
    before = audit_count(db)
    with pytest.raises(RiskboardError) as err:
        board.update_action(db, m.id, a.number, **change)  # type: ignore[arg-type]
    assert str(err.value).startswith("Action 1 was withdrawn at meeting 1 (14/09/2022, ")
    assert '"raised in error": a withdrawn action is never live again' in str(err.value)
    assert "riskboard action add" in (err.value.hint or "")
    assert audit_count(db) == before
    assert board.get_action(db, 1).status == "withdrawn"
    minutes = board.meeting_record(db, m.id)["actions_arising"]
    assert [(x["number"], x["status"]) for x in minutes] == [(1, "withdrawn")]


def test_withdrawing_twice_keeps_the_first_reason(db: sqlite_utils.Database) -> None:
    m = start(db)
    a = board.add_action(db, m.id, "Oops", owner="Carl", due="2022-10-31")
    board.withdraw_action(db, m.id, a.number, reason="raised in error")
    with pytest.raises(RiskboardError) as err:
        board.withdraw_action(db, m.id, a.number, reason="again")
    assert str(err.value).startswith("Action 1 was already withdrawn at meeting 1 (14/09/2022, ")
    assert str(err.value).endswith(': "raised in error"; its reason stays as recorded')
    assert board.get_action(db, 1).withdrawn_reason == "raised in error"


def test_cli_withdraw(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from board_helpers import seeded_db

    (tmp_path / "config.toml").write_text('[paths]\ndatabase = "rb.db"\n')
    monkeypatch.chdir(tmp_path)
    db = seeded_db(tmp_path / "rb.db")
    start(db)
    db.conn.close()
    assert main(["action", "add", "Oops", "--owner", "Carl", "--due", "2022-10-31"]) == 0
    assert main(["action", "withdraw", "1", "--reason", "raised in error"]) == 0
    out = capsys.readouterr().out
    assert "Action 1 (withdrawn): Oops - Carl, due 31/10/2022" in out
    assert "withdrawn: raised in error" in out
    assert main(["action", "update", "1", "--status", "open"]) == 1
    assert "a withdrawn action is never live again" in capsys.readouterr().err
    assert main(["action", "withdraw", "1", "--reason", "again"]) == 1
    assert "was already withdrawn" in capsys.readouterr().err
    assert main(["action", "list"]) == 0
    assert "No open actions" in capsys.readouterr().out
    assert main(["meeting", "show", "1"]) == 0
    assert "Action 1 (withdrawn)" in capsys.readouterr().out
