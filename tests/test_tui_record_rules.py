"""The rules of issue 11 ("a board record an auditor can trust") through the meeting app,
driven by keys as a chair or minute-taker would; each test then reads the database (and
the exported minutes where there are any)."""

from __future__ import annotations

import zipfile
from datetime import date
from pathlib import Path

import pytest
import sqlite_utils
from textual import events
from textual.widgets import Select

from riskboard import board
from riskboard.config import Config
from riskboard.domain import Action, Risk
from riskboard.register import recompute_flags
from riskboard.store.integrity import PROTECTIVE_TRIGGERS
from riskboard.store.register import ImportRecord, load_month, save_import
from riskboard.tui.app import RiskboardApp
from riskboard.tui.screens.action_log import ActionLogScreen
from riskboard.tui.screens.attendance import AttendanceScreen
from riskboard.tui.screens.close import CloseScreen
from riskboard.tui.screens.form import FormDialog
from riskboard.tui.screens.review import ReviewScreen
from riskboard.tui.widgets.risk_table import RiskTable
from tui_board import (
    SIZE,
    build_config,
    choose,
    make_quorate,
    read,
    take_item,
    type_text,
    wait_for_agenda,
)

pytestmark = pytest.mark.slow  # the meeting app driven by the pilot


@pytest.fixture
def config(tmp_path: Path) -> Config:
    return build_config(tmp_path)


def _first_meeting(db: sqlite_utils.Database, config: Config, **reviews: dict[str, str]) -> int:
    """A closed, quorate meeting on 10/08/2022 reviewing July."""
    m = board.new_meeting(
        db, meeting_date="2022-08-10", month="2022-07", chair="Helen Marsh", config=config
    )
    make_quorate(db, m.id)
    for ref, fields in reviews.items():
        board.save_review(db, m.id, ref.replace("_", "-"), **fields)  # type: ignore[arg-type]
    board.close_meeting(db, m.id)
    return m.id


def _second(db: sqlite_utils.Database, config: Config, quorate: bool = True) -> int:
    m = board.new_meeting(
        db, meeting_date="2022-09-14", chair="Helen Marsh", minute_taker="Sam Clerk", config=config
    )
    if quorate:
        make_quorate(db, m.id)
    return m.id


async def _open_risk(app: RiskboardApp, pilot, ref: str, section: str = "whole") -> ReviewScreen:  # type: ignore[no-untyped-def]
    agenda = await wait_for_agenda(app, pilot)
    await take_item(pilot, section)
    table = agenda.query_one(RiskTable)
    refs = [r.ref for r in table.rows]
    while table.current_row is not None and table.current_row.ref != ref:
        await pilot.press("down")
    assert ref in refs and table.current_row is not None
    await pilot.press("enter")
    await pilot.pause()
    assert isinstance(app.screen, ReviewScreen) and app.screen.ref == ref
    return app.screen


def board_month_risks(db: sqlite_utils.Database, month: str) -> list[Risk]:
    return load_month(db, month)


def _error(app: RiskboardApp) -> str:
    assert isinstance(app.screen, FormDialog), app.screen
    return str(app.screen.query_one("#form-error").render())


# ----------------------------------------------------------------------------- rule 1


async def test_rule1_approval_refused_while_the_board_is_not_quorate(config: Config) -> None:
    db = read(config)
    _first_meeting(db, config)
    _second(db, config, quorate=False)
    app = RiskboardApp(config)
    async with app.run_test(size=SIZE) as pilot:
        agenda = await wait_for_agenda(app, pilot)
        assert "NOT QUORATE" in str(agenda.query_one("#meeting-bar").render())
        await take_item(pilot, "minutes")
        assert isinstance(app.screen, FormDialog)
        assert "only by a quorate board" in str(app.screen.query_one(".field-help").render())
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "is not quorate" in _error(app)
        assert not board.get_meeting(read(config), 1).locked
        await pilot.press("escape")
        await pilot.press("a")
        await pilot.pause()
        assert isinstance(app.screen, AttendanceScreen)
        await pilot.press("p", "p", "x", "p")  # Gareth, Helen present; Lucy apologies; Raj
        await pilot.press("escape")
        await pilot.pause()
        await take_item(pilot, "minutes")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert not isinstance(app.screen, FormDialog)
    db = read(config)
    assert board.get_meeting(db, 1).locked
    approval = board.get_approval(db, 1)
    assert approval is not None and approval.quorum is not None and approval.quorum.met


