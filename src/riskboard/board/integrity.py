"""Verifying the board record: has anything been changed behind the service's back?

``verify(db, meeting_id)`` checks any meeting. For one not approved yet: its record
against the hash taken when it closed (``board.seal``), and the audit log. For a
meeting whose minutes were approved, it compares:
- the record now (hashed as the record version the approval stored) with the hash
  stored on the meeting;
- that stored hash with the one recorded at approval - in the ``approvals`` row and
  in the approval's audit row - and with the hash printed on the minutes, if given;
- whether the meeting still says it was approved (an un-approval clears it);
- whether the meeting that approved it, if itself approved, still matches its hash
  (its record holds this meeting's approval hash);
- the hash recorded at approval with the one taken when the meeting closed;
and adds what ``audit_findings`` (``board.log_check``) says about the whole database:
protective triggers missing, altered or foreign, breaks in the audit chain, triggers
the service had to put back earlier, approvals whose recorded chain head no longer
matches, and tables that differ from the audit log. With ``chain_anchor`` (the audit
chain head printed on minutes) it checks the log still holds that row and hash. Any
finding makes the result TAMPERED.
"""

from __future__ import annotations

import json
from typing import Any

import sqlite_utils

from riskboard.board.guards import get_meeting
from riskboard.board.log_check import ChainHead, audit_findings, check_anchor
from riskboard.board.models import Meeting, MeetingStatus, VerifyResult
from riskboard.board.record import content_hash
from riskboard.board.seal import close_seal, seal_finding
from riskboard.store import meetings as store


def short(digest: str | None) -> str:
    return f"{digest[:12]}..." if digest else "none"


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
    chain_anchor: ChainHead | None = None,
    with_audit_log: bool = True,
) -> VerifyResult:
    """Check a meeting's record against every trace of its close and approval (see the
    module doc). ``anchor`` is the sha256 printed on the approved minutes, if the caller
    has them; ``chain_anchor`` the audit chain head printed on any minutes.
    ``with_audit_log=False`` leaves out ``audit_findings`` (a caller checking many
    meetings reports those once). ``ok``: every check passed, approved or not."""
    meeting = get_meeting(db, meeting_id)
    approval = store.approval_row(db, meeting_id)
    audits = _approval_audits(db, meeting_id)
    version = int(approval["record_version"]) if approval else 1
    computed = content_hash(db, meeting_id, version)
    general = audit_findings(db) if with_audit_log else []
    if chain_anchor is not None:
        general = check_anchor(db, chain_anchor) + general
    if not meeting.locked and approval is None and not audits:
        return _unapproved(db, meeting, anchor, general)
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
    findings += general
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


def _unapproved(
    db: sqlite_utils.Database, meeting: Meeting, anchor: str | None, general: list[str]
) -> VerifyResult:
    """A meeting whose minutes are not approved (and never were): what can be checked -
    its record against the hash taken when it closed, and the audit log."""
    computed = content_hash(db, meeting.id)
    findings: list[str] = []
    if anchor is not None:
        findings.append(
            f"the minutes of {meeting.label} were never approved: no approved minutes printed"
            f" the hash {short(anchor.strip().lower())}"
        )
    seal = close_seal(db, meeting.id)
    changed = seal_finding(db, meeting) if meeting.status == MeetingStatus.CLOSED else None
    if changed:
        findings.append(changed)
    findings += general
    if findings:
        message = f"{meeting.label}: TAMPERED - {findings[0]}"
    elif meeting.status != MeetingStatus.CLOSED:
        message = (
            f"{meeting.label}: not approved yet (still {meeting.status.value.replace('_', ' ')});"
            " the audit log holds every change to it"
        )
    elif seal is not None:
        message = (
            f"{meeting.label}: not approved yet; record unchanged since it closed"
            f" ({seal.at}); sha256 {seal.digest}"
        )
    else:
        message = (
            f"{meeting.label}: not approved yet; closed before riskboard kept a hash at the"
            " close, so only the audit log can be checked"
        )
    return VerifyResult(
        meeting_id=meeting.id,
        approved=False,
        stored_hash=None,
        computed_hash=computed,
        ok=not findings,
        message=message,
        findings=findings,
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
    seal = close_seal(db, meeting.id)
    if (
        seal is not None
        and recorded is not None
        and approval is not None
        and seal.version == int(approval["record_version"])
        and seal.digest != recorded
    ):
        out.append(
            f"the hash recorded at approval ({short(recorded)}) is not the one taken when the"
            f" meeting closed ({short(seal.digest)}, audit row {seal.audit_id}): the record was"
            " changed between the close and the approval"
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


def verifiable_meetings(db: sqlite_utils.Database) -> list[int]:
    """What ``meeting verify`` with no id checks: every closed meeting (its record against
    the hash at close) and every meeting with any trace of an approval."""
    closed = {r["id"] for r in store.meeting_rows(db) if r["status"] == MeetingStatus.CLOSED}
    return sorted(closed | set(approval_traced_meetings(db)))


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
