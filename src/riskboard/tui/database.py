"""Opening the database for the meeting app: the UI thread's connection and a worker
thread's own (a ``sqlite_utils.Database`` belongs to the thread that opened it).

The only module of the meeting app that imports ``riskboard.store``; every query goes
through the services (``riskboard.board``, ``riskboard.agenda``, ``riskboard.history``...).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import sqlite_utils

from riskboard.config import Config
from riskboard.store import open_db

__all__ = ["connection", "open_db"]


@contextmanager
def connection(config: Config) -> Iterator[sqlite_utils.Database]:
    """A connection of this thread's own, closed afterwards."""
    db = open_db(config.paths.database)
    try:
        yield db
    finally:
        db.conn.close()
