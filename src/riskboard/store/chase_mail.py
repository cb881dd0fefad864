"""SQL for the owner emails: what was sent to whom for which month, and which months
the nightly job has prepared.

``chase_mail_sends``: a row is written as ``sending`` in its own transaction *before*
the message goes to the mail server (the claim), then set to ``sent`` or ``failed``.
A row left ``sending`` means the process stopped mid-send: the message may or may not
have gone, and nothing sends it again without being told (``--again``). The claim is
taken with the write lock held, so two processes never both send one owner's email.
"""

from __future__ import annotations

from typing import Any

import sqlite_utils

from riskboard.store.db import write_transaction

Row = dict[str, Any]


def sends(db: sqlite_utils.Database, month: str) -> list[Row]:
    """Every send recorded for ``month``, oldest first."""
    return list(db.query("SELECT * FROM chase_mail_sends WHERE month = ? ORDER BY id", [month]))


def claim(
    db: sqlite_utils.Database, row: Row, *, again: bool, stale_before: str
) -> tuple[int | None, Row | None]:
    """Record that ``row``'s email (month, owner_key...) is about to be sent: its new id
    and None. Nothing is recorded - (None, the blocking row) - when another send of it
    is under way or ended without an answer (``sending``), or when it was already sent
    and ``again`` is false. With ``again``, a ``sending`` row started before
    ``stale_before`` (UTC ISO; its process is long gone) is marked failed and no longer
    blocks."""
    with write_transaction(db):
        if again:
            db.execute(
                "UPDATE chase_mail_sends SET status = 'failed', error = coalesce(error,"
                " 'the process stopped while sending; sent again with --again')"
                " WHERE month = ? AND owner_key = ? AND status = 'sending' AND started_at < ?",
                [row["month"], row["owner_key"], stale_before],
            )
        earlier = list(
            db.query(
                "SELECT * FROM chase_mail_sends WHERE month = ? AND owner_key = ?"
                " AND status IN ('sending', 'sent') ORDER BY id DESC",
                [row["month"], row["owner_key"]],
            )
        )
        blocking = next((r for r in earlier if r["status"] == "sending"), None)
        if blocking is None and earlier and not again:
            blocking = earlier[0]
        if blocking is not None:
            return None, blocking
        cur = db.execute(
            "INSERT INTO chase_mail_sends (month, owner_key, owner, address, subject,"
            " board_date, risks, message_id, status, origin, started_at)"
            " VALUES (:month, :owner_key, :owner, :address, :subject, :board_date, :risks,"
            " :message_id, 'sending', :origin, :started_at)",
            row,
        )
        return int(cur.lastrowid or 0), None


def finish(
    db: sqlite_utils.Database,
    send_id: int,
    *,
    status: str,
    finished_at: str,
    error: str | None = None,
) -> None:
    """Set the outcome of a claimed send (``sent`` or ``failed``)."""
    with write_transaction(db):
        db.execute(
            "UPDATE chase_mail_sends SET status = ?, error = ?, finished_at = ? WHERE id = ?",
            [status, error, finished_at, send_id],
        )


def scheduled_run(db: sqlite_utils.Database, month: str) -> Row | None:
    rows = list(db.query("SELECT * FROM chase_mail_runs WHERE month = ?", [month]))
    return rows[0] if rows else None


def record_scheduled_run(db: sqlite_utils.Database, row: Row) -> None:
    """The nightly job prepared ``row['month']``'s emails (replacing a partial run)."""
    with write_transaction(db):
        db.execute(
            "INSERT INTO chase_mail_runs (month, board_date, mode, outcome, detail, folder,"
            " done_at) VALUES (:month, :board_date, :mode, :outcome, :detail, :folder,"
            " :done_at) ON CONFLICT(month) DO UPDATE SET board_date = excluded.board_date,"
            " mode = excluded.mode, outcome = excluded.outcome, detail = excluded.detail,"
            " folder = excluded.folder, done_at = excluded.done_at",
            row,
        )
