"""Early warnings for the meeting-service tests, stored through the real store (no
importer needed), beside ``board_helpers``' seeded register."""

from __future__ import annotations

from datetime import date

import sqlite_utils

from riskboard.early_warning import EarlyWarning
from riskboard.store import early_warnings as ew_store
from riskboard.store.register import ImportRecord, save_import


def ew(ref: str, **kw: object) -> EarlyWarning:
    base: dict[str, object] = {
        "ref": ref,
        "date_notified": date(2022, 8, 1),
        "notified_by": "Contractor",
        "description": f"Matter {ref}",
        "status": "open",
    }
    base.update(kw)
    return EarlyWarning.model_validate(base)


def import_ews(db: sqlite_utils.Database, month: str, ews: list[EarlyWarning]) -> None:
    """One import holding only an early warning register for ``month``."""
    n = db.execute("SELECT COUNT(*) FROM imports").fetchone()[0]
    with db.atomic():
        import_id = save_import(db, ImportRecord(f"ew-{month}.xlsx", f"ew-{month}-{n}", month), [])
        ew_store.save_early_warnings(
            db, import_id=import_id, month=month, file_name=f"ew-{month}.xlsx",
            report_date=None, early_warnings=ews,
        )  # fmt: skip
