"""One meeting change = one transaction.

``change(db)`` is ``db.atomic()`` started with ``BEGIN IMMEDIATE``: the service reads
(checks the meeting is open, the risk exists) before it writes, and a deferred
transaction that later upgrades to a write fails at once with SQLITE_BUSY when the TUI
and a CLI minute-taker write together; IMMEDIATE takes the write lock first and waits
for the busy timeout instead. Nested inside an outer transaction it becomes a savepoint
(``db.atomic()``), so a caller can group several changes.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import sqlite_utils


@contextmanager
def change(db: sqlite_utils.Database) -> Iterator[sqlite_utils.Database]:
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