# ----------------------------------------------------------------------------- rule 2


async def test_rule2_a_risk_missing_from_the_export_is_reviewed(config: Config) -> None:
    db = read(config)
    july = board_month_risks(db, "2022-07")
    gone = Risk(ref="TM-009", title="Signal failures", annex="Traffic", current_score=15,
                current_likelihood=3, current_impact=5, strategy="treat", status="Open")  # fmt: skip
    with db.atomic():
        save_import(db, ImportRecord("2022-07b.xlsx", "sha-july-b", "2022-07"), [*july, gone])
        recompute_flags(db, "2022-08", config)
    m = _second(db, config)
    app = RiskboardApp(config)
    async with app.run_test(size=SIZE) as pilot:
        await _open_risk(app, pilot, "TM-009", section="flagged")
        await pilot.press("d")
        await pilot.pause()
        await type_text(pilot, "that the contractor restores it in IRIS")
        await pilot.press("ctrl+s")
        await pilot.pause()
        await pilot.press("r")
        await pilot.pause()
        assert isinstance(app.screen, ReviewScreen)
    review = board.get_review(read(config), m, "TM-009")
    assert review is not None
    assert (review.decision, review.reviewed, review.risk_month) == (
        "RESOLVED: that the contractor restores it in IRIS", True, "2022-07",
    )  # fmt: skip


# ----------------------------------------------------------------------------- rule 3


async def test_rule3_deescalation_offered_only_from_a_register_and_no_contradiction(
    config: Config,
) -> None:
    db = read(config)
    _second(db, config)
    app = RiskboardApp(config)
    async with app.run_test(size=SIZE) as pilot:
        await _open_risk(app, pilot, "HM-001")
        await pilot.press("e")
        await pilot.pause()
        options = [value for _, value in app.screen.query_one("#field-target", Select)._options]
        assert "contract" not in options  # never escalated: nothing to de-escalate
        await pilot.press("escape")
    db = read(config)
    m2 = board.current_meeting(db)
    assert m2 is not None
    board.close_meeting(db, m2.id)
    m3 = board.new_meeting(db, meeting_date="2022-10-12", chair="Helen Marsh", config=config)
    make_quorate(db, m3.id)
    up = board.escalate(db, m3.id, "HM-001", target="corporate", reason="16")
    board.decide_escalation(db, m3.id, up.id, accept=True)
    app = RiskboardApp(config)
    async with app.run_test(size=SIZE) as pilot:
        await _open_risk(app, pilot, "HM-001")
        await pilot.press("e")
        await pilot.pause()
        options = [value for _, value in app.screen.query_one("#field-target", Select)._options]
        assert options[-1] == "contract"
        # on the Corporate register: neither it nor the Directorate's below it is offered
        # (review of issue 12 - saving either would be refused)
        assert "corporate" not in options and "directorate" not in options
        await choose(pilot, "Back")
        await pilot.press("tab")
        await type_text(pilot, "Below 16 now")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "contradicts escalation #1 to the Corporate risk register" in _error(app)
    assert [e.direction for e in board.list_escalations(read(config))] == ["escalate"]


# ----------------------------------------------------------------------------- rule 5


async def test_rule5_the_app_puts_dropped_triggers_back_and_audits_it(config: Config) -> None:
    db = read(config)
    m = _second(db, config)
    with db.conn:
        db.execute("DROP TRIGGER audit_log_no_delete")
    app = RiskboardApp(config)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_agenda(app, pilot)
        await take_item(pilot, "aob")
        await type_text(pilot, "Winter readiness")
        await pilot.press("ctrl+s")
        await pilot.pause()
    db = read(config)
    names = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")}
    assert set(PROTECTIVE_TRIGGERS) <= names
    integrity = [e for e in board.audit_entries(db) if e.entity == "integrity"]
    assert len(integrity) == 1 and integrity[0].origin == app.origin
    assert board.get_meeting(db, m).aob == ["Winter readiness"]
    assert any("put back" in f for f in board.audit_findings(db))


