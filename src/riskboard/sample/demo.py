"""The demo workspace: six months of IRIS exports in every shape, imported and ready.

``build_demo(dir)`` writes ``dir/config.toml`` (unless one is there) and the exports
into the config's imports folder, and returns the export paths in month order.
``install_demo(dir)`` also imports them (through the real importer, as a user's
``riskboard import`` would), seeds the board's people list and its previous meeting
(``board_history``: minutes to approve, a lapsed acceptance) and reports what it did.
Both are deterministic and safe to run again: the files come out byte-identical, so
the importer reports them as already imported.

The months are 2022-03 .. 2022-08. Each month covers all eight annexes in a different
way (see ``PLAN``): a joint register, one file per annex, Risks + Actions sheets, one
sheet per annex, a file whose month is only in its title block, and a mixed last
month. The register is the seeded generator's plus the scripted risks in ``stories``,
so the last month has every flag code; beside it, the NEC early warning register of July
(a sheet of July's export) and August (its own file) holds every early warning case
(``ew_demo``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlite_utils

from riskboard import board, ew_register
from riskboard import register as register_service
from riskboard.board.attendance import find_person, save_person
from riskboard.config import Config, load_config
from riskboard.domain import EW_FLAGS, EW_ONLY_FLAGS, FLAG_ORDER, Risk
from riskboard.errors import RiskboardError
from riskboard.importer import ImportResult, import_file
from riskboard.month_counts import MonthCounts, month_counts
from riskboard.sample.board_history import is_demo_history, seed_previous_meeting
from riskboard.sample.catalogue import ANNEXES
from riskboard.sample.data import RegisterGenerator, RiskState, sort_risks
from riskboard.sample.ew_demo import demo_early_warnings, ew_sheet
from riskboard.sample.raw_sheets import write_raw_workbook
from riskboard.sample.stories import RESERVED, SIX, UNREADABLE_TITLE, StoryRunner
from riskboard.sample.workbooks import (
    standard_footer,
    standard_title_block,
    write_annex_files,
    write_workbook,
)
from riskboard.store import open_db
from riskboard.store import register as store

DEMO_MONTHS: tuple[str, ...] = ("2022-03", "2022-04", "2022-05", "2022-06", "2022-07", "2022-08")
DEMO_SEED = 2022
RISKS_PER_ANNEX = 9
IMPERFECTION_RATE = 0.015
# annexes exported one row per risk in April (several actions: one line each in a cell)
PER_RISK_ANNEXES = ("Street Lighting", "Public Rights of Way")
ALL = tuple(a.name for a in ANNEXES)

# the board's lead officers (and a minute taker): name, organisation, role, lead officer
PEOPLE: tuple[tuple[str, str, str, bool], ...] = (
    ("Gareth Price", "contractor", "Contract Manager", True),
    ("Siân Hughes", "contractor", "Risk & Compliance Lead", True),
    ("Tom Okafor", "contractor", "Operations Manager", True),
    ("Helen Marsh", "directorate", "Head of Highways", True),
    ("Mark Bellamy", "directorate", "Contract Client Manager", True),
    ("Alison Reeve", "corporate", "Corporate Risk Manager", True),
    ("Deepak Kaur", "corporate", "Finance Business Partner", True),
    ("Lucy Whitfield", "contractor", "Contract Administrator", False),
)
# the demo meeting ``riskboard demo`` starts: the board for the August 2022 register
DEMO_MEETING_DATE = "2022-09-14"
DEMO_CHAIR = "Helen Marsh"
DEMO_MINUTE_TAKER = "Lucy Whitfield"
# who sends apologies to the demo meeting; everyone else on PEOPLE is present
DEMO_APOLOGIES = ("Tom Okafor", "Deepak Kaur")


@dataclass(frozen=True)
class Export:
    """One export (or one per annex when ``per_annex``) of a month."""

    name: str  # file name; per-annex names use write_annex_files' placeholders
    annexes: tuple[str, ...] = ALL
    per_annex: bool = False
    options: dict[str, Any] = field(default_factory=dict)


def _title(month: str, **kw: Any) -> dict[str, Any]:
    return {"title_block": standard_title_block(month, **kw)}


PLAN: dict[str, tuple[Export, ...]] = {
    "2022-03": (
        Export("IRIS_Joint_Register_2022-03.xlsx",
               options={"shape": "per_action", **_title("2022-03"), "footer": standard_footer}),
    ),
    "2022-04": (
        Export("IRIS_{annex_}_Apr2022.xlsx", PER_RISK_ANNEXES, per_annex=True,
               options={"shape": "per_risk", "header_style": "alternative",
                        "uk_text_dates": True, "footer": standard_footer}),
        Export("IRIS_{annex_}_Apr2022.xlsx", tuple(a for a in ALL if a not in PER_RISK_ANNEXES),
               per_annex=True,
               options={"shape": "per_action", "header_style": "alternative",
                        "uk_text_dates": True, "footer": standard_footer}),
    ),
    "2022-05": (
        Export("IRIS_Risks_and_Actions_2022-05.xlsx",
               options={"shape": "two_sheets", **_title("2022-05"), "header_groups": True,
                        "blank_rows": True}),
    ),
    "2022-06": (
        Export("IRIS Joint Register June 2022.xlsx",
               options={"shape": "per_action", "split": "sheets", "annex_column": False,
                        "header_style": "multiline", "blank_rows": True}),
    ),
    # the month is only in the title block's "Report run" date
    "2022-07": (
        Export("IRIS_Monthly_Output.xlsx",
               options={"shape": "two_sheets", "split": "sheets", **_title("2022-07"),
                        "uk_text_dates": True, "date_text_format": "%d %b %Y",
                        "footer": ["End of report"]}),
    ),
    "2022-08": (
        Export("IRIS_Joint_Register_2022-08.xlsx",
               ("Highways Maintenance", "Winter Service", "Bridges & Structures",
                "Parks & Open Spaces", "Traffic Management"),
               options={"shape": "per_action", **_title("2022-08"), "header_groups": True,
                        "footer": standard_footer,
                        "cells": {(UNREADABLE_TITLE, "current_score"): "High"}}),
        Export("IRIS_Street_Lighting_Aug2022.xlsx", ("Street Lighting",),
               options={"shape": "per_risk", "include_last_updated": False,
                        "uk_text_dates": True, "sheet_name": "Street Lighting"}),
        Export("IRIS_Public_Rights_of_Way_Aug2022.xlsx", ("Public Rights of Way",),
               options={"shape": "per_risk", "header_style": "abbreviated",
                        "sheet_name": "Public Rights of Way", "footer": standard_footer}),
        Export("IRIS_Drainage_Aug2022.xlsx", ("Drainage",),
               options={"shape": "two_sheets", "header_style": "alternative",
                        **_title("2022-08", subtitle="Drainage – Service Annex Register")}),
    ),
}  # fmt: skip


def demo_register(seed: int = DEMO_SEED) -> dict[str, list[Risk]]:
    """``{month: risks}`` of the demo: the generated register plus the story risks."""
    gen = RegisterGenerator(seed, imperfection_rate=IMPERFECTION_RATE, reserved=RESERVED)
    stories = StoryRunner(gen)
    states: list[RiskState] = []
    out: dict[str, list[Risk]] = {}
    assert len(DEMO_MONTHS) == SIX
    for k, month in enumerate(DEMO_MONTHS):
        gen.step(states, month, k, RISKS_PER_ANNEX)
        risks = gen.snapshots(states, k) + stories.month(month, k)
        out[month] = sort_risks(risks)
    return out


def build_demo(dir: Path) -> list[Path]:
    """Write the demo workspace under ``dir``; the export paths, in month order."""
    dir = Path(dir)
    if dir.exists() and not dir.is_dir():
        raise RiskboardError(f"{dir} is a file, not a folder: give a folder for the demo")
    try:
        return _write_exports(ensure_config(dir))
    except OSError as exc:
        raise RiskboardError(f"cannot write the demo workspace in {dir}: {exc}") from None


# the NEC early warning register (``ew_demo``): July's as a sheet of July's export (a
# mixed workbook), August's as a file of its own, one row per action
EW_SHEET_IN = {"2022-07": "IRIS_Monthly_Output.xlsx"}
EW_FILES = {"2022-08": "NEC4_Early_Warning_Register_Aug2022.xlsx"}


def _write_exports(config: Config) -> list[Path]:
    folder = config.paths.imports
    config.paths.exports.mkdir(parents=True, exist_ok=True)
    register = demo_register()
    early_warnings = demo_early_warnings(register)
    paths: list[Path] = []
    for month, exports in PLAN.items():
        risks = register[month]
        for export in exports:
            chosen = [r for r in risks if r.annex in export.annexes]
            options = dict(export.options)
            if EW_SHEET_IN.get(month) == export.name:
                sheet = ew_sheet(month, early_warnings[month], name="Early Warnings",
                                 text_dates=False)  # fmt: skip
                options["extra_sheets"] = [sheet]
            if export.per_annex:
                paths.extend(
                    write_annex_files(folder, chosen, file_name=export.name, month=month, **options)
                )
            else:
                paths.append(write_workbook(folder / export.name, chosen, **options))
        if month in EW_FILES:
            sheet = ew_sheet(month, early_warnings[month], name="EW Register", text_dates=True)
            paths.append(write_raw_workbook(folder / EW_FILES[month], [sheet]))
    return paths


# ----------------------------------------------------------------------------- config


def default_config_text() -> str:
    """The documented default config.toml of the source tree, else a minimal one."""
    source = Path(__file__).resolve().parents[3] / "config.toml"
    if source.is_file():
        return source.read_text(encoding="utf-8")
    return _MINIMAL_CONFIG


_MINIMAL_CONFIG = """\
# riskboard configuration for the demo workspace. Every key not given here takes its
# documented default (see config.toml in the riskboard source).
# Relative paths are relative to this file's folder.

