"""One modal form for every small entry in the meeting: fields, Save, Cancel.

The form calls ``submit(values)`` before it closes; when the service refuses (a
RiskboardError), the message shows inside the form and everything typed stays, so a
refused entry never loses the minute-taker's words. A refusal naming fields to fill
(``Remedy.GIVE_FIELDS``) is worded with this form's labels, and the cursor goes to the
first of them.

- ``values.base`` holds what the form showed when it opened, so a save can say which
  value it was based on: the service refuses it, with both values shown, if that value
  changed meanwhile (``board.ConflictError``). The refusal shows the value now
  recorded, so it becomes the base: a deliberate second Ctrl+S saves over it.
- With a ``draft`` spec, what is typed is kept as it is typed (``tui.drafts``); a form
  reopened after Ctrl+Q or a crash offers the text back (Ctrl+O drops it).
- Ctrl+S is not a priority binding: it travels through the focused field's queue
  behind the keys typed before it, so it saves exactly what the fields show (as a
  priority binding it could run before the field had taken the last keystrokes).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal

from rich.markup import escape
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.suggester import SuggestFromList
from textual.widget import Widget
from textual.widgets import Button, Checkbox, Input, Label, Select, Static, TextArea

from riskboard import board
from riskboard.errors import RiskboardError
from riskboard.tui.drafts import DraftKeeper, DraftSpec
from riskboard.tui.remedies import error_text
from riskboard.tui.screens.confirm import ConfirmDialog
from riskboard.tui.widgets.meeting_bar import local_time

__all__ = ["ConfirmDialog", "Field", "FormDialog", "FormValues", "Submit", "guarded"]

FieldKind = Literal["text", "long", "date", "select", "check"]


@dataclass
class Field:
    """One field of a form; ``value`` is the starting value."""

    name: str
    label: str
    kind: FieldKind = "text"
    value: Any = None
    options: Sequence[tuple[str, str]] = field(default_factory=list)
    placeholder: str = ""
    required: bool = False
    help: str = ""
    suggestions: Sequence[str] = ()  # completions offered while typing (names)


class FormValues(dict[str, Any]):
    """The values a form holds when saved; ``base`` is what it showed when it opened
    (or, for a restored draft, when that draft's form opened)."""

    def __init__(self, values: dict[str, Any], base: dict[str, Any] | None = None) -> None:
        super().__init__(values)
        self.base: dict[str, Any] = dict(base or {})

    def shown(self, *names: str) -> dict[str, Any]:
        """``{name: value shown}`` for the named fields: a service's ``expected``."""
        return {n: self.base.get(n) for n in names}


# submit(values) -> None when saved, or the refusal (a message or the error) to show
Submit = Callable[[FormValues], str | RiskboardError | None]


def guarded(fn: Callable[[FormValues], object]) -> Submit:
    """Wrap a service call: a RiskboardError becomes the form's error message."""

    def submit(values: FormValues) -> str | RiskboardError | None:
        try:
            fn(values)
        except RiskboardError as err:
            return err
        return None

    return submit


class FormDialog(ModalScreen[dict[str, Any] | None]):
    """A titled form; Ctrl+S or the Save button submits, Esc cancels."""

    BINDINGS: ClassVar[list[BindingType]] = [
        # not priority: see the module doc (fast typing then Ctrl+S)
        Binding("ctrl+s", "submit", "Save", id="form.save"),
        Binding("escape", "cancel", "Cancel", id="form.cancel"),
        # not ctrl+d: the text fields delete with it
        Binding("ctrl+o", "discard_draft", "Discard draft", id="form.discard", show=False),
    ]
    DEFAULT_CSS = """
    FormDialog { align: center middle; }
    FormDialog > #form {
        width: 84; max-width: 100%; height: auto; max-height: 100%;
        border: thick $primary; background: $surface; padding: 0 1;
    }
    FormDialog #form-title { text-style: bold; color: $accent; margin-bottom: 1; }
    FormDialog #fields { height: auto; max-height: 1fr; }
    FormDialog .field-label { margin-top: 1; text-style: bold; }
    FormDialog Input, FormDialog Select, FormDialog TextArea { background: $boost; }
    FormDialog Input:focus, FormDialog Select:focus, FormDialog TextArea:focus {
        background: $primary 20%;
    }
    FormDialog .field-help { color: $text-muted; }
    FormDialog TextArea { height: 4; }
    FormDialog Checkbox { margin-top: 1; }
    FormDialog #form-error { color: $error; text-style: bold; height: auto; }
    FormDialog #form-notice { color: $warning; height: auto; }
    FormDialog #buttons { height: auto; align-horizontal: right; margin-top: 1; }
    FormDialog #buttons Button { margin-left: 2; }
    /* a short terminal (80x24): the form takes the screen's height and its fields
       scroll, so Save and Cancel stay on the screen however many fields it has */
    FormDialog.-short > #form { height: 100%; }
    FormDialog.-short #fields { height: 1fr; max-height: 100%; }
    """
    VERTICAL_BREAKPOINTS = [(0, "-short"), (36, "-tall")]  # -short: the form scrolls

    def __init__(
        self,
        title: str,
        fields: Sequence[Field],
        submit: Submit | None = None,
        *,
        intro: str = "",
        submit_label: str = "Save",
        draft: str | None = None,
    ) -> None:
        super().__init__()
        self.form_title = title
        self.fields = list(fields)
        self.submit = submit
        self.intro = intro
        self.submit_label = submit_label
        self.draft_name = draft  # which form this is at the meeting ("note:HM-001")
        self.draft: DraftSpec | None = None
        self.base: dict[str, Any] = {}  # the values shown when the form opened
        self.original: dict[str, Any] = {}  # the same, before a draft was restored
        self.restored = False
        self._notice_text = ""  # the notice line's text, shown once the form is composed
        self.adopted: str | None = None  # a draft taken over from an app no longer running
        self._ready = False

    def compose(self) -> ComposeResult:
        with Vertical(id="form"):
            yield Static(escape(self.form_title), id="form-title")
            if self.intro:
                yield Static(self.intro, classes="field-help")
            with VerticalScroll(id="fields"):
                for f in self.fields:
                    if f.kind != "check":
                        mark = " *" if f.required else ""
                        yield Label(f"{escape(f.label)}{mark}", classes="field-label")
                    yield self._widget(f)
                    if f.help:
                        yield Static(escape(f.help), classes="field-help")
            yield Static("", id="form-notice")
            yield Static("", id="form-error")
            with Horizontal(id="buttons"):
                yield Button(
                    f"{self.submit_label} (Ctrl+S)", variant="primary", id="save", compact=True
                )
                yield Button("Cancel (Esc)", id="cancel", compact=True)

    def _widget(self, f: Field) -> Widget:
        wid = f"field-{f.name}"
        if f.kind == "long":
            area = TextArea(
                str(f.value or ""), id=wid, soft_wrap=True, tab_behavior="focus", compact=True
            )
            area.show_line_numbers = False
            return area
        if f.kind == "select":
            return Select(
                [(label, value) for label, value in f.options],
                value=f.value if f.value is not None else Select.NULL,
                allow_blank=f.value is None,
                prompt=f.placeholder or "Choose...",
                id=wid,
                compact=True,
            )
        if f.kind == "check":
            return Checkbox(f.label, bool(f.value), id=wid, compact=True)
        placeholder = f.placeholder or ("DD/MM/YYYY" if f.kind == "date" else "")
        suggester = SuggestFromList(f.suggestions, case_sensitive=False) if f.suggestions else None
        return Input(
            str(f.value or ""), placeholder=placeholder, id=wid, suggester=suggester, compact=True
        )

    def on_mount(self) -> None:
        for area in self.query(TextArea):  # editing recorded text carries on at its end
            area.move_cursor(area.document.end)
        if self.fields:
            self.query_one(f"#field-{self.fields[0].name}").focus()
        self.base = self.values()
        self.original = dict(self.base)
        if self.draft_name is not None:
            meeting = getattr(self.app, "meeting", None)
            meeting_id = getattr(meeting, "id", None)
            session = getattr(self.app, "session", None)
            self.draft = DraftSpec(
                board.draft_key(meeting_id, self.draft_name, session),
                meeting_id,
                self.form_title,
                board.draft_slot(meeting_id, self.draft_name),
                session,
            )
        if self._notice_text:
            self._notice(self._notice_text)
        self._offer_draft()
        self.call_after_refresh(self._start_keeping)

    def _start_keeping(self) -> None:
        self._ready = True

    # ------------------------------------------------------------------ drafts

    @property
    def _keeper(self) -> DraftKeeper | None:
        keeper = getattr(self.app, "drafts", None)
        return keeper if isinstance(keeper, DraftKeeper) and self.draft else None

    def _offer_draft(self) -> None:
        """Put back what was typed here before (Ctrl+Q, a crash), if it differs."""
        keeper = self._keeper
        if keeper is None or self.draft is None:
            return
        pending = keeper.pending(self.draft.key)
        if pending is not None:
            if pending.fields is None:
                return
            fields, base, when = pending.fields, pending.base, "a moment ago"
        else:
            # this app's own draft, else one left by an app no longer running - never
            # the typing of another app still open on the meeting
            db = getattr(self.app, "db", None)
            found = (
                board.offered_draft(
                    db, self.draft.meeting_id, self.draft_name or "", self.draft.session or ""
                )
                if db is not None
                else None
            )
            if found is None:
                return
            if found.key != self.draft.key:
                self.adopted = found.key  # dropped with this form's own, once done
            fields, base, when = found.fields, found.base, local_time(found.saved_at)
        known = {f.name for f in self.fields}
        fields = {k: v for k, v in fields.items() if k in known}
        if not fields or all(fields.get(k) == self.base.get(k) for k in fields):
            return
        self.set_values(fields, cursor_at_end=True)
        self.base = {**self.base, **{k: v for k, v in base.items() if k in known}}
        self.restored = True
        moved = [
            f.label
            for f in self.fields
            if f.name in base and base[f.name] != self.original.get(f.name)
        ]
        since = (
            f" Since then {', '.join(moved)} changed elsewhere: saving shows both values."
            if moved
            else ""
        )
        self._notice(
            escape(
                f"Restored what you were typing ({when}), not yet saved."
                f" Ctrl+S saves it; Ctrl+O discards it and shows the recorded values.{since}"
            )
        )

    def set_values(self, values: dict[str, Any], *, cursor_at_end: bool = False) -> None:
        for f in self.fields:
            if f.name not in values:
                continue
            widget = self.query_one(f"#field-{f.name}")
            value = values[f.name]
            if isinstance(widget, TextArea):
                widget.load_text(str(value or ""))
                if cursor_at_end:  # carry on typing where the text stopped
                    widget.move_cursor(widget.document.end)
            elif isinstance(widget, Select):
                widget.value = value if value is not None else Select.NULL
            elif isinstance(widget, Checkbox):
                widget.value = bool(value)
            elif isinstance(widget, Input):
                widget.value = str(value or "")
                if cursor_at_end:
                    widget.cursor_position = len(widget.value)

    def action_discard_draft(self) -> None:
        if not self.restored:
            return
        self.set_values(self.original, cursor_at_end=True)
        self.base = dict(self.original)
        self.restored = False
        self._notice("Draft discarded.")
        self._drop_draft()

    def note_changed_elsewhere(self, what: str) -> None:
        """Say, inside the form, that the record changed while it was open."""
        self._notice(
            escape(f"Changed elsewhere while this form is open: {what}. Saving checks it.")
        )

    def _notice(self, text: str) -> None:
        """Show ``text`` on the form's notice line. The app's change-watch timer may call
        this while the form is still being composed or already closing (found as a crash,
        NoMatches '#form-notice', under load): then it is kept and shown at mount."""
        self._notice_text = text
        for notice in self.query("#form-notice").results(Static):
            notice.update(text)

    @on(Input.Changed)
    @on(TextArea.Changed)
    @on(Select.Changed)
    @on(Checkbox.Changed)
    def _typed(self) -> None:
        keeper = self._keeper
        if keeper is None or self.draft is None or not self._ready:
            return
        values = self.values()
        if values == self.base and not self.restored:
            keeper.discard(self.draft)
        else:
            keeper.keep(self.draft, values, self.base)

    def _drop_draft(self) -> None:
        if self._keeper is not None and self.draft is not None:
            self._keeper.discard(self.draft)
            if self.adopted is not None:
                self._keeper.discard_adopted(self.adopted)
                self.adopted = None

    # ------------------------------------------------------------------ values

    def values(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for f in self.fields:
            widget = self.query_one(f"#field-{f.name}")
            if isinstance(widget, TextArea):
                out[f.name] = widget.text.strip()
            elif isinstance(widget, Select):
                out[f.name] = None if widget.value is Select.NULL else widget.value
            elif isinstance(widget, Checkbox):
                out[f.name] = widget.value
            elif isinstance(widget, Input):
                out[f.name] = widget.value.strip()
        return out

    def show_error(self, message: str) -> None:
        self.query_one("#form-error", Static).update(escape(message))

    def action_submit(self) -> None:
        values = FormValues(self.values(), self.base)
        missing = [f.label for f in self.fields if f.required and not values.get(f.name)]
        if missing:
            self.show_error(f"Please fill in: {', '.join(missing)}")
            return
        if self.submit is not None:
            error = self.submit(values)
            if isinstance(error, board.ConflictError):
                self._now_shown(error)
            if isinstance(error, RiskboardError):
                self.show_error(error_text(error, {f.name: f.label for f in self.fields}))
                self._focus_first(error.fields)
                return
            if error:
                self.show_error(error)
                return
        self._drop_draft()
        self.dismiss(values)

    def _now_shown(self, error: board.ConflictError) -> None:
        """The refusal showed the value now recorded: from now on the form's save is based
        on it, so Ctrl+S again (deliberately) replaces it - audited like any change -
        and is refused again only if it changes once more."""
        changed = False
        for conflict in error.conflicts:
            if conflict.name in self.base:
                self.base[conflict.name] = conflict.now
                changed = True
        if changed and self._keeper is not None and self.draft is not None:
            self._keeper.keep(self.draft, self.values(), self.base)
        self._notice(
            "The value now recorded is shown below. Ctrl+S again saves yours over it;"
            " Esc keeps the recorded one."
        )

    def _focus_first(self, names: Sequence[str]) -> None:
        for name in names:
            found = self.query(f"#field-{name}")
            if found:
                found.first().focus()
                return

    def action_cancel(self) -> None:
        self._drop_draft()
        self.dismiss(None)

    @on(Button.Pressed, "#save")
    def _save(self) -> None:
        self.action_submit()

    @on(Button.Pressed, "#cancel")
    def _cancel(self) -> None:
        self.action_cancel()

    @on(Input.Submitted)
    def _next_or_submit(self, event: Input.Submitted) -> None:
        """Enter moves to the next field; on the last field it saves."""
        event.stop()
        inputs = [f for f in self.fields if f.kind != "check"]
        if inputs and event.input.id == f"field-{inputs[-1].name}":
            self.action_submit()
        else:
            self.focus_next()
