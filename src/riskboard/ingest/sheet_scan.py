"""How far a worksheet's cells reach, found in its XML before calamine reads it.

calamine holds a sheet as a dense grid from A1 to the farthest cell holding a value,
and riskboard turns that grid into Python lists. One value at XFD1048576 in an
otherwise small sheet is a grid of 17 billion cells: the process aborts allocating
549 GB (at XFD5000 it reads, using 3.2 GB). The ``<dimension>`` element cannot be
trusted for this (a file may declare A1:L10 and hold XFD1048576; calamine ignores it),
so the sheet's XML is read - inflated in chunks, never whole - and the farthest cell
reference is found. The reader then refuses a sheet whose grid is over the limit,
naming the sheet and that cell.

Two ways to find it, tested against each other and against calamine:

- ``scan_exact`` (the reference): expat, every row and cell, calamine's rules for
  cells without an ``r`` attribute. Used for any sheet not written the usual way.
- the fast path in ``scan_sheet``: regular expressions over the bytes, for sheets whose
  cells are all written ``<c r="B7"...`` (Excel, openpyxl, LibreOffice, IRIS). Only cells
  beyond column Z or row 99,999 are looked at one by one; the rest are bounded by that
  box. Measured on a 50,000-row x 25-column export (72 MB of sheet XML, Python 3.11):
  0.33 s, against ~3 s for expat.
"""

from __future__ import annotations

import re
import struct
import zipfile
import zlib
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO
from xml.parsers import expat

CHUNK = 1 << 20
# what an Excel error cell (t="e") and a formula with text (</f>: a shared formula's
# master has it too) leave in sheet XML; each search costs ~0.07 s per 72 MB of XML
MARKERS = (b't="e"', b"</f>")
NEAR_COLUMNS = 26  # A..Z: one letter
NEAR_ROWS = 99_999  # five digits
_LOCAL_HEADER = struct.Struct("<4sHHHHHIIIHH")


@dataclass(frozen=True)
class Extent:
    """The grid calamine would build for a sheet: A1 to (``rows``, ``columns``)."""

    rows: int
    columns: int
    declared: str | None = None  # the <dimension ref="..."> the sheet states, if any
    # the sheet may hold an Excel error value (t="e") or a formula (</f>): calamine reads
    # both as empty cells, so ``cellscan.odd_cells`` looks at them (issue 9)
    marked: bool = False
    # value elements in the sheet (an upper bound on the cells that can use a shared
    # string), when the fast path counted them; None after the exact scan
    values: int | None = None

    @property
    def cells(self) -> int:
        return self.rows * self.columns

    @property
    def far_cell(self) -> str:
        return f"{column_letters(self.columns)}{self.rows}" if self.cells else "A1"


def column_letters(n: int) -> str:
    letters = ""
    while n > 0:
        n, rem = divmod(n - 1, 26)
        letters = chr(65 + rem) + letters
    return letters or "A"


def column_number(letters: bytes | str) -> int:
    n = 0
    for ch in letters.upper() if isinstance(letters, str) else letters.decode().upper():
        n = n * 26 + (ord(ch) - 64)
    return n


# --------------------------------------------------------------------- inflating


def part_chunks(fh: BinaryIO, zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> Iterator[bytes]:
    """The part's bytes, inflated ``CHUNK`` at a time. Deflated parts are inflated with
    zlib directly (zipfile's reader costs twice as long on big sheets); more bytes than
    the part declares is an error (calamine refuses those too)."""
    if info.compress_type != zipfile.ZIP_DEFLATED:
        with zf.open(info) as part:
            while chunk := part.read(CHUNK):
                yield chunk
        return
    fh.seek(info.header_offset)
    header = _LOCAL_HEADER.unpack(fh.read(_LOCAL_HEADER.size))
    if header[0] != b"PK\x03\x04":
        raise zipfile.BadZipFile(f"bad local header for {info.filename}")
    fh.seek(info.header_offset + _LOCAL_HEADER.size + header[9] + header[10])
    inflater = zlib.decompressobj(-zlib.MAX_WBITS)
    left = info.compress_size
    produced = 0
    while left > 0:
        data = fh.read(min(CHUNK, left))
        if not data:
            raise zipfile.BadZipFile(f"{info.filename} is cut short")
        left -= len(data)
        while data:
            out = inflater.decompress(data, CHUNK)
            data = inflater.unconsumed_tail
            produced += len(out)
            if produced > info.file_size:
                raise zipfile.BadZipFile(f"{info.filename} inflates past its declared size")
            if out:
                yield out
    rest = inflater.flush()
    if produced + len(rest) > info.file_size:
        raise zipfile.BadZipFile(f"{info.filename} inflates past its declared size")
    if rest:
        yield rest


def whole_tags(chunks: Iterator[bytes]) -> Iterator[tuple[bytes, int]]:
    """(buffer, end): the chunks regrouped so that ``buffer[:end]`` never ends inside a
    tag (cut at the last ``<``); the rest is carried into the next buffer. Patterns run
    with ``endpos=end`` so nothing is copied twice."""
    carry = b""
    for chunk in chunks:
        data = carry + chunk if carry else chunk
        cut = data.rfind(b"<")
        if cut <= 0:
            carry = data
            continue
        carry = data[cut:]
        yield data, cut
    if carry:
        yield carry, len(carry)


# --------------------------------------------------------------------- scanning

_ROOT = re.compile(rb"<(?:([A-Za-z_][\w.-]*):)?worksheet[\s>/]")
# the first element: "<" not followed by "?" (a processing instruction) or "!" (comment)
_ELEMENT = re.compile(rb"<[^?!]")


def _first_element(buf: bytes, end: int) -> int | None:
    """Where the document's first element starts in ``buf[:end]`` (the prolog of an
    Excel part is a few dozen bytes; the reader refuses one over 64 KiB)."""
    m = _ELEMENT.search(buf, 0, end)
    return m.start() if m else None


_DIMENSION = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?dimension\s+ref=\"([A-Za-z0-9:$]+)\"")


