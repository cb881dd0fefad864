"""Sheets given as header and rows (an early warning register), written the way
``workbooks`` writes a risk register: a merged title block, a bold header, the data
rows streamed by ``sheetxml`` and a footer, into reproducible bytes.

Used on their own (``write_raw_workbook``: an early warning register export) or beside
a risk register's sheets (``workbooks.write_workbook(extra_sheets=...)``: a mixed
workbook).
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from riskboard.sample.sheetxml import PendingRows, finish, probe_cells

_BOLD = Font(bold=True)
_WRAP = Alignment(wrap_text=True, vertical="top")


@dataclass(frozen=True)
class RawSheet:
    """One sheet: its name, the lines above the table, the header, rows and footer."""

    name: str
    header: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...]
    title_block: tuple[str, ...] = ()
    footer: tuple[str, ...] = ()


def add_raw_sheet(wb: Workbook, sheet: RawSheet) -> PendingRows:
    """Write the sheet's title block and header; its rows come in ``sheetxml.finish``."""
    ws = wb.create_sheet(re.sub(r"[\[\]:*?/\\]", "-", sheet.name)[:31])
    width = len(sheet.header)
    for i in range(1, width + 1):
        ws.column_dimensions[get_column_letter(i)].width = 18
    row = 0
    for line in sheet.title_block:
        row += 1
        cell = WriteOnlyCell(ws, line)
        cell.font = _BOLD
        ws.append([cell])
        ws.merged_cells.add(f"A{row}:{get_column_letter(width)}{row}")
    if sheet.title_block:
        ws.append([])
        row += 1
    header = []
    for text in sheet.header:
        cell = WriteOnlyCell(ws, text)
        cell.font = _BOLD
        cell.alignment = _WRAP
        header.append(cell)
    ws.append(header)
    row += 1
    ws.append(probe_cells(ws))
    row += 1
    rows = [list(r) for r in sheet.rows]
    return PendingRows(len(wb.worksheets), row, rows, sheet.footer)


def write_raw_workbook(path: str | Path, sheets: Sequence[RawSheet]) -> Path:
    """A workbook of ``sheets`` only (same input, same bytes)."""
    wb = Workbook(write_only=True)
    pending = [add_raw_sheet(wb, s) for s in sheets]
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    buf = io.BytesIO()
    wb.save(buf)
    finish(buf.getvalue(), pending, path)
    return path
