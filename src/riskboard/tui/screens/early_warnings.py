"""The "Early warnings" agenda item (NEC clause 15): the register's early warnings new
since the last meeting first, then the other open ones; for each, the board records a
decision - keep open, remove (with the reason), became a compensation event (with the
CE reference) - and actions, numbered in the one action log.

The register loads in a worker with its own connection (it is cross-referenced with the
whole risk register); every change goes through the board service, audited like any
other decision.
"""

from __future__ import annotations

from typing import Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.widgets import DataTable, Static
from textual.worker import Worker, WorkerState

from riskboard import board, flag_text
from riskboard.domain import uk_date
from riskboard.early_warning import DECISION_LABELS, EwDecisionKind
from riskboard.ew_register import EwRow
from riskboard.tui.database import connection
from riskboard.tui.screens.action_form import action_form
from riskboard.tui.screens.base import BoardScreen
from riskboard.tui.screens.form import Field, FormDialog, FormValues, guarded

STATUS_STYLE = {"open": "yellow", "removed": "dim", "compensation event": "cyan"}
STATUS_SHORT = {"open": "Open", "removed": "Removed", "compensation event": "CE"}
# short flag labels for the table (the detail below words them in full)
SHORT: dict[str, str] = {
    "unreadable_value": "UNREAD",
    "ew_link_mismatch": "LINK≠",
    "ew_no_linked_risk": "NO-RISK",
    "ew_risk_closed": "RISK-CLOSED",
    "ew_undecided": "UNDECIDED",
    "ew_action_overdue": "OVERDUE",
    "ew_missing_from_register": "MISSING",
}


class EarlyWarningsScreen(BoardScreen):
    HELP_TITLE = "Early warnings"
    ABOUT = (
        "The NEC early warning register beside the risk register: the early warnings new"
        " since the last meeting first, then the other open ones, each with the risks it"
        " is linked to (by either register) and why it is flagged. Press d (or Enter) to"
        " record the board's decision - keep open, remove with a reason, or became a"
        " compensation event with its CE reference - and a to raise an action on it"
        " (numbered in the action log). The revised register is exported from the close"
        " screen (e) and is due to the contractor within a week."
    )
    EDIT_ACTIONS = frozenset({"decide", "add_action"})
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("d", "decide", "Decide", id="early_warnings.decide"),
        Binding("a", "add_action", "Action", id="early_warnings.add_action"),
        Binding("escape", "back", "Agenda", id="early_warnings.back"),
    ]
    DEFAULT_CSS = """
    EarlyWarningsScreen #ew-title { padding: 0 1; text-style: bold; height: auto; }
    EarlyWarningsScreen #ew-table { height: 1fr; }
    EarlyWarningsScreen #ew-detail-box { height: 1fr; border-top: solid $primary; }
    EarlyWarningsScreen #ew-detail { padding: 0 1; }
    """

    def __init__(self) -> None:
        super().__init__()
        self.agenda: board.EwAgenda | None = None

    def compose(self) -> ComposeResult:
        yield from self.compose_bar()
        yield Static("Loading the early warning register...", id="ew-title")
        yield DataTable(id="ew-table", cursor_type="row", zebra_stripes=True)
        with VerticalScroll(id="ew-detail-box"):
            yield Static(id="ew-detail")
        yield from self.compose_footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        # what the board decides by first: a narrow terminal scrolls to the rest (and the
        # pane below shows everything about the early warning under the cursor)
        columns = [("Ref", 7), ("New", 3), ("Status", 7), ("Flags", 16),
                   ("Decision here", 20), ("Linked risk", 12), ("Matter", 30),
                   ("Notified", 10), ("Wks", 3)]  # fmt: skip
        # a wide terminal gives the spare width to the matter (each column pads 1 + 1;
        # 2 for the scroll bar)
        spare = self.app.size.width - sum(w + 2 for _, w in columns) - 2
        for label, width in columns:
            table.add_column(label, width=width + max(0, spare) if label == "Matter" else width)
        table.focus()
        self.refresh_bar()
        self.load()

    def refresh_from_record(self) -> None:
        self.refresh_bar()
        self.load()

    # ------------------------------------------------------------------ loading

    @work(thread=True, exclusive=True, exit_on_error=False, group="load-ews")
    def load(self) -> board.EwAgenda:
        rb = self.rb
        assert rb.meeting is not None
        with connection(rb.config) as db:
            return board.agenda_early_warnings(db, rb.meeting.id, rb.config)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        super().on_worker_state_changed(event)
        if event.worker.group != "load-ews":
            return
        if event.state == WorkerState.SUCCESS and isinstance(event.worker.result, board.EwAgenda):
            self.show(event.worker.result)
        elif event.state == WorkerState.ERROR:
            self.query_one("#ew-title", Static).update(
                "The early warning register could not be loaded."
            )

    def show(self, agenda: board.EwAgenda) -> None:
        self.agenda = agenda
        view = agenda.ew_view
        title = Text()
        if view.ew_month is None:
            title.append("No early warning register imported for this month or before.", "yellow")
        else:
            source = (
                f"{view.ew_month} register"
                if view.ew_month == view.month
                else f"{view.ew_month} register (the latest imported)"
            )
            title.append(f"Early warnings - {source}", "bold")
            title.append(f"  {agenda.status_line()}", "dim")
            title.append(f"  · revised register due {uk_date(agenda.due)}", "dim")
        self.query_one("#ew-title", Static).update(title)
        table = self.query_one(DataTable)
        cursor = table.cursor_row
        table.clear()
        for row in agenda.rows:
            decision = agenda.decisions.get(row.ref)
            table.add_row(
                Text(row.ref, "bold"),
                Text("NEW", "bold magenta") if row.new else "",
                Text(STATUS_SHORT[row.status.value], STATUS_STYLE.get(row.status.value, "")),
                Text(" ".join(SHORT.get(f, f) for f in row.flags), "yellow"),
                Text(decision.words if decision else "", "cyan"),
                ", ".join(row.risks) or "-",
                row.description or "",
                uk_date(row.date_notified, "-"),
                "" if row.weeks_open is None else str(row.weeks_open),
                key=row.ref,
            )
        if agenda.rows:
            table.move_cursor(row=max(0, min(cursor, len(agenda.rows) - 1)))
        self.describe(self.current())

    def current(self) -> EwRow | None:
        table = self.query_one(DataTable)
        if self.agenda is None or not table.row_count:
            return None
        return self.agenda.rows[min(table.cursor_row, len(self.agenda.rows) - 1)]

    @on(DataTable.RowHighlighted)
    def _highlighted(self) -> None:
        self.describe(self.current())

    @on(DataTable.RowSelected)
    def _selected(self) -> None:
        self.action_decide()

    def describe(self, row: EwRow | None) -> None:
        self.query_one("#ew-detail", Static).update(detail_text(row, self.agenda))

    # ------------------------------------------------------------------ recording

    def action_decide(self) -> None:
        rb = self.rb
        row = self.current()
        if row is None or rb.meeting is None or self.agenda is None:
            return
        if rb.read_only:
            self.notify("This meeting is closed: its record is read-only.", severity="warning")
            return
        meeting_id = rb.meeting.id
        made = self.agenda.decisions.get(row.ref)
        fields = [
            Field(
                "decision",
                "Decision",
                "select",
                made.decision.value if made else None,
                options=[(DECISION_LABELS[k], k.value) for k in EwDecisionKind],
                required=True,
            ),
            Field(
                "reason",
                "Reason",
                "long",
                made.reason if made and made.reason else "",
                help="Minuted and issued with the revised register; needed to remove.",
            ),
            Field(
                "ce_ref",
                "CE reference",
                value=made.ce_ref if made and made.ce_ref else "",
                help="Only when it became a compensation event.",
            ),
        ]

        def save(values: FormValues) -> object:
            return board.decide_early_warning(
                rb.db,
                meeting_id,
                row.ref,
                decision=values["decision"],
                reason=values["reason"] or None,
                ce_ref=values["ce_ref"] or None,
                # based on what this form showed - no decision too: someone else may have
                # decided meanwhile, and their decision is never silently replaced
                expected=values.shown("decision", "reason", "ce_ref"),
                actor=rb.actor,
            )

        self.app.push_screen(
            FormDialog(
                f"Decision on {row.ref}: {row.description or ''}",
                fields,
                guarded(save),
                intro=f"{row.status_label} in the {row.month} register."
                + (f" Linked risk: {', '.join(row.risks)}." if row.risks else ""),
                draft=f"ew-decision:{row.ref}",
            ),
            self._after_change,
        )

    def action_add_action(self) -> None:
        rb = self.rb
        row = self.current()
        meeting = rb.meeting
        if row is None or meeting is None:
            return
        if rb.read_only:
            self.notify("This meeting is closed: its record is read-only.", severity="warning")
            return
        self.app.push_screen(
            action_form(
                rb,
                meeting,
                title=f"Action on early warning {row.ref}",
                text_label="Action to avoid or reduce the matter",
                intro="Numbered in the action log with the other actions arising.",
                draft=f"ew-action:{row.ref}",
                ew_ref=row.ref,
            ),
            self._after_change,
        )

    def _after_change(self, _: Any = None) -> None:
        self.load()

    def action_back(self) -> None:
        self.dismiss()


