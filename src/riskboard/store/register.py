"""Imported register snapshots: writing an import, reading months, risks and actions."""

from __future__ import annotations

import json
import operator
import sqlite3
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from itertools import chain
from typing import Any

import sqlite_utils
from pydantic import TypeAdapter

from riskboard.domain import Risk, ref_key
from riskboard.flag_details import UnreadableCell
from riskboard.speed import gc_paused, install_none_adapter

_RISK_LIST: TypeAdapter[list[Risk]] = TypeAdapter(list[Risk])


# binding None faster on Python 3.11 (process-wide: see riskboard.speed)
install_none_adapter()

RISK_FIELDS: tuple[str, ...] = (
    "title", "description", "cause", "effect", "annex", "category", "owner",
    "inherent_likelihood", "inherent_impact", "inherent_score",
    "current_likelihood", "current_impact", "current_score",
    "target_likelihood", "target_impact", "target_score",
    "strategy", "strategy_text", "status", "trend", "controls",
    "exposure", "early_warning_ref", "compensation_event_ref",
)  # fmt: skip
ACTION_FIELDS: tuple[str, ...] = (
    "action_ref", "text", "owner", "due", "progress", "last_updated", "status",
)  # fmt: skip


@dataclass
class ImportRecord:
    """What an import writes into the imports table."""

    file_name: str
    sha256: str
    month: str
    file_path: str | None = None
    report_date: str | None = None
    sheets: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    source: str = "cli"


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def find_import_by_sha(db: sqlite_utils.Database, sha256: str) -> dict[str, Any] | None:
    rows = list(db.query("SELECT * FROM imports WHERE sha256 = ?", [sha256]))
    return rows[0] if rows else None


def save_import(db: sqlite_utils.Database, record: ImportRecord, risks: Sequence[Risk]) -> int:
    """Write one import: the imports row, each risk's snapshot (upsert on month+ref) and
    its actions (replacing that risk's actions for the month). The caller owns the
    transaction (``with db.atomic():``) so the flags recompute joins it."""
    conn = db.conn
    action_count = sum(len(r.actions) for r in risks)
    cur = conn.execute(
        "INSERT INTO imports (file_name, file_path, sha256, month, report_date, sheets,"
        " risk_count, action_count, warning_count, warnings, source, imported_at)"
        " VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
        (
            record.file_name, record.file_path, record.sha256, record.month,
            record.report_date, json.dumps(record.sheets), len(risks), action_count,
            len(record.warnings), json.dumps(record.warnings), record.source, now_iso(),
        ),
    )  # fmt: skip
    import_id = int(cur.lastrowid or 0)
    month = record.month
    cols = ", ".join(RISK_FIELDS)
    updates = ", ".join(f"{c}=excluded.{c}" for c in RISK_FIELDS)
    _insert_rows(
        conn,
        f"INSERT INTO risk_snapshots (month, ref, {cols}, report_date, import_id,"
        " source_file, source_sheet, source_row, unreadable, ref_key) VALUES",
        f" ON CONFLICT (month, ref) DO UPDATE SET {updates}, report_date=excluded.report_date,"
        " import_id=excluded.import_id, source_file=excluded.source_file,"
        " source_sheet=excluded.source_sheet, source_row=excluded.source_row,"
        " unreadable=excluded.unreadable, ref_key=excluded.ref_key",
        [
            (month, r.ref, *_risk_values(vars(r)), record.report_date,
             import_id, record.file_name, r.source_sheet, r.source_row,
             _cells_json(r.unreadable) if r.unreadable else None, ref_key(r.ref))
            for r in risks
        ],
    )  # fmt: skip
    # a month's first import has no actions to replace (skip ~35 no-op DELETEs)
    if conn.execute("SELECT 1 FROM action_snapshots WHERE month = ? LIMIT 1", [month]).fetchone():
        refs = [r.ref for r in risks]
        for chunk in _chunks(refs, 500):
            conn.execute(
                f"DELETE FROM action_snapshots WHERE month = ? AND risk_ref IN"
                f" ({', '.join('?' for _ in chunk)})",
                [month, *chunk],
            )
    acols = ", ".join(ACTION_FIELDS)
    file_name = record.file_name
    iso = _IsoDates()
    _insert_rows(
        conn,
        f"INSERT INTO action_snapshots (month, risk_ref, seq, {acols}, import_id,"
        " source_file, source_sheet, source_row) VALUES",
        "",
        [
            (month, ref, i, action_ref, text, owner, due and iso[due], progress,
             updated and iso[updated], status, import_id, file_name, sheet, row)
            for r in risks
            for ref in (r.ref,)
            for i, (action_ref, text, owner, due, progress, updated, status, sheet, row)
            in enumerate(map(_action_values, map(vars, r.actions)))
        ],
    )  # fmt: skip
    return import_id