class _Patterns:
    """The fast path's expressions for a sheet whose elements carry ``prefix``."""

    def __init__(self, prefix: bytes) -> None:
        tag = b"<" + (re.escape(prefix) + b":" if prefix else b"") + b"c"
        # any cell other than <c r="A1".. to <c r="Z99999"..: one pass finds none in
        # most sheets (a regular expression with a literal start runs at C speed)
        self.unusual = re.compile(tag + rb'(?=[\s/>])(?! r="[A-Z]\d{1,5}"[\s/>])')
        # a cell not written <c r="LETTERS DIGITS" ...: the fast path cannot place it
        self.odd = re.compile(tag + rb'(?=[\s/>])(?! r="[A-Z]+\d+"[\s/>])')
        # the last group is set only for a cell that is plainly empty (<c r="X9" s="1"/>);
        # an attribute value holding ">" or "<" counts the cell as holding a value
        empty = rb'((?:\s+[\w:.-]+="[^"<>]*")*\s*/>)?'
        # a cell beyond column Z or row 99,999
        self.far = re.compile(tag + rb' r="(?:([A-Z]{2,})(\d+)|[A-Z](\d{6,}))"' + empty)
        # every cell (only when the box around the near cells is over the limit)
        self.every = re.compile(tag + rb' r="([A-Z]+)(\d+)"' + empty)
        # a cell, row or value element in another namespace prefix than the root's:
        # calamine matches elements by local name, so ``<x:c r="XFD1048576">`` under an
        # unprefixed root is a cell to it - the exact scan (local names too) takes over
        if prefix:
            own = re.escape(prefix)
            self.foreign = re.compile(
                rb"<(?:c|row|v)[\s/>]|(?<!<" + own + rb")(?<!/" + own + rb"):(?:c|row|v)[\s/>]"
            )
        else:
            self.foreign = re.compile(rb":(?:c|row|v)[\s/>]")


def scan_sheet(fh: BinaryIO, zf: zipfile.ZipFile, info: zipfile.ZipInfo, *, limit: int) -> Extent:
    """The grid calamine would build for the sheet in ``info``. Exact when the grid is
    over ``limit``; otherwise possibly a bound above the exact grid, itself within
    ``limit``."""
    declared: str | None = None
    patterns: _Patterns | None = None
    far_rows = far_cols = 0
    near = marked = False
    values = 0
    value_tag = b"<v"
    for buf, end in whole_tags(part_chunks(fh, zf, info)):
        if patterns is None:
            root = _first_element(buf, end)
            if root is None or not _ROOT.match(buf, root):
                # the root element is not a worksheet (or comes late): whatever holds
                # the cells, only the exact scan can say where they reach
                extent = scan_exact(fh, zf, info, limit=limit, declared=declared)
                return Extent(extent.rows, extent.columns, declared, marked=True)
            prefix = _ROOT.match(buf, root).group(1) or b""  # type: ignore[union-attr]
            patterns = _Patterns(prefix)
            # <v or <P:v: a value element in another prefix sends the sheet to the
            # exact scan (``foreign``), so this counts every one the fast path sees
            value_tag = b"<" + (prefix + b":" if prefix else b"") + b"v"
            dim = _DIMENSION.search(buf, 0, end)
            declared = dim.group(1).decode() if dim else None
        near = near or buf.find(b' r="', 0, end) >= 0
        values += buf.count(value_tag, 0, end)
        # a tag never straddles buf[:end], so neither marker can be cut in two
        marked = marked or any(buf.find(m, 0, end) >= 0 for m in MARKERS)
        foreign = patterns.foreign.search(buf, 0, end) is not None
        if not foreign and patterns.unusual.search(buf, 0, end) is None:
            continue
        if foreign or patterns.odd.search(buf, 0, end):
            extent = scan_exact(fh, zf, info, limit=limit, declared=declared)
            return Extent(extent.rows, extent.columns, declared, marked=True)
        for letters, row, big_row, empty in patterns.far.findall(buf, 0, end):
            if empty:
                continue
            if letters:
                far_cols = max(far_cols, column_number(letters))
                far_rows = max(far_rows, int(row))
            else:
                far_cols = max(far_cols, 1)
                far_rows = max(far_rows, int(big_row))
    if patterns is None:
        return Extent(0, 0, declared)
    box = Extent(
        max(far_rows, NEAR_ROWS if near else 0), max(far_cols, NEAR_COLUMNS if near else 0)
    )
    if box.cells <= limit:
        return Extent(box.rows, box.columns, declared, marked, values)
    extent = _scan_every(fh, zf, info, patterns, declared)
    return Extent(extent.rows, extent.columns, declared, marked, values)


