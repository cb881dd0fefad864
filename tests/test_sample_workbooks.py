"""The synthetic register and the IRIS-shaped workbooks written from it.

Files are opened back with openpyxl (and python-calamine, which the importer uses) to
check what a reader sees: where the header is, how many rows, which cells are dates.
"""

from __future__ import annotations

import hashlib
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest
from python_calamine import CalamineWorkbook

from riskboard.domain import Action, Risk, normalise_strategy
from riskboard.sample.data import (
    generate_register,
    month_bounds,
    report_date,
    risks_with_action_rows,
)
from riskboard.sample.workbooks import (
    ACTION_COLUMNS,
    COMPACT_RISK_COLUMNS,
    HEADERS,
    RISK_COLUMNS,
    standard_footer,
    standard_title_block,
    write_annex_files,
    write_workbook,
)

MONTHS = ["2022-03", "2022-04", "2022-05", "2022-06", "2022-07", "2022-08"]


@pytest.fixture(scope="module")
def register() -> dict[str, list[Risk]]:
    return generate_register(MONTHS, risks_per_annex=8, seed=7)


@pytest.fixture(scope="module")
def august(register: dict[str, list[Risk]]) -> list[Risk]:
    return register["2022-08"]


def rows_of(path: Path, sheet: str | None = None) -> list[tuple]:
    wb = openpyxl.load_workbook(path)
    ws = wb[sheet] if sheet else wb.worksheets[0]
    return [tuple(c.value for c in row) for row in ws.iter_rows()]


def header_index(rows: list[tuple], first: str = "Risk Ref") -> int:
    return next(i for i, r in enumerate(rows) if r and r[0] == first)


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# ----------------------------------------------------------------------------- data


def test_same_seed_same_register_other_seed_differs() -> None:
    a = generate_register(MONTHS[:3], risks_per_annex=3, seed=1)
    b = generate_register(MONTHS[:3], risks_per_annex=3, seed=1)
    c = generate_register(MONTHS[:3], risks_per_annex=3, seed=2)
    assert [r.model_dump() for r in a["2022-05"]] == [r.model_dump() for r in b["2022-05"]]
    assert [r.model_dump() for r in a["2022-05"]] != [r.model_dump() for r in c["2022-05"]]


def test_register_covers_every_annex_with_unique_refs(august: list[Risk]) -> None:
    annexes = {r.annex for r in august}
    assert annexes == {
        "Highways Maintenance", "Street Lighting", "Winter Service", "Bridges & Structures",
        "Public Rights of Way", "Parks & Open Spaces", "Traffic Management", "Drainage",
    }  # fmt: skip
    refs = [r.ref for r in august]
    assert len(refs) == len(set(refs))
    assert any(r.category == "Financial" and r.exposure for r in august)


def test_scores_are_likelihood_times_impact(register: dict[str, list[Risk]]) -> None:
    for risks in register.values():
        for r in risks:
            assert r.current_score == r.current_likelihood * r.current_impact
            assert r.inherent_score == r.inherent_likelihood * r.inherent_impact
            assert r.target_score == r.target_likelihood * r.target_impact
            assert 1 <= r.current_score <= 25


def test_scores_move_and_risks_come_and_go(register: dict[str, list[Risk]]) -> None:
    first = {r.ref: r.current_score for r in register["2022-03"]}
    last = {r.ref: r.current_score for r in register["2022-08"]}
    assert any(last.get(ref) not in (None, score) for ref, score in first.items())
    assert set(last) - set(first), "new risks appear in later months"
    closed = [r for risks in register.values() for r in risks if r.is_closed()]
    assert closed
    for month, later in zip(MONTHS, MONTHS[1:], strict=False):
        closed_now = {r.ref for r in register[month] if r.is_closed()}
        assert not closed_now & {r.ref for r in register[later]}, "a closed risk drops out"


def test_action_dates_fall_inside_the_month(register: dict[str, list[Risk]]) -> None:
    for month, risks in register.items():
        start, _ = month_bounds(month)
        for r in risks:
            for a in r.actions:
                assert a.last_updated is not None and a.last_updated <= report_date(month)
                assert a.due is not None and a.due > date(2022, 3, 1)
        updated = [a for r in risks for a in r.actions if a.last_updated >= start]
        assert len(updated) > 0.8 * sum(len(r.actions) for r in risks)


