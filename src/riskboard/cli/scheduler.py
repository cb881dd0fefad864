"""CLI: ``riskboard scheduler`` (run, ``--once``, ``--print-systemd``) and ``scheduler status``."""

from __future__ import annotations

import argparse
import json
import logging
import re
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from riskboard.config import Config
from riskboard.safe_text import quote_name

if TYPE_CHECKING:
    from riskboard.cli import Context
    from riskboard.schedule.job import RunSummary

EXIT_OK = 0
EXIT_ERROR = 1  # could not run (another scheduler holds the database, bad config) or the run failed
EXIT_REFUSED = 3  # the run went through, but some file was refused or left with a problem
EXIT_INTERRUPTED = 130

EPILOG = """\
exit status of --once: 0 every waiting file was imported or archived as a duplicate (or
there was nothing to do); 3 at least one file was refused (see imports/failed/ and its
.error.txt) or could not be moved or read this time; 1 the run could not start (another
scheduler holds this database) or failed; 130 stopped by Ctrl-C/SIGTERM between files.
Files still being written are looked at again after schedule.settle_seconds unless
--no-wait is given; what is still unsettled then waits for the next run.
"""


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add this group's commands to the top-level parser."""
    p = sub.add_parser(
        "scheduler",
        help="nightly import of new exports from the imports folder",
        description="Run the nightly import in the foreground (its own process): new"
        " workbooks in the imports folder are imported, archived or refused with a reason,"
        " and the chase list is written to the exports folder. Stop with Ctrl-C or"
        " SIGTERM; it finishes the current file first.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    mode = p.add_mutually_exclusive_group()
    mode.add_argument("--once", action="store_true", help="run the job now and exit")
    mode.add_argument(
        "--print-systemd",
        action="store_true",
        help="print a systemd unit that runs this scheduler with this python and config",
    )
    p.add_argument(
        "--no-wait",
        action="store_true",
        help="with --once: do not wait settle_seconds to look again at files still being written",
    )
    p.set_defaults(handler=cmd_scheduler)
    inner = p.add_subparsers(dest="scheduler_command", metavar="[status]")
    s = inner.add_parser("status", help="next run, files waiting and the last runs")
    s.add_argument("--json", action="store_true", help="machine-readable status")
    s.add_argument("--runs", type=int, default=5, metavar="N", help="runs to list (default 5)")
    s.set_defaults(handler=cmd_status)


def cmd_scheduler(args: argparse.Namespace, ctx: Context) -> int:
    if args.print_systemd:
        print(systemd_unit(ctx.config), end="")
        return EXIT_OK
    from riskboard.schedule.runner import run_once, run_scheduler

    ctx.close()  # the scheduler opens its own connections (one per thread)
    tz = ctx.config.schedule.timezone

    def show(summary: RunSummary) -> None:
        for line in format_run(summary.model_dump(), tz, details=True):
            print(line, flush=True)

    restore = _quiet_console(args.verbose)  # the log file has everything
    try:
        if not args.once:
            code = run_scheduler(
                ctx.config, on_ready=lambda msg: print(msg, flush=True), on_run=show
            )
            print("riskboard scheduler stopped", flush=True)
            return code
        results = run_once(ctx.config, wait_for_unsettled=not args.no_wait)
    finally:
        restore()
    for summary in results:
        show(summary)
    return once_exit_code(results)


def once_exit_code(results: list[RunSummary]) -> int:
    outcomes = {r.outcome for r in results}
    if "failed" in outcomes:
        return EXIT_ERROR
    if "interrupted" in outcomes:
        return EXIT_INTERRUPTED
    if any(r.refused or r.errors for r in results):
        return EXIT_REFUSED
    return EXIT_OK


def _quiet_console(verbose: bool) -> Any:
    """The scheduler prints a summary of each run: keep INFO/WARNING log lines off the
    console (they all go to the log file) unless -v."""
    if verbose:
        return lambda: None
    handlers = [h for h in logging.getLogger().handlers if h.level < logging.ERROR]
    levels = [h.level for h in handlers]
    for h in handlers:
        h.setLevel(logging.ERROR)

    def restore() -> None:
        for h, level in zip(handlers, levels, strict=True):
            h.setLevel(level)

    return restore


# -------------------------------------------------------------------------- status


def cmd_status(args: argparse.Namespace, ctx: Context) -> int:
    from riskboard.schedule.status import scheduler_status

    ctx.close()
    status = scheduler_status(ctx.config, limit=max(1, args.runs))
    if args.json:
        print(json.dumps(status, indent=2, default=str))
        return EXIT_OK
    tz = ctx.config.schedule.timezone
    holder = status["holder"]
    print(f"Scheduler for {status['database']}")
    if holder is None:
        print("  Running:    no - start it with 'riskboard scheduler' (or run '--once')")
    else:
        since = local_time(holder["started_at"], tz) if holder.get("started_at") else "?"
        what = "yes (a --once run)" if holder.get("purpose") == "once" else "yes"
        print(
            f"  Running:    {what}, pid {holder.get('pid')} on {holder.get('host')} since {since}"
        )
    print(f"  Schedule:   {describe_schedule(status['schedule'])} ({tz})")
    nxt = local_time(status["next_run"], tz) if status["next_run"] else "never"
    print(f"  Next run:   {nxt}" + ("" if holder else " (once the scheduler is running)"))
    last = local_time(status["last_success"], tz) if status["last_success"] else "never"
    due = "; a catch-up run is due and happens when the scheduler starts"
    print(f"  Last good:  {last}" + (due if status["catch_up_due"] else ""))
    waiting = status["waiting"]
    print(
        f"  Waiting:    {len(waiting)} file(s) in {status['imports']}"
        + (": " + ", ".join(quote_name(w) for w in waiting) if waiting else "")
    )
    print(f"  Log:        {status['log_file']}")
    if not status["runs"]:
        print(f"\nNo runs yet recorded in database {status['database']}.")
        return EXIT_OK
    print("\nLast runs (newest first; files listed for runs that moved any):")
    for i, run in enumerate(status["runs"]):
        busy = any(run[k] for k in ("imported", "refused", "duplicates"))
        for line in format_run(run, tz, details=i == 0 or busy):
            print("  " + line)
    return EXIT_OK


RESULT_WORDS = {
    "imported": "imported",
    "duplicate": "duplicate",
    "refused": "REFUSED",
    "unsettled": "not yet",
    "error": "PROBLEM",
    "chase_list": "chase list",
    "owner_emails": "emails",
    "skipped": "skipped",
}


def format_run(run: dict[str, Any], tz: str, details: bool) -> list[str]:
    """A run as text: one summary line, then (with ``details``) one line per file."""
    started = local_time(run["started_at"], tz)
    counts = (
        f"seen {run['files_seen']}, imported {run['imported']}, refused {run['refused']},"
        f" duplicates {run['duplicates']}, not yet settled {run['unsettled']}"
    )
    lines = [f"#{run['run_id' if 'run_id' in run else 'id']} {started} {run['trigger']}:"
             f" {run['outcome']} - {counts}"]  # fmt: skip
    if run.get("error"):
        lines.append(f"    {run['error']}")
    if details:
        for d in run.get("details") or []:
            word = RESULT_WORDS.get(d.get("result", ""), d.get("result", ""))
            where = f" -> {quote_name(d['moved_to'])}" if d.get("moved_to") else ""
            message = str(d["message"]).replace("\n", " ")
            lines.append(f"    {word:<10} {quote_name(d['file'])}{where}: {message}")
    return lines


def local_time(iso_text: str, tz: str) -> str:
    try:
        dt = datetime.fromisoformat(iso_text)
    except (TypeError, ValueError):
        return str(iso_text)
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt.astimezone(ZoneInfo(tz)).strftime("%a %d %b %Y %H:%M %Z")


def describe_schedule(expr: str) -> str:
    m = re.fullmatch(r"\s*(\d{1,2}):(\d{2})\s*", expr)
    return f"every day at {int(m.group(1)):02d}:{m.group(2)}" if m else f"cron '{expr}'"


# ------------------------------------------------------------------------- systemd


def _systemd_quote(arg: str) -> str:
    """One ExecStart word: % and $ escaped, quoted if it has spaces or quotes."""
    arg = arg.replace("%", "%%").replace("$", "$$")
    if re.search(r'[\s"\'\\;]', arg):
        return '"' + arg.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return arg


def _password_line(config: Config) -> str:
    """For [chase.smtp] with a login: where the unit gets the mail password from."""
    smtp = config.chase.smtp
    if smtp is None or not smtp.password_env:
        return ""
    return (
        f"# the owner emails' mail password: a file (chmod 600) holding the line\n"
        f"# {smtp.password_env}=... - uncomment:\n"
        f"# EnvironmentFile=%h/.config/riskboard/smtp.env\n"
    )


def systemd_unit(config: Config, *, python: str | None = None, cwd: Path | None = None) -> str:
    """A systemd service running ``riskboard scheduler`` with this python (venv) and config."""
    python = python or sys.executable
    cfg = config.source
    workdir = cfg.parent if cfg else (cwd or Path.cwd())
    words = [python, "-m", "riskboard"]
    if cfg:
        words += ["--config", str(cfg)]
    words.append("scheduler")
    exec_start = " ".join(_systemd_quote(w) for w in words)
    db = str(config.paths.database).replace("%", "%%")
    cfg_note = f"--config {cfg} " if cfg else ""
    return f"""\
# riskboard scheduler: imports new exports from {config.paths.imports} every night
# ({config.schedule.nightly}, {config.schedule.timezone}) and writes the chase list.
# Install as the user who owns the database:
#   riskboard {cfg_note}scheduler --print-systemd > ~/.config/systemd/user/riskboard-scheduler.service
#   systemctl --user daemon-reload
#   systemctl --user enable --now riskboard-scheduler.service
#   loginctl enable-linger    # keep it running while nobody is logged in
# Check it with 'riskboard {cfg_note}scheduler status'; log: {config.paths.logs}/scheduler.log
[Unit]
Description=riskboard nightly import scheduler for {db}
After=network-online.target remote-fs.target
Wants=network-online.target

[Service]
Type=simple
WorkingDirectory={str(workdir).replace("%", "%%")}
ExecStart={exec_start}
Environment=PYTHONUNBUFFERED=1
{_password_line(config)}# SIGTERM stops it between files; give a large import time to finish its transaction
KillSignal=SIGTERM
TimeoutStopSec=300
Restart=on-failure
RestartSec=60

[Install]
WantedBy=default.target
"""
