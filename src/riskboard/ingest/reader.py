"""Reading an untrusted workbook safely and fast.

Cells are read with python-calamine (Rust), which is ~9x faster than openpyxl's
read-only mode. Before calamine sees the file, the container is checked:

- it must be a zip (xlsx/xlsm/ods) or an OLE file (xls, or an encrypted xlsx);
- the zip's declared uncompressed sizes must stay under
  ``import.max_uncompressed_mb`` and no large part may claim an implausible
  compression ratio (a zip bomb is refused before anything is inflated; calamine
  itself refuses a part that inflates past its declared size);
- no XML part may carry a DTD or entity declarations (Excel never writes them; this
  is the billion-laughs guard, using defusedxml's exception types).

Every failure - zipfile, expat, defusedxml or calamine - becomes a RiskboardError
that names the file.
"""

from __future__ import annotations

import contextlib
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from types import TracebackType
from typing import Any
from xml.parsers import expat

import python_calamine
from defusedxml import (  # type: ignore[import-untyped]
    DefusedXmlException,
    DTDForbidden,
    EntitiesForbidden,
)

from riskboard.errors import RiskboardError

Cell = str | float | int | bool | date | datetime | time | timedelta
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
    name = path.name
    try:
        size = path.stat().st_size
        with path.open("rb") as fh:
            head = fh.read(8)
    except FileNotFoundError:
        raise RiskboardError("file not found", file=str(path)) from None
    except IsADirectoryError:
        raise RiskboardError("is a folder, not a workbook", file=name) from None
    except OSError as exc:
        raise RiskboardError(f"cannot read file: {exc.strerror or exc}", file=name) from None
    if size == 0:
        raise RiskboardError("empty file (0 bytes): not a workbook", file=name)
    if head.startswith(OLE_MAGIC):
        return "ole"
    if not head.startswith(ZIP_MAGIC):
        hint = None
        if path.suffix.lower() in {".csv", ".txt", ".tsv"}:
            hint = "save it from Excel as .xlsx and import that"
        raise RiskboardError(
            "not an Excel workbook (expected .xlsx, .xlsm, .xls or .ods)", file=name, hint=hint
        )
    _check_zip(path, max_uncompressed_mb)
    return "zip"


def _check_zip(path: Path, max_uncompressed_mb: int) -> None:
    name = path.name
    limit = max_uncompressed_mb * 1024 * 1024
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
            if len(infos) > MAX_PARTS:
                raise RiskboardError(
                    f"the zip holds {len(infos):,} parts (a workbook has a few dozen)",
                    file=name,
                )
            names = {i.filename for i in infos}
            if "[Content_Types].xml" not in names and "mimetype" not in names:
                raise RiskboardError(
                    "not an Excel workbook (a zip file without workbook parts)", file=name
                )
            total = 0
            for info in infos:
                if info.flag_bits & 0x1:
                    raise RiskboardError("the workbook's parts are encrypted", file=name)
                total += info.file_size
                if total > limit:
                    raise RiskboardError(
                        f"the workbook would inflate to over {max_uncompressed_mb} MiB"
                        f" (import.max_uncompressed_mb); possible zip bomb",
                        file=name,
                    )
                if info.file_size > RATIO_CHECK_BYTES and info.file_size > MAX_RATIO * max(
                    info.compress_size, 1
                ):
                    ratio = info.file_size // max(info.compress_size, 1)
                    raise RiskboardError(
                        f"part {info.filename} claims to inflate {ratio:,}x"
                        f" ({info.compress_size:,} -> {info.file_size:,} bytes); possible zip bomb",
                        file=name,
                    )
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
        raise RiskboardError(f"damaged or unsupported workbook: {exc}", file=name) from None
    except OSError as exc:
        raise RiskboardError(f"cannot read workbook: {exc}", file=name) from None


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
                    raise RiskboardError(
                        f"part {info.filename} has no XML content in its first"
                        f" {MAX_PROLOG_BYTES // 1024} KiB",
                        file=name,
                    )
            parser.Parse(b"", True)
    except _RootReached:
        return
    except DefusedXmlException as exc:
        kind = "entity declarations" if isinstance(exc, EntitiesForbidden) else "a DTD"
        raise RiskboardError(
            f"part {info.filename} contains {kind}, which Excel never writes"
            " (possible XML entity bomb)",
            file=name,
        ) from None
    except expat.ExpatError as exc:
        raise RiskboardError(
            f"damaged workbook: part {info.filename} is not well-formed XML ({exc})", file=name
        ) from None


def _calamine_error(exc: BaseException, name: str, sheet: str | None = None) -> RiskboardError:
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
    return RiskboardError(message, file=name, sheet=sheet)


def _reraise_fatal(exc: BaseException) -> None:
    if isinstance(exc, KeyboardInterrupt | SystemExit | MemoryError):
        raise exc


class WorkbookReader:
    """A checked, open workbook. Use as a context manager; sheets are read one at a time.

    Hidden sheets and chart/macro sheets are not data: they are listed in ``skipped``.
    """

    def __init__(self, path: Path, *, max_uncompressed_mb: int = 500) -> None:
        self.path = path
        self.name = path.name
        self.kind = check_container(path, max_uncompressed_mb)
        try:
            self._wb = python_calamine.CalamineWorkbook.from_path(str(path))
            metadata = self._wb.sheets_metadata
        except BaseException as exc:  # calamine raises its own types; pyo3 panics too
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
        with contextlib.suppress(python_calamine.CalamineError):
            self._wb.close()

    def read(self, sheet_name: str) -> Sheet:
        """All cells of one sheet, row numbers kept (leading empty rows are not dropped)."""
        try:
            sheet = self._wb.get_sheet_by_name(sheet_name)
            rows = sheet.to_python(skip_empty_area=False)
            merged = sheet.merged_cell_ranges or []
        except BaseException as exc:
            _reraise_fatal(exc)
            raise _calamine_error(exc, self.name, sheet_name) from None
        return Sheet(name=sheet_name, rows=rows, merged=list(merged))

    def sheets(self) -> Iterator[Sheet]:
        for name in self.sheet_names:
            yield self.read(name)
