"""Opening the database: one file, WAL mode, busy timeout, migrations applied.

Failures of the database itself - another process holding the write lock past the
busy timeout, a read-only file, a full disk, a damaged file - become one
``StoreUnavailable`` naming the database and what to do (``store_error``), raised by
``open_db`` and ``write_transaction``: every change goes through one of them.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import sqlite_utils

from riskboard.errors import NotFound, Remedy, RiskboardError, StoreUnavailable
from riskboard.store.migrations import migrations

BUSY_TIMEOUT_MS = 30_000

# SQLite primary result codes (the low byte of sqlite_errorcode)
_BUSY, _LOCKED, _READONLY, _IOERR, _CORRUPT, _FULL, _CANTOPEN, _NOTADB = 5, 6, 8, 10, 11, 13, 14, 26


def database_path(db: sqlite_utils.Database) -> str:
    """The file behind ``db`` (":memory:" for an in-memory database)."""
    with suppress(sqlite3.Error):
        row = db.conn.execute("PRAGMA database_list").fetchone()
        if row and row[2]:
            return str(row[2])
    return ":memory:"


def store_error(exc: sqlite3.Error, database: str | Path) -> StoreUnavailable:
    """One line for a failure of the database itself, naming it and what to do."""
    code = getattr(exc, "sqlite_errorcode", None)
    base = code & 0xFF if isinstance(code, int) else None
    text = str(exc)
    db = str(database)
    if base in (_BUSY, _LOCKED) or "locked" in text:
        return StoreUnavailable(
            f"database {db} is busy: another riskboard process (an import, the scheduler or"
            f" the meeting app) kept it locked for over {BUSY_TIMEOUT_MS // 1000} s;"
            " nothing was changed - try again when it has finished",
            remedy=Remedy.RETRY_LATER,
        )
    if base == _READONLY or "readonly" in text or "read-only" in text:
        return StoreUnavailable(
            f"database {db} is read-only (the file's or its folder's permissions);"
            " nothing was changed - make both writable, or point paths.database at a"
            " writable copy",
            remedy=Remedy.MAKE_WRITABLE,
        )
    if base == _FULL or "full" in text or (base in (_IOERR, _CANTOPEN) and _disk_full(db)):
        return StoreUnavailable(
            f"the disk holding database {db} is full; nothing was changed - free some space"
            " and try again",
            remedy=Remedy.FREE_SPACE,
        )
    if base == _IOERR or "I/O error" in text:
        return StoreUnavailable(
            f"could not write database {db} ({text}); nothing was changed - check that its"
            " disk is not full and is working, free some space if it is full, and try again",
            remedy=Remedy.FREE_SPACE,
        )
    if (base == _CANTOPEN or "unable to open" in text) and _folder_read_only(db):
        return StoreUnavailable(
            f"database {db} is in a read-only folder ({Path(db).absolute().parent}); nothing"
            " was changed - make the folder writable, or point paths.database at a"
            " writable copy",
            remedy=Remedy.MAKE_WRITABLE,
        )
    if base == _CANTOPEN or "unable to open" in text:
        return StoreUnavailable(
            f"cannot open database {db} ({text}) - check that its folder exists and is"
            " readable and writable",
            remedy=Remedy.MAKE_WRITABLE,
        )
    if base in (_CORRUPT, _NOTADB) or "not a database" in text or "malformed" in text:
        return StoreUnavailable(f"database {db} is damaged or is not a riskboard database ({text})")
    return StoreUnavailable(f"database {db}: {text}")


def _folder_read_only(database: str) -> bool:
    folder = Path(database).absolute().parent
    return folder.is_dir() and not os.access(folder, os.W_OK)


def _disk_full(database: str) -> bool:
    """SQLite reports a full disk as an I/O error when the WAL or its index cannot grow:
    the free space of the database's disk tells."""
    try:
        return shutil.disk_usage(Path(database).absolute().parent).free < 1024 * 1024
    except OSError:
        return False


