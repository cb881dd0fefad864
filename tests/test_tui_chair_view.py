"""The chair's view in the meeting app, on the demo board (meeting 1 held: HM-010 ...
BS-001 tolerated, SL-001 put on the Corporate register, WS-001 proposed for the
Directorate register and not yet decided; meeting 2 under way):

- the agenda's cursor starts on the item whose risks are listed; q quits everywhere;
- the review screen shows the board's own history, and the first meeting's escalation
  is not "recorded at this meeting"; h opens the heat map from it;
- escalations from earlier meetings are decided from the app and counted at the close;
- t with nothing to transfer says so; the start form takes the date the last meeting set;
- at 80x24 every key of every screen is in the key bar, and titles keep 24 characters.
"""

from __future__ import annotations

import asyncio
import io
import shutil
from pathlib import Path

import pytest
from rich.console import Console
from textual.widgets import Input, OptionList, Static

from riskboard import board
from riskboard.config import Config, load_config
from riskboard.sample.demo import install_demo
from riskboard.store import open_db
from riskboard.tui.app import RiskboardApp
from riskboard.tui.screens.action_log import ActionLogScreen
from riskboard.tui.screens.agenda import AgendaScreen
from riskboard.tui.screens.attendance import AttendanceScreen
from riskboard.tui.screens.close import CloseScreen
from riskboard.tui.screens.escalations import EscalationsScreen
from riskboard.tui.screens.form import FormDialog
from riskboard.tui.screens.heatmap import HeatMapScreen
from riskboard.tui.screens.review import ReviewScreen
from riskboard.tui.screens.start import StartScreen
from riskboard.tui.widgets.key_bar import KeyBar
from riskboard.tui.widgets.risk_table import RiskTable
from tui_board import take_item, type_text, wait_for_agenda

pytestmark = pytest.mark.slow  # the meeting app driven by the pilot

WIDE, NARROW = (160, 50), (80, 24)


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("demo")
    install_demo(folder, start_meeting=True)
    return folder


@pytest.fixture
def config(demo_dir: Path, tmp_path: Path) -> Config:
    work = tmp_path / "demo"
    shutil.copytree(demo_dir, work)
    return load_config(work / "config.toml")


def plain(widget: Static, width: int = 200) -> str:
    """What a Static shows, as text."""
    console = Console(width=width, record=True, file=io.StringIO())
    console.print(widget.content)
    return console.export_text()


async def wait_for(pilot, cls: type, tries: int = 200):  # type: ignore[no-untyped-def]
    for _ in range(tries):
        if isinstance(pilot.app.screen, cls):
            return pilot.app.screen
        await asyncio.sleep(0.02)
    raise AssertionError(f"{cls.__name__} never shown: {pilot.app.screen}")


async def open_risk(pilot, ref: str) -> ReviewScreen:  # type: ignore[no-untyped-def]
    await take_item(pilot, "whole")
    await pilot.press("slash")
    await type_text(pilot, ref)
    await pilot.press("enter", "enter")
    screen = await wait_for(pilot, ReviewScreen)
    assert screen.ref == ref
    return screen


async def test_the_agenda_starts_on_the_risks_it_shows_and_q_quits(config: Config) -> None:
    app = RiskboardApp(config)
    async with app.run_test(size=WIDE) as pilot:
        agenda = await wait_for_agenda(app, pilot)
        items = agenda.query_one("#agenda-items", OptionList)
        assert items.highlighted is not None
        assert items.get_option_at_index(items.highlighted).id == "flagged" == agenda.section
        title = plain(agenda.query_one("#section-title", Static))
        assert title.startswith("Flagged risks - stale actions first")
        agenda.query_one(RiskTable).focus()
        await pilot.press("s")  # sorted by a column: no longer stale actions first
        assert "stale actions first" not in plain(agenda.query_one("#section-title", Static))
        # r: from any sort back to agenda order, then register order, then back again -
        # the heading says which, every time
        table = agenda.query_one(RiskTable)
        agenda_refs = [r.ref for r in table.source_rows]
        await pilot.press("r")
        assert plain(agenda.query_one("#section-title", Static)).startswith(
            "Flagged risks - stale actions first"
        )
        assert [r.ref for r in table.rows] == agenda_refs
        await pilot.press("r")
        title = plain(agenda.query_one("#section-title", Static))
        assert title.startswith("Flagged risks - in register order") and "sorted by" not in title
        assert [r.ref for r in table.rows] == sorted(agenda_refs, key=str.lower) != agenda_refs
        await pilot.press("r")
        assert plain(agenda.query_one("#section-title", Static)).startswith(
            "Flagged risks - stale actions first"
        )
        assert [r.ref for r in table.rows] == agenda_refs
        await pilot.press("q")
        await pilot.pause()
    assert app.return_code == 0


