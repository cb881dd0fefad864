"""Drawing the risk table's cells: column widths for a given width, and each cell's
segments (RAG-coloured score, direction arrow, flag badges, reviewed tick)."""

from __future__ import annotations

from functools import lru_cache

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style

from riskboard.agenda.rows import DIRECTION_SYMBOL, FLAG_SHORT, RiskRow
from riskboard.domain import uk_date
from riskboard.tui.risk_columns import COLUMNS, Column
from riskboard.tui.widgets.colours import band_style

_DIRECTION_STYLE = {
    "up": Style(color="red", bold=True),
    "down": Style(color="green", bold=True),
    "level": Style(dim=True),
    "unknown": Style(color="yellow", bold=True),
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
    if key == "last_update":
        return [Segment(fit(f" {uk_date(row.last_update)}", w), base)]
    value = getattr(row, key) or ""
    return [Segment(fit(f" {value}", w), base)]


TITLE_MIN = 26  # 24 characters of title, its leading space and the gap after it
FLAGS_MIN = 10  # "STALE +" still fits
# optional columns given up, in this order, before the title is cut below TITLE_MIN
DROP_FIRST = ("last_update", "owner", "annex", "direction")


@lru_cache(maxsize=32)
def column_widths(width: int) -> tuple[tuple[Column, int], ...]:
    """The columns that fit ``width`` cells, the title taking what the others leave but
    never fewer than 24 characters while optional columns can make room (then the
    flags column narrows, down to ``FLAGS_MIN``)."""
    columns = [c for c in COLUMNS if width >= c.min_table_width]
    flags = next((c.width for c in columns if c.key == "flags"), 0)

    def title_width() -> int:
        return width - sum(flags if c.key == "flags" else c.width for c in columns)

    for key in DROP_FIRST:
        if title_width() >= TITLE_MIN:
            break
        columns = [c for c in columns if c.key != key]
    if title_width() < TITLE_MIN:
        flags = max(FLAGS_MIN, flags - (TITLE_MIN - title_width()))
    rest = max(8, title_width())
    return tuple((c, flags if c.key == "flags" else (c.width or rest)) for c in columns)


def fit(text: str, width: int) -> str:
    """Pad or truncate (with an ellipsis) to exactly ``width`` cells, keeping a gap."""
    if width <= 0:
        return ""
    if cell_len(text) <= width - 1:
        return set_cell_size(text, width)
    return set_cell_size(text, width - 2) + "… "
