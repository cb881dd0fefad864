"""Register transfer sheets: the escalated risks, in the receiving register's columns."""

from __future__ import annotations

import csv
import zipfile
from datetime import datetime
from pathlib import Path

import openpyxl
import pytest

from export_board import FORMULA_REASON, UNICODE_TITLE, Board, build_board
from riskboard import board as service
from riskboard.cli import main
from riskboard.config import DEFAULT_REGISTER_COLUMNS, load_config
from riskboard.errors import RiskboardError
from riskboard.reports.register_transfer import export_register


@pytest.fixture(scope="module")
def chaired(tmp_path_factory: pytest.TempPathFactory) -> Board:
    return build_board(tmp_path_factory.mktemp("board"))


def _xlsx_rows(path: Path) -> tuple[list[str], list[dict[str, openpyxl.cell.Cell]]]:
    ws = openpyxl.load_workbook(path)["Transfer"]
    header = [c.value for c in ws[1]]
    return header, [dict(zip(header, r, strict=True)) for r in ws.iter_rows(min_row=2)]


def _csv_rows(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.reader(fh))


def test_corporate_transfer_has_the_default_columns_and_the_escalated_risk(
    chaired: Board, tmp_path: Path
) -> None:
    path, count = export_register(
        chaired.db, chaired.config, register="corporate", out_dir=tmp_path
    )
    assert count == 1
    header, rows = _xlsx_rows(path)
    assert header == list(DEFAULT_REGISTER_COLUMNS)
    (row,) = rows
    assert row["Risk Reference"].value == "FN-004"
    assert row["Risk Title"].value == "Price adjustment claim"
    assert row["Current Score"].value == 20
    assert row["Current Score"].fill.fgColor.rgb.endswith("FF0000")
    assert row["RAG"].value == "Red"
    assert row["Strategy"].value == "Transfer"  # what the board recorded, not the export's Treat
    assert "Monthly inspection (Sam Roe, due 30/06/2026, In progress)" in row["Actions"].value
    assert row["Reason for Escalation"].value == FORMULA_REASON
    assert row["Reason for Escalation"].data_type == "s"
    assert row["Financial Exposure (GBP)"].value == 250000
    assert "£" in row["Financial Exposure (GBP)"].number_format
    assert row["Proposed Owner"].value == "Director of Finance"
    assert row["Date Escalated"].value == datetime(2026, 4, 14)
    assert row["Date Escalated"].number_format == "dd/mm/yyyy"
    assert row["Minute Reference"].value == "Minute 5, 14/04/2026"
    with zipfile.ZipFile(path) as zf:
        assert "<f>" not in zf.read("xl/worksheets/sheet1.xml").decode()
    ws = openpyxl.load_workbook(path)["Transfer"]
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref == "A1:R2"


def test_open_escalations_leave_out_de_escalated_and_declined(tmp_path: Path) -> None:
    b = build_board(tmp_path)
    # SL-003 went to the directorate register at meeting 1 and was de-escalated at
    # meeting 2; HM-001 was proposed at meeting 2
    path, _ = export_register(b.db, b.config, register="directorate", fmt="csv", out_dir=tmp_path)
    assert [r[0] for r in _csv_rows(path)[1:]] == ["HM-001"]

    path, _ = export_register(
        b.db, b.config, register="directorate", meeting_id=b.first, fmt="csv", out_dir=tmp_path
    )
    assert path.name == "transfer_directorate_2026-02_meeting_2026-03-10.csv"
    rows = _csv_rows(path)
    assert [(r[0], r[1]) for r in rows[1:]] == [("SL-003", UNICODE_TITLE)]  # Café, –, £ kept

    m3 = service.new_meeting(b.db, meeting_date="2026-05-12", chair="Alex Chair",
                             month="2026-03", config=b.config).id  # fmt: skip
    for name in ("Alex Chair", "Casey Contractor", "Corin Corporate"):
        service.attend(b.db, m3, name)
    escalations = {e.ref: e for e in service.list_escalations(b.db, meeting_id=b.second)}
    service.decide_escalation(b.db, m3, escalations["HM-001"].id, accept=False, note="Held")
    service.decide_escalation(b.db, m3, escalations["FN-004"].id, accept=True)
    # nothing left to transfer: no file at all (an empty sheet reads as a mistake)
    before = set(tmp_path.iterdir())
    path, count = export_register(b.db, b.config, register="directorate", out_dir=tmp_path)
    assert (path, count) == (None, 0) and set(tmp_path.iterdir()) == before
    path, count = export_register(b.db, b.config, register="corporate", fmt="csv", out_dir=tmp_path)
    assert count == 1 and _csv_rows(path)[1][0] == "FN-004"


