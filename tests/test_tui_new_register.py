"""The meeting app notices registers the nightly import brings in while it is open."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from riskboard import board
from riskboard.config import Config
from riskboard.domain import Action, Risk
from riskboard.register import recompute_flags
from riskboard.store.register import ImportRecord, save_import
from riskboard.tui.app import RiskboardApp
from tui_board import SIZE, build_config, read, wait_for_agenda

pytestmark = pytest.mark.slow  # the meeting app driven by the pilot


@pytest.fixture
def config(tmp_path: Path) -> Config:
    cfg = build_config(tmp_path)
    db = read(cfg)
    board.new_meeting(db, meeting_date="2022-09-14", chair="Helen Marsh", config=cfg)
    db.conn.close()
    return cfg


def _import(cfg: Config, month: str, sha: str, risks: list[Risk]) -> None:
    """What the scheduler does in its own process: one import transaction."""
    db = read(cfg)
    with db.atomic():
        save_import(db, ImportRecord(f"IRIS_{month}.xlsx", sha, month), risks)
        recompute_flags(db, month, cfg)
    db.conn.close()


def _risk(ref: str, title: str) -> Risk:
    return Risk(
        ref=ref,
        title=title,
        annex="Drainage",
        current_likelihood=4,
        current_impact=4,
        current_score=16,
        strategy="treat",
        strategy_text="Treat",
        actions=[Action(risk_ref=ref, text="Jet the culvert", last_updated=date(2022, 8, 30))],
    )


async def _notices(app: RiskboardApp, pilot, wanted: str) -> list[str]:  # type: ignore[no-untyped-def]
    messages: list[str] = []
    for _ in range(150):
        await pilot.pause(0.02)
        messages = [n.message for n in app._notifications]
        if any(wanted in m for m in messages):
            break
    return messages


async def test_a_new_month_is_announced(config: Config) -> None:
    app = RiskboardApp(config)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_agenda(app, pilot)
        app.check_imports()
        await pilot.pause(0.2)
        assert not any("arrived" in n.message for n in app._notifications)

        _import(config, "2022-09", "sha-sep", [_risk("DR-001", "Culvert collapse")])
        app.check_imports()
        messages = await _notices(app, pilot, "A new register arrived")
    assert any(
        "A new register arrived: September 2022 (IRIS_2022-09.xlsx)." in m
        and "This meeting reviews August 2022." in m
        for m in messages
    ), messages


async def test_an_updated_board_month_reloads_on_ctrl_r(config: Config) -> None:
    app = RiskboardApp(config)
    async with app.run_test(size=SIZE) as pilot:
        agenda = await wait_for_agenda(app, pilot)
        assert agenda.data is not None and agenda.data.row("DR-009") is None

        _import(config, "2022-08", "sha-aug-fix", [_risk("DR-009", "Outfall blocked")])
        app.check_imports()
        messages = await _notices(app, pilot, "register was updated")
        assert any("The August 2022 register was updated" in m for m in messages), messages

        await pilot.press("ctrl+r")
        agenda = await wait_for_agenda(app, pilot)
        assert agenda.data is not None and agenda.data.row("DR-009") is not None
