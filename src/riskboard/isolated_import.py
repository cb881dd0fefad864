"""Each import in a child process: no workbook can take the caller down with it.

The checks before reading (``ingest.reader``) refuse every hostile workbook we know of.
This is the net under them: the reader is a Rust library, and a file it cannot cope
with may abort the process ("memory allocation of 549755813888 bytes failed"), raise
MemoryError or crash outright. ``import_isolated`` runs ``importer.import_file`` in a
child process with its address space limited to ``import.max_memory_mb``; whatever
happens there, the caller gets the ImportResult or one typed error:

- RefusedWorkbook - the file was refused, or the reader crashed or ran out of memory
  on it (the nightly job moves it to ``failed/`` and goes on with the next file);
- StoreUnavailable / NotFound / other RiskboardError - as ``import_file`` raised them;
- KeyboardInterrupt - Ctrl-C (the child stopped too; its transaction rolled back).

The child opens its own database connection, and imports in one transaction as
always: a crash or a kill rolls it back. It stops if the caller dies (a lifeline pipe
closes), so a killed scheduler never leaves an import running behind its back.

How the child starts (``_context``): on Linux, a process with one thread (the
command line's ``riskboard import``) forks it directly - nothing to start first, and
the child is its own (measured, 5,000 rows: the forkserver's start cost ~0.6 s of a
~1.2 s first import, the fork a few ms). A process with threads (the scheduler: its
jobs run in a pool) must not fork, so it uses a forkserver (POSIX) that has
riskboard's import modules loaded, each child then costing a few milliseconds;
spawn elsewhere (Windows). Either way the child is a separate process with its own
memory limit and lifeline, and a forked child first closes the parent's ends of the
pipes it inherited (else the lifeline would never close).
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import sys
import tempfile
import threading
from multiprocessing.connection import Connection
from pathlib import Path
from typing import TYPE_CHECKING, Any

from riskboard.config import Config
from riskboard.errors import NotFound, RefusedWorkbook, Remedy, RiskboardError, StoreUnavailable

if TYPE_CHECKING:
    from riskboard.importer import ImportResult

PRELOAD = ["riskboard.isolated_import", "riskboard.importer", "riskboard.register"]
_CRASH_SIGNALS = {"SIGABRT", "SIGSEGV", "SIGBUS", "SIGILL", "SIGFPE", "SIGSYS", "SIGXCPU"}


def _context() -> Any:
    """fork (Linux, single-threaded caller), else forkserver (POSIX), else spawn."""
    methods = multiprocessing.get_all_start_methods()
    if sys.platform.startswith("linux") and "fork" in methods and threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    if "forkserver" in methods:
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(PRELOAD)
        return ctx
    return multiprocessing.get_context("spawn")


def import_isolated(
    path: Path,
    config: Config,
    *,
    month: str | None = None,
    dry_run: bool = False,
    source: str = "cli",
    finish_on_signal: bool = False,
) -> ImportResult:
    """``importer.import_file`` of ``path`` in a child process (see the module doc).

    ``finish_on_signal``: the child ignores SIGINT/SIGTERM and finishes its file (the
    scheduler stops between files); otherwise Ctrl-C stops the import at once."""
    from riskboard.ingest.regular import check_regular

    check_regular(Path(path))  # a missing or special file is refused here, by the name given
    path = Path(path).absolute()  # the child does not share our working directory
    ctx = _context()
    receive, send = ctx.Pipe(duplex=False)
    lifeline_r, lifeline_w = ctx.Pipe(duplex=False)
    # what the child's reader writes to stderr when it dies ("memory allocation of ...
    # bytes failed") goes into the refusal, not onto the terminal
    with tempfile.NamedTemporaryFile(prefix="riskboard-import-", suffix=".txt", delete=False) as f:
        stderr_path = f.name
    # a forked child inherits every descriptor: it closes the parent's ends at once
    inherited = (receive.fileno(), lifeline_w.fileno()) if ctx.get_start_method() == "fork" else ()
    try:
        child = ctx.Process(
            target=_child,
            args=(send, lifeline_r, str(path), config, month, dry_run, source,
                  finish_on_signal, stderr_path, inherited),
            name="riskboard-import",
        )  # fmt: skip
        try:
            child.start()
        except (OSError, RuntimeError) as exc:
            raise RiskboardError(
                f"could not start the import process ({exc}); nothing was imported", file=path.name
            ) from None
        send.close()
        lifeline_r.close()
        try:
            try:
                reply = receive.recv()
            except EOFError:  # it died without a word
                reply = None
            child.join()
        except BaseException:  # Ctrl-C here: the child was interrupted too, or is told now
            _stop(child)
            raise
        finally:
            receive.close()
            lifeline_w.close()
        return _outcome(reply, child.exitcode, path, config, _last_words(stderr_path))
    finally:
        with contextlib.suppress(OSError):
            os.unlink(stderr_path)


def _last_words(stderr_path: str) -> str:
    """The first line the child wrote to stderr (a Rust abort says why), if any."""
    try:
        with open(stderr_path, encoding="utf-8", errors="replace") as fh:
            text = fh.read(4096)
    except OSError:
        return ""
    return next((line.strip() for line in text.splitlines() if line.strip()), "")[:200]


def _stop(child: Any) -> None:
    child.join(5)
    if child.is_alive():
        child.terminate()  # its transaction rolls back
        child.join(5)


def _outcome(
    reply: Any, exitcode: int | None, path: Path, config: Config, last_words: str = ""
) -> ImportResult:
    if reply is not None:
        kind, value = reply
        if kind == "ok":
            result: ImportResult = value
            return result
        if kind == "error":
            raise value
        if kind == "interrupted":
            raise KeyboardInterrupt
        raise RefusedWorkbook(
            f"riskboard failed while reading it ({value}); nothing was imported",
            file=path.name,
            remedy=Remedy.REPORT_FAULT,
        )
    name = _signal_name(exitcode)
    said = f": {last_words}" if last_words else ""
    if name in _CRASH_SIGNALS:
        raise _crashed(path, config, f"the workbook reader crashed while reading it ({name}{said})")
    if name is None:  # it ended without answering: the import machinery, not the file
        raise RiskboardError(
            f"the import process ended without an answer (exit status {exitcode}{said});"
            " nothing was imported",
            file=path.name,
            remedy=Remedy.REPORT_FAULT,
        )
    raise StoreUnavailable(
        f"the import was stopped ({name}: killed by another program, or the system ran"
        " out of memory); nothing was imported - try again",
        file=path.name,
        remedy=Remedy.RETRY_LATER,
    )


def _signal_name(exitcode: int | None) -> str | None:
    if exitcode is None or exitcode >= 0:
        return None
    try:
        return signal.Signals(-exitcode).name
    except ValueError:
        return f"signal {-exitcode}"


# ----------------------------------------------------------------------- the child


def _child(
    send: Connection,
    lifeline: Connection,
    path: str,
    config: Config,
    month: str | None,
    dry_run: bool,
    source: str,
    finish_on_signal: bool,
    stderr_path: str | None = None,
    inherited: tuple[int, ...] = (),
) -> None:
    for fd in inherited:  # the parent's ends of the pipes (a forked child only)
        with contextlib.suppress(OSError):
            os.close(fd)
    if inherited:  # as in a forkserver's child: a crash says its one line, no dump
        import faulthandler

        faulthandler.disable()
    if stderr_path:
        with contextlib.suppress(OSError):
            fd = os.open(stderr_path, os.O_WRONLY | os.O_APPEND)
            os.dup2(fd, 2)
            os.close(fd)
    os.environ["RUST_BACKTRACE"] = "0"  # one line from a Rust abort, not a stack
    if finish_on_signal:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
    else:
        signal.signal(signal.SIGINT, signal.default_int_handler)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
    threading.Thread(target=_watch, args=(lifeline,), name="lifeline", daemon=True).start()
    limit_memory(config.import_.max_memory_mb)
    reply: tuple[str, Any]
    try:
        reply = ("ok", _import(Path(path), config, month, dry_run, source))
    except RiskboardError as exc:
        reply = ("error", exc)
    except MemoryError:
        reply = ("error", _out_of_memory(Path(path), config))
    except KeyboardInterrupt:
        reply = ("interrupted", None)
    except BaseException as exc:  # a fault in riskboard: say what, never a traceback
        reply = ("fault", f"{type(exc).__name__}: {exc}")
    try:
        send.send(reply)
    except Exception as exc:  # a reply that cannot be pickled is a fault too
        send.send(("fault", f"{type(exc).__name__}: {exc}"))
    finally:
        send.close()


def _import(
    path: Path, config: Config, month: str | None, dry_run: bool, source: str
) -> ImportResult:
    import sqlite_utils

    from riskboard.importer import import_file
    from riskboard.store.db import open_db

    database = config.paths.database
    opened: list[sqlite_utils.Database] = []

    def create() -> sqlite_utils.Database:
        opened.append(open_db(database))
        return opened[-1]

    try:
        if dry_run:
            try:
                db = open_db(database, create=False)
            except NotFound:  # a dry run creates nothing: compare with an empty register
                db = open_db(":memory:")
            opened.append(db)
            return import_file(db, path, config, month=month, dry_run=True, source=source)
        if Path(database).exists():
            return import_file(create(), path, config, month=month, source=source)
        # no database yet: it is created only once the file has been read and is going
        # in - a refused file (or a mistyped path with a bad file) creates nothing
        return import_file(create, path, config, month=month, source=source)
    finally:
        for db in opened:
            db.conn.close()


def _out_of_memory(path: Path, config: Config) -> RefusedWorkbook:
    return _crashed(path, config, "reading it needed more memory than this import may use")


# a workbook smaller than this share of the memory limit never needs it all: a reader
# that crashes or runs out of memory on it was made to (a 50,000-row export is ~10 MB
# and uses ~330 MB)
_SMALL_FILE_SHARE = 100


def _crashed(path: Path, config: Config, what: str) -> RefusedWorkbook:
    """The refusal of a file the reader crashed on or ran out of memory on. A small file
    is malformed or hostile - nothing to raise; only a file large enough to need the
    memory is told about ``import.max_memory_mb``."""
    limit = config.import_.max_memory_mb
    try:
        size = path.stat().st_size
    except OSError:
        size = 0
    if limit and size * _SMALL_FILE_SHARE > limit * 1024 * 1024:
        return RefusedWorkbook(
            f"{what}; a file of {_size(size)} may need more memory than"
            f" import.max_memory_mb ({limit:,} MiB) allows; nothing was imported",
            file=path.name,
            remedy=Remedy.RAISE_LIMIT,
        )
    return RefusedWorkbook(
        f"{what} - a file of {_size(size)} that no register export would need that for:"
        " the workbook is malformed or hostile; refused, nothing was imported",
        file=path.name,
    )


def _size(n: int) -> str:
    if n < 1024 * 1024:
        return f"{max(n, 1) / 1024:,.0f} KB" if n >= 1024 else f"{n:,} bytes"
    return f"{n / 1024 / 1024:,.1f} MB"


def _watch(lifeline: Connection) -> None:
    """End this child if the process that started it goes away (its end of the
    lifeline closes): an import nobody waits for is rolled back, as in one process."""
    with contextlib.suppress(EOFError, OSError):
        lifeline.recv()
    os._exit(70)


def limit_memory(megabytes: int) -> None:
    """Limit this process's address space (POSIX; a no-op elsewhere or for 0)."""
    if megabytes <= 0:
        return
    try:
        import resource
    except ImportError:  # Windows
        return
    wanted = megabytes * 1024 * 1024
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        wanted = min(wanted, hard)
    with contextlib.suppress(ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_AS, (wanted, hard))
