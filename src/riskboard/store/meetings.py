"""SQL for the board: meetings, people, attendance, reviews, actions, escalations, audit.

Writes must run inside the caller's ``with db.atomic():`` (the meeting service owns the
transaction, so each change and its audit row commit together); every write helper
refuses to run outside one rather than leave an implicit transaction open. Reads
return plain dicts (rows); the service turns them into models.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import sqlite_utils

from riskboard.store.integrity import GENESIS, row_hash

Row = dict[str, Any]

_TABLE_KEYS: dict[str, tuple[str, ...]] = {
    "meetings": ("id",),
    "people": ("id",),
    "attendance": ("meeting_id", "person_id"),
    "reviews": ("id",),
    "board_actions": ("number",),
    "action_updates": ("id",),
    "escalations": ("id",),
    "audit_log": ("id",),
    "approvals": ("id",),
    "ew_decisions": ("id",),
    "ew_notices": ("id",),
}


class NotInTransaction(RuntimeError):
    """A board write was attempted outside ``db.atomic()`` (a programming error)."""


def _require_txn(db: sqlite_utils.Database) -> None:
    if not db.conn.in_transaction:
        raise NotInTransaction("board writes must run inside `with db.atomic():`")


def _one(db: sqlite_utils.Database, sql: str, params: list[Any]) -> Row | None:
    rows = list(db.query(sql, params))
    return rows[0] if rows else None


# ----------------------------------------------------------------------------- writes


def insert(db: sqlite_utils.Database, table: str, values: Row) -> int:
    """Insert one row into a board table; returns its rowid (the id / action number)."""
    _require_txn(db)
    if table not in _TABLE_KEYS:
        raise ValueError(f"not a board table: {table}")
    cols = ", ".join(values)
    marks = ", ".join("?" for _ in values)
    cur = db.conn.execute(f"INSERT INTO {table} ({cols}) VALUES ({marks})", list(values.values()))
    return int(cur.lastrowid or 0)


def update(db: sqlite_utils.Database, table: str, key: Row, values: Row) -> None:
    """Update the row of ``table`` identified by ``key`` (its primary key columns)."""
    _require_txn(db)
    if table not in _TABLE_KEYS or tuple(key) != _TABLE_KEYS[table]:
        raise ValueError(f"bad key {tuple(key)} for {table}")
    sets = ", ".join(f"{c} = ?" for c in values)
    where = " AND ".join(f"{c} = ?" for c in key)
    db.conn.execute(f"UPDATE {table} SET {sets} WHERE {where}", [*values.values(), *key.values()])


def delete_attendance(db: sqlite_utils.Database, meeting_id: int, person_id: int) -> None:
    _require_txn(db)
    db.conn.execute(
        "DELETE FROM attendance WHERE meeting_id = ? AND person_id = ?", [meeting_id, person_id]
    )


def insert_audit(
    db: sqlite_utils.Database,
    *,
    at: str,
    meeting_id: int | None,
    actor: str | None,
    origin: str | None,
    entity: str,
    entity_id: str | None,
    change: str,
    before: Row | None,
    after: Row | None,
) -> int:
    """Append one audit row, chained to the row before it (``store.integrity``)."""
    _require_txn(db)
    last = _one(db, "SELECT id, row_hash FROM audit_log ORDER BY id DESC LIMIT 1", [])
    row: Row = {
        "id": (last["id"] + 1) if last else 1,
        "at": at,
        "meeting_id": meeting_id,
        "actor": actor,
        "origin": origin,
        "entity": entity,
        "entity_id": entity_id,
        "change": change,
        "before": None if before is None else json.dumps(before, default=str),
        "after": None if after is None else json.dumps(after, default=str),
        "prev_hash": (last["row_hash"] or GENESIS) if last else GENESIS,
    }
    row["row_hash"] = row_hash(row)
    return insert(db, "audit_log", row)


# ----------------------------------------------------------------------------- meetings


def meeting_row(db: sqlite_utils.Database, meeting_id: int) -> Row | None:
    return _one(db, "SELECT * FROM meetings WHERE id = ?", [meeting_id])


def meeting_rows(db: sqlite_utils.Database) -> list[Row]:
    return list(db.query("SELECT * FROM meetings ORDER BY id"))


def unclosed_meeting_row(db: sqlite_utils.Database) -> Row | None:
    """The meeting not yet closed (draft or in progress), latest first."""
    return _one(db, "SELECT * FROM meetings WHERE status != 'closed' ORDER BY id DESC LIMIT 1", [])


def last_meeting_row(db: sqlite_utils.Database) -> Row | None:
    return _one(db, "SELECT * FROM meetings ORDER BY id DESC LIMIT 1", [])


# ----------------------------------------------------------------------------- people


def person_by_name(db: sqlite_utils.Database, name: str) -> Row | None:
    # spaces as ``board.guards.clean_name`` stores them: "Helen  Marsh" finds Helen Marsh
    return _one(db, "SELECT * FROM people WHERE name = ? COLLATE NOCASE", [" ".join(name.split())])


def person_by_id(db: sqlite_utils.Database, person_id: int) -> Row | None:
    return _one(db, "SELECT * FROM people WHERE id = ?", [person_id])


def people_rows(db: sqlite_utils.Database, *, include_inactive: bool = False) -> list[Row]:
    where = "" if include_inactive else "WHERE active = 1"
    return list(db.query(f"SELECT * FROM people {where} ORDER BY organisation, name"))


def attendance_rows(db: sqlite_utils.Database, meeting_id: int) -> list[Row]:
    return list(
        db.query(
            "SELECT * FROM attendance WHERE meeting_id = ? ORDER BY organisation, name",
            [meeting_id],
        )
    )


def attendance_row(db: sqlite_utils.Database, meeting_id: int, person_id: int) -> Row | None:
    return _one(
        db,
        "SELECT * FROM attendance WHERE meeting_id = ? AND person_id = ?",
        [meeting_id, person_id],
    )


# ----------------------------------------------------------------------------- risks


def risk_snapshot(db: sqlite_utils.Database, month: str, ref: str) -> Row | None:
    """The month's snapshot of a risk: exact ref first, else a unique case-insensitive match."""
    row = _one(db, "SELECT * FROM risk_snapshots WHERE month = ? AND ref = ?", [month, ref])
    if row:
        return row
    rows = list(
        db.query(
            "SELECT * FROM risk_snapshots WHERE month = ? AND ref = ? COLLATE NOCASE",
            [month, ref.strip()],
        )
    )
    return rows[0] if len(rows) == 1 else None


