"""The agenda in the standard order, and the one-line status of each item.

Pure Python (no textual): the agenda screen turns these into its sidebar.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

from riskboard import board
from riskboard.domain import FlagCode
from riskboard.tui.risk_rows import ESCALATION, FLAGGED, REST, RiskRow

RISK_SECTIONS = ("flagged", "escalation", "rest", "acceptances", "whole")


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
    meeting: board.Meeting,
    *,
    attendance: Sequence[board.AttendanceEntry],
    quorum: board.QuorumStatus | None,
    previous: board.Meeting | None,
    action_log_count: int,
    rows: Sequence[RiskRow] | None,
    acceptances: board.AcceptanceOutlook | None = None,
) -> list[AgendaItem]:
    """The items in the standard order with what has been recorded against each."""
    present = sum(1 for e in attendance if e.status == board.AttendanceStatus.PRESENT)
    apologies = len(attendance) - present
    items = [
        AgendaItem(
            "attendance",
            "Attendance & apologies",
            f"{present} present, {apologies} {'apology' if apologies == 1 else 'apologies'}",
            bool(quorum and quorum.met),
        ),
        AgendaItem(
            "declarations",
            "Declarations of interest",
            f"{len(meeting.declarations)} recorded" if meeting.declarations else "none recorded",
        ),
    ]
    if previous is None:
        items.append(AgendaItem("minutes", "Previous minutes", "first meeting: none", True))
    elif previous.locked:
        items.append(AgendaItem("minutes", "Previous minutes", "approved, locked", True))
    else:
        items.append(
            AgendaItem(
                "minutes", "Previous minutes", f"to approve ({previous.meeting_date:%d/%m/%Y})"
            )
        )
    items.append(
        AgendaItem(
            "action_log",
            "Action log",
            f"{action_log_count} carried forward" if action_log_count else "none carried",
        )
    )
    names = {
        "flagged": "Flagged risks",
        "escalation": "Escalation candidates",
        "rest": "Rest of register",
    }
    for key, title in names.items():
        if rows is None:
            items.append(AgendaItem(key, title, "loading..."))
        else:
            text, done = reviewed_status(section_rows(rows, key))
            items.append(AgendaItem(key, title, text, done))
    if acceptances is not None and (acceptances.lapsed or acceptances.due):
        items.append(
            AgendaItem(
                "acceptances",
                "Acceptances to review",
                f"{len(acceptances.lapsed)} lapsed · {len(acceptances.due)} due"
                f" {acceptances.until:%d/%m}",
            )
        )
    items.append(
        AgendaItem(
            "aob",
            "Any other business",
            f"{len(meeting.aob)} item{'s' if len(meeting.aob) != 1 else ''}"
            if meeting.aob
            else "none recorded",
        )
    )
    items.append(
        AgendaItem(
            "next_date",
            "Date of next meeting",
            f"{meeting.next_meeting_date:%d/%m/%Y}" if meeting.next_meeting_date else "not set",
            meeting.next_meeting_date is not None,
        )
    )
    items.append(AgendaItem("close", "Close the meeting", meeting.status.value.replace("_", " ")))
    if rows is not None:
        after_rest = next(i for i, item in enumerate(items) if item.key == "rest") + 1
        items.insert(after_rest, AgendaItem("whole", "  (whole register)", f"{len(rows)} risks"))
    return items


__all__ = ["ESCALATION", "RISK_SECTIONS", "AgendaItem", "agenda_items", "section_rows"]
