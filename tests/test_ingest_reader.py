"""Untrusted workbooks: what is refused before calamine reads a cell, and how it reads."""

from __future__ import annotations

import zipfile
from datetime import date
from pathlib import Path

import pytest

from riskboard.errors import RiskboardError
from riskboard.ingest.reader import WorkbookReader, check_container
from workbooks import (
    entity_bomb,
    rezip,
    understate_size,
    write_xlsx,
    zip_bomb,
)


def _refused(path: Path, match: str, *, max_mb: int = 500) -> RiskboardError:
    with (
        pytest.raises(RiskboardError, match=match) as info,
        WorkbookReader(path, max_uncompressed_mb=max_mb) as wb,
    ):
        for name in wb.sheet_names:
            wb.read(name)
    assert info.value.file == path.name or info.value.file == str(path)
    return info.value


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.xlsx"
    path.write_bytes(b"")
    _refused(path, "empty file")


def test_text_file_is_not_a_workbook(tmp_path: Path) -> None:
    path = tmp_path / "register.xlsx"
    path.write_text("Risk Ref,Title\nR1,Flooding\n")
    _refused(path, "not an Excel workbook")


def test_csv_gets_a_hint(tmp_path: Path) -> None:
    path = tmp_path / "register.csv"
    path.write_text("Risk Ref,Title\nR1,Flooding\n")
    err = _refused(path, "not an Excel workbook")
    assert "save it from Excel as .xlsx" in str(err)


def test_zip_that_is_not_a_workbook(tmp_path: Path) -> None:
    path = tmp_path / "photos.xlsx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("a.txt", "hello")
    _refused(path, "zip file without workbook parts")


def test_truncated_workbook(tmp_path: Path) -> None:
    good = write_xlsx(tmp_path / "good.xlsx", {"Risks": [["Risk Ref", "Title"], ["R1", "x"]]})
    path = tmp_path / "cut.xlsx"
    path.write_bytes(good.read_bytes()[:600])
    _refused(path, "damaged")


def test_corrupt_compressed_part(tmp_path: Path) -> None:
    good = write_xlsx(tmp_path / "good.xlsx", {"Risks": [["Risk Ref", "Title"], ["R1", "x"]]})
    data = bytearray(good.read_bytes())
    with zipfile.ZipFile(good) as zf:
        info = zf.getinfo("xl/workbook.xml")
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    data[start : start + info.compress_size] = b"\xff" * info.compress_size
    path = tmp_path / "corrupt.xlsx"
    path.write_bytes(bytes(data))
    _refused(path, "damaged")


def test_zip_bomb_over_the_configured_limit(tmp_path: Path) -> None:
    path = zip_bomb(tmp_path / "bomb.xlsx", inflated_mb=3)
    err = _refused(path, "inflate to over 2 MiB", max_mb=2)
    assert "import.max_uncompressed_mb" in str(err)
    assert "zip bomb" in str(err)


def test_zip_bomb_with_an_implausible_ratio_under_the_limit(tmp_path: Path) -> None:
    path = zip_bomb(tmp_path / "bomb.xlsx", inflated_mb=40)
    _refused(path, r"sheet1\.xml claims to inflate [\d,]+x.*zip bomb")


def test_part_inflating_past_its_declared_size(tmp_path: Path) -> None:
    path = zip_bomb(tmp_path / "liar.xlsx", inflated_mb=3)
    understate_size(path, "xl/worksheets/sheet1.xml", 5000)
    with zipfile.ZipFile(path) as zf:
        assert zf.getinfo("xl/worksheets/sheet1.xml").file_size == 5000
    _refused(path, "inflates past its declared size")


def test_xml_entity_bomb(tmp_path: Path) -> None:
    err = _refused(entity_bomb(tmp_path / "lol.xlsx"), "contains a DTD")
    assert "entity bomb" in str(err)


def test_dtd_in_any_part_is_refused(tmp_path: Path) -> None:
    good = write_xlsx(tmp_path / "good.xlsx", {"Risks": [["Risk Ref", "Title"]]})
    with zipfile.ZipFile(good) as zf:
        workbook_xml = zf.read("xl/workbook.xml")
    body = workbook_xml.split(b"?>", 1)[-1]
    path = rezip(
        good,
        tmp_path / "dtd.xlsx",
        {"xl/workbook.xml": b'<!DOCTYPE x SYSTEM "http://example.com/x.dtd">' + body},
    )
    _refused(path, r"part xl/workbook\.xml contains a DTD")


def test_malformed_xml_part(tmp_path: Path) -> None:
    good = write_xlsx(tmp_path / "good.xlsx", {"Risks": [["Risk Ref", "Title"]]})
    path = rezip(good, tmp_path / "bad.xlsx", {"xl/workbook.xml": b"<<not xml"})
    _refused(path, "not well-formed XML")


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(RiskboardError, match="file not found"):
        check_container(tmp_path / "nope.xlsx", 500)


def test_cells_keep_their_row_numbers_and_types(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "r.xlsx",
        {"Risks": [[], [], ["Risk Ref", "Due"], ["R1", date(2022, 8, 4)], ["R2", 3]]},
        merges={"Risks": ["A1:B1"]},
    )
    with WorkbookReader(path) as wb:
        sheet = wb.read("Risks")
    assert sheet.rows[2] == ["Risk Ref", "Due"]
    assert sheet.rows[3] == ["R1", date(2022, 8, 4)]
    assert sheet.rows[4] == ["R2", 3.0]
    assert sheet.rows[0] == ["", ""]
    assert sheet.merged == [((0, 0), (0, 1))]


def test_hidden_sheets_are_not_data(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "h.xlsx",
        {"Register": [["Risk Ref", "Title"]], "Lookups": [["Code", "Meaning"]]},
        hidden=["Lookups"],
    )
    with WorkbookReader(path) as wb:
        assert wb.sheet_names == ["Register"]
        assert wb.skipped == [("Lookups", "hidden")]