def _scan_every(
    fh: BinaryIO,
    zf: zipfile.ZipFile,
    info: zipfile.ZipInfo,
    patterns: _Patterns,
    declared: str | None,
) -> Extent:
    rows = cols = 0
    for buf, end in whole_tags(part_chunks(fh, zf, info)):
        refs = patterns.every.findall(buf, 0, end)
        letters = {c for c, _, empty in refs if not empty}
        numbers = {r for _, r, empty in refs if not empty}
        if letters:
            cols = max(cols, *(column_number(c) for c in letters))
            rows = max(rows, *(int(r) for r in numbers))
    return Extent(rows, cols, declared)


_REF = re.compile(r"([A-Za-z]+)(\d+)")


def scan_exact(
    fh: BinaryIO,
    zf: zipfile.ZipFile,
    info: zipfile.ZipInfo,
    *,
    limit: int,
    declared: str | None = None,
) -> Extent:
    """The reference scan: every row and cell through expat, with calamine's rules - a
    cell without ``r`` is the next column of its row, a row without ``r`` the next row,
    and only a cell holding a value (``<v>`` or ``<is>``) counts. Stops early - with the
    grid found so far, already over ``limit`` - on a huge sheet."""
    state = {"row": 0, "col": 0, "cell_row": 0, "rows": 0, "cols": 0}

    def start(name: str, attrs: dict[str, str]) -> None:
        local = name.rsplit(" ", 1)[-1]
        if local == "c":
            m = _REF.fullmatch(attrs.get("r", ""))
            if m:
                state["col"] = column_number(m.group(1))
                state["cell_row"] = int(m.group(2))
            else:
                state["col"] += 1
                state["cell_row"] = max(state["row"], 1)
        elif local in ("v", "is") and state["col"]:
            state["rows"] = max(state["rows"], state["cell_row"])
            state["cols"] = max(state["cols"], state["col"])
            if state["rows"] * state["cols"] > limit:
                raise _OverLimit
        elif local == "row":
            r = attrs.get("r", "")
            state["row"] = int(r) if r.isdigit() else state["row"] + 1
            state["col"] = 0

    parser = expat.ParserCreate(namespace_separator=" ")
    parser.StartElementHandler = start
    try:
        for chunk in part_chunks(fh, zf, info):
            parser.Parse(chunk, False)
        parser.Parse(b"", True)
    except _OverLimit:
        pass
    return Extent(state["rows"], state["cols"], declared)


class _OverLimit(Exception):
    pass


def count_cells(fh: BinaryIO, zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> int:
    """How many cell elements the sheet holds (for the message when it is refused)."""
    n = 0
    cell = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?c[\s>/]")
    for buf, end in whole_tags(part_chunks(fh, zf, info)):
        n += len(cell.findall(buf, 0, end))
    return n


# --------------------------------------------------------------------- sheet -> part


def sheet_parts(zf: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name -> the name of its XML part, as calamine finds it (``book_parts``);
    {} if that cannot be told."""
    from riskboard.ingest.book_parts import PartsProblem, book_parts

    try:
        return {name: info.filename for name, info in book_parts(zf).sheets.items()}
    except PartsProblem:
        return {}


# --------------------------------------------------------------- shared strings used

_PLAIN_VALUE = re.compile(rb"<v>(\d+)<")
# a value element in any spelling calamine reads (any prefix, attributes, whitespace)
_ANY_VALUE = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?v(?:\s[^>]*)?>(\d+)<")


def shared_string_uses(fh: BinaryIO, zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> Counter[int]:
    """How many cells of the sheet may use each shared string, by index: every value
    element whose text is a number counts (calamine reads a shared-string index from
    the raw text; a number cell is counted too, which only ever over-counts). One regex
    pass: ~0.1 s per 72 MB of sheet XML written the usual way (``<v>``)."""
    uses: Counter[int] = Counter()
    raw: Counter[bytes] = Counter()
    for buf, end in whole_tags(part_chunks(fh, zf, info)):
        plain = (
            buf.count(b"<v>", 0, end) == buf.count(b"<v", 0, end) and buf.find(b":v", 0, end) < 0
        )
        pattern = _PLAIN_VALUE if plain else _ANY_VALUE
        raw.update(pattern.findall(buf, 0, end))  # counted as bytes: no int per cell
    for index, n in raw.items():
        uses[int(index)] += n
    return uses
