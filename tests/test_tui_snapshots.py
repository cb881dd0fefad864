"""Snapshots of the meeting TUI on the demo board (pytest-textual-snapshot).

The demo workspace is built once, a meeting is started on a fixed date, and each test
takes a screenshot of one screen at 120x40. Update after a deliberate UI change with
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
from riskboard.tui.screens.heatmap import HeatMapScreen
from riskboard.tui.screens.review import ReviewScreen
from tui_board import take_item

pytestmark = pytest.mark.slow  # the meeting app rendered to SVG

SIZE = (120, 40)


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
    meeting = board.new_meeting(
        db,
        meeting_date="2022-09-14",
        chair="Helen Marsh",
        minute_taker="Lucy Whitfield",
        config=cfg,
    )
    for name, apologies in (
        ("Gareth Price", False),
        ("Helen Marsh", False),
        ("Alison Reeve", False),
        ("Deepak Kaur", True),
    ):
        board.attend(db, meeting.id, name, apologies=apologies)
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


def test_agenda(snap_compare, config: Config) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(RiskboardApp(config), terminal_size=SIZE, run_before=agenda_loaded)


def test_risk_review(snap_compare, config: Config) -> None:  # type: ignore[no-untyped-def]
    db = open_db(config.paths.database)
    meeting = board.current_meeting(db)
    assert meeting is not None
    board.save_review(
        db,
        meeting.id,
        "HM-010",
        strategy="tolerate",
        rationale="Backlog is falling; the contractor's recovery plan is credible",
        review_by="2022-12-31",
        note="The board asked for the repair figures by area next month.",
        decision="Tolerate at the current score; review in December.",
    )
    db.conn.close()

    async def open_first_risk(pilot: Pilot) -> None:  # type: ignore[type-arg]
        await agenda_loaded(pilot)
        await take_item(pilot, "flagged")
        await pilot.press("enter")
        await pilot.pause()
        screen = pilot.app.screen
        assert isinstance(screen, ReviewScreen) and screen.ref == "HM-010"

    assert snap_compare(RiskboardApp(config), terminal_size=SIZE, run_before=open_first_risk)


def test_heat_map(snap_compare, config: Config) -> None:  # type: ignore[no-untyped-def]
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

    assert snap_compare(RiskboardApp(config), terminal_size=SIZE, run_before=open_heat_map)