def detail_text(row: EwRow | None, agenda: board.EwAgenda | None) -> Text:
    """Everything about one early warning, for the pane under the table."""
    text = Text(no_wrap=False)
    if row is None:
        text.append("No early warnings to take.", "dim")
        return text
    text.append(f"{row.ref}  ", "bold")
    text.append(row.description or "(no description)")
    notified = f"Notified {uk_date(row.date_notified, '?')} by {row.notified_by or '?'}"
    text.append(f"\n{notified} · {row.status_label}", "dim")
    if row.status_blank:
        text.append(" (no status in the register: read as open)", "dim")
    if row.compensation_event_ref:
        text.append(f" · CE {row.compensation_event_ref}", "dim")
    text.append(
        f"\nLinked risk: {', '.join(row.risks) or 'none'}"
        + (f" (the register says {row.linked_risk!r})" if row.linked_risk else ""),
    )
    if row.last_decision:
        text.append(f"\nLast decision: {row.last_decision}", "dim")
    if row.board_closed:
        text.append(
            f"\nThe board decided {row.board_closed}; the contractor's register still shows"
            " it open",
            "bold yellow",
        )
    if agenda is not None and row.ref in agenda.decisions:
        text.append(f"\nDecided here: {agenda.decisions[row.ref].words}", "cyan")
    for a in row.actions:
        who = ", ".join(x for x in (a.owner, uk_date(a.due) if a.due else None) if x)
        text.append(f"\n  - {a.text or '(no text)'}" + (f" ({who})" if who else ""))
    for b in agenda.actions_on(row.ref) if agenda is not None else []:
        due = uk_date(b.revised_due or b.due)
        text.append(f"\n  Action {b.number}: {b.text} ({b.owner or '-'}, {due})", "cyan")
    for code in row.flags:
        for line in flag_text.reasons(code, row.flag_details.get(code)):
            text.append(f"\n{line}", "yellow")
    return text
