"""CLI commands for the board meeting: ``meeting`` (the TUI, and subcommands for
scripting or a minute-taker catching up), ``review``, ``escalate``, ``deescalate``,
``escalation`` and ``action``. Thin over ``riskboard.board``; every command acts on the
open meeting unless ``--meeting ID`` names another.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

from riskboard import board
from riskboard.board.text import local_clock, record_text, uk
from riskboard.domain import count_of, month_name, month_short
from riskboard.errors import NotFound, Remedy

if TYPE_CHECKING:
    from pydantic import BaseModel

    from riskboard.cli import Context

ORGS = "contractor|directorate|corporate|other"


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add this group's commands to the top-level parser."""
    from riskboard.cli import verify  # it reuses this module's helpers

    target = argparse.ArgumentParser(add_help=False)
    target.add_argument(
        "--meeting", metavar="ID", type=int, help="act on this meeting, not the open one"
    )
    target.add_argument(
        "--as",
        dest="actor",
        metavar="NAME",
        help="recorded by (chair or minute-taker; default minute-taker)",
    )
    js = argparse.ArgumentParser(add_help=False)
    js.add_argument("--json", action="store_true", help="machine-readable output")

    p = sub.add_parser(
        "meeting",
        help="run the board meeting (no subcommand: the TUI)",
        description="With no subcommand: open the meeting TUI (resume the open meeting or start one).",
    )
    p.set_defaults(handler=cmd_tui)
    ms = p.add_subparsers(dest="meeting_command", metavar="SUBCOMMAND")

    q = ms.add_parser("new", parents=[js], help="start a meeting (in progress unless --draft)")
    q.add_argument(
        "--date", default=None, help="meeting date YYYY-MM-DD or DD/MM/YYYY (default today)"
    )
    q.add_argument("--month", help="board month YYYY-MM reviewed (default: latest imported)")
    q.add_argument("--chair", required=True, help="who chairs")
    q.add_argument("--minute-taker", help="who takes the minutes")
    q.add_argument("--draft", action="store_true", help="prepare it without starting it")
    q.add_argument(
        "--force-month",
        metavar="REASON",
        help="review a board month earlier than one already reviewed, recording why",
    )
    q.set_defaults(handler=cmd_new)

    q = ms.add_parser("open", parents=[target], help="start a draft meeting")
    q.set_defaults(handler=cmd_open)

    q = ms.add_parser("list", parents=[js], help="every meeting")
    q.set_defaults(handler=cmd_list)

    q = ms.add_parser(
        "attend", parents=[target, js], help="mark someone present or sending apologies"
    )
    q.add_argument("name", metavar="NAME")
    q.add_argument("--org", help=f"organisation: {ORGS} (needed for someone new)")
    q.add_argument("--role", help="their role (kept on the people list for someone new)")
    q.add_argument("--apologies", action="store_true", help="sent apologies (not present)")
    lead = q.add_mutually_exclusive_group()
    lead.add_argument(
        "--lead",
        dest="lead",
        action="store_true",
        default=None,
        help="counts as a lead officer for quorum (default: as already recorded at this"
        " meeting, else as on the people list; --role alone never changes it)",
    )
    lead.add_argument(
        "--not-lead",
        dest="lead",
        action="store_false",
        help="present but not a lead officer (does not count for quorum)",
    )
    change = q.add_mutually_exclusive_group()
    change.add_argument(
        "--remove",
        action="store_true",
        help="take them off this meeting's attendance (recorded by mistake; refused once"
        " they were present while the board did business)",
    )
    change.add_argument(
        "--left",
        action="store_true",
        help="they left the meeting now: present until then; later business needs the"
        " quorum without them (attend again without --left: they came back)",
    )
    q.set_defaults(handler=cmd_attend)

    q = ms.add_parser("people", parents=[js], help="the people list")
    q.add_argument("--all", action="store_true", help="include people marked inactive")
    q.set_defaults(handler=cmd_people)

    q = ms.add_parser(
        "person", parents=[target, js], help="add or change someone on the people list"
    )
    q.add_argument("name", metavar="NAME")
    q.add_argument("--org", help=ORGS)
    q.add_argument("--role")
    lead = q.add_mutually_exclusive_group()
    lead.add_argument("--lead", dest="lead", action="store_true", default=None)
    lead.add_argument("--not-lead", dest="lead", action="store_false")
    act = q.add_mutually_exclusive_group()
    act.add_argument("--active", dest="active", action="store_true", default=None)
    act.add_argument("--inactive", dest="active", action="store_false", help="hide from the list")
    q.add_argument(
        "--email",
        metavar="ADDRESS",
        help='where their owner emails go (riskboard chase); "" clears it',
    )
    q.set_defaults(handler=cmd_person)

    for name, helptext, handler in (
        ("declare", "record a declaration of interest", cmd_declare),
        ("aob", "add an item of any other business", cmd_aob),
    ):
        q = ms.add_parser(name, parents=[target], help=helptext)
        q.add_argument("text", metavar="TEXT")
        q.set_defaults(handler=handler)

    q = ms.add_parser("next-date", parents=[target], help="set the date of the next meeting")
    q.add_argument(
        "date",
        metavar="DATE",
        nargs="?",
        help="default: the configured interval after this meeting",
    )
    q.set_defaults(handler=cmd_next_date)

    q = ms.add_parser("close", parents=[target, js], help="close the meeting (needs quorum)")
    q.add_argument("--force", metavar="REASON", help="close without quorum, recording why")
    q.set_defaults(handler=cmd_close)

    q = ms.add_parser(
        "approve-previous",
        parents=[target, js],
        help="approve the previous minutes (locks that meeting)",
    )
    q.add_argument("--amendment", metavar="TEXT", help="approved subject to this amendment")
    q.add_argument("--previous", metavar="ID", type=int, help="an older unapproved meeting instead")
    q.set_defaults(handler=cmd_approve)

    q = ms.add_parser("show", parents=[js], help="everything recorded at a meeting")
    q.add_argument(
        "id", metavar="ID", nargs="?", type=int, help="default: the open meeting, else the latest"
    )
    q.set_defaults(handler=cmd_show)

    q = ms.add_parser(
        "verify",
        parents=[js],
        help="check approved minutes and the audit log were not changed since (exit 1 if so)",
    )
    q.add_argument(
        "id",
        metavar="ID",
        nargs="?",
        type=int,
        help="default: every closed or approved meeting",
    )
    q.add_argument(
        "--hash", metavar="SHA256", help="the record hash printed on the approved minutes you hold"
    )
    q.add_argument(
        "--anchor",
        metavar="ROW:HASH",
        help="the audit log head printed on any minutes you hold: checks the log still holds"
        " that row with that hash (what the database alone cannot show)",
    )
    q.set_defaults(handler=verify.cmd_verify)

    q = ms.add_parser("audit", parents=[js], help="the audit trail of a meeting (or all)")
    q.add_argument("--meeting", metavar="ID", type=int)
    q.set_defaults(handler=verify.cmd_audit)

    from riskboard.cli import decisions

    decisions.register(sub, target=target, js=js)


