"""CLI commands for the NEC early warning register: ``ew list|show|decide|notice|next-ref``.

Thin over ``ew_register`` (the register as the board sees it), ``board`` (decisions at
the meeting) and ``reports.ew_notice`` (the notice to the contractor). ``ew decide``
acts on the open meeting unless ``--meeting ID`` names another, like ``review``.
"""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING

from riskboard import board, flag_text
from riskboard.domain import FLAG_LABELS, FlagCode, ref_key, uk_date
from riskboard.errors import NotFound

if TYPE_CHECKING:
    from riskboard.cli import Context
    from riskboard.ew_register import EwRegisterView


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add the ``ew`` command group to the top-level parser."""
    from riskboard.cli import add_month_arg

    p = sub.add_parser(
        "ew",
        help="the NEC early warning register beside the risk register",
        description=(
            "Early warnings (NEC clause 15): the register as imported, linked to the risk"
            " register and flagged; the board's decisions; notices to the contractor."
        ),
    )
    ew = p.add_subparsers(dest="ew_command", metavar="SUBCOMMAND", required=True)

    q = ew.add_parser(
        "list",
        help="the month's early warnings with links, flags and the decisions of its meeting",
    )
    add_month_arg(q, "board month YYYY-MM (default: the latest imported)")
    q.add_argument("--json", action="store_true", help="machine-readable list sorted by ref")
    q.set_defaults(handler=cmd_list)

    q = ew.add_parser("show", help="one early warning month by month, with the board's decisions")
    q.add_argument("ref", metavar="REF", help="early warning reference, e.g. EW-017")
    q.add_argument("--json", action="store_true", help="machine-readable history")
    q.set_defaults(handler=cmd_show)

    q = ew.add_parser(
        "decide",
        help="record the meeting's decision on an early warning",
        description=(
            "Keep the matter open, remove it (with the reason) or record that it became a"
            " compensation event (with the CE reference). Business: the meeting must be"
            " quorate. Again at the same meeting: the decision is amended."
        ),
    )
    q.add_argument("ref", metavar="REF")
    choice = q.add_mutually_exclusive_group(required=True)
    choice.add_argument("--keep", dest="decision", action="store_const", const="keep_open",
                        help="keep it open")  # fmt: skip
    choice.add_argument("--remove", dest="decision", action="store_const", const="remove",
                        help="remove it from the register (needs --reason)")  # fmt: skip
    choice.add_argument("--ce", dest="ce_ref", metavar="CE-REF",
                        help="it became a compensation event, with this CE reference")  # fmt: skip
    q.add_argument("--reason", help="why (minuted; needed to remove)")
    q.add_argument(
        "--override", "--reopen", dest="override", metavar="REASON",
        help="decide against the contractor's register (re-open a Removed early warning,"
        " keep open or remove a compensation event, another CE ref) - why, audited",
    )  # fmt: skip
    q.add_argument(
        "--meeting", metavar="ID", type=int, help="act on this meeting, not the open one"
    )
    q.add_argument("--as", dest="actor", metavar="NAME",
                   help="recorded by (chair or minute-taker; default minute-taker)")  # fmt: skip
    q.add_argument("--json", action="store_true", help="machine-readable output")
    q.set_defaults(handler=cmd_decide)

    q = ew.add_parser(
        "notice",
        help="draft an early warning notice to the contractor (Word)",
        description=(
            "From a risk (REF) or an escalation (--escalation ID): the parties, contract and"
            " clause, the matter, the risk's history and exposure, and a proposed early"
            " warning meeting, with the next free early warning reference. Drafted at the"
            " open meeting (dated its date) unless --no-meeting."
        ),
    )
    q.add_argument("ref", metavar="REF", nargs="?", help="the risk")
    q.add_argument("--escalation", metavar="ID", type=int, help="draft it from this escalation")
    q.add_argument("--meeting", metavar="ID", type=int, help="draft it at this meeting")
    q.add_argument("--no-meeting", action="store_true", help="not at a meeting: dated today")
    q.add_argument("--as", dest="actor", metavar="NAME", help="drafted by")
    q.add_argument("--out", metavar="DIR", help="folder to write into (default: paths.exports)")
    q.set_defaults(handler=cmd_notice)

    q = ew.add_parser("next-ref", help="the next free early warning reference (from config)")
    q.set_defaults(handler=cmd_next_ref)


def _month(ctx: Context, month: str | None) -> str:
    """``month`` checked, else the latest month with a risk or early warning register."""
    from riskboard.ew_register import ew_months
    from riskboard.register import months as risk_months
    from riskboard.register import resolve_month

    if month is not None:
        if month in ew_months(ctx.db) or month in risk_months(ctx.db):
            return month
        return resolve_month(ctx.db, month)  # says which months have data
    latest = max([*risk_months(ctx.db)[-1:], *ew_months(ctx.db)[-1:]], default=None)
    return latest if latest is not None else resolve_month(ctx.db, None)


def _meeting_for(ctx: Context, month: str) -> board.Meeting | None:
    """The meeting on ``month``: the open one, else the latest held on it (None: none)."""
    meeting = board.current_meeting(ctx.db)
    if meeting is not None and meeting.month == month:
        return meeting
    held = [m for m in board.list_meetings(ctx.db) if m.month == month]
    return max(held, key=lambda m: (m.meeting_date, m.id)) if held else None


def cmd_list(args: argparse.Namespace, ctx: Context) -> int:
    from riskboard.ew_register import require_register, view

    month = _month(ctx, args.month)
    require_register(ctx.db, month)
    meeting = _meeting_for(ctx, month)
    ews = view(ctx.db, month, ctx.config, meeting_id=meeting.id if meeting else None)
    decided = {d.ew_ref: d for d in board.ew_decisions(ctx.db, meeting.id)} if meeting else {}
    if args.json:
        print(
            json.dumps(
                [
                    {
                        **r.model_dump(mode="json", exclude={"flag_details"}),
                        "details": {
                            code: detail.model_dump(mode="json")
                            for code, detail in r.flag_details.items()
                        },
                        # "decision" is the register's own text; the board's is apart
                        "board_decision": decided[r.ref].model_dump(mode="json")
                        if r.ref in decided
                        else None,
                        "meeting_id": meeting.id if meeting else None,
                    }
                    for r in ews.rows
                ],
                indent=2,
                ensure_ascii=False,
            )
        )
        return 0
    print_register(ews, decided, meeting)
    return 0


def print_register(
    ews: EwRegisterView, decided: dict[str, board.EwDecision], meeting: board.Meeting | None
) -> None:
    from riskboard.cli.register import _table

    source = (
        f"the {ews.ew_month} register"
        if ews.ew_month == ews.month
        else f"the {ews.ew_month} register, the latest imported"
    )
    flagged = [r for r in ews.rows if r.flags]
    print(
        f"Early warnings for {ews.month} ({source}; as of {uk_date(ews.as_of)}):"
        f" {len(ews.on_register)} early warnings, {sum(r.is_open for r in ews.on_register)} open,"
        f" {len(flagged)} flagged"
        + (
            f"; {len(ews.missing_rows)} open one{'s' if len(ews.missing_rows) != 1 else ''}"
            " left off it (shown from the last register holding it)"
            if ews.missing_rows
            else ""
        )
    )
    head = ["Ref", "Status", "Notified", "By", "Weeks", "Linked risk", "Matter"]
    if meeting is not None:
        head.append(f"Decision (meeting {meeting.id})")
    rows = []
    for r in ews.rows:
        cells = [
            r.ref + (" *" if r.new else ""),
            r.status_label + ("?" if r.status_blank else ""),
            uk_date(r.date_notified, "-"),
            r.notified_by or "",
            "" if r.weeks_open is None else str(r.weeks_open),
            ", ".join(r.risks) or "-",
            r.description or "",
        ]
        if meeting is not None:
            cells.append(decided[r.ref].words if r.ref in decided else "")
        rows.append(cells)
    print(_table(head, rows))
    if meeting is not None and any(r.new for r in ews.rows):
        print("* new since the last meeting")
    if any(r.status_blank for r in ews.rows):
        print("? no status in the register: read as open")
    behind = [r for r in ews.rows if r.board_closed]
    if behind:
        print("\nClosed by the board, still open on the contractor's register:")
        for r in behind:
            print(f"  {r.ref}: {r.board_closed}")
    for r in flagged:
        print(f"\n{r.ref} {r.description or ''}")
        for code in r.flags:
            for line in flag_text.reasons(code, r.flag_details.get(code)):
                print(f"  {line}")


def print_flagged_early_warnings(ctx: Context, month: str) -> None:
    """The ``flags`` command's section for early warnings (nothing without a register)."""
    from riskboard.cli.register import _table
    from riskboard.ew_register import register_month, view

    if register_month(ctx.db, month) is None:
        return
    ews = view(ctx.db, month, ctx.config)
    flagged = [r for r in ews.rows if r.flags]
    print(
        f"\nEarly warnings ({ews.ew_month} register): {len(flagged)} of {len(ews.rows)}"
        " flagged - `riskboard ew list` for the register"
    )
    for code in FlagCode:
        hits = [r for r in flagged if code.value in r.flags]
        if not hits:
            continue
        print(f"\n{FLAG_LABELS[code]} ({code.value}): {len(hits)}")
        print(
            _table(
                ["EW ref", "Matter", "Linked risk", "Evidence"],
                [
                    [r.ref, r.description or "", ", ".join(r.risks) or "-",
                     flag_text.evidence(code, r.flag_details.get(code.value))]
                    for r in hits
                ],
            )
        )  # fmt: skip


