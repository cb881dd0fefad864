"""RAG colours from the configured scoring bands, as Rich styles."""

from __future__ import annotations

from functools import lru_cache

from rich.style import Style

from riskboard.config import Config


def band_colours(config: Config) -> dict[str, str]:
    """Band name -> '#RRGGBB' for every configured band."""
    return {b.name: f"#{b.colour}" for b in config.scoring.effective_bands()}


@lru_cache(maxsize=64)
def band_style(colour: str) -> Style:
    """Background in the band colour with black or white text, whichever reads better."""
    hexes = colour.lstrip("#")
    r, g, b = (int(hexes[i : i + 2], 16) for i in (0, 2, 4))
    luminance = 0.299 * r + 0.587 * g + 0.114 * b
    return Style(bgcolor=f"#{hexes}", color="black" if luminance > 140 else "white", bold=True)