def test_without_imperfections_every_open_risk_is_in_order() -> None:
    reg = generate_register(MONTHS, risks_per_annex=5, seed=3, imperfection_rate=0)
    for k, month in enumerate(MONTHS):
        start, _ = month_bounds(month)
        for r in reg[month]:
            assert normalise_strategy(r.strategy_text) is not None, r.ref
            assert r.actions, r.ref
            if r.is_closed():
                continue
            for a in r.actions:
                assert start <= a.last_updated <= report_date(month), (month, a)
                assert a.status == "Complete" or a.due >= report_date(month), (month, a)
        if k:
            still_open = {r.ref for r in reg[MONTHS[k - 1]] if not r.is_closed()}
            assert still_open <= {r.ref for r in reg[month]}, "nothing missing from exports"


def test_imperfections_produce_what_the_board_looks_for() -> None:
    reg = generate_register(MONTHS, risks_per_annex=12, seed=5, imperfection_rate=0.1)
    risks = [r for month in MONTHS[1:] for r in reg[month] if not r.is_closed()]
    assert any(not r.strategy_text for r in risks)
    assert any(r.strategy_text and normalise_strategy(r.strategy_text) is None for r in risks)
    assert any(not r.actions for r in risks)


def test_text_carries_unicode(register: dict[str, list[Risk]]) -> None:
    text = " ".join(
        f"{r.title} {r.description} {r.owner}" for risks in register.values() for r in risks
    )
    assert "–" in text and "£" in text
    assert any(ch in text for ch in "éëâ")


def test_exact_action_counts_for_benchmarks() -> None:
    reg = generate_register(["2022-08"], 50, seed=1, actions_per_risk=(3, 3), imperfection_rate=0)
    assert sum(len(r.actions) for r in reg["2022-08"]) == 50 * 8 * 3
    for rows in (500, 5_000, 1):
        risks = risks_with_action_rows(rows)
        assert sum(len(r.actions) for r in risks) == rows
        assert all(r.actions for r in risks)


# ----------------------------------------------------------------------------- shapes


def test_per_action_rows_with_title_block_and_footer(tmp_path: Path, august: list[Risk]) -> None:
    path = write_workbook(
        tmp_path / "joint.xlsx",
        august,
        shape="per_action",
        title_block=standard_title_block("2022-08"),
        footer=standard_footer(august),
    )
    rows = rows_of(path)
    assert rows[0][0] == "IRIS Risk Register"
    assert rows[2][0] == "Report run: 31/08/2022"
    h = header_index(rows)
    assert h == 4  # three title lines, one blank row, then the header
    assert list(rows[h]) == [HEADERS[c] for c in (*RISK_COLUMNS, *ACTION_COLUMNS)]
    data = [r for r in rows[h + 1 :] if any(v is not None for v in r)]
    assert data[-2:] == [
        (f"Total risks: {len(august)}",) + (None,) * (len(rows[h]) - 1),
        ("End of report",) + (None,) * (len(rows[h]) - 1),
    ]
    body = data[:-2]
    assert len(body) == sum(max(1, len(r.actions)) for r in august)
    multi = next(r for r in august if len(r.actions) > 1)
    repeated = [row for row in body if row[0] == multi.ref]
    assert len(repeated) == len(multi.actions)
    assert {row[1] for row in repeated} == {multi.title}
    due = len(RISK_COLUMNS) + ACTION_COLUMNS.index("due")
    assert isinstance(repeated[0][due], datetime)
    assert repeated[0][due].date() == multi.actions[0].due
    ws = openpyxl.load_workbook(path).worksheets[0]
    assert "A1:AE1" in {str(m) for m in ws.merged_cells.ranges}
    assert ws.cell(h + 2, due + 1).number_format == "DD/MM/YYYY"


