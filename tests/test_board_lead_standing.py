"""Whether someone counts as a lead officer (review of issues 10 and 11, F2): once they
took part in business, the quorum for it counted their standing, so changing it is
refused like taking them off the attendance; ``--role`` alone never changes it; and
the minutes name a change of standing as what it was, never "was marked present"."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlite_utils

from board_helpers import start
from riskboard import board
from riskboard.board.quorum_history import replay
from riskboard.config import Config
from riskboard.errors import RiskboardError
from riskboard.reports.minutes import export_minutes


def _lead(db: sqlite_utils.Database, meeting_id: int, name: str) -> bool:
    return next(e.lead_officer for e in board.attendance(db, meeting_id) if e.name == name)


def test_a_lead_officer_who_took_part_cannot_be_made_not_lead(db: sqlite_utils.Database) -> None:
    m = start(db)
    board.save_review(db, m.id, "HM-001", decision="treat it", reviewed=True)
    with pytest.raises(RiskboardError) as err:
        board.attend(db, m.id, "Cora Corporate", lead_officer=False)
    text = str(err.value)
    assert text.startswith("cannot record them as not a lead officer: Cora Corporate was present")
    assert "(review HM-001: review recorded, audit row" in text
    assert "the quorum for it counted them as a lead officer" in text
    assert err.value.hint is not None and "--left" in err.value.hint
    assert _lead(db, m.id, "Cora Corporate") is True
    assert board.quorum(db, m.id).met


def test_not_lead_who_took_part_cannot_be_made_lead(db: sqlite_utils.Database) -> None:
    m = start(db)
    board.attend(db, m.id, "Ned Observer", organisation="corporate", lead_officer=False)
    board.save_review(db, m.id, "HM-001", note="x")
    with pytest.raises(RiskboardError, match="cannot record them as a lead officer: Ned"):
        board.attend(db, m.id, "Ned Observer", lead_officer=True)
    assert _lead(db, m.id, "Ned Observer") is False


def test_a_role_alone_never_changes_lead_standing(db: sqlite_utils.Database) -> None:
    m = start(db)
    board.attend(db, m.id, "Cora Corporate", lead_officer=False)  # before any business
    assert not board.quorum(db, m.id).met
    entry = board.attend(db, m.id, "Cora Corporate", role="Visitor")
    assert entry.role == "Visitor" and entry.lead_officer is False
    assert not board.quorum(db, m.id).met  # still not quorate: nobody asked otherwise
    board.attend(db, m.id, "Cora Corporate")  # marked present again: role and standing kept
    assert _lead(db, m.id, "Cora Corporate") is False
    assert next(e.role for e in board.attendance(db, m.id) if e.name == "Cora Corporate") == (
        "Visitor"
    )


def test_standing_can_change_before_business_and_for_someone_who_arrived_after_it(
    db: sqlite_utils.Database,
) -> None:
    m = start(db)
    board.attend(db, m.id, "Cora Corporate", lead_officer=False)
    board.attend(db, m.id, "Cora Corporate", lead_officer=True)  # a slip, put right
    board.save_review(db, m.id, "HM-001", note="x")
    board.attend(db, m.id, "Lou Late", organisation="contractor")  # arrived after it
    board.attend(db, m.id, "Lou Late", lead_officer=False)  # took part in nothing yet
    assert _lead(db, m.id, "Lou Late") is False


def _row(n: int, entity: str, change: str, before: dict | None, after: dict | None) -> dict:
    return {
        "id": n, "at": f"2022-09-14T10:{n:02d}:00+00:00", "entity": entity,
        "entity_id": (after or before or {}).get("name") if entity == "attendance" else "HM-001",
        "change": change, "before": json.dumps(before) if before else None,
        "after": json.dumps(after) if after else None,
    }  # fmt: skip


def test_a_standing_change_in_an_older_record_is_minuted_as_what_it_was() -> None:
    """A record written before the refusal (or around it): the quorum history names a
    change of standing as one, not as someone being "marked present"."""
    rule = {"contractor": 1, "directorate": 1, "corporate": 1}
    people = [("Carl Contractor", "contractor"), ("Dee Directorate", "directorate")]
    rows = [
        _row(i + 1, "attendance", "present", None,
             {"meeting_id": 1, "person_id": i + 1, "name": n, "organisation": o,
              "status": "present", "lead_officer": 1})
        for i, (n, o) in enumerate(people)
    ]  # fmt: skip
    cora = {"meeting_id": 1, "person_id": 3, "name": "Cora Corporate", "organisation": "corporate", "status": "present",
            "lead_officer": 1}  # fmt: skip
    rows.append(_row(3, "attendance", "present", None, cora))
    rows.append(_row(4, "review", "review recorded", None, {"ref": "HM-001"}))
    rows.append(_row(5, "attendance", "present", cora, {**cora, "lead_officer": 0}))
    rows.append(_row(6, "attendance", "present", {**cora, "lead_officer": 0}, cora))
    history = replay(rule, rows)
    assert history is not None
    [period] = history.inquorate
    assert period.start_by == "Cora Corporate was recorded as not a lead officer"
    assert period.end_by == "Cora Corporate was recorded as a lead officer"


def test_the_minutes_keep_marked_present_for_an_arrival(
    db: sqlite_utils.Database, tmp_path: Path
) -> None:
    """An arrival that restores the quorum is still "was marked present"."""
    m = start(db)
    board.save_review(db, m.id, "HM-001", note="x")
    board.leave(db, m.id, "Cora Corporate")
    board.attend(db, m.id, "Cy Corporate", organisation="corporate")
    board.close_meeting(db, m.id)
    config = Config().resolve(tmp_path)
    text = export_minutes(db, config, meeting_id=m.id, fmt="md", out_dir=tmp_path).read_text(
        "utf-8"
    )
    assert "Cy Corporate was marked present" in text
    assert "recorded as a lead officer" not in text