def last_snapshot_before(db: sqlite_utils.Database, month: str, ref: str) -> Row | None:
    """The latest snapshot of ``ref`` from a month before ``month`` (exact ref first,
    else a unique case-insensitive match): a risk's last known state when it is missing
    from the board month's export."""
    # the months named, so SQLite seeks (month, ref) once per month (migration 0012)
    sql = (
        "SELECT * FROM risk_snapshots WHERE month IN (SELECT month FROM imports WHERE month < ?)"
        " AND ref = ?{} ORDER BY month DESC LIMIT 2"
    )
    row = _one(db, sql.format(""), [month, ref])
    if row:
        return row
    rows = list(db.query(sql.format(" COLLATE NOCASE"), [month, ref.strip()]))
    refs = {r["ref"] for r in rows}
    return rows[0] if len(refs) == 1 else None


def _board_scope(month: str, before_meeting_id: int | None) -> tuple[str, list[object]]:
    """The meetings whose record counts for board month ``month``: those reviewing it or
    an earlier month, and - with ``before_meeting_id`` - held before that meeting
    (meeting ids follow meeting dates)."""
    if before_meeting_id is None:
        return "m.month <= ?", [month]
    return "m.month <= ? AND m.id < ?", [month, before_meeting_id]


def strategy_decisions(
    db: sqlite_utils.Database, *, month: str, before_meeting_id: int | None = None
) -> list[Row]:
    """Every strategy the board recorded at meetings reviewing ``month`` or an earlier
    month (only those held before meeting ``before_meeting_id`` when given), oldest
    first: ref, strategy, rationale, review_by, decision, meeting_id, meeting_date,
    month."""
    scope, params = _board_scope(month, before_meeting_id)
    return list(
        db.query(
            "SELECT r.ref, r.strategy, r.rationale, r.review_by, r.decision, r.meeting_id,"
            " m.meeting_date, m.month FROM reviews r JOIN meetings m ON m.id = r.meeting_id"
            f" WHERE r.strategy IS NOT NULL AND {scope}"
            " ORDER BY m.meeting_date, m.id, r.id",
            params,
        )
    )


def accepted_escalation_rows(
    db: sqlite_utils.Database, *, month: str, before_meeting_id: int | None = None
) -> list[Row]:
    """Escalations and de-escalations accepted at meetings reviewing ``month`` or an
    earlier month (only at meetings held before ``before_meeting_id`` when given),
    oldest first."""
    scope, params = _board_scope(month, before_meeting_id)
    return list(
        db.query(
            "SELECT e.* FROM escalations e JOIN meetings m ON m.id = e.decided_meeting_id"
            f" WHERE e.status = 'accepted' AND {scope} ORDER BY e.id",
            params,
        )
    )


