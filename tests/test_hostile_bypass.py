"""Hostile workbooks that got past the checks before reading (the review of issue 10,
finding 1): namespace prefixes, two sheets of one name, parts calamine finds another
way, .ods and .xls (read whole when calamine opens them) and shared-string
amplification. Each is refused before calamine builds anything, naming the cause."""

from __future__ import annotations

import re
import struct
import zipfile
from pathlib import Path

import pytest
import python_calamine
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from riskboard.config import Config
from riskboard.errors import RefusedWorkbook
from riskboard.ingest.reader import WorkbookReader
from workbooks import (
    ods_cell,
    register_rows,
    replace_sheet_data,
    rezip,
    write_ods,
    write_xls,
    write_xlsx,
)

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
FAR = '<c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c>'


def read_all(path: Path, **limits: int) -> list[str]:
    with WorkbookReader(path, **limits) as wb:
        return [wb.read(name).name for name in wb.sheet_names]


class _Guard:
    """calamine as the reader sees it, failing the test if a sheet is read (xlsx) or
    the workbook is opened at all (``whole``: .ods and .xls, read whole at open)."""

    def __init__(self, whole: bool) -> None:
        self.whole = whole
        self.__dict__.update(
            {k: getattr(python_calamine, k) for k in dir(python_calamine) if k[0].isupper()}
        )
        self.CalamineWorkbook = self

    def from_filelike(self, fh: object) -> object:
        if self.whole:
            raise AssertionError("calamine opened the workbook")
        return _NoSheets(python_calamine.CalamineWorkbook.from_filelike(fh))


class _NoSheets:
    def __init__(self, wb: object) -> None:
        self._wb = wb

    def __getattr__(self, name: str) -> object:
        return getattr(self._wb, name)

    def get_sheet_by_name(self, name: str) -> object:
        raise AssertionError(f"calamine read sheet {name!r}")


@pytest.fixture
def no_calamine(monkeypatch: pytest.MonkeyPatch) -> None:
    """The refusal must come before calamine reads a sheet (.xlsx) or opens the file."""
    monkeypatch.setattr("riskboard.ingest.reader.python_calamine", _Guard(whole=False))


