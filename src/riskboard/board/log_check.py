"""Checking the audit log as a whole, and the anchors that reach outside the database.

``audit_findings`` says, one sentence each, what is wrong with the board's audit log and
what it records: protective triggers missing or altered, triggers riskboard did not
create, breaks in the hash chain, triggers the service had to put back (or foreign ones
it removed), approvals whose recorded chain head no longer matches the log, and every
difference between the tables and the audit log (``board.replay``).

What the database alone cannot show: someone with write access and riskboard's own code
can rewrite the tables, the audit rows after a point and the chain hashes consistently.
Only an anchor held outside the database catches that: the audit chain head (row id and
hash) printed on every exported minutes and by ``meeting verify`` - ``check_anchor``
tells whether the log still holds that row with that hash - and the record hash printed
on approved minutes (``verify(anchor=...)``).
"""

from __future__ import annotations

import json
import re
from typing import Any, NamedTuple

import sqlite_utils

from riskboard.board.replay import replay_findings
from riskboard.errors import RiskboardError
from riskboard.store import integrity
from riskboard.store import meetings as store


class ChainHead(NamedTuple):
    """The newest audit row: its id and hash (the anchor minutes print)."""

    id: int
    hash: str

    def __str__(self) -> str:
        return f"row {self.id}, sha256 {self.hash}"

    @property
    def anchor(self) -> str:
        """As ``meeting verify --anchor`` takes it: ``ROW:HASH``."""
        return f"{self.id}:{self.hash}"


def chain_head(db: sqlite_utils.Database) -> ChainHead | None:
    """The head of the audit chain now (None: no audit rows yet)."""
    row = store.chain_head(db)
    return ChainHead(int(row["id"]), str(row["row_hash"] or "")) if row else None


_ANCHOR = re.compile(r"^\s*(?:row\s*)?(\d+)\s*[:,]\s*(?:sha256\s*)?([0-9a-fA-F]{16,64})\s*$")


def parse_anchor(text: str) -> ChainHead:
    """``ROW:HASH`` (as printed: "row 41, sha256 ab12..." also reads); at least 16 hex
    digits of the hash. RiskboardError on anything else."""
    match = _ANCHOR.match(text or "")
    if match is None:
        raise RiskboardError(
            f"bad anchor {text!r}: give the audit row and hash printed on the minutes as"
            " ROW:HASH (e.g. 41:3f9a0c...; at least 16 hex digits of the hash)"
        )
    return ChainHead(int(match.group(1)), match.group(2).lower())


def check_anchor(db: sqlite_utils.Database, anchor: ChainHead) -> list[str]:
    """Does the audit log still hold row ``anchor.id`` with that hash? Empty: yes."""
    row = store.audit_row(db, anchor.id)
    head = chain_head(db)
    if row is None:
        end = f"the log now ends at row {head.id}" if head else "the log is empty"
        return [
            f"the audit row {anchor.id} you hold (sha256 {anchor.hash[:12]}...) is no longer in"
            f" the audit log ({end}): rows were deleted from its end"
        ]
    if not str(row["row_hash"] or "").startswith(anchor.hash):
        return [
            f"audit row {anchor.id} now hashes {str(row['row_hash'])[:12]}..., not"
            f" {anchor.hash[:12]}... as you hold it: the log up to that row was rewritten"
        ]
    return []


def audit_findings(db: sqlite_utils.Database) -> list[str]:
    """What is wrong with the audit log as a whole, one sentence each (empty: sound)."""
    findings = []
    problems = integrity.trigger_problems(db)
    if problems:
        findings.append(
            f"protective triggers missing or altered: {_listed(problems)} - audit rows and"
            " approved records could be changed or deleted unseen (the meeting service puts"
            " them back at its next change and records that it did)"
        )
    for name, t in integrity.foreign_triggers(db).items():
        findings.append(
            f"trigger {name} on table {t['table']} was not created by riskboard: it can change"
            " what is recorded as it is written (the meeting service removes it at its next"
            " change and records that it did)"
        )
    rows = store.audit_rows(db)
    findings += chain_findings(rows)
    for row in rows:
        if row["entity"] == "integrity":
            findings.append(_integrity_row(row))
    findings += approval_pin_findings(db)
    findings += replay_findings(db)
    return findings


def _integrity_row(row: dict[str, Any]) -> str:
    before = json.loads(row["before"]) if row["before"] else {}
    foreign = before.get("foreign") if isinstance(before, dict) else None
    problems = before.get("problems") if isinstance(before, dict) else None
    parts = []
    if problems or not foreign:
        parts.append("the protective triggers were found missing or altered and put back")
    if foreign:
        parts.append(f"triggers riskboard did not create ({', '.join(foreign)}) were removed")
    risk = (
        "rows could have been changed or deleted unseen"
        if problems or not foreign
        else "what the service wrote could have been rewritten as it was written"
    )
    return f"audit row {row['id']} records that {' and '.join(parts)} at {row['at']}: until then {risk}"


_FIRST = ("audit_log_", "approvals_", "meetings_")


def _listed(problems: dict[str, str], shown: int = 4) -> str:
    """The audit log's and approvals' triggers first; past ``shown``, a count."""
    order = sorted(
        problems,
        key=lambda n: (next((i for i, p in enumerate(_FIRST) if n.startswith(p)), 9), n),
    )
    named = ", ".join(f"{n} ({problems[n]})" for n in order[:shown])
    rest = len(order) - shown
    return named + (f" and {rest} more" if rest > 0 else "")


def chain_findings(rows: list[dict[str, Any]], limit: int = 5) -> list[str]:
    """Breaks in the audit chain, oldest first (at most ``limit``)."""
    out: list[str] = []
    prev_id, prev_hash = 0, integrity.GENESIS
    for row in rows:
        if len(out) >= limit:
            break
        rid = row["id"]
        if not row.get("row_hash"):
            out.append(f"audit row {rid} carries no chain hash: it was written around the service")
        elif integrity.row_hash(row) != row["row_hash"]:
            out.append(
                f"audit row {rid} was changed after it was written: its contents no longer"
                " match its hash"
            )
        if rid != prev_id + 1:
            gap = f"row {prev_id + 1}" if rid == prev_id + 2 else f"rows {prev_id + 1}-{rid - 1}"
            out.append(f"the audit chain is broken before audit row {rid}: {gap} deleted")
        elif row.get("prev_hash") != prev_hash:
            out.append(
                f"the audit chain is broken at audit row {rid}: it does not follow row"
                f" {prev_id} (an earlier row was changed or replaced)"
            )
        prev_id, prev_hash = rid, row.get("row_hash") or ""
    return out


def approval_pin_findings(db: sqlite_utils.Database) -> list[str]:
    """Each approval recorded the audit chain head as it stood: the log must still hold
    that row with that hash (a later approval pins the log written before it)."""
    out = []
    for approval in store.approval_rows(db):
        pin = json.loads(approval["chain_head"]) if approval.get("chain_head") else None
        if not isinstance(pin, dict) or pin.get("id") is None:
            continue
        row = store.audit_row(db, int(pin["id"]))
        if row is None or row["row_hash"] != pin.get("hash"):
            now = "is gone" if row is None else f"now hashes {str(row['row_hash'])[:12]}..."
            out.append(
                f"the approval of meeting {approval['meeting_id']}'s minutes recorded audit row"
                f" {pin['id']} as the head of the log (sha256 {str(pin.get('hash'))[:12]}...),"
                f" but that row {now}: the log before that approval was rewritten"
            )
    return out
