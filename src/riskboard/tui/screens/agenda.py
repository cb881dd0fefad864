"""The agenda: the standard order on the left, the month's risks on the right.

The board month loads in a worker thread with its own connection; the risk list is
the virtual RiskTable, so filtering and sorting thousands of risks stays instant.
"""

from __future__ import annotations

import threading
from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.events import Key
from textual.widgets import Input, LoadingIndicator, OptionList, Static
from textual.widgets.option_list import Option
from textual.worker import Worker, WorkerState

from riskboard import board
from riskboard.agenda import (
    FLAGGED_ORDER_NOTE,
    REGISTER_ORDER_NOTE,
    RISK_SECTIONS,
    SECTION_TITLES,
    AgendaItem,
    MonthData,
    RiskRow,
    agenda_items,
    board_month,
    quick_month,
    section_rows,
)
from riskboard.domain import FLAG_LABELS, count_of, uk_date
from riskboard.tui.database import connection
from riskboard.tui.screens import meeting_items
from riskboard.tui.screens.base import BoardScreen
from riskboard.tui.widgets.colours import band_colours
from riskboard.tui.widgets.risk_table import RiskTable


class AgendaScreen(BoardScreen):
    HELP_TITLE = "Agenda"
    ABOUT = (
        "The left column is the agenda in the standard order; press Enter on an item to"
        " take it. The right-hand list shows the risks of the chosen section - flagged"
        " risks first, those with no action update this month at the top. Enter on a risk"
        " opens its review. Type / to filter, s to change the sort, r to switch between"
        " agenda order and register (reference) order."
    )
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (110, "-wide")]  # narrow: agenda on demand (g)
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("slash", "filter", "Filter", id="agenda.filter"),
        Binding("g", "agenda", "Agenda", id="agenda.items"),
        Binding("a", "attendance", "Attendance", id="agenda.attendance"),
        Binding("l", "action_log", "Action log", id="agenda.action_log"),
        Binding("h", "heat_map", "Heat map", id="agenda.heat_map"),
        Binding("c", "close_meeting", "Close", id="agenda.close"),
        Binding("s", "sort", "Sort", id="agenda.sort"),
        Binding("r", "register_order", "Ref order", id="agenda.register_order"),
        # not in the footer: the filter box says it, and showing it only while a filter
        # is on rebuilt the footer on a keystroke (hundreds of ms with 5,000 risks)
        Binding(
            "escape", "clear_filter", "Clear filter / hide agenda", show=False, id="agenda.clear"
        ),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.section = "flagged"
        self.data: MonthData | None = None
        self._described: tuple[object, bool] | None = None

    def compose(self) -> ComposeResult:
        yield from self.compose_bar()
        with Horizontal(id="agenda-body"):
            with Vertical(id="agenda-side"):
                yield Static("Agenda", id="agenda-heading")
                yield OptionList(id="agenda-items")
            with Vertical(id="agenda-main"):
                yield Static(id="section-title")
                yield LoadingIndicator(id="month-loading")
                yield Input(
                    placeholder="/ to filter: words, annex, owner or flag (stale, overdue, esc...); Esc clears",
                    id="filter",
                )
                yield RiskTable(
                    band_colours(self.rb.config),
                    empty_text="No risks in this section (or none match the filter).",
                    id="risks",
                )
                yield Static(id="risk-detail")
        yield from self.compose_footer()

    @property
    def table(self) -> RiskTable:
        return self.query_one(RiskTable)

    def on_mount(self) -> None:
        self.refresh_bar()
        items = self.refresh_items()
        # start where the meeting is: the first agenda item not yet done
        # the cursor starts on the item whose risks the right-hand list shows
        option_list = self.query_one("#agenda-items", OptionList)
        keys = [item.key for item in items]
        option_list.highlighted = keys.index(self.section) if self.section in keys else 0
        if self.app.size.width >= 110:
            option_list.focus()
        else:
            self.table.focus()
        self.watch(self.query_one("#filter", Input), "value", self.filter_changed, init=False)
        if self.rb.month_data is not None:
            self.show_data(self.rb.month_data)
        else:
            self.table.empty_text = "Loading the register..."
            self.query_one("#section-title", Static).update(
                Text("Loading the board month's register...", "italic")
            )
            self.load()

    # ------------------------------------------------------------------ loading

    @work(thread=True, exclusive=True, exit_on_error=False, group="load-month")
    def load(self) -> MonthData:
        """The quick first page (one query), then the full register with fresh flags."""
        rb = self.rb
        assert rb.meeting is not None
        with connection(rb.config) as db:
            quick = quick_month(db, rb.config, rb.meeting.month, rb.meeting.id)
            painted = threading.Event()

            def show_quick() -> None:
                self.show_data(quick)
                self.call_after_refresh(painted.set)

            self.app.call_from_thread(show_quick)
            # the full load holds the GIL in long C calls: let the first page paint first
            painted.wait(timeout=2)
            return board_month(db, rb.config, rb.meeting.month, rb.meeting.id)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        super().on_worker_state_changed(event)
        if event.worker.group != "load-month":
            return
        if event.state == WorkerState.SUCCESS and isinstance(event.worker.result, MonthData):
            self.rb.month_data = event.worker.result
            self.show_data(event.worker.result)
        elif event.state in (WorkerState.ERROR, WorkerState.CANCELLED):
            self.table.empty_text = "The register could not be loaded."
            self.query_one("#month-loading").display = False
            self.table.refresh()

    def show_data(self, data: MonthData) -> None:
        if self.data is not None and self.data.complete and not data.complete:
            return  # the full register arrived first
        self.data = data
        self.table.empty_text = "No risks in this section (or none match the filter)."
        self.query_one("#month-loading").display = not data.complete
        self.refresh_bindings()
        self.show_section(self.section)
        self.refresh_items()

    def refresh_from_record(self) -> None:
        self.refresh_reviewed()
        self.refresh_items()
        if self.data is not None:
            self.update_title()

    def on_screen_resume(self) -> None:
        super().on_screen_resume()
        self.refresh_reviewed()
        self.refresh_items()
        if self.data is not None:
            self.update_title()

    def refresh_reviewed(self) -> None:
        """Pick up reviews recorded on other screens (cheap: one query of this meeting)."""
        rb = self.rb
        if self.data is None or rb.meeting is None:
            return
        reviewed = board.reviewed_refs(rb.db, rb.meeting.id)
        changed = [r for r in self.data.rows if r.reviewed != (r.ref in reviewed)]
        if not changed:
            return
        self.data.rows = [
            r._replace(reviewed=r.ref in reviewed) if r in changed else r for r in self.data.rows
        ]
        for r in changed:
            self.table.update_row(r._replace(reviewed=r.ref in reviewed))

    # ------------------------------------------------------------------ sidebar

    def refresh_items(self) -> list[AgendaItem]:
        rb = self.rb
        meeting = rb.reload_meeting()
        if meeting is None:
            return []
        items = rb.service(agenda_items, rb.db, meeting, self.data) or []
        option_list = self.query_one("#agenda-items", OptionList)
        highlighted = option_list.highlighted
        was_on = (
            option_list.get_option_at_index(highlighted).id if highlighted is not None else None
        )
        options: list[Option] = []
        number = 0
        for item in items:
            prompt = Text()
            if item.key == "whole":
                prompt.append(f"    {item.title.strip()}", "italic")
            else:
                number += 1
                prompt.append(
                    f"{number:>2} {item.title}", "bold" if item.key == self.section else ""
                )
            prompt.append("\n    ")
            prompt.append(
                ("✓ " if item.done else "") + item.status, "green" if item.done else "dim"
            )
            options.append(Option(prompt, id=item.key))
        option_list.set_options(options)
        keys = [item.key for item in items]
        if was_on in keys:  # keep the cursor on the same item as items come and go
            option_list.highlighted = keys.index(was_on)
        self.refresh_bar()
        return items

    def items_changed(self) -> None:
        self.refresh_items()

    @on(OptionList.OptionSelected, "#agenda-items")
    def item_selected(self, event: OptionList.OptionSelected) -> None:
        key = event.option.id or ""
        if self.has_class("-show-agenda"):  # narrow terminal: hide the list again
            self.remove_class("-show-agenda")
            self.table.focus()
        if key in RISK_SECTIONS:
            self.show_section(key)
            self.table.focus()
        elif key == "attendance":
            self.action_attendance()
        elif key == "action_log":
            self.action_action_log()
        elif key == "escalations":
            from riskboard.tui.screens.escalations import EscalationsScreen

            self.app.push_screen(EscalationsScreen())
        elif key == "close":
            self.action_close_meeting()
        elif key == "declarations":
            meeting_items.declarations(self.rb, self.items_changed)
        elif key == "minutes":
            meeting_items.previous_minutes(self.rb, self.items_changed)
        elif key == "aob":
            meeting_items.any_other_business(self.rb, self.items_changed)
        elif key == "next_date":
            meeting_items.next_meeting_date(self.rb, self.items_changed)
        elif key == "early_warnings":
            from riskboard.tui.screens.early_warnings import EarlyWarningsScreen

            self.app.push_screen(EarlyWarningsScreen())

    # ------------------------------------------------------------------ risk list

    def show_section(self, section: str) -> None:
        self.section = section
        if self.data is None:
            return
        rows = section_rows(self.data.rows, section, self.data.acceptance_refs)
        self.table.set_rows(rows)
        self.update_title()
        self.refresh_items()

    def update_title(self) -> None:
        table = self.table
        shown, total = len(table.rows), len(table.source_rows)
        reviewed = sum(1 for r in table.source_rows if r.reviewed)
        text = Text()
        text.append(SECTION_TITLES[self.section], "bold")
        if self.section == "flagged" and not table.sort_column:
            text.append(f" - {FLAGGED_ORDER_NOTE}", "bold")
        elif table.sort_column == "ref" and not table.sort_reverse:
            text.append(f" - {REGISTER_ORDER_NOTE}", "bold")
        text.append(f"  {count_of(total, 'risk')}, {reviewed} reviewed", "dim")
        if table.filter_text:
            text.append(f"  - {shown} match the filter", "yellow")
        if table.sort_column and (table.sort_column, table.sort_reverse) != ("ref", False):
            order = "descending" if table.sort_reverse else "ascending"
            text.append(f"  - sorted by {table.sort_column} {order}", "dim")
        self.query_one("#section-title", Static).update(text, layout=False)  # fixed height

    def filter_changed(self, value: str) -> None:
        """Watched on the filter's value, so the table repaints in the same frame as the
        typed character (an Input.Changed message lands a frame later)."""
        self.table.set_filter(value)
        self.update_title()

    @on(Input.Submitted, "#filter")
    def filter_done(self) -> None:
        self.table.focus()

    def on_key(self, event: Key) -> None:
        if self.focused is self.query_one("#filter") and event.key in ("down", "escape"):
            event.stop()
            if event.key == "escape":
                self.query_one("#filter", Input).value = ""
            self.table.focus()

    @on(RiskTable.Highlighted, "#risks")
    def risk_highlighted(self, event: RiskTable.Highlighted) -> None:
        key = (event.row, self.data.complete if self.data else False)
        if key == self._described:
            return  # same risk still under the cursor: nothing to repaint
        self._described = key
        self.query_one("#risk-detail", Static).update(self.describe(event.row), layout=False)

    def describe(self, row: RiskRow | None) -> Text:
        text = Text(no_wrap=False)
        if row is None or self.data is None:
            return text
        reg = self.data.register.get(row.ref)
        text.append(f"{row.ref} ", "bold")
        text.append(row.title)
        if reg is not None:
            text.append(
                f"\nOwner {reg.owner or '-'} · strategy in export"
                f" {reg.strategy or reg.strategy_text or 'none'}",
                "dim",
            )
            text.append(f" · {count_of(reg.action_count, 'action')}", "dim")
            if reg.next_due:
                text.append(f", next due {uk_date(reg.next_due)}", "dim")
        labels = [FLAG_LABELS.get(f, f) for f in row.flags]  # type: ignore[call-overload]
        if labels:
            text.append("\n" + "; ".join(labels), "yellow")
        return text

    def _complete(self) -> bool:
        if self.data is None or not self.data.complete:
            self.notify("Still loading the register - one moment.")
            return False
        return True

    @on(RiskTable.Selected, "#risks")
    def risk_selected(self, event: RiskTable.Selected) -> None:
        from riskboard.tui.screens.review import ReviewScreen

        if not self._complete():
            return
        refs = [r.ref for r in self.table.rows]
        self.app.push_screen(ReviewScreen(refs, refs.index(event.row.ref)))

    # ------------------------------------------------------------------ actions

    def action_filter(self) -> None:
        self.query_one("#filter", Input).focus()

    def action_clear_filter(self) -> None:
        """Esc: hide the agenda list on a narrow terminal, else clear the filter."""
        if self.has_class("-show-agenda"):
            self.remove_class("-show-agenda")
        else:
            self.query_one("#filter", Input).value = ""
        self.table.focus()

    def action_sort(self) -> None:
        self.table.cycle_sort()
        self.update_title()

    def action_register_order(self) -> None:
        """r: register (reference) order, and back to agenda order (stale actions first
        in the flagged section) - from any sort, one key back to where the list began."""
        if self.table.sort_column is None:
            self.table.sort_by("ref")
        else:
            self.table.sort_by(None)
        self.update_title()

    def action_agenda(self) -> None:
        """Focus the agenda list (on a narrow terminal, show or hide it first)."""
        items = self.query_one("#agenda-items", OptionList)
        if self.has_class("-narrow"):
            self.toggle_class("-show-agenda")
            if not self.has_class("-show-agenda"):
                self.table.focus()
                return
        items.focus()

    def action_attendance(self) -> None:
        from riskboard.tui.screens.attendance import AttendanceScreen

        self.app.push_screen(AttendanceScreen())

    def action_action_log(self) -> None:
        from riskboard.tui.screens.action_log import ActionLogScreen

        self.app.push_screen(ActionLogScreen())

    def action_heat_map(self) -> None:
        from riskboard.tui.screens.heatmap import HeatMapScreen

        if not self._complete():
            return
        assert self.data is not None
        self.app.push_screen(HeatMapScreen(self.data))

    def action_close_meeting(self) -> None:
        from riskboard.tui.screens.close import CloseScreen

        self.app.push_screen(CloseScreen())
