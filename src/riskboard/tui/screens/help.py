"""The `?` help screen: what this screen is for, and every key it answers to."""

from __future__ import annotations

from typing import ClassVar

from rich.markup import escape
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Markdown, Static

GUIDE = """\
**Running the board with riskboard**

The agenda list on the left is the meeting's order: move with the arrow keys and press
**Enter** to take an item (on a narrow terminal, **g** shows the list over the risks).
**Esc** goes back. The keys of every screen are listed at its foot.

1. **Attendance** - tick who is present and who sent apologies. The quorum line
   turns green when each side (Contractor, Directorate, Corporate) has its lead officer.
2. **Previous minutes** - approve them as a correct record; that locks them.
3. **Action log** - go through open actions from earlier meetings: status, progress, due.
4. **Escalations to decide** - escalations proposed at earlier meetings and not yet
   accepted or declined: **y** accepts, **x** declines (shown only when there are some).
5. **Flagged risks** - the list starts with risks whose actions were *not updated this
   month*. Press **Enter** on a risk to review it: the screen shows what the board
   decided at earlier meetings beside the export; set the strategy, write the
   discussion and the decision, add actions arising, escalate, then mark it reviewed
   and go to the next. **h** shows the heat map from here too.
6. **Escalation candidates** and **the rest of the register** work the same way.
7. **Any other business** and **date of next meeting**.
8. **Close** - check the summary and confirm. A closed meeting is read-only.

Everything is saved the moment you enter it. **q** quits from any screen (**Ctrl+Q**
also from inside a form); run `riskboard meeting` again and the meeting resumes where
you were.

In the risk list, type **/** then words to filter: text, an annex, an owner or a flag
(e.g. `stale`, `lighting`, `esc`). Press **s** to change the sort column (or click a heading),
**r** to switch between agenda order and register (reference) order.
**Ctrl+P** opens the command palette, which lists every action.
"""


def bindings_of(screen: Screen) -> list[tuple[str, str]]:
    """(key, description) for every active binding of a screen, in declaration order."""
    seen: set[str] = set()
    out: list[tuple[str, str]] = []
    for key, active in screen.active_bindings.items():
        binding = active.binding
        if not binding.description or binding.system:
            continue
        label = binding.key_display or screen.app.get_key_display(binding)
        name = f"{binding.action}:{binding.description}"
        if name in seen:
            continue
        seen.add(name)
        out.append((label or key, binding.description))
    return out


class HelpScreen(ModalScreen[None]):
    """Guide plus the keys of the screen it was opened from."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark", "dismiss", "Close help", id="help.close"),
    ]
    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > VerticalScroll {
        width: 90; max-width: 100%; height: 90%;
        border: thick $primary; background: $surface; padding: 0 1;
    }
    HelpScreen .keys { margin: 1 0 0 0; }
    """

    def __init__(self, title: str, keys: list[tuple[str, str]], about: str = "") -> None:
        super().__init__()
        self.title_text = title
        self.keys = keys
        self.about = about

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Static(f"[b]Help: {self.title_text}[/b]  (Esc to close)")
            if self.about:
                yield Markdown(self.about)
            lines = "\n".join(f"  [b]{escape(k):>12}[/b]  {escape(d)}" for k, d in self.keys)
            yield Static(f"[b]Keys on this screen[/b]\n{lines}", classes="keys", markup=True)
            yield Markdown(GUIDE)
