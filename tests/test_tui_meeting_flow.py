"""The meeting TUI driven by keys, as a chair would: start, attendance, a stale risk
reviewed (tolerate), escalated to the Corporate register, an action raised, closed.
Each test then reads the database to check it holds exactly what was entered."""

from __future__ import annotations

from pathlib import Path

import pytest

from riskboard import board
from riskboard.config import Config
from riskboard.tui.app import RiskboardApp
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


async def test_whole_meeting_recorded(config: Config) -> None:
    app = RiskboardApp(config)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        # --- start: the form opens on its own; the date field is selected, so typing replaces it
        assert isinstance(app.screen, FormDialog)
        await type_text(pilot, "14/09/2022")
        await pilot.press("tab", "tab")  # the month defaults to the latest: 2022-08
        await type_text(pilot, "Helen Marsh")
        await pilot.press("tab")
        await type_text(pilot, "Sam Clerk")
        await pilot.press("ctrl+s")
        agenda = await wait_for_agenda(app, pilot)

        # --- attendance from the people list: one lead officer per side, one apology
        await pilot.press("a")
        await pilot.pause()
        assert isinstance(app.screen, AttendanceScreen)
        assert "NOT QUORATE" in str(app.screen.query_one("#quorum").render())
        await pilot.press("p", "p", "x", "p")  # the cursor moves on after each mark
        assert "NOT QUORATE" not in str(app.screen.query_one("#quorum").render())
        await pilot.press("escape")
        await pilot.pause()

        # --- item 5, flagged risks: the stale risk heads the list; open it
        await take_item(pilot, "flagged")
        table = agenda.query_one(RiskTable)
        assert app.focused is table
        assert table.current_row is not None
        assert table.current_row.ref == "HM-001"
        assert table.current_row.flags[0] == "stale_action"
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ReviewScreen)
        assert app.screen.ref == "HM-001"

        # --- tolerate, with rationale and review-by date
        await pilot.press("s")
        await pilot.pause()
        await choose(pilot, "tol")
        await pilot.press("tab")
        await type_text(pilot, "Backlog falling; accepted at this level")
        await pilot.press("tab")
        await type_text(pilot, "31/12/2022")
        await pilot.press("ctrl+s")
        await pilot.pause()

        # --- escalate to the Corporate register
        await pilot.press("e")
        await pilot.pause()
        await choose(pilot, "Corp")
        await pilot.press("tab")
        await type_text(pilot, "Exposure beyond the contract")
        await pilot.press("tab")
        await type_text(pilot, "250000")
        await pilot.press("ctrl+s")
        await pilot.pause()

        # --- an action arising (owner defaults to the risk owner, due to next meeting)
        await pilot.press("a")
        await pilot.pause()
        await type_text(pilot, "Report the backlog trend monthly")
        await pilot.press("ctrl+s")
        await pilot.pause()

        await pilot.press("r")  # mark reviewed
        await pilot.pause()
        assert not isinstance(app.screen, FormDialog), "a form was refused and stayed open"

        # --- back to the agenda; the risk shows as reviewed
        await pilot.press("escape")
        await pilot.pause()
        assert table.current_row is not None and table.current_row.reviewed

        # --- close: the summary, then confirm
        await pilot.press("c")
        await pilot.pause()
        assert isinstance(app.screen, CloseScreen)
        await pilot.press("c")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
        assert app.read_only

    db = read(config)
    meetings = list(db.query("SELECT * FROM meetings"))
    assert [
        (m["meeting_date"], m["month"], m["chair"], m["minute_taker"], m["status"])
        for m in meetings
    ] == [("2022-09-14", "2022-08", "Helen Marsh", "Sam Clerk", "closed")]
    mid = meetings[0]["id"]
    attendance = {
        (r["name"], r["organisation"], r["status"])
        for r in db.query("SELECT * FROM attendance WHERE meeting_id = ?", [mid])
    }
    assert attendance == {
        ("Gareth Price", "contractor", "present"),
        ("Helen Marsh", "directorate", "present"),
        ("Raj Patel", "corporate", "present"),
        ("Lucy Fenn", "corporate", "apologies"),
    }
    reviews = list(db.query("SELECT * FROM reviews"))
    assert [
        (r["ref"], r["strategy"], r["rationale"], r["review_by"], r["reviewed"]) for r in reviews
    ] == [("HM-001", "tolerate", "Backlog falling; accepted at this level", "2022-12-31", 1)]
    escalations = list(db.query("SELECT * FROM escalations"))
    assert [
        (e["ref"], e["target"], e["reason"], e["exposure"], e["status"], e["meeting_id"])
        for e in escalations
    ] == [("HM-001", "corporate", "Exposure beyond the contract", 250000.0, "proposed", mid)]
    actions = list(db.query("SELECT * FROM board_actions"))
    assert [
        (a["number"], a["text"], a["owner"], a["due"], a["risk_ref"], a["status"]) for a in actions
    ] == [(1, "Report the backlog trend monthly", "Gareth Price", "2022-10-12", "HM-001", "open")]
    # every change was audited, by the minute-taker
    actors = {
        r["actor"] for r in db.query("SELECT actor FROM audit_log WHERE meeting_id = ?", [mid])
    }
    assert actors == {"Sam Clerk"}


