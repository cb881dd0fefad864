"""A sparkline of a risk's score over the last 12 months, on a fixed 1-25 scale.

Textual's Sparkline scales to the data's own range, which makes a flat 16 look like
a flat 1; the board needs the absolute level, the band colour and the month."""

from __future__ import annotations

from datetime import date

from rich.console import RenderableType
from rich.style import Style
from rich.text import Text
from textual.widget import Widget

from riskboard.config import Config
from riskboard.tui.widgets.colours import band_style

BLOCKS = "▁▂▃▄▅▆▇█"
SLOT = 4  # cells per month


def block_for(score: int) -> str:
    """The block character for a score on the 1-25 scale."""
    level = round((max(1, min(25, score)) - 1) / 24 * (len(BLOCKS) - 1))
    return BLOCKS[level]


def month_label(month: str) -> str:
    try:
        return date(int(month[:4]), int(month[5:7]), 1).strftime("%b")
    except ValueError:
        return month[-2:]


class ScoreTrend(Widget):
    """Three lines: coloured bars, the score under each, the month under that."""

    DEFAULT_CSS = """
    ScoreTrend { height: 3; width: auto; }
    """

    def __init__(self, config: Config, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.config = config
        self.history: list[tuple[str, int | None]] = []

    def set_history(self, history: list[tuple[str, int | None]]) -> None:
        self.history = history[-12:]
        self.refresh(layout=True)

    def render(self) -> RenderableType:
        if not self.history:
            return Text("no score history", style="dim italic")
        bars, values, months = Text(), Text(), Text()
        for month, score in self.history:
            if score is None:
                bars.append(" ·  ", Style(dim=True))
                values.append("  - ", Style(dim=True))
            else:
                band = self.config.scoring.band(score)
                colour = f"#{band.colour}" if band else "#888888"
                bars.append(" ")
                bars.append(block_for(score) * (SLOT - 1), Style(color=band_style(colour).bgcolor))
                values.append(f"{score:>3} ")
            months.append(f"{month_label(month):>3} ", Style(dim=True))
        return Text("\n").join([bars, values, months])
