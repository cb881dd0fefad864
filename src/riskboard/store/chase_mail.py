"""SQL for the owner emails: what was sent to whom for which month, risk by risk, and
which months the nightly job has prepared.

``chase_mail_sends``: one row per email, written as ``sending`` in its own transaction
*before* the message goes to the mail server (the claim), then set to ``sent`` or
``failed``. ``chase_mail_items``: the risks (and their owners) each email covered, so a
later run knows what is still to send - an email to a shared mailbox covers several
owners. A row left ``sending`` means the process stopped mid-send: the message may or
may not have gone, and nothing sends it again without being told (``--again``).
Sends are serialised by ``reports.chase_lock`` (one at a time per database).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

import sqlite_utils

from riskboard.store.db import write_transaction

Row = dict[str, Any]


def sends(db: sqlite_utils.Database, month: str) -> list[Row]:
    """Every send recorded for ``month``, oldest first."""
    return list(db.query("SELECT * FROM chase_mail_sends WHERE month = ? ORDER BY id", [month]))


def covered(db: sqlite_utils.Database, month: str) -> list[Row]:
    """Each risk an email of ``month`` covered that was sent or is under way (or was,
    when its process stopped), oldest first: owner_key, owner, ref (None: every risk
    of the owner), actions (list), and the send's id, status, address, started_at,
    finished_at."""
    rows = db.query(
        "SELECT i.owner_key, i.owner, i.ref, i.actions, s.id AS send_id, s.status,"
        " s.address, s.started_at, s.finished_at FROM chase_mail_items i"
        " JOIN chase_mail_sends s ON s.id = i.send_id"
        " WHERE s.month = ? AND s.status IN ('sending', 'sent') ORDER BY s.id, i.id",
        [month],
    )
    return [{**r, "actions": json.loads(r["actions"] or "[]")} for r in rows]


def claim(
    db: sqlite_utils.Database,
    row: Row,
    items: Sequence[tuple[str, str, str, Sequence[str]]],
    *,
    release: Iterable[int] = (),
) -> int:
    """Record that ``row``'s email (month, owner_key, address...) covering ``items``
    ((owner_key, owner, ref, action labels) each) is about to be sent; its new id. In
    the same transaction the sends ``release`` (left ``sending`` by a process that
    stopped, sent again with --again) are marked failed. One transaction."""
    with write_transaction(db):
        for send_id in release:
            db.execute(
                "UPDATE chase_mail_sends SET status = 'failed', error = coalesce(error,"
                " 'the process stopped while sending; sent again with --again')"
                " WHERE id = ? AND status = 'sending'",
                [send_id],
            )
        cur = db.execute(
            "INSERT INTO chase_mail_sends (month, owner_key, owner, address, subject,"
            " board_date, risks, message_id, status, origin, started_at)"
            " VALUES (:month, :owner_key, :owner, :address, :subject, :board_date, :risks,"
            " :message_id, 'sending', :origin, :started_at)",
            row,
        )
        send_id = int(cur.lastrowid or 0)
        db.conn.executemany(
            "INSERT INTO chase_mail_items (send_id, owner_key, owner, ref, actions)"
            " VALUES (?, ?, ?, ?, ?)",
            [(send_id, k, o, ref, json.dumps(list(a))) for k, o, ref, a in items],
        )
        return send_id


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
