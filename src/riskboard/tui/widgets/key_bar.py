"""The key bar at the foot of every meeting screen: every key the screen answers to,
wrapped onto a second (or third) line rather than cut off on a narrow terminal.

Textual's Footer is one line: at 80 columns it cut the review screen's keys after
"n" and overlapped the palette key. This bar lays the same bindings (the screen's
``active_bindings``, those with ``show`` and a description) out in words, wraps
between keys, and runs a key's action when it is clicked.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual import events
from textual.dom import DOMNode
from textual.geometry import Size
from textual.widget import Widget

GAP = "  "
PALETTE = "Palette"
# shown last, in this order, whatever the screen (the rest keep the screen's order)
LAST = ("app.quit", "quit", "command_palette", "app.command_palette")


@dataclass(frozen=True)
class Key:
    key: str  # as displayed ("s", "esc", "^p")
    description: str
    action: str
    node: DOMNode | None
    enabled: bool = True

    @property
    def width(self) -> int:
        return len(self.key) + 1 + len(self.description)


def layout(keys: list[Key], width: int) -> list[list[Key]]:
    """The keys in lines of at most ``width`` cells, never splitting a key from its
    description (a key wider than the line gets a line of its own)."""
    lines: list[list[Key]] = [[]]
    used = 0
    for key in keys:
        need = key.width + (len(GAP) if lines[-1] else 0)
        if lines[-1] and used + need > width:
            lines.append([])
            used = 0
            need = key.width
        lines[-1].append(key)
        used += need
    return lines if lines[-1] else lines[:-1]


class KeyBar(Widget):
    """Every key of the screen, wrapped; click a key to run it."""

    DEFAULT_CSS = """
    KeyBar {
        dock: bottom;
        height: auto;
        max-height: 4;
        padding: 0 1;
        background: $footer-background;
        color: $footer-foreground;
    }
    """

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _bindings_changed(self, _screen: Any) -> None:
        self.refresh(layout=True)

    def keys(self) -> list[Key]:
        """The screen's shown keys (one per action, first key wins), quit and the
        command palette last."""
        app = self.app
        seen: set[str] = set()
        first: list[Key] = []
        last: dict[str, Key] = {}
        for node, binding, enabled, _tooltip in self.screen.active_bindings.values():
            action = binding.action
            if action in ("command_palette", "app.command_palette"):
                last[action] = Key(app.get_key_display(binding), PALETTE, action, node, enabled)
                continue
            if not binding.show or not binding.description or binding.system:
                continue
            if action in seen:
                continue
            seen.add(action)
            key = Key(app.get_key_display(binding), binding.description, action, node, enabled)
            if action in LAST:
                last[action] = key
            else:
                first.append(key)
        return first + [last[a] for a in LAST if a in last]

    def _lines(self, width: int) -> list[list[Key]]:
        return layout(self.keys(), max(1, width))

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return max(1, len(self._lines(width)))

    def render(self) -> Text:
        text = Text(no_wrap=True, overflow="crop")
        for i, line in enumerate(self._lines(self.content_size.width)):
            if i:
                text.append("\n")
            for j, key in enumerate(line):
                if j:
                    text.append(GAP)
                text.append(key.key, "bold" if key.enabled else "bold dim")
                text.append(" ")
                text.append(key.description, None if key.enabled else "dim")
        return text

    def key_at(self, x: int, y: int) -> Key | None:
        """The key drawn at content offset (x, y), if any."""
        lines = self._lines(self.content_size.width)
        if not 0 <= y < len(lines):
            return None
        pos = 0
        for j, key in enumerate(lines[y]):
            if j:
                pos += len(GAP)
            if pos <= x < pos + key.width:
                return key
            pos += key.width
        return None

    async def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None:
            return
        key = self.key_at(offset.x, offset.y)
        if key is not None and key.enabled:
            event.stop()
            await self.app.run_action(key.action, key.node)
