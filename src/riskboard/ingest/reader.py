"""Reading an untrusted workbook safely and fast.

Cells are read with python-calamine (Rust), which is ~9x faster than openpyxl's
read-only mode. Before calamine sees the file, the container is checked:

- it must be a zip (xlsx/xlsm/ods) or an OLE file (xls, or an encrypted xlsx);
- it must be a regular file (not a FIFO, a device or a link to one: ``ingest.regular``);
- the zip's declared uncompressed sizes must stay under
  ``import.max_uncompressed_mb``; neither a large part nor the parts together may
  claim an implausible compression ratio (a zip bomb, whole or split into many parts
  just under the per-part check, is refused before anything is inflated; calamine
  itself refuses a part that inflates past its declared size);
- no XML part may carry a DTD or entity declarations (Excel never writes them; this
  is the billion-laughs guard, using defusedxml's exception types).

Before calamine reads a sheet, its grid (A1 to the farthest filled cell, which calamine
allocates whole) is found from the sheet XML (``ingest.sheet_scan``) and refused over
``import.max_cells`` - for the sheet, and for the sheets read so far together -
naming the sheet and the far cell. Other formats are checked on calamine's own size
before any Python object is made.

Every failure - zipfile, expat, defusedxml or calamine - becomes a RefusedWorkbook
that names the file.
"""

from __future__ import annotations

import contextlib
import io
import os
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from types import TracebackType
from typing import Any, BinaryIO
from xml.parsers import expat

import python_calamine
from defusedxml import (  # type: ignore[import-untyped]
    DefusedXmlException,
    DTDForbidden,
    EntitiesForbidden,
)

from riskboard.errors import RefusedWorkbook, RiskboardError
from riskboard.ingest.book_parts import BookParts, PartsProblem, SharedStrings, book_parts
from riskboard.ingest.cellscan import CellError, calamine_safe, odd_cells, workbook_date1904
from riskboard.ingest.container import identify
from riskboard.ingest.limits import Limits, check_ods, check_xls, too_big, too_much_text
from riskboard.ingest.regular import open_regular
from riskboard.ingest.sheet_scan import (
    Extent,
    count_cells,
    part_chunks,
    scan_sheet,
    shared_string_uses,
    whole_tags,
)
from riskboard.safe_text import strip_controls

Cell = str | float | int | bool | date | datetime | time | timedelta | CellError
Row = list[Any]
Merged = list[tuple[tuple[int, int], tuple[int, int]]]

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".xlsb", ".ods")

# A part larger than this (declared) must not claim to compress better than MAX_RATIO:1.
# Real sheet XML compresses 5-40x; deflate's ceiling is ~1030x, which is what bombs use.
RATIO_CHECK_BYTES = 8 * 1024 * 1024
MAX_RATIO = 250
MAX_PARTS = 10_000
DEFAULT_MAX_CELLS = 3_000_000
DEFAULT_MAX_TEXT_MB = 128
# the XML prolog (before the root element) of an Excel part is a few dozen bytes
MAX_PROLOG_BYTES = 64 * 1024
_XML_SUFFIXES = (".xml", ".rels", ".vml")


@dataclass
class Sheet:
    """One worksheet's cells. ``rows[i][j]`` is Excel row i+1, column j+1; empty is ''."""

    name: str
    rows: list[Row]
    merged: Merged = field(default_factory=list)


class _RootReached(Exception):
    """Internal: the XML prolog is over (the root element started)."""


def check_container(path: Path, max_uncompressed_mb: int) -> str:
    """Refuse anything that is not a safe workbook; returns "zip" or "ole"."""
    with open_regular(path) as fh:
        return _check_container(fh, path, max_uncompressed_mb)


