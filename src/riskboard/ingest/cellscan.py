"""What python-calamine does not say about an .xlsx: which cells hold an Excel error
(#N/A, #REF!, ...), which hold a formula whose result was never saved, and whether the
workbook counts its dates from 1904.

calamine (0.9) returns an error cell and a formula cell without a saved result as an
empty cell, exactly like a blank one - a wrong answer that looks right. The reader's
scan of each sheet's XML (``sheet_scan.scan_sheet``, which inflates it anyway to find
its extent) also looks for the two markers SpreadsheetML uses (``t="e"`` on an error
cell, ``</f>`` after a formula): two byte searches per MiB, ~0.14 s at 50,000 rows.
Only a sheet with a marker - almost none - is read again and parsed here, and only
around each marker.

The cells found are put into the sheet's rows as ``CellError`` values, which every
converter reads as "holds something that is not a value": the import reports them as
``unreadable_value`` (or, for a score, computes likelihood x impact instead).
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from html import unescape
from xml.etree import ElementTree

from defusedxml.ElementTree import fromstring  # type: ignore[import-untyped]

_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_CELL_START = re.compile(rb"<c[\s>]")
_REF = re.compile(rb"""\br=["']([A-Z]{1,3})(\d+)["']""")
_TYPE_ERROR = re.compile(rb"""\bt=["']e["']""")
_VALUE = re.compile(rb"<v>([^<]*)</v>|<is>.*?<t[^>]*>([^<]*)</t>", re.S)
_FORMULA = re.compile(rb"<f\b[^>]*?(?:/>|>([^<]*)</f>)", re.S)


# what Excel and LibreOffice show in a cell whose formula failed, also met as plain text
# in exports that were pasted as values
EXCEL_ERRORS = frozenset(
    {"#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A", "#GETTING_DATA",
     "#SPILL!", "#CALC!", "#FIELD!", "#BLOCKED!", "#UNKNOWN!", "#CONNECT!", "#BUSY!",
     "#NAME!", "#ERROR", "#NA"}
)  # fmt: skip
_LIBREOFFICE_ERROR = re.compile(r"Err:\d{3}")


def is_error_text(text: str | None) -> bool:
    """Whether text is an Excel or LibreOffice error value ("#REF!", "Err:502")."""
    if not text or (text[0] != "#" and text[0] != "E"):
        return False
    t = text.strip().upper()
    return t in EXCEL_ERRORS or bool(_LIBREOFFICE_ERROR.fullmatch(text.strip()))


@dataclass(frozen=True, slots=True)
class CellError:
    """A cell that holds something which is not a value: an Excel error ("#REF!") or a
    formula whose result was never saved ("=D8*E8", ``formula`` True)."""

    text: str
    formula: bool = False

    def __str__(self) -> str:
        return self.text


# the error values python-calamine (0.9) reads; any other (#SPILL!, #CALC!, #GETTING_DATA,
# ...) makes it refuse the whole sheet
CALAMINE_ERRORS = frozenset(
    {"#N/A", "#VALUE!", "#DIV/0!", "#NAME?", "#NULL!", "#NUM!", "#REF!"}
)  # fmt: skip
_ERROR_CELL = re.compile(rb"""(<c\b[^>]*?\bt=["']e["'][^>]*(?<!/)>)(.*?)(</c>)""", re.S)
_SAVED = re.compile(rb"<v>([^<]*)</v>")


def calamine_safe(xml: bytes) -> bytes:
    """A sheet's XML with each error value calamine cannot read (#SPILL!, #CALC!...) made
    #N/A, for calamine only: the error scan reads the original and puts the real text
    back, so the board still sees '#SPILL!'."""

    def value(m: re.Match[bytes]) -> bytes:
        text = unescape(m.group(1).decode("utf-8", "replace")).strip().upper()
        return m.group(0) if text in CALAMINE_ERRORS else b"<v>#N/A</v>"

    def cell(m: re.Match[bytes]) -> bytes:
        return m.group(1) + _SAVED.sub(value, m.group(2)) + m.group(3)

    return _ERROR_CELL.sub(cell, xml)


def _column_index(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ch - 64
    return n - 1


def workbook_date1904(zf: zipfile.ZipFile) -> bool:
    """Whether the workbook counts dates from 1904 (``<workbookPr date1904="1">``, old
    Mac Excel); False when it does not say or its workbook part cannot be read."""
    try:
        book: ElementTree.Element = fromstring(zf.read("xl/workbook.xml"))
    except (KeyError, ValueError, SyntaxError, zipfile.BadZipFile, OSError):
        return False
    pr = book.find(f"{_MAIN}workbookPr")
    return pr is not None and pr.get("date1904", "").lower() in {"1", "true"}


def odd_cells(xml: bytes) -> list[tuple[int, int, CellError]]:
    """Error cells and formula cells without a saved result, around each marker."""
    found: dict[tuple[int, int], CellError] = {}
    for marker in (_TYPE_ERROR, re.compile(rb"<f\b")):
        for hit in marker.finditer(xml):
            start = xml.rfind(b"<c", 0, hit.start() + 1)
            while start >= 0 and not _CELL_START.match(xml, start):
                start = xml.rfind(b"<c", 0, start)
            end = xml.find(b"</c>", hit.end())
            if start < 0 or end < 0:
                continue
            cell = xml[start : end + 4]
            ref = _REF.search(cell)
            if ref is None:
                continue
            key = (int(ref.group(2)) - 1, _column_index(ref.group(1)))
            if key in found:
                continue
            head = cell[: cell.find(b">") + 1]
            value = _VALUE.search(cell)
            saved = (value.group(1) or value.group(2) or b"") if value else b""
            if _TYPE_ERROR.search(head):
                text = unescape(saved.decode("utf-8", "replace")) or "#ERROR"
                found[key] = CellError(text)
            elif not saved:
                formula = _FORMULA.search(cell)
                if formula is None:
                    continue
                body = unescape((formula.group(1) or b"").decode("utf-8", "replace")).strip()
                found[key] = CellError(f"={body}" if body else "(shared formula)", formula=True)
    return [(r, c, err) for (r, c), err in sorted(found.items())]
