"""The agenda's risk list: agenda order (stale actions first), type-to-filter by text,
annex or flag, sort by any column, and the heat map's cells and movement."""

from __future__ import annotations

from pathlib import Path

import pytest

from riskboard import board
from riskboard.agenda import section_rows
from riskboard.agenda.rows import (
    ESCALATION,
    FLAGGED,
    REST,
    RiskRow,
    agenda_order,
    filter_rows,
    make_row,
)
from riskboard.config import Config
from riskboard.heat_map import build_heat_map
from riskboard.register import RegisterRow
from riskboard.tui.app import RiskboardApp
from riskboard.tui.risk_columns import COLUMN_KEYS, sort_rows
from riskboard.tui.widgets.risk_table import RiskTable
from tui_board import SIZE, build_config, read, type_text, wait_for_agenda

pytestmark = pytest.mark.slow  # the meeting app driven by the pilot


def reg(ref: str, flags: list[str], score: int = 6, **kw: object) -> RegisterRow:
    return RegisterRow(
        ref=ref,
        title=kw.pop("title", f"Risk {ref}"),  # type: ignore[arg-type]
        annex=kw.pop("annex", "Highways Maintenance"),  # type: ignore[arg-type]
        owner=kw.pop("owner", "Gareth Price"),  # type: ignore[arg-type]
        current_likelihood=2,
        current_impact=3,
        current_score=score,
        flags=flags,
        **kw,  # type: ignore[arg-type]
    )


ROWS = [
    make_row(reg("A-1", [], 4, annex="Street Lighting", last_action_update="2022-08-02")),
    make_row(reg("A-2", ["escalation_candidate"], 16, direction="up")),
    make_row(reg("A-3", ["new_risk"], 8, direction="new")),
    make_row(reg("A-4", ["overdue_action", "escalation_candidate"], 12)),
    make_row(reg("A-5", ["missing_from_export"], 9, status="missing")),
    make_row(reg("A-6", ["no_strategy", "stale_action"], 3, title="Salt stock low")),
    make_row(reg("A-7", ["stale_action"], 20, annex="Street Lighting")),
    make_row(reg("A-8", ["no_action"], 5), reviewed=True),
    make_row(reg("A-9", ["score_increased"], 10, direction="up", owner="Siân Hughes")),
]


def refs(rows: list[RiskRow]) -> list[str]:
    return [r.ref for r in rows]


def test_agenda_order_puts_stale_actions_first_then_the_other_flags_then_the_rest() -> None:
    ordered = agenda_order(ROWS)
    # stale (highest score first), no strategy/no action, overdue, score up, new, missing;
    # then escalation candidates only; then the rest of the register
    assert refs(ordered) == ["A-7", "A-6", "A-8", "A-4", "A-9", "A-3", "A-5", "A-2", "A-1"]
    assert [r.section for r in ordered] == [FLAGGED] * 7 + [ESCALATION, REST]
    assert ordered[1].flags == ("stale_action", "no_strategy")  # flags shown in agenda order


def test_sections_list_every_escalation_candidate() -> None:
    ordered = agenda_order(ROWS)
    assert refs(section_rows(ordered, "flagged")) == [
        "A-7",
        "A-6",
        "A-8",
        "A-4",
        "A-9",
        "A-3",
        "A-5",
    ]
    assert refs(section_rows(ordered, "escalation")) == ["A-4", "A-2"]
    assert refs(section_rows(ordered, "rest")) == ["A-1"]
    assert len(section_rows(ordered, "whole")) == len(ROWS)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("salt", ["A-6"]),  # title
        ("lighting", ["A-1", "A-7"]),  # annex
        ("annex:street-lighting", ["A-1", "A-7"]),
        ("stale", ["A-6", "A-7"]),  # flag, by its short label
        ("flag:overdue", ["A-4"]),
        ("esc", ["A-2", "A-4"]),
        ("siân", ["A-9"]),  # owner
        ("stale lighting", ["A-7"]),  # every word must match
        ("", [r.ref for r in ROWS]),
        ("nothing-like-this", []),
    ],
)
def test_filter_by_text_annex_owner_or_flag(query: str, expected: list[str]) -> None:
    assert sorted(refs(filter_rows(ROWS, query))) == sorted(expected)


