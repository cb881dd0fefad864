"""Attendance: tick who is present or sent apologies from the people list, add people,
and watch the quorum line."""

from __future__ import annotations

from typing import Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import DataTable, Static

from riskboard import board
from riskboard.domain import Organisation, same_person
from riskboard.tui.screens.base import BoardScreen
from riskboard.tui.screens.form import Field, FormDialog, guarded
from riskboard.tui.widgets.quorum import QuorumIndicator

STATUS_CELL = {
    board.AttendanceStatus.PRESENT: Text("✓ present", "bold green"),
    board.AttendanceStatus.APOLOGIES: Text("apologies", "yellow"),
    None: Text("-", "dim"),
}
LEFT_CELL = Text("left", "magenta")
HINT = "p present · x apologies · space switch · u unmark · l left · n add someone new"
ORG_ORDER = {o.value: i for i, o in enumerate(Organisation)}


def today(
    person: board.Person,
    status: board.AttendanceStatus | None,
    meeting: board.Meeting,
    *,
    left: bool = False,
) -> Text:
    """Today's attendance ("left" for someone present who has left), with Chair /
    Minute-taker as this meeting has them (whoever was named when it started, whatever
    the people list's role says)."""
    text = LEFT_CELL.copy() if left else STATUS_CELL[status].copy()
    for name, mark in ((meeting.chair, "chair"), (meeting.minute_taker, "minute-taker")):
        if same_person(name, person.name):
            text.append(f", {mark}", "bold cyan")
    return text


