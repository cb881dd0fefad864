"""The quorum as it stood while the board did business, replayed from the audit log.

Attendance keeps only its final state; the minutes must say what was true for the
business transacted. The meeting's audit rows hold every attendance change and every
piece of business in the order they happened, so replaying them gives: who left and
when (and after which business), when the meeting stopped being quorate after its
business had begun, and whether any business was recorded while it was not quorate
(the service refuses that, so it only happens to a record changed around it).

Business (``is_business``): the reviews, actions, escalations, decisions on early
warnings and approvals of minutes recorded at the meeting - everything
``txn.Scope.BUSINESS`` guards.
"""

from __future__ import annotations

import json
from typing import Any

import sqlite_utils
from pydantic import BaseModel, Field

from riskboard.board.quorum import quorum_of_rows, quorum_rule
from riskboard.store import meetings as store

# an early warning decision is business like a risk's (issue 14)
BUSINESS_ENTITIES = frozenset({"review", "action", "escalation", "early_warning_decision"})
APPROVAL_CHANGE = "previous minutes approved"
LEFT = "left"
RETURNED = "returned"


def is_business(row: dict[str, Any]) -> bool:
    """An audit row recording business (not preparation, attendance or the close)."""
    return row["entity"] in BUSINESS_ENTITIES or (
        row["entity"] == "meeting" and row["change"] == APPROVAL_CHANGE
    )


class BusinessRef(BaseModel):
    """Which piece of business an audit row recorded ("review", "HM-001", "review recorded")."""

    entity: str
    entity_id: str | None = None
    change: str


class Departure(BaseModel):
    """Someone present who left during the meeting."""

    name: str
    organisation: str
    lead_officer: bool
    at: str  # UTC ISO
    after: BusinessRef | None = None  # the last business before they left (None: before any)
    returned_at: str | None = None
    quorate_after: bool  # the meeting was still quorate once they had gone


class InquoratePeriod(BaseModel):
    """A stretch after business had begun when the meeting was not quorate."""

    start_at: str
    start_by: str  # what made it inquorate ("Alison Reeve left")
    end_at: str | None = None  # None: still so at the close (or now)
    end_by: str | None = None
    business: int = 0  # business recorded in it (the service refuses any)


class QuorumHistory(BaseModel):
    business: int = 0  # business changes recorded at the meeting
    first_business_at: str | None = None
    last_business_at: str | None = None
    departures: list[Departure] = Field(default_factory=list)
    inquorate: list[InquoratePeriod] = Field(default_factory=list)
    # business recorded before the meeting was ever quorate (never through the service)
    business_before_quorum: int = 0


def _after(row: dict[str, Any]) -> dict[str, Any] | None:
    value = json.loads(row["after"]) if row.get("after") else None
    return value if isinstance(value, dict) else None


def _before(row: dict[str, Any]) -> dict[str, Any] | None:
    value = json.loads(row["before"]) if row.get("before") else None
    return value if isinstance(value, dict) else None


def quorum_history(db: sqlite_utils.Database, meeting_id: int) -> QuorumHistory | None:
    """Replay meeting ``meeting_id``'s audit rows (see the module doc). None when its
    attendance rows were written before the audit kept organisation and standing, so
    quorum cannot be replayed."""
    meeting = store.meeting_row(db, meeting_id)
    if meeting is None:
        return None
    rule = quorum_rule(meeting["quorum_rule"])
    rows = [
        r
        for r in store.audit_rows(db, meeting_id=meeting_id)
        if r["entity"] == "attendance" or is_business(r)
    ]
    return replay(rule, rows)


def replay(rule: dict[str, int], rows: list[dict[str, Any]]) -> QuorumHistory | None:
    """Pure: the history from a meeting's attendance and business audit rows, in order."""
    history = QuorumHistory()
    state: dict[str, dict[str, Any]] = {}
    last_business: BusinessRef | None = None
    quorate_now = False
    open_period: InquoratePeriod | None = None
    for row in rows:
        if row["entity"] == "attendance":
            key = (row["entity_id"] or "").casefold()
            after = _after(row)
            if after is None:
                state.pop(key, None)
            else:
                state[key] = after
            q = quorum_of_rows(rule, list(state.values()))
            if q is None:
                return None
            name = (after or {}).get("name") or row["entity_id"] or "someone"
            if row["change"] == LEFT and after is not None:
                history.departures.append(
                    Departure(
                        name=name,
                        organisation=str(after.get("organisation") or ""),
                        lead_officer=bool(after.get("lead_officer")),
                        at=after.get("left_at") or row["at"],
                        after=last_business,
                        quorate_after=q.met,
                    )
                )
            elif row["change"] == RETURNED:
                for d in reversed(history.departures):
                    if d.name.casefold() == key and d.returned_at is None:
                        d.returned_at = row["at"]
                        break
            if history.business and quorate_now and not q.met:
                open_period = InquoratePeriod(start_at=row["at"], start_by=_cause(name, row))
                history.inquorate.append(open_period)
            elif open_period is not None and q.met:
                open_period.end_at = row["at"]
                open_period.end_by = _cause(name, row)
                open_period = None
            quorate_now = q.met
        else:
            history.business += 1
            history.first_business_at = history.first_business_at or row["at"]
            history.last_business_at = row["at"]
            last_business = BusinessRef(
                entity=row["entity"], entity_id=row["entity_id"], change=row["change"]
            )
            if open_period is not None:
                open_period.business += 1
            elif not quorate_now:
                history.business_before_quorum += 1
    return history


def _cause(name: str, row: dict[str, Any]) -> str:
    change = str(row["change"]).split(" (")[0]
    before, after = _before(row), _after(row)
    if (
        change == "present"
        and before is not None
        and after is not None
        and before.get("status") == "present"
        and not before.get("left_at")
        and bool(before.get("lead_officer")) != bool(after.get("lead_officer"))
    ):  # still present: what changed is whether they count towards the quorum
        standing = "a lead officer" if after.get("lead_officer") else "not a lead officer"
        return f"{name} was recorded as {standing}"
    words = {
        LEFT: "left",
        RETURNED: "returned",
        "removed": "was taken off the attendance",
        "apologies": "was marked as sending apologies",
        "present": "was marked present",
    }
    return f"{name} {words.get(change, change)}"


def took_part(db: sqlite_utils.Database, meeting_id: int, name: str) -> dict[str, Any] | None:
    """The first business audit row recorded at the meeting while ``name`` was present
    (and not left), if any: once someone has taken part in business, the attendance must
    say they were there."""
    key = name.casefold()
    here = False
    for row in store.audit_rows(db, meeting_id=meeting_id):
        if row["entity"] == "attendance" and (row["entity_id"] or "").casefold() == key:
            after = _after(row) or {}
            here = after.get("status") == "present" and not after.get("left_at")
        elif here and is_business(row):
            return row
    return None
