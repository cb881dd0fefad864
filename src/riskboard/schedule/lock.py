"""One scheduler per database: an OS file lock beside the database.

The lock is taken on ``<database>.scheduler.lock`` with ``fcntl.flock`` (Linux, macOS)
or ``msvcrt.locking`` (Windows). The operating system drops it when the process ends,
however it ends, so a crashed or killed scheduler never leaves it stuck. The file is
never deleted (deleting a lock file lets two processes lock two different files); it
holds the holder's pid, host and start time so the refusal can say who has it.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import socket
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any

from riskboard.errors import Remedy, StoreUnavailable

INFO_OFFSET = 1  # holder info is written after byte 0, the byte Windows locks


def lock_path(database: Path) -> Path:
    return Path(f"{database}.scheduler.lock")


def _try_lock(fd: int) -> bool:
    if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
        import msvcrt

        os.lseek(fd, 0, os.SEEK_SET)
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    import fcntl

    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    return True


def _unlock(fd: int) -> None:
    if sys.platform == "win32":  # pragma: no cover
        import msvcrt

        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
        return
    import fcntl

    fcntl.flock(fd, fcntl.LOCK_UN)


def read_holder(path: Path) -> dict[str, Any] | None:
    """What the current (or last) holder wrote into the lock file, if readable."""
    try:
        with open(path, "rb") as fh:
            fh.seek(INFO_OFFSET)
            data = fh.read(4096)
        return json.loads(data.decode("utf-8")) if data.strip() else None
    except (OSError, ValueError):
        return None


class SchedulerLock:
    """``with SchedulerLock(db_path, purpose="scheduler"):`` - refuses with StoreUnavailable
    if another process holds the lock for this database. A subclass locks another file
    beside the database (``suffix``) and words its own refusal (``refusal``)."""

    suffix = ".scheduler.lock"

    def __init__(self, database: Path, *, purpose: str = "scheduler", retries: int = 5) -> None:
        self.database = Path(database)
        self.path = Path(f"{self.database}{self.suffix}")
        self.purpose = purpose
        self.retries = retries
        self._fd: int | None = None

    @property
    def held(self) -> bool:
        return self._fd is not None

    def acquire(self) -> SchedulerLock:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            full = exc.errno in (errno.ENOSPC, errno.EDQUOT)
            raise StoreUnavailable(
                f"cannot create the lock file {self.path}: {exc.strerror or exc};"
                f" {self.nothing_done} - "
                + ("free some space on that disk" if full else "make its folder writable")
                + " and run it again",
                remedy=Remedy.FREE_SPACE if full else Remedy.MAKE_WRITABLE,
            ) from None
        # a few quick tries: 'scheduler status' probes the lock for an instant
        for attempt in range(max(1, self.retries)):
            if _try_lock(fd):
                break
            if attempt + 1 < self.retries:
                time.sleep(0.1)
        else:
            os.close(fd)
            raise StoreUnavailable(self.refusal(read_holder(self.path)))
        info = {
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "purpose": self.purpose,
            "database": str(self.database),
        }
        try:
            os.ftruncate(fd, 0)
            os.lseek(fd, 0, os.SEEK_SET)
            os.write(fd, b"\n" + json.dumps(info).encode("utf-8"))
        except OSError:
            # a full disk: the lock is the OS lock, held all the same; only 'scheduler
            # status' loses who holds it
            pass
        self._fd = fd
        return self

    nothing_done = "nothing was imported"

    def refusal(self, holder: dict[str, Any] | None) -> str:
        """Why the lock cannot be had: who holds it."""
        return _refusal(self.database, holder)

    def release(self) -> None:
        if self._fd is None:
            return
        fd, self._fd = self._fd, None
        try:
            with contextlib.suppress(OSError):
                os.ftruncate(fd, 0)
            _unlock(fd)
        finally:
            os.close(fd)

    def __enter__(self) -> SchedulerLock:
        return self.acquire()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.release()


def _refusal(database: Path, holder: dict[str, Any] | None) -> str:
    who = "another riskboard scheduler"
    if holder:
        what = "riskboard scheduler --once" if holder.get("purpose") == "once" else who
        who = (
            f"{what} (pid {holder.get('pid')} on {holder.get('host')},"
            f" started {holder.get('started_at')})"
        )
    return (
        f"{who} is already running for database {database}; only one may import into a"
        " database at a time. It picks up new files itself: see 'riskboard scheduler"
        " status'. If that process is gone, this lock is released automatically."
    )


def lock_holder(database: Path) -> dict[str, Any] | None:
    """The holder's info if a scheduler holds the lock for ``database`` now, else None.

    Probes by taking the lock for an instant (a starting scheduler retries briefly)."""
    return holder_of(lock_path(database))


def holder_of(path: Path) -> dict[str, Any] | None:
    """The holder's info if a process holds the lock file ``path`` now, else None."""
    if not path.exists():
        return None
    try:
        fd = os.open(path, os.O_RDWR)
    except OSError:
        return None
    try:
        if _try_lock(fd):
            _unlock(fd)
            return None
    finally:
        os.close(fd)
    return read_holder(path) or {}
