"""The safety layer every export goes through.

Two promises, from the exports issue:

1. **Atomic files.** An export is written to a temporary file in the target folder and
   renamed into place with ``os.replace`` (atomic on POSIX and Windows when both paths
   are on one volume, which a sibling temp file guarantees). A crash or an exception
   mid-way leaves the previous file untouched and no half-written document behind.

2. **Text stays text.** Values that came from an imported spreadsheet or were typed by
   a person are written as plain strings, never as live formulas or DDE:

   * xlsx: openpyxl turns any ``str`` starting with ``=`` into a formula (``<f>``) and
     strings such as ``#N/A`` into error cells. :func:`set_text` / :func:`text_cell`
     force ``data_type = "s"`` on every string cell, so openpyxl writes an inline
     string; formula-like and error-like strings also get the ``quotePrefix`` style, the flag Excel
     itself sets when a user types a leading apostrophe, so editing the cell later
     does not turn it into a formula either. The cell value is the exact text.
   * csv: a csv file has no types, so a spreadsheet program decides what a cell is
     when it opens the file. Following the OWASP CSV-injection guidance, a text value
     starting with ``=``, ``+``, ``-``, ``@``, tab or a line break - or their fullwidth
     forms ``＝ ＋ － ＠``, which Excel also reads as a formula - is prefixed with a
     single quote (``'=SUM(A1)``), and every field is quoted. Numbers are written as
     numbers (a negative number is not text and carries no risk). Files are UTF-8 with
     a byte-order mark so Excel reads accents, en dashes and pound signs correctly.

Control characters (C0 other than tab and newline, C1) are dropped from exported text
instead of failing the whole export or reaching a reader's terminal, and text is cut at
Excel's 32,767-character cell limit with a visible note at the cut (``CUT_NOTE``);
``write_csv`` says how many fields it cut.

3. **Leftovers are cleaned.** Each temporary file is locked by its writer while it is
   written; an export killed before its rename leaves a hidden ``.NAME.XXXX.part``
   that the next export into that folder removes (only our own pattern, only regular
   files - links are never followed - and only once no live writer holds its lock).

4. **A full disk is one line.** Whatever the writing library raised (openpyxl through
   lxml chains seven exceptions), a full disk or another OS refusal becomes one
   StoreUnavailable naming the file, and the earlier copy is left as it was.
"""

from __future__ import annotations

import contextlib
import csv
import errno
import logging
import os
import re
import shutil
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import IO, Any, NamedTuple

from openpyxl.cell.cell import ERROR_CODES, Cell

from riskboard.errors import Remedy, StoreUnavailable
from riskboard.safe_text import quote_name, strip_controls

log = logging.getLogger(__name__)

# OWASP: "=", "+", "-", "@", tab (0x09) and carriage return (0x0D) start a formula/DDE;
# Excel reads the fullwidth forms (U+FF1D, U+FF0B, U+FF0D, U+FF20) as formulas too
FORMULA_PREFIXES: tuple[str, ...] = (
    "=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20",
)  # fmt: skip
EXCEL_CELL_LIMIT = 32_767
CUT_NOTE = " [cut at Excel's 32,767-character cell limit]"
# what is dropped from exported text: controls xlsx cannot store, C1, and the bidi
# overrides/isolates (text stored before they were removed on import)
_XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
PART_SUFFIX = ".part"
# riskboard's own temporary files: ".NAME.riskboard-XXXXXXXX.part" (XXXXXXXX from
# mkstemp); the sweep removes only these, never another program's hidden ".part" file
PART_MARK = ".riskboard-"
_OURS = re.compile(r"\..+" + re.escape(PART_MARK) + r"[a-z0-9_]{8}" + re.escape(PART_SUFFIX))
_LEFTOVER_AGE_S = 2  # a temp file younger than this may still be about to be locked
_LEFTOVER_AGE_NO_LOCKS_S = 24 * 3600  # where files cannot be locked (Windows): a day
_DISK_FULL = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG}


# ----------------------------------------------------------------------- atomic files


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