def test_per_risk_one_row_per_risk_actions_beside(tmp_path: Path, august: list[Risk]) -> None:
    path = write_workbook(tmp_path / "per_risk.xlsx", august, shape="per_risk")
    rows = rows_of(path)
    assert header_index(rows) == 0
    body = rows[1:]
    assert [r[0] for r in body] == [r.ref for r in august]
    action_col = len(RISK_COLUMNS) + ACTION_COLUMNS.index("action")
    due_col = len(RISK_COLUMNS) + ACTION_COLUMNS.index("due")
    single = next(r for r in august if len(r.actions) == 1)
    row = body[[r.ref for r in august].index(single.ref)]
    assert row[action_col] == single.actions[0].text
    assert row[due_col].date() == single.actions[0].due
    multi = next(r for r in august if len(r.actions) > 1)
    row = body[[r.ref for r in august].index(multi.ref)]
    assert row[action_col].split("\n") == [a.text for a in multi.actions]
    assert row[due_col].split("\n") == [a.due.strftime("%d/%m/%Y") for a in multi.actions]


def test_two_sheets_linked_by_ref(tmp_path: Path, august: list[Risk]) -> None:
    path = write_workbook(tmp_path / "two.xlsx", august, shape="two_sheets")
    assert openpyxl.load_workbook(path).sheetnames == ["Risks", "Actions"]
    risks = rows_of(path, "Risks")
    actions = rows_of(path, "Actions")
    assert len(risks) == 1 + len(august)
    assert actions[0] == ("Risk Ref", *(HEADERS[c] for c in ACTION_COLUMNS))
    assert len(actions) == 1 + sum(len(r.actions) for r in august)
    by_ref = {r.ref: r for r in august}
    for row in actions[1:]:
        assert row[2] in [a.text for a in by_ref[row[0]].actions]


def test_split_into_one_sheet_per_annex(tmp_path: Path, august: list[Risk]) -> None:
    path = write_workbook(
        tmp_path / "split.xlsx", august, shape="per_action", split="sheets", annex_column=False
    )
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames[:2] == ["Highways Maintenance", "Street Lighting"]
    assert len(wb.sheetnames) == 8
    rows = rows_of(path, "Bridges & Structures")
    assert "Service Annex" not in rows[0]
    refs = {r[0] for r in rows[1:]}
    assert refs == {r.ref for r in august if r.annex == "Bridges & Structures"}


def test_two_sheets_split_per_annex(tmp_path: Path, august: list[Risk]) -> None:
    path = write_workbook(tmp_path / "s.xlsx", august, shape="two_sheets", split="sheets")
    names = openpyxl.load_workbook(path).sheetnames
    assert len(names) == 16
    assert "Public Rights of Way Risks" in names and "Public Rights of Way Actions" in names


def test_one_file_per_annex(tmp_path: Path, august: list[Risk]) -> None:
    paths = write_annex_files(
        tmp_path, august, file_name="IRIS_{annex_}_{mon}.xlsx", month="2022-08", shape="per_risk"
    )
    assert [p.name for p in paths][:4] == [
        "IRIS_Highways_Maintenance_Aug2022.xlsx",
        "IRIS_Street_Lighting_Aug2022.xlsx",
        "IRIS_Winter_Service_Aug2022.xlsx",
        "IRIS_Bridges_and_Structures_Aug2022.xlsx",
    ]
    assert len(paths) == 8
    wb = openpyxl.load_workbook(paths[1])
    assert wb.sheetnames == ["Street Lighting"]
    refs = [r[0] for r in rows_of(paths[1])[1:]]
    assert refs == [r.ref for r in august if r.annex == "Street Lighting"]


# ----------------------------------------------------------------------------- options


def test_uk_text_dates_and_no_last_updated_column(tmp_path: Path, august: list[Risk]) -> None:
    path = write_workbook(
        tmp_path / "uk.xlsx", august, uk_text_dates=True, include_last_updated=False
    )
    rows = rows_of(path)
    assert "Last Updated" not in rows[0]
    due = rows[0].index("Due Date")
    first = next(r for r in august if r.actions)
    assert rows[1][due] == first.actions[0].due.strftime("%d/%m/%Y")
    assert isinstance(rows[1][due], str)