@pytest.fixture
def not_opened(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("riskboard.ingest.reader.python_calamine", _Guard(whole=True))


def _register(tmp_path: Path, name: str = "r_2022-09.xlsx") -> tuple[Path, str]:
    path = write_xlsx(tmp_path / name, {"Register": register_rows()})
    with zipfile.ZipFile(path) as zf:
        rows = zf.read("xl/worksheets/sheet1.xml").decode()
    return path, rows.split("<sheetData>")[1].split("</sheetData>")[0]


def _patch(path: Path, part: str, edit: object) -> Path:
    with zipfile.ZipFile(path) as zf:
        xml = zf.read(part).decode()
    tmp = path.with_suffix(".tmp")
    path.rename(tmp)
    rezip(tmp, path, {part: edit(xml).encode()})  # type: ignore[operator]
    tmp.unlink()
    return path


# ------------------------------------------------------------------ (a) namespaces


@pytest.mark.parametrize(
    "extra",
    [
        # a prefixed cell under the unprefixed root
        f'<row r="1048576"><x:c xmlns:x="{MAIN}" r="XFD1048576" t="inlineStr">'
        "<x:is><x:t>x</x:t></x:is></x:c></row>",
        # a prefixed row and cell
        f'<x:row xmlns:x="{MAIN}" r="1048576"><x:c r="XFD1048576" t="inlineStr">'
        "<x:is><x:t>x</x:t></x:is></x:c></x:row>",
        # a prefixed value element in an ordinary cell
        f'<row r="1048576"><c r="XFD1048576"><x:v xmlns:x="{MAIN}">1</x:v></c></row>',
    ],
    ids=["prefixed-cell", "prefixed-row", "prefixed-value"],
)
def test_a_far_cell_in_another_namespace_prefix_is_found_by_the_scan(
    tmp_path: Path, extra: str, no_calamine: None
) -> None:
    path, rows = _register(tmp_path)
    replace_sheet_data(path, rows + extra)
    with pytest.raises(RefusedWorkbook) as info:
        read_all(path)
    assert "reach XFD1048576" in str(info.value)
    assert "cells are filled in" in str(info.value)  # the scan's refusal, not calamine's


def test_a_prefixed_root_with_default_namespace_cells_is_found_by_the_scan(
    tmp_path: Path, no_calamine: None
) -> None:
    path, rows = _register(tmp_path)
    replace_sheet_data(path, rows + f'<row r="1048576">{FAR}</row>')
    _patch(
        path,
        "xl/worksheets/sheet1.xml",
        lambda x: x.replace(
            f'<worksheet xmlns="{MAIN}"', f'<s:worksheet xmlns:s="{MAIN}" xmlns="{MAIN}"'
        ).replace("</worksheet>", "</s:worksheet>"),
    )
    with pytest.raises(RefusedWorkbook, match="reach XFD1048576"):
        read_all(path)


def test_cells_before_a_late_worksheet_root_are_found(tmp_path: Path, no_calamine: None) -> None:
    """The root element is something else; the cells come first. The exact scan reads
    them by local name, as calamine does."""
    path, rows = _register(tmp_path)
    # the far cell first, then over a MiB of ordinary cells, then the worksheet element
    filler = "".join(f'<row r="{r}"><c r="A{r}"><v>{r}</v></c></row>' for r in range(2, 60_000))
    replace_sheet_data(path, f'<row r="1">{FAR.replace("XFD1048576", "XFD1")}</row>' + filler)
    _patch(
        path,
        "xl/worksheets/sheet1.xml",
        lambda x: x.replace(f'<worksheet xmlns="{MAIN}"', f'<book xmlns="{MAIN}"').replace(
            "</worksheet>", "<worksheet/></book>"
        ),
    )
    with pytest.raises(RefusedWorkbook, match=r"reach XFD\d+: .* cells are filled in"):
        read_all(path)


def test_a_workbook_written_with_a_prefix_throughout_is_still_read(tmp_path: Path) -> None:
    """OpenXML SDK writes ``<x:worksheet>`` with ``<x:c>`` throughout: the fast path."""
    path, rows = _register(tmp_path)
    prefixed = re.sub(r"<(/?)(row|c|v|is|t)\b", r"<\1x:\2", rows)
    replace_sheet_data(path, prefixed)
    _patch(
        path,
        "xl/worksheets/sheet1.xml",
        lambda x: re.sub(r"<(/?)(worksheet|sheetData|dimension)\b", r"<\1x:\2", x).replace(
            f'<x:worksheet xmlns="{MAIN}"', f'<x:worksheet xmlns:x="{MAIN}"'
        ),
    )
    assert read_all(path) == ["Register"]


# -------------------------------------------------------- (b) parts read two ways


def _two_sheets_one_name(tmp_path: Path, *, hostile_first: bool) -> Path:
    path = write_xlsx(
        tmp_path / "dup_2022-09.xlsx",
        {"Register": register_rows(), "Other": register_rows()},
    )
    replace_sheet_data(path, f'<row r="1048576">{FAR}</row>', part="xl/worksheets/sheet1.xml"
                       if hostile_first else "xl/worksheets/sheet2.xml")  # fmt: skip
    return _patch(path, "xl/workbook.xml", lambda x: x.replace('name="Other"', 'name="Register"'))


@pytest.mark.parametrize("hostile_first", [True, False])
def test_two_sheets_of_one_name_are_refused(
    tmp_path: Path, hostile_first: bool, no_calamine: None
) -> None:
    path = _two_sheets_one_name(tmp_path, hostile_first=hostile_first)
    with pytest.raises(RefusedWorkbook, match="two sheets named 'Register'.*malformed or hostile"):
        read_all(path)


@pytest.mark.filterwarnings("ignore:Duplicate name")
def test_two_zip_entries_for_one_part_are_refused(tmp_path: Path, no_calamine: None) -> None:
    path, _rows = _register(tmp_path)
    with zipfile.ZipFile(path) as zf:
        parts = [(i.filename, zf.read(i)) for i in zf.infolist()]
    sheet = dict(parts)["xl/worksheets/sheet1.xml"]
    hostile = sheet.replace(b"</sheetData>", f'<row r="1048576">{FAR}</row></sheetData>'.encode())
    with zipfile.ZipFile(path, "w") as zf:  # the hostile copy first, the benign one last
        zf.writestr("xl/worksheets/sheet1.xml", hostile)
        for name, data in parts:
            zf.writestr(name, data)
    with pytest.raises(RefusedWorkbook, match="two entries for part xl/worksheets/sheet1.xml"):
        read_all(path)


def test_a_part_named_in_other_letter_case_is_scanned_as_calamine_reads_it(
    tmp_path: Path, no_calamine: None
) -> None:
    path, rows = _register(tmp_path)
    replace_sheet_data(path, rows + f'<row r="1048576">{FAR}</row>')
    _patch(
        path,
        "xl/_rels/workbook.xml.rels",
        lambda x: x.replace("worksheets/sheet1.xml", "Worksheets/Sheet1.xml"),
    )
    with pytest.raises(RefusedWorkbook, match="reach XFD1048576"):
        read_all(path)


# -------------------------------------------------------------------- (c) .ods


def test_an_ods_repeating_one_cell_30_million_times_is_refused_before_opening(
    tmp_path: Path, not_opened: None
) -> None:
    """The review's 850-byte .ods: one value repeated 1,000 columns x 30,000 rows (3.2 GB
    and an abort on main)."""

    def row(cells: str, repeat: int = 1) -> str:
        rep = f' table:number-rows-repeated="{repeat}"' if repeat > 1 else ""
        return f"<table:table-row{rep}>{cells}</table:table-row>"

    xml = row(ods_cell("Risk Ref") + ods_cell("Title")) + row(ods_cell("v", 1000), 30_000)
    path = write_ods(tmp_path / "annex_2022-09.ods", xml)
    assert path.stat().st_size < 2_000
    with pytest.raises(RefusedWorkbook) as info:
        read_all(path)
    text = str(info.value)
    assert "30,001 rows x 1,000 columns" in text
    assert "malformed or hostile" in text and "raise" not in text


def test_an_ods_table_of_normal_size_is_read(tmp_path: Path) -> None:
    from workbooks import write_ods_sheets

    path = write_ods_sheets(tmp_path / "annex.ods", {"Register": register_rows()})
    assert read_all(path) == ["Register"]


_ODS_CELL = st.tuples(st.integers(1, 40), st.booleans(), st.integers(1, 30))  # repeat, value


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    rows=st.lists(
        st.tuples(st.lists(_ODS_CELL, min_size=1, max_size=5), st.integers(1, 50)),
        min_size=1,
        max_size=6,
    )
)
def test_the_ods_scan_is_never_below_calamines_grid(
    tmp_path: Path, rows: list[tuple[list[tuple[int, bool, int]], int]]
) -> None:
    from riskboard.ingest.ods_scan import scan_ods

    xml = ""
    for cells, repeat in rows:
        body = "".join(
            ods_cell("v", n)
            if value
            else f'<table:table-cell table:number-columns-repeated="{n}"/>'
            for n, value, _ in cells
        )
        xml += f'<table:table-row table:number-rows-repeated="{repeat}">{body}</table:table-row>'
    path = write_ods(tmp_path / "p.ods", xml)
    end = python_calamine.CalamineWorkbook.from_path(str(path)).get_sheet_by_name("Register").end
    truth = (end[0] + 1) * (end[1] + 1) if end else 0
    with zipfile.ZipFile(path) as zf:
        (table,) = scan_ods(zf, limit=10**12)
    assert table.extent.cells >= truth
    path.unlink()