def _is_store_failure(exc: BaseException) -> bool:
    """A failure of the database (locked, read-only, full, damaged), not of the SQL."""
    return isinstance(exc, sqlite3.OperationalError) or type(exc) is sqlite3.DatabaseError


def connect(path: str | Path, *, create: bool = True) -> sqlite_utils.Database:
    """A connection with the pragmas every riskboard connection uses (no migrations).

    ``create=False`` never creates the file or its folders: NotFound if it is missing.
    A database whose file or folder cannot be written (a read-only share or mount) is
    opened read-only, so reading commands still work; any write is then refused as
    read-only (``store_error``)."""
    memory = str(path) == ":memory:"
    try:
        if not memory and create:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        if memory:
            conn = sqlite3.connect(":memory:", timeout=BUSY_TIMEOUT_MS / 1000)
        elif not Path(path).is_file():
            if not create:
                raise missing_database(path)
            conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_MS / 1000)
        else:
            conn = sqlite3.connect(_uri(Path(path)), uri=True, timeout=BUSY_TIMEOUT_MS / 1000)
        db = sqlite_utils.Database(conn)
        db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        db.execute("PRAGMA foreign_keys = ON")
        # WAL with synchronous=NORMAL: a COMMIT is in the WAL file (the OS's cache) when
        # it returns, so a killed or crashed process loses nothing committed; only a
        # power cut or an OS crash can lose the last commits (never corrupting the file).
        # FULL would fsync the WAL at every COMMIT. The WAL is checkpointed by SQLite's
        # default auto-checkpoint (1,000 pages): an import writes ~700 pages whatever
        # the history's length (migration 0012), so one import in two pays it.
        db.execute("PRAGMA synchronous = NORMAL")
    except RiskboardError:
        raise
    except OSError as exc:
        raise StoreUnavailable(
            f"cannot create the folder for database {path}: {exc.strerror or exc}",
            remedy=Remedy.MAKE_WRITABLE,
        ) from None
    except sqlite3.DatabaseError as exc:
        raise store_error(exc, path) from None
    return db


def writable(path: Path) -> bool:
    """True if riskboard can write the database at ``path``: the file and its folder
    (where SQLite keeps the -wal and -shm files beside it)."""
    folder = path.absolute().parent
    return os.access(folder, os.W_OK) and (not path.exists() or os.access(path, os.W_OK))


def _uri(path: Path) -> str:
    """How an existing database is opened: read-write; read-only when it cannot be
    written. A WAL database needs its -shm file: in a folder that cannot be written and
    with no -wal left behind (every change is in the main file), it is opened
    ``immutable`` - no other process can be writing it, since a writer would have to
    create the -wal there."""
    uri = path.absolute().as_uri()
    if writable(path):
        return uri + "?mode=rw"
    wal = path.with_name(path.name + "-wal")
    if not os.access(path.absolute().parent, os.W_OK) and not wal.exists():
        return uri + "?mode=ro&immutable=1"
    return uri + "?mode=ro"


def missing_database(path: str | Path) -> NotFound:
    return NotFound(
        f"there is no database at {path} (nothing was created there)",
        remedy=Remedy.CHECK_DATABASE_PATH,
    )


MIGRATION_SET = "riskboard"


def open_db(path: str | Path, *, create: bool = True) -> sqlite_utils.Database:
    """Open and migrate the riskboard database at ``path``. ``create`` (the default for
    commands that write a register: import, demo, the scheduler) makes it if missing;
    read-only commands pass ``create=False`` and get NotFound naming the path instead
    (also for an empty file: nothing is written into it).

    Refused (StoreUnavailable), touching nothing: a database that is not riskboard's
    (it has tables but no riskboard migration record - another application's file), and
    one that cannot be used (locked, read-only and in need of an upgrade, full,
    damaged). Migrations run one process at a time (``_migrate``), so processes creating
    one database at the same moment wait for each other and all succeed."""
    db = connect(path, create=create)
    try:
        _check_is_ours(db, path, create)
        if migrations.pending(db):
            _migrate(db, path)
    except BaseException as exc:
        db.conn.close()
        if isinstance(exc, sqlite3.DatabaseError):
            raise store_error(exc, path) from None
        raise
    return db


