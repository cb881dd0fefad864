"""Heat map: the month's open risks on the 5x5 grid, movement since last month;
Enter on a cell lists its risks, Enter on a risk opens its review."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import LoadingIndicator, Static
from textual.worker import Worker, WorkerState

from riskboard.agenda import MonthData, RiskRow
from riskboard.domain import count_of
from riskboard.heat_map import HeatCell, month_heat_map
from riskboard.heat_map import HeatMap as HeatMapData
from riskboard.month_counts import MonthCounts
from riskboard.tui.database import connection
from riskboard.tui.screens.base import BoardScreen
from riskboard.tui.widgets.colours import band_colours
from riskboard.tui.widgets.heat_map import HeatMap
from riskboard.tui.widgets.key_bar import KeyBar
from riskboard.tui.widgets.meeting_bar import month_name
from riskboard.tui.widgets.risk_table import RiskTable


def _pos(pos: tuple[int, int] | None) -> str:
    return f"L{pos[0]} x I{pos[1]}" if pos else "not scored"


def grid_scope(counts: MonthCounts) -> str:
    """What the grid leaves out: "Of the export's 90 risks 3 are closed; 1 missing from
    the export is not shown." """
    parts = []
    if counts.closed:
        closed = f"{counts.closed} {'is' if counts.closed == 1 else 'are'} closed"
        parts.append(f"Of the export's {count_of(counts.exported, 'risk')} {closed}")
    if counts.missing:
        parts.append(f"{counts.missing} missing from the export")
    if not parts:
        return f"Every risk of the export is open ({counts.exported})."
    return "; ".join(parts) + " - not shown."


