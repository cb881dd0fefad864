"""What every meeting screen shares: the meeting bar, the footer, service calls that
turn refusals into notifications, worker errors as notices, read-only after close."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.worker import Worker, WorkerState

from riskboard import board
from riskboard.tui.widgets.key_bar import KeyBar
from riskboard.tui.widgets.meeting_bar import MeetingBar

if TYPE_CHECKING:
    from textual.app import ComposeResult

    from riskboard.tui.app import RiskboardApp


class BoardScreen(Screen[Any]):
    """Base of the meeting screens."""

    HELP_TITLE = ""
    ABOUT = ""
    # actions that change the record: hidden and refused once the meeting is read-only
    EDIT_ACTIONS: ClassVar[frozenset[str]] = frozenset()
    # on every screen: help first in the key bar, quit (q, or ctrl+q even inside a form)
    # at its end
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("question_mark", "app.help", "Help", id="screen.help"),
        Binding("q", "app.quit", "Quit", id="screen.quit"),
    ]

    @property
    def rb(self) -> RiskboardApp:
        return self.app  # type: ignore[return-value]

    def compose_bar(self) -> ComposeResult:
        yield MeetingBar(id="meeting-bar")

    def compose_footer(self) -> ComposeResult:
        yield KeyBar()

    def on_screen_resume(self) -> None:
        self.refresh_bar()

    def refresh_from_record(self) -> None:
        """Re-read what this screen shows: the record changed elsewhere (another meeting
        app, the command line). Screens showing more than the bar override it."""
        self.refresh_bar()

    def refresh_bar(self) -> None:
        rb = self.rb
        quorum = None
        if rb.meeting is not None:
            quorum = rb.service(board.quorum, rb.db, rb.meeting.id)
        for bar in self.query(MeetingBar):
            bar.show(rb.config.meeting.board_name, rb.meeting, quorum, self.HELP_TITLE)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return not (action in self.EDIT_ACTIONS and self.rb.read_only)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.ERROR and event.worker.error is not None:
            self.notify(str(event.worker.error), severity="error", markup=False, timeout=8)
