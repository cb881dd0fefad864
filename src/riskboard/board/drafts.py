"""Drafts of the meeting app's open forms, kept as they are typed (rule 9 of issue 11).

Not part of the record: never audited or hashed, and dropped when the form is saved or
cancelled. A draft remembers the values the form showed when it opened (``base``), so a
restored draft is still checked against what changed meanwhile when it is saved.
"""

from __future__ import annotations

from typing import Any

import sqlite_utils
from pydantic import BaseModel

from riskboard.board.txn import plain_change
from riskboard.store import drafts as store
from riskboard.store.register import now_iso


class Draft(BaseModel):
    key: str
    meeting_id: int | None
    form: str  # the form's title
    fields: dict[str, Any]  # as typed
    base: dict[str, Any]  # as shown when the form opened
    saved_at: str


def draft_key(meeting_id: int | None, form: str) -> str:
    """The key of a form's draft at a meeting ("3:note:HM-001")."""
    return f"{meeting_id if meeting_id is not None else '-'}:{form}"


def save_draft(
    db: sqlite_utils.Database,
    key: str,
    *,
    meeting_id: int | None,
    form: str,
    fields: dict[str, Any],
    base: dict[str, Any],
    seq: int,
) -> None:
    """Keep what is typed in a form (one small transaction); a write with a lower
    ``seq`` than the one stored is ignored, so keystrokes never go backwards."""
    with plain_change(db):
        store.save(
            db,
            key,
            meeting_id=meeting_id,
            form=form,
            fields=fields,
            base=base,
            seq=seq,
            saved_at=now_iso(),
        )


def get_draft(db: sqlite_utils.Database, key: str) -> Draft | None:
    row = store.get(db, key)
    return Draft.model_validate(row) if row else None


def discard_draft(db: sqlite_utils.Database, key: str) -> None:
    with plain_change(db):
        store.discard(db, key)
