"""The meeting TUI: ``riskboard meeting`` opens it; it resumes the open meeting or
starts one. Every change goes straight to the board service (one transaction each),
so closing the terminal at any moment loses nothing already entered; what is half
typed in an open form is kept as a draft (``tui.drafts``) and offered back.

Two apps (or an app and the CLI) on one meeting: every ``CHANGE_POLL_SECONDS`` the app
asks the board service for changes recorded since it last looked; changes made
elsewhere are announced and every open screen re-reads the record. A save based on a
value that changed meanwhile is refused by the service with both values shown."""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Callable, Iterable
from functools import partial
from typing import Any, ClassVar, TypeVar

import sqlite_utils
from textual import work
from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.css.query import NoMatches
from textual.screen import Screen

from riskboard import board
from riskboard.agenda import MonthData
from riskboard.config import Config
from riskboard.errors import RiskboardError
from riskboard.register import imports_since, last_import_id
from riskboard.tui.database import connection, open_db
from riskboard.tui.drafts import DraftKeeper
from riskboard.tui.remedies import error_text
from riskboard.tui.widgets.meeting_bar import month_name

T = TypeVar("T")


class RiskboardApp(App[int]):
    """Runs one Risk Management Board meeting from attendance to close."""

    CSS_PATH = "riskboard.tcss"
    TITLE = "riskboard"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("question_mark", "help", "Help", id="app.help"),
        Binding("ctrl+r", "reload_register", "Reload register", id="app.reload", show=False),
    ]
    # how often the app looks for registers the nightly import brought in meanwhile
    IMPORT_POLL_SECONDS: ClassVar[float] = 30.0
    # how often it looks for changes to the board record made elsewhere (another app,
    # the command line): one indexed query of the audit log's newest id
    CHANGE_POLL_SECONDS: ClassVar[float] = 2.0
    # the command palette also lists every key of the current screen (get_system_commands)

    def __init__(self, config: Config, *, actor: str | None = None) -> None:
        super().__init__()
        self.config = config
        self.actor = actor  # who records changes (default: the minute-taker, else the chair)
        self._db: sqlite_utils.Database | None = None
        self.meeting: board.Meeting | None = None
        self.month_data: MonthData | None = None
        self.title = config.meeting.board_name
        self._seen_import = 0  # the newest import this session has told the chair about
        self._seen_change = 0  # the newest audit row this session has shown
        # recorded on each audit row this app writes, to tell its changes from others'
        # this app's session: its drafts are its own (another app never takes them over
        # while this one runs) and its audit rows say where they came from
        self.session = uuid.uuid4().hex[:12]
        self.origin = (
            f"meeting app on {socket.gethostname()} (pid {os.getpid()}, session {self.session[:6]})"
        )
        self.drafts: DraftKeeper | None = None

    # ------------------------------------------------------------------ database

    @property
    def db(self) -> sqlite_utils.Database:
        """The UI thread's connection (workers open their own)."""
        if self._db is None:
            self._db = open_db(self.config.paths.database)
            board.set_origin(self._db, self.origin)
        return self._db

    def service(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T | None:
        """Call a board service; a RiskboardError becomes an error notification."""
        try:
            return fn(*args, **kwargs)
        except RiskboardError as err:
            self.notify(error_text(err), severity="error", markup=False, timeout=8)
            return None

    def reload_meeting(self) -> board.Meeting | None:
        if self.meeting is not None:
            self.meeting = board.get_meeting(self.db, self.meeting.id)
        return self.meeting

    @property
    def read_only(self) -> bool:
        return self.meeting is None or self.meeting.read_only

    # ------------------------------------------------------------------ lifecycle

    def on_mount(self) -> None:
        from riskboard.tui.screens.start import StartScreen

        try:
            self._seen_import = last_import_id(self.db)
        except RiskboardError:
            self._seen_import = 0
        self.set_interval(self.IMPORT_POLL_SECONDS, self.check_imports)
        self.drafts = DraftKeeper(self.config, session=self.session)
        try:
            self._seen_change = board.last_change_id(self.db)
        except RiskboardError:
            self._seen_change = 0
        self.set_interval(self.CHANGE_POLL_SECONDS, self.check_changes)
        try:
            meeting = board.current_meeting(self.db)
        except RiskboardError as err:
            self.push_screen(StartScreen(error=str(err)))
            return
        if meeting is None:
            self.push_screen(StartScreen())
            return
        if meeting.status == board.MeetingStatus.DRAFT:
            opened = self.service(board.open_meeting, self.db, meeting.id, actor=self.actor)
            if opened is not None:
                meeting = opened
                self.notify(f"Meeting opened ({meeting.label}).")
        self.begin(meeting, resumed=True)

    def begin(self, meeting: board.Meeting, *, resumed: bool = False) -> None:
        """Show the agenda of ``meeting`` (replacing whatever screen is on top)."""
        from riskboard.tui.screens.agenda import AgendaScreen

        self.meeting = meeting
        self.month_data = None
        screen = AgendaScreen()
        if len(self.screen_stack) > 1:
            self.switch_screen(screen)
        else:
            self.push_screen(screen)
        if resumed:
            self.notify(f"Resumed {meeting.label}. Everything entered so far is kept.", timeout=4)

    def on_unmount(self) -> None:
        if self.drafts is not None:
            self.drafts.close()
        if self._db is not None:
            self._db.conn.close()
            self._db = None

    # ------------------------------------------------------------------ changes elsewhere

    def check_changes(self) -> None:
        """Re-read the record if it changed since this app last looked; announce the
        changes made elsewhere (another app, the command line)."""
        try:
            latest = board.last_change_id(self.db)
        except RiskboardError:
            return
        if latest <= self._seen_change:
            return
        changes = board.changes_since(self.db, self._seen_change)
        self._seen_change = latest
        elsewhere = [c for c in changes if c.origin != self.origin]
        if not elsewhere:
            return
        self.reload_meeting()
        lines = [describe_change(c) for c in elsewhere[-3:]]
        more = f"\n(and {len(elsewhere) - 3} more)" if len(elsewhere) > 3 else ""
        self.notify("\n".join(lines) + more, title="Changed elsewhere", timeout=8, markup=False)
        from riskboard.tui.screens.base import BoardScreen
        from riskboard.tui.screens.form import FormDialog

        for screen in self.screen_stack:
            try:
                if isinstance(screen, BoardScreen):
                    screen.refresh_from_record()
                elif isinstance(screen, FormDialog):
                    screen.note_changed_elsewhere("; ".join(lines))
            except NoMatches:
                # a screen still being composed (or already closing) when this timer
                # fires: it reads the record reloaded above when it mounts. Found as a
                # crash ending the app under load ('#agenda-items' not there yet).
                continue

    # ------------------------------------------------------------------ new registers

    def check_imports(self) -> None:
        """Look (in a worker) for registers imported since the app last looked."""
        self._poll_imports(self._seen_import)

    @work(thread=True, exclusive=True, exit_on_error=False, group="poll-imports")
    def _poll_imports(self, since: int) -> None:
        with connection(self.config) as db:
            fresh = imports_since(db, since)
        if fresh:
            self.call_from_thread(self.announce_imports, fresh)

    def announce_imports(self, fresh: list[dict[str, Any]]) -> None:
        """Tell the chair a register arrived (the nightly import runs beside the app)."""
        self._seen_import = max(self._seen_import, *(int(i["id"]) for i in fresh))
        board_month = self.meeting.month if self.meeting else None
        for months in sorted({i["month"] for i in fresh}):
            files = ", ".join(i["file_name"] for i in fresh if i["month"] == months)
            if months == board_month:
                self.notify(
                    f"The {month_name(months)} register was updated ({files})."
                    " Press ctrl+r to reload it.",
                    title="Register updated",
                    timeout=15,
                    markup=False,
                )
            else:
                reviewing = (
                    f" This meeting reviews {month_name(board_month)}." if board_month else ""
                )
                self.notify(
                    f"A new register arrived: {month_name(months)} ({files}).{reviewing}",
                    title="New month imported",
                    timeout=15,
                    markup=False,
                )

    def action_reload_register(self) -> None:
        """Reload the board month's register (after a corrected export was imported)."""
        from riskboard.tui.screens.agenda import AgendaScreen

        if self.meeting is None:
            return
        self.month_data = None
        for screen in self.screen_stack:
            if isinstance(screen, AgendaScreen):
                screen.data = None
                screen.load()
        self.notify(f"Reloading the {month_name(self.meeting.month)} register...", timeout=3)

    # ------------------------------------------------------------------ help and palette

    def action_help(self) -> None:
        from riskboard.tui.screens.help import HelpScreen, bindings_of

        screen = self.screen
        if isinstance(screen, HelpScreen):
            return
        about = getattr(screen, "ABOUT", "")
        name = getattr(screen, "HELP_TITLE", "") or screen.__class__.__name__
        self.push_screen(HelpScreen(name, bindings_of(screen), about))

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        """Every key of the current screen is also a palette command."""
        yield from super().get_system_commands(screen)
        seen: set[str] = set()
        for key, active in screen.active_bindings.items():
            binding = active.binding
            if not binding.description or binding.system or not active.enabled:
                continue
            if binding.action in seen or binding.action.startswith("app.command_palette"):
                continue
            seen.add(binding.action)
            shown = binding.key_display or self.get_key_display(binding) or key
            yield SystemCommand(
                binding.description,
                f"key: {shown}",
                partial(self.run_action, binding.action, active.node),
            )


def describe_change(change: board.AuditEntry) -> str:
    """One line for a change made elsewhere: who, what, from where."""
    who = change.actor or "someone"
    what = f"{change.entity} {change.entity_id or ''}".strip()
    where = f" ({change.origin})" if change.origin else ""
    return f"{who}: {what} - {change.change}{where}"


def run(config: Config) -> int:
    """Run the meeting TUI until the user quits; returns the exit code."""
    result = RiskboardApp(config).run()
    return int(result or 0)
