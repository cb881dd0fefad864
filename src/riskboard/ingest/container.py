"""What a file really is, from its bytes - never from its extension.

Councils rename files: an old Excel 97-2003 workbook arrives as ``.xlsx``, an .ods as
``.xls``, a web page or a CSV "saved as Excel" as ``.xls``. The reader is chosen by
content, and a file that is no workbook is refused with words that say what it is
("a web page (HTML) saved with an .xls name"), never "damaged zip".
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from riskboard.errors import RefusedWorkbook

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# what each kind of workbook is called, and the extensions it may carry
NAMES = {
    "xlsx": "an Excel workbook (.xlsx)",
    "xlsb": "an Excel binary workbook (.xlsb)",
    "ods": "an OpenDocument spreadsheet (.ods)",
    "xls": "an old Excel 97-2003 workbook (.xls)",
}
SUFFIXES = {
    "xlsx": (".xlsx", ".xlsm"),
    "xlsb": (".xlsb",),
    "ods": (".ods",),
    "xls": (".xls",),
}
_SAVE_AS = "save it from Excel as .xlsx (Excel Workbook) and import that"
_OLE_SCAN_BYTES = 64 * 1024 * 1024


@dataclass(frozen=True)
class Container:
    kind: str  # "xlsx", "xlsb", "ods" or "xls"
    mismatch: str | None = None  # e.g. "an old Excel 97-2003 workbook (.xls) named .xlsx"

    @property
    def name(self) -> str:
        return NAMES[self.kind]


def _utf16(name: str) -> bytes:
    return name.encode("utf-16-le")


def _ole_kind(fh: BinaryIO, name: str) -> str:
    """An OLE compound file: an .xls, an encrypted (password) .xlsx, or not a workbook."""
    fh.seek(0)
    data = fh.read(_OLE_SCAN_BYTES)
    if _utf16("EncryptedPackage") in data or _utf16("EncryptionInfo") in data:
        raise RefusedWorkbook(
            "the workbook is password-protected (encrypted); save an unprotected copy",
            file=name,
        )
    if _utf16("Workbook") in data or _utf16("Book") in data:
        return "xls"
    if _utf16("WordDocument") in data:
        what = "an old Word document (.doc)"
    elif _utf16("PowerPoint Document") in data:
        what = "an old PowerPoint file (.ppt)"
    else:
        what = "an Office file of another kind (no workbook inside)"
    raise RefusedWorkbook(f"not a workbook: it is {what}", file=name, hint=_SAVE_AS)


def _zip_kind(fh: BinaryIO, name: str) -> str:
    try:
        fh.seek(0)
        with zipfile.ZipFile(fh) as zf:
            names = set(zf.namelist())
            if "mimetype" in names:
                mimetype = zf.read("mimetype")[:200].decode("ascii", "replace").strip()
                if mimetype == "application/vnd.oasis.opendocument.spreadsheet":
                    return "ods"
                what = {
                    "application/vnd.oasis.opendocument.text": "an OpenDocument text (.odt)",
                    "application/vnd.oasis.opendocument.presentation": "an OpenDocument"
                    " presentation (.odp)",
                }.get(mimetype, f"an OpenDocument file of another kind ({mimetype})")
                raise RefusedWorkbook(f"not a workbook: it is {what}", file=name, hint=_SAVE_AS)
    except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError, EOFError):
        return "xlsx"  # the zip checks that follow say what is damaged
    if "xl/workbook.bin" in names:
        return "xlsb"
    if any(n.startswith("xl/") for n in names):
        return "xlsx"
    for prefix, what in (
        ("word/", "a Word document (.docx)"),
        ("ppt/", "a PowerPoint presentation (.pptx)"),
    ):
        if any(n.startswith(prefix) for n in names):
            raise RefusedWorkbook(f"not a workbook: it is {what}", file=name, hint=_SAVE_AS)
    if "[Content_Types].xml" not in names:
        raise RefusedWorkbook(
            "not an Excel workbook: it is a zip file without workbook parts", file=name
        )
    return "xlsx"


def _text_kind(head: bytes) -> str | None:
    """What a text file "saved as Excel" is, from its first bytes."""
    text = head.lstrip(b"\xef\xbb\xbf\xff\xfe \t\r\n").lower()
    if text.startswith(b"%pdf"):
        return "a PDF document"
    if text.startswith((b"<!doctype html", b"<html", b"<table", b"<meta", b"<head")):
        return "a web page (HTML) with an Excel name - what some systems call an Excel export"
    if text.startswith(b"<?xml"):
        if b"urn:schemas-microsoft-com:office:spreadsheet" in head:
            return "an Excel 2003 XML spreadsheet"
        return "an XML file"
    if text.startswith(b"{\\rtf"):
        return "a Rich Text (RTF) document"
    sample = head[:4096]
    if sample and b"\x00" not in sample:
        try:
            decoded = sample.decode("utf-8")
        except UnicodeDecodeError:
            decoded = sample.decode("latin-1")
        if sum(ch.isprintable() or ch in "\r\n\t" for ch in decoded) > 0.95 * len(decoded):
            sep = "," if decoded.count(",") >= decoded.count("\t") else "tab"
            return f"a text file ({'CSV' if sep == ',' else 'tab-separated'} or plain text)"
    return None


def identify(path: Path, head: bytes, fh: BinaryIO) -> Container:
    """The workbook kind of ``path`` by its bytes (``head``: its first bytes, at least 8;
    ``fh``: the file, already opened safely), and a note when its extension says
    otherwise. RefusedWorkbook naming what the file is when it is no workbook riskboard
    can read."""
    name = path.name
    if head.startswith(OLE_MAGIC):
        kind = _ole_kind(fh, name)
    elif head.startswith(ZIP_MAGIC):
        kind = _zip_kind(fh, name)
    else:
        fh.seek(0)
        sample = fh.read(8192)
        what = _text_kind(sample)
        if what is not None:
            raise RefusedWorkbook(f"not an Excel workbook: it is {what}", file=name, hint=_SAVE_AS)
        raise RefusedWorkbook(
            "not an Excel workbook (expected .xlsx, .xlsm, .xls or .ods content)",
            file=name,
            hint=_SAVE_AS,
        )
    suffix = path.suffix.lower()
    mismatch = None
    if suffix not in SUFFIXES[kind]:
        shown = suffix or "no extension"
        mismatch = f"{NAMES[kind]} named {shown}"
    return Container(kind, mismatch)
