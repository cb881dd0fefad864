"""The minutes' early warnings item (NEC clause 15): what was on the early warning
register, what the board decided on each early warning, the actions it raised, and the
date the revised register is due.

Built by ``minutes_model.build_minutes`` from the meeting record's ``early_warnings``
(what was decided, as hashed at approval) and an ``EwMinutesSummary`` of the register
that stood for the board month (what was on it: read at export, like the risk register
rows the minutes already use).
"""

from __future__ import annotations

from datetime import timedelta

from pydantic import BaseModel, Field

from riskboard.config import Config
from riskboard.domain import month_name, ref_key
from riskboard.early_warning import EW_STATUS_LABELS, STATUS_AFTER, EwDecisionKind, decision_words
from riskboard.reports.minutes_content import (
    ActionRow,
    Block,
    EwDecisionRow,
    Para,
    Table,
    long_date,
)
from riskboard.reports.minutes_record import MeetingRecord

EW_HEADERS = ["EW ref", "Matter", "Linked risk", "Decision", "Status", "CE ref", "Actions"]


class EwOpenItem(BaseModel):
    ref: str
    matter: str | None = None
    new: bool = False
    flags: list[str] = Field(default_factory=list)  # flag summaries, worded


class EwMinutesSummary(BaseModel):
    """The early warning register that stood for the meeting's board month."""

    month: str  # the board month
    ew_month: str  # the register read
    total: int
    open_items: list[EwOpenItem] = Field(default_factory=list)
    new_items: list[EwOpenItem] = Field(default_factory=list)  # new since the last meeting
    missing: list[str] = Field(default_factory=list)  # open ones left off it (in open_items)


def due_basis(days: int) -> str:
    """Why the revised register is due when it is: NEC4 15.2's week, or the configured
    days said as such (never "one week" over a 14-day setting)."""
    if days == 7:
        return "clause 15.2: within one week of the meeting"
    return f"{days} days after the meeting, as configured; clause 15.2 asks for one week"


def _status_after(kind: str) -> str:
    try:
        return EW_STATUS_LABELS[STATUS_AFTER[EwDecisionKind(kind)]]
    except ValueError:
        return kind


def early_warning_blocks(
    item: int,
    rec: MeetingRecord,
    summary: EwMinutesSummary | None,
    actions: list[ActionRow],
    config: Config,
) -> tuple[list[Block], list[EwDecisionRow]]:
    """The item's paragraphs and table, and the typed rows for the xlsx sheet.
    ``actions``: the meeting's action log and actions arising (an early warning's
    actions column numbers those on it, carried or new, not withdrawn)."""
    blocks: list[Block] = []
    m = rec.meeting
    if summary is not None:
        source = (
            f"the {month_name(summary.month)} register"
            if summary.ew_month == summary.month
            else f"the {month_name(summary.ew_month)} register, the latest received"
        )
        blocks.append(
            Para(
                text=f"The board considered the early warning register ({source}):"
                f" {summary.total} early warning{'s' if summary.total != 1 else ''},"
                f" {len(summary.open_items) - len(summary.missing)} open,"
                f" {len(summary.new_items)} new since the last meeting."
            )
        )
        if summary.missing:
            blocks.append(
                Para(
                    lead="Left off the register though open before, and not removed:",
                    text=", ".join(summary.missing) + " (considered as last entered).",
                )
            )
        new = summary.new_items
        if new:
            blocks.append(
                Para(
                    lead="New since the last meeting:",
                    text="; ".join(f"{o.ref}" + (f" ({o.matter})" if o.matter else "") for o in new)
                    + ".",
                )
            )
    rows = [
        EwDecisionRow(
            item=item,
            ref=d.ew_ref,
            matter=d.ew_description,
            linked_risk=d.ew_linked_risk,
            decision=decision_words(d.decision, d.reason, d.ce_ref),
            status=_status_after(d.decision),
            ce_ref=d.ce_ref,
            actions=[
                a.number
                for a in actions
                if a.ew_ref and ref_key(a.ew_ref) == ref_key(d.ew_ref) and not a.withdrawn
            ],
        )
        for d in rec.early_warnings
    ]
    blocks.append(
        Table(
            headers=EW_HEADERS,
            rows=[
                [r.ref, r.matter or "", r.linked_risk or "", r.decision, r.status, r.ce_ref or "",
                 ", ".join(str(n) for n in r.actions)]
                for r in rows
            ],
            sheet="Early Warnings",
            empty="The board recorded no decisions on early warnings.",
        )
    )  # fmt: skip
    for n in rec.ew_notices:
        on = f" on risk {n.risk_ref}" if n.risk_ref else ""
        meet = (
            f", proposing an early warning meeting on {long_date(n.proposed_meeting)}"
            if n.proposed_meeting
            else ""
        )
        blocks.append(
            Para(
                lead="Early warning notice:",
                text=f"the board agreed to give early warning {n.ew_ref} to the Contractor{on}"
                + (f" ({n.matter})" if n.matter else "")
                + f"{meet}.",
            )
        )
    decided = {r.ref for r in rows}
    if summary is not None:
        undecided = [o for o in summary.open_items if o.ref not in decided]
        if undecided:
            blocks.append(
                Para(
                    lead="Open early warnings not decided at this meeting:",
                    text="; ".join(
                        o.ref + (f" ({'; '.join(o.flags)})" if o.flags else "") for o in undecided
                    )
                    + ".",
                )
            )
    # as frozen when the meeting closed; an open meeting (or one closed before record
    # version 6) from the config
    days = (
        m.ew_register_due_days
        if m.ew_register_due_days is not None
        else config.early_warnings.register_due_days
    )
    due = m.ew_register_due or m.meeting_date + timedelta(days=days)
    blocks.append(
        Para(
            text="The revised early warning register is to be issued to the Contractor by"
            f" {long_date(due)} ({due_basis(days)})."
        )
    )
    return blocks, rows
