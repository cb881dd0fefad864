"""Drafts of the meeting app's open forms: what is typed, kept as it is typed.

Not part of the record (never audited, never hashed): a draft is scratch paper that
survives Ctrl+Q or a crash until its form is saved or cancelled. ``seq`` orders the
writes, so a late write of older text never replaces newer text.
"""

from __future__ import annotations

import json
from typing import Any

import sqlite_utils

Row = dict[str, Any]


def save(
    db: sqlite_utils.Database,
    key: str,
    *,
    meeting_id: int | None,
    form: str,
    fields: dict[str, Any],
    base: dict[str, Any],
    seq: int,
    saved_at: str,
) -> None:
    """Upsert the draft ``key`` unless a later keystroke (higher ``seq``) is stored."""
    db.execute(
        "INSERT INTO form_drafts (key, meeting_id, form, fields, base, seq, saved_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)"
        " ON CONFLICT (key) DO UPDATE SET form = excluded.form, fields = excluded.fields,"
        " base = excluded.base, seq = excluded.seq, saved_at = excluded.saved_at"
        " WHERE excluded.seq > form_drafts.seq",
        [key, meeting_id, form, json.dumps(fields, default=str), json.dumps(base, default=str),
         seq, saved_at],
    )  # fmt: skip


def get(db: sqlite_utils.Database, key: str) -> Row | None:
    rows = list(db.query("SELECT * FROM form_drafts WHERE key = ?", [key]))
    if not rows:
        return None
    row = rows[0]
    return {**row, "fields": json.loads(row["fields"]), "base": json.loads(row["base"])}


def discard(db: sqlite_utils.Database, key: str) -> None:
    db.execute("DELETE FROM form_drafts WHERE key = ?", [key])


def keys_for(db: sqlite_utils.Database, meeting_id: int | None) -> list[str]:
    return [
        r[0]
        for r in db.execute(
            "SELECT key FROM form_drafts WHERE meeting_id IS ? ORDER BY saved_at", [meeting_id]
        )
    ]
