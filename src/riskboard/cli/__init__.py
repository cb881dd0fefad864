"""The command line: thin faces over the services.

Each submodule owns a group of commands and exposes ``register(subparsers)``; handlers
take ``(args, ctx)`` and return an exit code. ``RiskboardError`` is printed without a
traceback and exits 1.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from riskboard import __version__
from riskboard.config import Config, load_config
from riskboard.errors import RiskboardError

if TYPE_CHECKING:
    import sqlite_utils

Handler = Callable[[argparse.Namespace, "Context"], int]


@dataclass
class Context:
    """What every command handler gets: the loaded config and a lazily opened database."""

    config: Config
    _db: sqlite_utils.Database | None = field(default=None, repr=False)

    @property
    def db(self) -> sqlite_utils.Database:
        if self._db is None:
            from riskboard.board import set_origin
            from riskboard.store import open_db

            self._db = open_db(self.config.paths.database)
            set_origin(self._db, "command line")
        return self._db

    def close(self) -> None:
        if self._db is not None:
            self._db.conn.close()
            self._db = None


def build_parser() -> argparse.ArgumentParser:
    from riskboard.cli import demo, export, imports, meeting, register, scheduler

    parser = argparse.ArgumentParser(
        prog="riskboard",
        description="Run a council's monthly contract Risk Management Board.",
    )
    parser.add_argument("--version", action="version", version=f"riskboard {__version__}")
    parser.add_argument(
        "--config",
        metavar="PATH",
        help="config file (default: $RISKBOARD_CONFIG, else ./config.toml, else built-in)",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log more detail")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in (imports, register, demo, meeting, scheduler, export):
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    handler: Handler | None = getattr(args, "handler", None)
    if handler is None:
        parser.print_help()
        return 2
    ctx: Context | None = None
    try:
        ctx = Context(config=load_config(args.config))
        return handler(args, ctx)
    except RiskboardError as exc:
        print(f"riskboard: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("riskboard: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # output piped into `head` or a pager that quit: not an error worth a traceback
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    finally:
        if ctx is not None:
            ctx.close()


def add_month_arg(p: argparse.ArgumentParser, help_text: str = "board month YYYY-MM") -> None:
    p.add_argument("--month", metavar="YYYY-MM", type=parse_month, help=help_text)


def parse_month(text: str) -> str:
    """argparse type for YYYY-MM."""
    import re

    m = re.fullmatch(r"\s*(\d{4})-(\d{1,2})\s*", text)
    if not m or not 1 <= int(m.group(2)) <= 12:
        raise argparse.ArgumentTypeError(f"month must be YYYY-MM, got {text!r}")
    return f"{int(m.group(1)):04d}-{int(m.group(2)):02d}"


def existing_path(text: str) -> Path:
    return Path(text)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
