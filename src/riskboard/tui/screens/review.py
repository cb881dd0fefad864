"""Risk review: everything about one risk, and the keys to record the board's view."""

from __future__ import annotations

from typing import Any, ClassVar

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Static

from riskboard import board
from riskboard.domain import ESCALATION_TARGET_NAMES, EscalationTarget, Strategy
from riskboard.register import RegisterRow
from riskboard.tui.flag_text import flag_reasons, suggested_target
from riskboard.tui.loading import RiskDetail, load_risk
from riskboard.tui.risk_rows import DIRECTION_SYMBOL
from riskboard.tui.screens.base import BoardScreen
from riskboard.tui.screens.form import Field, FormDialog, guarded
from riskboard.tui.widgets.colours import band_style
from riskboard.tui.widgets.meeting_bar import uk_date
from riskboard.tui.widgets.score_trend import ScoreTrend

STRATEGY_HELP = {
    Strategy.ACCEPT: "accept - live with it (needs a rationale and a review-by date)",
    Strategy.TOLERATE: "tolerate - keep it as it is (needs a rationale and a review-by date)",
    Strategy.TREAT: "treat - act to reduce it",
    Strategy.TRANSFER: "transfer - pass it on (insurance, contract)",
    Strategy.TERMINATE: "terminate - stop the activity causing it",
}
ESCALATE_TO = [t for t in EscalationTarget if t != EscalationTarget.CONTRACT]


