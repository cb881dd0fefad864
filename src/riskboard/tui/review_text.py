"""The risk review's text: head, what the meeting recorded, why flagged, the export's
actions and description, as Rich renderables. No textual here."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from riskboard.config import Config
from riskboard.domain import uk_date
from riskboard.flag_text import reasons
from riskboard.register import RegisterRow
from riskboard.tui.loading import RiskDetail
from riskboard.tui.risk_rows import DIRECTION_SYMBOL
from riskboard.tui.widgets.colours import band_style


def head(detail: RiskDetail, reg: RegisterRow | None, config: Config, position: str) -> Text:
    """Ref, title, score chip, direction, annex/owner/category/strategy/exposure."""
    snap = detail.snapshot or {}
    text = Text()
    text.append(f"{detail.ref}  ", "bold")
    text.append(str(snap.get("title") or (reg.title if reg else "") or ""), "bold")
    text.append(f"   ({position})\n", "dim")
    score = reg.current_score if reg else snap.get("current_score")
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
        ("Annex", snap.get("annex")),
        ("Owner", snap.get("owner")),
        ("Category", snap.get("category")),
        ("Strategy in export", snap.get("strategy_text") or snap.get("strategy")),
    ]
    if snap.get("exposure") is not None:
        parts.append(("Exposure", f"£{float(snap['exposure']):,.0f}"))
    text.append("   ".join(f"{k}: {v or '-'}" for k, v in parts), "dim")
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


def description(detail: RiskDetail) -> Text:
    """Description, cause, effect and controls as exported."""
    snap = detail.snapshot or {}
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


def export_actions(detail: RiskDetail, month: str) -> RenderableType:
    """The export's actions; a last update before the month began shows red."""
    snap = detail.snapshot or {}
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
    month_start = f"{month}-01"
    for a in actions:
        updated = a.get("last_updated") or ""
        stale = not updated or updated < month_start
        table.add_row(
            " ".join(x for x in (a.get("action_ref"), a.get("text")) if x),
            a.get("owner") or "",
            uk_date(a.get("due")),
            Text(uk_date(updated, "never"), "bold red" if stale else "green"),
            a.get("status") or "",
            a.get("progress") or "",
        )
    return Group(title, table)


def recorded(detail: RiskDetail) -> RenderableType:
    """What this meeting has recorded against the risk."""
    title = Text("\nRecorded at this meeting", "bold underline")
    review = detail.review
    grid = Table.grid(padding=(0, 1))
    grid.add_column(width=14, style="bold")
    grid.add_column(ratio=1)
    if review is None and not (detail.actions_arising or detail.escalations):
        return Group(
            title,
            Text(
                "  nothing yet - s strategy, w note, d decision, a action, e escalate, r reviewed",
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
    for action in detail.actions_arising:
        grid.add_row(
            f"Action {action.number}",
            f"{action.text} - {action.owner or '-'}, due {uk_date(action.due)}",
        )
    for esc in detail.escalations:
        grid.add_row(
            Text("Escalated", "bold magenta"),
            f"to the {esc.target_name} ({esc.status.value}, meeting {esc.meeting_id}):"
            f" {esc.reason or ''}",
        )
    return Group(title, grid)
