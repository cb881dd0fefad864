"""CLI commands over the imported register: ``flags``, ``risks``, ``show``."""

from __future__ import annotations

import argparse
import json
import shutil
from collections.abc import Sequence
from typing import TYPE_CHECKING

from riskboard import flag_text
from riskboard.board.acceptances import acceptance_outlook
from riskboard.board.risk_history import BoardHistory
from riskboard.domain import FLAG_LABELS, FLAG_ORDER, count_of, month_short, uk_date, upper_first
from riskboard.domain import month_name as month_label
from riskboard.history import risk_history
from riskboard.month_counts import month_counts
from riskboard.register import flags_for, register_rows, resolve_month

if TYPE_CHECKING:
    from riskboard.cli import Context


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    from riskboard.cli import add_month_arg

    p = sub.add_parser(
        "flags",
        help="flagged risks of a month (stale actions first)",
        description="Risks needing the board's attention. Default month: the latest imported.",
    )
    add_month_arg(p)
    p.add_argument("--json", action="store_true", help="machine-readable list sorted by ref")
    p.set_defaults(handler=cmd_flags)

    p = sub.add_parser("risks", help="list the register of a month")
    add_month_arg(p)
    p.add_argument("--json", action="store_true", help="machine-readable list sorted by ref")
    p.set_defaults(handler=cmd_risks)

    p = sub.add_parser("show", help="one risk with its month-by-month history")
    p.add_argument("ref", metavar="REF", help="risk reference, e.g. HM-012")
    p.add_argument("--json", action="store_true", help="machine-readable history")
    p.set_defaults(handler=cmd_show)


def cmd_flags(args: argparse.Namespace, ctx: Context) -> int:
    month = resolve_month(ctx.db, args.month)
    flags = flags_for(ctx.db, month, ctx.config)
    if args.json:
        print(
            json.dumps(
                [
                    {
                        "ref": f.ref,
                        "title": f.title,
                        "annex": f.annex,
                        "flags": [c.value for c in f.flags],
                        "details": {
                            code: detail.model_dump(mode="json")
                            for code, detail in f.details.items()
                        },
                    }
                    for f in flags
                ],
                indent=2,
            )
        )
        return 0
    regs = register_rows(ctx.db, month, ctx.config)
    rows = {r.ref: r for r in regs}
    counts = month_counts(month, regs)
    print(
        f"Flags for {month_label(month)}: {counts.flagged} of {count_of(counts.on_agenda, 'risk')} need the"
        f" board's attention: {counts.export_text()}."
    )
    for code in FLAG_ORDER:
        hits = [f for f in flags if code in f.flags]
        if not hits:
            continue
        print(f"\n{FLAG_LABELS[code]} ({code.value}): {len(hits)}")
        table = []
        for f in hits:
            row = rows.get(f.ref)
            table.append(
                [
                    f.ref,
                    f.title or "",
                    f.annex or "",
                    f.owner or "",
                    uk_date(row.last_action_update if row else None, "-"),
                    flag_text.evidence(code, f.details.get(code.value)),
                ]
            )
        print(_table(["Ref", "Title", "Annex", "Owner", "Last update", "Evidence"], table))
    outlook = acceptance_outlook(ctx.db, month, ctx.config)
    if outlook.due:
        print(
            f"\nAcceptances falling due before the next meeting ({uk_date(outlook.until)};"
            f" {outlook.until_note}): {len(outlook.due)}"
        )
        print(
            _table(
                ["Ref", "Strategy", "Review by", "Decided at"],
                [
                    [a.ref, a.strategy, uk_date(a.review_by), f"meeting {a.meeting_id}"
                     f" ({uk_date(a.meeting_date)})"]
                    for a in outlook.due
                ],
            )
        )  # fmt: skip
    from riskboard.cli.early_warnings import print_flagged_early_warnings

    print_flagged_early_warnings(ctx, month)
    return 0


def cmd_risks(args: argparse.Namespace, ctx: Context) -> int:
    month = resolve_month(ctx.db, args.month)
    rows = register_rows(ctx.db, month, ctx.config)
    if args.json:
        print(json.dumps([r.model_dump() for r in rows], indent=2, default=str))
        return 0
    arrows = {"up": "^", "down": "v", "level": "=", "new": "new", "unknown": "?"}
    print(f"Register for {month_label(month)}: {month_counts(month, rows).export_text()}")
    print(
        _table(
            [
                "Ref",
                "Title",
                "Annex",
                "Owner",
                "Score",
                "RAG",
                "DoT",
                "Strategy",
                "Last update",
                "Flags",
            ],
            [
                [
                    r.ref,
                    r.title or "",
                    r.annex or "",
                    r.owner or "",
                    "" if r.current_score is None else str(r.current_score),
                    r.rag or "",
                    arrows[r.direction],
                    r.strategy or r.strategy_text or "",
                    uk_date(r.last_action_update, "-"),
                    ", ".join(r.flags),
                ]
                for r in rows
            ],
        )
    )
    return 0


