"""Does the database still say what the audit log says it was changed to?

Every board change writes one audit row holding the changed row as it was after the
change (``after``). So for every audited thing - a meeting, someone's attendance, a
review, an action (and each state it went through), an escalation, an approval, a
person, a decision on an NEC early warning, an early warning notice - the newest audit row about it must match the row in the table now, field by
field. A mismatch is a direct SQL edit made around the meeting service; a row with no
audit row was written around it; an audited row that is gone was deleted around it.
This catches what the triggers do not guard (an open or closed-but-unapproved
meeting's record, an approved meeting's action status or owner) and what a dropped
trigger let through.

Only the fields an audit row holds are compared (rows written by older versions held
fewer), and a row without an audit row is reported only for a meeting created since
audit rows name their origin (migration 0006): before that not every write was audited. The exceptions, each the service's own doing without an audit row of that
thing: approving minutes adds a line to the approving meeting's ``previous_minutes_
note``; marking someone present may put them back on the people list (``active``).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any

import sqlite_utils

from riskboard.board.quorum_history import APPROVAL_CHANGE
from riskboard.store import early_warnings as ew_store
from riskboard.store import meetings as store

Row = dict[str, Any]
LIMIT = 20  # findings listed; the rest are counted


def _json(text: str | None) -> Any:
    if not text:
        return None
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return None


def _shown(value: Any) -> str:
    if value is None or value == "":
        return "(blank)"
    text = str(value)
    return repr(text if len(text) <= 80 else text[:77] + "...")


class _Check:
    """Collects the findings for one kind of thing."""

    def __init__(self) -> None:
        self.findings: list[str] = []
        # meetings created since every change is audited (their creation row names its
        # origin): only their rows must all have audit rows
        self.audited: set[int] = set()

    def compare(
        self, label: str, now: Row, audit: Row, after: Row, skip: Iterable[str] = ()
    ) -> None:
        for name, then in after.items():
            if name in skip or name not in now:
                continue
            if _same(now[name], then):
                continue
            self.findings.append(
                f"{label} {name.replace('_', ' ')} is {_shown(now[name])} but the audit log's"
                f" last change to it (row {audit['id']}: {audit['change']}) recorded"
                f" {_shown(then)}"
            )

    def missing(self, label: str, audit: Row) -> None:
        self.findings.append(
            f"{label} is in the audit log (row {audit['id']}: {audit['change']}) but no longer"
            " in the database: it was deleted around the meeting service"
        )

    def unaudited(self, label: str, meeting_id: int | None = None) -> None:
        if meeting_id is not None and meeting_id not in self.audited:
            return
        self.findings.append(
            f"{label} is in the database but in no audit row: it was written around the"
            " meeting service"
        )


def _same(now: Any, then: Any) -> bool:
    if now == then:
        return True
    if isinstance(now, int | float) and isinstance(then, int | float):
        return float(now) == float(then)
    return False


def _last(rows: list[Row], key: Callable[[Row], Any]) -> dict[Any, Row]:
    """{key: newest audit row} (rows oldest first)."""
    out: dict[Any, Row] = {}
    for row in rows:
        k = key(row)
        if k is not None:
            out[k] = row
    return out


def replay_findings(db: sqlite_utils.Database) -> list[str]:
    """Every difference between the board tables and the audit log (see the module doc),
    one sentence each; at most ``LIMIT`` listed, then a count."""
    audit = store.audit_rows(db)
    for row in audit:
        row["_after"] = _json(row["after"])
        row["_before"] = _json(row["before"])
    by_entity: dict[str, list[Row]] = {}
    for row in audit:
        by_entity.setdefault(row["entity"], []).append(row)
    check = _Check()
    check.audited = {
        int(r["entity_id"])
        for r in by_entity.get("meeting", [])
        if r["change"].startswith("meeting created") and r.get("origin")
    }
    _meetings(db, by_entity.get("meeting", []), check)
    _attendance(db, by_entity.get("attendance", []), check)
    _reviews(db, by_entity.get("review", []), check)
    _actions(db, by_entity.get("action", []), check)
    _escalations(db, by_entity.get("escalation", []), check)
    _approvals(db, by_entity.get("meeting", []), check)
    _people(db, by_entity.get("person", []), check)
    _ew_decisions(db, by_entity.get("early_warning_decision", []), check)
    _ew_notices(db, by_entity.get("early_warning_notice", []), check)
    out = check.findings
    if len(out) > LIMIT:
        out = [*out[:LIMIT], f"and {len(out) - LIMIT} more differences between the tables and"
               " the audit log"]  # fmt: skip
    return out


def _dict(row: Row) -> Row | None:
    value = row.get("_after")
    return value if isinstance(value, dict) else None


def _meetings(db: sqlite_utils.Database, rows: list[Row], check: _Check) -> None:
    last = _last(rows, lambda r: r["entity_id"])
    notes: dict[int, list[tuple[Row, str]]] = {}
    for r in rows:
        after = _dict(r)
        if r["change"] == APPROVAL_CHANGE and after and after.get("note") and r["meeting_id"]:
            notes.setdefault(int(r["meeting_id"]), []).append((r, str(after["note"])))
    for meeting in store.meeting_rows(db):
        label = f"meeting {meeting['id']}"
        audit = last.get(str(meeting["id"]))
        if audit is None:
            check.unaudited(label)
            continue
        after = _dict(audit) or {}
        check.compare(label, meeting, audit, after, skip=("previous_minutes_note",))
        if "previous_minutes_note" in after:
            added = [(r, n) for r, n in notes.get(meeting["id"], []) if r["id"] > audit["id"]]
            lines = [after["previous_minutes_note"]] + [n for _, n in added]
            expected = "\n".join(x for x in lines if x) or None
            source = added[-1][0] if added else audit  # the approval that added the last line
            check.compare(label, meeting, source, {"previous_minutes_note": expected})
    ids = {str(m["id"]) for m in store.meeting_rows(db)}
    for key, audit in last.items():
        if key not in ids:
            check.missing(f"meeting {key}", audit)


def _attendance(db: sqlite_utils.Database, rows: list[Row], check: _Check) -> None:
    def key(r: Row) -> tuple[int, int] | None:
        state = _dict(r) or (r["_before"] if isinstance(r["_before"], dict) else None)
        if not state or state.get("person_id") is None or r["meeting_id"] is None:
            return None
        return (int(r["meeting_id"]), int(state["person_id"]))

    last = _last(rows, key)
    present = {}
    for meeting in store.meeting_rows(db):
        for a in store.attendance_rows(db, meeting["id"]):
            present[(a["meeting_id"], a["person_id"])] = a
    for k, a in present.items():
        label = f"the attendance of {a['name'] or 'person ' + str(k[1])} at meeting {k[0]}"
        audit = last.get(k)
        after = _dict(audit) if audit else None
        if audit is None or after is None:
            check.unaudited(label, k[0])
            continue
        check.compare(label, a, audit, after)
    for k, audit in last.items():
        if k not in present and _dict(audit) is not None:
            check.missing(f"the attendance of {audit['entity_id']} at meeting {k[0]}", audit)


def _reviews(db: sqlite_utils.Database, rows: list[Row], check: _Check) -> None:
    last = _last(rows, lambda r: (r["meeting_id"], r["entity_id"]))
    current = {}
    for meeting in store.meeting_rows(db):
        for r in store.review_rows(db, meeting["id"]):
            current[(r["meeting_id"], r["ref"])] = r
    for k, r in current.items():
        label = f"the review of {k[1]} at meeting {k[0]}"
        audit = last.get(k)
        after = _dict(audit) if audit else None
        if audit is None or after is None:
            check.unaudited(label, k[0])
            continue
        check.compare(label, r, audit, after)
    for k, audit in last.items():
        if k not in current:
            check.missing(f"the review of {k[1]} at meeting {k[0]}", audit)


# each recorded state of an action; owner and the withdrawal reason are compared only
# where the state row holds them (states written before they were kept hold none)
_STATE = ("status", "progress", "revised_due")
_STATE_IF_KEPT = ("owner", "withdrawn_reason")


def _actions(db: sqlite_utils.Database, rows: list[Row], check: _Check) -> None:
    history: dict[str, list[Row]] = {}
    for r in rows:
        history.setdefault(str(r["entity_id"]), []).append(r)
    current = {str(a["number"]): a for a in store.action_rows(db)}
    states: dict[str, list[Row]] = {}
    for u in store.action_update_rows(db):
        states.setdefault(str(u["action_number"]), []).append(u)
    for number, action in current.items():
        label = f"action {number}"
        audits = history.get(number, [])
        if not audits:
            check.unaudited(label, action["meeting_id"])
            continue
        check.compare(label, action, audits[-1], _dict(audits[-1]) or {})
        if action["meeting_id"] not in check.audited:
            continue  # raised before every change was audited: its states may not all be
        kept = states.get(number, [])
        if len(kept) != len(audits):
            check.findings.append(
                f"{label} has {len(kept)} recorded state{'s' if len(kept) != 1 else ''} in the"
                f" action log but the audit log recorded {len(audits)} change"
                f"{'s' if len(audits) != 1 else ''} to it: states were added or deleted around"
                " the meeting service"
            )
            continue
        for state, audit in zip(kept, audits, strict=True):
            after = _dict(audit) or {}
            wanted = {f: after[f] for f in _STATE if f in after}
            wanted |= {f: after[f] for f in _STATE_IF_KEPT if f in after and state.get(f)}
            if state["meeting_id"] != audit["meeting_id"]:
                wanted["meeting_id"] = audit["meeting_id"]
            check.compare(f"{label}'s state recorded at meeting {state['meeting_id']}",
                          state, audit, wanted)  # fmt: skip
    for number, audits in history.items():
        if number not in current:
            check.missing(f"action {number}", audits[-1])


def _escalations(db: sqlite_utils.Database, rows: list[Row], check: _Check) -> None:
    last = _last(rows, lambda r: r["entity_id"])
    current = {str(e["id"]): e for e in store.escalation_rows(db)}
    for key, e in current.items():
        label = f"escalation {key} ({e['ref']})"
        audit = last.get(key)
        if audit is None:
            check.unaudited(label, e["meeting_id"])
            continue
        check.compare(label, e, audit, _dict(audit) or {})
    for key, audit in last.items():
        if key not in current:
            check.missing(f"escalation {key}", audit)


def _approvals(db: sqlite_utils.Database, rows: list[Row], check: _Check) -> None:
    """Each approvals row against the approval recorded in its audit row (the migration
    that added the table backfilled approvals made before it: those compare the hash)."""
    audits = {r["entity_id"]: r for r in rows if r["change"] == APPROVAL_CHANGE}
    for approval in store.approval_rows(db):
        label = f"the approval of meeting {approval['meeting_id']}'s minutes"
        audit = audits.get(str(approval["meeting_id"]))
        if audit is None:
            continue  # reported by verify with the meeting's own checks
        after = _dict(audit) or {}
        recorded = after.get("approval")
        if not isinstance(recorded, dict):
            recorded = {"content_hash": after.get("content_hash")}
        check.compare(label, approval, audit, recorded, skip=("id",))


def _people(db: sqlite_utils.Database, rows: list[Row], check: _Check) -> None:
    last = _last(rows, lambda r: (_dict(r) or {}).get("id"))
    for person in store.people_rows(db, include_inactive=True):
        audit = last.get(person["id"])
        if audit is None:
            continue  # added by marking them present: their attendance row is audited
        after = _dict(audit) or {}
        check.compare(f"person {person['name']!r}", person, audit, after, skip=("active",))


def _by_row_id(rows: list[Row]) -> dict[str, Row]:
    """{the audited row's id: newest audit row} (the id is in the row written)."""
    return _last(rows, lambda r: str((_dict(r) or {}).get("id") or "") or None)


def _ew_decisions(db: sqlite_utils.Database, rows: list[Row], check: _Check) -> None:
    """Each decision on an early warning against its last audit row (issue 14)."""
    last = _by_row_id(rows)
    current = {str(d["id"]): d for d in ew_store.raw_decision_rows(db)}
    for key, d in current.items():
        label = f"the decision on early warning {d['ew_ref']} at meeting {d['meeting_id']}"
        audit = last.get(key)
        if audit is None:
            check.unaudited(label, d["meeting_id"])
            continue
        check.compare(label, d, audit, _dict(audit) or {})
    for key, audit in last.items():
        if key not in current:
            after = _dict(audit) or {}
            check.missing(
                f"the decision on early warning {after.get('ew_ref')} at meeting"
                f" {after.get('meeting_id')}",
                audit,
            )


def _ew_notices(db: sqlite_utils.Database, rows: list[Row], check: _Check) -> None:
    """Each early warning notice (its reserved reference) against its last audit row;
    every notice was drafted through the audited step (they came with it)."""
    last = _by_row_id(rows)
    current = {str(n["id"]): n for n in ew_store.notice_rows(db)}
    for key, n in current.items():
        label = f"early warning notice {n['ew_ref']}"
        audit = last.get(key)
        if audit is None:
            check.unaudited(label)
            continue
        check.compare(label, n, audit, _dict(audit) or {})
    for key, audit in last.items():
        if key not in current:
            check.missing(f"early warning notice {(_dict(audit) or {}).get('ew_ref')}", audit)
