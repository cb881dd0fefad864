"""A meeting's record: everything it recorded, as one JSON-able dict.

Used by ``riskboard meeting show --json``, by the minutes exporter and for the content
hash stored when the minutes are approved. Every part reads as it stood at the end of
the meeting (attendance and risk details stored on the day, actions and escalations as
at that meeting), so once closed the record never changes through the service; only the
``approval`` part is left out of the hash (it is written by the approval itself).
"""

from __future__ import annotations

import copy
import hashlib
import json
from typing import Any

import sqlite_utils

from riskboard.board.actions import action_log, actions_arising
from riskboard.board.early_warnings import decisions_for_record
from riskboard.board.escalations import escalations_at
from riskboard.board.guards import get_meeting
from riskboard.board.models import (
    AttendanceStatus,
    BoardActionStatus,
    EscalationStatus,
    QuorumStatus,
)
from riskboard.board.quorum import attendance, compute_quorum, quorum_rule
from riskboard.board.quorum_history import quorum_history
from riskboard.board.reviews import list_reviews
from riskboard.domain import ESCALATION_TARGET_NAMES, Organisation
from riskboard.store import meetings as store

RECORD_VERSION = 6
# left out of the hash: the approval (written by the approval itself) and the quorum
# history (replayed from the audit log, which its own hash chain protects)
HASH_EXCLUDED = ("approval", "quorum_history")
# what each version added to the record: left out when hashing the record as an earlier
# version, so minutes approved before it still verify ("*" is every item of a list)
_ADDED_IN_2: tuple[tuple[str, ...], ...] = (
    ("previous_minutes", "approved_here", "*", "amendment"),
    ("previous_minutes", "approved_here", "*", "quorum"),
    ("previous_minutes", "approved_here", "*", "record_version"),
    ("reviews", "*", "risk_month"),
    ("action_log", "*", "withdrawn_here"),
    ("action_log", "*", "action", "withdrawn_reason"),
    ("action_log", "*", "updates", "*", "withdrawn_reason"),
    ("actions_arising", "*", "withdrawn_reason"),
    ("summary", "actions_withdrawn"),
)
_ADDED_IN_3: tuple[tuple[str, ...], ...] = (
    ("attendance", "present", "*", "left_at"),
    ("attendance", "apologies", "*", "left_at"),
    ("previous_minutes", "approved_here", "*", "chain_head"),
)
# what the minutes print about each reviewed risk, pinned at the review (issue 11 F1)
_ADDED_IN_4: tuple[tuple[str, ...], ...] = (("reviews", "*", "risk_facts"),)
# where the close's audit row keeps the sha256 of the record as it closed (and its version)
CLOSE_HASH = "record_hash"
CLOSE_HASH_VERSION = "record_version"
# what version 5 added (issue 14: NEC early warnings)
_ADDED_IN_5: tuple[tuple[str, ...], ...] = (
    ("early_warnings",),
    ("ew_notices",),
    ("summary", "ew_decisions"),
    ("action_log", "*", "action", "ew_ref"),
    ("actions_arising", "*", "ew_ref"),
)
# version 6 (issue 14 review F23): the revised early warning register's due date, frozen
# at the close
_ADDED_IN_6: tuple[tuple[str, ...], ...] = (
    ("meeting", "ew_register_due"),
    ("meeting", "ew_register_due_days"),
)
_ADDED: dict[int, tuple[tuple[str, ...], ...]] = {
    2: _ADDED_IN_2, 3: _ADDED_IN_3, 4: _ADDED_IN_4, 5: _ADDED_IN_5, 6: _ADDED_IN_6,
}  # fmt: skip
_APPROVAL_FIELDS = ("approved_at", "approved_by_meeting_id", "content_hash")