class AttendanceScreen(BoardScreen):
    HELP_TITLE = "Attendance"
    ABOUT = (
        "Everyone on the people list, with today's attendance. Move to a name and press"
        " p (present) or x (apologies) - the cursor moves on to the next name; space"
        " switches between present and apologies; u takes the entry off (a mistake);"
        " l records that someone present left the meeting - they stay on the record as"
        " present until then, and later business needs the quorum without them (p again"
        " when they come back). Once someone present has taken part in business, they"
        " can only leave, not be taken off or turned into apologies."
        " Press n to add someone new - they stay on the people list for later meetings."
        " The quorum line at the top updates as you go."
    )
    EDIT_ACTIONS = frozenset({"present", "apologies", "switch_mark", "clear", "left", "add_person"})
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("p", "present", "Present", id="attendance.present"),
        Binding("x", "apologies", "Apologies", id="attendance.apologies"),
        Binding("space", "switch_mark", "Present/apologies", id="attendance.toggle"),
        Binding("u", "clear", "Unmark", id="attendance.clear"),
        Binding("l", "left", "Left", id="attendance.left"),
        Binding("n", "add_person", "Add person", id="attendance.add"),
        Binding("escape", "back", "Agenda", id="attendance.back"),
    ]
    DEFAULT_CSS = """
    AttendanceScreen #people { height: 1fr; }
    AttendanceScreen #attendance-hint { color: $text-muted; padding: 0 1; }
    """

    def __init__(self) -> None:
        super().__init__()
        self.people: list[board.Person] = []
        self.status: dict[str, board.AttendanceStatus] = {}
        self.left: set[str] = set()

    def compose(self) -> ComposeResult:
        yield from self.compose_bar()
        yield QuorumIndicator(id="quorum")
        yield Static(
            HINT,
            id="attendance-hint",
        )
        table: DataTable[Any] = DataTable(id="people", cursor_type="row", zebra_stripes=True)
        yield table
        yield from self.compose_footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_column("Name", key="name", width=20)
        table.add_column("Today", key="today", width=23)
        table.add_column("Organisation", key="org", width=12)
        table.add_column("Lead", key="lead", width=4)
        table.add_column("Role", key="role", width=30)
        self.reload()
        table.focus()

    def refresh_from_record(self) -> None:
        self.reload()

    def reload(self) -> None:
        rb = self.rb
        assert rb.meeting is not None
        entries = board.attendance(rb.db, rb.meeting.id)
        self.status = {e.name.casefold(): e.status for e in entries}
        self.left = {e.name.casefold() for e in entries if e.left_at}
        people = {p.name.casefold(): p for p in board.list_people(rb.db)}
        self.people = sorted(
            people.values(), key=lambda p: (ORG_ORDER.get(p.organisation, 9), p.name)
        )
        table = self.query_one(DataTable)
        cursor = table.cursor_row
        table.clear()
        meeting = rb.meeting
        for p in self.people:
            table.add_row(
                p.name,
                today(
                    p,
                    self.status.get(p.name.casefold()),
                    meeting,
                    left=p.name.casefold() in self.left,
                ),
                p.organisation.capitalize(),
                "yes" if p.lead_officer else "no",
                p.role or "",
                key=p.name,
            )
        if self.people:
            table.move_cursor(row=min(cursor, len(self.people) - 1))
        self.query_one(QuorumIndicator).show(rb.service(board.quorum, rb.db, rb.meeting.id))
        hint = Text(HINT)
        chair = meeting.chair
        chair_here = any(
            same_person(chair, name) and status == board.AttendanceStatus.PRESENT
            for name, status in self.status.items()
        )
        if chair and not chair_here:
            hint.append(f"\nThe chair, {chair}, is not marked present.", "bold yellow")
        self.query_one("#attendance-hint", Static).update(hint)
        self.refresh_bar()

    @property
    def person(self) -> board.Person | None:
        table = self.query_one(DataTable)
        if not self.people or table.cursor_row < 0:
            return None
        return self.people[table.cursor_row]

    def _shown(self, person: board.Person) -> dict[str, str | None]:
        """What this screen shows for ``person``: the service refuses a mark based on it
        if someone else marked them meanwhile."""
        status = self.status.get(person.name.casefold())
        return {"status": status.value if status else None}

    def _mark(self, apologies: bool) -> None:
        rb = self.rb
        person = self.person
        if person is None or rb.meeting is None:
            return
        done = rb.service(
            board.attend,
            rb.db,
            rb.meeting.id,
            person.name,
            apologies=apologies,
            expected=self._shown(person),
            actor=rb.actor,
        )
        self.reload()  # refused or not, show the attendance as recorded now
        if done:
            self.query_one(DataTable).action_cursor_down()  # tick down the list

    def action_present(self) -> None:
        self._mark(apologies=False)

    def action_apologies(self) -> None:
        self._mark(apologies=True)

    def action_switch_mark(self) -> None:
        person = self.person
        if person is None:
            return
        current = self.status.get(person.name.casefold())
        self._mark(apologies=current == board.AttendanceStatus.PRESENT)

    def action_clear(self) -> None:
        rb = self.rb
        person = self.person
        if person is None or rb.meeting is None or person.name.casefold() not in self.status:
            return
        rb.service(
            board.remove_attendance,
            rb.db,
            rb.meeting.id,
            person.name,
            expected=self._shown(person),
            actor=rb.actor,
        )
        self.reload()

    def action_left(self) -> None:
        """Record that the person under the cursor left the meeting (now)."""
        rb = self.rb
        person = self.person
        if person is None or rb.meeting is None:
            return
        done = rb.service(
            board.leave,
            rb.db,
            rb.meeting.id,
            person.name,
            expected=self._shown(person),
            actor=rb.actor,
        )
        self.reload()
        if done is not None:
            self.notify(f"{person.name} left the meeting.", timeout=3)

    def action_add_person(self) -> None:
        rb = self.rb
        meeting = rb.meeting
        assert meeting is not None
        fields = [
            Field("name", "Name", required=True),
            Field(
                "organisation",
                "Organisation",
                "select",
                None,
                options=[(o.value.capitalize(), o.value) for o in Organisation],
                required=True,
            ),
            Field("role", "Role (e.g. Contract Manager)"),
            Field("lead_officer", "Lead officer (counts towards the quorum)", "check", True),
            Field("apologies", "Sent apologies (leave unticked if present)", "check", False),
        ]
        self.app.push_screen(
            FormDialog(
                "Add a person",
                fields,
                guarded(
                    lambda v: board.attend(
                        rb.db,
                        meeting.id,
                        v["name"],
                        organisation=v["organisation"],
                        role=v["role"] or None,
                        apologies=v["apologies"],
                        lead_officer=v["lead_officer"],
                        actor=rb.actor,
                    )
                ),
                intro="They join the people list, so next month they are a keypress away.",
                draft="add-person",
            ),
            lambda _: self.reload(),
        )

    def action_back(self) -> None:
        self.dismiss()
