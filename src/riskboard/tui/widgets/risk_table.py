"""A virtual risk table: a Line API ScrollView that renders only the visible rows.

The rows live in a Python list of ``RiskRow`` tuples; filtering and sorting replace
that list and repaint the visible lines, so a keystroke costs a list comprehension
over 5,000 tuples plus ~40 rendered lines (toolong's LogLines works the same way).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding, BindingType
from textual.cache import LRUCache
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from riskboard.agenda.rows import RiskRow, filter_rows
from riskboard.tui.risk_columns import Column, sort_rows
from riskboard.tui.widgets.risk_cells import cell_segments, column_widths, fit


class RiskTable(ScrollView, can_focus=True):
    """The agenda's risk list: header, cursor, RAG scores, filter and sort in memory."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up,k", "cursor_up", "Up", show=False, id="table.up"),
        Binding("down,j", "cursor_down", "Down", show=False, id="table.down"),
        Binding("pageup", "page_up", "Page up", show=False, id="table.page_up"),
        Binding("pagedown", "page_down", "Page down", show=False, id="table.page_down"),
        Binding("home", "first", "First", show=False, id="table.first"),
        Binding("end", "last", "Last", show=False, id="table.last"),
        Binding("enter", "select", "Review", id="table.select"),
    ]
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "risk-table--header",
        "risk-table--sorted",
        "risk-table--cursor",
        "risk-table--reviewed",
        "risk-table--empty",
    }
    DEFAULT_CSS = """
    RiskTable {
        background: $surface;
        color: $foreground;
        overflow-x: hidden;
        overflow-y: auto;
        & > .risk-table--header { background: $panel; text-style: bold; }
        & > .risk-table--sorted { background: $panel; color: $accent; text-style: bold; }
        & > .risk-table--cursor {
            background: $block-cursor-blurred-background;
            color: $block-cursor-blurred-foreground;
        }
        &:focus > .risk-table--cursor {
            background: $block-cursor-background;
            color: $block-cursor-foreground;
            text-style: bold;
        }
        & > .risk-table--reviewed { color: $text-muted; }
        & > .risk-table--empty { color: $text-muted; text-style: italic; }
    }
    """

    cursor: reactive[int] = reactive(0, always_update=True, init=False)

    class Selected(Message):
        """Enter (or a click on the highlighted row) on a risk."""

        def __init__(self, table: RiskTable, row: RiskRow) -> None:
            super().__init__()
            self.table = table
            self.row = row

        @property
        def control(self) -> RiskTable:
            return self.table

    class Highlighted(Message):
        """The cursor moved onto a risk."""

        def __init__(self, table: RiskTable, row: RiskRow | None) -> None:
            super().__init__()
            self.table = table
            self.row = row

        @property
        def control(self) -> RiskTable:
            return self.table

    def __init__(
        self,
        bands: dict[str, str] | None = None,
        *,
        empty_text: str = "No risks to show.",
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.bands = bands or {}  # band name -> hex colour
        self.empty_text = empty_text
        self._source: list[RiskRow] = []
        self._rows: list[RiskRow] = []
        self._query = ""
        self._sort: str | None = None
        self._reverse = False
        self._generation = 0
        self._cache: LRUCache[tuple[int, int, bool, int], Strip] = LRUCache(256)
        self._styles: dict[str, Style] = {}

    # ------------------------------------------------------------------ data

    @property
    def rows(self) -> Sequence[RiskRow]:
        """The rows shown, after filter and sort."""
        return self._rows

    @property
    def source_rows(self) -> Sequence[RiskRow]:
        return self._source

    @property
    def filter_text(self) -> str:
        """The filter in force (``query`` would shadow Textual's DOM query)."""
        return self._query

    @property
    def sort_column(self) -> str | None:
        return self._sort

    @property
    def sort_reverse(self) -> bool:
        return self._reverse

    @property
    def current_row(self) -> RiskRow | None:
        if 0 <= self.cursor < len(self._rows):
            return self._rows[self.cursor]
        return None

    def set_rows(self, rows: Sequence[RiskRow]) -> None:
        """Replace the source rows (already in agenda order); keeps filter, sort, cursor ref."""
        self._source = list(rows)
        self._apply()

    def set_filter(self, query: str) -> None:
        if query != self._query:
            self._query = query
            self._apply()

    def sort_by(self, column: str | None, reverse: bool = False) -> None:
        """Sort by a column key (None: agenda order)."""
        self._sort = column
        self._reverse = reverse
        self._apply()

    def cycle_sort(self) -> None:
        """Agenda order -> each visible column ascending -> descending -> next column."""
        keys = [c.key for c in self.visible_columns()]
        if self._sort is None:
            self.sort_by(keys[0])
        elif not self._reverse:
            self.sort_by(self._sort, True)
        else:
            i = keys.index(self._sort) if self._sort in keys else -1
            self.sort_by(keys[i + 1] if i + 1 < len(keys) else None)

    def update_row(self, row: RiskRow) -> None:
        """Replace one risk's row in place (e.g. after it was reviewed)."""
        self._source = [row if r.ref == row.ref else r for r in self._source]
        self._rows = [row if r.ref == row.ref else r for r in self._rows]
        self._repaint()

    def move_to_ref(self, ref: str) -> bool:
        for i, r in enumerate(self._rows):
            if r.ref == ref:
                self.cursor = i
                return True
        return False

    def _apply(self) -> None:
        current = self.current_row
        rows = filter_rows(self._source, self._query)
        if self._sort:
            rows = sort_rows(rows, self._sort, self._reverse)
        self._rows = rows
        self._set_virtual_height(len(rows) + 1)
        if current is None or not self.move_to_ref(current.ref):
            self.cursor = 0
        self._repaint()

    def _set_virtual_height(self, height: int) -> None:
        """Resize the scrollable area; skip Textual's full layout pass (a reactive
        virtual_size change does one, ~10 ms a keystroke) unless the scrollbar appears
        or disappears."""
        size = Size(self.size.width, height)
        viewport = self.scrollable_content_region.height
        old = self.virtual_size
        if (old.height > viewport) != (height > viewport) or old.width != size.width:
            self.virtual_size = size
            return
        self.set_reactive(ScrollView.virtual_size, size)
        self._scroll_update(size)
        self.scroll_y = min(self.scroll_y, max(0, height - viewport))

    def _repaint(self) -> None:
        self._generation += 1
        self._cache.clear()
        self.refresh()

    # ------------------------------------------------------------------ cursor

    def validate_cursor(self, value: int) -> int:
        return max(0, min(value, len(self._rows) - 1)) if self._rows else 0

    def watch_cursor(self, old: int, new: int) -> None:
        self._scroll_cursor_visible()
        self.refresh_line(old + 1)
        self.refresh_line(new + 1)
        self.post_message(self.Highlighted(self, self.current_row))

    def _body_height(self) -> int:
        return max(1, self.scrollable_content_region.height - 1)

    def _scroll_cursor_visible(self) -> None:
        top = round(self.scroll_y)
        height = self._body_height()
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False, immediate=True)
        elif self.cursor >= top + height:
            self.scroll_to(y=self.cursor - height + 1, animate=False, immediate=True)

    def action_cursor_up(self) -> None:
        self.cursor -= 1

    def action_cursor_down(self) -> None:
        self.cursor += 1

    def action_page_up(self) -> None:
        self.cursor -= self._body_height()

    def action_page_down(self) -> None:
        self.cursor += self._body_height()

    def action_first(self) -> None:
        self.cursor = 0

    def action_last(self) -> None:
        self.cursor = len(self._rows) - 1

    def action_select(self) -> None:
        row = self.current_row
        if row is not None:
            self.post_message(self.Selected(self, row))

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None:
            return
        if offset.y == 0:
            column = self._column_at(offset.x)
            if column is not None:
                same = self._sort == column.key
                self.sort_by(column.key, reverse=same and not self._reverse)
            return
        index = round(self.scroll_y) + offset.y - 1
        if 0 <= index < len(self._rows):
            if index == self.cursor or event.chain > 1:
                self.cursor = index
                self.action_select()
            else:
                self.cursor = index

    def on_focus(self) -> None:
        self._styles.clear()
        self._repaint()

    def on_blur(self) -> None:
        self._styles.clear()
        self._repaint()

    def on_resize(self) -> None:
        self.virtual_size = Size(self.size.width, len(self._rows) + 1)
        self._repaint()

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._styles.clear()
        self._cache.clear()

    def _style(self, name: str) -> Style:
        """The widget's base style plus a component class, cached until styles change."""
        style = self._styles.get(name)
        if style is None:
            base = self.rich_style
            style = base if name == "base" else base + self.get_component_rich_style(name)
            self._styles[name] = style
        return style

    # ------------------------------------------------------------------ layout

    def visible_columns(self) -> list[Column]:
        return [c for c, _ in self._widths()]

    def _widths(self) -> tuple[tuple[Column, int], ...]:
        return column_widths(self.scrollable_content_region.width or self.size.width)

    def _column_at(self, x: int) -> Column | None:
        pos = 0
        for column, width in self._widths():
            if pos <= x < pos + width:
                return column
            pos += width
        return None

    # ------------------------------------------------------------------ rendering

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        if y == 0:
            return self._header(width)
        index = round(self.scroll_y) + y - 1
        base = self._style("base")
        if not self._rows:
            if y == 1:
                style = self._style("risk-table--empty")
                return Strip([Segment(fit(f" {self.empty_text}", width), style)])
            return Strip.blank(width, base)
        if index >= len(self._rows):
            return Strip.blank(width, base)
        key = (self._generation, index, index == self.cursor, width)
        strip = self._cache.get(key)
        if strip is None:
            strip = self._render_row(self._rows[index], index == self.cursor, width)
            self._cache[key] = strip
        return strip

    def _header(self, width: int) -> Strip:
        base = self._style("risk-table--header")
        sorted_style = self._style("risk-table--sorted")
        segments = []
        for column, w in self._widths():
            label = column.label
            style = base
            if column.key == self._sort:
                label += " ▼" if self._reverse else " ▲"
                style = sorted_style
            segments.append(Segment(fit(f" {label}", w), style))
        return Strip(segments).adjust_cell_length(width, base)

    def _render_row(self, row: RiskRow, is_cursor: bool, width: int) -> Strip:
        if is_cursor:
            base = self._style("risk-table--cursor")
        elif row.reviewed:
            base = self._style("risk-table--reviewed")
        else:
            base = self._style("base")
        segments: list[Segment] = []
        for column, w in self._widths():
            segments.extend(cell_segments(row, column.key, w, base, self.bands))
        return Strip(segments).adjust_cell_length(width, base)
