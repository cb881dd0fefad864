"""Styled tables in openpyxl sheets: header row, frozen panes, autofilter, real dates,
UK number formats, RAG fills and widths that fit the content.

Works on write-only sheets (rows are appended once, styles set per cell) and on normal
sheets alike; every value goes through :func:`safe_write.set_text`, so text is never
written as a formula.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from copy import copy
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal

from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.styles.cell_style import StyleArray
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from riskboard.config import Config
from riskboard.domain import upper_first
from riskboard.reports.safe_write import is_plain, set_text

UK_DATE = "dd/mm/yyyy"
GBP = '"£"#,##0;[Red]-"£"#,##0'
PERCENT = "0%"

Kind = Literal["text", "wrap", "int", "date", "gbp", "pct", "rag", "score"]

HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="1F4E78")
TITLE_FONT = Font(bold=True, size=14)
BOLD = Font(bold=True)
WRAP = Alignment(wrap_text=True, vertical="top")
WRAP_PLAIN = Alignment(wrap_text=True)
COMPACT_ROWS = 500  # tables longer than this are written compact (see SheetWriter.value)
TOP = Alignment(vertical="top")
CENTRE = Alignment(horizontal="center", vertical="center")
THIN = Side(style="thin", color="808080")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)

_MAX_WIDTH = {"wrap": 60, "text": 40}
_SAMPLE_ROWS = 300  # rows looked at when fitting a column's width


@dataclass(frozen=True)
class Column:
    """One column of a table: its header, what it holds and (optionally) a fixed width."""

    header: str
    kind: Kind = "text"
    width: float | None = None


def as_date(value: object) -> date | None:
    """An ISO text date (or date) as a ``date``; anything else None."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


class RagPalette:
    """Fills and labels for the configured scoring bands."""

    def __init__(self, config: Config) -> None:
        self._config = config
        self._fills = {
            b.name.lower(): PatternFill("solid", fgColor=b.colour.upper())
            for b in config.scoring.effective_bands()
        }

    def bands(self) -> list[str]:
        """Band names, lowest first."""
        return [b.name for b in self._config.scoring.effective_bands()]

    def fill_for_band(self, name: str | None) -> PatternFill | None:
        return self._fills.get((name or "").lower())

    def fill_for_score(self, score: int | None) -> PatternFill | None:
        band = self._config.scoring.band(score)
        return self._fills.get(band.name.lower()) if band else None

    @staticmethod
    def label(name: str | None) -> str | None:
        return upper_first(name) if name else None


def _display_len(value: object, kind: Kind) -> int:
    if value is None:
        return 0
    if kind == "date":
        return 10
    if kind == "gbp" and isinstance(value, int | float):
        return len(f"£{value:,.0f}")
    text = str(value)
    return max((len(line) for line in text.splitlines()), default=0)


def fit_widths(columns: Sequence[Column], rows: Sequence[Sequence[object]]) -> list[float]:
    """Column widths from the header and the first rows' content, capped per kind."""
    widths = []
    for i, col in enumerate(columns):
        if col.width is not None:
            widths.append(col.width)
            continue
        longest = max(
            [len(col.header) + 2] + [_display_len(r[i], col.kind) for r in rows[:_SAMPLE_ROWS]]
        )
        cap = _MAX_WIDTH.get(col.kind, 30)
        widths.append(float(min(max(longest + 2, 8), cap)))
    return widths