# -------------------------------------------------------------------- (c) .xls


def _set_dimensions(path: Path, last_row: int, last_col: int) -> Path:
    """Rewrite the first sheet's DIMENSIONS record (BIFF8: rows u32, columns u16)."""
    import olefile

    ole = olefile.OleFileIO(str(path), write_mode=True)
    stream = bytearray(ole.openstream("Workbook").read())
    at = stream.find(struct.pack("<HH", 0x0200, 14))
    struct.pack_into("<IIHH", stream, at + 4, 0, last_row, 0, last_col)
    ole.write_stream("Workbook", bytes(stream))
    ole.close()
    return path


def test_an_xls_with_a_value_at_iv65536_is_refused_before_opening(
    tmp_path: Path, not_opened: None
) -> None:
    path = tmp_path / "old_2022-09.xls"
    import xlwt

    wb = xlwt.Workbook()
    ws = wb.add_sheet("Register")
    for r, row in enumerate(register_rows()):
        for c, value in enumerate(row):
            if value is not None:
                ws.write(r, c, value)
    ws.write(65535, 255, "stray")
    wb.save(str(path))
    with pytest.raises(RefusedWorkbook, match=r"reach IV65536: .* 16,777,216 cells"):
        read_all(path)


def test_an_xls_whose_dimensions_claim_four_billion_rows_is_refused(
    tmp_path: Path, not_opened: None
) -> None:
    path = write_xls(tmp_path / "old_2022-09.xls", {"Register": register_rows()})
    _set_dimensions(path, 0xFFFFFFFF, 12)
    with pytest.raises(RefusedWorkbook, match=r"declares a used range of 4,294,967,295 rows"):
        read_all(path)


