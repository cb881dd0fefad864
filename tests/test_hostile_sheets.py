"""Sheets whose grid would not fit, and zip bombs split into parts: refused before
calamine reads them, naming the sheet and the far cell (issue 10, kinds 1 and 2).

The sheet scan is tested against calamine itself (the grid it builds is the truth) and
the fast path against the exact expat scan, on generated sheets of every shape.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
import python_calamine
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from riskboard.config import Config
from riskboard.errors import RefusedWorkbook
from riskboard.importer import import_file
from riskboard.ingest.reader import WorkbookReader
from riskboard.ingest.sheet_scan import column_letters, scan_exact, scan_sheet, sheet_parts
from workbooks import (
    register_rows,
    replace_sheet_data,
    sparse_register,
    split_bomb,
    with_cell,
    write_xlsx,
)


def read_all(path: Path, **limits: int) -> list[str]:
    with WorkbookReader(path, **limits) as wb:
        return [wb.read(name).name for name in wb.sheet_names]


def test_one_value_at_xfd1048576_is_refused_naming_the_sheet_and_the_cell(tmp_path: Path) -> None:
    path = sparse_register(tmp_path / "IRIS_2022-08.xlsx")
    assert path.stat().st_size < 10_000  # a ~5 KB file
    with pytest.raises(RefusedWorkbook) as info:
        read_all(path)
    err = info.value
    assert (err.file, err.sheet, err.row, err.column) == (path.name, "Register", 1048576, "XFD")
    text = str(err)
    assert "XFD1048576" in text and "17,179,869,184 cells" in text
    assert "import.max_cells (3,000,000)" in text
    assert "only 49 cells are filled in" in text  # the cells actually present
    assert "\n" not in text


def test_the_import_refuses_it_and_writes_nothing(fresh_db, tmp_path: Path) -> None:
    path = sparse_register(tmp_path / "IRIS_2022-08.xlsx", "XFD5000")
    with pytest.raises(RefusedWorkbook, match="XFD5000"):
        import_file(fresh_db, path, Config())
    assert fresh_db.execute("SELECT COUNT(*) FROM imports").fetchone()[0] == 0


def test_the_cell_limit_is_configurable(tmp_path: Path) -> None:
    path = sparse_register(tmp_path / "r.xlsx", "Z5000")  # 26 x 5,000 = 130,000 cells
    assert read_all(path) == ["Register"]
    with pytest.raises(
        RefusedWorkbook, match=r"reach Z5000: .* 130,000 cells, over import\.max_cells \(100,000\)"
    ):
        read_all(path, max_cells=100_000)
    config = Config.model_validate({"import": {"max_cells": 100_000}})
    assert config.import_.max_cells == 100_000


def test_a_lying_dimension_is_neither_trusted_nor_feared(tmp_path: Path) -> None:
    # declares A1:XFD1048576 but holds a small table: read
    path = write_xlsx(tmp_path / "big claim.xlsx", {"Register": register_rows()})
    with zipfile.ZipFile(path) as zf:
        xml = zf.read("xl/worksheets/sheet1.xml").decode()
    rows = xml.split("<sheetData>")[1].split("</sheetData>")[0]
    replace_sheet_data(path, rows)
    _patch_dimension(path, "A1:XFD1048576")
    assert read_all(path) == ["Register"]
    # declares A1:L10 but holds XFD1048576: refused, and the message says what it claimed
    liar = sparse_register(tmp_path / "small claim.xlsx")
    _patch_dimension(liar, "A1:L10")
    with pytest.raises(RefusedWorkbook, match=r"declares its used range as A1:L10"):
        read_all(liar)


def _patch_dimension(path: Path, ref: str) -> None:
    import re

    from workbooks import rezip

    with zipfile.ZipFile(path) as zf:
        xml = zf.read("xl/worksheets/sheet1.xml").decode()
    xml = re.sub(r'<dimension ref="[^"]*"', f'<dimension ref="{ref}"', xml)
    tmp = path.with_suffix(".dim.xlsx")
    path.rename(tmp)
    rezip(tmp, path, {"xl/worksheets/sheet1.xml": xml.encode()})
    tmp.unlink()


def test_an_empty_formatted_cell_far_away_is_not_a_value(tmp_path: Path) -> None:
    """calamine ignores a styled empty cell; so does the scan (Excel writes them)."""
    path = write_xlsx(tmp_path / "styled.xlsx", {"Register": register_rows()})
    with zipfile.ZipFile(path) as zf:
        xml = zf.read("xl/worksheets/sheet1.xml").decode()
    rows = xml.split("<sheetData>")[1].split("</sheetData>")[0]
    replace_sheet_data(path, rows + '<row r="1048576"><c r="XFD1048576" s="0"/></row>')
    assert read_all(path) == ["Register"]


def test_cells_without_references_are_placed_as_calamine_places_them(tmp_path: Path) -> None:
    cells = "".join('<c t="inlineStr"><is><t>x</t></is></c>' for _ in range(200))
    path = write_xlsx(tmp_path / "noref.xlsx", {"Register": [["a"]]})
    replace_sheet_data(path, f"<row>{cells}</row><row/><row>{cells}</row>")
    with pytest.raises(RefusedWorkbook, match=r"reach GR3: from A1 that is 3 rows x 200 columns"):
        read_all(path, max_cells=500)
    assert read_all(path, max_cells=600) == ["Register"]


def test_sheets_together_over_the_limit_are_refused_at_the_one_that_tips_it(
    tmp_path: Path,
) -> None:
    table = [[f"R{i}", "text"] for i in range(1, 301)]  # 300 x 2 = 600 cells each
    path = write_xlsx(tmp_path / "annexes.xlsx", {"Highways": table, "Lighting": table})
    assert read_all(path, max_cells=1_200) == ["Highways", "Lighting"]
    with pytest.raises(RefusedWorkbook) as info:
        read_all(path, max_cells=1_000)
    assert info.value.sheet == "Lighting"
    assert "the sheets read before it hold 600; together over import.max_cells" in str(info.value)


def test_a_split_bomb_is_refused_by_its_total_before_inflating(tmp_path: Path) -> None:
    """Parts just under the per-part check, together far over the limit."""
    path = split_bomb(tmp_path / "split.xlsx", parts=6, part_bytes=2 * 1024 * 1024)
    with pytest.raises(
        RefusedWorkbook, match=r"inflate to over 10 MiB \(import\.max_uncompressed_mb\)"
    ):
        read_all(path, max_uncompressed_mb=10)


def test_many_small_parts_compressing_like_a_bomb_are_refused_together(tmp_path: Path) -> None:
    path = split_bomb(tmp_path / "split.xlsx", parts=12, part_bytes=1024 * 1024, noise=0)
    with zipfile.ZipFile(path) as zf:
        biggest = max(i.file_size for i in zf.infolist())
    assert biggest < 8 * 1024 * 1024  # no part is big enough for the per-part check
    with pytest.raises(RefusedWorkbook, match=r"parts claim to inflate [\d,]+x together"):
        read_all(path)


@pytest.mark.slow  # ~480 MiB of cell text compressed in the test
def test_the_reported_split_bomb_60_parts_of_8_mib(tmp_path: Path) -> None:
    path = split_bomb(tmp_path / "split 2022-08.xlsx")
    assert 1_500_000 < path.stat().st_size < 3_000_000  # "2.1 MB file"
    with zipfile.ZipFile(path) as zf:
        parts = [i for i in zf.infolist() if i.filename.startswith("xl/worksheets/")]
    assert len(parts) == 60
    assert all(7 * 2**20 < i.file_size < 8 * 2**20 for i in parts)
    assert all(i.file_size < 250 * i.compress_size for i in parts)  # under the ratio check
    with pytest.raises(RefusedWorkbook, match="inflate to over 200 MiB"):
        read_all(path)


# ------------------------------------------------------- the scan against calamine

_CELL = st.tuples(st.integers(1, 60), st.integers(1, 400), st.booleans(), st.booleans())


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(cells=st.lists(_CELL, min_size=1, max_size=12))
def test_the_scan_finds_the_grid_calamine_builds(
    tmp_path: Path, cells: list[tuple[int, int, bool, bool]]
) -> None:
    """Random cells - with and without r attributes, some empty - in random rows: the
    scan's grid is never smaller than calamine's, and the exact scan matches it."""
    rows: dict[int, list[str]] = {}
    for col, row, with_ref, empty in cells:
        ref = f' r="{column_letters(col)}{row}"' if with_ref else ""
        rows.setdefault(row, []).append(f'<c{ref} s="0"/>' if empty else f"<c{ref}><v>1</v></c>")
    xml = "".join(f'<row r="{r}">{"".join(c)}</row>' for r, c in sorted(rows.items()))
    path = write_xlsx(tmp_path / "g.xlsx", {"S": [["a"]]})
    replace_sheet_data(path, xml)
    wb = python_calamine.CalamineWorkbook.from_path(str(path))
    end = wb.get_sheet_by_name("S").end
    truth = (end[0] + 1) * (end[1] + 1) if end else 0
    with path.open("rb") as fh, zipfile.ZipFile(fh) as zf:
        info = zf.getinfo(sheet_parts(zf)["S"])

        def scan(limit: int) -> int:
            return scan_sheet(fh, zf, info, limit=limit).cells

        assert scan_exact(fh, zf, info, limit=10**12).cells == truth
        assert scan(10**12) >= truth  # a bound, never less than the grid
        assert scan(truth) <= truth  # a sheet that fits the limit is never refused...
        if truth:
            assert scan(truth - 1) > truth - 1  # ...and one over it always is
    path.unlink()


def test_the_fast_path_bounds_a_normal_sheet_without_reading_every_cell(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "n.xlsx", {"S": [[f"R{i}", i] for i in range(1, 2001)]})
    with path.open("rb") as fh, zipfile.ZipFile(fh) as zf:
        info = zf.getinfo("xl/worksheets/sheet1.xml")
        bound = scan_sheet(fh, zf, info, limit=3_000_000)
        exact = scan_sheet(fh, zf, info, limit=100)
    assert (bound.rows, bound.columns) == (99_999, 26)  # the box A1:Z99999, within the limit
    assert (exact.rows, exact.columns) == (2000, 2)


def test_the_far_cell_wins_over_a_lower_one_in_the_same_column(tmp_path: Path) -> None:
    path = with_cell(sparse_register(tmp_path / "two.xlsx", "AB7"), "C200000")
    with pytest.raises(RefusedWorkbook, match=r"reach AB200000"):
        read_all(path, max_cells=1_000_000)


def test_other_formats_are_checked_on_the_readers_own_size_before_any_python_cell(
    tmp_path: Path,
) -> None:
    """An .ods (no sheet XML scan): calamine's grid is checked before the cells become
    Python objects; the refusal names the sheet and the far cell all the same."""
    from workbooks import ods_cell, write_ods

    def row(cells: str) -> str:
        return f"<table:table-row>{cells}</table:table-row>"

    xml = (
        row(ods_cell("Risk Ref") + ods_cell("Title"))
        + row(ods_cell("R1") + ods_cell("Potholes"))
        + '<table:table-row table:number-rows-repeated="300"><table:table-cell/></table:table-row>'
        + row('<table:table-cell table:number-columns-repeated="50"/>' + ods_cell("stray"))
    )
    path = write_ods(tmp_path / "annex 2022-08.ods", xml)
    assert read_all(path) == ["Register"]
    with pytest.raises(RefusedWorkbook) as info:
        read_all(path, max_cells=10_000)
    assert (info.value.sheet, info.value.row, info.value.column) == ("Register", 303, "AY")
    assert "reach AY303: from A1 that is 303 rows x 51 columns = 15,453 cells" in str(info.value)
