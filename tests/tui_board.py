"""Shared by the TUI tests: a small two-month register with one stale risk, the
people list, and pilot helpers (paste text, pick a Select option, wait for the agenda)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import sqlite_utils
from textual import events

from riskboard import board
from riskboard.config import Config, PathsConfig
from riskboard.domain import Action, Risk
from riskboard.register import recompute_flags
from riskboard.store import open_db
from riskboard.store.register import ImportRecord, save_import
from riskboard.tui.app import RiskboardApp
from riskboard.tui.screens.agenda import AgendaScreen

SIZE = (120, 40)
# the people list as the attendance screen sorts it: by organisation, then name
PEOPLE = [
    ("Gareth Price", "contractor"),
    ("Helen Marsh", "directorate"),
    ("Lucy Fenn", "corporate"),
    ("Raj Patel", "corporate"),
]


def _risk(ref: str, title: str, lk: int, im: int, updated: date, **kw: object) -> Risk:
    return Risk(
        ref=ref,
        title=title,
        annex=kw.pop("annex", "Highways Maintenance"),  # type: ignore[arg-type]
        owner=kw.pop("owner", "Gareth Price"),  # type: ignore[arg-type]
        current_likelihood=lk,
        current_impact=im,
        current_score=lk * im,
        strategy="treat",
        strategy_text="Treat",
        status="Open",
        actions=[
            Action(
                risk_ref=ref,
                action_ref=f"{ref}/A1",
                text=f"Mitigate {title.lower()}",
                owner="Gareth Price",
                due=date(2022, 12, 31),
                last_updated=updated,
                progress="Under way",
                status="In progress",
            )
        ],
        **kw,  # type: ignore[arg-type]
    )


def _month(month: str, stale_updated: date, fresh_updated: date) -> list[Risk]:
    return [
        _risk("HM-001", "Carriageway defect backlog", 4, 4, stale_updated),
        _risk("SL-001", "Column failures", 2, 3, fresh_updated, annex="Street Lighting"),
        _risk("WS-001", "Salt supply", 2, 2, fresh_updated, annex="Winter Service"),
    ]


def build_config(tmp_path: Path) -> Config:
    cfg = Config(
        paths=PathsConfig(database=tmp_path / "riskboard.db", exports=tmp_path / "exports")
    )
    db = open_db(cfg.paths.database)
    months = {
        "2022-07": _month("2022-07", date(2022, 6, 30), date(2022, 7, 20)),
        "2022-08": _month("2022-08", date(2022, 6, 30), date(2022, 8, 20)),
    }
    for month, risks in months.items():
        with db.atomic():
            save_import(db, ImportRecord(f"{month}.xlsx", f"sha-{month}", month), risks)
            recompute_flags(db, month, cfg)
    for name, org in PEOPLE:
        board.save_person(db, name, organisation=org)
    db.conn.close()
    return cfg


QUORUM = ("Gareth Price", "Helen Marsh", "Raj Patel")  # one lead officer per side


def make_quorate(db: sqlite_utils.Database, meeting_id: int) -> None:
    """Mark one lead officer of each side present: business needs a quorate board."""
    for name in QUORUM:
        board.attend(db, meeting_id, name)


def read(config: Config) -> sqlite_utils.Database:
    return open_db(config.paths.database)


async def type_text(pilot, text: str) -> None:  # type: ignore[no-untyped-def]
    """Enter text into the focused field as a terminal paste (one event, not one per key:
    pressing each character costs ~0.1 s under the test pilot)."""
    assert pilot.app.focused is not None
    pilot.app.post_message(events.Paste(text))
    await pilot.pause()


async def choose(pilot, search: str) -> None:  # type: ignore[no-untyped-def]
    """Pick an option of the focused Select by typing the start of its label."""
    await pilot.press("enter")
    await pilot.press(*search)
    await pilot.press("enter")


async def wait_for_agenda(app: RiskboardApp, pilot) -> AgendaScreen:  # type: ignore[no-untyped-def]
    for _ in range(100):
        await pilot.pause(0.02)
        screen = app.screen
        if isinstance(screen, AgendaScreen) and screen.data is not None and screen.data.complete:
            return screen
    raise AssertionError(f"agenda never loaded: {app.screen}")


async def take_item(pilot, key: str) -> None:  # type: ignore[no-untyped-def]
    """Go to an agenda item by keys as a chair would: g (the agenda list), up/down to the
    item, Enter."""
    from textual.widgets import OptionList

    items = pilot.app.screen.query_one("#agenda-items", OptionList)
    if not items.has_focus:
        await pilot.press("g")
    target = items.get_option_index(key)
    while items.highlighted != target:
        await pilot.press("down" if (items.highlighted or 0) < target else "up")
    await pilot.press("enter")
    await pilot.pause()