async def test_ctrl_q_quits_from_inside_a_form(config: Config) -> None:
    app = RiskboardApp(config)
    async with app.run_test(size=WIDE) as pilot:
        await wait_for_agenda(app, pilot)
        await open_risk(pilot, "HM-010")
        await pilot.press("w")
        await wait_for(pilot, FormDialog)
        await pilot.press("q")  # typed into the note, not a quit
        await pilot.pause()
        assert isinstance(app.screen, FormDialog) and app.return_code is None
        await pilot.press("ctrl+q")
        await pilot.pause()
    assert app.return_code == 0


async def test_the_review_shows_the_boards_history_not_as_recorded_here(config: Config) -> None:
    app = RiskboardApp(config)
    async with app.run_test(size=WIDE) as pilot:
        await wait_for_agenda(app, pilot)
        review = await open_risk(pilot, "SL-001")
        here = plain(review.query_one("#this-meeting", Static))
        history = plain(review.query_one("#board-history", Static))
        head = plain(review.query_one("#risk-head", Static))
        assert "Recorded at this meeting" in here and "nothing yet" in here
        assert "Corporate" not in here and "Action 1" not in here
        assert "July 2022 register. Treat. RESOLVED: that the risk go to the Corporate" in history
        assert "Escalation to the Corporate risk register" in history
        assert "Accepted at meeting 1 (10/08/2022) – Added to the CRR." in history
        assert "Action 1" in history and "due 14/09/2022 - open" in history
        assert "Strategy in export: Tolerate" in head
        assert "Board's strategy: Treat (meeting 1, 10/08/2022)" in head
        # h: the heat map from the review, and back to the same risk
        await pilot.press("h")
        heat = await wait_for(pilot, HeatMapScreen)
        for _ in range(200):
            if heat.heat is not None:
                break
            await asyncio.sleep(0.02)
        assert heat.heat is not None and heat.heat.placed > 0
        await pilot.press("escape")
        assert isinstance(app.screen, ReviewScreen) and app.screen.ref == "SL-001"


async def test_a_tolerated_risk_shows_until_when_it_was_tolerated(config: Config) -> None:
    app = RiskboardApp(config)
    async with app.run_test(size=WIDE) as pilot:
        await wait_for_agenda(app, pilot)
        review = await open_risk(pilot, "BS-001")
        history = plain(review.query_one("#board-history", Static))
        assert "Tolerate - Within the contract's tolerance (review by 31/08/2022)" in history


async def test_escalations_from_earlier_meetings_are_decided_in_the_app(config: Config) -> None:
    app = RiskboardApp(config)
    async with app.run_test(size=WIDE) as pilot:
        agenda = await wait_for_agenda(app, pilot)
        item = agenda.query_one("#agenda-items", OptionList).get_option("escalations")
        assert "1 awaiting" in str(item.prompt)
        await take_item(pilot, "escalations")
        screen = await wait_for(pilot, EscalationsScreen)
        assert [e.ref for e in screen.waiting] == ["WS-001"]
        await pilot.press("x")  # decline
        await wait_for(pilot, FormDialog)
        await type_text(pilot, "Held at contract level for now")
        await pilot.press("ctrl+s")
        await wait_for(pilot, EscalationsScreen)
        assert screen.waiting == [] and [e.ref for e in screen.decided] == ["WS-001"]
        await pilot.press("escape")
        await pilot.press("c")
        close = await wait_for(pilot, CloseScreen)
        summary = plain(close.query_one("#summary", Static))
        assert (
            "Escalations from earlier meetings: 1 decided, 0 still awaiting a decision" in summary
        )
        assert "WS-001 -> Directorate risk register: Declined – Held at contract level" in summary
    db = open_db(config.paths.database)
    (e,) = board.list_escalations(db, ref="WS-001")
    assert (e.status, e.decided_meeting_id, e.decision_note) == (
        "declined",
        2,
        "Held at contract level for now",
    )
    db.conn.close()


async def test_nothing_to_transfer_writes_nothing_and_says_so(config: Config) -> None:
    app = RiskboardApp(config)
    async with app.run_test(size=WIDE) as pilot:
        await wait_for_agenda(app, pilot)
        await pilot.press("c")
        await wait_for(pilot, CloseScreen)
        await pilot.press("t")
        for _ in range(200):
            messages = [n.message for n in app._notifications]
            if any("Nothing to transfer" in m for m in messages):
                break
            await asyncio.sleep(0.02)
        assert any("Nothing to transfer" in m for m in messages), messages
    assert not list(config.paths.exports.glob("transfer_*"))


async def test_the_start_form_takes_the_date_the_last_meeting_set(config: Config) -> None:
    db = open_db(config.paths.database)
    meeting = board.current_meeting(db)
    assert meeting is not None
    board.set_next_meeting_date(db, meeting.id, "2022-10-19")
    board.close_meeting(db, meeting.id)
    db.conn.close()
    app = RiskboardApp(config)
    async with app.run_test(size=WIDE) as pilot:
        form = await wait_for(pilot, FormDialog)
        assert form.query_one("#field-meeting_date", Input).value == "19/10/2022"
        assert isinstance(app.screen_stack[-2], StartScreen)


