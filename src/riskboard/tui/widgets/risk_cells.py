"""Drawing the risk table's cells: column widths for a given width, and each cell's
segments (RAG-coloured score, direction arrow, flag badges, reviewed tick)."""

from __future__ import annotations

from functools import lru_cache

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style

from riskboard.tui.risk_rows import COLUMNS, DIRECTION_SYMBOL, FLAG_SHORT, Column, RiskRow
from riskboard.tui.widgets.colours import band_style

_DIRECTION_STYLE = {
    "up": Style(color="red", bold=True),
    "down": Style(color="green", bold=True),
    "level": Style(dim=True),
    "new": Style(color="cyan", bold=True),
    "gone": Style(color="magenta", bold=True),
}
_FLAG_STYLE = Style(color="yellow")
_STALE_STYLE = Style(color="red", bold=True)
_REVIEWED_STYLE = Style(color="green", bold=True)


def cell_segments(
    row: RiskRow, key: str, w: int, base: Style, bands: dict[str, str]
) -> list[Segment]:
    """The segments of one cell, exactly ``w`` cells wide."""
    if key == "score":
        if row.score is None:
            return [Segment(fit("  -", w), base)]
        colour = bands.get(row.rag or "")
        text = f"{row.score:>3} "
        style = base + band_style(colour) if colour else base
        return [Segment(" ", base), Segment(text, style), Segment(" " * (w - 5), base)]
    if key == "direction":
        symbol = DIRECTION_SYMBOL.get(row.direction, "✕")
        return [Segment(fit(f" {symbol}", w), base + _DIRECTION_STYLE[row.direction])]
    if key == "flags":
        out: list[Segment] = [Segment(" ", base)]
        used = 1
        for f in row.flags:
            label = FLAG_SHORT.get(f, f)
            if used + cell_len(label) + 1 > w:
                out.append(Segment("+", base + _FLAG_STYLE))
                used += 1
                break
            style = _STALE_STYLE if f == "stale_action" else _FLAG_STYLE
            out.append(Segment(label + " ", base + style))
            used += cell_len(label) + 1
        out.append(Segment(" " * max(0, w - used), base))
        return out
    if key == "reviewed":
        return [
            Segment(fit(" ✓" if row.reviewed else "", w), base + _REVIEWED_STYLE),
        ]
    value = getattr(row, key) or ""
    return [Segment(fit(f" {value}", w), base)]


@lru_cache(maxsize=32)
def column_widths(width: int) -> tuple[tuple[Column, int], ...]:
    """The columns that fit ``width`` cells, the title taking what the others leave."""
    columns = [c for c in COLUMNS if width >= c.min_table_width]
    flexible = max(8, width - sum(c.width for c in columns))
    return tuple((c, c.width or flexible) for c in columns)


def fit(text: str, width: int) -> str:
    """Pad or truncate (with an ellipsis) to exactly ``width`` cells, keeping a gap."""
    if width <= 0:
        return ""
    if cell_len(text) <= width - 1:
        return set_cell_size(text, width)
    return set_cell_size(text, width - 2) + "… "