@contextlib.contextmanager
def atomic_path(target: Path) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; on success rename it onto ``target``.

    If the body raises, the temporary file is removed and ``target`` (if it existed)
    is left exactly as it was. Leftovers of exports killed earlier in that folder are
    removed first. Folder and disk problems raise StoreUnavailable naming the path.
    """
    target = Path(target)
    folder = target.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
        sweep_leftovers(folder)
        fd, tmp_name = tempfile.mkstemp(
            prefix=f".{target.name}{PART_MARK}", suffix=PART_SUFFIX, dir=folder
        )
    except OSError as exc:
        blocker = _file_in_the_way(folder)
        if blocker is not None:
            where = "" if blocker == folder else f"cannot write to folder {folder}: "
            raise StoreUnavailable(
                f"{where}{blocker} is a file, not a folder; nothing was written - give a"
                " folder (it is created if missing)",
                remedy=Remedy.MAKE_WRITABLE,
            ) from None
        raise _write_failure(exc, target, f"cannot write to folder {folder}") from None
    tmp = Path(tmp_name)
    _lock(fd)  # held until the rename: a sweep never takes a file being written
    try:
        try:
            yield tmp
            with open(tmp, "rb+") as fh:
                os.fsync(fh.fileno())
            # mkstemp makes the file private (0600); give it the mode a normal file gets
            os.chmod(tmp, 0o666 & ~_umask())
        except StoreUnavailable:
            raise
        except BaseException as exc:
            failure = _disk_failure(exc, target)
            if failure is None:
                raise
            raise failure from None
        try:
            os.replace(tmp, target)
        except OSError as exc:
            raise StoreUnavailable(
                f"cannot replace {target}: {exc.strerror or exc}; the earlier copy is"
                " untouched - is it open in another program? close it and export again",
                remedy=Remedy.CLOSE_OTHER_PROGRAM,
            ) from None
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        os.close(fd)


def _file_in_the_way(folder: Path) -> Path | None:
    """The path where ``folder`` (or one of its parents) is a file, if it is one."""
    for path in (folder, *folder.parents):
        if os.path.lexists(path):
            return None if path.is_dir() else path
    return None


def _disk_failure(exc: BaseException, target: Path) -> StoreUnavailable | None:
    """A full disk or another OS refusal somewhere in ``exc``'s chain (a library such as
    lxml wraps the OSError in its own errors) as one error; None if it is not one."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, OSError):
            return _write_failure(current, target, f"cannot write {target}")
        current = current.__cause__ or current.__context__
    try:
        full = shutil.disk_usage(target.parent).free < 64 * 1024
    except OSError:
        full = False
    if full:  # the library lost the OSError, but the disk tells
        return _write_failure(OSError(errno.ENOSPC, "No space left on device"), target, "")
    return None


def _write_failure(exc: OSError, target: Path, what: str) -> StoreUnavailable:
    if exc.errno in _DISK_FULL:
        return StoreUnavailable(
            f"the disk holding {target.parent} is full ({exc.strerror or 'no space'}):"
            f" {target.name} was not written (an earlier copy is untouched) - free some"
            " space and export again",
            remedy=Remedy.FREE_SPACE,
        )
    return StoreUnavailable(
        f"{what}: {exc.strerror or exc}; nothing was written", remedy=Remedy.MAKE_WRITABLE
    )


def _lock(fd: int) -> None:
    try:
        import fcntl
    except ImportError:  # Windows: an open file cannot be deleted there anyway
        return
    with contextlib.suppress(OSError):
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)


def sweep_leftovers(folder: Path, *, now: float | None = None) -> list[Path]:
    """Remove the temporary files of exports killed before their rename
    (``.NAME.riskboard-XXXXXXXX.part`` in ``folder``; never another program's hidden
    ``.part`` file): regular files only (a link is never followed,
    only removed if it is one of ours - it never is), and only when no live writer holds
    the file's lock. Returns what was removed."""
    now = time.time() if now is None else now
    removed: list[Path] = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    for entry in entries:
        if not _OURS.fullmatch(entry.name):
            continue
        try:
            if not entry.is_file(follow_symlinks=False):
                continue
            age = now - entry.stat(follow_symlinks=False).st_mtime
        except OSError:
            continue
        if age >= _LEFTOVER_AGE_S and _abandoned(Path(entry.path), age):
            removed.append(Path(entry.path))
    for path in removed:
        log.info("removed %s, left by an export that was stopped", quote_name(str(path)))
    return removed


def _abandoned(path: Path, age: float) -> bool:
    """Remove ``path`` if no process is writing it; True if it was removed."""
    try:
        import fcntl
    except ImportError:
        if age < _LEFTOVER_AGE_NO_LOCKS_S:
            return False
        with contextlib.suppress(OSError):
            path.unlink()
            return True
        return False
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | os.O_NONBLOCK)
    except OSError:
        return False
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            return False  # a writer holds it
        try:
            path.unlink()
        except OSError:
            return False
        return True
    finally:
        os.close(fd)


def write_atomic(target: Path, writer: Callable[[Path], None]) -> Path:
    """Call ``writer(tmp_path)`` and move the result onto ``target``; returns ``target``."""
    with atomic_path(target) as tmp:
        writer(tmp)
    return Path(target)


@contextlib.contextmanager
def atomic_text(
    target: Path, *, encoding: str = "utf-8", newline: str | None = None
) -> Iterator[IO[str]]:
    """Open a text file for writing that only appears at ``target`` if the body succeeds."""
    with atomic_path(target) as tmp, open(tmp, "w", encoding=encoding, newline=newline) as fh:
        yield fh


# ---------------------------------------------------------------------- text safety


def is_formula_like(text: str) -> bool:
    """True if a spreadsheet could read ``text`` as a formula or DDE command."""
    return text.startswith(FORMULA_PREFIXES)


