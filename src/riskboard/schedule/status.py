"""What ``riskboard scheduler status`` reports, gathered for the CLI (and the TUI)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from riskboard.config import Config
from riskboard.schedule.folder import discover
from riskboard.schedule.lock import lock_holder
from riskboard.schedule.runner import log_file
from riskboard.schedule.timing import catch_up_due, next_fire, trigger_for, utc_now
from riskboard.store import runs
from riskboard.store.db import open_db


def scheduler_status(
    config: Config, *, now: datetime | None = None, limit: int = 5
) -> dict[str, Any]:
    """What ``riskboard scheduler status`` shows, JSON-able: whether a scheduler holds
    the database, the next run, files waiting, catch-up, and the latest runs."""
    now = now or utc_now()
    trigger = trigger_for(config)
    db = open_db(config.paths.database, create=False)  # a status never makes a database
    try:
        recent = runs.recent_runs(db, limit)
        last = runs.last_successful_run(db)
    finally:
        db.conn.close()
    nxt = next_fire(trigger, now)
    imports = config.paths.imports
    waiting = [p.name for p in discover(imports)] if imports.is_dir() else []
    last_at = datetime.fromisoformat(last["started_at"]) if last else None
    return {
        "database": str(config.paths.database),
        "imports": str(imports),
        "log_file": str(log_file(config)),
        "schedule": config.schedule.nightly,
        "timezone": config.schedule.timezone,
        "holder": lock_holder(config.paths.database),
        "next_run": nxt.isoformat() if nxt else None,
        "catch_up_due": catch_up_due(trigger, last_at, now),
        "last_success": last["started_at"] if last else None,
        "waiting": waiting,
        "runs": recent,
    }
