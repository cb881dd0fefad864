"""Refusals that said the wrong thing (the review of issue 10, finding 8): a
password-protected workbook, a sheet whose only recognised column is the reference, a
clean table over ``import.max_cells``, and what argparse quotes from a command line
that is not UTF-8."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from riskboard.config import Config
from riskboard.errors import RefusedWorkbook, Remedy
from riskboard.ingest.reader import WorkbookReader
from riskboard.ingest.workbook import parse_workbook
from workbooks import register_rows, write_xlsx


def test_an_encrypted_xlsx_is_refused_as_password_protected(tmp_path: Path) -> None:
    """Excel's "Encrypt with Password": an OLE container holding EncryptionInfo and
    EncryptedPackage (made here with msoffcrypto-tool, a test-only dependency)."""
    ooxml = pytest.importorskip("msoffcrypto.format.ooxml")
    plain = write_xlsx(tmp_path / "plain.xlsx", {"Register": register_rows()})
    locked = tmp_path / "locked_2022-08.xlsx"
    with plain.open("rb") as src, locked.open("wb") as out:
        ooxml.OOXMLFile(src).encrypt("secret", out)
    with pytest.raises(RefusedWorkbook) as info:
        WorkbookReader(locked)
    assert "password-protected" in str(info.value)
    assert "save an unprotected copy" in str(info.value)
    assert "Cannot detect file format" not in str(info.value)


def test_a_sheet_with_only_the_reference_recognised_says_so(tmp_path: Path) -> None:
    """Was: "no recognisable risk reference column; headers seen: 'Risk Ref'
    (recognised: ref)" - which contradicts itself."""
    path = write_xlsx(
        tmp_path / "r_2022-08.xlsx",
        {"Register": [["Risk Ref", "Widget", "Gadget"], ["HM-001", "a", "b"]]},
    )
    with pytest.raises(Exception) as info:
        parse_workbook(path, Config())
    text = str(info.value)
    assert "only a risk reference column was recognised (ref)" in text
    assert "no recognisable risk reference" not in text
    assert "'Risk Ref', 'Widget', 'Gadget'" in text


def test_a_clean_table_over_max_cells_is_told_to_raise_it_not_to_delete_stray_cells(
    tmp_path: Path,
) -> None:
    rows = [[f"R{r}", *(f"v{c}" for c in range(9))] for r in range(200)]  # 2,000 cells
    path = write_xlsx(tmp_path / "big.xlsx", {"Register": rows})
    with pytest.raises(RefusedWorkbook) as info, WorkbookReader(path, max_cells=1000) as wb:
        wb.read("Register")
    text = str(info.value)
    assert "2,000 cells are filled in" in text and "only" not in text
    assert "the table itself is that large: raise import.max_cells" in text
    assert "stray" not in text
    assert info.value.remedy is Remedy.RAISE_LIMIT


def test_argparse_shows_undecodable_bytes_as_bytes(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    arg = os.fsdecode(b"2022-0\xa3")
    proc = subprocess.run(
        [sys.executable, "-m", "riskboard", "flags", "--month", arg],
        capture_output=True, text=True, cwd=tmp_path, env=env, timeout=60,
    )  # fmt: skip
    assert proc.returncode == 2
    assert "got '2022-0\\xa3'" in proc.stderr
    assert "udca3" not in proc.stderr
