"""SQLite through sqlite-utils: the only package that writes SQL.

``open_db(path)`` returns a migrated ``sqlite_utils.Database`` in WAL mode with a busy
timeout. Query modules: ``register`` (imported snapshots and flags), ``meetings``
(the board), ``runs`` (scheduler runs).
"""

from riskboard.store.db import open_db

__all__ = ["open_db"]