@pytest.mark.parametrize("column", COLUMN_KEYS)
def test_sort_by_any_column_both_ways(column: str) -> None:
    up = sort_rows(ROWS, column)
    down = sort_rows(ROWS, column, reverse=True)
    assert sorted(refs(up)) == sorted(refs(ROWS))
    assert refs(down) == refs(up)[::-1]
    if column == "score":
        scores = [r.score for r in up]
        assert scores == sorted(scores)  # type: ignore[type-var]
    if column == "title":
        assert refs(up)[:2] == ["A-1", "A-2"] and up[-1].title == "Salt stock low"


def test_heat_map_counts_cells_and_movement_since_last_month() -> None:
    heat = build_heat_map(
        "2022-08",
        [
            RegisterRow(ref="R1", current_likelihood=4, current_impact=4, status="Open"),
            RegisterRow(ref="R2", current_likelihood=4, current_impact=4),
            RegisterRow(ref="R3", current_likelihood=2, current_impact=3),
            RegisterRow(ref="R4"),
            # off the grid whatever their scores: closed, or missing from the export
            RegisterRow(ref="R6", current_likelihood=5, current_impact=5, status="Closed"),
            RegisterRow(ref="R7", current_likelihood=5, current_impact=5, status="missing"),
        ],
        {"R1": (4, 4), "R2": (3, 4), "R5": (2, 3)},
        "2022-07",
    )
    cell = heat.cell(4, 4)
    assert (cell.count, cell.previous_count, cell.change) == (2, 1, 1)
    assert cell.moved_in == ["R2"] and cell.moved_out == []
    assert heat.cell(3, 4).moved_out == ["R2"]
    assert heat.cell(2, 3).refs == ["R3"] and heat.cell(2, 3).moved_in == ["R3"]  # new
    assert heat.cell(2, 3).moved_out == ["R5"]  # gone from the register
    assert heat.unscored == ["R4"] and heat.placed == 3 and heat.open == 4
    assert heat.cell(5, 5).refs == [] and heat.not_open == 2


# ------------------------------------------------------------------ in the app


@pytest.fixture
def config(tmp_path: Path) -> Config:
    cfg = build_config(tmp_path)
    db = read(cfg)
    board.new_meeting(db, meeting_date="2022-09-14", chair="Helen Marsh", config=cfg)
    db.conn.close()
    return cfg


async def test_typing_in_the_filter_narrows_the_list_and_escape_clears_it(config: Config) -> None:
    app = RiskboardApp(config)
    async with app.run_test(size=SIZE) as pilot:
        agenda = await wait_for_agenda(app, pilot)
        agenda.show_section("whole")
        table = agenda.query_one(RiskTable)
        assert len(table.rows) == 3
        await pilot.press("slash")
        await type_text(pilot, "lighting")
        assert refs(list(table.rows)) == ["SL-001"]
        await pilot.press("escape")
        await pilot.pause()
        assert len(table.rows) == 3 and app.focused is table
        await pilot.press("slash", "s", "t", "a", "l", "e")  # keystroke by keystroke
        assert refs(list(table.rows)) == ["HM-001"]


async def test_sort_key_and_header_click(config: Config) -> None:
    app = RiskboardApp(config)
    async with app.run_test(size=SIZE) as pilot:
        agenda = await wait_for_agenda(app, pilot)
        agenda.show_section("whole")
        table = agenda.query_one(RiskTable)
        await pilot.press("s")  # first column ascending
        assert table.sort_column == "ref" and not table.sort_reverse
        assert refs(list(table.rows)) == ["HM-001", "SL-001", "WS-001"]
        await pilot.press("s")
        assert table.sort_reverse and refs(list(table.rows)) == ["WS-001", "SL-001", "HM-001"]
        # clicking the Score heading sorts by score
        x = sum(
            w
            for c, w in table._widths()
            if c.key not in ("score",) and COLUMN_KEYS.index(c.key) < COLUMN_KEYS.index("score")
        )
        await pilot.click(RiskTable, offset=(x + 2, 0))
        assert table.sort_column == "score"
        assert [r.score for r in table.rows] == [4, 6, 16]
