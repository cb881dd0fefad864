"""What makes the board record tamper-evident in the database itself.

- The audit log is a hash chain: each row carries ``prev_hash`` (the ``row_hash`` of the
  row before it; ``GENESIS`` for the first) and its own ``row_hash`` - the sha256 of its
  id, contents and ``prev_hash``. A row edited or deleted in the middle breaks the chain
  at the next row; a row edited in place no longer matches its own hash.
- Triggers refuse UPDATE and DELETE on ``audit_log`` and ``approvals``, and any change
  to the record of a meeting whose minutes were approved (``PROTECTIVE_TRIGGERS``).
  Someone with the database file can drop them; ``trigger_problems`` says which are
  missing or altered, and ``create_triggers`` puts them back. A trigger riskboard did
  not create (``foreign_triggers``) could rewrite rows as they are written.

The chain function here is the one the migration uses to chain rows written before it,
and the one ``board.audit`` uses for every new row.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from typing import Any

import sqlite_utils

GENESIS = "0" * 64
CHAINED_FIELDS = (
    "id", "at", "meeting_id", "actor", "origin", "entity", "entity_id", "change", "before",
    "after", "prev_hash",
)  # fmt: skip


def row_hash(row: Mapping[str, Any]) -> str:
    """sha256 (hex) of an audit row's chained fields (``before``/``after`` as stored text)."""
    body = json.dumps([row.get(f) for f in CHAINED_FIELDS], separators=(",", ":"))
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def _refuse(name: str, table: str, event: str, message: str, when: str = "") -> str:
    return (
        f"CREATE TRIGGER {name} BEFORE {event} ON {table}{when}"
        f" BEGIN SELECT RAISE(ABORT, '{message}'); END"
    )


def _locked(column: str) -> str:
    return f" WHEN (SELECT approved_at FROM meetings WHERE id = {column}) IS NOT NULL"


_APPROVED = "the minutes of this meeting were approved: its record is read-only"

PROTECTIVE_TRIGGERS: dict[str, str] = {
    "audit_log_no_update": _refuse(
        "audit_log_no_update", "audit_log", "UPDATE", "audit_log is append-only"
    ),
    "audit_log_no_delete": _refuse(
        "audit_log_no_delete", "audit_log", "DELETE", "audit_log is append-only"
    ),
    "approvals_no_update": _refuse(
        "approvals_no_update", "approvals", "UPDATE", "approvals are append-only"
    ),
    "approvals_no_delete": _refuse(
        "approvals_no_delete", "approvals", "DELETE", "approvals are append-only"
    ),
    "meetings_approved_no_update": _refuse(
        "meetings_approved_no_update", "meetings", "UPDATE", _APPROVED,
        " WHEN OLD.approved_at IS NOT NULL",
    ),
    "meetings_approved_no_delete": _refuse(
        "meetings_approved_no_delete", "meetings", "DELETE", _APPROVED,
        " WHEN OLD.approved_at IS NOT NULL",
    ),
    # the risks an approved meeting reviewed, who attended, and the action states it
    # recorded never change
    **{
        f"{table}_approved_no_{event.lower()}": _refuse(
            f"{table}_approved_no_{event.lower()}", table, event, _APPROVED,
            _locked("NEW.meeting_id" if event == "INSERT" else "OLD.meeting_id"),
        )
        for table in ("reviews", "attendance", "action_updates")
        for event in ("INSERT", "UPDATE", "DELETE")
    },
    # actions and escalations raised at an approved meeting change status later, but
    # what was raised (text, risk, reason...) does not
    "board_actions_approved_no_rewrite": _refuse(
        "board_actions_approved_no_rewrite", "board_actions",
        "UPDATE OF meeting_id, text, due, risk_ref, created_at", _APPROVED,
        _locked("OLD.meeting_id"),
    ),
    # an early warning's decision at an approved meeting never changes; an action's
    # early warning, like its risk, is part of what was raised (issue 14)
    **{
        f"ew_decisions_approved_no_{event.lower()}": _refuse(
            f"ew_decisions_approved_no_{event.lower()}", "ew_decisions", event, _APPROVED,
            _locked("NEW.meeting_id" if event == "INSERT" else "OLD.meeting_id"),
        )
        for event in ("INSERT", "UPDATE", "DELETE")
    },
    "board_actions_approved_no_ew_rewrite": _refuse(
        "board_actions_approved_no_ew_rewrite", "board_actions", "UPDATE OF ew_ref", _APPROVED,
        _locked("OLD.meeting_id"),
    ),
    "escalations_approved_no_rewrite": _refuse(
        "escalations_approved_no_rewrite", "escalations",
        "UPDATE OF meeting_id, ref, target, direction, source, reason, exposure,"
        " proposed_owner, risk_title, risk_score, created_at", _APPROVED,
        _locked("OLD.meeting_id"),
    ),
}  # fmt: skip


# created by migration 0012 with the table they guard (0006 creates the others)
ADDED_IN_0012: tuple[str, ...] = (
    "ew_decisions_approved_no_insert",
    "ew_decisions_approved_no_update",
    "ew_decisions_approved_no_delete",
    "board_actions_approved_no_ew_rewrite",
)


def _normal(sql: str | None) -> str:
    return re.sub(r"\s+", " ", sql or "").strip().lower()


def trigger_problems(db: sqlite_utils.Database) -> dict[str, str]:
    """{trigger name: "missing" | "altered"} for each protective trigger not as built."""
    present = {
        r[0]: r[1] for r in db.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'")
    }
    problems = {}
    for name, sql in PROTECTIVE_TRIGGERS.items():
        if name not in present:
            problems[name] = "missing"
        elif _normal(present[name]) != _normal(sql):
            problems[name] = "altered"
    return problems


def foreign_triggers(db: sqlite_utils.Database) -> dict[str, dict[str, str]]:
    """{name: {"table": ..., "sql": ...}} for every trigger riskboard did not create: one
    can rewrite what the service writes as it is written (a decision, an audit row)."""
    return {
        r[0]: {"table": r[1], "sql": r[2] or ""}
        for r in db.execute(
            "SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'trigger' ORDER BY name"
        )
        if r[0] not in PROTECTIVE_TRIGGERS
    }


def drop_triggers(db: sqlite_utils.Database, names: list[str]) -> None:
    """Drop the named triggers (the caller owns the transaction)."""
    for name in names:
        db.execute(f'DROP TRIGGER IF EXISTS "{name.replace(chr(34), chr(34) * 2)}"')


def create_triggers(db: sqlite_utils.Database, names: list[str] | None = None) -> None:
    """(Re)create protective triggers (all, or ``names``), replacing altered ones. The
    caller owns the transaction."""
    for name in names if names is not None else list(PROTECTIVE_TRIGGERS):
        db.execute(f"DROP TRIGGER IF EXISTS {name}")
        db.execute(PROTECTIVE_TRIGGERS[name])


def chain_existing_rows(db: sqlite_utils.Database) -> int:
    """Give every audit row written before the chain existed its ``prev_hash`` and
    ``row_hash``, in id order; returns how many rows were chained. Runs inside the
    migration's transaction with the append-only update trigger lifted."""
    db.execute("DROP TRIGGER IF EXISTS audit_log_no_update")
    prev = GENESIS
    count = 0
    rows = list(db.query("SELECT * FROM audit_log ORDER BY id"))
    for row in rows:
        row = {**row, "prev_hash": prev}
        digest = row_hash(row)
        db.execute(
            "UPDATE audit_log SET prev_hash = ?, row_hash = ? WHERE id = ?",
            [prev, digest, row["id"]],
        )
        prev = digest
        count += 1
    return count
