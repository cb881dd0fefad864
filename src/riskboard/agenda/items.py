"""The month's agenda in the standard order, and the one-line status of each item.

UK council order (DOMAIN.md): attendance and apologies; declarations of interest; the
previous minutes; matters arising (the action log, then escalations from earlier
meetings still awaiting a decision); the risks - flagged first, then escalation
candidates, the rest of the register and the board's acceptances to review; the NEC
early warnings (when an early warning register is imported); any other business; the
date of the next meeting; close. The meeting app draws these as its
sidebar; the sections' risks come from ``section_rows``.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

import sqlite_utils

from riskboard import board
from riskboard.agenda.month import MonthData
from riskboard.agenda.rows import ESCALATION, FLAGGED, REST, RiskRow
from riskboard.domain import FlagCode, count_of, uk_date

# the agenda items that list risks (the meeting app shows them in its risk table)
RISK_SECTIONS = ("flagged", "escalation", "rest", "acceptances", "whole")
SECTION_TITLES = {
    "flagged": "Flagged risks",
    "escalation": "Escalation candidates",
    "rest": "Rest of the register",
    "acceptances": "Acceptances lapsed or falling due before the next meeting",
    "whole": "Whole register",
}
# what the flagged section's agenda order puts first (said only while so sorted)
FLAGGED_ORDER_NOTE = "stale actions first"
REGISTER_ORDER_NOTE = "in register order"


@dataclass(frozen=True)
class AgendaItem:
    key: str
    title: str
    status: str = ""
    done: bool = False


def section_rows(
    rows: Sequence[RiskRow], section: str, acceptance_refs: Collection[str] = ()
) -> list[RiskRow]:
    """The risks an agenda section lists, keeping agenda order (``acceptances``: those
    in ``acceptance_refs``, the board's lapsed and soon-due acceptances)."""
    if section == "acceptances":
        return [r for r in rows if r.ref in acceptance_refs]
    if section == "flagged":
        return [r for r in rows if r.section == FLAGGED]
    if section == "escalation":
        # a risk whose score could not be read may belong here: it is listed, and its
        # unreadable_value flag says why, rather than dropping out without a word
        return [
            r
            for r in rows
            if FlagCode.ESCALATION_CANDIDATE in r.flags
            or (r.score is None and FlagCode.UNREADABLE_VALUE in r.flags)
        ]
    if section == "rest":
        return [r for r in rows if r.section == REST]
    return list(rows)


def reviewed_status(rows: Sequence[RiskRow]) -> tuple[str, bool]:
    done = sum(1 for r in rows if r.reviewed)
    return f"{done} of {len(rows)} reviewed", bool(rows) and done == len(rows)


def agenda_items(
    db: sqlite_utils.Database, meeting: board.Meeting, data: MonthData | None = None
) -> list[AgendaItem]:
    """The items of ``meeting``'s agenda in the standard order, each with what has been
    recorded against it. ``data``: the board month as loaded (None while loading: the
    risk items say so)."""
    attendance = board.attendance(db, meeting.id)
    quorum = board.quorum(db, meeting.id)
    present = sum(1 for e in attendance if e.status == board.AttendanceStatus.PRESENT)
    apologies = len(attendance) - present
    items = [
        AgendaItem(
            "attendance",
            "Attendance & apologies",
            f"{present} present, {count_of(apologies, 'apology', 'apologies')}",
            quorum.met,
        ),
        AgendaItem(
            "declarations",
            "Declarations of interest",
            f"{len(meeting.declarations)} recorded" if meeting.declarations else "none recorded",
        ),
        _previous_minutes(db, meeting),
    ]
    carried = len(board.action_log(db, meeting.id))
    items.append(
        AgendaItem(
            "action_log",
            "Action log",
            f"{carried} carried forward" if carried else "none carried",
        )
    )
    pending = _escalations_item(db, meeting)
    if pending is not None:
        items.append(pending)
    for key in ("flagged", "escalation", "rest"):
        title = SECTION_TITLES[key].replace("Rest of the register", "Rest of register")
        if data is None:
            items.append(AgendaItem(key, title, "loading..."))
        else:
            text, done = reviewed_status(section_rows(data.rows, key))
            items.append(AgendaItem(key, title, text, done))
    if data is not None:
        items.append(AgendaItem("whole", "  (whole register)", whole_register_text(data)))
    acceptances = data.acceptances if data else None
    if acceptances is not None and (acceptances.lapsed or acceptances.due):
        items.append(
            AgendaItem(
                "acceptances",
                "Acceptances to review",
                f"{len(acceptances.lapsed)} lapsed, {len(acceptances.due)} due by"
                f" {uk_date(acceptances.until)}",
            )
        )
    early_warnings = _early_warnings_item(db, meeting)
    if early_warnings is not None:
        items.append(early_warnings)
    items.append(
        AgendaItem(
            "aob",
            "Any other business",
            count_of(len(meeting.aob), "item") if meeting.aob else "none recorded",
        )
    )
    items.append(
        AgendaItem(
            "next_date",
            "Date of next meeting",
            uk_date(meeting.next_meeting_date) if meeting.next_meeting_date else "not set",
            meeting.next_meeting_date is not None,
        )
    )
    items.append(AgendaItem("close", "Close the meeting", meeting.status.value.replace("_", " ")))
    return items


def whole_register_text(data: MonthData) -> str:
    """ "91 risks (1 missing)": the export's risks and those missing from it."""
    text = count_of(len(data.rows), "risk")
    missing = sum(1 for r in data.rows if r.direction == "gone")
    return f"{text} ({missing} missing)" if missing else text


def _previous_minutes(db: sqlite_utils.Database, meeting: board.Meeting) -> AgendaItem:
    if meeting.previous_meeting_id is None:
        return AgendaItem("minutes", "Previous minutes", "first meeting: none", True)
    previous = board.get_meeting(db, meeting.previous_meeting_id)
    if previous.locked:
        return AgendaItem("minutes", "Previous minutes", "approved, locked", True)
    return AgendaItem(
        "minutes", "Previous minutes", f"to approve ({uk_date(previous.meeting_date)})"
    )


def _escalations_item(db: sqlite_utils.Database, meeting: board.Meeting) -> AgendaItem | None:
    """Escalations from earlier meetings awaiting a decision (or decided at this one);
    None when there are none."""
    waiting = [e for e in board.escalations_awaiting(db, meeting.id) if e.meeting_id < meeting.id]
    _, decided = board.escalations_at(db, meeting.id)
    if not waiting and not decided:
        return None
    parts = []
    if waiting:
        parts.append(f"{len(waiting)} awaiting")
    if decided:
        parts.append(f"{len(decided)} decided")
    return AgendaItem("escalations", "Escalations to decide", " · ".join(parts), not waiting)


def _early_warnings_item(db: sqlite_utils.Database, meeting: board.Meeting) -> AgendaItem | None:
    """The NEC early warnings (``board.early_warnings``): new since the last meeting,
    open, decided here; None when no early warning register stands for the month and
    none was decided."""
    status = board.agenda_status(db, meeting.id)
    if status is None:
        return None
    return AgendaItem("early_warnings", "Early warnings", status.line(), status.done)


__all__ = [
    "ESCALATION",
    "FLAGGED_ORDER_NOTE",
    "RISK_SECTIONS",
    "SECTION_TITLES",
    "AgendaItem",
    "agenda_items",
    "reviewed_status",
    "section_rows",
    "whole_register_text",
]