def _check_container(fh: BinaryIO, path: Path, max_uncompressed_mb: int) -> str:
    name = path.name
    try:
        size = os.fstat(fh.fileno()).st_size
        fh.seek(0)
        head = fh.read(8)
    except OSError as exc:
        raise RefusedWorkbook(f"cannot read file: {exc.strerror or exc}", file=name) from None
    if size == 0:
        raise RefusedWorkbook("empty file (0 bytes): not a workbook", file=name)
    # what the file is, by its bytes: a file that is no workbook is refused in words that
    # say what it is (a web page, a CSV, a PDF, a Word document...)
    identify(path, head, fh)
    if head.startswith(OLE_MAGIC):
        return "ole"
    _check_zip(fh, name, max_uncompressed_mb)
    return "zip"


def _check_zip(fh: BinaryIO, name: str, max_uncompressed_mb: int) -> None:
    limit = max_uncompressed_mb * 1024 * 1024
    try:
        fh.seek(0)
        with zipfile.ZipFile(fh) as zf:
            infos = zf.infolist()
            if len(infos) > MAX_PARTS:
                raise RefusedWorkbook(
                    f"the zip holds {len(infos):,} parts (a workbook has a few dozen)",
                    file=name,
                )
            names = {i.filename for i in infos}
            if "[Content_Types].xml" not in names and "mimetype" not in names:
                raise RefusedWorkbook(
                    "not an Excel workbook (a zip file without workbook parts)", file=name
                )
            total = 0
            for info in infos:
                if info.flag_bits & 0x1:
                    raise RefusedWorkbook("the workbook's parts are encrypted", file=name)
                total += info.file_size
                if total > limit:
                    raise RefusedWorkbook(
                        f"the workbook would inflate to over {max_uncompressed_mb} MiB"
                        f" (import.max_uncompressed_mb); possible zip bomb",
                        file=name,
                    )
                if info.file_size > RATIO_CHECK_BYTES and info.file_size > MAX_RATIO * max(
                    info.compress_size, 1
                ):
                    ratio = info.file_size // max(info.compress_size, 1)
                    raise RefusedWorkbook(
                        f"part {info.filename} claims to inflate {ratio:,}x"
                        f" ({info.compress_size:,} -> {info.file_size:,} bytes); possible zip bomb",
                        file=name,
                    )
            _check_total_ratio(infos, total, name)
            for info in infos:
                if info.filename.lower().endswith(_XML_SUFFIXES) and info.file_size:
                    _check_xml_prolog(zf, info, name)
    except RiskboardError:
        raise
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        zlib.error,
        NotImplementedError,
        EOFError,
        ValueError,
    ) as exc:
        raise RefusedWorkbook(f"damaged or unsupported workbook: {exc}", file=name) from None
    except OSError as exc:
        raise RefusedWorkbook(f"cannot read workbook: {exc}", file=name) from None


def _check_total_ratio(infos: list[zipfile.ZipInfo], total: int, name: str) -> None:
    """The parts together must not claim an implausible ratio either: a bomb split into
    many parts, each just under RATIO_CHECK_BYTES, passes the per-part check."""
    compressed = sum(i.compress_size for i in infos)
    if total > RATIO_CHECK_BYTES and total > MAX_RATIO * max(compressed, 1):
        raise RefusedWorkbook(
            f"its {len(infos)} parts claim to inflate {total // max(compressed, 1):,}x"
            f" together ({compressed:,} -> {total:,} bytes); possible zip bomb",
            file=name,
        )


