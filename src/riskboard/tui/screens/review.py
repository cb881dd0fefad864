"""Risk review: everything about one risk, and the keys to record the board's view."""

from __future__ import annotations

from typing import Any, ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Static
from textual.worker import Worker, WorkerState

from riskboard import board
from riskboard.board.risk_history import BoardHistory, BoardReview
from riskboard.board_flags import REGISTER_LEVEL
from riskboard.domain import ESCALATION_TARGET_NAMES, EscalationTarget, Strategy, uk_date
from riskboard.flag_text import suggested_target
from riskboard.history import RiskHistory, RiskMonth, risk_history
from riskboard.register import RegisterRow
from riskboard.risk_early_warnings import risk_early_warnings
from riskboard.tui import review_text
from riskboard.tui.screens.action_form import action_form
from riskboard.tui.screens.base import BoardScreen
from riskboard.tui.screens.form import Field, FormDialog, guarded
from riskboard.tui.widgets.score_trend import ScoreTrend

STRATEGY_HELP = {
    Strategy.ACCEPT: "accept - live with it (needs a rationale and a review-by date)",
    Strategy.TOLERATE: "tolerate - keep it as it is (needs a rationale and a review-by date)",
    Strategy.TREAT: "treat - act to reduce it",
    Strategy.TRANSFER: "transfer - pass it on (insurance, contract)",
    Strategy.TERMINATE: "terminate - stop the activity causing it",
}
# escalation targets; de-escalation back to the contract register is added last, only
# for a risk on a register above the contract's
ESCALATE_TO = [t for t in EscalationTarget if t != EscalationTarget.CONTRACT]