def cmd_show(args: argparse.Namespace, ctx: Context) -> int:
    from riskboard.cli.register import _table
    from riskboard.ew_register import ew_history

    history = ew_history(ctx.db, args.ref)
    decisions = board.ew_decision_history(ctx.db, history[-1]["ref"] if history else args.ref)
    if not history and not decisions:
        raise NotFound(
            f"unknown early warning {args.ref!r}: it is in no register imported into"
            f" database {ctx.database}"
        )
    key = ref_key(history[-1]["ref"] if history else args.ref)
    actions = [a for a in board.all_actions(ctx.db) if a.ew_ref and ref_key(a.ew_ref) == key]
    if args.json:
        print(
            json.dumps(
                {
                    "months": history,
                    "decisions": [d.model_dump(mode="json") for d in decisions],
                    "actions": [a.model_dump(mode="json") for a in actions],
                },  # fmt: skip
                indent=2,
                default=str,
                ensure_ascii=False,
            )
        )
        return 0
    latest = history[-1] if history else None
    if latest is not None:
        print(f"{latest['ref']}  {latest['description'] or ''}")
        print(
            _table(
                ["Month", "Status", "Notified", "By", "Linked risk", "Decision", "From"],
                [
                    [
                        h["month"], (h["status"] or "open?").capitalize(),
                        uk_date(h["date_notified"], "-"), h["notified_by"] or "",
                        h["linked_risk"] or "", h["decision"] or "",
                        f"{h['source_file']} / {h['source_sheet']} row {h['source_row']}",
                    ]
                    for h in history
                ],
            )
        )  # fmt: skip
    if decisions:
        print("\nDecisions of the board:")
        for d in decisions:
            print(f"  meeting {d.meeting_id}: {d.words}")
    if actions:
        print("\nActions of the board on it:")
        for a in actions:
            due = uk_date(a.revised_due or a.due)
            print(f"  Action {a.number} ({a.status.value}): {a.text} - {a.owner or '-'}, due {due}")
    return 0