def _check_xml_prolog(zf: zipfile.ZipFile, info: zipfile.ZipInfo, name: str) -> None:
    """Refuse a DTD or entity declaration before the part's root element (expat, as
    defusedxml does it); stop reading at the root element so big sheets cost nothing."""
    parser = expat.ParserCreate()

    def doctype(doc_name: str, sysid: str | None, pubid: str | None, _subset: int) -> None:
        raise DTDForbidden(doc_name, sysid, pubid)

    def entity(ent: str, _pe: int, value: str | None, base: str | None, sysid: str | None,
               pubid: str | None, notation: str | None) -> None:  # fmt: skip
        raise EntitiesForbidden(ent, value, base, sysid, pubid, notation)

    def root(_tag: str, _attrs: dict[str, str]) -> None:
        raise _RootReached

    parser.StartDoctypeDeclHandler = doctype
    parser.EntityDeclHandler = entity
    parser.StartElementHandler = root
    read = 0
    try:
        with zf.open(info) as fh:
            while chunk := fh.read(4096):
                read += len(chunk)
                parser.Parse(chunk, False)
                if read > MAX_PROLOG_BYTES:
                    raise RefusedWorkbook(
                        f"part {info.filename} has no XML content in its first"
                        f" {MAX_PROLOG_BYTES // 1024} KiB",
                        file=name,
                    )
            parser.Parse(b"", True)
    except _RootReached:
        return
    except DefusedXmlException as exc:
        kind = "entity declarations" if isinstance(exc, EntitiesForbidden) else "a DTD"
        raise RefusedWorkbook(
            f"part {info.filename} contains {kind}, which Excel never writes"
            " (possible XML entity bomb)",
            file=name,
        ) from None
    except expat.ExpatError as exc:
        raise RefusedWorkbook(
            f"damaged workbook: part {info.filename} is not well-formed XML ({exc})", file=name
        ) from None


def _calamine_error(exc: BaseException, name: str, sheet: str | None = None) -> RefusedWorkbook:
    if isinstance(exc, python_calamine.PasswordError):
        message = "the workbook is password-protected; save an unprotected copy"
    else:
        text = str(exc).strip() or type(exc).__name__
        if "larger than its declared" in text:
            message = "a part inflates past its declared size (possible zip bomb)"
        elif isinstance(exc, python_calamine.XmlError):
            message = f"damaged or unsafe workbook XML: {text}"
        elif isinstance(exc, python_calamine.ZipError):
            message = f"damaged workbook (zip): {text}"
        else:
            message = f"cannot read workbook: {text}"
    return RefusedWorkbook(message, file=name, sheet=sheet)


def _reraise_fatal(exc: BaseException) -> None:
    if isinstance(exc, KeyboardInterrupt | SystemExit | MemoryError):
        raise exc


