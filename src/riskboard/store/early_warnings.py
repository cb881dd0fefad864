"""SQL for the NEC early warning register: monthly snapshots (written by an import), the
board's decisions on early warnings, and the notices the council drafts.

Board writes (decisions, notices) run inside the meeting service's audited step
(``board.txn``) through ``store.meetings.insert`` / ``update``; snapshots are written in
the import's transaction. Reads return plain dicts or domain models.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import sqlite_utils
from pydantic import TypeAdapter

from riskboard.domain import ref_key
from riskboard.early_warning import EarlyWarning
from riskboard.flag_details import UnreadableCell
from riskboard.store.register import _chunks, _insert_rows

Row = dict[str, Any]

EW_FIELDS: tuple[str, ...] = (
    "date_notified", "notified_by", "description", "linked_risk", "meeting_date", "decision",
    "status", "compensation_event_ref",
)  # fmt: skip
EW_ACTION_FIELDS: tuple[str, ...] = (
    "action_ref", "text", "owner", "due", "progress", "last_updated", "status",
)  # fmt: skip
_DATES = frozenset({"date_notified", "meeting_date", "due", "last_updated"})
_EWS: TypeAdapter[list[EarlyWarning]] = TypeAdapter(list[EarlyWarning])
_CELLS: TypeAdapter[list[UnreadableCell]] = TypeAdapter(list[UnreadableCell])


def _stored(field: str, value: Any) -> Any:
    return value.isoformat() if field in _DATES and value is not None else value


# ----------------------------------------------------------------------------- writes


def save_early_warnings(
    db: sqlite_utils.Database,
    *,
    import_id: int,
    month: str,
    file_name: str,
    report_date: str | None,
    early_warnings: Sequence[EarlyWarning],
) -> None:
    """Write an import's early warnings (upsert on month + reference, their actions
    replaced). The caller owns the transaction: the import's."""
    if not early_warnings:
        return
    conn = db.conn
    cols = ", ".join(EW_FIELDS)
    updates = ", ".join(f"{c}=excluded.{c}" for c in EW_FIELDS)
    _insert_rows(
        conn,
        f"INSERT INTO ew_snapshots (month, ref, ref_key, {cols}, report_date, import_id,"
        " source_file, source_sheet, source_row, unreadable) VALUES",
        f" ON CONFLICT (month, ref) DO UPDATE SET {updates}, ref_key=excluded.ref_key,"
        " report_date=excluded.report_date, import_id=excluded.import_id,"
        " source_file=excluded.source_file, source_sheet=excluded.source_sheet,"
        " source_row=excluded.source_row, unreadable=excluded.unreadable",
        [
            (month, e.ref, ref_key(e.ref), *(_stored(f, getattr(e, f)) for f in EW_FIELDS),
             report_date, import_id, file_name, e.source_sheet, e.source_row,
             _CELLS.dump_json(e.unreadable, exclude_none=True).decode() if e.unreadable else None)
            for e in early_warnings
        ],
    )  # fmt: skip
    refs = [e.ref for e in early_warnings]
    for chunk in _chunks(refs, 500):
        conn.execute(
            f"DELETE FROM ew_action_snapshots WHERE month = ? AND ew_ref IN"
            f" ({', '.join('?' for _ in chunk)})",
            [month, *chunk],
        )
    acols = ", ".join(EW_ACTION_FIELDS)
    _insert_rows(
        conn,
        f"INSERT INTO ew_action_snapshots (month, ew_ref, seq, {acols}, import_id,"
        " source_file, source_sheet, source_row) VALUES",
        "",
        [
            (month, e.ref, i, *(_stored(f, getattr(a, f)) for f in EW_ACTION_FIELDS),
             import_id, file_name, a.source_sheet, a.source_row)
            for e in early_warnings
            for i, a in enumerate(e.actions)
        ],
    )  # fmt: skip