# ----------------------------------------------------------------------------- helpers


def dump(obj: BaseModel | Sequence[BaseModel] | dict[str, Any]) -> None:
    """Print a model, a list of models or a record as indented JSON."""
    if isinstance(obj, Sequence):
        data: Any = [o.model_dump(mode="json") for o in obj]
    elif isinstance(obj, dict):
        data = obj
    else:
        data = obj.model_dump(mode="json")
    print(json.dumps(data, indent=2, ensure_ascii=False))


def meeting_id(args: argparse.Namespace, ctx: Context) -> int:
    return board.resolve_meeting(ctx.db, getattr(args, "meeting", None)).id


# ----------------------------------------------------------------------------- meeting


def cmd_tui(args: argparse.Namespace, ctx: Context) -> int:
    from riskboard.cli.tui import launch_meeting

    ctx.db  # noqa: B018 - there must be a database: a mistyped path is said, not created
    ctx.close()  # the app opens its own connections
    return launch_meeting(ctx.config)


def cmd_new(args: argparse.Namespace, ctx: Context) -> int:
    m = board.new_meeting(
        ctx.db,
        meeting_date=args.date or date.today(),
        month=args.month,
        chair=args.chair,
        minute_taker=args.minute_taker,
        config=ctx.config,
        start=not args.draft,
        force_month=args.force_month,
    )
    if args.json:
        dump(m)
    else:
        state = "prepared as a draft" if args.draft else "started"
        print(
            f"Meeting {m.id} {state}: {uk(m.meeting_date.isoformat())},"
            f" {month_name(m.month)} register, chair {m.chair}"
        )
        print(f"  {board.quorum(ctx.db, m.id).describe()}")
    return 0


