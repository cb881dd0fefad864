"""Rule 10 (issue 11): every export uses the same rules as ``flags`` - a closed risk whose
score went up is not a score increase anywhere, and a withdrawn board action is not
overdue."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import sqlite_utils

from board_helpers import import_month, risk, start
from riskboard import board
from riskboard.config import Config
from riskboard.domain import FlagCode
from riskboard.register import flags_for
from riskboard.reports.chase import chase_items
from riskboard.reports.monthly_report import export_report


def _sheet(path: Path, name: str) -> list[tuple[object, ...]]:
    ws = openpyxl.load_workbook(path)[name]
    return [tuple(c.value for c in row) for row in ws.iter_rows()]


def test_closed_risk_is_not_a_score_increase_in_any_export(
    db: sqlite_utils.Database, tmp_path: Path
) -> None:
    import_month(
        db,
        "2022-08",
        [
            risk("HM-001", current_score=16),  # open, up from 12
            risk("SL-002", annex="Street Lighting", current_score=20, status="Closed"),
        ],
    )
    config = Config().resolve(tmp_path)
    flagged = {
        f.ref for f in flags_for(db, "2022-08", config) if FlagCode.SCORE_INCREASED in f.flags
    }
    assert flagged == {"HM-001"}
    path = export_report(db, config, month="2022-08", out_dir=tmp_path)
    refs = {row[0] for row in _sheet(path, "Score increases")[3:] if row[0]}
    assert refs == flagged
    assert "SL-002" not in {i.ref for i in chase_items(db, "2022-08", config)}


def test_withdrawn_board_action_is_not_overdue(db: sqlite_utils.Database, tmp_path: Path) -> None:
    m = start(db, "2022-08-10", month="2022-07")
    keep = board.add_action(db, m.id, "Real", owner="Carl", due="2022-08-15")
    oops = board.add_action(db, m.id, "Raised in error", owner="Carl", due="2022-08-15")
    board.withdraw_action(db, m.id, oops.number, reason="error")
    path = export_report(db, Config().resolve(tmp_path), month="2022-08", out_dir=tmp_path)
    rows = _sheet(path, "Overdue actions")
    risks = {row[2] for row in rows[3:] if row[0] == "Board"}
    assert risks == {f"Action {keep.number}"}