def set_import_ew_count(db: sqlite_utils.Database, import_id: int, count: int) -> None:
    db.conn.execute("UPDATE imports SET ew_count = ? WHERE id = ?", [count, import_id])


# ----------------------------------------------------------------------------- reads


def ew_months(db: sqlite_utils.Database) -> list[str]:
    """Months with an early warning register imported, oldest first."""
    return [r[0] for r in db.execute("SELECT DISTINCT month FROM ew_snapshots ORDER BY month")]


def ew_month_for(db: sqlite_utils.Database, month: str) -> str | None:
    """The early warning register that stands for board month ``month``: its own, else
    the latest imported before it (None: none at all)."""
    row = db.execute("SELECT MAX(month) FROM ew_snapshots WHERE month <= ?", [month]).fetchone()
    return row[0] if row else None


def previous_ew_month(db: sqlite_utils.Database, month: str) -> str | None:
    row = db.execute("SELECT MAX(month) FROM ew_snapshots WHERE month < ?", [month]).fetchone()
    return row[0] if row else None


def load_early_warnings(db: sqlite_utils.Database, month: str) -> list[EarlyWarning]:
    """Every early warning of a month's register with its actions, sorted by reference."""
    actions: dict[str, list[Row]] = {}
    acols = ("ew_ref", *EW_ACTION_FIELDS, "source_sheet", "source_row")
    for row in db.conn.execute(
        f"SELECT {', '.join(acols)} FROM ew_action_snapshots WHERE month = ? ORDER BY ew_ref, seq",
        [month],
    ):
        actions.setdefault(row[0], []).append(dict(zip(acols, row, strict=True)))
    cols = ("ref", *EW_FIELDS, "source_sheet", "source_row")
    rows = []
    for row in db.conn.execute(
        f"SELECT {', '.join(cols)}, unreadable FROM ew_snapshots WHERE month = ? ORDER BY ref",
        [month],
    ):
        values = dict(zip(cols, row[:-1], strict=True))
        values["actions"] = actions.get(row[0], [])
        if row[-1] is not None:
            values["unreadable"] = json.loads(row[-1])
        rows.append(values)
    return _EWS.validate_python(rows)


def missing_open(db: sqlite_utils.Database, month: str) -> dict[str, list[str]]:
    """{register month: refs} - early warnings whose last entry on a register before
    ``month`` is open (or has no status) and that ``month``'s register does not hold."""
    rows = db.execute(
        "SELECT s.month, s.ref FROM ew_snapshots s"
        " WHERE s.month < ? AND (s.status IS NULL OR s.status = 'open')"
        " AND s.month = (SELECT MAX(t.month) FROM ew_snapshots t"
        "                WHERE t.ref_key = s.ref_key AND t.month < ?)"
        " AND s.ref_key NOT IN (SELECT ref_key FROM ew_snapshots WHERE month = ?)"
        " ORDER BY s.ref",
        [month, month, month],
    ).fetchall()
    out: dict[str, list[str]] = {}
    for last_month, ref in rows:
        out.setdefault(last_month, []).append(ref)
    return out


def ew_report_date(db: sqlite_utils.Database, month: str) -> str | None:
    row = db.execute(
        "SELECT MAX(report_date) FROM ew_snapshots WHERE month = ?", [month]
    ).fetchone()
    return row[0] if row else None


def ew_snapshot(db: sqlite_utils.Database, month: str, ref: str) -> Row | None:
    """The month's snapshot of early warning ``ref`` (any spelling: ``ref_key``)."""
    rows = list(
        db.query(
            "SELECT * FROM ew_snapshots WHERE month = ? AND ref_key = ?", [month, ref_key(ref)]
        )
    )
    return rows[0] if rows else None


def last_ew_snapshot_before(db: sqlite_utils.Database, month: str, ref: str) -> Row | None:
    rows = list(
        db.query(
            "SELECT * FROM ew_snapshots WHERE month < ? AND ref_key = ? ORDER BY month DESC"
            " LIMIT 1",
            [month, ref_key(ref)],
        )
    )
    return rows[0] if rows else None