# ----------------------------------------------------------------------------- rule 6


async def test_rule6_withdraw_an_action_from_the_action_log(config: Config) -> None:
    db = read(config)
    first = board.new_meeting(db, meeting_date="2022-08-10", chair="Helen Marsh", config=config)
    make_quorate(db, first.id)
    board.add_action(db, first.id, "Confirm salt stock", owner="Gareth Price", due="2022-09-30")
    board.close_meeting(db, first.id)
    _second(db, config)
    app = RiskboardApp(config)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_agenda(app, pilot)
        await pilot.press("l")
        await pilot.pause()
        assert isinstance(app.screen, ActionLogScreen)
        await pilot.press("w")
        await pilot.pause()
        await type_text(pilot, "Duplicate of a contract action")
        await pilot.press("ctrl+s")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ActionLogScreen)
        assert screen.entries[0].withdrawn_here
        await pilot.press("escape")
        await pilot.press("c")
        await pilot.pause()
        assert isinstance(app.screen, CloseScreen)
        await pilot.press("m")  # the minutes, written by a worker
        for _ in range(100):
            await pilot.pause(0.05)
            written = list(config.paths.exports.glob("minutes_*.docx"))
            if written:
                break
    action = board.get_action(read(config), 1)
    assert (action.status, action.withdrawn_reason) == (
        "withdrawn",
        "Duplicate of a contract action",
    )
    with zipfile.ZipFile(written[0]) as zf:
        xml = zf.read("word/document.xml").decode("utf-8")
    assert "Withdrawn: Duplicate of a contract action" in xml


# ----------------------------------------------------------------------------- rule 7


async def test_rule7_the_agenda_shows_lapsed_and_soon_due_acceptances(config: Config) -> None:
    db = read(config)
    tolerate = {"strategy": "tolerate", "rationale": "within tolerance", "review_by": "2022-08-31"}
    accept = {"strategy": "accept", "rationale": "cost", "review_by": "2022-09-30"}
    _first_meeting(db, config, HM_001=tolerate, SL_001=accept)
    _second(db, config)
    app = RiskboardApp(config)
    async with app.run_test(size=SIZE) as pilot:
        agenda = await wait_for_agenda(app, pilot)
        rows = {r.ref: r for r in agenda.data.rows}  # type: ignore[union-attr]
        assert "acceptance_lapsed" in rows["HM-001"].flags
        assert "LAPSED" in rows["HM-001"].flag_text
        await take_item(pilot, "acceptances")
        shown = [r.ref for r in agenda.query_one(RiskTable).rows]
        assert shown == ["HM-001", "SL-001"]
        status = str(agenda.query_one("#agenda-items").get_option("acceptances").prompt)
        assert "1 lapsed, 1 due by 12/10/2022" in status


# ----------------------------------------------------------------------------- rule 8


async def test_rule8_two_apps_on_one_meeting(config: Config) -> None:
    db = read(config)
    m = _second(db, config, quorate=False)
    a, b = RiskboardApp(config), RiskboardApp(config)
    a.CHANGE_POLL_SECONDS = 0.2
    b.CHANGE_POLL_SECONDS = 60.0  # B has not looked yet when it saves
    async with a.run_test(size=SIZE) as pa, b.run_test(size=SIZE) as pb:
        await wait_for_agenda(a, pa)
        await wait_for_agenda(b, pb)
        for app, pilot in ((a, pa), (b, pb)):
            await pilot.press("a")
            await pilot.pause()
            assert isinstance(app.screen, AttendanceScreen)
        await pa.press("p")  # A: Gareth present
        await pa.pause()
        await pb.press("x")  # B, still showing "-": apologies - refused
        await pb.pause()
        refused = [n.message for n in b._notifications]
        assert any("not saved: the attendance of Gareth Price" in n for n in refused), refused
        assert any("now recorded:     'present'" in n for n in refused)
        assert b.screen.status["gareth price"] == "present"  # B re-read the record
        # A notices a change made elsewhere (the command line) within its poll
        cli = read(config)
        board.set_origin(cli, "command line")
        board.attend(cli, m, "Raj Patel")
        for _ in range(40):
            await pa.pause(0.05)
            if "raj patel" in a.screen.status:
                break
        assert a.screen.status["raj patel"] == "present"
        assert any("Changed elsewhere" in (n.title or "") for n in a._notifications)
    entries = board.attendance(read(config), m)
    assert {(e.name, e.status) for e in entries} == {
        ("Gareth Price", "present"), ("Raj Patel", "present"),
    }  # fmt: skip


