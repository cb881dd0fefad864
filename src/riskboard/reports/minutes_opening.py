"""The parts of the minutes around the business: who was there (members present, those
in attendance - the minute-taker among them - and apologies), the quorum in words, the
time the meeting opened and closed, the confirmation of the previous minutes, and the
chair's signature block.

Pure functions of the meeting record (``minutes_record.MeetingRecord``); the three
renderers draw the blocks they return like any other.
"""

from __future__ import annotations

import re

from riskboard.domain import local_clock, local_day, same_person, uk_date, upper_first
from riskboard.reports.minutes_content import Block, Para, Table, long_date
from riskboard.reports.minutes_quorum import quorum_statement
from riskboard.reports.minutes_record import MeetingRecord, RecAttendee, RecQuorum

ORG_ORDER = ["contractor", "directorate", "corporate", "other"]
ORG_LABELS = {
    "contractor": "Contractor",
    "directorate": "Council Directorate",
    "corporate": "Council Corporate",
    "other": "Other",
}
CHAIR = "Chair"
MINUTE_TAKER = "Minute-taker"


def org_label(code: str) -> str:
    return ORG_LABELS.get(code.lower(), upper_first(code))


def _same(a: str | None, b: str | None) -> bool:
    return same_person(a, b)


def _role(a: RecAttendee, rec: MeetingRecord) -> str:
    """The attendee's role, with "Chair" / "Minute-taker" from the meeting itself (the
    people list's role text may say otherwise: a chair is whoever chairs this meeting)."""
    role = re.sub(r"\s*\((chair|minute[- ]taker)\)\s*$", "", a.role or "", flags=re.I).strip()
    if role.casefold() in ("chair", "minute taker", "minute-taker"):
        role = ""
    marks = []
    if _same(a.name, rec.meeting.chair):
        marks.append(CHAIR)
    if _same(a.name, rec.meeting.minute_taker):
        marks.append(MINUTE_TAKER)
    return "; ".join(x for x in (role, *marks) if x)


def attendance_blocks(rec: MeetingRecord, timezone: str = "Europe/London") -> list[Block]:
    """Present (the board's members: lead officers), in attendance (officers who are not
    members, and the minute-taker), apologies, and the quorum."""
    order = {o: i for i, o in enumerate(ORG_ORDER)}

    def by_org(a: RecAttendee) -> tuple[int, str]:
        return (order.get(a.organisation.lower(), 99), a.name.lower())

    m = rec.meeting
    members = sorted((a for a in rec.attendance.present if a.lead_officer), key=by_org)
    # officers who are not members of the board, the minute-taker among them
    attending = sorted((a for a in rec.attendance.present if not a.lead_officer), key=by_org)
    blocks: list[Block] = [
        Para(text="Present:"),
        Table(
            headers=["Name", "Organisation", "Role"],
            rows=[[a.name, org_label(a.organisation), _role(a, rec)] for a in members],
            empty="No members were recorded as present.",
        ),
    ]
    chair_present = any(_same(a.name, m.chair) for a in rec.attendance.present)
    if m.chair and not chair_present:
        blocks.append(Para(text=f"The chair, {m.chair}, is not recorded as present."))
    rows = [[a.name, org_label(a.organisation), _role(a, rec)] for a in attending]
    if m.minute_taker and not any(_same(a.name, m.minute_taker) for a in rec.attendance.present):
        rows.append([m.minute_taker, "", MINUTE_TAKER])
    if rows:
        blocks += [Para(text="In attendance:"), Table(headers=["Name", "Organisation", "Role"],
                                                      rows=rows)]  # fmt: skip
    apologies = "; ".join(
        f"{a.name} ({org_label(a.organisation)})"
        for a in sorted(rec.attendance.apologies, key=by_org)
    )
    blocks.append(Para(lead="Apologies:", text=apologies or "none."))
    blocks.append(Para(text=quorum_text(rec, timezone)))
    return blocks


# how a clerk names each side in a sentence: "2 from the Contractor"
ORG_PHRASES = {
    "contractor": "the Contractor",
    "directorate": "the Council Directorate",
    "corporate": "Council Corporate",
    "other": "others",
}
NUMBER_WORDS = ["none", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]


def org_phrase(code: str) -> str:
    return ORG_PHRASES.get(code.lower(), org_label(code))


def number_word(n: int) -> str:
    """A small count as a clerk writes it in a sentence: "one", "two" ("none" for 0)."""
    return NUMBER_WORDS[n] if 0 <= n < len(NUMBER_WORDS) else str(n)