def meeting_record(db: sqlite_utils.Database, meeting_id: int) -> dict[str, Any]:
    """Everything recorded at a meeting. Keys: version, meeting, attendance, quorum
    (at the close, or now), quorum_history (who left when, and whether the meeting was
    quorate for all its business: ``board.quorum_history``), declarations,
    previous_minutes, action_log, reviews, actions_arising, escalations,
    escalation_decisions, early_warnings (the decisions on NEC early warnings),
    ew_notices (early warning notices drafted at the meeting),
    aob, next_meeting_date, summary, approval (with the amendment
    the minutes were approved subject to)."""
    meeting = get_meeting(db, meeting_id)
    row = store.meeting_row(db, meeting_id)
    assert row is not None
    m = meeting.model_dump(mode="json", exclude={*_APPROVAL_FIELDS, "declarations", "aob"})

    entries = attendance(db, meeting_id)
    present = [e for e in entries if e.status == AttendanceStatus.PRESENT]
    apologies = [e for e in entries if e.status == AttendanceStatus.APOLOGIES]
    by_org: dict[str, dict[str, list[str]]] = {}
    for org in Organisation:
        names_p = [e.name for e in present if e.organisation == org.value]
        names_a = [e.name for e in apologies if e.organisation == org.value]
        if names_p or names_a:
            by_org[org.value] = {"present": names_p, "apologies": names_a}
    q = compute_quorum(quorum_rule(row["quorum_rule"]), entries)
    history = quorum_history(db, meeting_id)

    previous = (
        store.meeting_row(db, meeting.previous_meeting_id) if meeting.previous_meeting_id else None
    )
    dates = {r["id"]: r["meeting_date"] for r in store.meeting_rows(db)}
    approved_here = [
        {
            "meeting_id": r["meeting_id"],
            "meeting_date": dates.get(r["meeting_id"]),
            "content_hash": r["content_hash"],
            "record_version": r["record_version"],
            "amendment": r["amendment"],
            "quorum": _quorum_at_approval(r["quorum"]),
            "chain_head": json.loads(r["chain_head"]) if r.get("chain_head") else None,
        }
        for r in store.approval_rows(db, approving=meeting_id)
    ]

    own = store.approval_row(db, meeting_id) if meeting.locked else None
    log = action_log(db, meeting_id)
    arising = actions_arising(db, meeting_id)
    reviews = list_reviews(db, meeting_id)
    raised, decided = escalations_at(db, meeting_id)
    early_warnings = decisions_for_record(db, meeting_id)

    def esc(e: Any) -> dict[str, Any]:
        return {**e.model_dump(mode="json"), "target_name": ESCALATION_TARGET_NAMES[e.target]}

    return {
        "version": RECORD_VERSION,
        "meeting": m,
        "attendance": {
            "present": [e.model_dump(mode="json") for e in present],
            "apologies": [e.model_dump(mode="json") for e in apologies],
            "by_organisation": by_org,
        },
        "quorum": {**q.model_dump(mode="json"), "text": q.describe()},
        "quorum_history": history.model_dump(mode="json") if history else None,
        "declarations": meeting.declarations,
        "previous_minutes": {
            "previous_meeting": (
                {"id": previous["id"], "meeting_date": previous["meeting_date"]}
                if previous
                else None
            ),
            "approved_here": approved_here,
            "note": meeting.previous_minutes_note,
        },
        "action_log": [e.model_dump(mode="json") for e in log],
        "reviews": [r.model_dump(mode="json") for r in reviews],
        "actions_arising": [a.model_dump(mode="json") for a in arising],
        "escalations": [esc(e) for e in raised],
        "escalation_decisions": [esc(e) for e in decided],
        "early_warnings": early_warnings,
        "ew_notices": _notices(db, meeting_id),
        "aob": meeting.aob,
        "next_meeting_date": m["next_meeting_date"],
        "summary": {
            "present": len(present),
            "apologies": len(apologies),
            "quorate": q.met,
            "reviews": len(reviews),
            "reviewed": sum(1 for r in reviews if r.reviewed),
            "decisions": sum(1 for r in reviews if r.decision),
            "escalations": len(raised),
            "escalations_accepted": sum(1 for e in raised if e.status == EscalationStatus.ACCEPTED),
            # live ones: an action withdrawn at the meeting is not a new action
            "actions_arising": sum(1 for a in arising if a.status != BoardActionStatus.WITHDRAWN),
            "action_log": len(log),
            "actions_closed_here": sum(1 for e in log if e.closed_here)
            + sum(1 for a in arising if a.status == BoardActionStatus.CLOSED),
            "actions_withdrawn": sum(1 for e in log if e.withdrawn_here)
            + sum(1 for a in arising if a.status == BoardActionStatus.WITHDRAWN),
            "ew_decisions": len(early_warnings),
        },
        "approval": {
            "approved": meeting.locked,
            "approved_at": meeting.approved_at,
            "approved_by_meeting_id": meeting.approved_by_meeting_id,
            "content_hash": meeting.content_hash,
            "amendment": own["amendment"] if own else None,
        },
    }


def _quorum_at_approval(text: str | None) -> dict[str, Any] | None:
    """The quorum stored with an approval, with its sentence (None before it was kept)."""
    if not text:
        return None
    q = QuorumStatus.model_validate_json(text)
    return {**q.model_dump(mode="json"), "text": q.describe()}


def _notices(db: sqlite_utils.Database, meeting_id: int) -> list[dict[str, Any]]:
    """The early warning notices drafted at the meeting (what the board agreed to give)."""
    from riskboard.store.early_warnings import notice_rows

    fields = ("ew_ref", "risk_ref", "escalation_id", "matter", "proposed_meeting")
    return [{f: n[f] for f in fields} for n in notice_rows(db) if n["meeting_id"] == meeting_id]


def as_version(record: dict[str, Any], version: int) -> dict[str, Any]:
    """The record laid out as record ``version`` was (a deep copy; unchanged when it is
    the current version)."""
    if version >= RECORD_VERSION:
        return record
    body = copy.deepcopy(record)
    for added, paths in _ADDED.items():
        if added > version:
            for path in paths:
                _drop(body, path)
    body["version"] = version
    return body


def _drop(node: Any, path: tuple[str, ...]) -> None:
    head, rest = path[0], path[1:]
    if head == "*":
        for item in node if isinstance(node, list) else []:
            _drop(item, rest)
    elif isinstance(node, dict) and head in node:
        if rest:
            _drop(node[head], rest)
        else:
            del node[head]


def canonical_json(record: dict[str, Any], version: int = RECORD_VERSION) -> str:
    """The hashed form: sorted keys, no whitespace, the approval part left out, laid
    out as record ``version``."""
    body = {k: v for k, v in as_version(record, version).items() if k not in HASH_EXCLUDED}
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def content_hash(db: sqlite_utils.Database, meeting_id: int, version: int = RECORD_VERSION) -> str:
    """sha256 (hex) of the meeting's canonical record (as record ``version``: the one
    its approval stored)."""
    text = canonical_json(meeting_record(db, meeting_id), version)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