async def test_rule8_a_form_saved_after_a_cli_change_is_refused(config: Config) -> None:
    db = read(config)
    m = _second(db, config)
    board.save_review(db, m, "HM-001", note="As first discussed")
    app = RiskboardApp(config)
    async with app.run_test(size=SIZE) as pilot:
        await _open_risk(app, pilot, "HM-001")
        await pilot.press("w")
        await pilot.pause()
        cli = read(config)
        board.set_origin(cli, "command line")
        board.save_review(cli, m, "HM-001", note="Corrected by the minute-taker")
        await type_text(pilot, ". Typed in the app.")  # the cursor starts at the end
        await pilot.press("ctrl+s")
        await pilot.pause()
        error = _error(app)
        assert "now recorded:     'Corrected by the minute-taker'" in error
        assert "yours, not saved: 'As first discussed. Typed in the app.'" in error
        assert "from command line" in error
        assert board.get_review(cli, m, "HM-001").note == "Corrected by the minute-taker"
        # the refusal showed the recorded value: a deliberate second Ctrl+S saves over it
        # (review finding 8: it used to be refused for ever)
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, ReviewScreen)
    db = read(config)
    assert board.get_review(db, m, "HM-001").note == "As first discussed. Typed in the app."
    last = board.audit_entries(db)[-1]
    assert (last.entity, last.change) == ("review", "review amended")
    assert last.before is not None and last.before["note"] == "Corrected by the minute-taker"


async def test_rule8_after_a_refusal_a_further_change_elsewhere_is_refused_again(
    config: Config,
) -> None:
    db = read(config)
    m = _second(db, config)
    board.save_review(db, m, "HM-001", note="v1")
    app = RiskboardApp(config)
    async with app.run_test(size=SIZE) as pilot:
        await _open_risk(app, pilot, "HM-001")
        await pilot.press("w")
        await pilot.pause()
        cli = read(config)
        board.save_review(cli, m, "HM-001", note="v2")
        await type_text(pilot, " mine")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "now recorded:     'v2'" in _error(app)
        board.save_review(cli, m, "HM-001", note="v3")  # changed once more
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, FormDialog)
        assert "shown to you:     'v2'" in _error(app) and "now recorded:     'v3'" in _error(app)
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, ReviewScreen)
    assert board.get_review(read(config), m, "HM-001").note == "v1 mine"


# ----------------------------------------------------------------------------- rule 9


def _burst(app: RiskboardApp, keys: list[str]) -> None:
    """Keys as a terminal delivers fast typing: one chunk, nothing waits in between."""
    for key in keys:
        app._driver.send_message(events.Key(key, key if len(key) == 1 else None))  # type: ignore[union-attr]


async def test_rule9_ctrl_s_saves_exactly_what_the_fields_show(config: Config) -> None:
    db = read(config)
    m = _second(db, config)
    board.save_review(db, m, "HM-001", note="prefilled")
    app = RiskboardApp(config)
    async with app.run_test(size=SIZE) as pilot:
        await _open_risk(app, pilot, "HM-001")
        await pilot.press("w")
        await pilot.pause()
        _burst(app, [*" typed fast", "ctrl+s"])
        await pilot.pause(0.3)
        assert isinstance(app.screen, ReviewScreen)
    assert board.get_review(read(config), m, "HM-001").note == "prefilled typed fast"


