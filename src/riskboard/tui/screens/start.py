"""Start: no meeting is open, so create one (date, board month, chair, minute-taker)."""

from __future__ import annotations

from datetime import date
from typing import Any, ClassVar

from rich.markup import escape
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import Static

from riskboard import board
from riskboard.domain import count_of
from riskboard.errors import RiskboardError
from riskboard.register import months as register_months
from riskboard.tui.screens.base import BoardScreen
from riskboard.tui.screens.form import Field, FormDialog
from riskboard.tui.widgets.meeting_bar import month_name, uk_date


class StartScreen(BoardScreen):
    HELP_TITLE = "Start a meeting"
    ABOUT = (
        "No meeting is open. Fill in the meeting date, the board month whose register"
        " the board reviews (normally the latest imported), the chair and the"
        " minute-taker, then save: the meeting opens on its agenda."
    )
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("n", "new_meeting", "New meeting", id="start.new"),
    ]
    DEFAULT_CSS = """
    StartScreen #intro { padding: 1 2; }
    """

    def __init__(self, error: str | None = None) -> None:
        super().__init__()
        self.error = error
        self.months: list[str] = []

    def compose(self) -> ComposeResult:
        yield from self.compose_bar()
        with Vertical():
            yield Static(id="intro")
        yield from self.compose_footer()

    def on_mount(self) -> None:
        self.refresh_bar()
        if self.error is None:
            try:
                self.months = register_months(self.rb.db)
            except RiskboardError as err:
                self.error = str(err)
        intro = self.query_one("#intro", Static)
        if self.error:
            intro.update(f"[b red]Cannot start:[/] {escape(self.error)}")
            return
        if not self.months:
            intro.update(
                "[b]No register has been imported yet.[/b]\n\n"
                "Import the contractor's monthly export first:\n"
                "    riskboard import FILE.xlsx\n"
                "or try the demonstration board:\n"
                "    riskboard demo DIR   then   cd DIR && riskboard meeting\n\n"
                "Press q to quit."
            )
            return
        meetings = board.list_meetings(self.rb.db)
        lines = [
            "[b]No meeting is open.[/b] Press [b]n[/b] to start this month's meeting.",
            "",
            f"Registers imported: {count_of(len(self.months), 'month')}, latest"
            f" [b]{month_name(self.months[-1])}[/b].",
        ]
        if meetings:
            last = meetings[-1]
            state = "minutes approved" if last.locked else "minutes to approve at the next meeting"
            lines.append(
                f"Last meeting: {uk_date(last.meeting_date)}, board month"
                f" {month_name(last.month)} ({state})."
            )
            if last.next_meeting_date:
                lines.append(f"It set this meeting for {uk_date(last.next_meeting_date)}.")
        intro.update("\n".join(lines))
        self.action_new_meeting()

    def action_new_meeting(self) -> None:
        if self.error or not self.months:
            return
        rb = self.rb
        names = [p.name for p in board.list_people(rb.db)]
        meetings = board.list_meetings(rb.db)
        last = meetings[-1] if meetings else None  # the same chair and minute-taker, usually
        # the date the last meeting set for this one, else today
        when = last.next_meeting_date if last and last.next_meeting_date else date.today()
        fields = [
            Field(
                "meeting_date",
                "Meeting date",
                "date",
                uk_date(when),
                required=True,
                help="The date the last meeting set for this one."
                if last and last.next_meeting_date
                else "",
            ),
            Field(
                "month",
                "Board month (the register reviewed)",
                "select",
                self.months[-1],
                options=[(month_name(m), m) for m in reversed(self.months)],
                required=True,
            ),
            Field(
                "chair", "Chair", value=last.chair if last else "", required=True, suggestions=names
            ),
            Field(
                "minute_taker",
                "Minute-taker",
                value=last.minute_taker if last else "",
                suggestions=names,
            ),
        ]

        def create(values: dict[str, Any]) -> str | None:
            try:
                meeting = board.new_meeting(
                    rb.db,
                    meeting_date=values["meeting_date"],
                    chair=values["chair"],
                    month=values["month"],
                    minute_taker=values["minute_taker"] or None,
                    config=rb.config,
                    start=True,
                )
            except RiskboardError as err:
                return str(err)
            self.created = meeting
            return None

        def done(values: dict[str, Any] | None) -> None:
            meeting = getattr(self, "created", None)
            if values is not None and meeting is not None:
                rb.begin(meeting)

        self.app.push_screen(
            FormDialog(
                "Start a meeting",
                fields,
                create,
                intro="Tab moves between fields; dates as DD/MM/YYYY. Everything is saved as"
                " you go.",
                submit_label="Start meeting",
                draft="start",
            ),
            done,
        )
