"""The minutes' quorum statement and who left the meeting - true for the business done.

Attendance alone holds only its final state: someone who left before the close would
read as never there, and a meeting that lost its quorum after its business as never
quorate. The record's ``quorum_history`` (replayed from the audit log by
``board.quorum_history``) says who left when, after which business, and whether any
business was done while the meeting was not quorate; this module words it:

- "The meeting was quorate (...)." - nothing changed during the business;
- "The meeting was quorate throughout (...)." - people left, the quorum held;
- "The meeting was quorate until Alison Reeve left at 10:42; no business was
  transacted after that. At the close it was not quorate (...)."
- "The meeting was not quorate from 10:42 (Alison Reeve left) to 10:55 (Alison
  Reeve returned); no business was transacted in that time."

Times are local (``config.schedule.timezone``), HH:MM.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

from riskboard.reports.minutes_content import Item, Para
from riskboard.reports.minutes_record import (
    MeetingRecord,
    RecBusinessRef,
    RecInquorate,
    RecQuorum,
)

Parts = Callable[[RecQuorum], str]
OrgLabel = Callable[[str], str]


def clock(stamp: str | None, timezone: str) -> str:
    """A UTC ISO timestamp as local HH:MM ("-" when missing or unreadable)."""
    if not stamp:
        return "-"
    try:
        return datetime.fromisoformat(stamp).astimezone(ZoneInfo(timezone)).strftime("%H:%M")
    except ValueError:
        return stamp


def _business(n: int, since: str) -> str:
    if n == 0:
        return f"no business was transacted {since}"
    return f"{n} item{'s' if n != 1 else ''} of business {'were' if n != 1 else 'was'} recorded {since}"


def _period(p: RecInquorate, timezone: str) -> str:
    start, end = clock(p.start_at, timezone), clock(p.end_at, timezone)
    return (
        f"The meeting was not quorate from {start} ({p.start_by}) to {end} ({p.end_by});"
        f" {_business(p.business, 'in that time')}."
    )


def quorum_statement(rec: MeetingRecord, timezone: str, parts: Parts) -> str:
    """The quorum sentence(s) of the minutes' attendance item (see the module doc)."""
    q = rec.quorum
    if q is None:
        return "Quorum was not recorded."
    detail = parts(q)
    h = rec.quorum_history
    periods = h.inquorate if h else []
    still = next((p for p in periods if p.end_at is None), None)
    ended = [_period(p, timezone) for p in periods if p.end_at is not None]
    lost = (
        f"quorate until {still.start_by} at {clock(still.start_at, timezone)};"
        f" {_business(still.business, 'after that' if rec.meeting.status == 'closed' else 'since')}"
        if still
        else None
    )
    before = (
        f" {_business(h.business_before_quorum, 'before it was quorate')}."
        if h and h.business_before_quorum
        else ""
    )
    before = before[:2].upper() + before[2:] if before else ""
    if rec.meeting.status != "closed":
        state = "quorate" if q.met else "not quorate"
        text = f"At the time of this draft the meeting is {state}{detail}."
        if lost:
            text += f" It was {lost.replace('was transacted', 'has been transacted')}."
        return " ".join([text, *ended]) + before
    if lost:
        text = f"The meeting was {lost}. At the close it was not quorate{detail}."
    elif q.met:
        throughout = " throughout" if h and h.departures and h.business and not ended else ""
        text = f"The meeting was quorate{throughout}{detail}."
    else:
        text = f"The meeting was not quorate{detail}."
    text = " ".join([text, *ended]) + before
    if not q.met and rec.meeting.close_forced_reason:
        text += f" The chair closed the meeting without quorum: {rec.meeting.close_forced_reason}"
    return text


def departures_para(
    rec: MeetingRecord, items: list[Item], timezone: str, org_label: OrgLabel
) -> Para | None:
    """ "Left during the meeting: Alison Reeve (Council Corporate) at 10:42, after item 6
    (Risk HM-001: ...)." - None when nobody left."""
    h = rec.quorum_history
    if h is None or not h.departures:
        return None
    listed = []
    for d in h.departures:
        when = f"at {clock(d.at, timezone)}, " + (
            f"after {where}" if d.after and (where := _item_of(d.after, items)) else
            "before any business" if d.after is None else "after the business before it"
        )  # fmt: skip
        back = f"; returned at {clock(d.returned_at, timezone)}" if d.returned_at else ""
        listed.append(f"{d.name} ({org_label(d.organisation)}) {when}{back}")
    return Para(lead="Left during the meeting:", text="; ".join(listed) + ".")


def _item_of(ref: RecBusinessRef, items: list[Item]) -> str | None:
    """The minutes item where a piece of business is minuted ("item 6 (Risk HM-001)")."""
    if ref.entity == "review":
        found = next((i for i in items if i.kind == "risk" and i.ref == ref.entity_id), None)
    elif ref.entity == "action":
        kind = "actions" if ref.change == "action raised" else "action_log"
        found = next((i for i in items if i.kind == kind), None)
    elif ref.entity == "escalation":
        found = next((i for i in items if i.kind == "escalations"), None)
    elif ref.entity == "early_warning_decision":
        found = next((i for i in items if i.kind == "early_warnings"), None)
    else:
        found = next((i for i in items if i.kind == "previous"), None)
    return f"item {found.number} ({found.title})" if found else None
