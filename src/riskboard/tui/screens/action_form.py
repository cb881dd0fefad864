"""The one form that raises an action arising: on a risk (review screen) or on an early
warning (early warnings screen). Both go to ``board.add_action``, so the action log
numbers them together; only the wording, the link and the draft name differ."""

from __future__ import annotations

from typing import TYPE_CHECKING

from riskboard import board
from riskboard.domain import uk_date
from riskboard.tui.screens.form import Field, FormDialog, guarded

if TYPE_CHECKING:
    from riskboard.tui.app import RiskboardApp


def action_form(
    rb: RiskboardApp,
    meeting: board.Meeting,
    *,
    title: str,
    text_label: str,
    intro: str,
    draft: str,
    owner: str = "",
    risk_ref: str | None = None,
    ew_ref: str | None = None,
) -> FormDialog:
    """The form: text, owner (the people list offered, ``owner`` first filled in) and a due
    date defaulting to the next meeting; saving raises the action linked to ``risk_ref``
    and/or ``ew_ref``."""
    names = [p.name for p in board.list_people(rb.db)]
    if owner:
        names.append(owner)
    fields = [
        Field("text", text_label, "long", required=True),
        Field("owner", "Owner", value=owner, required=True, suggestions=names),
        Field(
            "due",
            "Due date",
            "date",
            uk_date(board.suggest_next_meeting_date(meeting, rb.config)),
            required=True,
        ),
    ]
    return FormDialog(
        title,
        fields,
        guarded(
            lambda v: board.add_action(
                rb.db,
                meeting.id,
                v["text"],
                owner=v["owner"],
                due=v["due"],
                risk_ref=risk_ref,
                ew_ref=ew_ref,
                actor=rb.actor,
            )
        ),
        intro=intro,
        draft=draft,
    )