class WorkbookReader:
    """A checked, open workbook. Use as a context manager; sheets are read one at a time.

    Hidden sheets and chart/macro sheets are not data: they are listed in ``skipped``.
    ``max_cells`` bounds the grid of each sheet read and of all of them together.
    """

    def __init__(
        self,
        path: Path,
        *,
        max_uncompressed_mb: int = 200,
        max_cells: int = DEFAULT_MAX_CELLS,
        max_text_mb: int = DEFAULT_MAX_TEXT_MB,
    ) -> None:
        self.path = path
        self.name = path.name
        self.max_cells = max_cells
        self.limits = Limits(self.name, max_cells, max_text_mb * 1024 * 1024)
        self._fh = open_regular(path)  # for the checks and the sheet scans
        self._zip: zipfile.ZipFile | None = None
        self._book = BookParts()
        self._strings: SharedStrings | None = None
        self._calamine_fh: BinaryIO | None = None
        self.date1904 = False  # the workbook's date system (xlsx: workbookPr date1904)
        self._marked: dict[str, bool] = {}  # sheet -> may hold error / formula cells
        try:
            self.kind = _check_container(self._fh, path, max_uncompressed_mb)
            self._fh.seek(0)
            self.container = identify(path, self._fh.read(8), self._fh)
            self.limits.file_size = os.fstat(self._fh.fileno()).st_size
            if self.kind == "zip":
                self._fh.seek(0)
                self._zip = zipfile.ZipFile(self._fh)
                self._before_calamine_zip(self._zip)
            else:
                check_xls(self._fh, self.limits)  # calamine reads every sheet at once
            # calamine reads its own handle, checked like the first (the same file)
            self._calamine_fh = open_regular(path)
            if os.fstat(self._calamine_fh.fileno()).st_ino != os.fstat(self._fh.fileno()).st_ino:
                raise RefusedWorkbook("was replaced while being read", file=self.name)
        except BaseException:
            self.close()
            raise
        try:
            self._wb = python_calamine.CalamineWorkbook.from_filelike(self._calamine_fh)
            metadata = self._wb.sheets_metadata
        except BaseException as exc:  # calamine raises its own types; pyo3 panics too
            self.close()
            _reraise_fatal(exc)
            raise _calamine_error(exc, self.name) from None
        self.sheet_names: list[str] = []
        self.skipped: list[tuple[str, str]] = []
        for meta in metadata:
            if meta.typ != python_calamine.SheetTypeEnum.WorkSheet:
                self.skipped.append((meta.name, "not a worksheet"))
            elif meta.visible != python_calamine.SheetVisibleEnum.Visible:
                self.skipped.append((meta.name, "hidden"))
            else:
                self.sheet_names.append(meta.name)

    @property
    def cells_read(self) -> int:
        return self.limits.cells_read

    def _before_calamine_zip(self, zf: zipfile.ZipFile) -> None:
        """What must hold before calamine opens a zip workbook: an .ods's tables are all
        read at once, so they are bounded now; an .xlsx's parts must be the ones calamine
        will read (its sheets are scanned one by one in ``read``)."""
        if self.container.kind == "ods":
            check_ods(zf, self.limits)
            return
        if self.container.kind != "xlsx":
            return  # .xlsb: calamine's own size is checked before any Python cell
        try:
            self._book = book_parts(zf)
        except PartsProblem as exc:
            raise RefusedWorkbook(
                f"{exc}: the workbook is malformed or hostile; refused", file=self.name
            ) from None
        self.date1904 = workbook_date1904(zf)
        self._shared_strings()  # calamine reads them when it opens the workbook

    def __enter__(self) -> WorkbookReader:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        wb = getattr(self, "_wb", None)
        if wb is not None:
            with contextlib.suppress(python_calamine.CalamineError):
                wb.close()
        for handle in (self._zip, self._calamine_fh, self._fh):
            if handle is not None:
                with contextlib.suppress(OSError):
                    handle.close()

    def read(self, sheet_name: str) -> Sheet:
        """All cells of one sheet, row numbers kept (leading empty rows are not dropped).

        Refused (RefusedWorkbook naming the sheet and its farthest cell) if its grid -
        A1 to that cell - is over ``max_cells``, alone or with the sheets read before,
        or if the text its cells would copy from the shared strings is over
        ``max_text_mb``."""
        budget = self.limits.cells_left
        self._check_scan(sheet_name, budget)
        try:
            grid, rows, merged = self._calamine_sheet(self._wb, sheet_name, budget)
        except RiskboardError:
            raise
        except BaseException as exc:
            _reraise_fatal(exc)
            if (
                "unsupported cell error value" not in str(exc).casefold()
                or self._zip is None
                or self.container.kind != "xlsx"
            ):
                raise _calamine_error(exc, self.name, sheet_name) from None
            grid, rows, merged = self._read_without_new_errors(sheet_name, budget)
        self.limits.cells_read += grid.cells
        if self._marked.get(sheet_name):
            self._mark_odd_cells(sheet_name, rows)
        return Sheet(name=strip_controls(sheet_name), rows=rows, merged=list(merged))

    def _calamine_sheet(
        self, wb: python_calamine.CalamineWorkbook, sheet_name: str, budget: int
    ) -> tuple[Extent, list[Row], list[Any]]:
        sheet = wb.get_sheet_by_name(sheet_name)
        end = sheet.end
        grid = Extent(end[0] + 1, end[1] + 1) if end else Extent(0, 0)
        if grid.cells > budget:
            raise too_big(self.limits, sheet_name, grid, budget)
        rows: list[Row] = sheet.to_python(skip_empty_area=False)
        return grid, rows, list(sheet.merged_cell_ranges or [])

    def _read_without_new_errors(
        self, sheet_name: str, budget: int
    ) -> tuple[Extent, list[Row], list[Any]]:
        """A sheet with an error calamine does not know (#SPILL!, #CALC!): read from a
        copy in memory where those are #N/A; the error scan then shows the real text."""
        assert self._zip is not None
        part = self._book.sheets[sheet_name].filename
        copy = io.BytesIO()
        try:
            with zipfile.ZipFile(copy, "w", zipfile.ZIP_DEFLATED) as out:
                for info in self._zip.infolist():
                    data = self._zip.read(info)
                    out.writestr(
                        info.filename, calamine_safe(data) if info.filename == part else data
                    )
            copy.seek(0)
            wb = python_calamine.CalamineWorkbook.from_filelike(copy)
            try:
                return self._calamine_sheet(wb, sheet_name, budget)
            finally:
                wb.close()
        except RiskboardError:
            raise
        except BaseException as exc:
            _reraise_fatal(exc)
            raise _calamine_error(exc, self.name, sheet_name) from None

    def _mark_odd_cells(self, sheet_name: str, rows: list[Row]) -> None:
        """Put a ``CellError`` where calamine read an Excel error or a formula with no
        saved result as an empty cell (issue 9: nothing silently blank)."""
        assert self._zip is not None
        try:
            found = odd_cells(self._zip.read(self._book.sheets[sheet_name]))
        except (KeyError, zipfile.BadZipFile, zlib.error, OSError) as exc:
            raise RefusedWorkbook(
                f"damaged workbook: {exc}", file=self.name, sheet=sheet_name
            ) from None
        width = len(rows[0]) if rows else 0
        for r, c, err in found:
            if r >= len(rows) or c >= width:
                continue  # outside the grid calamine read: it holds no value of the table
            if rows[r][c] == "":  # calamine read it as empty
                rows[r][c] = err

    def _check_scan(self, sheet_name: str, budget: int) -> None:
        """For an .xlsx: the sheet's grid and text from its XML, before calamine sees it."""
        if self._zip is None or self.container.kind != "xlsx":
            return
        info = self._book.sheets.get(sheet_name)
        if info is None:
            raise RefusedWorkbook(
                "cannot tell which part of the workbook holds this sheet: the workbook is"
                " malformed or hostile; refused",
                file=self.name,
                sheet=sheet_name,
            )
        try:
            extent = scan_sheet(self._fh, self._zip, info, limit=budget)
            self._marked[sheet_name] = extent.marked
            if extent.cells > budget:
                present = count_cells(self._fh, self._zip, info)
                raise too_big(self.limits, sheet_name, extent, budget, present)
            self._check_text(sheet_name, info, extent)
        except RiskboardError:
            raise
        except (KeyError, zipfile.BadZipFile, zlib.error, expat.ExpatError, OSError) as exc:
            raise RefusedWorkbook(
                f"damaged workbook: {exc}", file=self.name, sheet=sheet_name
            ) from None

    def _check_text(self, sheet_name: str, info: zipfile.ZipInfo, extent: Extent) -> None:
        """The shared strings the sheet's cells would copy, with the sheets read before,
        within ``max_text_mb``: a bound first (its cells x the longest string); only when
        that is over, the sheet's uses of each string are counted (~0.1 s at 50k rows)."""
        strings = self._shared_strings()
        if strings is None or not strings.sizes:
            return
        left = self.limits.text_left
        cells = extent.cells if extent.values is None else min(extent.values, extent.cells)
        bound = cells * strings.largest
        if bound <= left:
            self.limits.text_read += bound
            return
        assert self._zip is not None
        sizes = strings.sizes
        uses = {
            i: n for i, n in shared_string_uses(self._fh, self._zip, info).items() if i < len(sizes)
        }
        text = sum(sizes[i] * n for i, n in uses.items())
        if text > left:
            worst = max(((sizes[i], n) for i, n in uses.items()), key=lambda sn: sn[0] * sn[1])
            raise too_much_text(self.limits, sheet_name, text, worst)
        self.limits.text_read += text

    def _shared_strings(self) -> SharedStrings | None:
        if self._strings is None and self._zip is not None and self._book.shared_strings:
            from riskboard.ingest.book_parts import shared_string_sizes

            chunks = whole_tags(part_chunks(self._fh, self._zip, self._book.shared_strings))
            self._strings = shared_string_sizes(chunks)
            self.limits.check_declared_strings(self._strings)
        return self._strings

    def sheets(self) -> Iterator[Sheet]:
        for name in self.sheet_names:
            yield self.read(name)
