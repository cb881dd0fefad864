"""Opening the database: one file, WAL mode, busy timeout, migrations applied."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlite_utils

from riskboard.errors import RiskboardError
from riskboard.store.migrations import migrations

BUSY_TIMEOUT_MS = 30_000


def connect(path: str | Path) -> sqlite_utils.Database:
    """A connection with the pragmas every riskboard connection uses (no migrations)."""
    if str(path) != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    try:
        conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_MS / 1000)
        db = sqlite_utils.Database(conn)
        db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        db.execute("PRAGMA foreign_keys = ON")
        db.execute("PRAGMA synchronous = NORMAL")
    except sqlite3.DatabaseError as exc:
        raise RiskboardError(f"cannot open database {path}: {exc}") from None
    return db


def open_db(path: str | Path) -> sqlite_utils.Database:
    """Open (creating if needed) and migrate the riskboard database at ``path``."""
    db = connect(path)
    try:
        migrations.apply(db)
    except sqlite3.DatabaseError as exc:
        raise RiskboardError(f"database {path} is not a riskboard database: {exc}") from None
    return db


@contextmanager
def write_transaction(db: sqlite_utils.Database) -> Iterator[sqlite_utils.Database]:
    """One change = one transaction, taking the write lock at BEGIN (``BEGIN IMMEDIATE``).

    ``db.atomic()`` begins DEFERRED: a transaction that reads before it writes holds a
    snapshot, and if another process (the scheduler's import, a CLI minute-taker)
    commits meanwhile SQLite refuses the upgrade at once with "database is locked"
    (SQLITE_BUSY_SNAPSHOT) - the busy timeout does not help. Taking the lock first makes
    a concurrent writer wait its turn. Nested inside an outer transaction it becomes a
    savepoint, so callers can group several changes."""
    if db.conn.in_transaction:
        with db.atomic():
            yield db
        return
    db.conn.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        if db.conn.in_transaction:
            db.conn.execute("ROLLBACK")
        raise
    else:
        try:
            db.conn.execute("COMMIT")
        except BaseException:
            if db.conn.in_transaction:
                db.conn.execute("ROLLBACK")
            raise