class ReviewScreen(BoardScreen):
    HELP_TITLE = "Risk review"
    ABOUT = (
        "Everything the export says about the risk, why it was flagged, what this meeting"
        " has recorded and what the board recorded at earlier meetings (strategies,"
        " decisions, escalations and their outcome, actions and their status). Set the"
        " strategy (accept and tolerate need a rationale and a review-by date), write the"
        " discussion note and the decision, raise actions, escalate, then mark it"
        " reviewed and go to the next risk with n. h shows the heat map. i drafts an NEC"
        " early warning notice to the contractor on the risk (Word, in the exports folder)."
    )
    EDIT_ACTIONS = frozenset(
        {"strategy", "note", "decision", "add_action", "escalate", "reviewed", "ew_notice"}
    )
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("s", "strategy", "Strategy", id="review.strategy"),
        Binding("w", "note", "Note", id="review.note"),
        Binding("d", "decision", "Decision", id="review.decision"),
        Binding("a", "add_action", "Action", id="review.add_action"),
        Binding("e", "escalate", "Escalate", id="review.escalate"),
        Binding("r", "reviewed", "Reviewed", id="review.reviewed"),
        Binding("i", "ew_notice", "EW notice", id="review.ew_notice"),
        Binding("n", "move(1)", "Next", id="review.next"),
        Binding("p", "move(-1)", "Previous", id="review.previous"),
        Binding("h", "heat_map", "Heat map", id="review.heat_map"),
        Binding("escape", "back", "Back", id="review.back"),
    ]

    def __init__(self, refs: list[str], index: int) -> None:
        super().__init__()
        self.refs = refs
        self.index = index
        self.history: RiskHistory | None = None
        self.month: RiskMonth | None = None  # as at the board month (or last exported)
        self.review: BoardReview | None = None  # this meeting's

    @property
    def ref(self) -> str:
        return self.refs[self.index]

    def compose(self) -> ComposeResult:
        yield from self.compose_bar()
        with VerticalScroll(id="review-body"):
            yield Static(id="risk-head")
            yield Static(id="this-meeting")
            yield Static(id="board-history")
            yield Static(id="risk-flags")
            yield Static(id="risk-ews")
            yield Static(id="risk-actions")
            with Horizontal(id="trend-row"):
                yield Static("Score, last 12 months ", id="trend-label")
                yield ScoreTrend(self.rb.config, id="trend")
            yield Static(id="risk-text")
        yield from self.compose_footer()

    def on_mount(self) -> None:
        self.refresh_bar()
        self.show()

    def refresh_from_record(self) -> None:
        self.refresh_bar()
        self.show()

    @property
    def reg(self) -> RegisterRow | None:
        data = self.rb.month_data
        return data.register.get(self.ref) if data else None

    def show(self) -> None:
        rb = self.rb
        meeting = rb.meeting
        assert meeting is not None
        found = rb.service(risk_history, rb.db, self.ref, rb.config)
        history = found or RiskHistory(ref=self.ref, months=[], board=BoardHistory(ref=self.ref))
        self.history = history
        self.month = history.as_at(meeting.month)
        here = history.board.at(meeting.id)
        earlier = history.board.before(meeting.id)
        self.review = here.reviews[0] if here.reviews else None
        reg = self.reg
        position = f"{self.index + 1} of {len(self.refs)}"
        self.query_one("#risk-head", Static).update(
            review_text.head(
                self.ref, self.month, reg, rb.config, position, history.board.latest_strategy
            )
        )
        self.query_one("#this-meeting", Static).update(
            review_text.recorded(here, earlier, meeting.id)
        )
        self.query_one("#board-history", Static).update(review_text.history(earlier))
        self.query_one("#risk-flags", Static).update(review_text.flags(reg))
        ews = rb.service(
            risk_early_warnings, rb.db, self.ref, meeting.month, rb.config, meeting_id=meeting.id
        )
        self.query_one("#risk-ews", Static).update(review_text.early_warnings(ews or []))
        self.query_one("#risk-actions", Static).update(
            review_text.export_actions(self.month, meeting.month)
        )
        self.query_one(ScoreTrend).set_history(history.scores(meeting.month))
        self.query_one("#risk-text", Static).update(review_text.description(self.month))
        self.query_one("#review-body").scroll_home(animate=False)

    # ------------------------------------------------------------------ rendering

    # ------------------------------------------------------------------ recording

    def _after_change(self, _: Any = None) -> None:
        self.show()

    def _save(self, **values: Any) -> object:
        rb = self.rb
        assert rb.meeting is not None
        return board.save_review(
            rb.db, rb.meeting.id, self.ref, actor=rb.actor, config=rb.config, **values
        )

    def action_strategy(self) -> None:
        review = self.review
        fields = [
            Field(
                "strategy",
                "Strategy",
                "select",
                review.strategy if review and review.strategy else None,
                options=[(STRATEGY_HELP[s], s.value) for s in Strategy],
                required=True,
            ),
            Field("rationale", "Rationale", "long", review.rationale if review else ""),
            Field(
                "review_by",
                "Review by",
                "date",
                uk_date(review.review_by) if review and review.review_by else "",
                help="Accept and tolerate need a rationale and a review-by date.",
            ),
        ]
        # every field the form writes is checked against what it showed
        self.app.push_screen(
            FormDialog(
                f"Strategy for {self.ref}",
                fields,
                guarded(
                    lambda v: self._save(
                        strategy=v["strategy"],
                        rationale=v["rationale"],
                        review_by=v["review_by"],
                        expected=v.shown("strategy", "rationale", "review_by"),
                    )
                ),
                draft=f"strategy:{self.ref}",
            ),
            self._after_change,
        )

    def _text_form(self, name: str, title: str, current: str | None, help_text: str) -> None:
        self.app.push_screen(
            FormDialog(
                f"{title} - {self.ref}",
                [Field(name, title, "long", current or "", help=help_text)],
                guarded(lambda v: self._save(**{name: v[name]}, expected=v.shown(name))),
                draft=f"{name}:{self.ref}",
            ),
            self._after_change,
        )

    def action_note(self) -> None:
        review = self.review
        self._text_form(
            "note", "Discussion note", review.note if review else None, "What the board said."
        )

    def action_decision(self) -> None:
        review = self.review
        self._text_form(
            "decision",
            "Decision",
            review.decision if review else None,
            "Minuted as 'RESOLVED: ...' (the prefix is added if you leave it out).",
        )

    def action_add_action(self) -> None:
        rb = self.rb
        meeting = rb.meeting
        assert meeting is not None
        reg = self.reg
        self.app.push_screen(
            action_form(
                rb,
                meeting,
                title=f"Action arising on {self.ref}",
                text_label="Action",
                intro="Actions are numbered across all meetings and carried to the next action log.",
                draft=f"action:{self.ref}",
                owner=(reg.owner or "") if reg else "",
                risk_ref=self.ref,
            ),
            self._after_change,
        )

    def action_escalate(self) -> None:
        rb = self.rb
        meeting = rb.meeting
        assert meeting is not None
        reg = self.reg
        month = self.month
        # de-escalation is offered only from a register the risk is on now; a register it
        # is on, or one below it, is no target (saving would be refused: one register
        # above the contract's at a time, and down only back to the contract's)
        held = rb.service(board.registers_held, rb.db, self.ref) or []
        top = max((REGISTER_LEVEL.get(str(h), 0) for h in held), default=0)

        def offered(t: EscalationTarget | str) -> bool:
            return t not in held and not 0 < REGISTER_LEVEL.get(str(t), 99) <= top

        target = suggested_target(reg.flag_details) if reg else None
        if target is not None and not offered(target):
            target = None
        targets = [
            *(t for t in ESCALATE_TO if offered(t)),
            *([EscalationTarget.CONTRACT] if held else []),
        ]
        names = {
            **ESCALATION_TARGET_NAMES,
            EscalationTarget.CONTRACT: "Back to the contract register (de-escalate from the "
            + " / ".join(ESCALATION_TARGET_NAMES[h] for h in held)
            + ")",
        }
        fields = [
            Field(
                "target",
                "Escalate to",
                "select",
                target,
                options=[(names[t], t.value) for t in targets],
                required=True,
            ),
            Field("reason", "Reason", "long", required=True),
            Field(
                "exposure",
                "Financial exposure (GBP, optional)",
                value="" if month is None or month.exposure is None else f"{month.exposure:.0f}",
            ),
            Field("proposed_owner", "Proposed owner (optional)"),
        ]
        if len(held) > 1:  # on both registers: say which one it comes back from
            fields.insert(
                1,
                Field(
                    "source",
                    "De-escalating from (only for a de-escalation)",
                    "select",
                    None,
                    options=[(ESCALATION_TARGET_NAMES[h], h.value) for h in held],
                ),
            )

        def save(v: dict[str, Any]) -> object:
            if v["target"] == EscalationTarget.CONTRACT:
                return board.deescalate(
                    rb.db,
                    meeting.id,
                    self.ref,
                    reason=v["reason"],
                    from_target=held[0].value if len(held) == 1 else v.get("source"),
                    proposed_owner=v["proposed_owner"] or None,
                    actor=rb.actor,
                )
            return board.escalate(
                rb.db,
                meeting.id,
                self.ref,
                target=v["target"],
                reason=v["reason"],
                exposure=v["exposure"] or None,
                proposed_owner=v["proposed_owner"] or None,
                actor=rb.actor,
            )

        self.app.push_screen(
            FormDialog(
                f"Escalate {self.ref}",
                fields,
                guarded(save),
                intro=(
                    f"{self.ref} is on the "
                    + " and the ".join(ESCALATION_TARGET_NAMES[h] for h in held)
                    + ". Choose the contract register at the end of the list to bring it"
                    " back down (de-escalation)."
                    if held
                    else "The risk is on no register above the contract's, so there is"
                    " nothing to de-escalate."
                ),
                draft=f"escalate:{self.ref}",
            ),
            self._after_change,
        )

    def action_reviewed(self) -> None:
        review = self.review
        now = not (review.reviewed if review else False)
        shown = {"reviewed": review.reviewed if review else None}
        if self.rb.service(self._save, reviewed=now, expected=shown) is not None:
            self.notify(f"{self.ref} {'marked reviewed' if now else 'no longer marked reviewed'}.")
        self.show()

    def action_ew_notice(self) -> None:
        """Draft an early warning notice to the contractor on this risk (Word, in the
        exports folder), from its escalation at this meeting if it has one."""
        rb = self.rb
        if rb.meeting is None:
            return
        here = self.history.board.at(rb.meeting.id) if self.history else None
        raised = [
            e.escalation
            for e in (here.escalations if here else [])
            if e.escalation.direction == "escalate"
        ]
        self.notify(f"Drafting an early warning notice on {self.ref}...")
        self.draft_notice(self.ref, raised[-1].id if raised else None, rb.meeting.id)

    @work(thread=True, exclusive=True, exit_on_error=False, group="ew-notice")
    def draft_notice(self, ref: str, escalation_id: int | None, meeting_id: int) -> str:
        from riskboard.reports.ew_notice import draft_notice
        from riskboard.tui.database import connection

        rb = self.rb
        with connection(rb.config) as db:
            board.set_origin(db, rb.origin)
            notice = draft_notice(
                db, rb.config, risk_ref=ref, escalation_id=escalation_id,
                meeting_id=meeting_id, actor=rb.actor,
            )  # fmt: skip
        what = "redrafted (same reference)" if notice.redrafted else "drafted"
        return f"Early warning notice {notice.ew_ref} {what}:\n{notice.path}"

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        super().on_worker_state_changed(event)
        if event.worker.group == "ew-notice" and event.state == WorkerState.SUCCESS:
            self.notify(str(event.worker.result), markup=False, timeout=10)

    def action_move(self, step: int) -> None:
        new = self.index + step
        if not 0 <= new < len(self.refs):
            self.notify(
                "That was the last risk in the list." if step > 0 else "This is the first risk."
            )
            return
        self.index = new
        self.show()

    def action_heat_map(self) -> None:
        """The board month's heat map (Esc comes back to this risk)."""
        from riskboard.tui.screens.heatmap import HeatMapScreen

        data = self.rb.month_data
        if data is None or not data.complete:
            self.notify("Still loading the register - one moment.")
            return
        self.app.push_screen(HeatMapScreen(data))

    def action_back(self) -> None:
        self.dismiss()
