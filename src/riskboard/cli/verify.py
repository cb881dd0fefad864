"""CLI commands that check the board record: ``meeting verify`` (every closed or
approved meeting and the audit log; the audit chain head as an anchor) and ``meeting
audit`` (the audit trail). Registered by ``cli.meeting``."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from riskboard import board
from riskboard.cli.meeting import dump
from riskboard.errors import RiskboardError

if TYPE_CHECKING:
    from riskboard.cli import Context


def cmd_verify(args: argparse.Namespace, ctx: Context) -> int:
    """Exit 0 only when every record checks out and the audit log is sound."""
    anchor = board.parse_anchor(args.anchor) if args.anchor else None
    if args.id is not None:
        results = [board.verify(ctx.db, args.id, anchor=args.hash, chain_anchor=anchor)]
        general: list[str] = []
    else:
        if args.hash:
            raise RiskboardError("--hash needs the meeting whose minutes printed it")
        results = [
            board.verify(ctx.db, mid, with_audit_log=False)
            for mid in board.verifiable_meetings(ctx.db)
        ]
        general = (board.check_anchor(ctx.db, anchor) if anchor else []) + board.audit_findings(
            ctx.db
        )
    head = board.chain_head(ctx.db)
    sound = all(r.ok for r in results) and not general
    if args.json:
        dump(
            {
                "meetings": [r.model_dump(mode="json") for r in results],
                "audit_log": general,
                "chain_head": head.anchor if head else None,
            }
        )
        return 0 if sound else 1
    for r in results:
        print(r.message)
        for finding in r.findings[1:]:
            print(f"  - {finding}")
    if general:
        print("The audit log: TAMPERED - " + general[0])
        for finding in general[1:]:
            print(f"  - {finding}")
    elif args.id is None:
        print(
            "The audit log: sound (chain unbroken, protective triggers in place, tables as"
            " the log recorded them)"
            if results or head
            else f"Nothing recorded yet in database {ctx.database}"
        )
    if head is not None:
        print(
            f"Audit log head: {head} - keep it (or the minutes that print it): `riskboard"
            f" meeting verify --anchor {head.id}:{head.hash[:16]}` later shows whether the log"
            " up to here was rewritten"
        )
    return 0 if sound else 1


def cmd_audit(args: argparse.Namespace, ctx: Context) -> int:
    entries = board.audit_entries(ctx.db, meeting_id=args.meeting)
    if args.json:
        dump(entries)
        return 0
    if not entries:
        which = f" for meeting {args.meeting}" if args.meeting else ""
        print(f"No audit entries{which} in database {ctx.database}")
    for e in entries:
        where = f"meeting {e.meeting_id}" if e.meeting_id else "-"
        origin = f"  [{e.origin}]" if e.origin else ""
        print(
            f"{e.id:>5}  {e.at}  {where:<10}  {e.actor or '-':<20}  {e.entity}"
            f" {e.entity_id or ''}: {e.change}{origin}"
        )
    return 0