def test_an_xls_sharing_one_long_string_among_many_cells_is_refused(
    tmp_path: Path, not_opened: None
) -> None:
    long = "L" * 30_000
    path = write_xls(tmp_path / "old.xls", {"Register": [[long, long] for _ in range(20)]})
    # 40 cells x 30,000 characters x up to 3 bytes each = 3.4 MiB
    with pytest.raises(RefusedWorkbook, match=r"would hold 3 MiB of text.*used by 40 cells"):
        read_all(path, max_text_mb=2)


def test_an_ordinary_xls_is_read(tmp_path: Path) -> None:
    path = write_xls(tmp_path / "old.xls", {"Register": register_rows()})
    assert read_all(path) == ["Register"]


# ---------------------------------------------------------- (d) shared strings


def _shared(tmp_path: Path, text: str, cells: int) -> Path:
    """The small register, plus ``cells`` cells below it all using one shared string
    ``text`` (openpyxl writes inline strings, so the shared-string part is added here)."""
    path, rows = _register(tmp_path, "amp_2022-09.xlsx")
    uses = "".join(
        f'<row r="{r}"><c r="C{r}" t="s"><v>0</v></c></row>' for r in range(200, 200 + cells)
    )
    replace_sheet_data(path, rows + uses)
    sst = (
        f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{MAIN}" count="{cells}"'
        f' uniqueCount="1"><si><t>{text}</t></si></sst>'
    )
    with zipfile.ZipFile(path) as zf:
        rels = zf.read("xl/_rels/workbook.xml.rels").decode()
        types = zf.read("[Content_Types].xml").decode()
    rels = rels.replace(
        "</Relationships>",
        '<Relationship Id="rIdS" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>',
    )
    types = types.replace(
        "</Types>",
        '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats'
        '-officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
    )
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xl/sharedStrings.xml", sst)
    tmp = path.with_suffix(".tmp")
    path.rename(tmp)
    rezip(tmp, path, {"xl/_rels/workbook.xml.rels": rels.encode(),
                      "[Content_Types].xml": types.encode()})  # fmt: skip
    tmp.unlink()
    return path


def test_one_long_shared_string_used_by_thousands_of_cells_is_refused(
    tmp_path: Path, no_calamine: None
) -> None:
    """The review's 48 KB file: a 7 MiB string used by 3,000 cells (21 GB to calamine)."""
    path = _shared(tmp_path, "B" * (7 * 1024 * 1024), 3_000)
    assert path.stat().st_size < 100_000
    with pytest.raises(RefusedWorkbook) as info:
        read_all(path)
    text = str(info.value)
    assert "would hold 21,0" in text and "used by 3,000 cells" in text
    assert "import.max_text_mb" in text and "malformed or hostile" in text


def test_a_gigabyte_of_shared_text_is_refused_by_default(tmp_path: Path, no_calamine: None) -> None:
    """The second review's 30 KB file: a 4 MiB string used by 250 cells (1,000 MiB of
    text, 2.2 GB and 17 s to import under the old default of 1,024 MiB)."""
    path = _shared(tmp_path, "D" * (4 * 1024 * 1024), 250)
    assert path.stat().st_size < 100_000
    with pytest.raises(RefusedWorkbook, match=r"would hold 1,000 MiB of text.*used by 250 cells"):
        read_all(path, max_text_mb=Config().import_.max_text_mb)
    with pytest.raises(RefusedWorkbook, match="used by 250 cells"):
        read_all(path)


def test_long_shared_strings_used_a_few_times_are_read(tmp_path: Path) -> None:
    """The bound (cells x longest string) is over the budget, so the uses are counted:
    20 cells x 30,000 characters is well within it."""
    path = _shared(tmp_path, "C" * 30_000, 20)
    assert read_all(path, max_text_mb=1) == ["Register"]
    with WorkbookReader(path) as wb, pytest.raises(RefusedWorkbook, match="used by 20 cells"):
        wb.limits.max_text = 500_000  # 20 x 30,000 bytes and more is over it
        wb.read("Register")


def test_a_shared_string_count_out_of_all_proportion_is_refused(
    tmp_path: Path, no_calamine: None
) -> None:
    path = _shared(tmp_path, "short", 3)
    _patch(path, "xl/sharedStrings.xml", lambda x: re.sub(r'uniqueCount="\d+"',
           'uniqueCount="4000000000"', x))  # fmt: skip
    with pytest.raises(RefusedWorkbook, match="shared strings claim to number 4,000,000,000"):
        read_all(path)
