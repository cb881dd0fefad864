"""Scheduler runs and the file observations behind the settle check.

``scheduler_runs`` holds one row per run of the nightly job (started, finished, counts,
outcome, per-file details). ``scheduler_file_observations`` remembers the size and
modification time each waiting workbook had when first seen, so "unchanged for
``settle_seconds``" is decided from two observations instead of by sleeping.

Each write here is one statement, committed at once (sqlite-utils ``execute``), so a
run's progress survives a crash of the process that made it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import sqlite_utils

OUTCOMES = ("running", "ok", "partial", "failed", "interrupted")
SUCCESSFUL = ("ok", "partial")  # the run went through every waiting file


@dataclass(frozen=True)
class Observation:
    size: int
    mtime_ns: int
    first_seen_at: str  # ISO UTC when this size + mtime was first seen


# ----------------------------------------------------------------------------- runs


def start_run(db: sqlite_utils.Database, trigger: str, started_at: str) -> int:
    cur = db.execute(
        "INSERT INTO scheduler_runs (started_at, trigger, outcome) VALUES (?, ?, 'running')",
        [started_at, trigger],
    )
    return int(cur.lastrowid or 0)


def update_run(db: sqlite_utils.Database, run_id: int, **fields: Any) -> None:
    """Set columns of a run; ``details`` may be given as a list (stored as JSON)."""
    allowed = {
        "finished_at", "files_seen", "imported", "refused", "duplicates", "unsettled",
        "outcome", "error", "details",
    }  # fmt: skip
    unknown = set(fields) - allowed
    if unknown:
        raise ValueError(f"unknown scheduler_runs columns: {sorted(unknown)}")
    if not fields:
        return
    if "details" in fields and not isinstance(fields["details"], str):
        fields["details"] = json.dumps(fields["details"], default=str)
    sets = ", ".join(f"{k} = ?" for k in fields)
    db.execute(f"UPDATE scheduler_runs SET {sets} WHERE id = ?", [*fields.values(), run_id])


def get_run(db: sqlite_utils.Database, run_id: int) -> dict[str, Any] | None:
    rows = list(db.query("SELECT * FROM scheduler_runs WHERE id = ?", [run_id]))
    return _decode(rows[0]) if rows else None


def recent_runs(db: sqlite_utils.Database, limit: int = 10) -> list[dict[str, Any]]:
    """The latest runs, newest first, with ``details`` decoded."""
    return [
        _decode(r)
        for r in db.query("SELECT * FROM scheduler_runs ORDER BY id DESC LIMIT ?", [limit])
    ]


def last_successful_run(db: sqlite_utils.Database) -> dict[str, Any] | None:
    """The latest run that went through every waiting file (outcome ok or partial)."""
    rows = list(
        db.query(
            "SELECT * FROM scheduler_runs WHERE outcome IN (?, ?)"
            " ORDER BY started_at DESC, id DESC LIMIT 1",
            list(SUCCESSFUL),
        )
    )
    return _decode(rows[0]) if rows else None


def close_abandoned_runs(db: sqlite_utils.Database, finished_at: str) -> int:
    """Mark runs still 'running' as interrupted (call only while holding the scheduler
    lock: then no other process can be running them). Returns how many."""
    cur = db.execute(
        "UPDATE scheduler_runs SET outcome = 'interrupted', finished_at = ?,"
        " error = coalesce(error, ?) WHERE outcome = 'running'",
        [
            finished_at,
            "the end of this run was never recorded: the scheduler was stopped (killed,"
            " crashed, power lost) or could not write the database then (see"
            " scheduler.log); files it had not reached are still waiting in the imports"
            " folder",
        ],
    )
    return cur.rowcount


def _decode(row: dict[str, Any]) -> dict[str, Any]:
    try:
        row["details"] = json.loads(row.get("details") or "[]")
    except ValueError:
        row["details"] = []
    return row


def set_import_location(db: sqlite_utils.Database, import_id: int, path: str) -> None:
    """Record where an imported file now lives (after the scheduler archived it)."""
    db.execute("UPDATE imports SET file_path = ? WHERE id = ?", [path, import_id])


def find_import(db: sqlite_utils.Database, sha256: str) -> dict[str, Any] | None:
    rows = list(
        db.query(
            "SELECT id, file_name, month, imported_at, source FROM imports WHERE sha256 = ?",
            [sha256],
        )
    )
    return rows[0] if rows else None


# --------------------------------------------------------------------- observations


def get_observation(db: sqlite_utils.Database, path: str) -> Observation | None:
    row = db.execute(
        "SELECT size, mtime_ns, first_seen_at FROM scheduler_file_observations WHERE path = ?",
        [path],
    ).fetchone()
    return Observation(int(row[0]), int(row[1]), str(row[2])) if row else None


def record_observation(
    db: sqlite_utils.Database, path: str, size: int, mtime_ns: int, seen_at: str
) -> None:
    """Remember that ``path`` had this size and mtime at ``seen_at`` (replacing any
    earlier observation, whose size or mtime differed)."""
    db.execute(
        "INSERT INTO scheduler_file_observations (path, size, mtime_ns, first_seen_at)"
        " VALUES (?, ?, ?, ?) ON CONFLICT (path) DO UPDATE SET size = excluded.size,"
        " mtime_ns = excluded.mtime_ns, first_seen_at = excluded.first_seen_at",
        [path, size, mtime_ns, seen_at],
    )


def forget_observations(db: sqlite_utils.Database, keep: set[str]) -> None:
    """Drop observations of files no longer waiting (imported, moved or deleted)."""
    known = [r[0] for r in db.execute("SELECT path FROM scheduler_file_observations")]
    gone = [p for p in known if p not in keep]
    for p in gone:
        db.execute("DELETE FROM scheduler_file_observations WHERE path = ?", [p])
