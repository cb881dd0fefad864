"""A small chaired board for the export tests, built through the real services.

Two imported months (2026-02, 2026-03) and two meetings: meeting 1 reviewed February,
escalated SL-003 to the Directorate register and raised Action 1; meeting 2 (14 April 2026) reviewed March, approved meeting 1's
minutes, updated Action 1, escalated risks, accepted SL-003's escalation and then
de-escalated it, and raised Actions 2-3.
Imported and typed text is seeded with formula-like strings and non-ASCII characters.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import sqlite_utils

from riskboard import board
from riskboard.config import Config
from riskboard.domain import Action, Risk
from riskboard.store import open_db
from riskboard.store.register import ImportRecord, save_import

FORMULA_TITLE = '=HYPERLINK("http://evil.example","Click me")'
FORMULA_OWNER = "@SUM(A1:A9)"
FORMULA_DECISION = "=cmd|' /C calc'!A0 was noted as a spreadsheet trick"
FORMULA_PROGRESS = "-2+3 quotes received"
FORMULA_REASON = "+44 exposure now above £250,000"
UNICODE_TITLE = "Café kiosk lease – £12,500 arrears"


def _risk(ref: str, month: str, **kw: object) -> Risk:
    base: dict[str, object] = {
        "ref": ref,
        "title": f"Risk {ref}",
        "annex": "Highways Maintenance",
        "owner": "Jo Bloggs",
        "status": "Open",
        "strategy": "treat",
        "strategy_text": "Treat",
        "current_likelihood": 2,
        "current_impact": 3,
        "current_score": 6,
    }
    base.update(kw)
    if "actions" not in kw:
        base["actions"] = [
            Action(
                risk_ref=ref,
                action_ref=f"{ref}-A1",
                text="Monthly inspection",
                owner="Sam Roe",
                due=date(2026, 6, 30),
                last_updated=date(2026, 3, 5) if month == "2026-03" else date(2026, 2, 5),
                status="In progress",
            )
        ]
    return Risk.model_validate(base)


def month_risks(month: str) -> list[Risk]:
    march = month == "2026-03"
    return [
        _risk(
            "HM-001",
            month,
            title="Carriageway defects backlog",
            current_likelihood=4,
            current_impact=4 if march else 3,
            current_score=16 if march else 12,
        ),
        _risk(
            "HM-002",
            month,
            title=FORMULA_TITLE,
            owner=FORMULA_OWNER,
            description="+44 20 7946 0000 is the contractor hotline",
            actions=[
                Action(
                    risk_ref="HM-002",
                    text="Chase supplier",
                    owner="Sam Roe",
                    due=date(2026, 1, 31),
                    last_updated=date(2026, 1, 20),
                    status="Open",
                )
            ],
        ),
        _risk(
            "SL-003",
            month,
            title=UNICODE_TITLE,
            annex="Street Lighting",
            strategy="tolerate",
            strategy_text="Tolerate",
            current_likelihood=3,
            current_impact=3,
            current_score=9,
        ),
        _risk(
            "FN-004",
            month,
            title="Price adjustment claim",
            annex="Commercial",
            category="Financial",
            exposure=250_000.0,
            current_likelihood=5,
            current_impact=4,
            current_score=20,
        ),
        _risk(
            "HM-005",
            month,
            title="Closed risk",
            status="Closed",
            current_score=2,
            current_likelihood=1,
            current_impact=2,
        ),  # fmt: skip
        _risk(
            "PR-006",
            month,
            title="Footpath erosion",
            annex="Public Rights of Way",
            strategy=None,
            strategy_text=None,
            actions=[],
            current_likelihood=1,
            current_impact=1,
            current_score=1,
        ),  # fmt: skip
    ]


def import_month(db: sqlite_utils.Database, month: str, risks: list[Risk]) -> None:
    with db.atomic():
        save_import(
            db,
            ImportRecord(file_name=f"iris_{month}.xlsx", sha256=f"sha-{month}", month=month,
                         report_date=f"{month}-28"),
            risks,
        )  # fmt: skip


@dataclass
class Board:
    db: sqlite_utils.Database
    config: Config
    first: int  # meeting ids
    second: int


def build_board(
    tmp_path: Path, *, close_second: bool = True, amendment: str | None = None
) -> Board:
    config = Config().resolve(tmp_path)
    db = open_db(tmp_path / "riskboard.db")
    for month in ("2026-02", "2026-03"):
        import_month(db, month, month_risks(month))

    m1 = board.new_meeting(db, meeting_date="2026-03-10", chair="Alex Chair",
                              month="2026-02", minute_taker="Min Taker", config=config).id  # fmt: skip
    for name, org in (("Alex Chair", "directorate"), ("Casey Contractor", "contractor"),
                      ("Corin Corporate", "corporate")):  # fmt: skip
        board.attend(db, m1, name, organisation=org)
    board.save_review(db, m1, "HM-001", decision="noted", reviewed=True)
    board.escalate(db, m1, "SL-003", target="directorate", reason="Lease arrears rising")
    board.add_action(db, m1, "Report on defect backlog", owner="Casey Contractor",
                       due="2026-04-30", risk_ref="HM-001")  # fmt: skip
    board.close_meeting(db, m1)

    m2 = board.new_meeting(db, meeting_date="2026-04-14", chair="Alex Chair",
                              month="2026-03", minute_taker="Min Taker", config=config).id  # fmt: skip
    board.attend(db, m2, "Alex Chair", role="Chair")
    board.attend(db, m2, "Casey Contractor")
    board.attend(db, m2, "Corin Corporate")
    board.attend(db, m2, "Dee Directorate", organisation="directorate", apologies=True)
    board.add_declaration(db, m2, "Casey Contractor – interest in HM-002 supplier")
    board.approve_previous(db, m2, amendment=amendment)
    board.update_action(db, m2, 1, status="closed", progress=FORMULA_PROGRESS)
    board.save_review(db, m2, "HM-001", strategy="treat", rationale="Backlog is reducing",
                        note="Score rose after the cold snap.",
                        decision="that the defect programme be accelerated", reviewed=True)  # fmt: skip
    board.save_review(db, m2, "HM-002", note="Supplier chased twice.",
                        decision=FORMULA_DECISION, reviewed=True)  # fmt: skip
    board.save_review(db, m2, "FN-004", strategy="transfer", rationale="Insured",
                        decision="that the claim be escalated", reviewed=True)  # fmt: skip
    board.save_review(db, m2, "SL-003", note="Lease arrears – £12,500 owed.",
                        decision="that the risk be tolerated", reviewed=True)  # fmt: skip
    board.escalate(db, m2, "FN-004", target="corporate", reason=FORMULA_REASON,
                         proposed_owner="Director of Finance")  # fmt: skip
    board.escalate(db, m2, "HM-001", target="directorate", reason="Score 16 and rising")
    # de-escalation only from a register the risk is on: SL-003's escalation is accepted
    board.decide_escalation(db, m2, 1, accept=True)
    board.deescalate(db, m2, "SL-003", reason="Stable for three months",
                           from_target="directorate")  # fmt: skip
    board.add_action(db, m2, "Accelerate patching programme", owner="Casey Contractor",
                       due="2026-05-31", risk_ref="HM-001")  # fmt: skip
    board.add_action(db, m2, "Brief the Finance Director", owner="Corin Corporate",
                       due="2026-05-15", risk_ref="FN-004")  # fmt: skip
    board.add_aob(db, m2, "Winter service review – date to be set")
    board.set_next_meeting_date(db, m2, "2026-05-12")
    if close_second:
        board.close_meeting(db, m2)
    return Board(db=db, config=config, first=m1, second=m2)