def ew_refs_of_month(db: sqlite_utils.Database, month: str) -> list[str]:
    return [r[0] for r in db.execute("SELECT ref FROM ew_snapshots WHERE month = ?", [month])]


def ew_history(db: sqlite_utils.Database, ref: str) -> list[Row]:
    """Every month's snapshot of one early warning, oldest first, with the import."""
    return list(
        db.query(
            "SELECT s.*, i.file_name AS import_file FROM ew_snapshots s"
            " JOIN imports i ON i.id = s.import_id WHERE s.ref_key = ? ORDER BY s.month",
            [ref_key(ref)],
        )
    )


def all_ew_refs_imported(db: sqlite_utils.Database) -> list[str]:
    """Every early warning reference an imported register holds or a risk names."""
    rows = db.execute(
        "SELECT ref FROM ew_snapshots UNION SELECT early_warning_ref FROM risk_snapshots"
        " WHERE early_warning_ref IS NOT NULL"
    ).fetchall()
    return [r[0] for r in rows]


def all_ew_refs(db: sqlite_utils.Database) -> list[str]:
    """Every early warning reference the council's numbering must pass: in any register
    imported or given by a notice drafted here. The risks' EW column counts only while no
    early warning register was ever imported (review F7: a typo there, "EW-999" on no
    register, set the next council reference to EW-1000)."""
    rows = db.execute(
        "SELECT ref FROM ew_snapshots UNION SELECT ew_ref FROM ew_notices"
        " UNION SELECT early_warning_ref FROM risk_snapshots"
        " WHERE early_warning_ref IS NOT NULL AND NOT EXISTS (SELECT 1 FROM ew_snapshots)"
    ).fetchall()
    return [r[0] for r in rows]


# ----------------------------------------------------------------------------- board


def decision_row(db: sqlite_utils.Database, meeting_id: int, ew_ref: str) -> Row | None:
    rows = list(
        db.query(
            "SELECT * FROM ew_decisions WHERE meeting_id = ? AND ew_ref = ?", [meeting_id, ew_ref]
        )
    )
    return rows[0] if rows else None


def decision_row_by_id(db: sqlite_utils.Database, decision_id: int) -> Row | None:
    rows = list(db.query("SELECT * FROM ew_decisions WHERE id = ?", [decision_id]))
    return rows[0] if rows else None


def decision_rows(
    db: sqlite_utils.Database, *, meeting_id: int | None = None, before_month: str | None = None
) -> list[Row]:
    """Decisions on early warnings with their meeting's date and board month, oldest
    first (one meeting's, or those of meetings reviewing a month before ``before_month``)."""
    sql = (
        "SELECT d.*, m.meeting_date, m.month AS board_month FROM ew_decisions d"
        " JOIN meetings m ON m.id = d.meeting_id"
    )
    where: list[str] = []
    params: list[Any] = []
    if meeting_id is not None:
        where.append("d.meeting_id = ?")
        params.append(meeting_id)
    if before_month is not None:
        where.append("m.month < ?")
        params.append(before_month)
    if where:
        sql += " WHERE " + " AND ".join(where)
    return list(db.query(sql + " ORDER BY m.meeting_date, m.id, d.id", params))


def raw_decision_rows(db: sqlite_utils.Database) -> list[Row]:
    """Every ``ew_decisions`` row as stored (for the audit replay)."""
    return list(db.query("SELECT * FROM ew_decisions ORDER BY id"))


def notice_row(db: sqlite_utils.Database, ew_ref: str) -> Row | None:
    rows = list(db.query("SELECT * FROM ew_notices WHERE ref_key = ?", [ref_key(ew_ref)]))
    return rows[0] if rows else None


def notice_rows(db: sqlite_utils.Database) -> list[Row]:
    return list(db.query("SELECT * FROM ew_notices ORDER BY id"))
