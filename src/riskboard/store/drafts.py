"""Drafts of the meeting app's open forms: what is typed, kept as it is typed.

Not part of the record (never audited, never hashed): a draft is scratch paper that
survives Ctrl+Q or a crash until its form is saved or cancelled. ``seq`` orders the
writes, so a late write of older text never replaces newer text. Each draft belongs to
one app session (``session``; its ``slot`` is the meeting and form), and
``app_sessions`` keeps each running app's heartbeat, so one app never takes over the
typing of another that is still running.
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
    slot: str | None = None,
    session: str | None = None,
) -> None:
    """Upsert the draft ``key`` unless a later keystroke (higher ``seq``) is stored."""
    db.execute(
        "INSERT INTO form_drafts (key, meeting_id, form, fields, base, seq, saved_at, slot,"
        " session) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
        " ON CONFLICT (key) DO UPDATE SET form = excluded.form, fields = excluded.fields,"
        " base = excluded.base, seq = excluded.seq, saved_at = excluded.saved_at"
        " WHERE excluded.seq > form_drafts.seq",
        [key, meeting_id, form, json.dumps(fields, default=str), json.dumps(base, default=str),
         seq, saved_at, slot or key, session],
    )  # fmt: skip


def _row(row: Row) -> Row:
    return {**row, "fields": json.loads(row["fields"]), "base": json.loads(row["base"])}


def get(db: sqlite_utils.Database, key: str) -> Row | None:
    rows = list(db.query("SELECT * FROM form_drafts WHERE key = ?", [key]))
    return _row(rows[0]) if rows else None


def in_slot(db: sqlite_utils.Database, slot: str) -> list[Row]:
    """Every session's draft of one form at one meeting, newest first."""
    return [
        _row(r)
        for r in db.query(
            "SELECT * FROM form_drafts WHERE slot = ? ORDER BY saved_at DESC, seq DESC", [slot]
        )
    ]


def discard(db: sqlite_utils.Database, key: str) -> None:
    db.execute("DELETE FROM form_drafts WHERE key = ?", [key])


def keys_for(db: sqlite_utils.Database, meeting_id: int | None) -> list[str]:
    return [
        r[0]
        for r in db.execute(
            "SELECT key FROM form_drafts WHERE meeting_id IS ? ORDER BY saved_at", [meeting_id]
        )
    ]


# ----------------------------------------------------------------------------- sessions


def begin_session(db: sqlite_utils.Database, session: str, *, host: str, pid: int, at: str) -> None:
    db.execute(
        "INSERT INTO app_sessions (session, host, pid, started_at, seen_at) VALUES (?, ?, ?, ?, ?)"
        " ON CONFLICT (session) DO UPDATE SET seen_at = excluded.seen_at, ended_at = NULL",
        [session, host, pid, at, at],
    )


def beat(db: sqlite_utils.Database, session: str, at: str) -> None:
    db.execute("UPDATE app_sessions SET seen_at = ? WHERE session = ?", [at, session])


def end_session(db: sqlite_utils.Database, session: str, at: str) -> None:
    db.execute(
        "UPDATE app_sessions SET ended_at = ?, seen_at = ? WHERE session = ?", [at, at, session]
    )


def session_row(db: sqlite_utils.Database, session: str) -> Row | None:
    rows = list(db.query("SELECT * FROM app_sessions WHERE session = ?", [session]))
    return rows[0] if rows else None
