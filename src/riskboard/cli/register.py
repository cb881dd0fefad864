"""CLI commands over the imported register: ``flags``, ``risks``, ``show``."""

from __future__ import annotations

import argparse
import json
import shutil
from collections.abc import Sequence
from typing import TYPE_CHECKING

from riskboard import flag_text
from riskboard.board.acceptances import acceptance_outlook
from riskboard.domain import FLAG_LABELS, FLAG_ORDER, uk_date
from riskboard.errors import NotFound
from riskboard.register import flags_for, register_rows, resolve_month, risk_history

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
    rows = {r.ref: r for r in register_rows(ctx.db, month, ctx.config)}
    print(f"Flags for {month}: {len(flags)} of {len(rows)} risks need the board's attention")
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
    return 0


def cmd_risks(args: argparse.Namespace, ctx: Context) -> int:
    month = resolve_month(ctx.db, args.month)
    rows = register_rows(ctx.db, month, ctx.config)
    if args.json:
        print(json.dumps([r.model_dump() for r in rows], indent=2, default=str))
        return 0
    arrows = {"up": "^", "down": "v", "level": "=", "new": "new"}
    print(f"Register for {month}: {len(rows)} risks")
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
    history = risk_history(ctx.db, args.ref)
    if not history:
        raise NotFound(
            f"unknown risk {args.ref!r}: it is in no register imported into database {ctx.database}"
        )
    if args.json:
        print(json.dumps(history, indent=2, default=str))
        return 0
    latest = history[-1]
    print(f"{latest['ref']}  {latest['title'] or ''}")
    for label, key in (
        ("Annex", "annex"),
        ("Category", "category"),
        ("Owner", "owner"),
        ("Status", "status"),
        ("Strategy", "strategy_text"),
        ("Description", "description"),
        ("Cause", "cause"),
        ("Effect", "effect"),
        ("Controls", "controls"),
    ):
        if latest.get(key):
            print(f"  {label + ':':<13}{latest[key]}")
    print("\nMonth by month:")
    print(
        _table(
            ["Month", "L", "I", "Score", "RAG", "Strategy", "Status", "Actions", "From"],
            [
                [
                    h["month"],
                    _s(h["current_likelihood"]),
                    _s(h["current_impact"]),
                    _s(h["current_score"]),
                    ctx.config.scoring.rag(h["current_score"]) or "",
                    h["strategy"] or h["strategy_text"] or "",
                    h["status"] or "",
                    str(len(h["actions"])),
                    f"{h['source_file']} / {h['source_sheet']} row {h['source_row']}",
                ]
                for h in history
            ],
        )
    )
    for h in history:
        if not h["actions"]:
            continue
        print(f"\nActions in {h['month']}:")
        print(
            _table(
                ["Ref", "Action", "Owner", "Due", "Status", "Last updated", "Progress"],
                [
                    [
                        a["action_ref"] or "",
                        a["text"] or "",
                        a["owner"] or "",
                        uk_date(a["due"]),
                        a["status"] or "",
                        uk_date(a["last_updated"], "-"),
                        a["progress"] or "",
                    ]
                    for a in h["actions"]
                ],
            )
        )
    return 0


def _s(value: object) -> str:
    return "" if value is None else str(value)


def _table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A plain-text table that fits the terminal: long cells are cut with an ellipsis."""
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
