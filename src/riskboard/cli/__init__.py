"""The command line: thin faces over the services.

Each submodule owns a group of commands and exposes ``register(subparsers)``; handlers
take ``(args, ctx)`` and return an exit code. ``RiskboardError`` is printed as one line
(with its remedy worded as flags) without a traceback and exits 1.

At entry, text typed on the command line that is not valid UTF-8 is refused (Python
keeps the bytes as lone surrogates, which would be stored and later break every export).
Everything printed goes through ``safe_text.for_terminal``: a control character from a
spreadsheet or a file name is shown as ``\x1b``, never sent to the terminal raw.
Commands open the database with ``create=False``: a mistyped path is reported as "no
database at PATH", never made into a new empty database (``import``, ``demo`` and the
scheduler create it, in their own processes).

Start-up is kept near Python's own: ``COMMANDS`` names each top-level command, the CLI
module that owns it and its one-line help, so ``riskboard --help`` is built without
importing any command module, and ``riskboard show REF`` imports ``cli.register`` and
what it needs, nothing else (no pydantic, sqlite-utils, openpyxl or textual for
``--help``; ``tests/test_cli_startup.py`` checks both, and that the table matches what
the modules register). The configuration is loaded lazily, after parsing.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import logging
import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from riskboard import __version__
from riskboard.errors import Remedy, RiskboardError
from riskboard.safe_text import OneLineFormatter, for_terminal, has_surrogates, show_bytes

if TYPE_CHECKING:
    import sqlite_utils

    from riskboard.config import Config

Handler = Callable[[argparse.Namespace, "Context"], int]


@dataclass
class Context:
    """What every command handler gets: the loaded config and a lazily opened database."""

    config: Config
    _db: sqlite_utils.Database | None = field(default=None, repr=False)

    @property
    def db(self) -> sqlite_utils.Database:
        """The database, which must exist (NotFound naming the path otherwise)."""
        if self._db is None:
            from riskboard.board import set_origin
            from riskboard.store import open_db

            self._db = open_db(self.config.paths.database, create=False)
            set_origin(self._db, "command line")
        return self._db

    @property
    def database(self) -> Path:
        """Where the database is (for messages that say nothing is there)."""
        return self.config.paths.database

    def close(self) -> None:
        if self._db is not None:
            self._db.conn.close()
            self._db = None


class _Parser(argparse.ArgumentParser):
    """argparse, with what it quotes from the command line shown safely: a byte that
    is not UTF-8 appears as ``\\xa3`` (argparse's repr would show ``\\udca3``), and a
    control character as an escape."""

    def error(self, message: str) -> NoReturn:
        import re

        message = re.sub(r"\\udc([89a-f][0-9a-f])", r"\\x\1", message)
        super().error(for_terminal(message))


# command -> (the cli module that registers it, its one-line help), in --help order.
# A test checks this against what the modules register.
COMMANDS: dict[str, tuple[str, str]] = {
    "import": ("imports", "import IRIS Excel exports into the database"),
    "flags": ("register", "flagged risks of a month (stale actions first)"),
    "risks": ("register", "list the register of a month"),
    "show": ("register", "one risk with its month-by-month history"),
    "demo": ("demo", "write and import a demo workspace of IRIS exports"),
    "meeting": ("meeting", "run the board meeting (no subcommand: the TUI)"),
    "review": ("meeting", "record the review of a risk at the meeting"),
    "escalate": ("meeting", "propose escalating a risk"),
    "deescalate": ("meeting", "propose returning a risk to the contract register"),
    "escalation": ("meeting", "list escalations or record a decision"),
    "action": ("meeting", "actions arising (numbered across all meetings)"),
    "ew": ("early_warnings", "the NEC early warning register beside the risk register"),
    "scheduler": ("scheduler", "nightly import of new exports from the imports folder"),
    "export": ("export", "write minutes, register transfers and the monthly report"),
    "chase": (
        "chase",
        "email each risk owner what to update before the board (drafts or sending)",
    ),
}


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The parser. With ``command`` (a name in ``COMMANDS``) only the module owning it
    is imported and registered in full; every other command is a stand-in carrying its
    help line (enough for ``--help`` and for argparse's choices). Without, every module
    is registered."""
    import importlib

    parser = _Parser(
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
    wanted = (
        {module for module, _help in COMMANDS.values()}
        if command is None
        else {COMMANDS[command][0]}
        if command in COMMANDS
        else set()
    )
    registered: set[str] = set()
    for name, (module, help_text) in COMMANDS.items():
        if module in wanted:
            if module not in registered:
                importlib.import_module(f"riskboard.cli.{module}").register(sub)
                registered.add(module)
        else:
            stand_in = sub.add_parser(name, help=help_text, add_help=False)
            stand_in.add_argument("rest", nargs=argparse.REMAINDER, help=argparse.SUPPRESS)
            stand_in.set_defaults(stand_in=name)
    return parser


def _command_of(raw: Sequence[str]) -> str | None:
    """The command named on the command line (the first word that is one), a guess
    that only decides which module to import: a wrong guess lands on a stand-in, and
    the line is then parsed again with every module."""
    for word in raw:
        if word in COMMANDS:
            return word
    return None


def main(argv: Sequence[str] | None = None) -> int:
    raw = list(sys.argv[1:] if argv is None else argv)
    command = _command_of(raw)
    if command is not None:
        from riskboard.speed import defer_model_builds

        defer_model_builds()
    parser = build_parser(command or "")
    args = parser.parse_args(raw)
    if getattr(args, "stand_in", None) is not None:
        parser = build_parser()
        args = parser.parse_args(raw)
    if command is not None:
        from riskboard.speed import freeze_imported_objects

        freeze_imported_objects()
    handler: Handler | None = getattr(args, "handler", None)
    if handler is None:
        parser.print_help()
        return 2
    restore = _safe_output()
    _console_logging(args.verbose)
    unraisable = sys.unraisablehook
    sys.unraisablehook = _quiet_cleanup
    ctx: Context | None = None
    try:
        check_typed_arguments(args, raw)
        from riskboard.config import load_config

        ctx = Context(config=load_config(args.config))
        return handler(args, ctx)
    except RiskboardError as exc:
        from riskboard.cli.remedies import error_line

        source = ctx.config.source if ctx else None
        print(f"riskboard: error: {error_line(exc, source)}", file=sys.stderr)
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
        gc.collect()  # what a failed writer left half-closed goes now, quietly
        sys.unraisablehook = unraisable
        restore()


def _quiet_cleanup(info: sys.UnraisableHookArgs) -> None:
    """A library's objects abandoned mid-write (openpyxl's generators and zip after a
    full disk) complain when collected; the command has already said what happened in
    one line, so their tracebacks go to the debug log, not the terminal."""
    logging.getLogger("riskboard").debug(
        "ignored while cleaning up: %s: %s", type(info.exc_value).__name__, info.exc_value
    )


# options whose value is a path: a file name need not be UTF-8 (it is shown escaped)
PATH_OPTIONS = frozenset({"config"})


def check_typed_arguments(args: argparse.Namespace, raw: Sequence[str]) -> None:
    """Refuse text given on the command line that is not valid UTF-8 (before anything
    is read or written). Paths are exempt: they name files, whatever their bytes."""
    for dest, value in vars(args).items():
        texts = value if isinstance(value, list) else [value]
        for text in texts:
            if isinstance(text, str) and dest not in PATH_OPTIONS and has_surrogates(text):
                raise RiskboardError(
                    f"{_option_label(dest, text, raw)} is not valid UTF-8 text"
                    f" ({show_bytes(text)[:60]}); nothing was read or recorded",
                    remedy=Remedy.RETYPE_TEXT,
                )


def _option_label(dest: str, value: str, raw: Sequence[str]) -> str:
    for i, arg in enumerate(raw):
        if arg == value and i > 0 and raw[i - 1].startswith("--"):
            return raw[i - 1]
        if arg.startswith("--") and arg.endswith("=" + value):
            return arg.split("=", 1)[0]
    return dest.upper().replace("_", "-")


class _TerminalSafe:
    """A text stream that shows control characters and undecodable bytes as escapes."""

    def __init__(self, stream: object) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        return self._stream.write(for_terminal(text))  # type: ignore[attr-defined, no-any-return]

    def __getattr__(self, name: str) -> object:
        return getattr(self._stream, name)


def _console_logging(verbose: bool) -> None:
    """Warnings (everything with -v) on stderr, one line per record, nothing raw."""
    console = logging.StreamHandler(sys.stderr)
    console.setFormatter(OneLineFormatter("%(levelname)s %(name)s: %(message)s"))
    # a line meant for the scheduler's log file only (the command prints it itself)
    console.addFilter(lambda record: not getattr(record, "riskboard_file_only", False))
    logging.basicConfig(level=logging.DEBUG if verbose else logging.WARNING, handlers=[console])


def _safe_output() -> Callable[[], None]:
    """Route stdout and stderr through ``for_terminal``; returns the undo."""
    saved = sys.stdout, sys.stderr
    for stream in saved:
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            with contextlib.suppress(ValueError, OSError):
                reconfigure(errors="backslashreplace")
    sys.stdout = _TerminalSafe(saved[0])  # type: ignore[assignment]
    sys.stderr = _TerminalSafe(saved[1])  # type: ignore[assignment]

    def restore() -> None:
        sys.stdout, sys.stderr = saved

    return restore


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
