"""The live quorum line: each side's lead officers present against the rule."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from riskboard import board
from riskboard.domain import count_of


class QuorumIndicator(Static):
    DEFAULT_CSS = """
    QuorumIndicator { height: auto; padding: 0 1; border: round $primary; }
    QuorumIndicator.-met { border: round $success; }
    QuorumIndicator.-not-met { border: round $error; }
    """

    def show(self, quorum: board.QuorumStatus | None) -> None:
        text = Text()
        if quorum is None:
            self.update(text)
            return
        text.append("Quorum  ", "bold")
        for org in quorum.by_organisation:
            ok = org.met
            text.append(
                f"{org.organisation.capitalize()} {org.present} present, {org.required} needed "
            )
            text.append("✓" if ok else "✗", "bold green" if ok else "bold red")
            text.append("   ")
        text.append("\n")
        if quorum.met:
            text.append("QUORATE", "bold green")
            text.append(" - each side has its lead officer present.")
        else:
            text.append("NOT QUORATE", "bold red")
            needed = ", ".join(
                f"{count_of(m.required - m.present, 'lead officer')} from"
                f" {m.organisation.capitalize()}"
                for m in quorum.missing
            )
            text.append(f" - still needed: {needed}")
        self.set_class(quorum.met, "-met")
        self.set_class(not quorum.met, "-not-met")
        self.update(text)