def board_date_row(
    db: sqlite_utils.Database, month: str, meeting_id: int | None = None
) -> Row | None:
    """The meeting a board month is seen at: meeting ``meeting_id``, else the latest
    meeting reviewing ``month`` (None if there is none)."""
    if meeting_id is not None:
        return meeting_row(db, meeting_id)
    return _one(db, "SELECT * FROM meetings WHERE month = ? ORDER BY id DESC LIMIT 1", [month])


def month_refs(db: sqlite_utils.Database, month: str) -> list[str]:
    return [r[0] for r in db.execute("SELECT ref FROM risk_snapshots WHERE month = ?", [month])]


def month_has_data(db: sqlite_utils.Database, month: str) -> bool:
    return (
        db.execute("SELECT 1 FROM risk_snapshots WHERE month = ? LIMIT 1", [month]).fetchone()
        is not None
    )


# ----------------------------------------------------------------------------- reviews


def review_row(db: sqlite_utils.Database, meeting_id: int, ref: str) -> Row | None:
    return _one(db, "SELECT * FROM reviews WHERE meeting_id = ? AND ref = ?", [meeting_id, ref])


def review_rows(db: sqlite_utils.Database, meeting_id: int) -> list[Row]:
    return list(db.query("SELECT * FROM reviews WHERE meeting_id = ? ORDER BY ref", [meeting_id]))


def risk_review_rows(db: sqlite_utils.Database, refs: Sequence[str]) -> list[Row]:
    """Every review of the risk spelled any of ``refs`` at any meeting, oldest meeting
    first, with the meeting's date and board month (``meeting_date``, ``meeting_month``)."""
    marks = ", ".join("?" * len(refs))
    return list(
        db.query(
            "SELECT r.*, m.meeting_date, m.month AS meeting_month FROM reviews r"
            f" JOIN meetings m ON m.id = r.meeting_id WHERE r.ref IN ({marks})"
            " ORDER BY m.meeting_date, m.id",
            list(refs),
        )
    )


def latest_strategy_rows(db: sqlite_utils.Database, *, upto_meeting_id: int) -> list[Row]:
    """For each risk, the last review recording a strategy at a meeting up to and
    including ``upto_meeting_id`` (meeting ids follow meeting dates): the review's
    columns with ``meeting_date`` and ``meeting_month``."""
    return list(
        db.query(
            "SELECT r.*, m.meeting_date, m.month AS meeting_month FROM reviews r"
            " JOIN meetings m ON m.id = r.meeting_id"
            " WHERE r.strategy IS NOT NULL AND r.meeting_id <= ?"
            " AND r.meeting_id = (SELECT MAX(r2.meeting_id) FROM reviews r2"
            "   WHERE r2.ref = r.ref AND r2.strategy IS NOT NULL AND r2.meeting_id <= ?)"
            " ORDER BY r.ref",
            [upto_meeting_id, upto_meeting_id],
        )
    )


# ----------------------------------------------------------------------------- actions


def action_row(db: sqlite_utils.Database, number: int) -> Row | None:
    return _one(db, "SELECT * FROM board_actions WHERE number = ?", [number])


def action_rows(
    db: sqlite_utils.Database,
    *,
    raised_at: int | None = None,
    raised_before: int | None = None,
    risk_ref: str | None = None,
) -> list[Row]:
    """Actions as they are now, optionally only those raised at / before a meeting or
    on one risk."""
    where: list[str] = []
    params: list[Any] = []
    if risk_ref is not None:
        where.append("risk_ref = ? COLLATE NOCASE")
        params.append(risk_ref)
    if raised_at is not None:
        where.append("meeting_id = ?")
        params.append(raised_at)
    if raised_before is not None:
        where.append("meeting_id < ?")
        params.append(raised_before)
    clause = f"WHERE {' AND '.join(where)}" if where else ""
    return list(db.query(f"SELECT * FROM board_actions {clause} ORDER BY number", params))


def action_states(
    db: sqlite_utils.Database, meeting_id: int, *, inclusive: bool = True
) -> dict[int, Row]:
    """{action number: its latest update row} as at the end of ``meeting_id`` (or, with
    ``inclusive=False``, as it stood when that meeting began). Every action has an
    update row from the meeting that raised it, so each row is a full state."""
    op = "<=" if inclusive else "<"
    rows = db.query(
        f"SELECT u.* FROM action_updates u WHERE u.id = (SELECT MAX(id) FROM action_updates"
        f" WHERE action_number = u.action_number AND meeting_id {op} ?)",
        [meeting_id],
    )
    return {r["action_number"]: r for r in rows}


