"""CLI: ``riskboard chase`` - each risk owner asked for their updates before the board.

With no option it shows who would get what; ``--eml DIR`` writes one draft per owner;
``--send`` sends them through ``[chase.smtp]`` (with ``--send`` only: ``--dry-run`` says
what would be sent, ``--again`` sends the month's emails again, already sent or not -
with ``--owner``, only to the owners named). Thin over
``reports.owner_emails``. Every name and text from the register or config is printed
through ``safe_text.one_line``: one line each, control and bidi characters escaped.

Exit 0 when every owner's email was written, or sent (now or before); 3 when some owner
was not emailed by ``--send`` (a failure, no address, a send that never finished) - each
is listed; 1 when nothing could be done: refused before sending (no mail server, no
from, no password, a past board date, another send running), or the mail server could
not be reached, start TLS or take the login, so nothing was sent (each owner is still
listed).
"""

from __future__ import annotations

import argparse
import json
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from riskboard.domain import uk_date
from riskboard.reports.chase_addresses import ADD_ADDRESS
from riskboard.safe_text import one_line, quote_name

if TYPE_CHECKING:
    from riskboard.cli import Context
    from riskboard.reports.chase_plan import ChasePlan
    from riskboard.reports.chase_send import SendReport, Status

NOT_ALL_CHASED = 3
NOTHING_SENT = 1


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add ``chase`` to the top-level parser."""
    from riskboard.cli import add_month_arg

    p = sub.add_parser(
        "chase",
        help="email each risk owner what to update before the board (drafts or sending)",
        description=(
            "Each owner of a flagged risk gets one email: what is missing on each of their"
            " risks and actions (the chase list's sentences), the board date, how to reply,"
            " and their rows as a spreadsheet. With no option: show who would get what."
        ),
    )
    add_month_arg(p, "board month YYYY-MM (default: the latest imported)")
    p.add_argument(
        "--board-date",
        metavar="DATE",
        help="the board the updates are for (default: the meeting recorded for the month,"
        " else the next meeting date set at the last meeting)",
    )
    p.add_argument(
        "--owner",
        action="append",
        default=[],
        metavar="NAME",
        help="only this owner, as the register writes the name (repeatable)",
    )
    how = p.add_mutually_exclusive_group()
    how.add_argument(
        "--eml", metavar="DIR", type=Path, help="write one .eml draft per owner into DIR"
    )
    how.add_argument("--send", action="store_true", help="send them through [chase.smtp]")
    p.add_argument(
        "--dry-run",
        action="store_true",
        help="with --send only: say who would get what (and what was sent before), send nothing",
    )
    p.add_argument(
        "--again",
        action="store_true",
        help="with --send only: send this month's emails again, also those already sent"
        " (with --owner, only to the owners named)",
    )
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(handler=cmd_chase)


def local_today(timezone: str) -> date:
    """Today where the board sits (a board date before it is in the past)."""
    return datetime.now(ZoneInfo(timezone)).date()


def cmd_chase(args: argparse.Namespace, ctx: Context) -> int:
    from riskboard.errors import RiskboardError
    from riskboard.reports import owner_emails

    if (args.dry_run or args.again) and not args.send:
        used = " and ".join(
            f for f, on in (("--dry-run", args.dry_run), ("--again", args.again)) if on
        )
        raise RiskboardError(
            f"{used} {'go' if args.dry_run and args.again else 'goes'} with --send only:"
            " `riskboard chase --send --dry-run` says what would be sent, `riskboard chase`"
            " alone shows who would get what, --eml DIR writes drafts"
        )
    today = local_today(ctx.config.schedule.timezone)
    common = {
        "month": args.month,
        "board_date": args.board_date,
        "owners": args.owner,
        "today": today,
    }
    if args.send:
        plan, report = owner_emails.send_owner_emails(
            ctx.db, ctx.config, again=args.again, dry_run=args.dry_run, **common
        )
        if args.json:
            print(json.dumps(report.model_dump(mode="json"), indent=2, ensure_ascii=False))
        else:
            _print_report(plan, report)
        if args.dry_run:
            return 0
        if report.nothing_sent:
            return NOTHING_SENT
        return NOT_ALL_CHASED if report.problems else 0
    if args.eml is not None:
        plan, written = owner_emails.draft_owner_emails(ctx.db, ctx.config, args.eml, **common)
        if args.json:
            print(
                json.dumps(
                    {
                        "plan": _plan_json(plan),
                        "files": [str(f) for f in written.files],
                        "removed": [str(f) for f in written.removed],
                    },
                    indent=2,
                    ensure_ascii=False,
                )
            )
            return 0
        print(
            f"Wrote {len(written.files)} draft{'' if len(written.files) == 1 else 's'} to"
            f" {quote_name(str(written.folder))} - open each in Outlook or Thunderbird, check"
            " it and send it."
        )
        _print_plan(
            plan, files={m.owner: f.name for m, f in zip(plan.mails, written.files, strict=True)}
        )
        for old in written.removed:
            print(
                f"Removed {quote_name(old.name)}: a draft riskboard wrote earlier, for an owner"
                " with nothing flagged now"
            )
        for old in written.kept:
            print(
                f"Kept {quote_name(old.name)}: riskboard wrote it for an owner with nothing"
                " flagged now, but it was edited since - delete it yourself if it is not needed"
            )
        return 0
    plan = owner_emails.preview_owner_emails(ctx.db, ctx.config, **common)
    if args.json:
        print(json.dumps(_plan_json(plan), indent=2, ensure_ascii=False))
        return 0
    _print_plan(plan)
    print("Nothing written or sent: --eml DIR writes drafts, --send sends them.")
    return 0


def _plan_json(plan: ChasePlan) -> dict[str, object]:
    return {
        "month": plan.month,
        "board_date": plan.board.when.isoformat(),
        "board_date_source": plan.board.source,
        "owners": [
            {
                "owner": m.owner,
                "address": m.address.address,
                "address_source": m.address.source,
                "problem": m.address.problem,
                "subject": m.subject,
                "actions": m.action_count,
                "risks": m.risk_count,
                "to_discuss": m.discuss_count,
                "refs": [e.item.ref for e in m.entries],
            }
            for m in plan.mails
        ],
        "no_owner": [i.ref for i in plan.no_owner],
        "warnings": plan.warnings,
    }


def _board_line(plan: ChasePlan) -> str:
    from riskboard.reports.chase import month_name

    return (
        f"Owner emails for the {month_name(plan.month)} register, for the board on"
        f" {uk_date(plan.board.when)} ({one_line(plan.board.source)}):"
    )


def _print_plan(plan: ChasePlan, files: dict[str, str] | None = None) -> None:
    print(_board_line(plan))
    if not plan.mails:
        print("  No flagged risk has an owner: there is no one to email.")
    for mail in plan.mails:
        to = f"<{mail.address.address}>" if mail.address.address else "NO ADDRESS"
        where = f" -> {quote_name(files[mail.owner])}" if files else ""
        print(f"  {one_line(mail.owner)} {to}: {one_line(mail.subject)}{where}")
    _print_gaps(plan)


def _print_gaps(plan: ChasePlan) -> None:
    missing = plan.without_address
    if missing:
        print(f"{len(missing)} owner{'' if len(missing) == 1 else 's'} without an email address:")
        by_problem: dict[str, list[str]] = {}
        for mail in missing:
            by_problem.setdefault(mail.address.problem or "", []).append(mail.owner)
        for problem, owners in by_problem.items():
            print(f"  {', '.join(one_line(o) for o in owners)}: {one_line(problem)}")
        print(f"  To fix: {ADD_ADDRESS}.")
    if plan.no_owner:
        refs = ", ".join(one_line(i.ref) for i in plan.no_owner)
        print(f"Flagged risks with no owner in the register, in no email: {refs}")
    for warning in plan.warnings:
        print(f"warning: {one_line(warning)}")


LABELS = {
    "sent": "sent",
    "failed": "FAILED",
    "no_address": "NOT SENT",
    "already_sent": "skipped",
    "unanswered": "NOT SENT",
    "not_sent": "NOT SENT",
    "would_send": "would send",
}


COUNT_WORDS: tuple[tuple[Status, str], ...] = (
    ("would_send", "would be sent"),
    ("sent", "sent"),
    ("already_sent", "already sent before"),
    ("failed", "failed"),
    ("not_sent", "not sent (the mail server could not be used)"),
    ("no_address", "without an address"),
    ("unanswered", "unfinished earlier"),
)


def _print_report(plan: ChasePlan, report: SendReport) -> None:
    print(_board_line(plan))
    for r in report.results:
        to = f" <{r.address}>" if r.address else ""
        print(
            f"  {LABELS[r.status]:<10} {one_line(r.owner)}{to}: {one_line(r.subject)}"
            f" - {one_line(r.message)}"
        )
    if report.count("no_address"):
        print(f"To email the owners without an address: {ADD_ADDRESS}.")
    if report.no_owner:
        refs = ", ".join(one_line(r) for r in report.no_owner)
        print(f"Flagged risks with no owner in the register, in no email: {refs}")
    for warning in plan.warnings:
        print(f"warning: {one_line(warning)}")
    counts = [f"{report.count(s)} {word}" for s, word in COUNT_WORDS if report.count(s)]
    prefix = "Dry run, nothing sent: " if report.dry_run else ""
    print(prefix + (", ".join(counts) or "no owner to email") + ".")
    if report.nothing_sent:
        print(f"Nothing was sent: {one_line(report.stopped or '')}")