async def test_refused_entry_keeps_the_form_and_writes_nothing(config: Config) -> None:
    """Tolerate without a review-by date is refused in the form; nothing is saved."""
    app = RiskboardApp(config)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await type_text(pilot, "14/09/2022")
        await pilot.press("tab", "tab")
        await type_text(pilot, "Helen Marsh")
        await pilot.press("ctrl+s")
        await wait_for_agenda(app, pilot)
        assert app.meeting is not None
        make_quorate(read(config), app.meeting.id)  # recorded by the minute-taker's CLI
        await take_item(pilot, "flagged")
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("s")
        await pilot.pause()
        await choose(pilot, "tol")
        await pilot.press("tab")
        await type_text(pilot, "No date given")
        await pilot.press("ctrl+s")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, FormDialog)
        assert "review-by date" in str(form.query_one("#form-error").render())
        assert form.values()["rationale"] == "No date given"
    db = read(config)
    assert list(db.query("SELECT * FROM reviews")) == []


async def test_resumes_the_open_meeting_on_its_agenda(config: Config) -> None:
    db = read(config)
    meeting = board.new_meeting(db, meeting_date="2022-09-14", chair="Helen Marsh", config=config)
    make_quorate(db, meeting.id)
    board.save_review(db, meeting.id, "SL-001", note="Discussed before the crash", reviewed=True)
    db.conn.close()

    app = RiskboardApp(config)
    async with app.run_test(size=SIZE) as pilot:
        agenda = await wait_for_agenda(app, pilot)
        assert app.meeting is not None and app.meeting.id == meeting.id
        agenda.show_section("whole")
        await pilot.pause()
        rows = {r.ref: r for r in agenda.query_one(RiskTable).rows}
        assert rows["SL-001"].reviewed and not rows["HM-001"].reviewed


async def test_closed_meeting_is_read_only_in_the_tui(config: Config) -> None:
    db = read(config)
    meeting = board.new_meeting(db, meeting_date="2022-09-14", chair="Helen Marsh", config=config)
    app = RiskboardApp(config)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_agenda(app, pilot)
        board.close_meeting(db, meeting.id, force_reason="test")
        app.reload_meeting()
        await take_item(pilot, "flagged")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ReviewScreen)
        keys = {b.binding.action for b in app.screen.active_bindings.values()}
        assert "strategy" not in keys and "escalate" not in keys
        await pilot.press("s")  # refused: no form opens
        await pilot.pause()
        assert isinstance(app.screen, ReviewScreen)
    assert list(db.query("SELECT * FROM reviews")) == []


async def test_add_a_new_person_at_the_meeting(config: Config) -> None:
    db = read(config)
    board.new_meeting(db, meeting_date="2022-09-14", chair="Helen Marsh", config=config)
    app = RiskboardApp(config)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_agenda(app, pilot)
        await pilot.press("a")
        await pilot.pause()
        await pilot.press("n")
        await pilot.pause()
        await type_text(pilot, "Priya Shah")
        await pilot.press("tab")
        await choose(pilot, "Con")
        await pilot.press("tab")
        await type_text(pilot, "Electrical Engineer")
        await pilot.press("tab", "space")  # not a lead officer
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, AttendanceScreen)
    person = board.find_person(db, "Priya Shah")
    assert person is not None
    assert (person.organisation, person.role, person.lead_officer) == (
        "contractor",
        "Electrical Engineer",
        False,
    )
    rows = list(db.query("SELECT name, status, lead_officer FROM attendance"))
    assert rows == [{"name": "Priya Shah", "status": "present", "lead_officer": 0}]


async def test_de_escalation_back_to_the_contract_register(config: Config) -> None:
    db = read(config)
    first = board.new_meeting(db, meeting_date="2022-08-10", chair="Helen Marsh", config=config)
    make_quorate(db, first.id)
    up = board.escalate(db, first.id, "HM-001", target="directorate", reason="Score 16")
    board.decide_escalation(db, first.id, up.id, accept=True)
    board.close_meeting(db, first.id)
    meeting = board.new_meeting(db, meeting_date="2022-09-14", chair="Helen Marsh", config=config)
    make_quorate(db, meeting.id)
    app = RiskboardApp(config)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_agenda(app, pilot)
        await take_item(pilot, "flagged")
        await pilot.press("enter", "e")
        await pilot.pause()
        await choose(pilot, "Contr")
        await pilot.press("tab")
        await type_text(pilot, "Back within the contract's tolerance")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, ReviewScreen)
    rows = list(
        db.query("SELECT ref, target, direction, source, reason FROM escalations ORDER BY id")
    )
    assert rows[-1] == {
        "ref": "HM-001",
        "target": "contract",
        "direction": "de-escalate",
        "source": "directorate",
        "reason": "Back within the contract's tolerance",
    }