def cmd_show(args: argparse.Namespace, ctx: Context) -> int:
    from riskboard.risk_early_warnings import risk_early_warnings

    history = risk_history(ctx.db, args.ref, ctx.config)
    latest = history.latest
    ews = risk_early_warnings(ctx.db, history.ref, latest.month, ctx.config) if latest else []
    if args.json:
        out = {
            **history.model_dump(mode="json"),
            "early_warnings": [e.model_dump(mode="json") for e in ews],
        }
        print(json.dumps(out, indent=2, default=str))
        return 0
    decided = history.board.latest_strategy
    print(f"{history.ref}  {(latest.title if latest else None) or ''}")
    if latest is not None:
        for label, value in (
            ("Annex", latest.annex),
            ("Category", latest.category),
            ("Owner", latest.owner),
            ("Status", latest.status),
            ("Strategy", latest.strategy_shown),
            ("Description", latest.description),
            ("Cause", latest.cause),
            ("Effect", latest.effect),
            ("Controls", latest.controls),
        ):
            if value:
                print(f"  {label + ':':<13}{value}")
        print(f"  (as exported in {month_label(latest.month)})")
    if decided is not None:
        by = f", review by {uk_date(decided.review_by)}" if decided.review_by else ""
        print(
            f"  Board's strategy: {upper_first(decided.strategy or '')} (meeting"
            f" {decided.meeting_id}, {uk_date(decided.meeting_date)}{by})"
        )
    if latest is not None:
        print(f"  {'Early warnings:':<13}" + ("" if ews else " none linked"))
        for e in ews:
            print(f"    {e.line()}")
    if history.months:
        print("\nMonth by month:")
        print(
            _table(
                ["Month", "L", "I", "Score", "RAG", "Strategy", "Status", "Actions"],
                [
                    [m.month, _s(m.likelihood), _s(m.impact), _s(m.score), m.rag or "",
                     m.strategy_shown or "", m.status or "", str(len(m.actions))]
                    for m in history.months
                ],
            )
        )  # fmt: skip
        # provenance in full, one line each, whatever the terminal's width
        print("\nWhere each month came from:")
        for m in history.months:
            print(f"  {month_short(m.month)}  {m.source.describe()}")
    _print_board(history.board)
    for m in history.months:
        if not m.actions:
            continue
        print(f"\nActions in {month_label(m.month)}:")
        print(
            _table(
                ["Ref", "Action", "Owner", "Due", "Status", "Last updated", "Progress"],
                [
                    [a.action_ref or "", a.text or "", a.owner or "", uk_date(a.due),
                     a.status or "", uk_date(a.last_updated, "-"), a.progress or ""]
                    for a in m.actions
                ],
            )
        )  # fmt: skip
    return 0


def _print_board(record: BoardHistory) -> None:
    """The board's own record of the risk: reviews, escalations, actions."""
    print("\nThe board's record:")
    if record.empty:
        print("  not discussed at any meeting")
        return
    for r in record.reviews:
        parts = []
        if r.strategy:
            text = upper_first(r.strategy)
            if r.rationale:
                text += f" - {r.rationale}"
            if r.review_by:
                text += f" (review by {uk_date(r.review_by)})"
            parts.append(text + ".")
        parts.append(f"RESOLVED: {r.resolution}" if r.resolution else "No decision recorded.")
        print(
            f"  Meeting {r.meeting_id}, {uk_date(r.meeting_date)} ({month_label(r.month)}"
            f" register): {' '.join(parts)}"
        )
        if r.note:
            print(f"    Discussion: {r.note}")
    for e in record.escalations:
        print(
            f"  Meeting {e.escalation.meeting_id}, {uk_date(e.meeting_date)}: {e.what}"
            f" ({e.escalation.reason or 'no reason recorded'}) - {e.outcome}"
        )
    for a in record.actions:
        reason = f": {a.action.withdrawn_reason}" if a.action.withdrawn_reason else ""
        print(
            f"  Action {a.action.number} (raised {uk_date(a.meeting_date)}): {a.action.text}"
            f" - {a.action.owner or 'no owner'}, {a.due_text} - {a.action.status.value}{reason}"
        )


def _s(value: object) -> str:
    return "" if value is None else str(value)


def _table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A plain-text table that fits the terminal: long cells are cut with an ellipsis
    (so anything that must be read in full - a source file, sheet and row - is printed
    on its own line instead)."""
    width = shutil.get_terminal_size((160, 24)).columns
    cells = [[str(c).replace("\n", " ") for c in row] for row in rows]
    widths = [len(h) for h in headers]
    for row in cells:
        for i, c in enumerate(row):
            widths[i] = max(widths[i], len(c))
    cap = max(12, (width - 2 * len(headers)) // max(1, len(headers)) * 2)
    widths = [min(w, cap) for w in widths]

    def fit(text: str, w: int) -> str:
        return text if len(text) <= w else text[: w - 1] + "…"

    lines = ["  ".join(fit(h, w).ljust(w) for h, w in zip(headers, widths, strict=True))]
    lines.append("  ".join("-" * w for w in widths))
    for row in cells:
        lines.append(
            "  ".join(fit(c, w).ljust(w) for c, w in zip(row, widths, strict=True)).rstrip()
        )
    return "\n".join(lines)
