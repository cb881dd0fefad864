"""Verifying the board record: has anything been changed behind the service's back?

``verify(db, meeting_id)`` compares, for a meeting whose minutes were approved:
- the record now (hashed as the record version the approval stored) with the hash
  stored on the meeting;
- that stored hash with the one recorded at approval - in the ``approvals`` row and
  in the approval's audit row - and with the hash printed on the minutes, if given;
- whether the meeting still says it was approved (an un-approval clears it);
- whether the meeting that approved it, if itself approved, still matches its hash
  (its record holds this meeting's approval hash);
and adds what ``audit_findings`` says about the whole database: protective triggers
missing or altered, breaks in the audit chain, and triggers the service had to put
back earlier. Any finding makes the result TAMPERED.
"""

from __future__ import annotations

import json
from typing import Any

import sqlite_utils

from riskboard.board.guards import get_meeting
from riskboard.board.models import Meeting, VerifyResult
from riskboard.board.record import content_hash
from riskboard.store import integrity
from riskboard.store import meetings as store


def short(digest: str | None) -> str:
    return f"{digest[:12]}..." if digest else "none"


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
    findings += chain_findings(store.audit_rows(db))
    for row in store.audit_rows(db):
        if row["entity"] == "integrity":
            findings.append(
                f"audit row {row['id']} records that the protective triggers were found"
                f" missing or altered and put back at {row['at']}: until then rows could"
                " have been changed or deleted unseen"
            )
    return findings


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


def _approval_audits(db: sqlite_utils.Database, meeting_id: int) -> list[dict[str, Any]]:
    """The audit rows recording the approval of ``meeting_id``'s minutes, with the hash
    each recorded (``recorded``)."""
    out = []
    for row in store.approval_audit_rows(db):
        if row["entity_id"] != str(meeting_id):
            continue
        after = json.loads(row["after"]) if row["after"] else {}
        after = after if isinstance(after, dict) else {}
        approval = after.get("approval")
        approval = approval if isinstance(approval, dict) else {}
        recorded = after.get("content_hash") or approval.get("content_hash")
        out.append({**row, "recorded": recorded, "approving": row["meeting_id"]})
    return out


def verify(
    db: sqlite_utils.Database,
    meeting_id: int,
    *,
    anchor: str | None = None,
    with_audit_log: bool = True,
) -> VerifyResult:
    """Check a meeting's approved record against every trace of its approval (see the
    module doc). ``anchor`` is the sha256 printed on the approved minutes, if the caller
    has them. ``with_audit_log=False`` leaves out ``audit_findings`` (a caller checking
    many meetings reports those once). An unapproved meeting without any approval trace
    has nothing to verify."""
    meeting = get_meeting(db, meeting_id)
    approval = store.approval_row(db, meeting_id)
    audits = _approval_audits(db, meeting_id)
    version = int(approval["record_version"]) if approval else 1
    computed = content_hash(db, meeting_id, version)
    if not meeting.locked and approval is None and not audits:
        return VerifyResult(
            meeting_id=meeting_id,
            approved=False,
            stored_hash=None,
            computed_hash=computed,
            ok=False,
            message=f"{meeting.label}: minutes not approved yet, nothing to verify",
        )
    stored = meeting.content_hash
    recorded = (approval or {}).get("content_hash") or next(
        (a["recorded"] for a in audits if a["recorded"]), None
    )
    approver = meeting.approved_by_meeting_id or (approval or {}).get("approving_meeting_id")
    when = (
        meeting.approved_at
        or (approval or {}).get("approved_at")
        or (audits[0]["at"] if audits else None)
    )
    findings = _meeting_findings(db, meeting, approval, audits, stored, recorded, computed)
    if anchor is not None:
        printed = anchor.strip().lower()
        if printed != (recorded or stored):
            findings.insert(
                0,
                f"the hash printed on the minutes you hold ({short(printed)}) is not the one"
                f" recorded at approval ({short(recorded or stored)})",
            )
    if with_audit_log:
        findings += audit_findings(db)
    ok = not findings
    message = (
        f"{meeting.label}: record unchanged since its minutes were approved at meeting"
        f" {approver}; sha256 {stored}"
        if ok
        else f"{meeting.label}: TAMPERED - {findings[0]}"
    )
    return VerifyResult(
        meeting_id=meeting_id,
        approved=meeting.locked,
        stored_hash=stored,
        computed_hash=computed,
        ok=ok,
        message=message,
        findings=findings,
        recorded_hash=recorded,
        approved_at=when,
    )


