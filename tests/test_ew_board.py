"""Early warnings at the meeting: each decision (keep open, remove with a reason, became a
compensation event with its CE ref) through the audited step, actions in the one action
log, the agenda item's order, and the record's hash."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import pytest
import sqlite_utils

from board_helpers import start
from ew_helpers import ew, import_ews
from riskboard import board
from riskboard.cli import main
from riskboard.config import Config
from riskboard.errors import NotFound, RiskboardError

CONFIG = Config()


@pytest.fixture
def ews(db: sqlite_utils.Database) -> sqlite_utils.Database:
    """The seeded board with early warning registers for July and August."""
    import_ews(db, "2022-07", [ew("EW-001", linked_risk="HM-001", date_notified=date(2022, 6, 1)),
                               ew("EW-005", linked_risk="SL-002", date_notified=date(2022, 6, 1))])  # fmt: skip
    import_ews(
        db,
        "2022-08",
        [
            ew("EW-001", linked_risk="HM-001", date_notified=date(2022, 6, 1)),
            ew("EW-002", linked_risk="WS-003", date_notified=date(2022, 8, 20)),
            ew("EW-003", linked_risk="SL-002", status="removed"),
            ew("EW-004", linked_risk=None, status="compensation event",
               compensation_event_ref="CE-1"),
        ],
    )  # fmt: skip
    return db


def audit_count(db: sqlite_utils.Database) -> int:
    return int(db.execute("SELECT COUNT(*) FROM audit_log").fetchone()[0])


@pytest.mark.parametrize(
    ("decision", "reason", "ce", "words", "status"),
    [
        ("keep_open", None, None, "Keep open", "open"),
        ("remove", "Works complete", None, "Remove: Works complete", "removed"),
        ("compensation_event", None, "CE-12", "Became a compensation event (CE-12)",
         "compensation event"),
    ],
)  # fmt: skip
def test_each_decision_is_recorded_with_one_audit_row(
    ews: sqlite_utils.Database, decision: str, reason: str | None, ce: str | None,
    words: str, status: str,
) -> None:  # fmt: skip
    meeting = start(ews)
    before = audit_count(ews)
    d = board.decide_early_warning(
        ews, meeting.id, "ew-001", decision=decision, reason=reason, ce_ref=ce, actor="Alice Chair"
    )
    assert (d.ew_ref, d.words, d.status_after.value) == ("EW-001", words, status)
    assert (d.ew_month, d.ew_description, d.ew_linked_risk) == (
        "2022-08",
        "Matter EW-001",
        "HM-001",
    )
    assert audit_count(ews) == before + 1
    [entry] = board.audit_entries(ews, meeting_id=meeting.id)[-1:]
    assert entry.entity == "early_warning_decision" and entry.actor == "Alice Chair"
    assert entry.before is None and entry.after is not None
    assert entry.after["decision"] == decision
    assert board.meeting_record(ews, meeting.id)["early_warnings"][0]["decision"] == decision


def test_a_decision_again_at_the_same_meeting_amends_it(ews: sqlite_utils.Database) -> None:
    meeting = start(ews)
    board.decide_early_warning(ews, meeting.id, "EW-001", decision="keep_open")
    board.decide_early_warning(ews, meeting.id, "EW-001", decision="remove", reason="Resolved")
    [d] = board.ew_decisions(ews, meeting.id)
    assert d.words == "Remove: Resolved"
    last = board.audit_entries(ews, meeting_id=meeting.id)[-1]
    assert last.change.startswith("early warning EW-001 decision amended")
    assert last.before is not None and last.before["decision"] == "keep_open"
    count = audit_count(ews)  # the same again changes nothing and writes nothing
    board.decide_early_warning(ews, meeting.id, "EW-001", decision="remove", reason="Resolved")
    assert audit_count(ews) == count


def test_a_decision_based_on_a_changed_value_is_refused(ews: sqlite_utils.Database) -> None:
    meeting = start(ews)
    board.decide_early_warning(ews, meeting.id, "EW-001", decision="keep_open")
    board.decide_early_warning(ews, meeting.id, "EW-001", decision="remove", reason="Settled")
    with pytest.raises(board.ConflictError, match="shown to you"):
        board.decide_early_warning(
            ews, meeting.id, "EW-001", decision="compensation_event", ce_ref="CE-9",
            expected={"decision": "keep_open", "reason": None, "ce_ref": None},
        )  # fmt: skip


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"decision": "remove"}, "removing early warning EW-001 needs a reason"),
        ({"decision": "compensation_event"}, "its CE reference is needed"),
        ({"decision": "keep_open", "ce_ref": "CE-1"}, "a CE reference goes only with"),
        ({"decision": "maybe"}, "unknown early warning decision 'maybe'"),
    ],
)
def test_a_decision_missing_what_it_needs_is_refused(
    ews: sqlite_utils.Database, kwargs: dict, message: str
) -> None:
    meeting = start(ews)
    count = audit_count(ews)
    with pytest.raises(RiskboardError, match=message):
        board.decide_early_warning(ews, meeting.id, "EW-001", **kwargs)
    assert audit_count(ews) == count and board.ew_decisions(ews, meeting.id) == []


def test_decisions_need_a_quorate_open_meeting(ews: sqlite_utils.Database) -> None:
    meeting = start(ews, quorate=False)
    with pytest.raises(RiskboardError, match="not quorate"):
        board.decide_early_warning(ews, meeting.id, "EW-001", decision="keep_open")
    assert board.ew_decisions(ews, meeting.id) == []
    draft = board.close_meeting(ews, meeting.id, force_reason="Nobody came")
    with pytest.raises(RiskboardError, match="closed"):
        board.decide_early_warning(ews, draft.id, "EW-001", decision="keep_open")


def test_which_early_warnings_can_be_decided(ews: sqlite_utils.Database) -> None:
    meeting = start(ews)
    with pytest.raises(NotFound, match=r"unknown early warning 'EW-01'.*did you mean EW-001"):
        board.decide_early_warning(ews, meeting.id, "EW-01", decision="keep_open")
    # missing from August's register, open in July's: decided against its last entry
    d = board.decide_early_warning(ews, meeting.id, "EW-005", decision="remove", reason="Gone")
    assert d.ew_month == "2022-07"


def test_no_early_warning_register_at_all_is_said(db: sqlite_utils.Database) -> None:
    meeting = start(db)
    with pytest.raises(NotFound, match="no early warning register imported for 2022-08"):
        board.decide_early_warning(db, meeting.id, "EW-001", decision="keep_open")
    assert board.agenda_status(db, meeting.id) is None  # and no agenda item


def test_actions_on_an_early_warning_are_numbered_in_the_one_action_log(
    ews: sqlite_utils.Database,
) -> None:
    meeting = start(ews)
    first = board.add_action(ews, meeting.id, "Inspect", owner="Sam", due="2022-10-01",
                             risk_ref="HM-001")  # fmt: skip
    on_ew = board.add_action(ews, meeting.id, "Write to the contractor", owner="Ann",
                             due="2022-10-01", ew_ref="ew-002")  # fmt: skip
    assert on_ew.number == first.number + 1 and on_ew.ew_ref == "EW-002"
    with pytest.raises(NotFound, match="unknown early warning 'EW-999'"):
        board.add_action(ews, meeting.id, "x", owner="y", due="2022-10-01", ew_ref="EW-999")
    board.close_meeting(ews, meeting.id)
    nxt = start(ews, "2022-10-12")
    [carried] = board.action_log(ews, nxt.id)[1:]
    assert carried.action.number == on_ew.number and carried.action.ew_ref == "EW-002"


def test_the_agenda_takes_new_early_warnings_first_then_the_open_ones(
    ews: sqlite_utils.Database,
) -> None:
    first = start(ews, "2022-08-10", month="2022-07")
    board.close_meeting(ews, first.id)
    meeting = start(ews)
    agenda = board.agenda_early_warnings(ews, meeting.id, CONFIG)
    # new since the last meeting: not on July's register (EW-002 .. EW-004), any status
    # (EW-005, open on July's register, is left off August's: still on the agenda)
    assert [(r.ref, r.new) for r in agenda.rows] == [
        ("EW-002", True), ("EW-003", True), ("EW-004", True), ("EW-001", False),
        ("EW-005", False)]  # fmt: skip
    assert agenda.due == date(2022, 9, 21)
    board.decide_early_warning(ews, meeting.id, "EW-001", decision="keep_open")
    status = board.agenda_status(ews, meeting.id)
    assert status is not None and status.line() == "3 new · 3 open · 1 done"
    assert not status.done


def test_the_record_keeps_the_decisions_and_its_hash_protects_them(
    ews: sqlite_utils.Database,
) -> None:
    meeting = start(ews)
    board.decide_early_warning(ews, meeting.id, "EW-001", decision="remove", reason="Settled")
    board.close_meeting(ews, meeting.id)
    following = start(ews, "2022-10-12")
    approved = board.approve_previous(ews, following.id)
    assert board.verify(ews, approved.id).ok
    # a decision changed behind riskboard's back: the trigger refuses...
    with pytest.raises(Exception, match="read-only"):
        ews.execute("UPDATE ew_decisions SET reason = 'Never mind'")
    # ...and with the trigger dropped, the approved record no longer verifies
    ews.execute("DROP TRIGGER ew_decisions_approved_no_update")
    ews.execute("UPDATE ew_decisions SET reason = 'Never mind'")
    ews.conn.commit()
    result = board.verify(ews, approved.id)
    assert not result.ok and "TAMPERED" in result.message


def test_cli_ew_decide_and_list(
    ews: sqlite_utils.Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    start(ews)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "config.toml").write_text(f'[paths]\ndatabase = "{tmp_path / "rb.db"}"\n')
    assert main(["ew", "decide", "EW-001", "--remove"]) == 1
    err = capsys.readouterr().err
    assert "needs a reason" in err and "give --reason TEXT" in err and "Traceback" not in err
    with pytest.raises(SystemExit):  # argparse: --ce needs its CE reference
        main(["ew", "decide", "EW-002", "--ce"])
    assert "argument --ce: expected one argument" in capsys.readouterr().err
    assert main(["ew", "decide", "EW-002", "--ce", " "]) == 1  # review F2: said "None"
    err = capsys.readouterr().err
    assert "its CE reference is needed" in err and "None" not in err
    assert main(["ew", "decide", "EW-001", "--remove", "--reason", "Settled"]) == 0
    assert "EW-001 Matter EW-001: Remove: Settled (meeting 1)" in capsys.readouterr().out
    assert main(["ew", "decide", "EW-002", "--ce", "CE-7", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["ce_ref"] == "CE-7"
    assert main(["ew", "list"]) == 0
    out = capsys.readouterr().out
    assert "Decision (meeting 1)" in out and "Remove: Settled" in out
    # --json keeps what the register says beside what the board decided
    ews.execute("UPDATE ew_snapshots SET decision = 'Keep open: programme agreed'")
    ews.conn.commit()
    assert main(["ew", "list", "--json"]) == 0
    listed = {e["ref"]: e for e in json.loads(capsys.readouterr().out)}
    assert listed["EW-001"]["decision"] == "Keep open: programme agreed"
    assert listed["EW-001"]["board_decision"]["reason"] == "Settled"
    assert listed["EW-003"]["decision"] == "Keep open: programme agreed"
    assert listed["EW-003"]["board_decision"] is None and listed["EW-003"]["meeting_id"] == 1
    assert "Became a compensation event (CE-7)" in out
    assert main(["meeting", "show"]) == 0
    assert "Early warnings (NEC clause 15):" in capsys.readouterr().out
    assert main(["meeting", "close"]) == 0
    assert "the revised early warning register is due to the contractor by 21/09/2022" in (
        capsys.readouterr().out
    )


def test_the_close_summary_names_what_each_new_action_is_on(ews: sqlite_utils.Database) -> None:
    from riskboard.tui.screens.close import summary_text

    meeting = start(ews)
    board.add_action(ews, meeting.id, "Survey", owner="Ann", due="2022-10-01", ew_ref="EW-002")
    board.add_action(ews, meeting.id, "Chase", owner="Bo", due="2022-10-01", risk_ref="HM-001")
    board.decide_early_warning(ews, meeting.id, "EW-002", decision="keep_open")
    record = board.meeting_record(ews, meeting.id)
    item = board.agenda_status(ews, meeting.id)
    text = summary_text(record, 0, ew_due=date(2022, 9, 21), ew_item=item).plain
    assert "Action 1 [EW-002]: Survey - Ann" in text
    assert "Action 2 [HM-001]: Chase - Bo" in text
    # review F13: what the item left undecided is said before the close
    assert "4 of the 5 early warnings on the agenda not decided" in text


def test_cli_ew_show_gives_each_month_the_decisions_and_the_board_s_actions(
    ews: sqlite_utils.Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    meeting = start(ews)
    board.decide_early_warning(ews, meeting.id, "EW-001", decision="keep_open", reason="Watch")
    board.add_action(ews, meeting.id, "Survey", owner="Ann", due="2022-10-01", ew_ref="ew-001")
    monkeypatch.chdir(tmp_path)
    (tmp_path / "config.toml").write_text(f'[paths]\ndatabase = "{tmp_path / "rb.db"}"\n')
    assert main(["ew", "show", "EW-001"]) == 0
    out = capsys.readouterr().out
    assert "2022-07" in out and "2022-08" in out  # the month it was on each register
    assert "meeting 1: Keep open: Watch" in out
    assert "Action 1 (open): Survey - Ann, due 01/10/2022" in out
    assert main(["ew", "show", "EW-001", "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert [m["month"] for m in shown["months"]] == ["2022-07", "2022-08"]
    assert [a["number"] for a in shown["actions"]] == [1]
    assert main(["ew", "show", "EW-404"]) == 1
    assert "unknown early warning 'EW-404'" in capsys.readouterr().err


def test_an_early_warning_decision_is_business_for_the_quorum_and_who_took_part(
    ews: sqlite_utils.Database, tmp_path: Path
) -> None:
    from riskboard.config import PathsConfig
    from riskboard.reports.minutes import export_minutes

    meeting = start(ews)
    board.decide_early_warning(ews, meeting.id, "EW-001", decision="keep_open")
    # she took part in that decision: the record cannot now say she sent apologies
    with pytest.raises(RiskboardError, match=r"did business \(early warning EW-001: Keep open,"):
        board.attend(ews, meeting.id, "Cora Corporate", apologies=True)
    board.leave(ews, meeting.id, "Cora Corporate")
    board.close_meeting(ews, meeting.id, force_reason="Corporate lead left")
    config = Config(paths=PathsConfig(exports=tmp_path))
    text = export_minutes(ews, config, meeting_id=meeting.id, fmt="md").read_text()
    assert "after item" in text and "(Early warnings (NEC clause 15))." in text
    assert "The meeting was quorate until Cora Corporate left at " in text
    assert "before any business" not in text


@pytest.mark.parametrize(
    ("ref", "decision", "reason", "ce", "said"),
    [
        ("EW-003", "keep_open", "reopen", None, "EW-003 is Removed in the 2022-08 register: keeping"),
        ("EW-003", "compensation_event", None, "CE-9", "EW-003 is Removed in the 2022-08"),
        ("EW-004", "keep_open", None, None, "EW-004 is a Compensation event (CE-1) in the 2022-08"),
        ("EW-004", "remove", "CE withdrawn?", None, "is a Compensation event (CE-1) in the 2022"),
        ("EW-004", "compensation_event", None, "CE-99", "is compensation event CE-1 in the 2022"),
    ],
)  # fmt: skip
def test_a_decision_the_register_contradicts_needs_an_override(
    ews: sqlite_utils.Database, ref: str, decision: str, reason: str | None, ce: str | None,
    said: str,
) -> None:  # fmt: skip
    """Review F3/F20: a Removed early warning re-opened, a compensation event kept open,
    removed or given another CE ref - refused naming the register's status and CE ref,
    unless the board says why it overrides the register (audited)."""
    meeting = start(ews)
    before = audit_count(ews)
    with pytest.raises(RiskboardError, match=re.escape(said)) as refused:
        board.decide_early_warning(
            ews, meeting.id, ref, decision=decision, reason=reason, ce_ref=ce
        )
    assert "--override REASON" in (refused.value.hint or "")
    assert audit_count(ews) == before and board.ew_decisions(ews, meeting.id) == []
    d = board.decide_early_warning(
        ews, meeting.id, ref, decision=decision, reason=reason, ce_ref=ce,
        override="the contractor's register is wrong",
    )  # fmt: skip
    assert d.decision == decision
    [entry] = board.audit_entries(ews, meeting_id=meeting.id)[-1:]
    assert "overriding the register" in entry.change
    assert (
        entry.after is not None and entry.after["override"] == "the contractor's register is wrong"
    )


def test_what_the_register_says_already_needs_no_override(ews: sqlite_utils.Database) -> None:
    meeting = start(ews)
    board.decide_early_warning(ews, meeting.id, "EW-003", decision="remove", reason="agreed")
    board.decide_early_warning(ews, meeting.id, "EW-004", decision="compensation_event",
                               ce_ref="ce-1")  # fmt: skip


@pytest.mark.parametrize("ce", ["=1+1", "+CE", "@x", "CE-1; DROP", "CE\t1", "x" * 41])
def test_a_ce_ref_must_look_like_a_reference(ews: sqlite_utils.Database, ce: str) -> None:
    meeting = start(ews)
    with pytest.raises(RiskboardError, match="is not a reference"):
        board.decide_early_warning(ews, meeting.id, "EW-001", decision="compensation_event",
                                   ce_ref=ce)  # fmt: skip
    d = board.decide_early_warning(ews, meeting.id, "EW-001", decision="compensation_event",
                                   ce_ref="CE 12/3-A")  # fmt: skip
    assert d.ce_ref == "CE 12/3-A"


def test_cli_override_of_the_register(
    ews: sqlite_utils.Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    start(ews)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "config.toml").write_text(f'[paths]\ndatabase = "{tmp_path / "rb.db"}"\n')
    assert main(["ew", "decide", "EW-003", "--keep"]) == 1
    err = capsys.readouterr().err
    assert "EW-003 is Removed in the 2022-08 register" in err and "--override" in err
    assert main(["ew", "decide", "EW-003", "--keep", "--reopen", "matter recurred"]) == 0
    assert "Keep open" in capsys.readouterr().out


def test_a_risk_lists_its_early_warnings_with_the_board_s_decision(
    ews: sqlite_utils.Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    """Review F25: `show REF` and the risk's review screen list its linked early
    warnings - ref, status, the board's decision - not only through a flag."""
    from riskboard.risk_early_warnings import risk_early_warnings
    from riskboard.tui import review_text

    meeting = start(ews)
    board.decide_early_warning(ews, meeting.id, "EW-001", decision="keep_open", reason="watch")
    [linked] = risk_early_warnings(ews, "HM-001", "2022-08", CONFIG, meeting_id=meeting.id)
    assert (linked.ref, linked.status) == ("EW-001", "Open")
    assert linked.line().startswith("EW-001 Open, notified 01/06/2022; board: Keep open: watch")
    shown = review_text.early_warnings([linked]).plain
    assert "Early warnings:" in shown and "EW-001 Open" in shown and "Keep open: watch" in shown
    assert "none linked" in review_text.early_warnings([]).plain
    # one Removed; one open in July and left off August's register, still shown
    on_sl = risk_early_warnings(ews, "SL-002", "2022-08", CONFIG)
    assert [(e.ref, e.status, e.month) for e in on_sl] == [
        ("EW-003", "Removed", "2022-08"), ("EW-005", "Open", "2022-07")]  # fmt: skip
    monkeypatch.chdir(tmp_path)
    (tmp_path / "config.toml").write_text(f'[paths]\ndatabase = "{tmp_path / "rb.db"}"\n')
    assert main(["show", "HM-001"]) == 0
    out = capsys.readouterr().out
    assert "Early warnings:" in out and "EW-001 Open, notified 01/06/2022; board: Keep open" in out
    assert main(["show", "HM-001", "--json"]) == 0
    [listed] = json.loads(capsys.readouterr().out)["early_warnings"]
    assert (listed["ref"], listed["status"]) == ("EW-001", "Open")
    assert listed["board_decision"].startswith("Keep open: watch (meeting 1")


def test_before_the_month_s_meeting_new_is_against_the_previous_register(
    ews: sqlite_utils.Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    """Review F6: `ew list` before the meeting is started marked nothing new; officers
    preparing the agenda need the month's register against the previous month's."""
    from riskboard.ew_register import view

    rows = {r.ref: r.new for r in view(ews, "2022-08", CONFIG).rows}
    assert rows == {"EW-001": False, "EW-002": True, "EW-003": True, "EW-004": True,
                    "EW-005": False}  # fmt: skip
    monkeypatch.chdir(tmp_path)
    (tmp_path / "config.toml").write_text(f'[paths]\ndatabase = "{tmp_path / "rb.db"}"\n')
    assert main(["ew", "list", "--month", "2022-08", "--json"]) == 0
    listed = {e["ref"]: e["new"] for e in json.loads(capsys.readouterr().out)}
    assert listed["EW-002"] is True and listed["EW-001"] is False
