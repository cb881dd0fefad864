"""CLI: ``riskboard demo [DIR]`` - a demo workspace with six months of IRIS exports.

Writes ``DIR/config.toml`` (kept if already there), the exports into its imports
folder, imports them in month order into ``DIR``'s database and seeds the board's
people list. Running it again is safe: the exports come out byte-identical and are
reported as already imported.
"""

from __future__ import annotations

import argparse
import shlex
from pathlib import Path
from typing import TYPE_CHECKING

from riskboard.domain import FLAG_LABELS, FlagCode

if TYPE_CHECKING:
    from riskboard.cli import Context
    from riskboard.importer import ImportResult

STATUS_WORDS = {"imported": "imported", "already_imported": "already imported"}


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add this group's commands to the top-level parser."""
    p = sub.add_parser(
        "demo",
        help="write and import a demo workspace of IRIS exports",
        description=(
            "Write a demo workspace in DIR: config.toml, six months of IRIS-style Excel"
            " exports (2022-03 to 2022-08) in every shape across the service annexes, with"
            " every flag case in the latest month; import them and add the board's people."
            " Safe to run again."
        ),
    )
    p.add_argument(
        "dir", nargs="?", default="demo", metavar="DIR", help="workspace folder (default: demo)"
    )
    p.add_argument(
        "--no-meeting",
        action="store_true",
        help="do not start the demo meeting (by default one is started, quorate, so"
        " `riskboard meeting` opens on its agenda)",
    )
    p.set_defaults(handler=cmd_demo)


def cmd_demo(args: argparse.Namespace, ctx: Context) -> int:
    from riskboard.sample.demo import install_demo

    folder = Path(args.dir)
    print(f"Demo workspace: {folder.resolve()}")
    kept = (folder / "config.toml").is_file()
    print(f"  config.toml {'kept (already there)' if kept else 'written'}")
    report = install_demo(folder, progress=_print_import, start_meeting=not args.no_meeting)
    imported = sum(r.status == "imported" for r in report.imports)
    print(
        f"Files: {len(report.imports)} ({imported} imported,"
        f" {len(report.imports) - imported} already imported)"
    )
    if report.months:
        print(
            f"Months imported: {', '.join(report.months)}"
            f" ({len(report.months)} month{'s' if len(report.months) != 1 else ''})"
        )
    if report.latest_month and report.latest_counts:
        counts = report.latest_counts
        print(f"Latest month {report.latest_month}: {counts.export_text()};")
        print(f"  {counts.flagged_text()}, for these reasons (a risk can have several):")
        width = max(len(f"{FLAG_LABELS[FlagCode(c)]} ({c})") for c in report.flag_counts)
        for code, count in report.flag_counts.items():
            label = f"{FLAG_LABELS[FlagCode(code)]} ({code})"
            print(f"  {label:<{width}}  {count:>3}")
    if report.early_warnings:
        flagged = report.ew_flag_counts
        print(f"Early warning register: {report.early_warnings} early warnings")
        width = max(len(f"{FLAG_LABELS[FlagCode(c)]} ({c})") for c in flagged)
        for code, count in flagged.items():
            label = f"{FLAG_LABELS[FlagCode(code)]} ({code})"
            print(f"  {label:<{width}}  {count:>3}")
    print(f"People list: {report.people} board members and officers")
    if report.meeting is not None:
        m = report.meeting
        print(
            f"Demo meeting: {m.label}, chair {m.chair}, minute-taker {m.minute_taker}"
            " - attendance taken"
        )
    print(f"Next: cd {shlex.quote(str(args.dir))} && {_riskboard_command()} meeting")
    return 0


def _riskboard_command() -> str:
    """How to run riskboard again from any folder: ``riskboard`` when it is on PATH,
    else this program's absolute path (e.g. ``/abs/.venv/bin/riskboard`` after make)."""
    import shutil
    import sys

    script = Path(sys.argv[0]).resolve() if sys.argv and sys.argv[0] else None
    on_path = shutil.which("riskboard")
    if on_path and (script is None or Path(on_path).resolve() == script):
        return "riskboard"
    if script is not None and script.name == "riskboard" and script.is_file():
        return shlex.quote(str(script))
    return f"{shlex.quote(sys.executable)} -m riskboard"


def _print_import(result: ImportResult) -> None:
    status = STATUS_WORDS.get(result.status, result.status)
    if result.ew_count and not result.risk_count:
        counts = f"{result.ew_count:>3} early warnings"
    else:
        counts = f"{result.risk_count:>3} risks {result.action_count:>4} actions"
        if result.ew_count:
            counts += f" + {result.ew_count} early warnings"
    print(f"  {result.month}  {result.file:<42} {status:<17} {counts}")