# bound parameters per statement: SQLite's historical limit (999 before 3.32)
_MAX_PARAMETERS = 999


def _insert_rows(
    conn: sqlite3.Connection, head: str, tail: str, rows: list[tuple[Any, ...]]
) -> None:
    """``head`` + VALUES for each row + ``tail``, a few dozen rows per statement: SQLite
    runs one statement per batch instead of per row (~20% faster than executemany of
    one row). Rows are inserted in order, exactly as one at a time."""
    if not rows:
        return
    width = len(rows[0])
    per = max(1, _MAX_PARAMETERS // width)
    one = "(" + ", ".join("?" * width) + ")"
    full = len(rows) - len(rows) % per
    if full:
        conn.executemany(
            f"{head} {', '.join([one] * per)}{tail}",
            (tuple(chain.from_iterable(rows[i : i + per])) for i in range(0, full, per)),
        )
    if full < len(rows):
        rest = rows[full:]
        conn.execute(
            f"{head} {', '.join([one] * len(rest))}{tail}", tuple(chain.from_iterable(rest))
        )


# Field values straight from a model's __dict__ (where pydantic keeps them): an
# attribute read on a model goes through BaseModel.__getattr__'s slot, ~3x the work.
# The risk columns hold no dates, so a risk's values go to SQLite as they are.
_risk_values = operator.itemgetter(*RISK_FIELDS)
_action_values = operator.itemgetter(*ACTION_FIELDS, "source_sheet", "source_row")


_CELLS: TypeAdapter[list[UnreadableCell]] = TypeAdapter(list[UnreadableCell])


def _cells_json(cells: list[UnreadableCell]) -> str:
    return _CELLS.dump_json(cells, exclude_none=True).decode()


class _IsoDates(dict[date, str]):
    """date -> ISO text, formatted once per distinct date (an export repeats its due
    and update dates; ``date.isoformat`` goes through printf)."""

    def __missing__(self, day: date) -> str:
        text = self[day] = day.isoformat()
        return text


def _chunks(items: list[str], size: int) -> Iterable[list[str]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


# ----------------------------------------------------------------------------- reads


def months(db: sqlite_utils.Database) -> list[str]:
    """Board months with data, oldest first."""
    return [
        r["month"] for r in db.query("SELECT DISTINCT month FROM risk_snapshots ORDER BY month")
    ]


def latest_month(db: sqlite_utils.Database) -> str | None:
    row = db.execute("SELECT MAX(month) FROM risk_snapshots").fetchone()
    return row[0] if row else None


def previous_month_with_data(db: sqlite_utils.Database, month: str) -> str | None:
    row = db.execute("SELECT MAX(month) FROM risk_snapshots WHERE month < ?", [month]).fetchone()
    return row[0] if row else None


def next_month_with_data(db: sqlite_utils.Database, month: str) -> str | None:
    row = db.execute("SELECT MIN(month) FROM risk_snapshots WHERE month > ?", [month]).fetchone()
    return row[0] if row else None


def load_month(
    db: sqlite_utils.Database,
    month: str,
    *,
    actions_for: Collection[str] | None = None,
    fields: Sequence[str] = RISK_FIELDS,
) -> list[Risk]:
    """Every risk of a month with its actions, as domain objects, sorted by ref.
    ``actions_for`` limits the actions loaded to those risks (the flag rules need the
    previous month's actions only where this month's carry no last-updated date);
    ``fields`` limits the risk columns read (the others are left None).

    This is the hot path of every agenda and flag list: the cyclic garbage collector
    is paused while ~20,000 short-lived rows are built (it otherwise rescans the
    growing heap several times and doubles the time)."""
    with gc_paused():
        return _load_month(db.conn, month, actions_for, fields)


def _load_month(
    conn: sqlite3.Connection,
    month: str,
    actions_for: Collection[str] | None,
    fields: Sequence[str],
) -> list[Risk]:
    actions: dict[str, list[dict[str, Any]]] = {}
    acols = ("risk_ref", *ACTION_FIELDS, "source_sheet", "source_row")
    select = f"SELECT {', '.join(acols)} FROM action_snapshots WHERE month = ?"
    if actions_for is None:
        batches: Iterable[list[Any]] = [[month]]
    else:
        select += " AND risk_ref IN ({})"
        batches = ([month, *chunk] for chunk in _chunks(sorted(actions_for), 500))
    for params in batches:
        sql = select.format(", ".join("?" * (len(params) - 1)))
        for row in conn.execute(sql + " ORDER BY risk_ref, seq", params):
            actions.setdefault(row[0], []).append(dict(zip(acols, row, strict=True)))
    rcols = ("ref", *(f for f in fields if f in RISK_FIELDS), "source_sheet", "source_row")
    rows = []
    for row in conn.execute(
        f"SELECT {', '.join(rcols)}, unreadable FROM risk_snapshots WHERE month = ? ORDER BY ref",
        [month],
    ):
        values = dict(zip(rcols, row[:-1], strict=True))
        values["actions"] = actions.get(row[0], [])
        if row[-1] is not None:  # NULL for almost every risk
            values["unreadable"] = json.loads(row[-1])
        rows.append(values)
    # one validation call in pydantic-core for the whole month: ~10x faster than
    # building 20,000 models one by one in Python
    return _RISK_LIST.validate_python(rows)


def annex_names(db: sqlite_utils.Database) -> list[str]:
    """Every service annex name stored, as first written: oldest month first, then
    first written within that month.

    Read by every import, so it must not grow with the history: the distinct names
    are walked one seek at a time on the ``(annex, month)`` index, and each one's first
    month and first row in it found by seeks (a GROUP BY over every month's rows took
    ~0.2 s at 120 months)."""
    rows = db.execute(
        """
        WITH RECURSIVE names(annex) AS (
            SELECT MIN(annex) FROM risk_snapshots WHERE annex IS NOT NULL
            UNION ALL
            SELECT (SELECT MIN(annex) FROM risk_snapshots WHERE annex > names.annex)
            FROM names WHERE names.annex IS NOT NULL
        ),
        firsts(annex, month) AS (
            SELECT annex, (SELECT MIN(month) FROM risk_snapshots s WHERE s.annex = names.annex)
            FROM names WHERE annex IS NOT NULL
        )
        SELECT annex FROM firsts ORDER BY month, (
            SELECT MIN(id) FROM risk_snapshots s
            WHERE s.annex = firsts.annex AND s.month = firsts.month
        )
        """
    ).fetchall()
    return [r[0] for r in rows]


def data_version(db: sqlite_utils.Database) -> int:
    """SQLite's ``PRAGMA data_version``: changes when another connection commits."""
    return int(db.execute("PRAGMA data_version").fetchone()[0])


# what two files' rows of one risk are compared on (the fields the board acts on)
SAME_RISK_FIELDS: tuple[str, ...] = (
    "title", "owner", "status", "strategy_text", "current_likelihood", "current_impact",
    "current_score",
)  # fmt: skip


def rows_from_other_files(
    db: sqlite_utils.Database, month: str, file_name: str, keys: Sequence[str]
) -> dict[str, dict[str, Any]]:
    """ref_key -> the month's stored row of that risk, for rows another file gave
    (``source_file``, ``source_sheet``, ``source_row`` and ``SAME_RISK_FIELDS``)."""
    cols = ", ".join(("ref_key", "ref", "source_file", "source_sheet", "source_row",
                      *SAME_RISK_FIELDS))  # fmt: skip
    found: dict[str, dict[str, Any]] = {}
    for chunk in _chunks(list(keys), 500):
        cur = db.conn.execute(
            f"SELECT {cols} FROM risk_snapshots WHERE month = ? AND source_file IS NOT ?"
            f" AND ref_key IN ({', '.join('?' for _ in chunk)})",
            [month, file_name, *chunk],
        )
        names = [d[0] for d in cur.description]
        for row in cur.fetchall():
            found[row[0]] = dict(zip(names, row, strict=True))
    return found


def month_has_data(db: sqlite_utils.Database, month: str) -> bool:
    return (
        db.execute("SELECT 1 FROM risk_snapshots WHERE month = ? LIMIT 1", [month]).fetchone()
        is not None
    )


def month_report_date(db: sqlite_utils.Database, month: str) -> str | None:
    """The latest report date given by any import of the month (ISO), if any."""
    row = db.execute(
        "SELECT MAX(report_date) FROM risk_snapshots WHERE month = ?", [month]
    ).fetchone()
    return row[0] if row else None


# Where one risk is looked up across months: the snapshot index is led by the month
# (migration 0012, so an import writes new pages only), and naming the months lets
# SQLite seek once per month instead of scanning every month's rows.
HISTORY_MONTHS = "month IN (SELECT month FROM imports)"


def ref_spellings(db: sqlite_utils.Database, ref: str) -> list[str]:
    """Every spelling the exports gave the risk ``ref`` names (matched by ``ref_key``:
    case, spaces and the kind of dash aside), the latest month's first; empty when no
    export holds it."""
    rows = db.execute(
        f"SELECT ref FROM risk_snapshots WHERE ref_key = ? AND {HISTORY_MONTHS}"
        " GROUP BY ref ORDER BY MAX(month) DESC",
        [ref_key(ref)],
    ).fetchall()
    return [r[0] for r in rows]


def risk_history(db: sqlite_utils.Database, ref: str) -> list[dict[str, Any]]:
    """Every month's snapshot row of one risk, oldest first, with its actions and import.
    ``ref`` matches each month's spelling ignoring case, spaces and the kind of dash."""
    rows = list(
        db.query(
            "SELECT s.*, i.file_name AS import_file, i.imported_at FROM risk_snapshots s"
            " JOIN imports i ON i.id = s.import_id"
            f" WHERE s.ref_key = ? AND s.{HISTORY_MONTHS} ORDER BY s.month",
            [ref_key(ref)],
        )
    )
    for row in rows:
        row["unreadable"] = json.loads(row["unreadable"]) if row.get("unreadable") else []
        row["actions"] = list(
            db.query(
                "SELECT * FROM action_snapshots WHERE month = ? AND risk_ref = ? ORDER BY seq",
                [row["month"], row["ref"]],
            )
        )
    return rows


def replace_flags(
    db: sqlite_utils.Database, month: str, flags: Iterable[tuple[str, str, str]]
) -> None:
    """Replace the stored flags of a month with (ref, code, details as JSON text) triples."""
    db.conn.execute("DELETE FROM flag_results WHERE month = ?", [month])
    _insert_rows(
        db.conn,
        "INSERT INTO flag_results (month, ref, code, details) VALUES",
        "",
        [(month, ref, code, details) for ref, code, details in flags],
    )


def stored_flags(db: sqlite_utils.Database, month: str) -> dict[str, dict[str, dict[str, Any]]]:
    """{ref: {code: details}} for a month as last computed."""
    out: dict[str, dict[str, dict[str, Any]]] = {}
    for r in db.query("SELECT ref, code, details FROM flag_results WHERE month = ?", [month]):
        out.setdefault(r["ref"], {})[r["code"]] = json.loads(r["details"])
    return out


def last_import_id(db: sqlite_utils.Database) -> int:
    """The id of the newest import (0 if none): a cheap "has anything arrived?" marker."""
    row = db.execute("SELECT COALESCE(MAX(id), 0) FROM imports").fetchone()
    return int(row[0])


def imports_since(db: sqlite_utils.Database, import_id: int) -> list[dict[str, Any]]:
    """Imports newer than ``import_id``, oldest first."""
    return list(
        db.query(
            "SELECT id, file_name, month, risk_count, imported_at, source FROM imports"
            " WHERE id > ? ORDER BY id",
            [import_id],
        )
    )
