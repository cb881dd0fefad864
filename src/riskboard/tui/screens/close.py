"""Close: the summary of what the meeting recorded, then confirm; read-only after."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any, ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.widgets import LoadingIndicator, Static
from textual.worker import Worker, WorkerState

from riskboard import board
from riskboard.agenda import section_rows
from riskboard.domain import count_of, outcome_text, revised_due_text, uk_date, upper_first
from riskboard.early_warning import decision_words
from riskboard.tui.database import connection
from riskboard.tui.screens.base import BoardScreen
from riskboard.tui.screens.form import ConfirmDialog, Field, FormDialog, guarded
from riskboard.tui.widgets.meeting_bar import local_time


def summary_text(
    record: dict[str, Any],
    unreviewed_flagged: int | None,
    awaiting: Sequence[board.Escalation] = (),
    ew_due: date | None = None,
    ew_item: board.EwAgendaStatus | None = None,
) -> Text:
    """The close summary in words, from ``board.meeting_record``; ``awaiting``: the
    escalations from earlier meetings still awaiting a decision; ``ew_due``: when the
    revised early warning register is due (None: no early warnings at this meeting);
    ``ew_item``: the early warnings item (how many it takes, how many were decided)."""
    s = record["summary"]
    t = Text()
    t.append("Attendance\n", "bold underline")
    by_org = record["attendance"]["by_organisation"]
    m = record["meeting"]
    marks = {e["name"]: "in attendance" for e in record["attendance"]["present"]
             if not e.get("lead_officer", True)}  # fmt: skip
    for name, mark in ((m.get("chair"), "chair"), (m.get("minute_taker"), "minute-taker")):
        if name:
            marks[name] = mark
    for org, names in by_org.items():
        present = (
            ", ".join(f"{n} ({marks[n]})" if n in marks else n for n in names["present"]) or "-"
        )
        t.append(f"  {org.capitalize()}: {present}")
        if names["apologies"]:
            t.append(f" (apologies: {', '.join(names['apologies'])})", "dim")
        t.append("\n")
    if not by_org:
        t.append("  nobody recorded\n", "yellow")
    q = record["quorum"]
    t.append(f"  {upper_first(q['text'])}\n", "green" if q["met"] else "bold red")

    t.append("\nPrevious minutes\n", "bold underline")
    approved = record["previous_minutes"]["approved_here"]
    if approved:
        for a in approved:
            t.append(f"  Meeting of {uk_date(a['meeting_date'])} approved and locked\n")
    elif record["previous_minutes"]["previous_meeting"]:
        t.append("  not approved at this meeting\n", "yellow")
    else:
        t.append("  first meeting: none\n", "dim")

    t.append(f"\nAction log: {s['action_log']} carried", "bold")
    t.append(f", {s['actions_closed_here']} closed\n")

    t.append(
        f"\nRisks reviewed: {s['reviewed']} ({count_of(s['decisions'], 'decision')})\n",
        "bold underline",
    )
    for r in record["reviews"]:
        mark = "✓" if r["reviewed"] else "·"
        line = f"  {mark} {r['ref']} {r.get('risk_title') or ''}"
        if r.get("strategy"):
            line += f" - {r['strategy']}"
        t.append(line + "\n")
        if r.get("decision"):
            t.append(f"      {r['decision']}\n", "cyan")
    if unreviewed_flagged:
        t.append(
            f"  {count_of(unreviewed_flagged, 'flagged risk')} not marked reviewed\n", "yellow"
        )

    t.append(f"\nEscalations raised: {s['escalations']}\n", "bold underline")
    for e in record["escalations"]:
        t.append(f"  {e['ref']} -> {e['target_name']} ({e['status']}): {e.get('reason') or ''}\n")
    decided = record["escalation_decisions"]
    t.append(
        f"\nEscalations from earlier meetings: {len(decided)} decided,"
        f" {len(awaiting)} still awaiting a decision\n",
        "bold underline",
    )
    for e in decided:
        outcome = outcome_text(e["status"], e.get("decision_note"))
        t.append(f"  {e['ref']} -> {e['target_name']}: {outcome}\n")
    for w in awaiting:
        t.append(
            f"  {w.ref} -> {w.target_name}: awaiting (proposed at meeting {w.meeting_id})\n",
            "yellow",
        )

    t.append(f"\nNew actions: {s['actions_arising']}\n", "bold underline")
    for a in record["actions_arising"]:
        if a["status"] == board.BoardActionStatus.WITHDRAWN:
            t.append(
                f"  Action {a['number']}: {a['text']} - withdrawn: {a.get('withdrawn_reason')}\n",
                "dim",
            )
            continue
        due = revised_due_text(a.get("due"), a.get("revised_due"))
        on = ", ".join(x for x in (a.get("risk_ref"), a.get("ew_ref")) if x)
        t.append(
            f"  Action {a['number']}{f' [{on}]' if on else ''}: {a['text']}"
            f" - {a.get('owner') or '-'}, {due}\n"
        )

    if ew_due is not None or record.get("early_warnings"):
        decided = record.get("early_warnings") or []
        t.append(f"\nEarly warnings: {len(decided)} decided\n", "bold underline")
        for d in decided:
            words = decision_words(d["decision"], d.get("reason"), d.get("ce_ref"))
            t.append(f"  {d['ew_ref']} {d.get('ew_description') or ''} - {words}\n")
        left = ew_item.listed - ew_item.decided if ew_item is not None else 0
        if ew_item is not None and left > 0:
            t.append(
                f"  {left} of the {ew_item.listed} early warnings on the agenda not decided"
                f" ({ew_item.new} new since the last meeting, {ew_item.open} open)\n",
                "yellow",
            )
        if ew_due is not None:
            t.append(
                f"  Revised early warning register due to the contractor by {uk_date(ew_due)}"
                " (e exports it)\n",
                "bold",
            )
    if record["aob"]:
        t.append("\nAny other business\n", "bold underline")
        for item in record["aob"]:
            t.append(f"  - {item}\n")
    nxt = record.get("next_meeting_date")
    t.append("\nNext meeting: ", "bold")
    t.append(f"{uk_date(nxt)}\n" if nxt else "not set\n", "" if nxt else "yellow")
    return t


class CloseScreen(BoardScreen):
    HELP_TITLE = "Close the meeting"
    ABOUT = (
        "What the meeting recorded. Check it, then press c to close the meeting. Closing"
        " needs the quorum; without it you must give a reason. A closed meeting is"
        " read-only; its minutes are approved at the next meeting. m writes the minutes"
        " (docx, marked DRAFT until approved) and t the transfer sheets for the Directorate"
        " and Corporate registers, and e the revised early warning register (due to the"
        " contractor within a week), into the exports folder."
    )
    EDIT_ACTIONS = frozenset({"close"})
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("c", "close", "Close meeting", id="close.close"),
        Binding("m", "export('minutes')", "Export minutes", id="close.minutes"),
        Binding("t", "export('transfers')", "Export transfers", id="close.transfers"),
        Binding("e", "export('ew_register')", "Export EW register", id="close.ew_register"),
        Binding("escape", "back", "Agenda", id="close.back"),
    ]
    DEFAULT_CSS = """
    CloseScreen #close-state { padding: 0 1; text-style: bold; }
    CloseScreen #summary { padding: 0 1; }
    CloseScreen #exporting { height: 1; display: none; }
    CloseScreen.-exporting #exporting { display: block; }
    """

    def compose(self) -> ComposeResult:
        yield from self.compose_bar()
        yield Static(id="close-state")
        yield LoadingIndicator(id="exporting")
        with VerticalScroll():
            yield Static(id="summary")
        yield from self.compose_footer()

    def on_mount(self) -> None:
        self.show()

    def refresh_from_record(self) -> None:
        self.show()

    def show(self) -> None:
        rb = self.rb
        meeting = rb.reload_meeting()
        if meeting is None:
            return
        self.refresh_bar()
        self.refresh_bindings()
        record = board.meeting_record(rb.db, meeting.id)
        unreviewed = None
        if rb.month_data is not None:
            unreviewed = sum(
                1 for r in section_rows(rb.month_data.rows, "flagged") if not r.reviewed
            )
        awaiting = [
            e for e in board.escalations_awaiting(rb.db, meeting.id) if e.meeting_id < meeting.id
        ]
        ew_due = None
        ew_item = rb.service(board.agenda_status, rb.db, meeting.id)
        if ew_item is not None:
            ew_due = board.register_due(meeting, rb.config)
        self.query_one("#summary", Static).update(
            summary_text(record, unreviewed, awaiting, ew_due, ew_item)
        )
        state = self.query_one("#close-state", Static)
        if meeting.status == board.MeetingStatus.CLOSED:
            state.update(
                Text(
                    f"Closed at {local_time(meeting.closed_at)}. The record is read-only; its minutes are"
                    f" approved at the next meeting. `riskboard meeting show {meeting.id}`"
                    " prints it.",
                    "green",
                )
            )
        else:
            state.update("Check the summary, then press c to close the meeting.")

    def action_close(self) -> None:
        rb = self.rb
        meeting = rb.meeting
        if meeting is None:
            return
        quorum = rb.service(board.quorum, rb.db, meeting.id)
        if quorum is not None and not quorum.met:
            self.app.push_screen(
                FormDialog(
                    "Close without quorum",
                    [Field("reason", "Reason for closing without quorum", "long", required=True)],
                    guarded(
                        lambda v: board.close_meeting(
                            rb.db,
                            meeting.id,
                            force_reason=v["reason"],
                            actor=rb.actor,
                            config=rb.config,
                        )
                    ),
                    intro=f"The meeting is {quorum.describe()}. The reason is minuted.",
                    submit_label="Close meeting",
                    draft="close",
                ),
                self._after_close,
            )
            return

        def confirmed(yes: bool | None) -> None:
            if yes and rb.service(
                board.close_meeting, rb.db, meeting.id, actor=rb.actor, config=rb.config
            ):
                self._after_close(True)

        self.app.push_screen(
            ConfirmDialog(
                f"Close the meeting of {uk_date(meeting.meeting_date)}? Its record becomes"
                " read-only.",
                yes="Close meeting",
                no="Not yet",
            ),
            confirmed,
        )

    def _after_close(self, result: object) -> None:
        if result:
            self.notify("Meeting closed. The record is read-only.")
        self.show()

    def action_export(self, what: str) -> None:
        if self.rb.meeting is None:
            return
        self.add_class("-exporting")
        self.notify(
            {"minutes": "Writing the minutes...", "ew_register": "Writing the revised early"
             " warning register..."}.get(what, "Writing transfer sheets...")
        )  # fmt: skip
        self.export(what, self.rb.meeting.id)

    @work(thread=True, exclusive=True, exit_on_error=False, group="export")
    def export(self, what: str, meeting_id: int) -> list[str]:
        """Minutes (docx) or the Directorate and Corporate transfer sheets, written by
        the reports service with this thread's own connection."""
        config = self.rb.config
        with connection(config) as db:
            if what == "minutes":
                from riskboard.reports.minutes import export_minutes

                return [str(export_minutes(db, config, meeting_id=meeting_id, fmt="docx"))]
            if what == "ew_register":
                from riskboard.reports.ew_register_export import export_ew_register

                ew = export_ew_register(db, config, meeting_id=meeting_id)
                return [f"{ew.path} ({ew.count} early warnings, due {uk_date(ew.due)})"]
            from riskboard.reports.register_transfer import export_register

            written = []
            for register in ("directorate", "corporate"):
                path, count = export_register(
                    db,
                    config,
                    register=register,  # type: ignore[arg-type]
                    meeting_id=meeting_id,
                )
                if path is not None:
                    written.append(f"{path} ({count_of(count, 'risk')})")
            return written

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        super().on_worker_state_changed(event)
        if event.worker.group != "export" or not event.worker.is_finished:
            return
        self.remove_class("-exporting")
        if event.state != WorkerState.SUCCESS:
            return
        if event.worker.result:
            self.notify("Written:\n" + "\n".join(event.worker.result), markup=False, timeout=10)
        else:
            self.notify(
                "Nothing to transfer: this meeting escalated no risk to the Directorate or"
                " Corporate register, so no transfer sheet was written.",
                timeout=10,
            )

    def action_back(self) -> None:
        self.dismiss()
