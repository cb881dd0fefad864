"""CLI commands for what the board decides about risks: ``review``, ``escalate``,
``deescalate``, ``escalation list|decide`` and ``action add|update|list|show``.

Registered by ``cli.meeting`` (they share its ``--meeting``/``--as``/``--json`` options);
each acts on the open meeting unless ``--meeting ID`` names another.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from riskboard import board
from riskboard.board.text import action_line, escalation_line, uk
from riskboard.cli.meeting import dump, meeting_id

if TYPE_CHECKING:
    from riskboard.cli import Context

TARGETS = "directorate|corporate|operations-board|strategic-board|fc-cluster"


def register(
    sub: argparse._SubParsersAction,  # type: ignore[type-arg]
    *,
    target: argparse.ArgumentParser,
    js: argparse.ArgumentParser,
) -> None:
    """Add the decision commands; ``target``/``js`` are the shared option parents."""
    p = sub.add_parser(
        "review", parents=[target, js], help="record the review of a risk at the meeting"
    )
    p.add_argument("ref", metavar="REF")
    p.add_argument("--strategy", help="accept|tolerate|treat|transfer|terminate")
    p.add_argument("--rationale", help="why (needed for accept and tolerate)")
    p.add_argument(
        "--review-by", metavar="DATE", help="review-by date (needed for accept and tolerate)"
    )
    p.add_argument("--note", help="discussion")
    p.add_argument("--decision", help='the decision ("RESOLVED: " is added if missing)')
    p.add_argument(
        "--not-reviewed", action="store_true", help="record it without marking it reviewed"
    )
    p.set_defaults(handler=cmd_review)

    p = sub.add_parser("escalate", parents=[target, js], help="propose escalating a risk")
    p.add_argument("ref", metavar="REF")
    p.add_argument("--to", required=True, metavar="TARGET", help=TARGETS)
    p.add_argument("--reason", required=True)
    p.add_argument(
        "--exposure", metavar="GBP", help="financial exposure (default: the export's figure)"
    )
    p.add_argument("--owner", help="proposed owner")
    p.set_defaults(handler=cmd_escalate)

    p = sub.add_parser(
        "deescalate", parents=[target, js], help="propose returning a risk to the contract register"
    )
    p.add_argument("ref", metavar="REF")
    p.add_argument("--from", dest="source", metavar="REGISTER", help="directorate|corporate|...")
    p.add_argument("--reason", required=True)
    p.add_argument("--owner", help="proposed owner")
    p.set_defaults(handler=cmd_deescalate)

    p = sub.add_parser("escalation", help="list escalations or record a decision")
    es = p.add_subparsers(dest="escalation_command", metavar="SUBCOMMAND", required=True)
    q = es.add_parser("list", parents=[js], help="escalations (all, or filtered)")
    q.add_argument("--meeting", metavar="ID", type=int)
    q.add_argument("--status", choices=["proposed", "accepted", "declined"])
    q.set_defaults(handler=cmd_escalation_list)
    q = es.add_parser(
        "decide", parents=[target, js], help="record that an escalation was accepted or declined"
    )
    q.add_argument("id", metavar="ID", type=int)
    choice = q.add_mutually_exclusive_group(required=True)
    choice.add_argument("--accept", dest="accept", action="store_true")
    choice.add_argument("--decline", dest="accept", action="store_false")
    q.add_argument("--note", help="what the receiving register or board said")
    q.set_defaults(handler=cmd_escalation_decide)

    p = sub.add_parser("action", help="actions arising (numbered across all meetings)")
    acts = p.add_subparsers(dest="action_command", metavar="SUBCOMMAND", required=True)
    q = acts.add_parser("add", parents=[target, js], help="raise an action at the meeting")
    q.add_argument("text", metavar="TEXT")
    q.add_argument("--owner", required=True)
    q.add_argument("--due", required=True, metavar="DATE")
    q.add_argument("--risk", metavar="REF", help="the risk it belongs to")
    q.add_argument("--ew", metavar="EW-REF", help="the early warning it belongs to")
    q.set_defaults(handler=cmd_action_add)
    q = acts.add_parser("update", parents=[target, js], help="record an update to Action N")
    q.add_argument("number", metavar="N", type=int)
    q.add_argument("--status", help="open|in progress|closed (to withdraw: action withdraw)")
    q.add_argument("--progress", help="progress note")
    q.add_argument("--due", metavar="DATE", help="revised due date")
    q.add_argument("--owner", help="new owner")
    q.set_defaults(handler=cmd_action_update)
    q = acts.add_parser(
        "withdraw", parents=[target, js], help="withdraw Action N (raised in error), with a reason"
    )
    q.add_argument("number", metavar="N", type=int)
    q.add_argument("--reason", required=True, help="why it is withdrawn (minuted)")
    q.set_defaults(handler=cmd_action_withdraw)
    q = acts.add_parser("list", parents=[js], help="open actions (or --all)")
    q.add_argument("--all", action="store_true", help="closed ones too")
    q.set_defaults(handler=cmd_action_list)
    q = acts.add_parser("show", parents=[js], help="one action and its history")
    q.add_argument("number", metavar="N", type=int)
    q.set_defaults(handler=cmd_action_show)


# ----------------------------------------------------------------------------- reviews


def cmd_review(args: argparse.Namespace, ctx: Context) -> int:
    r = board.save_review(
        ctx.db,
        meeting_id(args, ctx),
        args.ref,
        strategy=args.strategy,
        rationale=args.rationale,
        review_by=args.review_by,
        note=args.note,
        decision=args.decision,
        reviewed=not args.not_reviewed,
        actor=args.actor,
        config=ctx.config,
    )
    if args.json:
        dump(r)
        return 0
    print(
        f"{r.ref} {r.risk_title or ''}: {'reviewed' if r.reviewed else 'recorded (not marked reviewed)'} at meeting {r.meeting_id}"
    )
    if r.strategy:
        by = f", review by {uk(r.review_by.isoformat())}" if r.review_by else ""
        print(f"  strategy {r.strategy}{by}")
    if r.decision:
        print(f"  {r.decision}")
    return 0


# ----------------------------------------------------------------------------- escalations


def cmd_escalate(args: argparse.Namespace, ctx: Context) -> int:
    e = board.escalate(
        ctx.db,
        meeting_id(args, ctx),
        args.ref,
        target=args.to,
        reason=args.reason,
        exposure=args.exposure,
        proposed_owner=args.owner,
        actor=args.actor,
    )
    return _print_escalation(e, args.json)


def cmd_deescalate(args: argparse.Namespace, ctx: Context) -> int:
    e = board.deescalate(
        ctx.db,
        meeting_id(args, ctx),
        args.ref,
        reason=args.reason,
        from_target=args.source,
        proposed_owner=args.owner,
        actor=args.actor,
    )
    return _print_escalation(e, args.json)


def cmd_escalation_decide(args: argparse.Namespace, ctx: Context) -> int:
    e = board.decide_escalation(
        ctx.db,
        meeting_id(args, ctx),
        args.id,
        accept=args.accept,
        note=args.note,
        actor=args.actor,
    )
    return _print_escalation(e, args.json)


def cmd_escalation_list(args: argparse.Namespace, ctx: Context) -> int:
    items = board.list_escalations(ctx.db, meeting_id=args.meeting, status=args.status)
    if args.json:
        dump(items)
        return 0
    for e in items:
        print(
            f"meeting {e.meeting_id}  {escalation_line({**e.model_dump(mode='json'), 'target_name': e.target_name})}"
        )
    if not items:
        print(f"No escalations in database {ctx.database}")
    return 0


def _print_escalation(e: board.Escalation, as_json: bool) -> int:
    if as_json:
        dump(e)
    else:
        print(escalation_line({**e.model_dump(mode="json"), "target_name": e.target_name}))
    return 0


# ----------------------------------------------------------------------------- actions


def cmd_action_add(args: argparse.Namespace, ctx: Context) -> int:
    a = board.add_action(
        ctx.db,
        meeting_id(args, ctx),
        args.text,
        owner=args.owner,
        due=args.due,
        risk_ref=args.risk,
        ew_ref=args.ew,
        actor=args.actor,
    )
    return _print_action(a, args.json)


def cmd_action_update(args: argparse.Namespace, ctx: Context) -> int:
    a = board.update_action(
        ctx.db,
        meeting_id(args, ctx),
        args.number,
        status=args.status,
        progress=args.progress,
        revised_due=args.due,
        owner=args.owner,
        actor=args.actor,
    )
    return _print_action(a, args.json)


def cmd_action_withdraw(args: argparse.Namespace, ctx: Context) -> int:
    a = board.withdraw_action(
        ctx.db, meeting_id(args, ctx), args.number, reason=args.reason, actor=args.actor
    )
    return _print_action(a, args.json)


def cmd_action_list(args: argparse.Namespace, ctx: Context) -> int:
    items = board.all_actions(ctx.db) if args.all else board.open_actions(ctx.db)
    if args.json:
        dump(items)
        return 0
    for a in items:
        print(action_line(a.model_dump(mode="json")))
    if not items:
        what = "No actions yet" if args.all else "No open actions"
        print(f"{what} in database {ctx.database}")
    return 0


def cmd_action_show(args: argparse.Namespace, ctx: Context) -> int:
    a = board.get_action(ctx.db, args.number)
    history = board.action_history(ctx.db, args.number)
    if args.json:
        dump(
            {
                "action": a.model_dump(mode="json"),
                "history": [h.model_dump(mode="json") for h in history],
            }
        )
        return 0
    print(action_line(a.model_dump(mode="json")))
    print(f"  raised at meeting {a.meeting_id}")
    for h in history[1:]:
        due = f", due revised to {uk(h.revised_due.isoformat())}" if h.revised_due else ""
        print(f"  meeting {h.meeting_id}: {h.status}{due} - {h.progress or 'no progress note'}")
    return 0


def _print_action(a: board.BoardAction, as_json: bool) -> int:
    if as_json:
        dump(a)
    else:
        print(action_line(a.model_dump(mode="json")))
    return 0
