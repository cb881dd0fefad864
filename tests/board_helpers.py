"""Builders for the meeting-service tests: a database with imported months and a
started meeting, made through the real store (no importer needed)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import sqlite_utils

from riskboard import board
from riskboard.domain import Action, Risk
from riskboard.store import open_db
from riskboard.store.register import ImportRecord, save_import

CHAIR = "Alice Chair"
MINUTE_TAKER = "Mo Minutes"


def risk(ref: str, **kw: Any) -> Risk:
    base: dict[str, Any] = {
        "ref": ref,
        "title": f"Title of {ref}",
        "annex": "Highways",
        "owner": "Jo Bloggs",
        "current_likelihood": 3,
        "current_impact": 4,
        "current_score": 12,
        "strategy": "treat",
        "actions": [Action(risk_ref=ref, text="Inspect monthly", owner="Sam Roe")],
    }
    base.update(kw)
    return Risk.model_validate(base)


def import_month(db: sqlite_utils.Database, month: str, risks: list[Risk]) -> None:
    n = db.execute("SELECT COUNT(*) FROM imports").fetchone()[0]
    record = ImportRecord(file_name=f"{month}.xlsx", sha256=f"sha-{month}-{n}", month=month)
    with db.atomic():
        save_import(db, record, risks)


def seeded_db(path: Path) -> sqlite_utils.Database:
    """Two imported months: 2022-07 (HM-001, SL-002) and 2022-08 (+ WS-003)."""
    db = open_db(path)
    import_month(db, "2022-07", [risk("HM-001"), risk("SL-002", annex="Street Lighting")])
    import_month(
        db,
        "2022-08",
        [
            risk("HM-001", title="Pothole claims", current_score=16, exposure=120_000.0),
            risk("SL-002", annex="Street Lighting", current_score=6),
            risk("WS-003", title="Gritting fleet", annex="Winter Service", current_score=9),
        ],
    )
    return db


def start(
    db: sqlite_utils.Database, when: str = "2022-09-14", *, quorate: bool = True, **kw: Any
) -> board.Meeting:
    """A meeting in progress (or a draft with ``start=False``), by default with one lead
    officer present from each side - business needs a quorate board."""
    kw.setdefault("chair", CHAIR)
    kw.setdefault("minute_taker", MINUTE_TAKER)
    meeting = board.new_meeting(db, meeting_date=when, **kw)
    if quorate and kw.get("start", True):
        globals()["quorate"](db, meeting.id)
    return meeting


def quorate(db: sqlite_utils.Database, meeting_id: int) -> None:
    board.attend(
        db, meeting_id, "Carl Contractor", organisation="contractor", role="Contract Manager"
    )
    board.attend(
        db, meeting_id, "Dee Directorate", organisation="directorate", role="Head of Highways"
    )
    board.attend(db, meeting_id, "Cora Corporate", organisation="corporate", role="Risk Manager")


def audit_count(db: sqlite_utils.Database) -> int:
    return int(db.execute("SELECT COUNT(*) FROM audit_log").fetchone()[0])
