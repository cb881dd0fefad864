"""The risk review's text: head, what this meeting recorded, the board's own history of
the risk, why it was flagged, the export's actions and description, as Rich
renderables drawn from ``riskboard.history.RiskHistory``. No textual here."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from riskboard.agenda import DIRECTION_SYMBOL
from riskboard.board.risk_history import BoardHistory, BoardReview, BoardRiskAction
from riskboard.config import Config
from riskboard.domain import uk_date, upper_first
from riskboard.flag_text import reasons
from riskboard.history import RiskMonth
from riskboard.register import RegisterRow
from riskboard.risk_early_warnings import RiskEarlyWarning
from riskboard.tui.widgets.colours import band_style
from riskboard.tui.widgets.meeting_bar import month_name

NOTHING_YET = "  nothing yet - the keys at the foot of the screen record the board's view"


def head(
    ref: str,
    month: RiskMonth | None,
    reg: RegisterRow | None,
    config: Config,
    position: str,
    decided: BoardReview | None = None,
) -> Text:
    """Ref, title, score chip, direction, annex/owner/category, the export's strategy
    and the board's (``decided``: the last strategy it recorded, at any meeting)."""
    text = Text()
    text.append(f"{ref}  ", "bold")
    text.append((month.title if month else None) or (reg.title if reg else "") or "", "bold")
    text.append(f"   ({position})\n", "dim")
    score = reg.current_score if reg else (month.score if month else None)
    band = config.scoring.band(score)
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
        ("Annex", month.annex if month else None),
        ("Owner", month.owner if month else None),
        ("Category", month.category if month else None),
        ("Strategy in export", month.strategy_shown if month else None),
    ]
    if month is not None and month.exposure is not None:
        parts.append(("Exposure", f"£{month.exposure:,.0f}"))
    text.append("   ".join(f"{k}: {v or '-'}" for k, v in parts), "dim")
    text.append("\nBoard's strategy: ", "bold")
    if decided is None or decided.strategy is None:
        text.append("none decided yet", "dim")
    else:
        text.append(upper_first(decided.strategy), "bold cyan")
        by = f", review by {uk_date(decided.review_by)}" if decided.review_by else ""
        text.append(f" (meeting {decided.meeting_id}, {uk_date(decided.meeting_date)}{by})")
    for holding in reg.holdings if reg else []:
        text.append("\n")
        text.append(upper_first(holding.text()), "bold magenta")
    return text


def flags(reg: RegisterRow | None) -> RenderableType:
    """Why the risk is on the agenda, one headline and its evidence per flag."""
    if reg is None or not reg.flags:
        return Text("\nNot flagged this month.", "green")
    grid = Table.grid(padding=(0, 1))
    grid.add_column(width=2)
    grid.add_column(ratio=1)
    for code in reg.flags:
        for i, line in enumerate(reasons(code, reg.flag_details.get(code))):
            if i == 0:
                style = "bold red" if code in ("stale_action", "unreadable_value") else "yellow"
                grid.add_row(Text("•", style), Text(line, style))
            else:
                grid.add_row("", Text(line.strip(), "dim"))
    return Group(Text("\nWhy this risk is on the agenda", "bold underline"), grid)


def early_warnings(ews: list[RiskEarlyWarning]) -> Text:
    """The NEC early warnings linked to the risk: ref, status, the board's decision."""
    text = Text("\nEarly warnings: ", "bold")
    if not ews:
        text.append("none linked", "dim")
        return text
    for e in ews:
        style = "yellow" if e.status == "Open" else "dim"
        text.append("\n  ")
        text.append(e.line(), style)
    return text


def description(month: RiskMonth | None) -> Text:
    """Description, cause, effect and controls as exported."""
    text = Text()
    if month is None:
        text.append("\nThis risk is in no imported export.", "magenta")
        return text
    for label, value in (
        ("Description", month.description),
        ("Cause", month.cause),
        ("Effect", month.effect),
        ("Controls", month.controls),
    ):
        if value:
            text.append(f"\n{label}\n", "bold underline")
            text.append(value + "\n")
    text.rstrip()
    return text


def export_actions(month: RiskMonth | None, board_month: str) -> RenderableType:
    """The export's actions; a last update before the board month began shows red."""
    actions = month.actions if month else []
    title = Text(f"\nActions in the export ({len(actions)})", "bold underline")
    if month is not None and month.month != board_month:
        title.append(f"  - as last exported, in {month_name(month.month)}", "magenta")
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
    month_start = f"{board_month}-01"
    for a in actions:
        updated = a.last_updated.isoformat() if a.last_updated else ""
        stale = not updated or updated < month_start
        table.add_row(
            " ".join(x for x in (a.action_ref, a.text) if x),
            a.owner or "",
            uk_date(a.due),
            Text(uk_date(updated, "never"), "bold red" if stale else "green"),
            a.status or "",
            a.progress or "",
        )
    return Group(title, table)