class SheetWriter:
    """Appends rows to one sheet and knows which row it is on (write-only sheets don't).

    Styles are resolved once per combination and copied onto each cell: assigning a
    Font or Fill to an openpyxl cell hashes it against the workbook's style table
    every time, which dominated the time to write a 5,000-row register.
    """

    def __init__(self, ws: Any, palette: RagPalette) -> None:
        self.ws = ws
        self.palette = palette
        self.row = 0
        self.compact = False
        self._styles: dict[tuple[object, ...], tuple[StyleArray, tuple[object, ...]]] = {}

    def _style(
        self,
        font: Font | None,
        fill: PatternFill | None,
        alignment: Alignment | None,
        number_format: str | None,
        border: Border | None,
    ) -> StyleArray:
        key = (id(font), id(fill), id(alignment), number_format, id(border))
        hit = self._styles.get(key)
        if hit is None:
            template = WriteOnlyCell(self.ws)
            if font is not None:
                template.font = font
            if fill is not None:
                template.fill = fill
            if alignment is not None:
                template.alignment = alignment
            if number_format is not None:
                template.number_format = number_format
            if border is not None:
                template.border = border
            # keep the style objects alive so their ids stay theirs
            hit = self._styles[key] = (template._style, (font, fill, alignment, border))
        return hit[0]

    def cell(
        self,
        value: object,
        *,
        font: Font | None = None,
        fill: PatternFill | None = None,
        alignment: Alignment | None = None,
        number_format: str | None = None,
        border: Border | None = None,
    ) -> Cell:
        """A cell holding ``value`` (text always plain text; dates shown dd/mm/yyyy)."""
        is_date = isinstance(value, date)
        if is_date and number_format is None:
            number_format = UK_DATE
        cell = WriteOnlyCell(self.ws)
        if font or fill or alignment or number_format or border:
            cell._style = copy(self._style(font, fill, alignment, number_format, border))
        if is_date:
            cell._value = value  # (the value setter would reset the number format)
            cell.data_type = "d"
        else:
            set_text(cell, value)
        return cell

    def append(self, cells: Sequence[object]) -> int:
        """Append one row (cells or plain values, text made safe); return its number."""
        self.ws.append([c if isinstance(c, Cell) or is_plain(c) else self.cell(c) for c in cells])
        self.row += 1
        return self.row

    def title(self, text: str) -> int:
        return self.append([self.cell(text, font=TITLE_FONT)])

    def blank(self) -> int:
        return self.append([])

    def widths(self, widths: Sequence[float]) -> None:
        """Set column widths (on a write-only sheet: before the first row)."""
        for i, width in enumerate(widths, start=1):
            self.ws.column_dimensions[get_column_letter(i)].width = width

    def value(self, value: object, kind: Kind) -> object:
        """One data cell of the given kind: dates real dates, RAG and scores filled.

        In a compact table, cells that need no style are passed to openpyxl as plain
        values when openpyxl would store them unchanged (see ``safe_write.is_plain``).
        """
        palette = self.palette
        top = None if self.compact else TOP
        if kind == "date":
            d = as_date(value)
            return self.cell(d if d else value, number_format=UK_DATE, alignment=top)
        if kind == "gbp":
            return self.cell(value, number_format=GBP, alignment=top)
        if kind == "pct":
            return self.cell(value, number_format=PERCENT, alignment=top)
        if kind == "rag":
            name = value if isinstance(value, str) else None
            return self.cell(
                palette.label(name), fill=palette.fill_for_band(name), font=BOLD, alignment=top
            )
        if kind == "score":
            score = value if isinstance(value, int) else None
            return self.cell(value, fill=palette.fill_for_score(score), alignment=top)
        if kind == "wrap":
            return self.cell(value, alignment=WRAP_PLAIN if self.compact else WRAP)
        if self.compact and is_plain(value):
            return value
        return self.cell(value, alignment=top)

    def table(
        self,
        columns: Sequence[Column],
        rows: Sequence[Sequence[object]],
        *,
        freeze: bool = False,
        autofilter: bool = True,
    ) -> int:
        """Append a header row and the data rows; return the header's row number.

        ``freeze`` keeps everything down to the header in view; on a write-only sheet
        it must be set before the first row, so only use it when the table comes first
        or the caller has already frozen the panes.
        """
        header_row = self.row + 1
        # big tables: plain cells unstyled (Excel's default bottom alignment throughout)
        self.compact = len(rows) > COMPACT_ROWS
        if freeze:
            self.ws.freeze_panes = f"A{header_row + 1}"
        self.append(
            [self.cell(c.header, font=HEADER_FONT, fill=HEADER_FILL, alignment=WRAP)
             for c in columns]
        )  # fmt: skip
        for row in rows:
            self.append([self.value(v, c.kind) for v, c in zip(row, columns, strict=True)])
        if autofilter and columns:
            last = get_column_letter(len(columns))
            self.ws.auto_filter.ref = f"A{header_row}:{last}{header_row + max(len(rows), 1)}"
        return header_row

    def pairs(self, pairs: Iterable[tuple[str, object]]) -> None:
        """Append ``label | value`` rows with the label in bold."""
        for label, value in pairs:
            self.append(
                [self.cell(label, font=BOLD, alignment=TOP), self.cell(value, alignment=WRAP)]
            )


def print_setup(ws: Any, header_row: int | None = None) -> None:
    """Print the sheet landscape on A4, fitted to the page width (as many pages long as
    it needs), with the table's header row repeated at the top of every page. On a
    write-only sheet call it before the first row."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    if header_row is not None:
        ws.print_title_rows = f"{header_row}:{header_row}"


def table_sheet(
    wb: Any,
    name: str,
    columns: Sequence[Column],
    rows: Sequence[Sequence[object]],
    palette: RagPalette,
    *,
    title: str | None = None,
) -> SheetWriter:
    """A new sheet holding one table: fitted widths, optional title, header frozen,
    autofilter on, printed landscape fitted to the page width with the header row on
    every page. Works in write-only workbooks."""
    out = SheetWriter(wb.create_sheet(name), palette)
    out.widths(fit_widths(columns, rows))
    header_row = 3 if title else 1
    out.ws.freeze_panes = f"A{header_row + 1}"
    print_setup(out.ws, header_row)
    if title:
        out.title(title)
        out.blank()
    out.table(columns, rows)
    return out
