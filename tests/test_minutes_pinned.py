"""Held minutes say what the board saw (review of issue 11, F1): everything the minutes
print about a reviewed risk - score, likelihood x impact, direction of travel, flags,
the export's strategy - is pinned with the review at the meeting, so a later re-import
of the month (the contractor re-sending it corrected) or an edit of the register tables
cannot rewrite the minutes of a meeting already held, approved or not."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import openpyxl
import sqlite_utils

from export_board import Board, _risk, build_board, month_risks
from riskboard import board
from riskboard.domain import Action, Risk
from riskboard.reports.minutes import export_minutes
from riskboard.store.register import ImportRecord, save_import


def _resend(db: sqlite_utils.Database, month: str, risks: list[Risk], tag: str) -> None:
    """The contractor re-sends ``month`` (a new file: another sha256)."""
    with db.atomic():
        save_import(
            db,
            ImportRecord(file_name=f"iris_{month}_{tag}.xlsx", sha256=f"sha-{month}-{tag}",
                         month=month, report_date=f"{month}-28"),
            risks,
        )  # fmt: skip


def _corrected(month: str) -> list[Risk]:
    """``month`` re-sent: HM-001 rescored 4x4=16 -> 2x4=8 with its action updated late,
    HM-002's action brought up to date, FN-004 now tolerated in the export with a new
    exposure, SL-003 given an exposure."""
    risks = []
    for r in month_risks(month):
        if r.ref == "HM-001":
            r = _risk("HM-001", month, title="Carriageway defects backlog",
                      current_likelihood=2, current_impact=4, current_score=8)  # fmt: skip
        elif r.ref == "HM-002":
            r = r.model_copy(
                update={"actions": [Action(risk_ref="HM-002", text="Chase supplier",
                                           owner="Sam Roe", due=date(2026, 6, 30),
                                           last_updated=date(2026, 3, 20), status="Open")]}
            )  # fmt: skip
        elif r.ref == "FN-004":
            r = r.model_copy(update={"strategy": "tolerate", "strategy_text": "Tolerate",
                                     "exposure": 900_000.0})  # fmt: skip
        elif r.ref == "SL-003":  # de-escalated at the meeting: no exposure then
            r = r.model_copy(update={"exposure": 12_500.0})
        risks.append(r)
    return risks


def _approve_second(b: Board) -> int:
    m3 = board.new_meeting(db=b.db, meeting_date="2026-05-12", chair="Alex Chair",
                           month="2026-03", minute_taker="Min Taker", config=b.config).id  # fmt: skip
    for name, org in (("Alex Chair", "directorate"), ("Casey Contractor", "contractor"),
                      ("Corin Corporate", "corporate")):  # fmt: skip
        board.attend(b.db, m3, name, organisation=org)
    board.approve_previous(b.db, m3)
    return m3


def _md(b: Board, out: Path) -> list[str]:
    path = export_minutes(b.db, b.config, meeting_id=b.second, fmt="md", out_dir=out)
    # the audit log's head moves with every later change: the one line allowed to differ
    return [line for line in path.read_text("utf-8").splitlines() if "Audit log head" not in line]


def _sheet(b: Board, out: Path, name: str = "Decisions") -> list[tuple[object, ...]]:
    path = export_minutes(b.db, b.config, meeting_id=b.second, fmt="xlsx", out_dir=out)
    wb = openpyxl.load_workbook(path, read_only=True)
    return [tuple(r) for r in wb[name].iter_rows(values_only=True)]


def test_approved_minutes_survive_a_corrected_reimport_and_register_edits(
    tmp_path: Path,
) -> None:
    b = build_board(tmp_path)
    _approve_second(b)
    before = _md(b, tmp_path / "before")
    sheet_before = _sheet(b, tmp_path / "before")
    assert "imported again" not in str(_sheet(b, tmp_path / "before", "Risk Log")[0][0])
    text = "\n".join(before)
    assert "APPROVED" in text
    assert "16 (likelihood 4 × impact 4)" in text  # HM-001 as the board saw it
    assert "↑ up from 12" in text

    # a legitimate re-send of both months, then an insider's edits of the register tables
    _resend(b.db, "2026-03", _corrected("2026-03"), "corrected")
    _resend(b.db, "2026-02", _corrected("2026-02"), "corrected")
    b.db.execute(
        "UPDATE risk_snapshots SET current_score = 1, current_likelihood = 1,"
        " current_impact = 1 WHERE ref = 'SL-003' AND month = '2026-03'"
    )
    b.db.execute(
        "UPDATE action_snapshots SET progress = 'All done', last_updated = '2026-03-30'"
        " WHERE risk_ref = 'FN-004' AND month = '2026-03'"
    )
    # (times are kept to the second: the re-sends come a minute after the close)
    b.db.execute(
        "UPDATE imports SET imported_at ="
        " strftime('%Y-%m-%dT%H:%M:%S+00:00', 'now', '+1 minute')"
        " WHERE file_name LIKE '%corrected%'"
    )
    b.db.conn.commit()
    assert board.verify(b.db, b.second).ok
    after = _md(b, tmp_path / "after")
    assert after == before  # byte for byte, bar the audit log's head
    assert _sheet(b, tmp_path / "after") == sheet_before
    # the Risk Log is the whole register as now imported, and says so
    title = str(_sheet(b, tmp_path / "after", "Risk Log")[0][0])
    assert ", as imported now: February 2026 was imported again on " in title
    assert "(iris_2026-02_corrected.xlsx), after the meeting; the risks the board" in title


def test_held_minutes_not_yet_approved_do_not_move_either(tmp_path: Path) -> None:
    """Closed, not approved yet: the draft minutes too say what the board saw."""
    b = build_board(tmp_path)
    before = _md(b, tmp_path / "before")
    _resend(b.db, "2026-03", _corrected("2026-03"), "corrected")
    assert _md(b, tmp_path / "after") == before


def test_the_pin_is_in_the_sealed_record(tmp_path: Path) -> None:
    """What is pinned is part of the hashed record: changing it around the service is a
    mismatch ``meeting verify`` reports, naming the review."""
    b = build_board(tmp_path)
    _approve_second(b)
    rec = board.meeting_record(b.db, b.second)
    hm1 = next(r for r in rec["reviews"] if r["ref"] == "HM-001")
    facts = hm1["risk_facts"]
    assert facts["current_likelihood"] == 4 and facts["current_impact"] == 4
    assert facts["previous_score"] == 12 and facts["direction"] == "up"
    assert rec["version"] >= 4  # the pins came with version 4 (early warnings: 5)
    names = [r[0] for r in b.db.execute("SELECT name FROM sqlite_master WHERE type='trigger'")]
    for name in names:
        b.db.execute(f"DROP TRIGGER {name}")
    b.db.execute(
        'UPDATE reviews SET risk_facts = replace(risk_facts, \'"direction":"up"\','
        " '\"direction\":\"down\"') WHERE ref = 'HM-001' AND meeting_id = ?",
        [b.second],
    )
    b.db.conn.commit()
    result = board.verify(b.db, b.second)
    assert not result.ok
    assert any("HM-001" in f and "risk facts" in f for f in result.findings), result.findings