def cmd_open(args: argparse.Namespace, ctx: Context) -> int:
    m = board.open_meeting(ctx.db, meeting_id(args, ctx), actor=args.actor)
    print(f"Meeting {m.id} in progress ({uk(m.meeting_date.isoformat())})")
    return 0


def cmd_list(args: argparse.Namespace, ctx: Context) -> int:
    meetings = board.list_meetings(ctx.db)
    if args.json:
        dump(meetings)
        return 0
    if not meetings:
        print(
            f"No meetings yet in database {ctx.database}: start one with"
            " `riskboard meeting new --chair NAME`"
        )
    for m in meetings:
        state = "approved" if m.locked else m.status.value.replace("_", " ")
        print(
            f"{m.id:>4}  {uk(m.meeting_date.isoformat())}  {month_short(m.month)} register"
            f"  {state:<11}  chair {m.chair or '-'}"
        )
    return 0


def cmd_attend(args: argparse.Namespace, ctx: Context) -> int:
    mid = meeting_id(args, ctx)
    if args.remove:
        board.remove_attendance(ctx.db, mid, args.name, actor=args.actor)
        print(f"{args.name} removed from meeting {mid}")
    elif args.left:
        e = board.leave(ctx.db, mid, args.name, actor=args.actor)
        if args.json:
            dump(e)
            return 0
        print(f"{e.name} left meeting {mid} at {local_clock(e.left_at)}")
    else:
        e = board.attend(
            ctx.db,
            mid,
            args.name,
            organisation=args.org,
            role=args.role,
            apologies=args.apologies,
            lead_officer=args.lead,
            actor=args.actor,
        )
        if args.json:
            dump(e)
            return 0
        role = f", {e.role}" if e.role else ""
        print(f"{e.name} ({e.organisation}{role}): {e.status.value} at meeting {mid}")
    print(f"  {board.quorum(ctx.db, mid).describe()}")
    return 0


def cmd_people(args: argparse.Namespace, ctx: Context) -> int:
    people = board.list_people(ctx.db, include_inactive=args.all)
    if args.json:
        dump(people)
        return 0
    for p in people:
        flags = ("" if p.lead_officer else " (not lead officer)") + (
            "" if p.active else " (inactive)"
        )
        email = f" <{p.email}>" if p.email else ""
        print(f"{p.name:<30} {p.organisation:<12} {p.role or ''}{flags}{email}")
    if not people:
        print(
            f"The people list in database {ctx.database} is empty:"
            " `riskboard meeting attend NAME --org ...` adds people."
        )
    return 0


def cmd_person(args: argparse.Namespace, ctx: Context) -> int:
    p = board.save_person(
        ctx.db,
        args.name,
        organisation=args.org,
        role=args.role,
        lead_officer=args.lead,
        active=args.active,
        email=args.email,
        meeting_id=args.meeting,
        actor=args.actor,
    )
    if args.json:
        dump(p)
    else:
        standing = "lead officer" if p.lead_officer else "not lead officer"
        inactive = "" if p.active else ", inactive"
        email = f", {p.email}" if p.email else ", no email address"
        print(f"{p.name}: {p.organisation}, {p.role or 'no role'}, {standing}{inactive}{email}")
    return 0


