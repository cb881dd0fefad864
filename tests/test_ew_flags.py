"""Early warning flags, one by one: on the risk (no_early_warning, ew_link_mismatch) and on
the early warning (ew_no_linked_risk, ew_risk_closed, ew_undecided, ew_action_overdue,
unreadable_value) - and where the board sees them (flags, ew list)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
import sqlite_utils

from board_helpers import import_month, risk, start
from ew_helpers import ew, import_ews
from riskboard import board, flag_text
from riskboard.cli import main
from riskboard.config import Config, EarlyWarningConfig, EscalationConfig, FinancialRouting
from riskboard.domain import EW_FLAGS, FLAG_ORDER, FlagCode
from riskboard.early_warning import EarlyWarning, EwAction
from riskboard.ew_flags import LastDecision, cross_reference, ew_flags, risk_flags
from riskboard.ew_register import view
from riskboard.register import flags_for

AS_OF = date(2022, 8, 31)


def flags_of(ews: list[EarlyWarning], risks: list, **kw: object) -> dict[str, list[str]]:
    links = cross_reference(risks, ews)
    got = ew_flags(
        ews, risks, links, month="2022-08", ew_month="2022-08", as_of=AS_OF,
        undecided_weeks=int(kw.pop("weeks", 6)), decisions=kw.pop("decisions", {}),  # type: ignore[arg-type]
    )  # fmt: skip
    return {ref: [c.value for c in f.codes] for ref, f in got.items()}


def risk_flags_of(ews: list[EarlyWarning], risks: list, threshold: float | None = 100_000):
    got = risk_flags(
        risks, ews, cross_reference(risks, ews), threshold=threshold, ew_month="2022-08"
    )
    return {ref: f for ref, f in got.items()}


# --------------------------------------------------------------------------- on a risk


def test_no_early_warning_on_a_risk_whose_exposure_reaches_the_threshold() -> None:
    risks = [
        risk("HM-001", exposure=250_000.0),  # no early warning anywhere: flagged
        risk("HM-002", exposure=250_000.0, early_warning_ref="EW-002"),  # its own column
        risk("HM-003", exposure=250_000.0),  # the early warning register links it
        risk("HM-004", exposure=99_999.0),  # under the threshold
        risk("HM-005", exposure=500_000.0, status="Closed"),  # closed: never flagged
        risk("HM-006", exposure=300_000.0, early_warning_ref="EW-006"),  # its EW was removed
    ]
    ews = [ew("EW-002", linked_risk="HM-002"), ew("EW-003", linked_risk="HM-003"),
           ew("EW-006", linked_risk="HM-006", status="removed")]  # fmt: skip
    flagged = risk_flags_of(ews, risks)
    assert {r for r, f in flagged.items() if FlagCode.NO_EARLY_WARNING in f.codes} == {
        "HM-001", "HM-006"}  # fmt: skip
    detail = flagged["HM-006"].details["no_early_warning"]
    assert (detail.exposure, detail.threshold, detail.removed) == (300_000.0, 100_000, ["EW-006"])
    assert "removed from the early warning register: EW-006" in "\n".join(
        flag_text.reasons("no_early_warning", detail)
    )
    off = risk_flags_of(ews, risks, threshold=None)  # the flag turned off
    assert not any(FlagCode.NO_EARLY_WARNING in f.codes for f in off.values())
    # (HM-003's own EW column is blank while EW-003 names it: the registers disagree)
    assert {r: [c.value for c in f.codes] for r, f in off.items()} == {
        "HM-003": ["ew_link_mismatch"]}  # fmt: skip


def test_the_threshold_is_the_routing_one_unless_configured() -> None:
    default = Config()
    assert default.early_warnings.threshold(default.escalation.financial) == 100_000
    routed = EscalationConfig(financial=FinancialRouting(fc_cluster_min_gbp=None))
    assert EarlyWarningConfig().threshold(routed.financial) == 250_000
    own = EarlyWarningConfig(exposure_threshold_gbp=1_000_000)
    assert own.threshold(default.escalation.financial) == 1_000_000
    assert EarlyWarningConfig(flag_exposure=False).threshold(default.escalation.financial) is None


def test_a_mismatch_between_the_two_registers_is_shown_from_each_side() -> None:
    risks = [
        risk("HM-001", early_warning_ref="EW-001"),  # EW-001 names HM-002 instead
        risk("HM-002", early_warning_ref="EW-002"),  # EW-001 names it, it names EW-002
        risk("HM-003", early_warning_ref="EW-099"),  # no such early warning
        risk("HM-004", early_warning_ref="ew–004"),  # the same link, spelled differently
    ]
    ews = [ew("EW-001", linked_risk="HM-002"), ew("EW-002", linked_risk="HM-002"),
           ew("EW-004", linked_risk="hm-004")]  # fmt: skip
    flagged = risk_flags_of(ews, risks)
    words = {
        ref: flag_text.evidence("ew_link_mismatch", f.details["ew_link_mismatch"])
        for ref, f in flagged.items()
    }
    assert words == {
        "HM-001": "risk HM-001 names early warning EW-001, but EW-001 names risk HM-002",
        "HM-002": "early warning EW-001 names risk HM-002, but the risk register's early warning"
        " column for HM-002 names EW-002",
        "HM-003": "risk HM-003 names early warning EW-099, which is not on the early warning"
        " register",
    }
    on_ews = flags_of(ews, risks)
    assert on_ews == {"EW-001": ["ew_link_mismatch"]}


@pytest.mark.parametrize("none", ["N/A", "n/a", "None", "TBC", "-", "Not applicable"])
def test_what_officers_type_for_no_early_warning_names_none(none: str) -> None:
    """Review F17: "N/A" was read as the references "N" and "A" (a false mismatch)."""
    risks = [risk("HM-001", early_warning_ref=none, exposure=150_000)]
    ews = [ew("EW-001", linked_risk=None)]
    flagged = risk_flags_of(ews, risks)
    assert [c.value for c in flagged["HM-001"].codes] == ["no_early_warning"]
    assert flags_of(ews, risks) == {"EW-001": ["ew_no_linked_risk"]}


def test_early_warnings_one_per_line_in_the_risk_register_are_each_linked() -> None:
    # a cell "EW-1<newline>EW-2", and the same as the reader may give it ("EW-1 EW-2")
    for cell in ("EW-001\nEW-002", "EW-001 EW-002"):
        risks = [risk("HM-001", early_warning_ref=cell)]
        ews = [ew("EW-001", linked_risk="HM-001"), ew("EW-002", linked_risk="HM-001")]
        assert risk_flags_of(ews, risks) == {}, cell
        assert flags_of(ews, risks) == {}, cell


def test_a_register_that_names_no_links_is_not_compared() -> None:
    # the risk register has no EW column in use: the early warning register alone links
    risks = [risk("HM-001"), risk("HM-002")]
    assert flags_of([ew("EW-001", linked_risk="HM-001")], risks) == {}
    assert risk_flags_of([ew("EW-001", linked_risk="HM-001")], risks, None) == {}
    # the early warning register names no risk at all: the risk register alone links
    risks = [risk("HM-001", early_warning_ref="EW-001")]
    assert risk_flags_of([ew("EW-001", linked_risk=None)], risks, None) == {}


# --------------------------------------------------------------------------- on an early warning


def test_an_open_early_warning_with_no_linked_risk_on_the_register() -> None:
    risks = [risk("HM-001")]
    ews = [
        ew("EW-001", linked_risk=None),  # none named
        ew("EW-002", linked_risk="HM-099"),  # named, not on the register
        ew("EW-003", linked_risk="HM-001"),  # on the register
        ew("EW-004", linked_risk=None, status="removed"),  # removed: never flagged
    ]
    flagged = flags_of(ews, risks)
    assert flagged == {"EW-001": ["ew_no_linked_risk"], "EW-002": ["ew_no_linked_risk"]}
    links = cross_reference(risks, ews)
    detail = ew_flags(ews, risks, links, month="2022-08", ew_month="2022-08", as_of=AS_OF,
                      undecided_weeks=6, decisions={})["EW-002"].details  # fmt: skip
    assert flag_text.reasons("ew_no_linked_risk", detail["ew_no_linked_risk"]) == [
        "Early warning with no risk on the register: it names HM-099, not on the 2022-08"
        " risk register"
    ]
    assert flags_of(ews, []) == {}  # no risk register that month: nothing to compare


def test_a_linked_risk_closed_while_its_early_warning_is_open() -> None:
    risks = [risk("HM-001", status="Closed"), risk("HM-002")]
    ews = [ew("EW-001", linked_risk="HM-001"), ew("EW-002", linked_risk="HM-002"),
           ew("EW-003", linked_risk="HM-001", status="removed")]  # fmt: skip
    assert flags_of(ews, risks) == {"EW-001": ["ew_risk_closed"]}


def test_an_early_warning_open_too_long_with_no_decision() -> None:
    risks = [risk("HM-001")]
    old = date(2022, 6, 1)  # 13 weeks before 31/08
    ews = [
        ew("EW-001", linked_risk="HM-001", date_notified=old),
        ew("EW-002", linked_risk="HM-001", date_notified=old, meeting_date=date(2022, 8, 10),
           decision="Keep open"),  # the register records a decision
        ew("EW-003", linked_risk="HM-001", date_notified=old),  # the board decided
        ew("EW-004", linked_risk="HM-001", date_notified=None),  # no date to count from
        ew("EW-005", linked_risk="HM-001", date_notified=date(2022, 7, 27)),  # 5 weeks
    ]  # fmt: skip
    decided = {"ew-003": LastDecision(date(2022, 8, 10), "Keep open (meeting 3, 10/08/2022)")}
    assert flags_of(ews, risks, decisions=decided) == {"EW-001": ["ew_undecided"]}
    assert flags_of(ews, risks, decisions=decided, weeks=20) == {}
    assert set(flags_of(ews, risks, decisions=decided, weeks=2)) == {"EW-001", "EW-002",
                                                                     "EW-003", "EW-005"}  # fmt: skip


def test_an_early_warning_action_overdue() -> None:
    actions = [
        EwAction(ew_ref="EW-001", text="Survey", owner="Ann", due=date(2022, 8, 1)),
        EwAction(ew_ref="EW-001", text="Done", due=date(2022, 7, 1), status="complete"),
        EwAction(ew_ref="EW-001", text="Later", due=date(2022, 9, 30)),
    ]
    ews = [ew("EW-001", linked_risk="HM-001", actions=actions)]
    links = cross_reference([risk("HM-001")], ews)
    got = ew_flags(ews, [risk("HM-001")], links, month="2022-08", ew_month="2022-08",
                   as_of=AS_OF, undecided_weeks=6, decisions={})  # fmt: skip
    detail = got["EW-001"].details["ew_action_overdue"]
    assert [(a.action, a.due, a.owner) for a in detail.actions] == [
        ("Survey", date(2022, 8, 1), "Ann")]  # fmt: skip
    assert flag_text.chase("ew_action_overdue", detail).startswith(
        "Early warning action overdue: Survey due 01/08/2022, Ann"
    )


def test_every_early_warning_flag_has_its_own_sentences() -> None:
    """Each code is worded (label, reasons, chase) and sits in the flag order."""
    for code in EW_FLAGS | {FlagCode.NO_EARLY_WARNING}:
        assert flag_text.label(code.value) != code.value
        assert code in FLAG_ORDER
        assert flag_text.chase(code.value, None)
    assert FLAG_ORDER.index(FlagCode.ACCEPTANCE_LAPSED) < FLAG_ORDER.index(
        FlagCode.NO_EARLY_WARNING
    )


# --------------------------------------------------------------------------- the service


def test_risk_flags_join_the_register_and_the_cli(
    db: sqlite_utils.Database, tmp_path: Path, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    config = Config()
    # HM-001 has exposure 120,000 in the seeded August register and no early warning
    before = {f.ref: f for f in flags_for(db, "2022-08", config)}
    assert FlagCode.NO_EARLY_WARNING in before["HM-001"].flags
    import_ews(db, "2022-08", [ew("EW-001", linked_risk="HM-001"),
                               ew("EW-002", linked_risk=None, date_notified=date(2022, 5, 2))])  # fmt: skip
    after = {f.ref: f for f in flags_for(db, "2022-08", config)}
    assert FlagCode.NO_EARLY_WARNING not in after["HM-001"].flags

    monkeypatch.chdir(tmp_path)
    (tmp_path / "config.toml").write_text(f'[paths]\ndatabase = "{tmp_path / "rb.db"}"\n')
    assert main(["flags"]) == 0
    out = capsys.readouterr().out
    assert "Early warnings (2022-08 register): 1 of 2 flagged" in out
    assert "(ew_undecided): 1" in out and "(ew_no_linked_risk): 1" in out
    assert main(["ew", "list", "--json"]) == 0
    listed = {e["ref"]: e for e in json.loads(capsys.readouterr().out)}
    assert listed["EW-001"]["risks"] == ["HM-001"] and listed["EW-001"]["flags"] == []
    assert listed["EW-002"]["flags"] == ["ew_no_linked_risk", "ew_undecided"]
    assert listed["EW-002"]["details"]["ew_undecided"]["weeks"] == 17


def test_a_board_decision_counts_as_the_last_decision(db: sqlite_utils.Database) -> None:
    import_ews(db, "2022-08", [ew("EW-001", linked_risk="HM-001", date_notified=date(2022, 5, 2))])
    config = Config()
    assert view(db, "2022-08", config).rows[0].flags == ["ew_undecided"]
    meeting = start(db)
    board.decide_early_warning(db, meeting.id, "EW-001", decision="keep_open")
    row = view(db, "2022-08", config).rows[0]
    assert row.flags == [] and row.last_decision.startswith("Keep open (meeting 1, 14/09/2022)")


def test_a_month_without_its_own_register_uses_the_latest_one(db: sqlite_utils.Database) -> None:
    import_ews(db, "2022-07", [ew("EW-001", linked_risk="HM-001")])
    got = view(db, "2022-08", Config())
    assert (got.month, got.ew_month, got.as_of) == ("2022-08", "2022-07", date(2022, 8, 31))
    import_month(db, "2022-09", [risk("HM-001")])
    assert view(db, "2022-09", Config()).ew_month == "2022-07"


def test_an_open_early_warning_left_off_the_next_register_stays_in_sight(
    db: sqlite_utils.Database, tmp_path: Path
) -> None:
    """Review F18: an open early warning absent from the contractor's next register
    vanished without a word. It stays, from its last entry, flagged, until the board
    removes it (or records it as a compensation event)."""
    from riskboard.config import PathsConfig
    from riskboard.reports.ew_register_export import export_ew_register

    import_ews(db, "2022-07", [ew("EW-001", linked_risk="HM-001"),
                               ew("EW-002", linked_risk="SL-002"),
                               ew("EW-003", status="removed")])  # fmt: skip
    import_ews(db, "2022-08", [ew("EW-001", linked_risk="HM-001")])
    config = Config()
    rows = {r.ref: r for r in view(db, "2022-08", config).rows}
    assert "EW-003" not in rows  # removed on July's register: rightly gone
    gone = rows["EW-002"]
    assert gone.month == "2022-07" and gone.linked_risk == "SL-002" and gone.is_open
    assert "ew_missing_from_register" in gone.flags
    [line] = flag_text.reasons("ew_missing_from_register",
                               gone.flag_details["ew_missing_from_register"])  # fmt: skip
    assert "open on the 2022-07 early warning register, not on the 2022-08 one" in line
    assert "ew_missing_from_register" not in rows["EW-001"].flags
    # on the agenda, and decided there: it stays listed at that meeting
    meeting = start(db)
    agenda = board.agenda_early_warnings(db, meeting.id, config)
    assert "EW-002" in [r.ref for r in agenda.rows]
    board.decide_early_warning(db, meeting.id, "EW-002", decision="remove", reason="Settled")
    assert "EW-002" in [r.ref for r in board.agenda_early_warnings(db, meeting.id, config).rows]
    own = Config(paths=PathsConfig(exports=tmp_path))
    written = export_ew_register(db, own, meeting_id=meeting.id, fmt="csv")
    text = written.path.read_text(encoding="utf-8-sig")
    assert "EW-002" in text and "Remove: Settled" in text
    board.close_meeting(db, meeting.id)
    # removed by the board: no longer missing, no longer listed
    assert "EW-002" not in {r.ref for r in view(db, "2022-08", config).rows}


def test_a_board_removal_the_contractor_has_not_applied_is_said(
    db: sqlite_utils.Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    """Review F5: next month the board's removal was invisible while the contractor's
    register still showed the early warning open."""
    from riskboard.tui.screens.early_warnings import detail_text

    import_ews(db, "2022-08", [ew("EW-001", linked_risk="HM-001"),
                               ew("EW-002", linked_risk="SL-002")])  # fmt: skip
    meeting = start(db)
    board.decide_early_warning(db, meeting.id, "EW-001", decision="remove", reason="Settled")
    config = Config()
    during = view(db, "2022-08", config, meeting_id=meeting.id).row("EW-001")
    assert during is not None and during.board_closed is None  # decided here: not yet
    board.close_meeting(db, meeting.id)
    following = start(db, "2022-10-12")
    row = view(db, "2022-08", config, meeting_id=following.id).row("EW-001")
    assert row is not None and row.board_closed == "Remove: Settled (meeting 1, 14/09/2022)"
    assert view(db, "2022-08", config).row("EW-002").board_closed is None  # type: ignore[union-attr]
    shown = detail_text(row, None).plain
    assert "The board decided Remove: Settled (meeting 1, 14/09/2022); the contractor's" in shown
    monkeypatch.chdir(tmp_path)
    (tmp_path / "config.toml").write_text(f'[paths]\ndatabase = "{tmp_path / "rb.db"}"\n')
    assert main(["ew", "list"]) == 0
    out = capsys.readouterr().out
    assert "Closed by the board, still open on the contractor's register:" in out
    assert "  EW-001: Remove: Settled (meeting 1, 14/09/2022)" in out