def _bar_text(bar: KeyBar) -> list[str]:
    return [line.rstrip() for line in bar.render().plain.splitlines()]


async def _check_keys(pilot, screen_cls: type) -> None:  # type: ignore[no-untyped-def]
    """Every key the screen shows is in its key bar, on lines that fit 80 columns,
    and the bar is on the screen."""
    screen = await wait_for(pilot, screen_cls)
    await pilot.pause()
    bar = screen.query_one(KeyBar)
    lines = _bar_text(bar)
    assert 1 <= len(lines) <= 3 and all(len(line) <= 78 for line in lines), lines
    assert bar.region.bottom <= NARROW[1] and bar.region.height == len(lines)
    text = " ".join(lines)
    shown = [
        (pilot.app.get_key_display(b.binding), b.binding.description)
        for b in screen.active_bindings.values()
        if b.binding.show and b.binding.description and not b.binding.system
    ]
    for key, description in shown:
        assert f"{key} {description}" in text, (screen_cls.__name__, key, description, lines)
    assert "q Quit" in text and "^p Palette" in text


async def test_at_80x24_every_key_of_every_screen_is_visible(config: Config) -> None:
    app = RiskboardApp(config)
    async with app.run_test(size=NARROW) as pilot:
        agenda = await wait_for_agenda(app, pilot)
        await _check_keys(pilot, AgendaScreen)
        table = agenda.query_one(RiskTable)
        widths = dict((c.key, w) for c, w in table._widths())
        assert widths["title"] >= 26  # 24 characters of title, a space and the gap
        await pilot.press("g")  # the agenda list over the risks: the titles keep their room
        await pilot.pause()
        assert dict((c.key, w) for c, w in table._widths())["title"] >= 26
        await pilot.press("escape")
        await pilot.press("enter")
        await _check_keys(pilot, ReviewScreen)
        await pilot.press("h")
        await _check_keys(pilot, HeatMapScreen)
        await pilot.press("escape")
        await pilot.press("escape")
        for key, cls in (("l", ActionLogScreen), ("a", AttendanceScreen), ("c", CloseScreen)):
            await pilot.press(key)
            await _check_keys(pilot, cls)
            await pilot.press("escape")
            await wait_for(pilot, AgendaScreen)
        await take_item(pilot, "escalations")
        await _check_keys(pilot, EscalationsScreen)


async def test_at_80x24_the_bar_the_forms_and_the_toasts_fit(config: Config) -> None:
    """Issue 12b: at 80x24 the bar at the top cut the chair's name ("Chair Helen"), a
    toast was squeezed into 40 columns, and date fields asked for YYYY-MM-DD. The bar
    keeps the chair whole (the month shortened or dropped first), the action form's
    fields and buttons are all on the screen, a toast is at least 60 columns and on the
    screen, and dates are asked for as DD/MM/YYYY."""
    from textual.widgets import Button
    from textual.widgets._toast import Toast

    from riskboard.tui.widgets.meeting_bar import MeetingBar

    app = RiskboardApp(config)
    async with app.run_test(size=NARROW, notifications=True) as pilot:
        await wait_for_agenda(app, pilot)
        await pilot.press("l")
        log = await wait_for(pilot, ActionLogScreen)
        bar = plain(log.query_one(MeetingBar)).rstrip()
        assert bar.endswith("Chair Helen Marsh") and len(bar) <= 80
        await pilot.press("enter")
        form = await wait_for(pilot, FormDialog)
        await pilot.pause()
        for widget in [*form.query(Input), *form.query(Button)]:
            region = widget.region
            assert region.height and region.y >= 0 and region.bottom <= 24, widget
        dates = [i for i in form.query(Input) if i.placeholder == "DD/MM/YYYY"]
        assert dates and not any("YYYY-MM" in (i.placeholder or "") for i in form.query(Input))
        await pilot.press("escape")
        # the longest form, escalate: Save and Cancel below four fields were off the foot
        await pilot.press("escape")
        await wait_for(pilot, AgendaScreen)
        await pilot.press("enter")
        await wait_for(pilot, ReviewScreen)
        await pilot.press("e")
        form = await wait_for(pilot, FormDialog)
        await pilot.pause()
        inside = form.query_one("#form").content_region  # within its border, on the screen
        assert inside.bottom <= 24
        for button in form.query(Button):
            assert button.region.height and button.region.bottom <= inside.bottom, button
        await pilot.press("escape")
        app.notify(
            "Resumed meeting 2 (14/09/2022, August 2022 register). Everything entered so far"
            " is kept; the action log shows 1 action carried from earlier meetings."
        )
        toasts: list[Toast] = []
        for _ in range(50):
            await pilot.pause(0.05)
            toasts = list(app.screen.query(Toast))
            if toasts:
                break
        toast = toasts[-1]
        assert toast.region.width >= 60 and toast.region.right <= 80
        assert toast.region.bottom <= 24 and toast.region.y >= 0
