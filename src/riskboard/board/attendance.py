"""Attendance: the persistent people list, present / apologies, and quorum.

The people list outlives meetings so nobody is typed twice. Each attendance row keeps
the person's name, organisation, role and lead-officer standing as they were at that
meeting, so later edits to the people list never change an earlier record.
Quorum: at least N lead officers present per organisation, N from the rule stored on
the meeting when it was created (``config.meeting.quorum``).
"""

from __future__ import annotations

import json
from typing import Any

import sqlite_utils

from riskboard.board import audit
from riskboard.board.guards import actor_for, clean, editable, get_meeting
from riskboard.board.models import (
    AttendanceEntry,
    AttendanceStatus,
    OrganisationQuorum,
    Person,
    QuorumStatus,
)
from riskboard.board.txn import change
from riskboard.config import QuorumConfig
from riskboard.domain import Organisation
from riskboard.errors import RiskboardError
from riskboard.store import meetings as store

ORG_WORDS: dict[str, Organisation] = {o.value: o for o in Organisation} | {
    "contract": Organisation.CONTRACTOR,
    "council": Organisation.DIRECTORATE,
    "client": Organisation.DIRECTORATE,
}


def parse_organisation(text: str) -> Organisation:
    org = ORG_WORDS.get((text or "").strip().lower())
    if org is None:
        raise RiskboardError(
            f"unknown organisation {text!r}: use one of {', '.join(o.value for o in Organisation)}"
        )
    return org


def _person(row: dict[str, Any]) -> Person:
    return Person(
        id=row["id"],
        name=row["name"],
        organisation=row["organisation"],
        role=row["role"],
        lead_officer=bool(row["lead_officer"]),
        active=bool(row["active"]),
    )


def _entry(row: dict[str, Any]) -> AttendanceEntry:
    return AttendanceEntry(
        meeting_id=row["meeting_id"],
        person_id=row["person_id"],
        name=row["name"],
        organisation=row["organisation"],
        role=row["role"],
        lead_officer=bool(row["lead_officer"]),
        status=row["status"],
    )


# ----------------------------------------------------------------------------- people


def list_people(db: sqlite_utils.Database, *, include_inactive: bool = False) -> list[Person]:
    """The people list, by organisation then name."""
    return [_person(r) for r in store.people_rows(db, include_inactive=include_inactive)]


def find_person(db: sqlite_utils.Database, name: str) -> Person | None:
    row = store.person_by_name(db, name)
    return _person(row) if row else None


def save_person(
    db: sqlite_utils.Database,
    name: str,
    *,
    organisation: str | None = None,
    role: str | None = None,
    lead_officer: bool | None = None,
    active: bool | None = None,
    meeting_id: int | None = None,
    actor: str | None = None,
) -> Person:
    """Add someone to the people list, or change their organisation / role / standing.
    ``meeting_id`` (optional) is the meeting during which it was done, for the audit."""
    clean_name = clean(name)
    if clean_name is None:
        raise RiskboardError("a person needs a name")
    with change(db):
        who = actor
        if meeting_id is not None:
            who = actor_for(get_meeting(db, meeting_id), actor)
        before = store.person_by_name(db, clean_name)
        values: dict[str, Any] = {}
        if organisation is not None:
            values["organisation"] = parse_organisation(organisation).value
        if role is not None:
            values["role"] = clean(role)
        if lead_officer is not None:
            values["lead_officer"] = int(lead_officer)
        if active is not None:
            values["active"] = int(active)
        if before is None:
            if "organisation" not in values:
                raise RiskboardError(
                    f"{clean_name!r} is not in the people list: give their organisation"
                    f" ({', '.join(o.value for o in Organisation)})"
                )
            person_id = store.insert(db, "people", {"name": clean_name, **values})
            what = "person added"
        else:
            person_id = before["id"]
            if values:
                store.update(db, "people", {"id": person_id}, values)
            what = "person updated"
        after = store.person_by_id(db, person_id)
        assert after is not None
        if after != before:
            audit.write(
                db,
                meeting_id=meeting_id,
                actor=who,
                entity="person",
                entity_id=after["name"],
                change=what,
                before=before,
                after=after,
            )
    return _person(after)


# ----------------------------------------------------------------------------- attendance