def _grid() -> Table:
    grid = Table.grid(padding=(0, 1))
    grid.add_column(width=14, style="bold", no_wrap=True)
    grid.add_column(ratio=1)
    return grid


def recorded(here: BoardHistory, decided_here: BoardHistory, meeting_id: int) -> RenderableType:
    """What this meeting has recorded against the risk: its review, the actions it
    raised, the escalations it proposed, and earlier proposals it decided
    (``decided_here``: escalations from earlier meetings, as they stand now)."""
    title = Text("\nRecorded at this meeting", "bold underline")
    review = here.reviews[0] if here.reviews else None
    decided = [e for e in decided_here.escalations if e.escalation.decided_meeting_id == meeting_id]
    if review is None and not (here.actions or here.escalations or decided):
        return Group(title, Text(NOTHING_YET, "dim"))
    grid = _grid()
    if review is not None:
        grid.add_row(
            "Reviewed",
            Text("✓ yes", "bold green") if review.reviewed else Text("not yet (r)", "yellow"),
        )
        if review.strategy:
            grid.add_row("Strategy", _strategy_line(review))
        if review.note:
            grid.add_row("Discussion", review.note)
        if review.resolution:
            grid.add_row("Decision", Text(f"RESOLVED: {review.resolution}", "bold cyan"))
    for a in here.actions:
        grid.add_row(f"Action {a.action.number}", _action_line(a.action.text, a))
    for e in here.escalations:
        grid.add_row(
            Text("Proposed", "bold magenta"),
            f"{upper_first(e.what)}. Reason: {e.escalation.reason or 'none recorded'}."
            f" {e.outcome}.",
        )
    for e in decided:
        grid.add_row(
            Text("Decided", "bold magenta"),
            f"{upper_first(e.what)}, proposed at meeting {e.escalation.meeting_id}"
            f" ({uk_date(e.meeting_date)}). {e.outcome}.",
        )
    return Group(title, grid)


def history(earlier: BoardHistory) -> RenderableType:
    """The board's own history of the risk at earlier meetings: every review (meeting,
    date, strategy, rationale, review-by date, decision), escalations with their
    outcome, and the actions raised on it with their status now."""
    title = Text("\nThe board's history of this risk", "bold underline")
    if earlier.empty:
        return Group(title, Text("  not discussed at an earlier meeting", "dim"))
    grid = _grid()
    for r in earlier.reviews:
        line = Text()
        line.append(f"{month_name(r.month)} register. ", "dim")
        if r.strategy:
            line.append_text(_strategy_line(r))
            line.append(". ")
        if r.resolution:
            line.append(f"RESOLVED: {r.resolution}", "cyan")
        elif not r.strategy:
            line.append("No decision recorded.", "dim")
        if r.note:
            line.append(f"\nDiscussion: {r.note}", "dim")
        grid.add_row(f"{uk_date(r.meeting_date)} m{r.meeting_id}", line)
    for e in earlier.escalations:
        grid.add_row(
            f"{uk_date(e.meeting_date)} m{e.escalation.meeting_id}",
            Text.assemble(
                (f"{upper_first(e.what)}.", "magenta"),
                f" Reason: {e.escalation.reason or 'none recorded'}. ",
                (f"{e.outcome}.", "bold"),
            ),
        )
    for a in earlier.actions:
        grid.add_row(
            f"Action {a.action.number}",
            _action_line(f"raised {uk_date(a.meeting_date)}: {a.action.text}", a),
        )
    return Group(title, grid)


def _strategy_line(review: BoardReview) -> Text:
    line = Text(upper_first(review.strategy or ""), "bold")
    if review.rationale:
        line.append(f" - {review.rationale}")
    if review.review_by:
        line.append(f" (review by {uk_date(review.review_by)})")
    return line


def _action_line(text: str, a: BoardRiskAction) -> Text:
    status = a.action.status.value
    line = Text(f"{text} - {a.action.owner or '-'}, {a.due_text} - ")
    style = {"closed": "green", "withdrawn": "dim"}.get(status, "yellow")
    line.append(status, style)
    if a.action.withdrawn_reason:
        line.append(f": {a.action.withdrawn_reason}", "dim")
    return line