def is_plain(value: object) -> bool:
    """True if openpyxl stores ``value`` exactly as given with no help: None, a number,
    or text that is not formula- or error-like and needs no cleaning. Anything else
    goes through :func:`set_text`."""
    if value is None or isinstance(value, int | float):
        return not isinstance(value, bool)
    if isinstance(value, str):
        return not (
            value.startswith(FORMULA_PREFIXES)
            or value in ERROR_CODES
            or len(value) > EXCEL_CELL_LIMIT // 2
            or _XML_ILLEGAL.search(value)
            or "_x" in value
        )
    return False


def excel_length(text: str) -> int:
    """The length Excel gives ``text``: UTF-16 code units (an emoji counts two)."""
    if text.isascii():
        return len(text)
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


def fit_cell(text: str) -> tuple[str, bool]:
    """``text`` cut to Excel's cell limit (counted as Excel counts: UTF-16 units), with
    ``CUT_NOTE`` at the cut; and whether it was cut."""
    if len(text) <= EXCEL_CELL_LIMIT // 2 or excel_length(text) <= EXCEL_CELL_LIMIT:
        return text, False
    room = EXCEL_CELL_LIMIT - len(CUT_NOTE)
    # never half an emoji: a lone half of a surrogate pair is dropped by "ignore"
    kept = text.encode("utf-16-le", "surrogatepass")[: 2 * room].decode("utf-16-le", "ignore")
    return kept + CUT_NOTE, True


# Excel, calamine and openpyxl read "_xHHHH_" in a cell's XML as the character U+HHHH
# (how OOXML stores control characters): text holding it literally must have its "_"
# written as "_x005F_", or "_x001B_" typed at the meeting comes back as a real ESC
_OOXML_ESCAPE = re.compile(r"_(?=x[0-9A-Fa-f]{4}_)")


def xlsx_text(text: str) -> str:
    """``text`` as an xlsx cell must store it so that every reader gets ``text`` back:
    a literal ``_x001B_`` is written ``_x005F_x001B_``. Every xlsx writer's text goes
    through here (``set_text``)."""
    if "_x" not in text:
        return text
    return _OOXML_ESCAPE.sub("_x005F_", text)


def needs_cut(text: object) -> bool:
    """True for text longer than Excel's cell limit (``fit_cell`` cuts it)."""
    return isinstance(text, str) and len(text) > EXCEL_CELL_LIMIT // 2 and fit_cell(text)[1]


def clean_text(text: str) -> str:
    """``text`` without control characters (xlsx cannot store C0, and none belongs in a
    document), cut to Excel's cell limit with a note."""
    if _XML_ILLEGAL.search(text):
        text = strip_controls(text)
    return fit_cell(text)[0]


def set_text(cell: Cell, value: object) -> Cell:
    """Give an openpyxl cell ``value``; every string is stored as a plain string.

    Numbers, dates and None are stored as they are. Returns the cell.
    """
    if isinstance(value, str):
        text = clean_text(value)
        # set directly: openpyxl's value setter would type "=..." as a formula and
        # "#N/A" as an error before we could say otherwise
        cell._value = xlsx_text(text)
        cell.data_type = "s"  # never "f" (formula) or "e" (error) for text
        if is_formula_like(text) or text in ERROR_CODES:
            cell.quotePrefix = True
    else:
        cell.value = value
    return cell


def text_cell(ws: Any, value: object) -> Cell:
    """A write-only cell for ``ws`` holding ``value`` (strings forced to plain text)."""
    from openpyxl.cell import WriteOnlyCell

    return set_text(WriteOnlyCell(ws), value)


def csv_text(value: object) -> str | int | float:
    """One csv field: text neutralised per OWASP, numbers kept, dates as ISO text."""
    return _csv_field(value)[0]


def _csv_field(value: object) -> tuple[str | int | float, bool]:
    if value is None:
        return "", False
    if isinstance(value, bool):
        return ("Yes" if value else "No"), False
    if isinstance(value, float) and value.is_integer():
        return int(value), False  # 250000, not 250000.0
    if isinstance(value, int | float):
        return value, False
    if isinstance(value, datetime | date):
        return value.isoformat(), False
    text = strip_controls(str(value))
    if is_formula_like(text):
        text = "'" + text
    return fit_cell(text)


class CsvWritten(NamedTuple):
    path: Path
    cut: int  # fields longer than Excel's cell limit, cut with CUT_NOTE


def write_csv(target: Path, header: Sequence[str], rows: Iterable[Sequence[object]]) -> CsvWritten:
    """Write a csv atomically: UTF-8 with BOM, every field quoted, text neutralised,
    control characters dropped, fields cut at Excel's cell limit (counted in ``cut``)."""
    cut = 0
    with atomic_text(target, encoding="utf-8-sig", newline="") as fh:
        out = csv.writer(fh, quoting=csv.QUOTE_ALL)
        out.writerow([csv_text(h) for h in header])
        for row in rows:
            fields = [_csv_field(v) for v in row]
            cut += sum(was_cut for _, was_cut in fields)
            out.writerow([f for f, _ in fields])
    return CsvWritten(Path(target), cut)
