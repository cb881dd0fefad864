"""How many cells calamine would make of an .ods, found before it opens the file.

calamine (0.37) reads every table of ``content.xml`` when the workbook is opened - hidden
ones too - and repeats cells as the file says: ``table:number-columns-repeated`` on a
cell holding a value pushes that many copies, and ``table:number-rows-repeated`` copies
the row when the grid is built. An 850-byte .ods whose one cell is repeated 1,000
columns x 30,000 rows is 30 million cells: 3.2 GB, then the process aborts.

``scan_ods`` follows calamine's rules over ``content.xml`` with expat (streamed, never
whole; element names matched as calamine matches them, prefix and all) and returns,
per table, the grid from A1 to its farthest cell holding something, and how many cells
calamine pushes while reading (empty cells between values count; empty cells at the end
of a row do not). The reader refuses the workbook when either is over
``import.max_cells``. Cost: ~1.5 s per million cells (.ods exports are small; the
scan reads the XML once more).
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from xml.parsers import expat

from riskboard.ingest.sheet_scan import Extent

MAX_ROWS = 1_048_576  # calamine caps rows and columns at Excel's limits
MAX_COLUMNS = 16_384
CHUNK = 1 << 20
_CELLS = ("table:table-cell", "table:covered-table-cell")
# a cell with any of these holds something (calamine makes a value of it)
_VALUE_ATTRS = ("office:value", "office:string-value", "office:date-value",
                "office:time-value", "office:boolean-value", "office:value-type",
                "table:formula")  # fmt: skip


@dataclass
class OdsTable:
    name: str
    extent: Extent  # A1 to the farthest cell holding something
    pushed: int  # cells calamine holds while reading (before rows are repeated)
    filled: int  # cells holding something, repeats included


class _Over(Exception):
    pass


def scan_ods(zf: zipfile.ZipFile, *, limit: int) -> list[OdsTable]:
    """Every table of ``content.xml`` with its grid and the cells read; stops early once
    the tables together are over ``limit`` (the last table is then the one that tipped
    it). ValueError (expat's) if the XML is broken."""
    tables: list[OdsTable] = []
    st = _State()

    def start(name: str, attrs: dict[str, str]) -> None:
        if st.cell_depth:
            st.cell_depth += 1
            if st.cell_depth == 2:
                st.cell_has_content = True  # a <text:p> or any child: calamine reads it
            return
        if name == "table:table":
            st.begin(attrs.get("table:name", f"Sheet{len(tables) + 1}"))
        elif name == "table:table-row" and st.name is not None:
            st.begin_row(_count(attrs.get("table:number-rows-repeated")))
        elif name in _CELLS and st.in_row:
            st.cell_depth = 1
            st.cell_has_content = any(a in attrs for a in _VALUE_ATTRS)
            st.cell_repeats = _count(attrs.get("table:number-columns-repeated"))

    def end(name: str) -> None:
        if st.cell_depth:
            st.cell_depth -= 1
            if st.cell_depth == 0:
                st.end_cell()
            return
        if name == "table:table-row" and st.in_row:
            st.end_row()
        elif name == "table:table" and st.name is not None:
            tables.append(st.finish())
            if sum(t.extent.cells for t in tables) > limit or sum(t.pushed for t in tables) > limit:
                raise _Over

    def text(data: str) -> None:
        if st.cell_depth and data.strip():
            st.cell_has_content = True

    parser = expat.ParserCreate()  # no namespace processing: raw names, as calamine
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = text
    try:
        with zf.open("content.xml") as fh:
            while chunk := fh.read(CHUNK):
                parser.Parse(chunk, False)
            parser.Parse(b"", True)
    except _Over:
        pass
    return tables


def _count(value: str | None) -> int:
    try:
        return max(int(value), 1) if value else 1
    except ValueError:
        return 1  # calamine refuses the file for it: nothing to allocate


class _State:
    """The table being read, calamine's way."""

    def __init__(self) -> None:
        self.name: str | None = None
        self.in_row = False
        self.cell_depth = 0
        self.cell_has_content = False
        self.cell_repeats = 1

    def begin(self, name: str) -> None:
        self.name = name
        self.rows = 0  # rows so far, repeats included (capped at MAX_ROWS)
        self.pushed = 0
        self.far_row = 0  # 1-based row of the farthest row holding something
        self.far_col = 0
        self.filled = 0

    def begin_row(self, repeats: int) -> None:
        self.in_row = True
        self.row_repeats = min(repeats, MAX_ROWS - self.rows)
        self.row_cols = 0  # cells pushed in this row
        self.row_filled = 0
        self.row_empty = 0  # empty cells waiting: pushed only if a value follows
        self.row_far = 0

    def end_cell(self) -> None:
        # the empty cells waiting are pushed when any cell follows them
        self.row_cols += min(self.row_empty, MAX_COLUMNS - self.row_cols)
        self.row_empty = 0
        repeats = self.cell_repeats
        if not self.cell_has_content:
            self.row_empty = repeats
            return
        copies = min(repeats, MAX_COLUMNS - self.row_cols)
        self.row_cols += copies
        self.row_filled += copies
        if copies:
            self.row_far = self.row_cols

    def end_row(self) -> None:
        # an empty row's trailing empties are pushed only before a later cell
        self.pushed += self.row_cols
        self.filled += self.row_filled * self.row_repeats
        if self.row_far:
            self.far_row = self.rows + self.row_repeats
            self.far_col = max(self.far_col, self.row_far)
        self.rows += self.row_repeats
        self.in_row = False

    def finish(self) -> OdsTable:
        assert self.name is not None
        table = OdsTable(self.name, Extent(self.far_row, self.far_col), self.pushed, self.filled)
        self.name = None
        return table