def action_update_rows(
    db: sqlite_utils.Database, *, meeting_id: int | None = None, number: int | None = None
) -> list[Row]:
    where, params = [], []
    if meeting_id is not None:
        where.append("meeting_id = ?")
        params.append(meeting_id)
    if number is not None:
        where.append("action_number = ?")
        params.append(number)
    clause = f"WHERE {' AND '.join(where)}" if where else ""
    return list(db.query(f"SELECT * FROM action_updates {clause} ORDER BY id", params))


def first_update_ids(db: sqlite_utils.Database) -> set[int]:
    """Ids of the update rows written when each action was raised (not updates proper)."""
    return {r[0] for r in db.execute("SELECT MIN(id) FROM action_updates GROUP BY action_number")}


# ----------------------------------------------------------------------------- escalations


def escalation_row(db: sqlite_utils.Database, escalation_id: int) -> Row | None:
    return _one(db, "SELECT * FROM escalations WHERE id = ?", [escalation_id])


def escalation_rows(
    db: sqlite_utils.Database,
    *,
    meeting_id: int | None = None,
    decided_meeting_id: int | None = None,
    status: str | None = None,
    ref: str | None = None,
) -> list[Row]:
    where, params = [], []
    for col, val in (
        ("meeting_id", meeting_id),
        ("decided_meeting_id", decided_meeting_id),
        ("status", status),
        ("ref", ref),
    ):
        if val is not None:
            where.append(f"{col} = ?")
            params.append(val)
    clause = f"WHERE {' AND '.join(where)}" if where else ""
    return list(db.query(f"SELECT * FROM escalations {clause} ORDER BY id", params))


# ----------------------------------------------------------------------------- audit


def last_audit_id(db: sqlite_utils.Database) -> int:
    """The id of the newest audit row (0 when there is none): the board's change counter."""
    return int(db.execute("SELECT COALESCE(MAX(id), 0) FROM audit_log").fetchone()[0])


def audit_rows_after(db: sqlite_utils.Database, audit_id: int) -> list[Row]:
    return list(db.query("SELECT * FROM audit_log WHERE id > ? ORDER BY id", [audit_id]))


def last_audit_of(db: sqlite_utils.Database, entity: str, entity_id: str) -> Row | None:
    """The newest audit row about one thing (an attendance, a review, an action...)."""
    return _one(
        db,
        "SELECT * FROM audit_log WHERE entity = ? AND entity_id = ? ORDER BY id DESC LIMIT 1",
        [entity, entity_id],
    )


def approval_audit_rows(db: sqlite_utils.Database) -> list[Row]:
    """The audit rows written when minutes were approved, oldest first."""
    return list(
        db.query(
            "SELECT * FROM audit_log WHERE entity = 'meeting'"
            " AND change = 'previous minutes approved' ORDER BY id"
        )
    )


def close_audit_rows(db: sqlite_utils.Database, meeting_id: int) -> list[Row]:
    """The audit rows written when meeting ``meeting_id`` was closed, oldest first."""
    return list(
        db.query(
            "SELECT * FROM audit_log WHERE entity = 'meeting' AND entity_id = ?"
            " AND change LIKE 'meeting closed%' ORDER BY id",
            [str(meeting_id)],
        )
    )


def chain_head(db: sqlite_utils.Database) -> Row | None:
    """The newest audit row's id and row_hash: the head of the audit chain."""
    return _one(db, "SELECT id, row_hash FROM audit_log ORDER BY id DESC LIMIT 1", [])


def audit_row(db: sqlite_utils.Database, audit_id: int) -> Row | None:
    return _one(db, "SELECT * FROM audit_log WHERE id = ?", [audit_id])


# ----------------------------------------------------------------------------- approvals


def approval_row(db: sqlite_utils.Database, meeting_id: int) -> Row | None:
    """The approval of meeting ``meeting_id``'s minutes, if any."""
    return _one(db, "SELECT * FROM approvals WHERE meeting_id = ?", [meeting_id])


def approval_rows(db: sqlite_utils.Database, *, approving: int | None = None) -> list[Row]:
    """Every approval (or those made at meeting ``approving``), by approved meeting."""
    if approving is None:
        return list(db.query("SELECT * FROM approvals ORDER BY meeting_id"))
    return list(
        db.query(
            "SELECT * FROM approvals WHERE approving_meeting_id = ? ORDER BY meeting_id",
            [approving],
        )
    )


def audit_rows(db: sqlite_utils.Database, *, meeting_id: int | None = None) -> list[Row]:
    if meeting_id is None:
        return list(db.query("SELECT * FROM audit_log ORDER BY id"))
    return list(db.query("SELECT * FROM audit_log WHERE meeting_id = ? ORDER BY id", [meeting_id]))
