"""Snapshots of the meeting TUI on the demo board (pytest-textual-snapshot).

The demo workspace is built once; its second meeting (14/09/2022) tolerates HM-010
until 01/03/2023 and closes, and the third (12/10/2022) is under way. Each test takes a
screenshot of one screen at 80x24 (every key must still be visible, titles keep 24
characters) and at 160x50. Update after a deliberate UI change with
``pytest tests/test_tui_snapshots.py --snapshot-update`` and review the SVGs.
"""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

import pytest
from textual.pilot import Pilot

from riskboard import board
from riskboard.config import Config, load_config
from riskboard.sample.demo import install_demo
from riskboard.store import open_db
from riskboard.tui.app import RiskboardApp
from riskboard.tui.screens.agenda import AgendaScreen
from riskboard.tui.screens.escalations import EscalationsScreen
from riskboard.tui.screens.heatmap import HeatMapScreen
from riskboard.tui.screens.review import ReviewScreen
from tui_board import take_item, type_text

pytestmark = pytest.mark.slow  # the meeting app rendered to SVG

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((160, 50), id="160x50")]


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("demo")
    install_demo(folder)
    return folder


@pytest.fixture
def config(demo_dir: Path, tmp_path: Path) -> Config:
    """A copy of the demo workspace with a meeting under way (so tests do not share one)."""
    work = tmp_path / "demo"
    shutil.copytree(demo_dir, work)
    cfg = load_config(work / "config.toml")
    db = open_db(cfg.paths.database)
    for when in ("2022-09-14", "2022-10-12"):
        meeting = board.new_meeting(
            db, meeting_date=when, chair="Helen Marsh", minute_taker="Lucy Whitfield", config=cfg
        )
        for name, apologies in (
            ("Gareth Price", False),
            ("Helen Marsh", False),
            ("Alison Reeve", False),
            ("Deepak Kaur", True),
        ):
            board.attend(db, meeting.id, name, apologies=apologies)
        if when == "2022-09-14":
            board.save_review(
                db,
                meeting.id,
                "HM-010",
                strategy="tolerate",
                rationale="Backlog is falling; the contractor's recovery plan is credible",
                review_by="2023-03-01",
                note="The board asked for the repair figures by area next month.",
                decision="that the risk be tolerated until 1 March 2023",
                reviewed=True,
            )
            board.set_next_meeting_date(db, meeting.id, "2022-10-12")
            board.close_meeting(db, meeting.id)
    db.conn.close()
    return cfg


async def agenda_loaded(pilot: Pilot) -> None:  # type: ignore[type-arg]
    app = pilot.app
    for _ in range(500):
        screen = app.screen
        if isinstance(screen, AgendaScreen) and screen.data is not None and screen.data.complete:
            break
        await asyncio.sleep(0.01)
    app.clear_notifications()
    await pilot.pause()


@pytest.mark.parametrize("size", SIZES)
def test_agenda(snap_compare, config: Config, size: tuple[int, int]) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(RiskboardApp(config), terminal_size=size, run_before=agenda_loaded)


@pytest.mark.parametrize("size", SIZES)
def test_risk_review(snap_compare, config: Config, size: tuple[int, int]) -> None:  # type: ignore[no-untyped-def]
    """HM-010 at the third meeting: the board tolerated it until 01/03/2023 at the second."""

    async def open_risk(pilot: Pilot) -> None:  # type: ignore[type-arg]
        await agenda_loaded(pilot)
        await take_item(pilot, "whole")
        await pilot.press("slash")
        await type_text(pilot, "HM-010")
        await pilot.press("enter", "enter")
        await pilot.pause()
        screen = pilot.app.screen
        assert isinstance(screen, ReviewScreen) and screen.ref == "HM-010"

    assert snap_compare(RiskboardApp(config), terminal_size=size, run_before=open_risk)


@pytest.mark.parametrize("size", SIZES)
def test_heat_map(snap_compare, config: Config, size: tuple[int, int]) -> None:  # type: ignore[no-untyped-def]
    async def open_heat_map(pilot: Pilot) -> None:  # type: ignore[type-arg]
        await agenda_loaded(pilot)
        await pilot.press("h")
        for _ in range(500):
            screen = pilot.app.screen
            if isinstance(screen, HeatMapScreen) and screen.heat is not None:
                break
            await asyncio.sleep(0.01)
        await pilot.press("up", "right")  # likelihood 4 x impact 4
        await pilot.pause()

    assert snap_compare(RiskboardApp(config), terminal_size=size, run_before=open_heat_map)


@pytest.mark.parametrize("size", SIZES)
def test_escalations_to_decide(snap_compare, config: Config, size: tuple[int, int]) -> None:  # type: ignore[no-untyped-def]
    async def open_escalations(pilot: Pilot) -> None:  # type: ignore[type-arg]
        await agenda_loaded(pilot)
        await take_item(pilot, "escalations")
        await pilot.pause()
        assert isinstance(pilot.app.screen, EscalationsScreen)

    assert snap_compare(RiskboardApp(config), terminal_size=size, run_before=open_escalations)


@pytest.mark.parametrize("size", SIZES)
def test_early_warnings(snap_compare, config: Config, size: tuple[int, int]) -> None:  # type: ignore[no-untyped-def]
    """The early warnings item of the demo board: new ones first, each case's flag, and
    one decision recorded."""
    from riskboard.tui.screens.early_warnings import EarlyWarningsScreen

    db = open_db(config.paths.database)
    meeting = board.current_meeting(db)
    assert meeting is not None
    board.decide_early_warning(
        db, meeting.id, "EW-060", decision="remove", reason="Gainshare settled at outturn"
    )
    db.conn.close()

    async def open_early_warnings(pilot: Pilot) -> None:  # type: ignore[type-arg]
        await agenda_loaded(pilot)
        await take_item(pilot, "early_warnings")
        for _ in range(500):
            screen = pilot.app.screen
            if isinstance(screen, EarlyWarningsScreen) and screen.agenda is not None:
                break
            await asyncio.sleep(0.01)
        await pilot.press("down", "down")  # EW-063: a date that cannot be read, a link
        await pilot.pause()

    assert snap_compare(RiskboardApp(config), terminal_size=size, run_before=open_early_warnings)
