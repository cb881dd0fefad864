"""Only regular files are read: a workbook path is checked before a byte is read.

A symlink to ``/dev/zero`` named ``x_2022-09.xlsx`` would keep a reader busy forever, a
FIFO blocks the open until a writer comes, and a device may act on being opened. The
path is resolved (links followed) and must be a regular file; the file is then opened
without blocking and checked again through its descriptor, so what is read is the file
that was checked.
"""

from __future__ import annotations

import io
import os
import stat
from pathlib import Path

from riskboard.errors import NotFound, RefusedWorkbook, Remedy, StoreUnavailable
from riskboard.safe_text import quote_name

_KINDS = (
    (stat.S_ISDIR, "a folder, not a workbook"),
    (stat.S_ISFIFO, "a named pipe (FIFO), not a workbook file"),
    (stat.S_ISCHR, "a character device, not a workbook file"),
    (stat.S_ISBLK, "a block device, not a workbook file"),
    (stat.S_ISSOCK, "a socket, not a workbook file"),
)


def special_kind(mode: int) -> str | None:
    """What a non-regular file is, in words; None for a regular file."""
    if stat.S_ISREG(mode):
        return None
    for test, words in _KINDS:
        if test(mode):
            return words
    return "a special file, not a workbook file"


def _link_note(path: Path) -> str:
    try:
        if path.is_symlink():
            return f" (a symbolic link to {quote_name(os.readlink(path))})"
    except OSError:
        pass
    return ""


def check_regular(path: Path) -> os.stat_result:
    """The ``stat`` of ``path`` (links followed) if it is a regular file; otherwise
    RefusedWorkbook saying what it is, NotFound if it does not exist, StoreUnavailable if
    it cannot be read now (permission, held by another program)."""
    path = Path(path)
    try:
        st = os.stat(path)
    except FileNotFoundError:
        if path.is_symlink():
            raise RefusedWorkbook(
                f"is a symbolic link to {quote_name(os.readlink(path))}, which does not exist",
                file=path.name,
            ) from None
        raise NotFound("file not found", file=str(path)) from None
    except PermissionError:
        raise StoreUnavailable(
            "cannot read it: permission denied (is it open in another program?)",
            file=path.name,
            remedy=Remedy.CLOSE_OTHER_PROGRAM,
        ) from None
    except OSError as exc:  # a link loop, a name too long...
        raise RefusedWorkbook(f"cannot read it: {exc.strerror or exc}", file=path.name) from None
    kind = special_kind(st.st_mode)
    if kind is not None:
        raise RefusedWorkbook(f"is {kind}{_link_note(path)}", file=path.name)
    return st


def open_regular(path: Path) -> io.BufferedReader:
    """Open ``path`` for reading if (and only if) it is a regular file; see
    ``check_regular``. The open never blocks, and the opened file is checked to be the
    one that was looked at."""
    path = Path(path)
    before = check_regular(path)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        raise NotFound("file not found (it went away while being opened)", file=str(path)) from None
    except PermissionError:
        raise StoreUnavailable(
            "cannot read it: permission denied (is it open in another program?)",
            file=path.name,
            remedy=Remedy.CLOSE_OTHER_PROGRAM,
        ) from None
    except OSError as exc:
        raise StoreUnavailable(f"cannot open it: {exc.strerror or exc}", file=path.name) from None
    try:
        st = os.fstat(fd)
        if special_kind(st.st_mode) is not None or (st.st_dev, st.st_ino) != (
            before.st_dev,
            before.st_ino,
        ):
            raise RefusedWorkbook(
                "was replaced by something else while being opened", file=path.name
            )
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
        return io.BufferedReader(io.FileIO(fd, "rb", closefd=True))
    except BaseException:
        os.close(fd)
        raise
