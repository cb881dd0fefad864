"""The meeting app's early warnings item, driven by keys as a chair would: the agenda
line, new early warnings first, a decision of each kind through the form (a refused one
keeps the form), an action on an early warning, a notice from the review screen, and
the close screen's due date. Each test reads the database afterwards."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from textual.widgets import DataTable, Static

from ew_helpers import ew, import_ews
from riskboard import board
from riskboard.config import Config
from riskboard.tui.app import RiskboardApp
from riskboard.tui.screens.close import CloseScreen
from riskboard.tui.screens.early_warnings import EarlyWarningsScreen
from riskboard.tui.screens.form import FormDialog
from riskboard.tui.screens.review import ReviewScreen
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
    cfg = build_config(tmp_path)
    db = read(cfg)
    import_ews(db, "2022-07", [ew("EW-001", linked_risk="HM-001", date_notified=date(2022, 5, 3))])
    import_ews(
        db,
        "2022-08",
        [
            ew("EW-001", linked_risk="HM-001", date_notified=date(2022, 5, 3)),
            ew("EW-002", linked_risk=None, description="Gainshare dispute"),
            ew("EW-003", linked_risk="SL-001", status="removed"),
        ],
    )  # fmt: skip
    meeting = board.new_meeting(db, meeting_date="2022-09-14", chair="Helen Marsh")
    make_quorate(db, meeting.id)
    db.conn.close()
    return cfg


async def open_item(app: RiskboardApp, pilot) -> EarlyWarningsScreen:  # type: ignore[no-untyped-def]
    await wait_for_agenda(app, pilot)
    await take_item(pilot, "early_warnings")
    screen = app.screen
    assert isinstance(screen, EarlyWarningsScreen)
    for _ in range(100):
        await pilot.pause(0.02)
        if screen.agenda is not None:
            return screen
    raise AssertionError("the early warnings never loaded")


async def test_the_board_decides_each_early_warning_and_raises_an_action(config: Config) -> None:
    app = RiskboardApp(config)
    async with app.run_test(size=SIZE) as pilot:
        agenda = await wait_for_agenda(app, pilot)
        items = {o.id: str(o.prompt) for o in agenda.query_one("#agenda-items").options}  # type: ignore[attr-defined]
        assert "Early warnings" in items["early_warnings"]
        assert "2 new · 2 open · 0 done" in items["early_warnings"]
        screen = await open_item(app, pilot)
        table = screen.query_one(DataTable)
        # new since the last meeting (no meeting before: not on July's register) first
        assert [str(table.get_row_at(i)[0]) for i in range(table.row_count)] == [
            "EW-002", "EW-003", "EW-001"]  # fmt: skip

        # remove EW-002 without a reason: refused inside the form, which keeps it
        await pilot.press("d")
        await pilot.pause()
        assert isinstance(app.screen, FormDialog)
        await choose(pilot, "R")  # Remove
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, FormDialog)
        assert "fill in Reason" in str(app.screen.query_one("#form-error").render())
        assert app.focused is not None and app.focused.id == "field-reason"  # the cursor is there
        await type_text(pilot, "Settled at the 2021/22 outturn")
        await pilot.press("ctrl+s")
        await pilot.pause(0.3)
        assert isinstance(app.screen, EarlyWarningsScreen)

        # an action on EW-001 (the third row)
        await pilot.press("down", "down")
        await pilot.press("a")
        await pilot.pause()
        await type_text(pilot, "Write to the contractor about the programme")
        await pilot.press("tab")
        await type_text(pilot, "Gareth Price")
        await pilot.press("ctrl+s")
        await pilot.pause(0.3)
        # the action shows under the early warning at once, numbered
        detail = str(screen.query_one("#ew-detail", Static).render())
        assert "Action 1: Write to the contractor about the programme (Gareth Price," in detail
        # and keep EW-001 open
        await pilot.press("d")
        await pilot.pause()
        await choose(pilot, "K")
        await pilot.press("ctrl+s")
        await pilot.pause(0.3)
        assert isinstance(app.screen, EarlyWarningsScreen)

    db = read(config)
    meeting = board.current_meeting(db)
    assert meeting is not None
    decided = {d.ew_ref: d.words for d in board.ew_decisions(db, meeting.id)}
    assert decided == {"EW-002": "Remove: Settled at the 2021/22 outturn", "EW-001": "Keep open"}
    [action] = board.actions_arising(db, meeting.id)
    assert (action.ew_ref, action.owner) == ("EW-001", "Gareth Price")
    origins = {e.origin or "" for e in board.audit_entries(db, meeting_id=meeting.id)[-3:]}
    assert all(o.startswith("meeting app on ") for o in origins)
    db.conn.close()


async def test_a_notice_from_the_review_screen_and_the_due_date_at_the_close(
    config: Config,
) -> None:
    app = RiskboardApp(config)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_agenda(app, pilot)
        await take_item(pilot, "flagged")
        await pilot.press("enter")  # the first flagged risk
        await pilot.pause()
        assert isinstance(app.screen, ReviewScreen)
        ref = app.screen.ref
        await pilot.press("i")
        for _ in range(200):
            await pilot.pause(0.05)
            if list((config.paths.exports).glob("early_warning_notice_*.docx")):
                break
        [notice] = config.paths.exports.glob("early_warning_notice_*.docx")
        assert notice.name == f"early_warning_notice_EW-004_{ref}.docx"
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("c")
        await pilot.pause()
        assert isinstance(app.screen, CloseScreen)
        summary = str(app.screen.query_one("#summary").render())
        assert "Revised early warning register due to the contractor by 21/09/2022" in summary


async def test_a_decision_saved_elsewhere_while_the_form_is_open_is_never_replaced(
    config: Config,
) -> None:
    app = RiskboardApp(config)
    async with app.run_test(size=SIZE) as pilot:
        await open_item(app, pilot)  # the cursor on EW-002, undecided
        await pilot.press("d")
        await pilot.pause()
        await choose(pilot, "K")  # Keep open
        # meanwhile, from the command line
        db = read(config)
        meeting = board.current_meeting(db)
        assert meeting is not None
        board.decide_early_warning(db, meeting.id, "EW-002", decision="remove", reason="cli")
        db.conn.close()
        await pilot.press("ctrl+s")
        await pilot.pause(0.3)
        assert isinstance(app.screen, FormDialog)  # refused: the form stays, both shown
        error = str(app.screen.query_one("#form-error").render())
        assert "remove" in error.lower() and "keep" in error.lower(), error
    db = read(config)
    meeting = board.current_meeting(db)
    assert meeting is not None
    [decision] = board.ew_decisions(db, meeting.id)
    assert decision.words == "Remove: cli"
    db.conn.close()