[paths]
database = "riskboard.db"   # the SQLite database
imports = "imports"         # where the IRIS exports are
exports = "exports"         # where minutes and registers are written
logs = "logs"               # the scheduler's log
"""


def ensure_config(dir: Path) -> Config:
    """``dir/config.toml`` loaded; written first from the default if it is not there."""
    path = Path(dir) / "config.toml"
    if not path.is_file():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(default_config_text(), encoding="utf-8")
    return load_config(path)


# ----------------------------------------------------------------------------- install


@dataclass
class DemoReport:
    """What ``install_demo`` did, for the CLI to print."""

    dir: Path
    config_written: bool
    imports: list[ImportResult]  # in import order
    months: list[str]
    latest_month: str | None
    latest_counts: MonthCounts | None  # the latest month's risks
    flag_counts: dict[str, int]  # code -> risks flagged with it, in FLAG_ORDER
    people: int
    # code -> early warnings flagged with it (the latest month's early warning register)
    ew_flag_counts: dict[str, int] = field(default_factory=dict)
    early_warnings: int = 0
    meeting: board.Meeting | None = None  # the demo meeting, when asked to start one


def install_demo(
    dir: Path,
    *,
    progress: Callable[[ImportResult], None] | None = None,
    start_meeting: bool = False,
) -> DemoReport:
    """Build the demo under ``dir``, import every export in month order, seed people;
    with ``start_meeting``, also start the demo meeting (see ``start_demo_meeting``)."""
    dir = Path(dir)
    config_written = not (dir / "config.toml").is_file()
    paths = build_demo(dir)
    config = ensure_config(dir)
    db = open_db(config.paths.database)
    try:
        results = []
        for path in paths:
            result = import_file(db, path, config, source="demo")
            results.append(result)
            if progress:
                progress(result)
        people = seed_people(db)
        months = store.months(db)
        latest = months[-1] if months else None
        if latest is not None:
            seed_previous_meeting(db, config, latest)  # only into a board with no meetings
        meeting = start_demo_meeting(db, config) if start_meeting else None
        rows = register_service.register_rows(db, latest, config) if latest else []
        counts = Counter(code for r in rows for code in r.flags)
        latest_counts = month_counts(latest, rows) if latest else None
        ews = ew_register.view(db, latest, config) if latest else None
        ew_counts = Counter(code for r in (ews.rows if ews else []) for code in r.flags)
    finally:
        db.conn.close()
    return DemoReport(
        dir=dir,
        config_written=config_written,
        imports=results,
        months=months,
        latest_month=latest,
        latest_counts=latest_counts,
        flag_counts={
            code.value: counts.get(code.value, 0)
            for code in FLAG_ORDER
            if code not in EW_ONLY_FLAGS
        },
        people=people,
        meeting=meeting,
        ew_flag_counts={
            code.value: ew_counts.get(code.value, 0) for code in FLAG_ORDER if code in EW_FLAGS
        },  # fmt: skip
        early_warnings=len(ews.on_register) if ews else 0,
    )


def seed_people(
    db: sqlite_utils.Database, people: Sequence[tuple[str, str, str, bool]] = PEOPLE
) -> int:
    """Put the board's people on the people list (kept as they are if already there)."""
    for name, organisation, role, lead in people:
        if find_person(db, name) is None:
            save_person(
                db, name, organisation=organisation, role=role, lead_officer=lead, actor="demo"
            )
    return len(people)


