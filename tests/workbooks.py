"""Test workbooks built in code (never committed binaries): small hand-made sheets with
openpyxl, and hostile files (zip bombs, entity bombs) for the reader's guards."""

from __future__ import annotations

import os
import struct
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import xlwt
from openpyxl import Workbook
from openpyxl.utils.datetime import CALENDAR_MAC_1904

Rows = Sequence[Sequence[Any]]


def write_xlsx(
    path: Path,
    sheets: dict[str, Rows],
    *,
    merges: dict[str, list[str]] | None = None,
    hidden: Sequence[str] = (),
    date1904: bool = False,
) -> Path:
    """A workbook with one sheet per entry (rows as given; None is an empty cell).
    openpyxl writes "#N/A", "#REF!" ... as Excel error cells and "=..." as formulas with
    no saved result; ``date1904`` puts the workbook in the 1904 date system."""
    wb = Workbook()
    if date1904:
        wb.epoch = CALENDAR_MAC_1904
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(list(row))
        for rng in (merges or {}).get(name, []):
            ws.merge_cells(rng)
        if name in hidden:
            ws.sheet_state = "hidden"
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def write_xls(path: Path, sheets: dict[str, Rows]) -> Path:
    """An old-format Excel 97-2003 (.xls, OLE) workbook, whatever ``path``'s extension."""
    wb = xlwt.Workbook()
    for name, rows in sheets.items():
        ws = wb.add_sheet(name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if value is not None:
                    ws.write(r, c, value)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as fh:
        wb.save(fh)
    return path


_ODS_MANIFEST = b"""<?xml version="1.0" encoding="UTF-8"?>
<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" \
manifest:version="1.2">
<manifest:file-entry manifest:full-path="/" manifest:media-type=\
"application/vnd.oasis.opendocument.spreadsheet"/>
<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>
</manifest:manifest>"""


def write_ods_sheets(path: Path, sheets: dict[str, Rows]) -> Path:
    """An OpenDocument spreadsheet of text and numbers, one table per entry, whatever
    ``path``'s extension (``write_ods`` below writes one table from raw row XML)."""
    from xml.sax.saxutils import escape, quoteattr

    tables = []
    for name, rows in sheets.items():
        body = []
        for row in rows:
            cells = []
            for value in row:
                if value is None:
                    cells.append("<table:table-cell/>")
                elif isinstance(value, int | float):
                    cells.append(
                        f'<table:table-cell office:value-type="float" office:value="{value}">'
                        f"<text:p>{value}</text:p></table:table-cell>"
                    )
                else:
                    cells.append(
                        '<table:table-cell office:value-type="string">'
                        f"<text:p>{escape(str(value))}</text:p></table:table-cell>"
                    )
            body.append(f"<table:table-row>{''.join(cells)}</table:table-row>")
        tables.append(f"<table:table table:name={quoteattr(name)}>{''.join(body)}</table:table>")
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"'
        ' xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"'
        ' xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        f"<office:body><office:spreadsheet>{''.join(tables)}</office:spreadsheet></office:body>"
        "</office:document-content>"
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")
        zf.writestr("META-INF/manifest.xml", _ODS_MANIFEST, zipfile.ZIP_DEFLATED)
        zf.writestr("content.xml", content.encode(), zipfile.ZIP_DEFLATED)
    return path


REGISTER_HEADER = [
    "Risk Ref", "Risk Title", "Service Annex", "Risk Owner", "Likelihood", "Impact",
    "Strategy", "Status", "Action", "Action Owner", "Due Date", "Last Updated",
]  # fmt: skip


def register_rows(month_day: str = "15/08/2022") -> list[list[Any]]:
    """A small one-row-per-action register with a title block and a footer."""
    return [
        ["Joint Contract Risk Register"],
        ["Report run: 31/08/2022"],
        [],
        REGISTER_HEADER,
        ["HM-001", "Potholes", "Highways", "Ann", 4, 4, "Treat", "Open",
         "Extra patching gang", "Bob", "30/09/2022", month_day],
        ["HM-001", "Potholes", "Highways", "Ann", 4, 4, "Treat", "Open",
         "Review inspection regime", "Cat", "31/07/2022", "01/07/2022"],
        ["SL-001", "Column failure", "Street Lighting", "Dev", 2, 3, "Tolerate", "Open",
         None, None, None, None],
        [],
        ["Total risks: 2"],
        ["End of report"],
    ]  # fmt: skip


def rezip(src: Path, dst: Path, replace: dict[str, bytes]) -> Path:
    """Copy a workbook's zip, replacing the named parts' contents."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            zout.writestr(info.filename, replace.get(info.filename, zin.read(info.filename)))
    return dst


def zip_bomb(path: Path, *, inflated_mb: int) -> Path:
    """A workbook whose sheet XML is padded with whitespace: tiny on disk, huge inflated."""
    base = write_xlsx(path.with_suffix(".base.xlsx"), {"Sheet": [["Risk Ref", "Title"]]})
    with zipfile.ZipFile(base) as zin, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                at = data.index(b"<sheetData>") + len(b"<sheetData>")
                with zout.open(info.filename, "w", force_zip64=True) as fh:
                    fh.write(data[:at])
                    chunk = b" " * (1 << 20)
                    for _ in range(inflated_mb):
                        fh.write(chunk)
                    fh.write(data[at:])
            else:
                zout.writestr(info.filename, data)
    base.unlink()
    return path


def understate_size(path: Path, part: str, declared: int) -> Path:
    """Patch a zip so ``part`` claims to inflate to only ``declared`` bytes."""
    data = bytearray(path.read_bytes())
    name = part.encode()
    for sig, name_len_at, size_at, header_len in (
        (b"PK\x03\x04", 26, 22, 30),
        (b"PK\x01\x02", 28, 24, 46),
    ):
        pos = 0
        while (pos := data.find(sig, pos)) >= 0:
            (n,) = struct.unpack_from("<H", data, pos + name_len_at)
            if data[pos + header_len : pos + header_len + n] == name:
                struct.pack_into("<I", data, pos + size_at, declared)
            pos += 4
    path.write_bytes(bytes(data))
    return path


BILLION_LAUGHS = (
    b'<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
    + b"".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'.encode()
        for i in range(1, 10)
    )
    + b"]>\n"
)


def entity_bomb(path: Path) -> Path:
    """A workbook whose sheet XML declares the "billion laughs" entities."""
    base = write_xlsx(
        path.with_suffix(".base.xlsx"), {"Sheet": [["Risk Ref", "Title"], ["R1", "x"]]}
    )
    with zipfile.ZipFile(base) as zin:
        sheet = zin.read("xl/worksheets/sheet1.xml")
    body = sheet.split(b"?>", 1)[-1].replace(b">x<", b">&lol9;<")
    rezip(base, path, {"xl/worksheets/sheet1.xml": BILLION_LAUGHS + body})
    base.unlink()
    return path


# ----------------------------------------------------------------- hostile sheets


def with_cell(path: Path, cell: str, value: Any = "x", *, sheet: str = "Register") -> Path:
    """``path`` with one more value at ``cell`` (e.g. XFD1048576) on ``sheet``."""
    from openpyxl import load_workbook

    wb = load_workbook(path)
    wb[sheet][cell] = value
    wb.save(path)
    return path


def sparse_register(path: Path, cell: str = "XFD1048576") -> Path:
    """The small register of ``register_rows`` with one stray value far away: a ~5 KB
    file whose grid from A1 to ``cell`` is billions of cells."""
    return with_cell(write_xlsx(path, {"Register": register_rows()}), cell)


def replace_sheet_data(
    path: Path, rows_xml: str, *, part: str = "xl/worksheets/sheet1.xml"
) -> Path:
    """``path`` with the <sheetData> of ``part`` replaced by ``rows_xml`` (raw XML)."""
    import re

    with zipfile.ZipFile(path) as zf:
        xml = zf.read(part).decode("utf-8")
    xml = re.sub(
        r"<sheetData>.*</sheetData>|<sheetData/>",
        lambda _: f"<sheetData>{rows_xml}</sheetData>",
        xml,
        flags=re.S,
    )
    tmp = path.with_suffix(".tmp.xlsx")
    path.rename(tmp)
    rezip(tmp, path, {part: xml.encode("utf-8")})
    tmp.unlink()
    return path


def split_bomb(
    path: Path, *, parts: int = 60, part_bytes: int = 8 * 1024 * 1024 - 4096, noise: int = 48_000
) -> Path:
    """A zip bomb split into ``parts`` worksheets of ~``part_bytes`` each - every part
    just under the per-part ratio check (8 MiB) - each one cell of text: ``noise`` hex
    digits (incompressible enough to keep each part near 230x) then filler. 60 parts:
    a ~2 MB file that would inflate to 480 MiB of cell text."""
    wb = Workbook()
    wb.remove(wb.active)
    for i in range(parts):
        wb.create_sheet(f"Annex {i + 1}").append(["Risk Ref", "Title"])
    base = path.with_suffix(".base.xlsx")
    wb.save(base)
    filler = b"A" * (1 << 20)
    with zipfile.ZipFile(base) as zin, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if not info.filename.startswith("xl/worksheets/sheet"):
                zout.writestr(info.filename, data)
                continue
            head, tail = data.split(b"</sheetData>")
            with zout.open(info.filename, "w") as fh:
                fh.write(head + b'<row r="2"><c r="B2" t="inlineStr"><is><t>')
                fh.write(os.urandom(noise // 2).hex().encode())
                left = part_bytes - len(head) - len(tail) - noise - 80
                while left > 0:
                    fh.write(filler[: min(left, len(filler))])
                    left -= len(filler)
                fh.write(b"</t></is></c></row></sheetData>" + tail)
    base.unlink()
    return path


def write_ods(path: Path, rows_xml: str) -> Path:
    """A minimal OpenDocument spreadsheet whose one table ("Register") has ``rows_xml``."""
    ns = (
        'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"'
    )
    content = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {ns} office:version="1.2">'
        '<office:body><office:spreadsheet><table:table table:name="Register">'
        f"{rows_xml}</table:table></office:spreadsheet></office:body></office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest'
        ' xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0">'
        '<manifest:file-entry manifest:full-path="/" manifest:media-type='
        '"application/vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry'
        ' manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>'
    )
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        zf.writestr("content.xml", content, compress_type=zipfile.ZIP_DEFLATED)
        zf.writestr("META-INF/manifest.xml", manifest, compress_type=zipfile.ZIP_DEFLATED)
    return path


def ods_cell(text: str, repeat: int = 1) -> str:
    rep = f' table:number-columns-repeated="{repeat}"' if repeat > 1 else ""
    return f'<table:table-cell office:value-type="string"{rep}><text:p>{text}</text:p></table:table-cell>'
