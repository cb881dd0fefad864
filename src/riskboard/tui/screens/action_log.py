"""The action log (matters arising): open actions from earlier meetings, updated one by
one - status, progress, revised due date - and actions raised at this meeting."""

from __future__ import annotations

from typing import Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import DataTable, Static

from riskboard import board
from riskboard.domain import revised_due_text, uk_date
from riskboard.tui.screens.base import BoardScreen
from riskboard.tui.screens.form import Field, FormDialog, FormValues, guarded

STATUS_STYLE = {"open": "yellow", "in progress": "cyan", "closed": "green", "withdrawn": "dim"}
# statuses the update form offers; withdrawing needs a reason (w)
UPDATE_STATUSES = [s for s in board.BoardActionStatus if s != board.BoardActionStatus.WITHDRAWN]


def _due(action: board.BoardAction) -> Text:
    """ "14/09/2022, revised to 12/10/2022": a revised date beside the original."""
    text = revised_due_text(action.due, action.revised_due).removeprefix("due ")
    return Text(text, "bold" if action.revised_due else "")


def describe_action(a: board.BoardAction) -> Text:
    """The highlighted action in full (the table's columns are cut on a narrow terminal)."""
    text = Text()
    text.append(f"Action {a.number}", "bold")
    text.append(f" ({a.risk_ref})" if a.risk_ref else "")
    text.append(f": {a.text}\n")
    text.append(f"{a.owner or 'no owner'}, {revised_due_text(a.due, a.revised_due)} - ")
    text.append(a.status.value, STATUS_STYLE.get(a.status.value, ""))
    if a.withdrawn_reason:
        text.append(f": {a.withdrawn_reason}", "dim")
    if a.progress:
        text.append(f"\nProgress: {a.progress}", "dim")
    return text


