"""Escalations awaiting a decision: proposals from earlier meetings (and this one) that
the board accepts or declines, and those it has decided at this meeting."""

from __future__ import annotations

from typing import Any, ClassVar

from rich.markup import escape
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import DataTable, Static

from riskboard import board
from riskboard.domain import ESCALATION_TARGET_NAMES, EscalationTarget, outcome_text, uk_date
from riskboard.tui.screens.base import BoardScreen
from riskboard.tui.screens.form import Field, FormDialog, guarded

STATUS_STYLE = {"proposed": "yellow", "accepted": "green", "declined": "red"}


def what(e: board.Escalation) -> str:
    """ "to the Corporate risk register" / "back from the Directorate risk register" """
    if e.direction == "de-escalate":
        source = ESCALATION_TARGET_NAMES[EscalationTarget(e.source)] if e.source else "a register"
        return f"back from the {source}"
    return f"to the {e.target_name}"


class EscalationsScreen(BoardScreen):
    HELP_TITLE = "Escalations to decide"
    ABOUT = (
        "Escalations and de-escalations proposed at earlier meetings (and at this one) that"
        " have not been accepted or declined. Move to one and press y to accept it or x to"
        " decline it (Enter asks which); a note is minuted with the decision. Those decided"
        " at this meeting stay listed below. o opens the risk's review."
    )
    EDIT_ACTIONS = frozenset({"decide"})
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "decide(True)", "Accept", id="escalations.accept"),
        Binding("x", "decide(False)", "Decline", id="escalations.decline"),
        Binding("o", "open_risk", "Open risk", id="escalations.open"),
        Binding("escape", "back", "Agenda", id="escalations.back"),
    ]
    DEFAULT_CSS = """
    EscalationsScreen .heading { text-style: bold; padding: 0 1; margin-top: 1; }
    EscalationsScreen #waiting { height: 2fr; }
    EscalationsScreen #detail { height: auto; max-height: 6; padding: 0 1; background: $panel; }
    EscalationsScreen #decided { height: 1fr; }
    """

    def __init__(self) -> None:
        super().__init__()
        self.waiting: list[board.Escalation] = []
        self.decided: list[board.Escalation] = []
        self.dates: dict[int, str] = {}

    def compose(self) -> ComposeResult:
        yield from self.compose_bar()
        yield Static(id="waiting-heading", classes="heading")
        yield DataTable(id="waiting", cursor_type="row", zebra_stripes=True)
        yield Static(id="detail")
        yield Static(id="decided-heading", classes="heading")
        yield DataTable(id="decided", cursor_type="row", zebra_stripes=True)
        yield from self.compose_footer()

    def on_mount(self) -> None:
        for table_id in ("#waiting", "#decided"):
            table = self.query_one(table_id, DataTable)
            table.add_column("Ref", width=8)
            table.add_column("Risk", width=30)
            table.add_column("Escalation", width=36)
            table.add_column("Proposed", width=14)
            table.add_column("Reason", width=36)
            table.add_column("Status", width=20)
        self.reload()
        self.query_one("#waiting", DataTable).focus()

    def refresh_from_record(self) -> None:
        self.reload()

    def reload(self) -> None:
        rb = self.rb
        meeting = rb.meeting
        assert meeting is not None
        self.dates = {m.id: uk_date(m.meeting_date) for m in board.list_meetings(rb.db)}
        self.waiting = board.escalations_awaiting(rb.db, meeting.id)
        _, self.decided = board.escalations_at(rb.db, meeting.id)
        earlier = sum(1 for e in self.waiting if e.meeting_id < meeting.id)
        self.query_one("#waiting-heading", Static).update(
            f"Awaiting a decision: {len(self.waiting)} ({earlier} from earlier meetings)"
            "  - y accept, x decline"
        )
        self.query_one("#decided-heading", Static).update(
            f"Earlier proposals decided at this meeting: {len(self.decided)}"
        )
        self._fill("#waiting", self.waiting, meeting.id)
        self._fill("#decided", self.decided, meeting.id)
        if not self.waiting:
            self.query_one("#detail", Static).update(
                Text("Nothing awaits a decision.", "dim") if not self.decided else ""
            )
        self.refresh_bar()

    def _fill(self, table_id: str, rows: list[board.Escalation], meeting_id: int) -> None:
        table = self.query_one(table_id, DataTable)
        cursor = table.cursor_row
        table.clear()
        for e in rows:
            raised = "this meeting" if e.meeting_id == meeting_id else self.dates.get(e.meeting_id)
            status = outcome_text(e.status.value, e.decision_note)
            table.add_row(
                e.ref,
                e.risk_title or "",
                what(e),
                f"m{e.meeting_id} {raised or ''}",
                e.reason or "",
                Text(status, STATUS_STYLE.get(e.status.value, "")),
                key=str(e.id),
            )
        if rows:
            table.move_cursor(row=max(0, min(cursor, len(rows) - 1)))

    def _current(self) -> board.Escalation | None:
        table = self.query_one("#waiting", DataTable)
        if self.focused is table and self.waiting and 0 <= table.cursor_row < len(self.waiting):
            return self.waiting[table.cursor_row]
        focused = self.focused
        if isinstance(focused, DataTable) and focused.id == "decided" and self.decided:
            self.notify("That one is decided already; choose one awaiting a decision.")
        return None

    @on(DataTable.RowHighlighted)
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        rows = self.waiting if event.data_table.id == "waiting" else self.decided
        if 0 <= event.cursor_row < len(rows):
            self.query_one("#detail", Static).update(self.describe(rows[event.cursor_row]))

    def describe(self, e: board.Escalation) -> Text:
        """The highlighted escalation in full (the table's columns are cut at 80)."""
        text = Text()
        text.append(f"{e.ref} ", "bold")
        text.append(f"{e.risk_title or ''}\n")
        text.append(f"Escalation {what(e)}, proposed at meeting {e.meeting_id}")
        text.append(f" ({self.dates.get(e.meeting_id, '')})\n")
        text.append(f"Reason: {e.reason or 'none recorded'}", "dim")
        if e.status != board.EscalationStatus.PROPOSED:
            when = f" at meeting {e.decided_meeting_id}" if e.decided_meeting_id else ""
            text.append(
                f"\n{outcome_text(e.status.value, e.decision_note, when)}",
                STATUS_STYLE.get(e.status.value, ""),
            )
        return text

    @on(DataTable.RowSelected, "#waiting")
    def _selected(self) -> None:
        self.action_decide(None)

    def action_decide(self, accept: bool | None) -> None:
        rb = self.rb
        meeting = rb.meeting
        e = self._current()
        if e is None or meeting is None:
            return
        if rb.read_only:
            self.notify("This meeting is closed: its record is read-only.", severity="warning")
            return
        fields = [Field("note", "Note (optional, minuted with the decision)", "long")]
        if accept is None:
            fields.insert(
                0,
                Field(
                    "accept",
                    "Decision",
                    "select",
                    None,
                    options=[("Accept", "accept"), ("Decline", "decline")],
                    required=True,
                ),
            )

        def save(values: dict[str, Any]) -> object:
            yes = accept if accept is not None else values["accept"] == "accept"
            return board.decide_escalation(
                rb.db, meeting.id, e.id, accept=yes, note=values["note"] or None, actor=rb.actor
            )

        verb = {True: "Accept", False: "Decline", None: "Decide"}[accept]
        self.app.push_screen(
            FormDialog(
                f"{verb} the escalation of {e.ref} {what(e)}",
                fields,
                guarded(save),
                intro=f"Proposed at meeting {e.meeting_id} ({self.dates.get(e.meeting_id, '')}):"
                f" {escape(e.reason or 'no reason recorded')}",
                submit_label=verb if accept is not None else "Save decision",
                draft=f"decide-escalation:{e.id}",
            ),
            self._after,
        )

    def _after(self, result: object) -> None:
        if result:
            self.notify("Decision recorded.")
        self.reload()

    def action_open_risk(self) -> None:
        from riskboard.tui.screens.review import ReviewScreen

        table = self.focused
        rows = self.waiting if getattr(table, "id", "") == "waiting" else self.decided
        if not isinstance(table, DataTable) or not rows:
            return
        refs = [e.ref for e in rows]
        self.app.push_screen(ReviewScreen(refs, table.cursor_row))

    def action_back(self) -> None:
        self.dismiss()
