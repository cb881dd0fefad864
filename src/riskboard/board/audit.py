"""The append-only, hash-chained audit log: one row per meeting change, written in the
change's transaction by ``board.txn`` (the one audited-change step).

Triggers refuse UPDATE and DELETE on ``audit_log``; each row carries the hash of the
row before it (``store.integrity``), so a row edited or deleted behind the service's
back breaks the chain. Each row also says where the change came from (``origin``: the
meeting app on which machine, the command line, a script), set once per connection by
the face that opened it.
"""

from __future__ import annotations

import json
import sqlite3
import weakref
from typing import Any

import sqlite_utils

from riskboard.board.models import AuditEntry
from riskboard.errors import RiskboardError
from riskboard.store import meetings as store
from riskboard.store.register import now_iso

DEFAULT_ORIGIN = "script"
# origin per connection: a face names itself once (``set_origin``); every audit row
# written through that connection carries it
_ORIGINS: weakref.WeakKeyDictionary[sqlite_utils.Database, str] = weakref.WeakKeyDictionary()


def set_origin(db: sqlite_utils.Database, origin: str) -> None:
    """Name where changes made through ``db`` come from ("meeting app on host (pid 12)",
    "command line"); recorded on each audit row and used by the meeting app to tell
    its own changes from changes made elsewhere."""
    _ORIGINS[db] = origin


def origin_of(db: sqlite_utils.Database) -> str:
    return _ORIGINS.get(db, DEFAULT_ORIGIN)


def write(
    db: sqlite_utils.Database,
    *,
    meeting_id: int | None,
    actor: str | None,
    entity: str,
    entity_id: str | int | None,
    change: str,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
) -> int:
    """Append one audit row (when, who, from where, what, before/after) inside the open
    transaction, chained to the row before it; returns its id."""
    return store.insert_audit(
        db,
        at=now_iso(),
        meeting_id=meeting_id,
        actor=actor,
        origin=origin_of(db),
        entity=entity,
        entity_id=None if entity_id is None else str(entity_id),
        change=change,
        before=before,
        after=after,
    )


def entry_from_row(r: dict[str, Any]) -> AuditEntry:
    return AuditEntry(
        id=r["id"],
        at=r["at"],
        meeting_id=r["meeting_id"],
        actor=r["actor"],
        origin=r.get("origin"),
        entity=r["entity"],
        entity_id=r["entity_id"],
        change=r["change"],
        before=json.loads(r["before"]) if r["before"] else None,
        after=json.loads(r["after"]) if r["after"] else None,
        row_hash=r.get("row_hash"),
    )


def entries(db: sqlite_utils.Database, *, meeting_id: int | None = None) -> list[AuditEntry]:
    """The audit trail, oldest first (all of it, or one meeting's)."""
    return [entry_from_row(r) for r in store.audit_rows(db, meeting_id=meeting_id)]


def last_change_id(db: sqlite_utils.Database) -> int:
    """The id of the newest audit row (0 if none): it grows with every board change, so
    a face can tell cheaply whether anything changed since it last looked. RiskboardError
    if the database cannot be read."""
    try:
        return store.last_audit_id(db)
    except sqlite3.DatabaseError as exc:
        raise RiskboardError(f"cannot read the board's audit log: {exc}") from None


def changes_since(db: sqlite_utils.Database, audit_id: int) -> list[AuditEntry]:
    """Every change recorded after audit row ``audit_id``, oldest first."""
    return [entry_from_row(r) for r in store.audit_rows_after(db, audit_id)]


def last_change_to(db: sqlite_utils.Database, entity: str, entity_id: str) -> AuditEntry | None:
    """The newest audit row about one thing (who changed it last, when, from where)."""
    row = store.last_audit_of(db, entity, entity_id)
    return entry_from_row(row) if row else None