def cmd_declare(args: argparse.Namespace, ctx: Context) -> int:
    m = board.add_declaration(ctx.db, meeting_id(args, ctx), args.text, actor=args.actor)
    print(f"Declaration {len(m.declarations)} recorded at meeting {m.id}")
    return 0


def cmd_aob(args: argparse.Namespace, ctx: Context) -> int:
    m = board.add_aob(ctx.db, meeting_id(args, ctx), args.text, actor=args.actor)
    print(f"AOB item {len(m.aob)} recorded at meeting {m.id}")
    return 0


def cmd_next_date(args: argparse.Namespace, ctx: Context) -> int:
    mid = meeting_id(args, ctx)
    when = args.date or board.suggest_next_meeting_date(board.get_meeting(ctx.db, mid), ctx.config)
    m = board.set_next_meeting_date(ctx.db, mid, when, actor=args.actor)
    print(f"Next meeting: {uk(m.next_meeting_date.isoformat() if m.next_meeting_date else None)}")
    return 0


def cmd_close(args: argparse.Namespace, ctx: Context) -> int:
    mid = meeting_id(args, ctx)
    m = board.close_meeting(
        ctx.db, mid, force_reason=args.force, actor=args.actor, config=ctx.config
    )
    if args.json:
        dump(board.meeting_record(ctx.db, m.id))
        return 0
    s = board.meeting_record(ctx.db, m.id)["summary"]
    if m.close_forced_reason:
        print(f"Meeting {m.id} closed without quorum ({m.close_forced_reason})")
    elif args.force:
        print(f"Meeting {m.id} closed (it was quorate: --force was not needed, no reason recorded)")
    else:
        print(f"Meeting {m.id} closed")
    print(
        f"  {count_of(s['reviews'], 'risk')} reviewed, {count_of(s['decisions'], 'decision')},"
        f" {count_of(s['escalations'], 'escalation')}, {count_of(s['actions_arising'], 'new action')},"
        f" {count_of(s['actions_closed_here'], 'action')} closed"
    )
    if line := ew_close_line(ctx, m):
        print(f"  {line}")
    return 0


def ew_close_line(ctx: Context, m: board.Meeting) -> str | None:
    """The early warnings at the close: decisions, and when the revised register is due."""
    agenda = board.agenda_early_warnings(ctx.db, m.id, ctx.config)
    if agenda.ew_view.ew_month is None and not agenda.decisions:
        return None
    return (
        f"{len(agenda.decisions)} early warning decisions; the revised early warning register"
        f" is due to the contractor by {uk(agenda.due.isoformat())}"
        f" (`riskboard export ew-register --meeting {m.id}`)"
    )


def cmd_approve(args: argparse.Namespace, ctx: Context) -> int:
    approved = board.approve_previous(
        ctx.db,
        meeting_id(args, ctx),
        amendment=args.amendment,
        previous_id=args.previous,
        actor=args.actor,
    )
    if args.json:
        dump(approved)
    else:
        print(
            f"Minutes of meeting {approved.id} ({uk(approved.meeting_date.isoformat())}) approved and locked"
        )
        print(f"  sha256 {approved.content_hash}")
        print("  (printed on the approved minutes: `riskboard meeting verify ID --hash SHA256`")
        print("  checks the database against it)")
    return 0


def cmd_show(args: argparse.Namespace, ctx: Context) -> int:
    if args.id is None:
        current = board.current_meeting(ctx.db)
        meetings = board.list_meetings(ctx.db)
        if current is None and not meetings:
            raise NotFound(
                f"no meetings recorded yet in database {ctx.database}", remedy=Remedy.START_MEETING
            )
        mid = current.id if current else meetings[-1].id
    else:
        mid = args.id
    rec = board.meeting_record(ctx.db, mid)
    if args.json:
        dump(rec)
    else:
        print(record_text(rec, ctx.config.schedule.timezone))
    return 0