def attend(
    db: sqlite_utils.Database,
    meeting_id: int,
    name: str,
    *,
    organisation: str | None = None,
    role: str | None = None,
    apologies: bool = False,
    lead_officer: bool | None = None,
    actor: str | None = None,
) -> AttendanceEntry:
    """Mark someone present (or sending apologies) at a meeting. Someone new joins the
    people list (``organisation`` needed). ``role`` is their role at this meeting
    (default: the role on the people list)."""
    clean_name = clean(name)
    if clean_name is None:
        raise RiskboardError("a person needs a name")
    with change(db):
        meeting = editable(db, meeting_id, decisions=False)
        who = actor_for(meeting, actor)
        person = store.person_by_name(db, clean_name)
        created = person is None
        if person is None:
            if organisation is None:
                raise RiskboardError(
                    f"{clean_name!r} is not in the people list: give their organisation"
                    f" ({', '.join(o.value for o in Organisation)})"
                )
            pid = store.insert(
                db,
                "people",
                {
                    "name": clean_name,
                    "organisation": parse_organisation(organisation).value,
                    "role": clean(role),
                    "lead_officer": int(lead_officer if lead_officer is not None else True),
                },
            )
            person = store.person_by_id(db, pid)
            assert person is not None
        else:
            if organisation is not None and (
                parse_organisation(organisation).value != person["organisation"]
            ):
                raise RiskboardError(
                    f"{person['name']} is on the people list as {person['organisation']},"
                    f" not {parse_organisation(organisation).value}",
                    hint=f"change it with `riskboard meeting person {person['name']!r}"
                    f" --org {parse_organisation(organisation).value}`",
                )
            if not person["active"]:
                store.update(db, "people", {"id": person["id"]}, {"active": 1})
        before = store.attendance_row(db, meeting_id, person["id"])
        status = AttendanceStatus.APOLOGIES if apologies else AttendanceStatus.PRESENT
        values = {
            "status": status.value,
            "role": clean(role) or person["role"],
            "name": person["name"],
            "organisation": person["organisation"],
            "lead_officer": int(
                lead_officer if lead_officer is not None else person["lead_officer"]
            ),
        }
        if before is None:
            store.insert(
                db, "attendance", {"meeting_id": meeting_id, "person_id": person["id"], **values}
            )
        else:
            store.update(
                db, "attendance", {"meeting_id": meeting_id, "person_id": person["id"]}, values
            )
        after = store.attendance_row(db, meeting_id, person["id"])
        assert after is not None
        audit.write(
            db,
            meeting_id=meeting_id,
            actor=who,
            entity="attendance",
            entity_id=person["name"],
            change=status.value + (" (new to the people list)" if created else ""),
            before=before,
            after=after,
        )
    return _entry(after)


def remove_attendance(
    db: sqlite_utils.Database, meeting_id: int, name: str, *, actor: str | None = None
) -> None:
    """Take someone off a meeting's attendance (recorded by mistake)."""
    with change(db):
        meeting = editable(db, meeting_id, decisions=False)
        who = actor_for(meeting, actor)
        person = store.person_by_name(db, name)
        before = store.attendance_row(db, meeting_id, person["id"]) if person else None
        if person is None or before is None:
            raise RiskboardError(f"{name!r} is not recorded at {meeting.label}")
        store.delete_attendance(db, meeting_id, person["id"])
        audit.write(
            db,
            meeting_id=meeting_id,
            actor=who,
            entity="attendance",
            entity_id=person["name"],
            change="removed",
            before=before,
            after=None,
        )


def attendance(db: sqlite_utils.Database, meeting_id: int) -> list[AttendanceEntry]:
    """Everyone recorded at a meeting (present and apologies), by organisation then name."""
    return [_entry(r) for r in store.attendance_rows(db, meeting_id)]


# ----------------------------------------------------------------------------- quorum


def quorum_rule(config_rule: QuorumConfig | str | None) -> dict[str, int]:
    """The quorum rule as {organisation: lead officers required}."""
    if isinstance(config_rule, str):
        return {k: int(v) for k, v in json.loads(config_rule).items()}
    rule = config_rule or QuorumConfig()
    return {k: int(v) for k, v in rule.model_dump().items()}


def compute_quorum(rule: dict[str, int], entries: list[AttendanceEntry]) -> QuorumStatus:
    """Pure: is each organisation's lead-officer requirement met by those present?"""
    orgs = []
    for org, required in rule.items():
        present = sum(
            1
            for e in entries
            if e.status == AttendanceStatus.PRESENT and e.lead_officer and e.organisation == org
        )
        orgs.append(OrganisationQuorum(organisation=org, required=required, present=present))
    missing = [o for o in orgs if not o.met]
    return QuorumStatus(met=not missing, rule=dict(rule), by_organisation=orgs, missing=missing)


def quorum(db: sqlite_utils.Database, meeting_id: int) -> QuorumStatus:
    """Live quorum of a meeting under the rule in force when it was created."""
    row = store.meeting_row(db, meeting_id)
    if row is None:
        get_meeting(db, meeting_id)  # raises the clear error
    assert row is not None
    return compute_quorum(quorum_rule(row["quorum_rule"]), attendance(db, meeting_id))
