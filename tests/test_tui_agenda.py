"""The agenda's other items, taken from the TUI: previous minutes, the action log,
declarations, any other business, the next meeting date; plus help, the command
palette, narrow terminals and a failing load shown as a notice, not a crash."""

from __future__ import annotations

from pathlib import Path

import pytest

from riskboard import board
from riskboard.config import Config
from riskboard.errors import RiskboardError
from riskboard.tui.app import RiskboardApp
from riskboard.tui.screens.action_log import ActionLogScreen
from riskboard.tui.screens.agenda import AgendaScreen
from riskboard.tui.screens.form import FormDialog
from riskboard.tui.screens.help import HelpScreen
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
    """A closed first meeting that raised Action 1, and the second meeting under way."""
    cfg = build_config(tmp_path)
    db = read(cfg)
    first = board.new_meeting(db, meeting_date="2022-08-10", chair="Helen Marsh", config=cfg)
    make_quorate(db, first.id)
    board.add_action(db, first.id, "Confirm salt stock", owner="Gareth Price", due="2022-09-30")
    board.close_meeting(db, first.id)
    second = board.new_meeting(
        db, meeting_date="2022-09-14", chair="Helen Marsh", minute_taker="Sam Clerk", config=cfg
    )
    make_quorate(db, second.id)
    db.conn.close()
    return cfg


async def test_previous_minutes_are_approved_and_locked(config: Config) -> None:
    app = RiskboardApp(config)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_agenda(app, pilot)
        await take_item(pilot, "minutes")
        assert isinstance(app.screen, FormDialog)
        await pilot.press("ctrl+s")
        await pilot.pause()
    db = read(config)
    first = board.get_meeting(db, 1)
    assert first.locked and first.approved_by_meeting_id == 2
    assert first.content_hash == board.content_hash(db, 1)
    assert board.verify(db, 1).ok


async def test_action_log_update_from_the_tui(config: Config) -> None:
    app = RiskboardApp(config)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_agenda(app, pilot)
        await pilot.press("l")
        await pilot.pause()
        assert isinstance(app.screen, ActionLogScreen)
        assert [e.action.number for e in app.screen.entries] == [1]
        await pilot.press("enter")
        await pilot.pause()
        await choose(pilot, "clo")  # status: closed
        await pilot.press("tab")
        await type_text(pilot, "Stock confirmed at 12,000 t")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, ActionLogScreen)
        assert app.screen.entries[0].closed_here
    db = read(config)
    action = board.get_action(db, 1)
    assert (action.status, action.progress, action.closed_meeting_id) == (
        "closed",
        "Stock confirmed at 12,000 t",
        2,
    )


async def test_declarations_aob_and_next_meeting_date(config: Config) -> None:
    app = RiskboardApp(config)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_agenda(app, pilot)
        await take_item(pilot, "declarations")
        await type_text(pilot, "Raj Patel - WS-001: relative works for the salt supplier")
        await pilot.press("ctrl+s")
        await pilot.pause()
        await take_item(pilot, "aob")
        await type_text(pilot, "Winter readiness briefing in October")
        await pilot.press("ctrl+s")
        await pilot.pause()
        await take_item(pilot, "next_date")
        form = app.screen
        assert isinstance(form, FormDialog)
        assert form.values()["when"] == "12/10/2022"  # four weeks on, as configured
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, AgendaScreen)
    meeting = board.get_meeting(read(config), 2)
    assert meeting.declarations == ["Raj Patel - WS-001: relative works for the salt supplier"]
    assert meeting.aob == ["Winter readiness briefing in October"]
    assert meeting.next_meeting_date is not None
    assert meeting.next_meeting_date.isoformat() == "2022-10-12"


async def test_help_lists_the_screens_keys(config: Config) -> None:
    app = RiskboardApp(config)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_agenda(app, pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        described = {description for _key, description in app.screen.keys}
        assert {"Filter", "Attendance", "Action log", "Heat map", "Close", "Sort"} <= described
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, AgendaScreen)


async def test_command_palette_lists_every_action_of_the_screen(config: Config) -> None:
    app = RiskboardApp(config)
    async with app.run_test(size=SIZE) as pilot:
        agenda = await wait_for_agenda(app, pilot)
        titles = {c.title for c in app.get_system_commands(agenda)}
        shown = {
            b.binding.description
            for b in agenda.active_bindings.values()
            if b.binding.description and not b.binding.system
        }
        assert shown <= titles
        assert {"Attendance", "Heat map", "Close", "Filter"} <= titles
        # running one from the palette does what its key does
        command = next(c for c in app.get_system_commands(agenda) if c.title == "Action log")
        await command.callback()
        await pilot.pause()
        assert isinstance(app.screen, ActionLogScreen)


async def test_narrow_terminal_shows_the_agenda_on_demand(config: Config) -> None:
    app = RiskboardApp(config)
    async with app.run_test(size=(80, 24)) as pilot:
        agenda = await wait_for_agenda(app, pilot)
        side = agenda.query_one("#agenda-side")
        assert not side.display or side.region.width == 0
        await pilot.press("g")
        await pilot.pause()
        assert side.region.width > 0
        await take_item(pilot, "action_log")
        assert isinstance(app.screen, ActionLogScreen)


async def test_a_failing_load_is_a_notice_not_a_crash(
    config: Config, monkeypatch: pytest.MonkeyPatch
) -> None:
    import riskboard.tui.screens.agenda as agenda_module

    def broken(*args: object, **kwargs: object) -> None:
        raise RiskboardError("database is locked by another program")

    monkeypatch.setattr(agenda_module, "board_month", broken)
    app = RiskboardApp(config)
    async with app.run_test(size=SIZE) as pilot:
        messages: list[str] = []
        for _ in range(200):
            await pilot.pause(0.02)
            messages = [n.message for n in app._notifications]
            if any("database is locked" in m for m in messages):
                break
        assert any("database is locked" in m for m in messages), messages
        assert isinstance(app.screen, AgendaScreen) and app.is_running


async def test_minutes_export_runs_in_a_worker_and_says_where(config: Config) -> None:
    app = RiskboardApp(config)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_agenda(app, pilot)
        await pilot.press("c")
        await pilot.pause()
        await pilot.press("m")
        messages: list[str] = []
        for _ in range(300):
            await pilot.pause(0.02)
            messages = [n.message for n in app._notifications]
            if any(m.startswith("Written:") for m in messages):
                break
    written = list((config.paths.exports).glob("minutes_*.docx"))
    assert len(written) == 1
    assert any(str(written[0]) in m for m in messages)