def start_demo_meeting(db: sqlite_utils.Database, config: Config) -> board.Meeting | None:
    """The demo board's meeting, started and quorate, so the app opens on its agenda.

    The open meeting if there is one (resumed, never a second); else, when no meeting was
    held since the demo's own previous one (``board_history``), a new one on
    ``DEMO_MEETING_DATE`` for the latest month, chaired by
    ``DEMO_CHAIR`` with ``DEMO_MINUTE_TAKER``, everyone on ``PEOPLE`` present except
    ``DEMO_APOLOGIES``. ``None`` when meetings were held and all are closed: the user has
    been chairing, and the app's start form is the right place to begin the next one.
    Each step is one audited change through the meeting service.
    """
    current = board.current_meeting(db)
    if current is not None or any(not is_demo_history(m) for m in board.list_meetings(db)):
        return current
    meeting = board.new_meeting(
        db,
        meeting_date=DEMO_MEETING_DATE,
        chair=DEMO_CHAIR,
        minute_taker=DEMO_MINUTE_TAKER,
        config=config,
        actor=DEMO_MINUTE_TAKER,
    )
    for name, *_ in PEOPLE:
        board.attend(db, meeting.id, name, apologies=name in DEMO_APOLOGIES)
    return board.get_meeting(db, meeting.id)