def _meeting_findings(
    db: sqlite_utils.Database,
    meeting: Meeting,
    approval: dict[str, Any] | None,
    audits: list[dict[str, Any]],
    stored: str | None,
    recorded: str | None,
    computed: str,
) -> list[str]:
    out: list[str] = []
    approver = meeting.approved_by_meeting_id or (approval or {}).get("approving_meeting_id")
    trace = (
        f"approvals record and audit row {audits[0]['id']}"
        if approval and audits
        else "approvals record"
        if approval
        else f"audit row {audits[0]['id']}"
    )
    if not meeting.locked:
        at = (approval or {}).get("approved_at") or (audits[0]["at"] if audits else "?")
        out.append(
            f"its minutes were approved at meeting {approver} ({at}, sha256 {short(recorded)};"
            f" {trace}) but the meeting no longer records the approval: it was un-approved"
        )
    elif stored is None:
        out.append(
            f"the hash stored when its minutes were approved at meeting {approver} has been"
            f" cleared (recorded at approval: {short(recorded)}; {trace})"
        )
    if meeting.locked and stored is not None and recorded is not None and stored != recorded:
        out.append(
            f"the hash stored on the meeting ({short(stored)}) is not the one recorded when"
            f" its minutes were approved ({short(recorded)}; {trace}): it was replaced"
        )
    if approval is None:
        out.append("its approval record is missing from the approvals table")
    if not audits:
        out.append("the audit row of its approval is missing")
    for a in audits:
        if approval is not None and a["recorded"] != approval["content_hash"]:
            out.append(
                f"the approvals record's hash ({short(approval['content_hash'])}) differs from"
                f" the one in the approval's audit row {a['id']} ({short(a['recorded'])})"
            )
    expected = recorded or stored
    if expected is not None and computed != expected:
        out.append(
            "the record no longer matches the hash stored when its minutes were approved at"
            f" meeting {approver} ({meeting.approved_at or (approval or {}).get('approved_at')})"
        )
    if approver is not None:
        out += _approver_findings(db, int(approver), meeting.id)
    return out


def _approver_findings(db: sqlite_utils.Database, approver_id: int, meeting_id: int) -> list[str]:
    """The approving meeting's record holds this meeting's approval hash: once it is
    itself approved, it must still match the hash stored then."""
    approver = store.meeting_row(db, approver_id)
    own = store.approval_row(db, approver_id)
    if approver is None:
        return [f"meeting {approver_id}, which approved these minutes, is missing"]
    if own is None:
        return []
    if content_hash(db, approver_id, int(own["record_version"])) != own["content_hash"]:
        return [
            f"the record of meeting {approver_id}, which approved these minutes, no longer"
            " matches its own approval hash (it holds this meeting's approval)"
        ]
    return []


def approval_traced_meetings(db: sqlite_utils.Database) -> list[int]:
    """Every meeting with any trace of an approval (on the meeting, in approvals or in
    the audit log): the ones ``meeting verify`` checks."""
    ids = {r["id"] for r in store.meeting_rows(db) if r["approved_at"] is not None}
    ids |= {r["meeting_id"] for r in store.approval_rows(db)}
    for row in store.approval_audit_rows(db):
        try:
            ids.add(int(row["entity_id"]))
        except (TypeError, ValueError):
            continue
    return sorted(ids)
