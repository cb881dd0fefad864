"""The agenda items that are one form each: declarations of interest, previous minutes,
any other business and the date of the next meeting."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from rich.markup import escape

from riskboard import board
from riskboard.domain import count_of, month_name, uk_date
from riskboard.tui.screens.form import Field, FormDialog, guarded

if TYPE_CHECKING:
    from riskboard.tui.app import RiskboardApp

Done = Callable[[], None]


def _refuse_if_read_only(rb: RiskboardApp) -> bool:
    if rb.read_only:
        rb.notify("This meeting is closed: its record is read-only.", severity="warning")
        return True
    return False


def _listing(items: list[str], empty: str) -> str:
    if not items:
        return empty
    return "\n".join(f"  {i}. {escape(t)}" for i, t in enumerate(items, 1))


def declarations(rb: RiskboardApp, done: Done) -> None:
    meeting = rb.meeting
    if meeting is None or _refuse_if_read_only(rb):
        return
    rb.push_screen(
        FormDialog(
            "Declarations of interest",
            [Field("text", "Add a declaration", "long", required=True)],
            guarded(lambda v: board.add_declaration(rb.db, meeting.id, v["text"], actor=rb.actor)),
            intro="Recorded so far:\n"
            + _listing(meeting.declarations, "  none")
            + "\n\ne.g. 'J Smith - HM-004: family member employed by the subcontractor'.",
            submit_label="Add",
            draft="declaration",
        ),
        lambda _: done(),
    )


def any_other_business(rb: RiskboardApp, done: Done) -> None:
    meeting = rb.meeting
    if meeting is None or _refuse_if_read_only(rb):
        return
    rb.push_screen(
        FormDialog(
            "Any other business",
            [Field("text", "Add an item of any other business", "long", required=True)],
            guarded(lambda v: board.add_aob(rb.db, meeting.id, v["text"], actor=rb.actor)),
            intro="Recorded so far:\n" + _listing(meeting.aob, "  none"),
            submit_label="Add",
            draft="aob",
        ),
        lambda _: done(),
    )


def next_meeting_date(rb: RiskboardApp, done: Done) -> None:
    meeting = rb.meeting
    if meeting is None or _refuse_if_read_only(rb):
        return
    suggested = meeting.next_meeting_date or board.suggest_next_meeting_date(meeting, rb.config)
    rb.push_screen(
        FormDialog(
            "Date of next meeting",
            [Field("when", "Next meeting date", "date", uk_date(suggested), required=True)],
            guarded(
                lambda v: board.set_next_meeting_date(
                    rb.db,
                    meeting.id,
                    v["when"],
                    # what was recorded when the form opened (blank: not set yet)
                    expected={"next_meeting_date": meeting.next_meeting_date},
                    actor=rb.actor,
                )
            ),
            intro=f"Suggested: {rb.config.meeting.next_meeting_weeks} weeks after this meeting.",
            draft="next-date",
        ),
        lambda _: done(),
    )


def previous_minutes(rb: RiskboardApp, done: Done) -> None:
    meeting = rb.meeting
    if meeting is None:
        return
    if meeting.previous_meeting_id is None:
        rb.notify("This is the board's first meeting in riskboard: no previous minutes.")
        return
    previous = rb.service(board.get_meeting, rb.db, meeting.previous_meeting_id)
    if previous is None:
        return
    if previous.locked:
        rb.notify(
            f"The minutes of {previous.label} were approved at meeting"
            f" {previous.approved_by_meeting_id} and are locked.",
        )
        return
    if _refuse_if_read_only(rb):
        return
    record = board.meeting_record(rb.db, previous.id)
    summary = record["summary"]
    intro = (
        f"Meeting of {uk_date(previous.meeting_date)} ({month_name(previous.month)} register),"
        f" chaired by {escape(previous.chair or '-')}: {summary['present']} present,"
        f" {count_of(summary['reviews'], 'risk')} reviewed,"
        f" {count_of(summary['escalations'], 'escalation')},"
        f" {count_of(summary['actions_arising'], 'action')} arising.\n"
        "Approving them as a correct record locks that meeting for good (its record is"
        " hashed so later changes can be detected)."
    )
    quorum = rb.service(board.quorum, rb.db, meeting.id)
    if quorum is not None and not quorum.met:
        intro += (
            f"\n[b]This meeting is {escape(quorum.describe())}[/b]: the minutes can be"
            " approved only by a quorate board - record attendance (a) first."
        )

    def approve(values: dict[str, Any]) -> object:
        return board.approve_previous(
            rb.db, meeting.id, amendment=values["amendment"] or None, actor=rb.actor
        )

    def approved(values: dict[str, Any] | None) -> None:
        done()
        if values is not None:
            rb.notify("Previous minutes approved and locked.")

    rb.push_screen(
        FormDialog(
            "Approve the previous minutes",
            [Field("amendment", "Amendment (optional)", "long")],
            guarded(approve),
            intro=intro,
            submit_label="Approve minutes",
            draft="approve-minutes",
        ),
        approved,
    )
