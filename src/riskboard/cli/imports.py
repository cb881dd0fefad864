"""CLI: ``riskboard import FILE... [--month YYYY-MM] [--dry-run]``.

Each file is imported on its own, in its own child process (``isolated_import``) and
one transaction: a refused file - even one that crashes the reader - does not stop the
others, and the exit code is 1 if any file was refused.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from riskboard.domain import count_of, uk_date
from riskboard.errors import RiskboardError
from riskboard.ingest.reader import WORKBOOK_SUFFIXES
from riskboard.safe_text import quote_name

if TYPE_CHECKING:
    from riskboard.cli import Context
    from riskboard.importer import ImportResult


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add this group's commands to the top-level parser."""
    from riskboard.cli import add_month_arg

    p = sub.add_parser(
        "import",
        help="import IRIS Excel exports into the database",
        description=(
            "Import monthly IRIS risk-register exports (.xlsx/.xls/.ods). Each file is one"
            " transaction; a file already imported is skipped. A folder imports every"
            " workbook in it."
        ),
    )
    p.add_argument("files", nargs="+", metavar="FILE", type=Path, help="export workbook(s)")
    add_month_arg(
        p, "board month YYYY-MM (default: the title block's report date, else the file name)"
    )
    p.add_argument(
        "--dry-run",
        action="store_true",
        help="show the header mapping, month, counts and warnings; write nothing",
    )
    p.set_defaults(handler=cmd_import)


def expand(paths: Iterable[Path]) -> list[Path]:
    """Files as given; a folder stands for the workbooks directly inside it (anything
    with a workbook's name that is not a folder: a FIFO or a link to a device is then
    refused by name rather than skipped in silence)."""
    out: list[Path] = []
    for path in paths:
        if path.is_dir():
            out.extend(
                sorted(
                    p
                    for p in path.iterdir()
                    if p.suffix.lower() in WORKBOOK_SUFFIXES
                    and not p.name.startswith(("~$", "."))
                    and not p.is_dir()
                )
            )
        else:
            out.append(path)
    return out


def cmd_import(args: argparse.Namespace, ctx: Context) -> int:
    from riskboard.isolated_import import import_isolated

    files = expand(args.files)
    if not files:
        raise RiskboardError(
            "no workbooks to import in " + ", ".join(quote_name(str(f)) for f in args.files)
        )
    refused = 0
    for path in files:
        try:
            result = import_isolated(path, ctx.config, month=args.month, dry_run=args.dry_run)
        except RiskboardError as exc:
            from riskboard.cli.remedies import error_line

            refused += 1
            line = error_line(exc, ctx.config.source)
            where = line if exc.file else f"{quote_name(path.name)}: {line}"
            print(f"refused {where}", file=sys.stderr)
            continue
        if result.status == "dry_run":
            print_dry_run(result)
        elif result.status == "already_imported":
            print(
                f"already imported {quote_name(result.file)} (import #{result.import_id},"
                f" {result.month}): nothing changed"
            )
        else:
            print_imported(result)
    if len(files) > 1:
        print(f"{len(files) - refused} of {count_of(len(files), 'file')} read, {refused} refused")
    return 1 if refused else 0


def _counts(result: ImportResult) -> str:
    sheets = ", ".join(repr(s) for s in result.sheets)
    parts = []
    if result.risk_count or not result.ew_count:
        parts.append(
            f"{count_of(result.risk_count, 'risk')}, {count_of(result.action_count, 'action')}"
        )
    if result.ew_count:
        parts.append(
            f"{count_of(result.ew_count, 'early warning')}"
            f" ({count_of(result.ew_action_count, 'action')})"
        )
    return f"{', '.join(parts)} from sheet{'s' if len(result.sheets) != 1 else ''} {sheets}"


def _print_warnings(result: ImportResult, *, brief: bool = False) -> None:
    """The warnings; ``brief``: rows skipped capped per sheet (the import record and
    ``--dry-run`` name every one)."""
    shown = result.brief_warnings if brief and result.brief_warnings else result.warnings
    if shown:
        n = len(result.warnings)
        print(f"  {n} warning{'s' if n != 1 else ''}:")
        for w in shown:
            print(f"    - {w}")


def unreadable_line(count: int) -> str | None:
    """ "3 values could not be read - see riskboard flags" (None when every cell was read)."""
    if not count:
        return None
    noun = "value" if count == 1 else "values"
    return f"{count} {noun} could not be read - see riskboard flags"


def print_imported(result: ImportResult) -> None:
    print(
        f"imported {quote_name(result.file)} for {result.month} (import #{result.import_id}):"
        f" {_counts(result)}"
    )
    _print_warnings(result, brief=True)
    if line := unreadable_line(result.unreadable_count):
        print(line)


def print_dry_run(result: ImportResult) -> None:
    print(f"dry run {quote_name(result.file)}: nothing written")
    print(f"  month: {result.month} (from {result.month_source})")
    for evidence in result.month_evidence:
        print(f"    seen: {evidence}")
    if result.report_date:
        print(f"  report date: {uk_date(result.report_date)}")
    print(f"  would import: {_counts(result)}")
    for sheet, mapping in result.mapping.items():
        where = f"header on row {result.header_rows[sheet]}" if sheet in result.header_rows else ""
        role = result.roles.get(sheet, "risks")
        print(f"  sheet {sheet!r} ({where}, read as {role}):")
        width = max((len(h) for h in mapping), default=0)
        for header, fld in mapping.items():
            if fld:
                print(f"    {header:<{width}} -> {fld}")
        unmapped = [h for h, f in mapping.items() if f is None]
        if unmapped:
            print("    not used: " + ", ".join(repr(h) for h in unmapped))
    _print_warnings(result)
    if result.unreadable_count:
        n = result.unreadable_count
        print(
            f"{n} {'value' if n == 1 else 'values'} could not be read"
            " (each would be an unreadable_value flag)"
        )