class HeatMapScreen(BoardScreen):
    HELP_TITLE = "Heat map"
    ABOUT = (
        "Open risks of the board month by current likelihood (up) and impact (across),"
        " coloured by the configured RAG bands. Under each count, ▲/▼ is the change since"
        " the previous month. Arrow keys move between cells; the right-hand side lists the"
        " cell's risks and what moved in or out; Enter opens the list, and Enter on a risk"
        " opens its review."
    )
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", id="heat.back"),
    ]
    DEFAULT_CSS = """
    HeatMapScreen #heat-body { height: 1fr; }
    HeatMapScreen #heat-left { width: 3fr; max-width: 75; min-width: 36; }
    HeatMapScreen #heat-right { width: 2fr; }
    HeatMapScreen #heat-title { text-style: bold; padding: 0 1; }
    HeatMapScreen #heat-loading { height: 1; }
    HeatMapScreen #cell-detail { height: auto; padding: 0 1; }
    """

    def __init__(self, data: MonthData) -> None:
        super().__init__()
        self.data = data
        self.heat: HeatMapData | None = None

    def compose(self) -> ComposeResult:
        yield from self.compose_bar()
        with Horizontal(id="heat-body"):
            with Vertical(id="heat-left"):
                yield Static(id="heat-title")
                yield LoadingIndicator(id="heat-loading")
                yield HeatMap(self.rb.config, id="grid")
            with VerticalScroll(id="heat-right"):
                yield Static(id="cell-detail")
        yield from self.compose_footer()

    def on_mount(self) -> None:
        self.refresh_bar()
        self.query_one(HeatMap).focus()
        self.load()

    @work(thread=True, exclusive=True, exit_on_error=False, group="heat-map")
    def load(self) -> HeatMapData:
        data = self.data
        with connection(self.rb.config) as db:
            return month_heat_map(db, self.rb.config, data.month, list(data.register.values()))

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        super().on_worker_state_changed(event)
        if event.worker.group != "heat-map":
            return
        grid = self.query_one(HeatMap)
        if event.state.name in ("SUCCESS", "ERROR", "CANCELLED"):
            self.query_one("#heat-loading").display = False
        if event.state == WorkerState.SUCCESS and isinstance(event.worker.result, HeatMapData):
            self.heat = event.worker.result
            grid.set_data(self.heat)
            self.show_title()

    def show_title(self) -> None:
        heat = self.heat
        if heat is None:
            return
        text = Text(f"{month_name(heat.month)}: {count_of(heat.placed, 'open risk')} on the grid")
        if heat.previous_month:
            text.append(f"; movement since {month_name(heat.previous_month)}", "dim")
        counts = self.data.counts
        if counts is not None:
            text.append(f"\n{grid_scope(counts)}", "dim")
        if heat.unscored:
            text.append(
                f"\n{len(heat.unscored)} open not on the grid (no likelihood and impact):"
                f" {', '.join(heat.unscored[:8])}",
                "yellow",
            )
        self.query_one("#heat-title", Static).update(text)

    @on(HeatMap.CellHighlighted)
    def cell_highlighted(self, event: HeatMap.CellHighlighted) -> None:
        self.show_cell(event.cell)

    @on(HeatMap.CellSelected)
    def cell_selected(self, event: HeatMap.CellSelected) -> None:
        cell = event.cell
        if not cell.refs:
            self.notify("No risks in that cell.")
            return
        refs = set(cell.refs)
        rows = [r for r in self.data.rows if r.ref in refs]
        title = f"Likelihood {cell.likelihood} x impact {cell.impact} = {cell.score}"
        self.app.push_screen(CellRisksScreen(title, rows))

    def show_cell(self, cell: HeatCell) -> None:
        heat = self.heat
        band = self.rb.config.scoring.band(cell.score)
        text = Text()
        text.append(f"Likelihood {cell.likelihood} x impact {cell.impact} = {cell.score}", "bold")
        text.append(f" ({band.name if band else '-'})\n")
        text.append(f"{cell.count} risk{'s' if cell.count != 1 else ''}")
        if heat and heat.previous_month:
            text.append(f"; {cell.previous_count} last month")
            if cell.moved_in:
                moves = ", ".join(
                    f"{ref} (from {_pos(heat.previous_positions.get(ref))})"
                    if ref in heat.previous_positions
                    else f"{ref} (new)"
                    for ref in cell.moved_in[:6]
                )
                more = f" +{len(cell.moved_in) - 6} more" if len(cell.moved_in) > 6 else ""
                text.append(f"\nMoved in: {moves}{more}", "yellow")
            if cell.moved_out:
                moves = ", ".join(
                    f"{ref} (now {_pos(heat.positions.get(ref))})" for ref in cell.moved_out[:6]
                )
                more = f" +{len(cell.moved_out) - 6} more" if len(cell.moved_out) > 6 else ""
                text.append(f"\nMoved out: {moves}{more}", "cyan")
        refs = set(cell.refs)
        if refs:
            text.append("\n\n")
            for row in (r for r in self.data.rows if r.ref in refs):
                text.append(f"{row.ref:<9}", "bold")
                text.append(f"{row.title}\n")
            text.append("\nEnter lists these risks; Enter on one opens its review.", "dim")
        self.query_one("#cell-detail", Static).update(text)

    def action_back(self) -> None:
        self.dismiss()


class CellRisksScreen(ModalScreen[None]):
    """The risks of one heat-map cell; Enter opens a risk's review."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss", "Heat map", id="cell.back"),
        Binding("question_mark", "app.help", "Help", id="cell.help"),
        Binding("q", "app.quit", "Quit", id="cell.quit"),
    ]
    DEFAULT_CSS = """
    CellRisksScreen { align: center middle; }
    CellRisksScreen > Vertical {
        width: 100%; max-width: 140; height: 90%;
        border: thick $primary; background: $surface;
    }
    CellRisksScreen #cell-title { text-style: bold; padding: 0 1; }
    CellRisksScreen RiskTable { height: 1fr; }
    """

    def __init__(self, title: str, rows: list[RiskRow]) -> None:
        super().__init__()
        self.cell_title = title
        self.rows = rows

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(
                f"{self.cell_title}: {count_of(len(self.rows), 'risk')}  (Esc back)",
                id="cell-title",
            )
            yield RiskTable(band_colours(self.app.config), id="cell-risks")  # type: ignore[attr-defined]
        yield KeyBar()

    def on_mount(self) -> None:
        table = self.query_one(RiskTable)
        table.set_rows(self.rows)
        table.focus()

    @on(RiskTable.Selected)
    def risk_selected(self, event: RiskTable.Selected) -> None:
        from riskboard.tui.screens.review import ReviewScreen

        refs = [r.ref for r in self.query_one(RiskTable).rows]
        self.app.push_screen(ReviewScreen(refs, refs.index(event.row.ref)))