def cmd_decide(args: argparse.Namespace, ctx: Context) -> int:
    from riskboard.cli.meeting import dump, meeting_id

    decision = "compensation_event" if args.ce_ref is not None else args.decision
    d = board.decide_early_warning(
        ctx.db,
        meeting_id(args, ctx),
        args.ref,
        decision=decision,
        reason=args.reason,
        ce_ref=args.ce_ref,
        actor=args.actor,
        override=args.override,
    )
    if args.json:
        dump(d)
    else:
        print(f"{d.ew_ref} {d.ew_description or ''}: {d.words} (meeting {d.meeting_id})")
    return 0


def cmd_notice(args: argparse.Namespace, ctx: Context) -> int:
    from pathlib import Path

    from riskboard.reports.ew_notice import draft_notice

    meeting_id = args.meeting
    if meeting_id is None and not args.no_meeting:
        current = board.current_meeting(ctx.db)
        meeting_id = current.id if current is not None else None
    notice = draft_notice(
        ctx.db,
        ctx.config,
        risk_ref=args.ref,
        escalation_id=args.escalation,
        meeting_id=meeting_id,
        out_dir=Path(args.out) if args.out else None,
        actor=args.actor,
    )
    print(notice.path)
    what = "redrafted (same reference)" if notice.redrafted else "drafted"
    print(f"early warning notice {notice.ew_ref} on risk {notice.risk_ref} {what}")
    return 0


def cmd_next_ref(args: argparse.Namespace, ctx: Context) -> int:
    from riskboard.ew_register import next_free_ref

    print(next_free_ref(ctx.db, ctx.config))
    return 0
