"""One meeting change = one transaction (``store.db.write_transaction``).

The service reads (checks the meeting is open, the risk exists) before it writes, so
every change takes the write lock first (``BEGIN IMMEDIATE``) and waits for a
concurrent writer instead of failing with "database is locked".
"""

from riskboard.store.db import write_transaction as change

__all__ = ["change"]
