"""The append-only audit log: one row per meeting change, in the change's transaction.

Triggers in the schema refuse UPDATE and DELETE on ``audit_log``; ``write`` refuses to
run outside a transaction, so an audit row can never commit without its change (nor a
change without its audit row).
"""

from __future__ import annotations

import json
from typing import Any

import sqlite_utils

from riskboard.board.models import AuditEntry
from riskboard.store import meetings as store
from riskboard.store.register import now_iso


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
    """Append one audit row (when, who, what, before/after) inside the open transaction."""
    return store.insert_audit(
        db,
        at=now_iso(),
        meeting_id=meeting_id,
        actor=actor,
        entity=entity,
        entity_id=None if entity_id is None else str(entity_id),
        change=change,
        before=before,
        after=after,
    )


def entries(db: sqlite_utils.Database, *, meeting_id: int | None = None) -> list[AuditEntry]:
    """The audit trail, oldest first (all of it, or one meeting's)."""
    return [
        AuditEntry(
            id=r["id"],
            at=r["at"],
            meeting_id=r["meeting_id"],
            actor=r["actor"],
            entity=r["entity"],
            entity_id=r["entity_id"],
            change=r["change"],
            before=json.loads(r["before"]) if r["before"] else None,
            after=json.loads(r["after"]) if r["after"] else None,
        )
        for r in store.audit_rows(db, meeting_id=meeting_id)
    ]
