"""CLI: ``riskboard export minutes|register|report`` - the documents auditors ask for.

Each command writes one file (atomically: a failed export never leaves half a file or
half-overwrites an earlier one) into ``--out`` or ``config.paths.exports`` and prints
the path written.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from riskboard.domain import ESCALATION_TARGET_NAMES, EscalationTarget, count_of

if TYPE_CHECKING:
    from riskboard.cli import Context


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add this group's commands to the top-level parser."""
    from riskboard.cli import add_month_arg

    p = sub.add_parser(
        "export",
        help="write minutes, register transfers and the monthly report",
        description="Write the board's evidence for auditors as files a council can circulate.",
    )
    groups = p.add_subparsers(dest="export_what", metavar="WHAT")
    p.set_defaults(handler=lambda args, ctx: _usage(p))

    m = groups.add_parser(
        "minutes",
        help="a meeting's minutes (docx, xlsx or md)",
        description=(
            "The minutes of a meeting in UK council order: attendance and quorum,"
            " declarations, previous minutes, action log, one item per risk reviewed,"
            " escalations, new actions, any other business, next meeting. Marked DRAFT"
            " until approved at the next meeting."
        ),
    )
    m.add_argument("meeting", nargs="?", type=int, metavar="MEETING",
                   help="meeting id (default: the latest meeting)")  # fmt: skip
    m.add_argument("--format", choices=["docx", "xlsx", "md"], default="docx",
                   help="file format (default: docx)")  # fmt: skip
    _out_arg(m)
    m.set_defaults(handler=cmd_minutes)

    r = groups.add_parser(
        "register",
        help="the transfer sheet for the Directorate or Corporate register",
        description=(
            "Risks escalated to a register, in the columns configured under"
            " [export.register.columns] in config.toml. Without --meeting: every open"
            " escalation to that register."
        ),
    )
    r.add_argument("--to", required=True, choices=["directorate", "corporate"],
                   dest="register_to", help="the receiving register")  # fmt: skip
    r.add_argument("--meeting", type=int, metavar="ID",
                   help="only the escalations raised at this meeting")  # fmt: skip
    r.add_argument("--format", choices=["xlsx", "csv"], default="xlsx",
                   help="file format (default: xlsx)")  # fmt: skip
    _out_arg(r)
    r.set_defaults(handler=cmd_register)

    e = groups.add_parser(
        "ew-register",
        help="the revised NEC early warning register with a meeting's decisions",
        description=(
            "The early warning register of the meeting's board month with the meeting's"
            " decisions applied (kept open, removed with the reason, became a compensation"
            " event with its CE ref) and the actions raised on each; NEC4 clause 15.2 has it"
            " issued within a week of the meeting. Default: the latest meeting."
        ),
    )
    e.add_argument("--meeting", type=int, metavar="ID", help="the meeting (default: the latest)")
    e.add_argument("--format", choices=["xlsx", "csv"], default="xlsx",
                   help="file format (default: xlsx)")  # fmt: skip
    _out_arg(e)
    e.set_defaults(handler=cmd_ew_register)

    rep = groups.add_parser(
        "report",
        help="the monthly risk report for the contract improvement board (xlsx)",
        description=(
            "Heat map and the 12-month chart of risks with actions updated, counts by RAG,"
            " annex and flag, escalations, overdue actions and risks whose score rose."
        ),
    )
    add_month_arg(rep, "board month YYYY-MM (default: the latest imported)")
    _out_arg(rep)
    rep.set_defaults(handler=cmd_report)


def _out_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument("--out", type=Path, metavar="DIR",
                   help="folder to write into (default: paths.exports in config)")  # fmt: skip


def _usage(p: argparse.ArgumentParser) -> int:
    p.print_help()
    return 2


def cmd_minutes(args: argparse.Namespace, ctx: Context) -> int:
    from riskboard.reports.minutes import export_minutes

    path = export_minutes(
        ctx.db, ctx.config, meeting_id=args.meeting, fmt=args.format, out_dir=args.out
    )
    print(path)
    return 0


def cmd_register(args: argparse.Namespace, ctx: Context) -> int:
    from riskboard.reports.register_transfer import export_register

    written = export_register(
        ctx.db,
        ctx.config,
        register=args.register_to,
        meeting_id=args.meeting,
        fmt=args.format,
        out_dir=args.out,
    )
    path, count = written
    register = ESCALATION_TARGET_NAMES[EscalationTarget(args.register_to)]
    if path is None:
        scope = f"at meeting {args.meeting}" if args.meeting else "open (proposed or accepted)"
        print(f"Nothing to transfer to the {register}: no escalation to it {scope} in"
              f" database {ctx.database}; no file written")  # fmt: skip
        return 0
    print(path)
    print(f"{count_of(count, 'risk')} for the {register}", file=sys.stderr)
    if cut := written.cut:
        fields = "field was" if cut == 1 else "fields were"
        print(
            f"{cut} {fields} longer than Excel's 32,767-character cell limit and cut there;"
            " each ends with [cut at Excel's 32,767-character cell limit]",
            file=sys.stderr,
        )
    return 0


def cmd_ew_register(args: argparse.Namespace, ctx: Context) -> int:
    from riskboard.domain import uk_date
    from riskboard.reports.ew_register_export import export_ew_register

    written = export_ew_register(
        ctx.db, ctx.config, meeting_id=args.meeting, fmt=args.format, out_dir=args.out
    )
    print(written.path)
    print(
        f"{written.count} early warnings, {written.decided} decided at the meeting; to be"
        f" issued to the contractor by {uk_date(written.due)}",
        file=sys.stderr,
    )
    if written.cut:
        print(
            f"{written.cut} fields were longer than Excel's 32,767-character cell limit and"
            " cut there",
            file=sys.stderr,
        )
    return 0


def cmd_report(args: argparse.Namespace, ctx: Context) -> int:
    from riskboard.reports.monthly_report import export_report

    print(export_report(ctx.db, ctx.config, month=args.month, out_dir=args.out))
    return 0
