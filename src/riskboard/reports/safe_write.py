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
     starting with ``=``, ``+``, ``-``, ``@``, tab or carriage return is prefixed with a
     single quote (``'=SUM(A1)``), and every field is quoted. Numbers are written as
     numbers (a negative number is not text and carries no risk). Files are UTF-8 with
     a byte-order mark so Excel reads accents, en dashes and pound signs correctly.

Characters that XML 1.0 cannot hold (control characters other than tab, LF and CR)
are dropped from xlsx text instead of failing the whole export, and text is cut at
Excel's 32,767-character cell limit.
"""

from __future__ import annotations

import contextlib
import csv
import os
import re
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import IO, Any

from openpyxl.cell.cell import ERROR_CODES, Cell

from riskboard.errors import RiskboardError

# OWASP: "=", "+", "-", "@", tab (0x09) and carriage return (0x0D) start a formula/DDE
FORMULA_PREFIXES: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r")
EXCEL_CELL_LIMIT = 32_767
_XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


# ----------------------------------------------------------------------- atomic files


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


@contextlib.contextmanager
def atomic_path(target: Path) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; on success rename it onto ``target``.

    If the body raises, the temporary file is removed and ``target`` (if it existed)
    is left exactly as it was. Folder problems raise RiskboardError naming the path.
    """
    target = Path(target)
    folder = target.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=folder)
    except OSError as exc:
        raise RiskboardError(f"cannot write to folder {folder}: {exc.strerror or exc}") from None
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        yield tmp
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        # mkstemp makes the file private (0600); give it the mode a normal file gets
        os.chmod(tmp, 0o666 & ~_umask())
        try:
            os.replace(tmp, target)
        except OSError as exc:
            raise RiskboardError(
                f"cannot replace {target}: {exc.strerror or exc}",
                hint="is the file open in another program? close it and export again",
            ) from None
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()


def write_atomic(target: Path, writer: Callable[[Path], None]) -> Path:
    """Call ``writer(tmp_path)`` and move the result onto ``target``; returns ``target``."""
    with atomic_path(target) as tmp:
        try:
            writer(tmp)
        except OSError as exc:
            raise RiskboardError(f"cannot write {target}: {exc.strerror or exc}") from None
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
            or len(value) > EXCEL_CELL_LIMIT
            or _XML_ILLEGAL.search(value)
        )
    return False


def clean_text(text: str) -> str:
    """``text`` without characters xlsx cannot store, cut to Excel's cell limit."""
    if _XML_ILLEGAL.search(text):
        text = _XML_ILLEGAL.sub("", text)
    return text[:EXCEL_CELL_LIMIT]


def set_text(cell: Cell, value: object) -> Cell:
    """Give an openpyxl cell ``value``; every string is stored as a plain string.

    Numbers, dates and None are stored as they are. Returns the cell.
    """
    if isinstance(value, str):
        text = clean_text(value)
        # set directly: openpyxl's value setter would type "=..." as a formula and
        # "#N/A" as an error before we could say otherwise
        cell._value = text
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
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, float) and value.is_integer():
        return int(value)  # 250000, not 250000.0
    if isinstance(value, int | float):
        return value
    if isinstance(value, datetime | date):
        return value.isoformat()
    text = str(value)
    return "'" + text if is_formula_like(text) else text


def write_csv(target: Path, header: Sequence[str], rows: Iterable[Sequence[object]]) -> Path:
    """Write a csv atomically: UTF-8 with BOM, every field quoted, text neutralised."""
    with atomic_text(target, encoding="utf-8-sig", newline="") as fh:
        out = csv.writer(fh, quoting=csv.QUOTE_ALL)
        out.writerow([csv_text(h) for h in header])
        for row in rows:
            out.writerow([csv_text(v) for v in row])
    return Path(target)
