"""The seal a meeting's record gets when it closes: the sha256 of the record as it
closed, kept in the close's chained audit row (``meetings.close_meeting``).

Between the close and the approval of the minutes nothing protects the record but this
seal (the triggers lock a record only once it is approved): approving minutes whose
record no longer matches it is refused, and ``meeting verify`` reports it, for a
closed meeting whether approved or not.
"""

from __future__ import annotations

import json
from typing import NamedTuple

import sqlite_utils

from riskboard.board.models import Meeting
from riskboard.board.record import CLOSE_HASH, CLOSE_HASH_VERSION, content_hash
from riskboard.store import meetings as store


class Seal(NamedTuple):
    audit_id: int
    at: str
    digest: str
    version: int


def close_seal(db: sqlite_utils.Database, meeting_id: int) -> Seal | None:
    """The hash taken when the meeting closed (the last close's audit row), if any:
    meetings closed before seals were kept have none."""
    for row in reversed(store.close_audit_rows(db, meeting_id)):
        after = json.loads(row["after"]) if row["after"] else {}
        digest = after.get(CLOSE_HASH) if isinstance(after, dict) else None
        if digest:
            return Seal(row["id"], row["at"], str(digest), int(after.get(CLOSE_HASH_VERSION, 2)))
        return None
    return None


def seal_finding(db: sqlite_utils.Database, meeting: Meeting) -> str | None:
    """What is wrong with a closed meeting's record against its close seal (None: it
    matches, or there is no seal to compare with)."""
    seal = close_seal(db, meeting.id)
    if seal is None:
        return None
    if content_hash(db, meeting.id, seal.version) == seal.digest:
        return None
    return (
        f"the record of {meeting.label} no longer matches the hash taken when it closed"
        f" ({seal.digest[:12]}..., audit row {seal.audit_id} at {seal.at}): it was changed"
        " after the meeting closed, around the meeting service"
    )