class ActionLogScreen(BoardScreen):
    HELP_TITLE = "Action log"
    ABOUT = (
        "Actions raised at earlier meetings that were still open when this one began."
        " Go through them in order: press Enter (or u) to record the status, a progress"
        " note or a revised due date. Closed actions are reported once, then drop off the"
        " next log. n raises a new action not tied to a risk; w withdraws one raised in"
        " error (with a reason: it is minuted as withdrawn, never as a live action)."
    )
    EDIT_ACTIONS = frozenset({"update", "new_action", "withdraw"})
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("u", "update", "Update action", id="action_log.update"),
        Binding("n", "new_action", "New action", id="action_log.new"),
        Binding("w", "withdraw", "Withdraw", id="action_log.withdraw"),
        Binding("escape", "back", "Agenda", id="action_log.back"),
    ]
    DEFAULT_CSS = """
    ActionLogScreen .heading { text-style: bold; padding: 0 1; margin-top: 1; }
    ActionLogScreen #log { height: 2fr; }
    ActionLogScreen #arising { height: 1fr; }
    ActionLogScreen #action-detail { height: auto; max-height: 5; padding: 0 1; background: $panel; }
    """

    def __init__(self) -> None:
        super().__init__()
        self.entries: list[board.ActionLogEntry] = []
        self.arising: list[board.BoardAction] = []

    def compose(self) -> ComposeResult:
        yield from self.compose_bar()
        yield Static("Carried from earlier meetings", id="log-heading", classes="heading")
        yield DataTable(id="log", cursor_type="row", zebra_stripes=True)
        yield Static("Raised at this meeting", id="arising-heading", classes="heading")
        yield DataTable(id="arising", cursor_type="row", zebra_stripes=True)
        yield Static(id="action-detail")
        yield from self.compose_footer()

    def on_mount(self) -> None:
        for table_id in ("#log", "#arising"):
            table = self.query_one(table_id, DataTable)
            table.add_column("No.", width=4)
            table.add_column("Action", width=28)
            table.add_column("Owner", width=14)
            table.add_column("Due", width=34)
            table.add_column("Status", width=11)
            table.add_column("Progress", width=36)
            table.add_column("Risk", width=9)
        self.reload()
        first = "#log" if self.entries or not self.arising else "#arising"
        self.query_one(first, DataTable).focus()

    def refresh_from_record(self) -> None:
        self.reload()

    def reload(self) -> None:
        rb = self.rb
        assert rb.meeting is not None
        self.entries = board.action_log(rb.db, rb.meeting.id)
        self.arising = board.actions_arising(rb.db, rb.meeting.id)
        self._fill(
            "#log",
            [e.action for e in self.entries],
            {e.action.number for e in self.entries if e.updates},
        )
        self._fill("#arising", self.arising, set())
        open_count = sum(1 for e in self.entries if e.action.live)
        self.query_one("#log-heading", Static).update(
            f"Carried from earlier meetings: {len(self.entries)} ({open_count} still open;"
            f" {sum(1 for e in self.entries if e.updates)} updated today)"
        )
        self.query_one("#arising-heading", Static).update(
            f"Raised at this meeting: {len(self.arising)}"
        )
        self.refresh_bar()

    def _fill(self, table_id: str, actions: list[board.BoardAction], updated: set[int]) -> None:
        table = self.query_one(table_id, DataTable)
        cursor = table.cursor_row
        table.clear()
        for a in actions:
            number = Text(str(a.number), "bold green" if a.number in updated else "bold")
            table.add_row(
                number,
                a.text,
                a.owner or "",
                _due(a),
                Text(a.status.value, STATUS_STYLE.get(a.status.value, "")),
                a.progress or "",
                a.risk_ref or a.ew_ref or "",
                key=str(a.number),
            )
        if actions:
            table.move_cursor(row=max(0, min(cursor, len(actions) - 1)))

    def _current(self) -> board.BoardAction | None:
        focused = self.focused
        if isinstance(focused, DataTable) and focused.row_count:
            actions = [e.action for e in self.entries] if focused.id == "log" else self.arising
            return actions[focused.cursor_row]
        return None

    @on(DataTable.RowHighlighted)
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        actions = [e.action for e in self.entries] if event.data_table.id == "log" else self.arising
        if 0 <= event.cursor_row < len(actions):
            self.query_one("#action-detail", Static).update(
                describe_action(actions[event.cursor_row])
            )

    @on(DataTable.RowSelected)
    def _selected(self) -> None:
        self.action_update()

    def action_update(self) -> None:
        rb = self.rb
        action = self._current()
        if action is None or rb.meeting is None:
            return
        if rb.read_only:
            self.notify("This meeting is closed: its record is read-only.", severity="warning")
            return
        if self._refuse_withdrawn(action):
            return
        meeting_id = rb.meeting.id
        fields = [
            Field(
                "status",
                "Status",
                "select",
                action.status.value,
                options=[(s.value, s.value) for s in UPDATE_STATUSES],
                required=True,
            ),
            Field("progress", "Progress", "long", action.progress or ""),
            Field(
                "revised_due",
                "Revised due date",
                "date",
                uk_date(action.revised_due) if action.revised_due else "",
            ),
            Field("owner", "Owner", value=action.owner or ""),
        ]

        def save(values: FormValues) -> object:
            changes: dict[str, Any] = {}
            if values["status"] != action.status.value:
                changes["status"] = values["status"]
            if values["progress"] != (action.progress or ""):
                changes["progress"] = values["progress"]
            current_due = uk_date(action.revised_due) if action.revised_due else ""
            if values["revised_due"] != current_due:
                changes["revised_due"] = values["revised_due"]
            if values["owner"] and values["owner"] != (action.owner or ""):
                changes["owner"] = values["owner"]
            if not changes:  # saying "no change" is itself the monthly update
                changes["progress"] = values["progress"] or "No change this month."
            # each field written is checked against what the form showed
            return board.update_action(
                rb.db,
                meeting_id,
                action.number,
                expected=values.shown(*changes),
                actor=rb.actor,
                **changes,
            )

        self.app.push_screen(
            FormDialog(
                f"Action {action.number}: {action.text}",
                fields,
                guarded(save),
                intro=f"Owner {action.owner or '-'},"
                f" {revised_due_text(action.due, action.revised_due)}.",
                draft=f"action-update:{action.number}",
            ),
            lambda _: self.reload(),
        )

    def _refuse_withdrawn(self, action: board.BoardAction) -> bool:
        """A withdrawn action takes no updates and keeps its first reason: say so (with
        the reason) instead of opening a form."""
        if action.status != board.BoardActionStatus.WITHDRAWN:
            return False
        why = f": {action.withdrawn_reason}" if action.withdrawn_reason else ""
        self.notify(
            f"Action {action.number} was withdrawn{why}. A withdrawn action is never live"
            " again: raise a new one (n) if it is needed after all.",
            severity="warning",
            markup=False,
            timeout=8,
        )
        return True

    def action_withdraw(self) -> None:
        """Withdraw the action under the cursor (raised in error), with a reason."""
        rb = self.rb
        action = self._current()
        if action is None or rb.meeting is None:
            return
        if self._refuse_withdrawn(action):
            return
        meeting_id = rb.meeting.id
        shown = action.status.value
        self.app.push_screen(
            FormDialog(
                f"Withdraw Action {action.number}: {action.text}",
                [Field("reason", "Why it is withdrawn (minuted)", "long", required=True)],
                guarded(
                    lambda v: board.withdraw_action(
                        rb.db,
                        meeting_id,
                        action.number,
                        reason=v["reason"],
                        expected={"status": shown},
                        actor=rb.actor,
                    )
                ),
                intro="A withdrawn action stays in the log with its reason and is minuted as"
                " withdrawn, never as a live action.",
                submit_label="Withdraw action",
                draft=f"withdraw:{action.number}",
            ),
            lambda _: self.reload(),
        )

    def action_new_action(self) -> None:
        rb = self.rb
        meeting = rb.meeting
        assert meeting is not None
        names = [p.name for p in board.list_people(rb.db)]
        fields = [
            Field("text", "Action", "long", required=True),
            Field("owner", "Owner", required=True, suggestions=names),
            Field(
                "due",
                "Due date",
                "date",
                uk_date(board.suggest_next_meeting_date(meeting, rb.config)),
                required=True,
            ),
            Field("risk_ref", "Risk reference (optional)"),
        ]
        self.app.push_screen(
            FormDialog(
                "New action arising",
                fields,
                guarded(
                    lambda v: board.add_action(
                        rb.db,
                        meeting.id,
                        v["text"],
                        owner=v["owner"],
                        due=v["due"],
                        risk_ref=v["risk_ref"] or None,
                        actor=rb.actor,
                    )
                ),
                draft="new-action",
            ),
            lambda _: self.reload(),
        )

    def action_back(self) -> None:
        self.dismiss()