class ReviewScreen(BoardScreen):
    HELP_TITLE = "Risk review"
    ABOUT = (
        "Everything the export says about the risk, why it was flagged, and what this"
        " meeting has recorded. Set the strategy (accept and tolerate need a rationale and"
        " a review-by date), write the discussion note and the decision, raise actions,"
        " escalate, then mark it reviewed and go to the next risk with n."
    )
    EDIT_ACTIONS = frozenset({"strategy", "note", "decision", "add_action", "escalate", "reviewed"})
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("s", "strategy", "Strategy", id="review.strategy"),
        Binding("w", "note", "Note", id="review.note"),
        Binding("d", "decision", "Decision", id="review.decision"),
        Binding("a", "add_action", "Action", id="review.add_action"),
        Binding("e", "escalate", "Escalate", id="review.escalate"),
        Binding("r", "reviewed", "Reviewed", id="review.reviewed"),
        Binding("n", "move(1)", "Next", id="review.next"),
        Binding("p", "move(-1)", "Previous", id="review.previous"),
        Binding("escape", "back", "Agenda", id="review.back"),
    ]

    def __init__(self, refs: list[str], index: int) -> None:
        super().__init__()
        self.refs = refs
        self.index = index
        self.detail: RiskDetail | None = None

    @property
    def ref(self) -> str:
        return self.refs[self.index]

    def compose(self) -> ComposeResult:
        yield from self.compose_bar()
        with VerticalScroll(id="review-body"):
            yield Static(id="risk-head")
            yield Static(id="this-meeting")
            yield Static(id="risk-flags")
            yield Static(id="risk-actions")
            with Horizontal(id="trend-row"):
                yield Static("Score, last 12 months ", id="trend-label")
                yield ScoreTrend(self.rb.config, id="trend")
            yield Static(id="risk-text")
        yield from self.compose_footer()

    def on_mount(self) -> None:
        self.refresh_bar()
        self.show()

    @property
    def reg(self) -> RegisterRow | None:
        data = self.rb.month_data
        return data.register.get(self.ref) if data else None

    def show(self) -> None:
        rb = self.rb
        assert rb.meeting is not None
        self.detail = load_risk(rb.db, self.ref, rb.meeting.month, rb.meeting.id)
        reg = self.reg
        self.query_one("#risk-head", Static).update(self.render_head(reg))
        self.query_one("#risk-flags", Static).update(self.render_flags(reg))
        self.query_one(ScoreTrend).set_history(self.detail.history)
        self.query_one("#risk-text", Static).update(self.render_text())
        self.query_one("#risk-actions", Static).update(self.render_actions())
        self.query_one("#this-meeting", Static).update(self.render_meeting())
        self.query_one("#review-body").scroll_home(animate=False)

    # ------------------------------------------------------------------ rendering

    def render_head(self, reg: RegisterRow | None) -> Text:
        snap = (self.detail.snapshot if self.detail else None) or {}
        text = Text()
        text.append(f"{self.ref}  ", "bold")
        text.append(str(snap.get("title") or (reg.title if reg else "") or ""), "bold")
        text.append(f"   ({self.index + 1} of {len(self.refs)})\n", "dim")
        score = reg.current_score if reg else snap.get("current_score")
        band = self.rb.config.scoring.band(score)
        if score is not None and band is not None:
            text.append(f" {score} {band.name.upper()} ", band_style(f"#{band.colour}"))
            text.append(
                f"  L{reg.current_likelihood if reg else '?'} x I{reg.current_impact if reg else '?'}"
            )
        else:
            text.append(" no score this month ", "reverse")
        if reg is not None:
            symbol = DIRECTION_SYMBOL.get(reg.direction, "")
            was = f" (was {reg.previous_score})" if reg.previous_score is not None else ""
            text.append(f"   {symbol} {reg.direction}{was}")
            if reg.target_score is not None:
                text.append(f"   target {reg.target_score}")
        text.append("\n")
        parts = [
            ("Annex", snap.get("annex")),
            ("Owner", snap.get("owner")),
            ("Category", snap.get("category")),
            ("Strategy in export", snap.get("strategy_text") or snap.get("strategy")),
        ]
        if snap.get("exposure") is not None:
            parts.append(("Exposure", f"£{float(snap['exposure']):,.0f}"))
        text.append("   ".join(f"{k}: {v or '-'}" for k, v in parts), "dim")
        return text

    def render_flags(self, reg: RegisterRow | None) -> RenderableType:
        if reg is None or not reg.flags:
            return Text("\nNot flagged this month.", "green")
        grid = Table.grid(padding=(0, 1))
        grid.add_column(width=2)
        grid.add_column(ratio=1)
        for code in reg.flags:
            for i, line in enumerate(flag_reasons(code, reg.flag_details)):
                if i == 0:
                    style = "bold red" if code == "stale_action" else "yellow"
                    grid.add_row(Text("•", style), Text(line, style))
                else:
                    grid.add_row("", Text(line.strip(), "dim"))
        return Group(Text("\nWhy this risk is on the agenda", "bold underline"), grid)

    def render_text(self) -> Text:
        snap = (self.detail.snapshot if self.detail else None) or {}
        text = Text()
        for label, key in (
            ("Description", "description"),
            ("Cause", "cause"),
            ("Effect", "effect"),
            ("Controls", "controls"),
        ):
            if snap.get(key):
                text.append(f"\n{label}\n", "bold underline")
                text.append(str(snap[key]) + "\n")
        if not snap:
            text.append("\nThis risk is missing from the month's export.", "magenta")
        text.rstrip()
        return text

    def render_actions(self) -> RenderableType:
        snap = (self.detail.snapshot if self.detail else None) or {}
        actions = snap.get("actions") or []
        title = Text(f"\nActions in the export ({len(actions)})", "bold underline")
        if not actions:
            return Group(title, Text("  none", "yellow"))
        table = Table(box=None, padding=(0, 1), expand=True, show_edge=False)
        for col, kw in (
            ("Action", {"ratio": 3}),
            ("Owner", {"ratio": 1}),
            ("Due", {"width": 10}),
            ("Updated", {"width": 10}),
            ("Status", {"width": 11}),
            ("Progress", {"ratio": 2}),
        ):
            table.add_column(col, **kw)  # type: ignore[arg-type]
        month_start = f"{self.rb.meeting.month}-01" if self.rb.meeting else ""
        for a in actions:
            updated = a.get("last_updated") or ""
            stale = not updated or updated < month_start
            table.add_row(
                " ".join(x for x in (a.get("action_ref"), a.get("text")) if x),
                a.get("owner") or "",
                a.get("due") or "",
                Text(updated or "never", "bold red" if stale else "green"),
                a.get("status") or "",
                a.get("progress") or "",
            )
        return Group(title, table)

    def render_meeting(self) -> RenderableType:
        detail = self.detail
        title = Text("\nRecorded at this meeting", "bold underline")
        review = detail.review if detail else None
        grid = Table.grid(padding=(0, 1))
        grid.add_column(width=14, style="bold")
        grid.add_column(ratio=1)
        if review is None and not (detail and (detail.actions_arising or detail.escalations)):
            return Group(
                title,
                Text(
                    "  nothing yet - s strategy, w note, d decision, a action, e escalate,"
                    " r reviewed",
                    "dim",
                ),
            )
        if review is None:
            pass
        else:
            grid.add_row(
                "Reviewed",
                Text("✓ yes", "bold green") if review.reviewed else Text("not yet (r)", "yellow"),
            )
            if review.strategy:
                line = Text(review.strategy, "bold")
                if review.rationale:
                    line.append(f" - {review.rationale}")
                if review.review_by:
                    line.append(f" (review by {uk_date(review.review_by)})")
                grid.add_row("Strategy", line)
            if review.note:
                grid.add_row("Discussion", review.note)
            if review.decision:
                grid.add_row("Decision", Text(review.decision, "bold cyan"))
        for action in detail.actions_arising if detail else []:
            grid.add_row(
                f"Action {action.number}",
                f"{action.text} - {action.owner or '-'}, due {uk_date(action.due)}",
            )
        for esc in detail.escalations if detail else []:
            grid.add_row(
                Text("Escalated", "bold magenta"),
                f"to the {esc.target_name} ({esc.status.value}, meeting {esc.meeting_id}):"
                f" {esc.reason or ''}",
            )
        return Group(title, grid)

    # ------------------------------------------------------------------ recording

    def _after_change(self, _: Any = None) -> None:
        self.show()

    def _save(self, **values: Any) -> object:
        rb = self.rb
        assert rb.meeting is not None
        return board.save_review(rb.db, rb.meeting.id, self.ref, actor=rb.actor, **values)

    def action_strategy(self) -> None:
        review = self.detail.review if self.detail else None
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
        self.app.push_screen(
            FormDialog(
                f"Strategy for {self.ref}",
                fields,
                guarded(
                    lambda v: self._save(
                        strategy=v["strategy"], rationale=v["rationale"], review_by=v["review_by"]
                    )
                ),
            ),
            self._after_change,
        )

    def _text_form(self, name: str, title: str, current: str | None, help_text: str) -> None:
        self.app.push_screen(
            FormDialog(
                f"{title} - {self.ref}",
                [Field(name, title, "long", current or "", help=help_text)],
                guarded(lambda v: self._save(**{name: v[name]})),
            ),
            self._after_change,
        )

    def action_note(self) -> None:
        review = self.detail.review if self.detail else None
        self._text_form(
            "note", "Discussion note", review.note if review else None, "What the board said."
        )

    def action_decision(self) -> None:
        review = self.detail.review if self.detail else None
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
        names = [p.name for p in board.list_people(rb.db)]
        if reg and reg.owner:
            names.append(reg.owner)
        fields = [
            Field("text", "Action", "long", required=True),
            Field(
                "owner", "Owner", value=reg.owner if reg else "", required=True, suggestions=names
            ),
            Field(
                "due",
                "Due date",
                "date",
                uk_date(board.suggest_next_meeting_date(meeting, rb.config)),
                required=True,
            ),
        ]
        self.app.push_screen(
            FormDialog(
                f"Action arising on {self.ref}",
                fields,
                guarded(
                    lambda v: board.add_action(
                        rb.db,
                        meeting.id,
                        v["text"],
                        owner=v["owner"],
                        due=v["due"],
                        risk_ref=self.ref,
                        actor=rb.actor,
                    )
                ),
                intro="Actions are numbered across all meetings and carried to the next action log.",
            ),
            self._after_change,
        )

    def action_escalate(self) -> None:
        rb = self.rb
        meeting = rb.meeting
        assert meeting is not None
        reg = self.reg
        snap = (self.detail.snapshot if self.detail else None) or {}
        target = suggested_target(reg.flag_details) if reg else None
        fields = [
            Field(
                "target",
                "Escalate to",
                "select",
                target,
                options=[(ESCALATION_TARGET_NAMES[t], t.value) for t in ESCALATE_TO],
                required=True,
            ),
            Field("reason", "Reason", "long", required=True),
            Field(
                "exposure",
                "Financial exposure (GBP, optional)",
                value="" if snap.get("exposure") is None else f"{float(snap['exposure']):.0f}",
            ),
            Field("proposed_owner", "Proposed owner (optional)"),
        ]
        self.app.push_screen(
            FormDialog(
                f"Escalate {self.ref}",
                fields,
                guarded(
                    lambda v: board.escalate(
                        rb.db,
                        meeting.id,
                        self.ref,
                        target=v["target"],
                        reason=v["reason"],
                        exposure=v["exposure"] or None,
                        proposed_owner=v["proposed_owner"] or None,
                        actor=rb.actor,
                    )
                ),
            ),
            self._after_change,
        )

    def action_reviewed(self) -> None:
        review = self.detail.review if self.detail else None
        now = not (review.reviewed if review else False)
        if self.rb.service(self._save, reviewed=now) is not None:
            self.notify(f"{self.ref} {'marked reviewed' if now else 'no longer marked reviewed'}.")
            self.show()

    def action_move(self, step: int) -> None:
        new = self.index + step
        if not 0 <= new < len(self.refs):
            self.notify(
                "That was the last risk in the list." if step > 0 else "This is the first risk."
            )
            return
        self.index = new
        self.show()

    def action_back(self) -> None:
        self.dismiss()
