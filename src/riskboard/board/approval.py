"""Approving the previous minutes as a correct record.

Business like any decision: the approving meeting must be in progress and quorate at
that moment (rule 1). The approved meeting is locked for good; the sha256 of its
canonical record is stored on it, in an append-only ``approvals`` row (with the
record version hashed, the quorum as it stood, any amendment and the head of the audit
chain) and in the approval's audit row - three places ``board.integrity.verify``
compares. Minutes whose record changed since the meeting closed (``board.seal``) are
never approved.
"""

from __future__ import annotations

import json
from typing import Any

import sqlite_utils

from riskboard.board.guards import clean, get_meeting
from riskboard.board.integrity import verify
from riskboard.board.models import Approval, Meeting, MeetingStatus, QuorumStatus
from riskboard.board.record import RECORD_VERSION, content_hash
from riskboard.board.seal import seal_finding
from riskboard.board.txn import Scope, audited
from riskboard.errors import RiskboardError
from riskboard.store import meetings as store
from riskboard.store.register import now_iso


def approve_previous(
    db: sqlite_utils.Database,
    meeting_id: int,
    *,
    amendment: str | None = None,
    previous_id: int | None = None,
    actor: str | None = None,
) -> Meeting:
    """At meeting ``meeting_id``, approve the previous meeting's minutes as a correct
    record (optionally subject to an amendment, noted at this meeting). That meeting is
    locked and its content hash stored. ``previous_id`` approves an older closed meeting
    whose minutes were never approved. Refused unless this meeting is in progress and
    quorate now. Returns the approved meeting. One transaction, one audit row."""
    _refuse_unsound(db, meeting_id, previous_id)
    with audited(db, meeting_id, Scope.BUSINESS, actor=actor) as step:
        meeting = step.meeting
        assert meeting is not None and step.quorum is not None
        target_id = previous_id if previous_id is not None else meeting.previous_meeting_id
        if target_id is None:
            raise RiskboardError(f"{meeting.label} has no previous meeting to approve")
        target = get_meeting(db, target_id)
        if target.id >= meeting.id:
            raise RiskboardError(f"{target.label} is not earlier than {meeting.label}")
        if target.locked:
            raise RiskboardError(
                f"the minutes of {target.label} were already approved at meeting"
                f" {target.approved_by_meeting_id} ({target.approved_at})"
            )
        if store.approval_row(db, target.id) is not None:
            raise RiskboardError(
                f"the minutes of {target.label} were approved before, but the meeting no"
                " longer says so: the record was tampered with",
                hint=f"`riskboard meeting verify {target.id}`",
            )
        if target.status != MeetingStatus.CLOSED:
            raise RiskboardError(f"{target.label} is not closed yet: close it before approving")
        changed = seal_finding(db, target)
        if changed is not None:
            raise RiskboardError(
                f"cannot approve the minutes of {target.label}: {changed}",
                hint=f"`riskboard meeting verify {target.id}` shows every check; approve them"
                " once the record is put back as it closed (from a backup)",
            )
        step.track("meeting", target.id, lambda: store.meeting_row(db, target.id))
        digest = content_hash(db, target.id)
        head = store.chain_head(db)
        approved_at = now_iso()
        store.update(
            db,
            "meetings",
            {"id": target.id},
            {
                "approved_at": approved_at,
                "approved_by_meeting_id": meeting.id,
                "content_hash": digest,
            },
        )
        text = clean(amendment)
        line = (
            f"Minutes of meeting {target.id} ({target.meeting_date:%d/%m/%Y}) approved as a"
            " correct record" + (f", subject to: {text}" if text else ".")
        )
        note = "\n".join(x for x in (meeting.previous_minutes_note, line) if x)
        store.update(db, "meetings", {"id": meeting.id}, {"previous_minutes_note": note})
        approval: dict[str, Any] = {
            "meeting_id": target.id,
            "approving_meeting_id": meeting.id,
            "approved_at": approved_at,
            "content_hash": digest,
            "record_version": RECORD_VERSION,
            "amendment": text,
            "quorum": json.dumps(step.quorum.model_dump(mode="json")),
            # the audit log as it stood: a later check of this approval pins it
            "chain_head": (
                json.dumps({"id": head["id"], "hash": head["row_hash"]}) if head else None
            ),
        }
        store.insert(db, "approvals", approval)
        step.extra = {"note": line, "approval": approval}
        step.record("previous minutes approved")
    return get_meeting(db, target.id)


def _refuse_unsound(db: sqlite_utils.Database, meeting_id: int, previous_id: int | None) -> None:
    """Minutes are confirmed as a correct record only over a record the audit log
    supports: refuse while ``verify`` finds anything wrong with the meeting to approve
    (its record against the hash at its close, the tables against the log, the log
    itself). Checked before the change's transaction, which would put back a dropped
    trigger and so hide that it was missing."""
    target_id = (
        previous_id if previous_id is not None else get_meeting(db, meeting_id).previous_meeting_id
    )
    if target_id is None or store.meeting_row(db, target_id) is None:
        return  # the change itself says what is wrong
    target = get_meeting(db, target_id)
    if target.locked or target.status != MeetingStatus.CLOSED:
        return
    result = verify(db, target_id)
    if not result.ok:
        more = len(result.findings) - 1
        also = f" (and {more} more finding{'s' if more != 1 else ''})" if more > 0 else ""
        raise RiskboardError(
            f"cannot approve the minutes of {target.label}: {result.findings[0]}{also}",
            hint=f"`riskboard meeting verify {target_id}` shows every check; approve them once"
            " the record and its audit log are sound (put back from a backup)",
        )


def approval_from_row(row: dict[str, Any]) -> Approval:
    quorum = QuorumStatus.model_validate_json(row["quorum"]) if row.get("quorum") else None
    head = json.loads(row["chain_head"]) if row.get("chain_head") else None
    return Approval.model_validate({**row, "quorum": quorum, "chain_head": head})


def get_approval(db: sqlite_utils.Database, meeting_id: int) -> Approval | None:
    """The approval of meeting ``meeting_id``'s minutes, if any."""
    row = store.approval_row(db, meeting_id)
    return approval_from_row(row) if row else None


def approvals_at(db: sqlite_utils.Database, meeting_id: int) -> list[Approval]:
    """The minutes approved at meeting ``meeting_id`` (by approved meeting)."""
    return [approval_from_row(r) for r in store.approval_rows(db, approving=meeting_id)]
