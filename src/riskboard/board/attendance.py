"""Attendance: the persistent people list, present / apologies, and quorum.

The people list outlives meetings so nobody is typed twice. Each attendance row keeps
the person's name, organisation, role and lead-officer standing as they were at that
meeting, so later edits to the people list never change an earlier record.
Quorum (``board.quorum``): at least N lead officers present per organisation, N from
the rule stored on the meeting when it was created (``config.meeting.quorum``).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import sqlite_utils

from riskboard.board.guards import actor_for, clean, get_meeting
from riskboard.board.guards import clean_name as clean_person_name
from riskboard.board.models import AttendanceEntry, AttendanceStatus, MeetingStatus, Person
from riskboard.board.quorum import (
    attendance,
    compute_quorum,
    entry_from_row,
    quorum,
    quorum_rule,
)
from riskboard.board.quorum_history import LEFT, RETURNED, took_part
from riskboard.board.txn import Scope, audited
from riskboard.domain import Organisation
from riskboard.email_address import InvalidAddress, check_address
from riskboard.errors import Remedy, RiskboardError
from riskboard.store import meetings as store
from riskboard.store.register import now_iso

__all__ = [
    "attend", "attendance", "compute_quorum", "find_person", "leave", "list_people",
    "parse_organisation", "quorum", "quorum_rule", "remove_attendance", "save_person",
]  # fmt: skip

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
        email=row.get("email"),
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
    email: str | None = None,
    meeting_id: int | None = None,
    actor: str | None = None,
) -> Person:
    """Add someone to the people list, or change their organisation / role / standing /
    email address (``""`` clears it; an address that is not one is refused, naming
    why - ``email_address.check_address``). ``meeting_id`` (optional) is the meeting
    during which it was done, for the audit. One transaction, one audit row (none when
    nothing changed)."""
    clean_name = clean_person_name(name)
    if clean_name is None:
        raise RiskboardError("a person needs a name")
    with audited(db, None, Scope.PEOPLE, actor=actor) as step:
        if meeting_id is not None:
            step.actor = actor_for(get_meeting(db, meeting_id), actor)
            step.meeting_id = meeting_id
        before = step.track("person", clean_name, lambda: store.person_by_name(db, clean_name))
        values: dict[str, Any] = {}
        if organisation is not None:
            values["organisation"] = parse_organisation(organisation).value
        if role is not None:
            values["role"] = clean(role)
        if lead_officer is not None:
            values["lead_officer"] = int(lead_officer)
        if active is not None:
            values["active"] = int(active)
        if email is not None:
            values["email"] = _email(clean_name, email)
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
            step.record(what, entity_id=after["name"], after=after)
        else:
            step.unchanged()
    return _person(after)


def _email(name: str, text: str) -> str | None:
    """The address as stored (None clears it), or a refusal naming why it is not one."""
    typed = clean(text)
    if typed is None:
        return None
    try:
        return check_address(typed).addr_spec
    except InvalidAddress as exc:
        raise RiskboardError(
            f"the email address {typed!r} for {name} {exc}; nothing was recorded",
            remedy=Remedy.GIVE_FIELDS,
            fields=("email",),
        ) from None


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
    expected: Mapping[str, Any] | None = None,
    actor: str | None = None,
) -> AttendanceEntry:
    """Mark someone present (or sending apologies) at a meeting. Someone new joins the
    people list (``organisation`` needed). ``role`` is their role at this meeting
    (default: the role on the people list). ``expected={"status": shown}`` (shown: the
    AttendanceStatus value the face showed, None for "not recorded") refuses the change
    with ``ConflictError`` if someone else marked them meanwhile. One transaction, one
    audit row."""
    clean_name = clean_person_name(name)
    if clean_name is None:
        raise RiskboardError("a person needs a name")
    status = AttendanceStatus.APOLOGIES if apologies else AttendanceStatus.PRESENT
    with audited(db, meeting_id, Scope.PREPARATION, actor=actor) as step:
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
        pid = person["id"]
        before = step.track(
            "attendance",
            person["name"],
            lambda: store.attendance_row(db, meeting_id, pid),
            expected=expected,
            wanted={"status": status.value},
            subject=f"{person['name']} at meeting {meeting_id}",
            labels={"status": "attendance"},
        )
        if before is not None and apologies and before["status"] == "present":
            _refuse_if_took_part(db, step.meeting, person["name"], "mark them as sending apologies")
        returned = before is not None and bool(before.get("left_at")) and not apologies
        # not given: as already recorded at this meeting (a role alone never changes
        # whether they count as a lead officer), else as on the people list
        if lead_officer is None and before is not None and before.get("lead_officer") is not None:
            lead_officer = bool(before["lead_officer"])
        lead = bool(lead_officer if lead_officer is not None else person["lead_officer"])
        if (
            before is not None
            and before["status"] == "present"
            and before.get("lead_officer") is not None
            and bool(before["lead_officer"]) != lead
        ):
            _refuse_if_took_part(
                db, step.meeting, person["name"],
                f"record them as {'a lead officer' if lead else 'not a lead officer'}",
                counted=bool(before["lead_officer"]),
            )  # fmt: skip
        values = {
            "status": status.value,
            "left_at": None,
            "role": clean(role) or (before or {}).get("role") or person["role"],
            "name": person["name"],
            "organisation": person["organisation"],
            "lead_officer": int(lead),
        }
        if before is None:
            store.insert(db, "attendance", {"meeting_id": meeting_id, "person_id": pid, **values})
        else:
            store.update(db, "attendance", {"meeting_id": meeting_id, "person_id": pid}, values)
        change = RETURNED if returned else status.value
        after = step.record(change + (" (new to the people list)" if created else ""))
        assert after is not None
    return entry_from_row(after)


def leave(
    db: sqlite_utils.Database,
    meeting_id: int,
    name: str,
    *,
    expected: Mapping[str, Any] | None = None,
    actor: str | None = None,
) -> AttendanceEntry:
    """Record that someone present left the meeting, now: they stay on the record as
    present until then, and the quorum for any later business counts only who is still
    there (the minutes say who left when, and whether the meeting stayed quorate).
    Marking them present again records that they returned. ``expected`` as for
    ``attend``. One transaction, one audit row."""
    with audited(db, meeting_id, Scope.PREPARATION, actor=actor) as step:
        meeting = step.meeting
        assert meeting is not None
        if meeting.status != MeetingStatus.IN_PROGRESS:
            raise RiskboardError(
                f"{meeting.label} has not started: nobody can leave it yet",
                hint="take them off the attendance instead"
                f" (`riskboard meeting attend {_quoted(name)} --remove`)",
            )
        person = store.person_by_name(db, name)
        row = store.attendance_row(db, meeting_id, person["id"]) if person else None
        if person is None or row is None:
            raise RiskboardError(f"{name!r} is not recorded at {meeting.label}")
        if row["status"] != "present":
            raise RiskboardError(
                f"{person['name']} is recorded as sending apologies to {meeting.label}:"
                " only someone present can leave"
            )
        if row["left_at"]:
            raise RiskboardError(
                f"{person['name']} already left {meeting.label} at {_clock(row['left_at'])}",
                hint=f"if they came back: `riskboard meeting attend {_quoted(person['name'])}`",
            )
        pid = person["id"]
        step.track(
            "attendance",
            person["name"],
            lambda: store.attendance_row(db, meeting_id, pid),
            expected=expected,
            wanted={"status": "present"},
            subject=f"{person['name']} at meeting {meeting_id}",
            labels={"status": "attendance"},
        )
        store.update(
            db, "attendance", {"meeting_id": meeting_id, "person_id": pid}, {"left_at": now_iso()}
        )
        after = step.record(LEFT)
        assert after is not None
    return entry_from_row(after)


def _quoted(name: str) -> str:
    return f'"{name}"' if " " in name else name


def _clock(stamp: str) -> str:
    """An audit timestamp as the local time of day (HH:MM)."""
    try:
        return datetime.fromisoformat(stamp).astimezone().strftime("%H:%M")
    except ValueError:
        return stamp


def _refuse_if_took_part(
    db: sqlite_utils.Database, meeting: Any, name: str, doing: str, *, counted: bool | None = None
) -> None:
    """Someone present while the board did business stays on the record as present:
    refuse taking them off or turning them into apologies, and say how to record that
    they left. ``counted``: refusing a change of their lead-officer standing, which the
    quorum for that business counted (True: as a lead officer)."""
    row = took_part(db, meeting.id, name)
    if row is None:
        return
    what = (
        f"the minutes of meeting {row['entity_id']} approved"
        if row["entity"] == "meeting"
        else row["change"]  # "early warning EW-001: Keep open" says it all
        if row["entity"] == "early_warning_decision"
        else f"{row['entity']} {row['entity_id'] or ''}".strip() + f": {row['change']}"
    )
    if counted is not None:
        standing = "a lead officer" if counted else "not a lead officer"
        raise RiskboardError(
            f"cannot {doing}: {name} was present at {meeting.label} while the board did"
            f" business ({what}, audit row {row['id']} at {_clock(row['at'])}) and the"
            f" quorum for it counted them as {standing}; the record keeps that",
            hint="if they left, record it: `riskboard meeting attend"
            f" {_quoted(name)} --left`; if their standing was recorded wrongly, say so in"
            ' the minutes (`riskboard meeting aob "..."`)',
        )
    raise RiskboardError(
        f"cannot {doing}: {name} was present at {meeting.label} while the board did business"
        f" ({what}, audit row {row['id']} at {_clock(row['at'])}), so the"
        " record must keep them as present until they left",
        hint=f"record that they left: `riskboard meeting attend {_quoted(name)} --left`"
        " (in the meeting app: l on the attendance screen)",
    )


def remove_attendance(
    db: sqlite_utils.Database,
    meeting_id: int,
    name: str,
    *,
    expected: Mapping[str, Any] | None = None,
    actor: str | None = None,
) -> None:
    """Take someone off a meeting's attendance (recorded by mistake). ``expected`` as
    for ``attend``. One transaction, one audit row."""
    with audited(db, meeting_id, Scope.PREPARATION, actor=actor) as step:
        person = store.person_by_name(db, name)
        before = (
            step.track(
                "attendance",
                person["name"],
                lambda: store.attendance_row(db, meeting_id, person["id"]),
                expected=expected,
                wanted={"status": None},
                subject=f"{person['name']} at meeting {meeting_id}",
                labels={"status": "attendance"},
            )
            if person
            else None
        )
        if person is None or before is None:
            assert step.meeting is not None
            raise RiskboardError(f"{name!r} is not recorded at {step.meeting.label}")
        if before["status"] == "present":
            _refuse_if_took_part(db, step.meeting, person["name"], "take them off the attendance")
        store.delete_attendance(db, meeting_id, person["id"])
        step.record("removed", after=None, read=lambda: None)