def _check_is_ours(db: sqlite_utils.Database, path: str | Path, create: bool) -> None:
    tables = [
        r[0]
        for r in db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
    ]
    if not tables:
        if not create and str(path) != ":memory:":
            raise NotFound(
                f"there is no riskboard database at {path}: the file is empty (nothing"
                " was written to it)",
                remedy=Remedy.CHECK_DATABASE_PATH,
            )
        return
    if (
        tables == ["_sqlite_migrations"]
        and not db.execute("SELECT 1 FROM _sqlite_migrations LIMIT 1").fetchone()
    ):
        # another process is creating it this moment: the migrations table exists, its
        # first migration not yet recorded - _migrate waits for it under the lock
        return
    ours = (
        "_sqlite_migrations" in tables
        and db.execute(
            "SELECT 1 FROM _sqlite_migrations WHERE migration_set = ? LIMIT 1", [MIGRATION_SET]
        ).fetchone()
    )
    if not ours:
        shown = ", ".join(sorted(tables)[:6]) + (", ..." if len(tables) > 6 else "")
        raise StoreUnavailable(
            f"database {path} is not a riskboard database: it holds other tables ({shown})"
            " and no record of riskboard's; nothing was changed - check paths.database",
            remedy=Remedy.CHECK_DATABASE_PATH,
        )


def _migrate(db: sqlite_utils.Database, path: str | Path) -> None:
    """Apply pending migrations, one process at a time: the database's folder is locked
    (``flock``) while this process looks again at what is pending and applies it, so a
    process that was waiting finds nothing left to do. (sqlite-utils commits between
    steps, so SQLite's own write lock cannot hold the whole run.)"""
    with _file_lock(path):
        if not migrations.pending(db):
            return
        if str(path) != ":memory:":
            # the journal mode cannot change inside a transaction: set it first
            db.execute("PRAGMA journal_mode = wal")
        migrations.apply(db)


@contextmanager
def _file_lock(path: str | Path) -> Iterator[None]:
    if str(path) == ":memory:":
        yield
        return
    try:
        import fcntl
    except ImportError:  # Windows: one process creates a database at a time in practice
        yield
        return
    # the database's folder is locked, not the file: closing any descriptor of the
    # database file would drop the POSIX locks SQLite holds on it in this process
    fd = os.open(Path(path).absolute().parent, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # releases the lock


@contextmanager
def write_transaction(db: sqlite_utils.Database) -> Iterator[sqlite_utils.Database]:
    """One change = one transaction, taking the write lock at BEGIN (``BEGIN IMMEDIATE``).

    ``db.atomic()`` begins DEFERRED: a transaction that reads before it writes holds a
    snapshot, and if another process (the scheduler's import, a CLI minute-taker)
    commits meanwhile SQLite refuses the upgrade at once with "database is locked"
    (SQLITE_BUSY_SNAPSHOT) - the busy timeout does not help. Taking the lock first makes
    a concurrent writer wait its turn. Nested inside an outer transaction it becomes a
    savepoint, so callers can group several changes.

    A failure of the database itself (locked past the busy timeout, read-only, disk
    full) rolls back and raises StoreUnavailable naming the database."""
    if db.conn.in_transaction:
        with db.atomic():
            yield db
        return
    try:
        db.conn.execute("BEGIN IMMEDIATE")
    except sqlite3.DatabaseError as exc:
        raise store_error(exc, database_path(db)) from None
    try:
        yield db
    except BaseException as exc:
        _rollback(db)
        if _is_store_failure(exc):
            raise store_error(exc, database_path(db)) from None  # type: ignore[arg-type]
        raise
    try:
        db.conn.execute("COMMIT")
    except BaseException as exc:
        _rollback(db)
        if _is_store_failure(exc):
            raise store_error(exc, database_path(db)) from None  # type: ignore[arg-type]
        raise


def _rollback(db: sqlite_utils.Database) -> None:
    if db.conn.in_transaction:
        with suppress(sqlite3.Error):
            db.conn.execute("ROLLBACK")