def quorum_parts(q: RecQuorum) -> str:
    """ "(lead officers present: 2 from the Contractor, 2 from the Council Directorate
    and none from Council Corporate; the quorum is one from each)" - the counts beside
    each side, and the rule in words (never "Contractor 2 of 1 required")."""
    orgs = q.by_organisation
    if not orgs:
        return ""
    listed = _and(
        [f"{o.present if o.present else 'none'} from {org_phrase(o.organisation)}" for o in orgs]
    )
    required = {o.required for o in orgs}
    if len(required) == 1:
        need = number_word(required.pop())
        rule = f"the quorum is {need} from each" if len(orgs) > 1 else f"the quorum is {need}"
    else:
        rule = "the quorum is " + _and(
            [f"{number_word(o.required)} from {org_phrase(o.organisation)}" for o in orgs]
        )
    return f" (lead officers present: {listed}; {rule})"


def _and(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def quorum_text(rec: MeetingRecord, timezone: str = "Europe/London") -> str:
    """The quorum as the record holds it, true for the business done: at the close for a
    closed meeting (and, when someone left, whether it stayed quorate for its business:
    ``minutes_quorum``), as of now (said so) while the minutes are a draft of a meeting
    still under way."""
    return quorum_statement(rec, timezone, quorum_parts)


def times_text(rec: MeetingRecord, timezone: str) -> str:
    """When the meeting opened and closed, as the record shows it was started and closed
    in riskboard: "10:02 to 11:47" (local time). Only when that happened on the meeting
    day: a record kept on another day (written up afterwards, or the demo) does not
    know the meeting's times, and says so rather than print the typing's."""
    m = rec.meeting
    day = local_day(m.opened_at, timezone)
    if day is None:
        return "not recorded"
    if day != m.meeting_date:
        return f"not recorded (the record was opened on {uk_date(day)}, not on the day)"
    opened, closed = local_clock(m.opened_at, timezone), local_clock(m.closed_at, timezone)
    if not closed:
        return f"opened {opened}, not yet closed"
    closed_day = local_day(m.closed_at, timezone)
    if closed_day != day:
        return f"{opened} (closed in riskboard on {uk_date(closed_day)})"
    return f"{opened} to {closed}"


def signature_blocks(rec: MeetingRecord) -> list[Block]:
    """The chair's signature block: signed as a correct record at (or after) the meeting
    that approves the minutes."""
    chair = rec.meeting.chair or "the Chair"
    return [
        Para(text="Signed as a correct record:"),
        Para(text="Signature: ________________________________    Date: ________________"),
        Para(text=f"{chair}, Chair"),
    ]


# the line ``board.approval.approve_previous`` adds to the approving meeting's note
# ("Minutes of meeting 3 (10/03/2026) approved as a correct record[, subject to: X]")
_APPROVAL_LINE = re.compile(
    r"^Minutes of meeting (\d+) \([^)]*\) approved as a correct record"
    r"(?:, subject to: (.*)|\.)$"
)


def previous_blocks(rec: MeetingRecord) -> list[Block]:
    pm = rec.previous_minutes
    amendments: dict[int, str | None] = {}
    other_notes: list[str] = []
    for line in (pm.note or "").splitlines():
        if match := _APPROVAL_LINE.match(line.strip()):
            amendments[int(match.group(1))] = match.group(2)
        elif line.strip():
            other_notes.append(line.strip())
    blocks: list[Block] = []
    approved = sorted(pm.approved_here, key=lambda r: r.meeting_date)
    for ref in approved:
        text = f"that the minutes of the meeting held on {long_date(ref.meeting_date)} be"
        text += " confirmed as a correct record and signed by the Chair"
        amendment = amendments.get(ref.meeting_id or ref.id or 0)
        text += f", subject to the following amendment: {amendment}" if amendment else "."
        blocks.append(Para(lead="RESOLVED:", text=text))
        if ref.quorum is not None:
            state = "quorate" if ref.quorum.met else "NOT quorate"
            blocks.append(
                Para(
                    text=f"The board was {state} when these minutes were approved"
                    f"{quorum_parts(ref.quorum)}."
                )
            )
    prev = pm.previous_meeting
    if prev is None and not approved:
        blocks.append(Para(text="There were no previous minutes to confirm."))
    elif prev is not None and all(r.meeting_date != prev.meeting_date for r in approved):
        when = long_date(prev.meeting_date)
        blocks.append(Para(text=f"The minutes of the meeting held on {when} were not"
                           " confirmed at this meeting."))  # fmt: skip
    blocks += [Para(text=n) for n in other_notes]
    return blocks