def test_header_wording_variants(tmp_path: Path, august: list[Risk]) -> None:
    alt = rows_of(write_workbook(tmp_path / "a.xlsx", august, header_style="alternative"))[0]
    assert alt[0] == "Ref No"
    assert {"Residual Likelihood", "Action Target Date", "Action Last Updated"} <= set(alt)
    multi = rows_of(write_workbook(tmp_path / "m.xlsx", august, header_style="multiline"))[0]
    assert multi[0] == "Risk\nRef" and "Current\nLikelihood" in multi
    custom = rows_of(
        write_workbook(tmp_path / "c.xlsx", august, headers={"ref": "Risk Number (IRIS)"})
    )[0]
    assert custom[0] == "Risk Number (IRIS)"


def test_group_header_row_and_blank_rows(tmp_path: Path, august: list[Risk]) -> None:
    path = write_workbook(
        tmp_path / "g.xlsx",
        august,
        title_block=["IRIS Risk Register"],
        header_groups=True,
        blank_rows=True,
    )
    rows = rows_of(path)
    assert rows[2][RISK_COLUMNS.index("current_likelihood")] == "Current Risk"
    assert rows[3][0] == "Risk Ref"
    merged = {str(m) for m in openpyxl.load_workbook(path).worksheets[0].merged_cells.ranges}
    assert "L3:N3" in merged  # Current Risk over current L, I and score
    blank = [i for i, r in enumerate(rows[4:], 4) if all(v is None for v in r)]
    annex_changes = sum(1 for a, b in zip(august, august[1:], strict=False) if a.annex != b.annex)
    assert len(blank) >= annex_changes


def test_formula_like_text_is_written_as_text(tmp_path: Path) -> None:
    risk = Risk(
        ref="HM-900",
        title="Link to IRIS",
        description='=HYPERLINK("http://iris.example/HM-900","Open in IRIS")',
        annex="Highways Maintenance",
        actions=[Action(risk_ref="HM-900", text="=1+1 & <check> \x07bell", due=date(2022, 9, 30))],
    )
    path = write_workbook(tmp_path / "f.xlsx", [risk])
    ws = openpyxl.load_workbook(path).worksheets[0]
    cell = ws.cell(2, RISK_COLUMNS.index("description") + 1)
    assert cell.data_type == "s"
    assert cell.value == '=HYPERLINK("http://iris.example/HM-900","Open in IRIS")'
    action = ws.cell(2, len(RISK_COLUMNS) + ACTION_COLUMNS.index("action") + 1)
    assert action.value == "=1+1 & <check> bell"  # control character dropped, rest kept


def test_calamine_reads_what_openpyxl_reads(tmp_path: Path, august: list[Risk]) -> None:
    path = write_workbook(
        tmp_path / "c.xlsx", august, title_block=standard_title_block("2022-08"), footer=["End"]
    )
    sheet = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
    rows = rows_of(path)
    h = header_index(rows)
    assert [str(v) for v in sheet[h]] == list(rows[h])
    first = rows[h + 1]
    assert sheet[h + 1][0] == first[0] and sheet[h + 1][1] == first[1]
    assert sheet[-1][0] == "End"


def test_same_input_gives_the_same_bytes(tmp_path: Path, august: list[Risk]) -> None:
    opts = {"title_block": standard_title_block("2022-08"), "header_groups": True}
    a = write_workbook(tmp_path / "a.xlsx", august, **opts)
    b = write_workbook(tmp_path / "b.xlsx", august, **opts)
    assert sha(a) == sha(b)
    c = write_workbook(tmp_path / "c.xlsx", august[:-1], **opts)
    assert sha(c) != sha(a)


def test_many_rows_compact_columns(tmp_path: Path) -> None:
    reg = generate_register(["2022-08"], 100, seed=9, actions_per_risk=(3, 3), imperfection_rate=0)
    path = write_workbook(tmp_path / "big.xlsx", reg["2022-08"], risk_columns=COMPACT_RISK_COLUMNS)
    sheet = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
    assert len(sheet) == 1 + 2400
    assert {len(r) for r in sheet} == {25}
    assert sheet[-1][0] == reg["2022-08"][-1].ref


def test_unknown_column_is_refused(tmp_path: Path, august: list[Risk]) -> None:
    with pytest.raises(ValueError, match="unknown columns"):
        write_workbook(tmp_path / "x.xlsx", august, risk_columns=["ref", "colour"])