async def test_rule9_half_typed_text_survives_quitting_and_is_offered_back(
    config: Config,
) -> None:
    db = read(config)
    m = _second(db, config)
    app = RiskboardApp(config)
    async with app.run_test(size=SIZE) as pilot:
        await _open_risk(app, pilot, "HM-001")
        await pilot.press("w")
        await pilot.pause()
        await type_text(pilot, "The board asked for repair figures by")
        assert app.drafts is not None and app.drafts.flush()
        # kept while the app still runs: a crash now loses nothing typed
        draft = board.get_draft(read(config), board.draft_key(m, "note:HM-001", app.session))
        assert draft is not None
        assert draft.fields == {"note": "The board asked for repair figures by"}
        await pilot.press("ctrl+q")
    assert board.get_review(read(config), m, "HM-001") is None  # nothing saved, but kept

    app = RiskboardApp(config)
    async with app.run_test(size=SIZE) as pilot:
        await _open_risk(app, pilot, "HM-001")
        await pilot.press("w")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, FormDialog)
        assert form.values()["note"] == "The board asked for repair figures by"
        assert "Restored what you were typing" in str(form.query_one("#form-notice").render())
        await type_text(pilot, " area")  # carries on where the text stopped
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.drafts is not None and app.drafts.flush()
    db = read(config)
    assert board.get_review(db, m, "HM-001").note == "The board asked for repair figures by area"
    assert board.get_draft(db, board.draft_key(m, "note:HM-001", app.session)) is None
    assert db.execute("SELECT COUNT(*) FROM form_drafts").fetchone()[0] == 0  # adopted: gone


async def test_rule9_a_restored_draft_can_be_discarded(config: Config) -> None:
    db = read(config)
    m = _second(db, config)
    board.save_review(db, m, "HM-001", decision="as recorded")
    board.save_draft(
        db, board.draft_key(m, "decision:HM-001"), meeting_id=m, form="Decision - HM-001",
        fields={"decision": "RESOLVED: as recorded, and more typed before a crash"},
        base={"decision": "RESOLVED: as recorded"}, seq=1,
    )  # fmt: skip
    app = RiskboardApp(config)
    async with app.run_test(size=SIZE) as pilot:
        await _open_risk(app, pilot, "HM-001")
        await pilot.press("d")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, FormDialog)
        assert form.values()["decision"].endswith("more typed before a crash")
        await pilot.press("ctrl+o")
        await pilot.pause()
        assert form.values()["decision"] == "RESOLVED: as recorded"
        await pilot.press("escape")
        await pilot.pause()
        assert app.drafts is not None and app.drafts.flush()
    db = read(config)
    assert board.get_draft(db, board.draft_key(m, "decision:HM-001")) is None
    assert board.get_review(db, m, "HM-001").decision == "RESOLVED: as recorded"


# ----------------------------------------------------------------------------- rule 10


async def test_rule10_a_closed_risk_is_not_flagged_in_the_agenda(config: Config) -> None:
    db = read(config)
    closed = Risk(
        ref="PR-002", title="Stile repairs", annex="Rights of Way", current_likelihood=4,
        current_impact=5, current_score=20, strategy="treat", status="Closed",
        actions=[Action(risk_ref="PR-002", text="x", last_updated=date(2022, 8, 1))],
    )  # fmt: skip
    with db.atomic():
        current = board_month_risks(db, "2022-08")
        save_import(db, ImportRecord("2022-08b.xlsx", "sha-aug-b", "2022-08"), [*current, closed])
        recompute_flags(db, "2022-08", config)
    _second(db, config)
    app = RiskboardApp(config)
    async with app.run_test(size=SIZE) as pilot:
        agenda = await wait_for_agenda(app, pilot)
        await take_item(pilot, "flagged")
        assert "PR-002" not in {r.ref for r in agenda.query_one(RiskTable).rows}
        rows = {r.ref: r for r in agenda.data.rows}  # type: ignore[union-attr]
        assert rows["PR-002"].flags == ()