def test_configured_columns_are_honoured_in_order(chaired: Board, tmp_path: Path) -> None:
    (tmp_path / "config.toml").write_text(
        f'[paths]\ndatabase = "{chaired.config.paths.database}"\n'
        "[export.register.columns]\n"
        '"Risk ID" = "ref"\n"Why escalated" = "reason"\n"Residual score" = "current_score"\n'
        '"Board minute" = "minute_ref"\n"Raised on" = "date"\n"Register" = "register"\n',
        encoding="utf-8",
    )
    config = load_config(cwd=tmp_path)
    path, _ = export_register(chaired.db, config, register="corporate", fmt="csv", out_dir=tmp_path)
    rows = _csv_rows(path)
    assert rows[0] == ["Risk ID", "Why escalated", "Residual score", "Board minute", "Raised on",
                       "Register"]  # fmt: skip
    assert rows[1] == ["FN-004", "'" + FORMULA_REASON, "20", "Minute 5, 14/04/2026",
                       "2026-04-14", "Corporate risk register"]  # fmt: skip

    path, _ = export_register(chaired.db, config, register="corporate", out_dir=tmp_path)
    header, xrows = _xlsx_rows(path)
    assert header == rows[0]
    assert xrows[0]["Raised on"].value == datetime(2026, 4, 14)


def test_unknown_field_is_a_config_error_naming_the_key(
    chaired: Board, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    (tmp_path / "config.toml").write_text(
        f'[paths]\ndatabase = "{chaired.config.paths.database}"\n'
        '[export.register.columns]\n"Risk ID" = "ref"\n"Cost" = "cost_estimate"\n',
        encoding="utf-8",
    )
    with pytest.raises(
        RiskboardError, match=r"export\.register\.columns\.'Cost': unknown field 'cost_estimate'"
    ):
        export_register(
            chaired.db, load_config(cwd=tmp_path), register="corporate", out_dir=tmp_path
        )
    monkeypatch.chdir(tmp_path)
    assert main(["export", "register", "--to", "corporate"]) == 1
    err = capsys.readouterr().err
    assert "config.toml" in err and "'cost_estimate'" in err and "Traceback" not in err
    assert not list(tmp_path.glob("exports/*"))


def test_cli_prints_the_path_and_count(
    chaired: Board, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = chaired.config.paths.database.parent
    monkeypatch.chdir(folder)
    code = main(["export", "register", "--to", "directorate", "--meeting", str(chaired.second),
                 "--format", "csv", "--out", "transfers"])  # fmt: skip
    assert code == 0
    out = capsys.readouterr()
    assert out.out.strip() == "transfers/transfer_directorate_2026-03_meeting_2026-04-14.csv"
    assert "1 risk for the Directorate risk register" in out.err
    assert _csv_rows(folder / out.out.strip())[1][0] == "HM-001"


def test_cli_with_nothing_to_transfer_says_so_and_writes_nothing(
    chaired: Board, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = chaired.config.paths.database.parent
    monkeypatch.chdir(folder)
    code = main(["export", "register", "--to", "corporate", "--meeting", str(chaired.first),
                 "--out", "transfers"])  # fmt: skip
    assert code == 0
    out = capsys.readouterr().out
    assert "Nothing to transfer to the Corporate risk register" in out
    assert f"at meeting {chaired.first}" in out and "no file written" in out
    assert not list(folder.glob("transfers/transfer_corporate_*"))
