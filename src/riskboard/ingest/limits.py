"""The import limits on one workbook, and what a refusal under them says.

Two budgets are kept for the whole workbook, over all the sheets calamine reads:

- cells: the grid of each sheet from A1 to its farthest value (``import.max_cells``);
- text: the bytes of shared-string text the cells would copy (``import.max_text_mb``;
  one 7 MiB shared string used by 3,000 cells is 21 GB to the reader).

A refusal says which cause it is: a table larger than the limit (raise the limit if the
register really is that large), stray values far from the table (delete them), or a
file whose claims are out of all proportion to its size (malformed or hostile: refused,
with no suggestion to raise anything).
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from typing import TYPE_CHECKING, BinaryIO
from xml.parsers import expat

from riskboard.errors import RefusedWorkbook, Remedy
from riskboard.ingest.sheet_scan import Extent, column_letters

if TYPE_CHECKING:
    from riskboard.ingest.book_parts import SharedStrings

MIB = 1024 * 1024
# a file holding fewer than 1 filled cell in this many of its grid is not a table
STRAY_RATIO = 10
# more cells than this per byte of file: no real export is written that way
HOSTILE_CELLS_PER_BYTE = 1_000
HOSTILE = "the workbook is malformed or hostile; refused"


@dataclass
class Limits:
    file: str
    max_cells: int
    max_text: int  # bytes
    file_size: int = 0
    cells_read: int = 0
    text_read: int = 0

    @property
    def cells_left(self) -> int:
        return self.max_cells - self.cells_read

    @property
    def text_left(self) -> int:
        return self.max_text - self.text_read

    def check_declared_strings(self, strings: SharedStrings) -> None:
        """calamine reserves room for the count of shared strings the part declares:
        a count far beyond the strings present is refused (it can abort the reader)."""
        if strings.declared > len(strings.sizes) + 1_000_000:
            raise RefusedWorkbook(
                f"its shared strings claim to number {strings.declared:,} but"
                f" {len(strings.sizes):,} are there: {HOSTILE}",
                file=self.file,
            )


def too_big(
    limits: Limits, sheet: str, extent: Extent, budget: int, present: int | None = None
) -> RefusedWorkbook:
    """The refusal of a sheet whose grid is over the cells left in the budget."""
    far = extent.far_cell
    what = (
        f"its cells reach {far}: from A1 that is {extent.rows:,} rows x"
        f" {extent.columns:,} columns = {extent.cells:,} cells"
    )
    if budget < limits.max_cells:
        what += (
            f", and the sheets read before it hold {limits.cells_read:,};"
            f" together over import.max_cells ({limits.max_cells:,})"
        )
    else:
        what += f", over import.max_cells ({limits.max_cells:,})"
    dense = present is not None and present * STRAY_RATIO >= extent.cells
    if present is not None:
        what += f"; {'' if dense else 'only '}{present:,} cells are filled in"
    if extent.declared and extent.declared not in (far, f"A1:{far}"):
        what += f" (the sheet declares its used range as {extent.declared})"
    if dense and limits.file_size and extent.cells > HOSTILE_CELLS_PER_BYTE * limits.file_size:
        fix = f" from a file of {limits.file_size:,} bytes (cells repeated by the file); {HOSTILE}"
        return RefusedWorkbook(what + fix, file=limits.file, sheet=sheet)
    if dense:
        fix = (
            " - the table itself is that large: raise import.max_cells in config.toml if"
            " the register really holds that much"
        )
    else:
        fix = (
            " - delete the stray cells far from the table (in Excel, Ctrl+End shows the last"
            " cell) and export it again, or raise import.max_cells in config.toml"
        )
    return RefusedWorkbook(
        what + fix,
        file=limits.file,
        sheet=sheet,
        row=extent.rows,
        column=column_letters(extent.columns),
        remedy=Remedy.RAISE_LIMIT,
    )


def too_much_text(limits: Limits, sheet: str, text: int, worst: tuple[int, int]) -> RefusedWorkbook:
    size, uses = worst
    before = (
        f" (with the {limits.text_read // MIB:,} MiB of the sheets read before)"
        if limits.text_read
        else ""
    )
    return RefusedWorkbook(
        f"its cells would hold {text / MIB:,.0f} MiB of text{before}, over the"
        f" {limits.max_text // MIB:,} MiB an import may hold (import.max_text_mb): one"
        f" shared string of {size:,} bytes is used by {uses:,} cells; {HOSTILE}",
        file=limits.file,
        sheet=sheet,
    )


# ---------------------------------------------------------- formats read whole at open


def check_ods(zf: zipfile.ZipFile, limits: Limits) -> None:
    """An .ods is read whole when calamine opens it: every table's grid and the cells
    read on the way are bounded first (``ods_scan``)."""
    from riskboard.ingest.ods_scan import scan_ods

    try:
        tables = scan_ods(zf, limit=limits.max_cells)
    except (KeyError, expat.ExpatError, zipfile.BadZipFile, OSError) as exc:
        raise RefusedWorkbook(f"damaged workbook (content.xml): {exc}", file=limits.file) from None
    grid = pushed = 0
    for table in tables:
        grid += table.extent.cells
        pushed += table.pushed
        if grid > limits.max_cells:
            raise too_big(
                limits, table.name, table.extent, limits.max_cells - (grid - table.extent.cells),
                present=table.filled,
            )  # fmt: skip
        if pushed > limits.max_cells:
            raise RefusedWorkbook(
                f"its rows repeat cells {pushed:,} times, over import.max_cells"
                f" ({limits.max_cells:,}); {HOSTILE}",
                file=limits.file,
                sheet=table.name,
            )


def check_xls(fh: BinaryIO, limits: Limits) -> None:
    """An .xls is read whole when calamine opens it: every sheet's grid, the grid its
    DIMENSIONS record makes calamine reserve, and the shared-string text its cells copy
    are bounded first (``xls_scan``)."""
    from riskboard.ingest.xls_scan import XlsProblem, scan_xls

    try:
        sheets = scan_xls(fh)
    except XlsProblem as exc:
        raise RefusedWorkbook(f"damaged workbook: {exc}", file=limits.file) from None
    grid = claimed = text = 0
    for sheet in sheets:
        budget = limits.max_cells - grid
        grid += sheet.extent.cells
        if grid > limits.max_cells:
            raise too_big(limits, sheet.name, sheet.extent, budget)
        claimed += sheet.claimed.cells
        if claimed > limits.max_cells:
            raise RefusedWorkbook(
                f"it declares a used range of {sheet.claimed.rows:,} rows x"
                f" {sheet.claimed.columns:,} columns (its DIMENSIONS record), over"
                f" import.max_cells ({limits.max_cells:,}), while its values reach only"
                f" {sheet.extent.far_cell}; {HOSTILE}",
                file=limits.file,
                sheet=sheet.name,
            )
        text += sheet.text
        if text > limits.max_text:
            raise too_much_text(limits, sheet.name, text, sheet.largest_use)
