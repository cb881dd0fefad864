"""Attendance: the persistent people list, present / apologies, and quorum per
organisation from the rule in force when the meeting was created."""

from __future__ import annotations

import pytest
import sqlite_utils

from board_helpers import quorate, start
from riskboard import board
from riskboard.config import Config, QuorumConfig
from riskboard.errors import RiskboardError


def test_people_list_persists_between_meetings(db: sqlite_utils.Database) -> None:
    first = start(db, quorate=False)
    board.attend(
        db, first.id, "Carl Contractor", organisation="Contractor", role="Contract Manager"
    )
    board.close_meeting(db, first.id, force_reason="t")
    second = start(db, "2022-10-12", quorate=False)
    entry = board.attend(db, second.id, "carl contractor")  # no organisation typed twice
    assert entry.name == "Carl Contractor"
    assert entry.organisation == "contractor"
    assert entry.role == "Contract Manager"
    assert [p.name for p in board.list_people(db)] == ["Carl Contractor"]
    assert db.execute("SELECT COUNT(*) FROM people").fetchone()[0] == 1


def test_someone_new_needs_an_organisation(db: sqlite_utils.Database) -> None:
    m = start(db, quorate=False)
    with pytest.raises(RiskboardError, match="not in the people list: give their organisation"):
        board.attend(db, m.id, "Nobody Known")
    with pytest.raises(RiskboardError, match="unknown organisation 'council tax'"):
        board.attend(db, m.id, "Nobody Known", organisation="council tax")
    assert db.execute("SELECT COUNT(*) FROM people").fetchone()[0] == 0


def test_organisation_mismatch_is_refused_not_silently_changed(db: sqlite_utils.Database) -> None:
    m = start(db, quorate=False)
    board.attend(db, m.id, "Dee Directorate", organisation="directorate")
    with pytest.raises(RiskboardError, match="on the people list as directorate, not corporate"):
        board.attend(db, m.id, "Dee Directorate", organisation="corporate")
    board.save_person(db, "Dee Directorate", organisation="corporate")
    assert board.attend(db, m.id, "Dee Directorate").organisation == "corporate"


def test_present_and_apologies_recorded_with_role_at_the_meeting(db: sqlite_utils.Database) -> None:
    m = start(db, quorate=False)
    board.attend(db, m.id, "Carl Contractor", organisation="contractor", role="Contract Manager")
    board.attend(db, m.id, "Cora Corporate", organisation="corporate", apologies=True)
    board.attend(db, m.id, "Carl Contractor", role="Acting Director")
    rows = list(db.query("SELECT name, organisation, role, status FROM attendance ORDER BY name"))
    assert rows == [
        {
            "name": "Carl Contractor",
            "organisation": "contractor",
            "role": "Acting Director",
            "status": "present",
        },
        {
            "name": "Cora Corporate",
            "organisation": "corporate",
            "role": None,
            "status": "apologies",
        },
    ]
    # the people list keeps the usual role
    assert board.find_person(db, "Carl Contractor").role == "Contract Manager"


def test_remove_attendance(db: sqlite_utils.Database) -> None:
    m = start(db, quorate=False)
    board.attend(db, m.id, "Carl Contractor", organisation="contractor")
    board.remove_attendance(db, m.id, "carl contractor")
    assert board.attendance(db, m.id) == []
    with pytest.raises(RiskboardError, match="is not recorded at meeting 1"):
        board.remove_attendance(db, m.id, "Carl Contractor")


def test_quorum_needs_a_lead_officer_from_each_side(db: sqlite_utils.Database) -> None:
    m = start(db, quorate=False)
    q = board.quorum(db, m.id)
    assert not q.met
    assert [o.organisation for o in q.missing] == ["contractor", "directorate", "corporate"]
    board.attend(db, m.id, "Carl Contractor", organisation="contractor")
    board.attend(db, m.id, "Dee Directorate", organisation="directorate")
    board.attend(db, m.id, "Cora Corporate", organisation="corporate", apologies=True)
    board.attend(db, m.id, "Oscar Observer", organisation="corporate", lead_officer=False)
    board.attend(db, m.id, "Olga Other", organisation="other")
    q = board.quorum(db, m.id)
    assert not q.met
    assert [(o.organisation, o.required, o.present) for o in q.missing] == [("corporate", 1, 0)]
    assert q.describe() == "not quorate: Corporate needs 1 lead officer present (0 present)"
    board.attend(db, m.id, "Cora Corporate")  # arrives after all
    assert board.quorum(db, m.id).met
    assert board.quorum(db, m.id).describe() == "quorate"


def test_quorum_rule_comes_from_config_and_is_kept_with_the_meeting(
    db: sqlite_utils.Database,
) -> None:
    cfg = Config()
    cfg.meeting.quorum = QuorumConfig(contractor=2, directorate=1, corporate=0)
    m = start(db, config=cfg)
    board.attend(db, m.id, "Carl Contractor", organisation="contractor")
    board.attend(db, m.id, "Dee Directorate", organisation="directorate")
    q = board.quorum(db, m.id)
    assert [(o.organisation, o.present) for o in q.missing] == [("contractor", 1)]
    assert "Contractor needs 2 lead officers present (1 present)" in q.describe()
    board.attend(db, m.id, "Cath Contractor", organisation="contractor")
    assert board.quorum(db, m.id).met  # no Corporate needed under this rule
    board.close_meeting(db, m.id)
    assert board.get_meeting(db, m.id).close_forced_reason is None


def test_people_list_edits(db: sqlite_utils.Database) -> None:
    p = board.save_person(
        db, "Pat Person", organisation="other", role="Auditor", lead_officer=False
    )
    assert (p.organisation, p.role, p.lead_officer, p.active) == ("other", "Auditor", False, True)
    board.save_person(db, "pat person", active=False)
    assert board.list_people(db) == []
    assert [x.name for x in board.list_people(db, include_inactive=True)] == ["Pat Person"]
    m = start(db, quorate=False)
    board.attend(db, m.id, "Pat Person")  # attending brings them back
    assert [x.name for x in board.list_people(db)] == ["Pat Person"]


def test_attendance_keeps_who_they_were_on_the_day(db: sqlite_utils.Database) -> None:
    m = start(db, quorate=False)
    quorate(db, m.id)
    board.close_meeting(db, m.id)
    board.save_person(db, "Cora Corporate", organisation="other", lead_officer=False)
    entries = {e.name: e for e in board.attendance(db, m.id)}
    assert entries["Cora Corporate"].organisation == "corporate"
    assert board.quorum(db, m.id).met
