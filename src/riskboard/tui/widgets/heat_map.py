"""The 5x5 likelihood x impact grid: counts, band colours, movement, a cell cursor."""

from __future__ import annotations

from typing import ClassVar

from rich.cells import set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.strip import Strip
from textual.widget import Widget

from riskboard.config import Config
from riskboard.heat_map import HeatCell
from riskboard.heat_map import HeatMap as HeatMapData
from riskboard.tui.widgets.colours import band_style

LABEL_WIDTH = 4
CELL_HEIGHT = 3


class HeatMap(Widget, can_focus=True):
    """Rows are likelihood 5 (top) to 1, columns impact 1 to 5."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up,k", "move(1, 0)", "Likelihood +", show=False, id="heat.up"),
        Binding("down,j", "move(-1, 0)", "Likelihood -", show=False, id="heat.down"),
        Binding("left,h", "move(0, -1)", "Impact -", show=False, id="heat.left"),
        Binding("right,l", "move(0, 1)", "Impact +", show=False, id="heat.right"),
        Binding("enter", "select", "List risks in cell", id="heat.select"),
    ]
    DEFAULT_CSS = """
    HeatMap { height: auto; width: 1fr; min-width: 40; }
    """

    cursor: reactive[tuple[int, int]] = reactive((3, 3))

    class CellSelected(Message):
        def __init__(self, heat_map: HeatMap, cell: HeatCell) -> None:
            super().__init__()
            self.heat_map = heat_map
            self.cell = cell

        @property
        def control(self) -> HeatMap:
            return self.heat_map

    class CellHighlighted(Message):
        def __init__(self, heat_map: HeatMap, cell: HeatCell) -> None:
            super().__init__()
            self.heat_map = heat_map
            self.cell = cell

        @property
        def control(self) -> HeatMap:
            return self.heat_map

    def __init__(self, config: Config, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.config = config
        self.data: HeatMapData | None = None

    def set_data(self, data: HeatMapData) -> None:
        self.data = data
        self.refresh(layout=True)
        self.post_message(self.CellHighlighted(self, data.cell(*self.cursor)))

    @property
    def current_cell(self) -> HeatCell | None:
        return self.data.cell(*self.cursor) if self.data else None

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return CELL_HEIGHT * 5 + 2

    def watch_cursor(self) -> None:
        self.refresh()
        if self.data is not None:
            self.post_message(self.CellHighlighted(self, self.data.cell(*self.cursor)))

    def action_move(self, d_likelihood: int, d_impact: int) -> None:
        likelihood, impact = self.cursor
        self.cursor = (
            max(1, min(5, likelihood + d_likelihood)),
            max(1, min(5, impact + d_impact)),
        )

    def action_select(self) -> None:
        if self.data is not None:
            self.post_message(self.CellSelected(self, self.data.cell(*self.cursor)))

    def _cell_width(self) -> int:
        return max(6, (self.size.width - LABEL_WIDTH) // 5)

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None or offset.x < LABEL_WIDTH or offset.y >= CELL_HEIGHT * 5:
            return
        impact = 1 + (offset.x - LABEL_WIDTH) // self._cell_width()
        likelihood = 5 - offset.y // CELL_HEIGHT
        if 1 <= impact <= 5:
            if (likelihood, impact) == self.cursor:
                self.action_select()
            self.cursor = (likelihood, impact)

    def render_line(self, y: int) -> Strip:
        base = self.rich_style
        cw = self._cell_width()
        width = self.size.width
        if y == CELL_HEIGHT * 5:
            segs = [Segment(" " * LABEL_WIDTH, base)]
            for impact in range(1, 6):
                segs.append(Segment(_centre(f"I{impact}", cw), base + Style(bold=True)))
            return Strip(segs).adjust_cell_length(width, base)
        if y == CELL_HEIGHT * 5 + 1:
            text = _centre("Impact →", cw * 5)
            return Strip(
                [Segment(" " * LABEL_WIDTH + text, base + Style(dim=True))]
            ).adjust_cell_length(width, base)
        if y > CELL_HEIGHT * 5:
            return Strip.blank(width, base)
        likelihood = 5 - y // CELL_HEIGHT
        line = y % CELL_HEIGHT
        label = (
            f" L{likelihood} "
            if line == 1
            else ("  ↑ " if likelihood == 5 and line == 0 else " " * LABEL_WIDTH)
        )
        segs = [Segment(label, base + Style(bold=True))]
        for impact in range(1, 6):
            segs.append(self._cell_segment(likelihood, impact, line, cw))
        return Strip(segs).adjust_cell_length(width, base)

    def _cell_segment(self, likelihood: int, impact: int, line: int, cw: int) -> Segment:
        score = likelihood * impact
        band = self.config.scoring.band(score)
        style = band_style(f"#{band.colour}") if band else Style()
        selected = (likelihood, impact) == self.cursor
        if selected:
            style = style + Style(reverse=True)
        cell = self.data.cell(likelihood, impact) if self.data else None
        if line == 0:
            marker = "▶" if selected else " "
            text = marker + f"{score:>{cw - 2}} "
            return Segment(set_cell_size(text, cw), style + Style(bold=selected, dim=not selected))
        if line == 1:
            count = "" if cell is None else str(cell.count) if cell.count else "·"
            return Segment(_centre(count, cw), style + Style(bold=True))
        move = ""
        if cell is not None and self.data is not None and self.data.previous_month:
            if cell.change > 0:
                move = f"▲{cell.change}"
            elif cell.change < 0:
                move = f"▼{-cell.change}"
            elif cell.moved_in:
                move = "↔"
        return Segment(_centre(move, cw), style)


def _centre(text: str, width: int) -> str:
    return set_cell_size(text.center(width), width)
