"""Rule 8 (issue 11): two people at one meeting never overwrite each other silently. A
save based on a value that changed since it was shown is refused, both values shown;
the service takes what the face showed (``expected``) and checks it inside the change's
transaction. Faces poll ``last_change_id`` / ``changes_since`` to refresh."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlite_utils

from board_helpers import audit_count, seeded_db, start
from riskboard import board
from riskboard.board import ConflictError
from riskboard.cli import main
from riskboard.store import open_db


@pytest.fixture
def two(tmp_path: Path) -> tuple[sqlite_utils.Database, sqlite_utils.Database]:
    """Two connections to one database, as two meeting apps (A and B) would have."""
    a = seeded_db(tmp_path / "rb.db")
    b = open_db(tmp_path / "rb.db")
    board.set_origin(a, "meeting app A")
    board.set_origin(b, "meeting app B")
    yield a, b
    b.conn.close()
    a.conn.close()


def test_apologies_based_on_a_stale_dash_does_not_overwrite_present(two) -> None:  # type: ignore[no-untyped-def]
    a, b = two
    m = start(a, quorate=False)
    board.save_person(a, "Carl Contractor", organisation="contractor")
    seen = board.last_change_id(b)
    # both screens show "-" for Carl; A marks him present
    board.attend(a, m.id, "Carl Contractor", expected={"status": None})
    before = audit_count(a)
    with pytest.raises(ConflictError) as err:
        board.attend(b, m.id, "Carl Contractor", apologies=True, expected={"status": None})
    text = str(err.value)
    assert text.startswith(
        f"not saved: the attendance of Carl Contractor at meeting {m.id} changed since you"
        " opened it (by Mo Minutes from meeting app A at "
    )
    assert "    shown to you:     (blank)" in text
    assert "    now recorded:     'present'" in text
    assert "    yours, not saved: 'apologies'" in text
    assert audit_count(a) == before
    assert board.attendance(a, m.id)[0].status == "present"
    # B's poll sees A's change, with where it came from
    changes = board.changes_since(b, seen)
    assert [(c.entity, c.entity_id, c.change, c.origin) for c in changes] == [
        ("attendance", "Carl Contractor", "present", "meeting app A")
    ]
    # shown the new value, B may now decide: apologies it is
    board.attend(b, m.id, "Carl Contractor", apologies=True, expected={"status": "present"})
    assert board.attendance(a, m.id)[0].status == "apologies"


def test_a_form_saved_after_a_cli_change_to_the_same_field_is_refused(two) -> None:  # type: ignore[no-untyped-def]
    a, b = two
    m = start(a)
    board.save_review(a, m.id, "HM-001", note="first view")
    # the app opens the note form showing "first view"; the CLI changes the note
    board.set_origin(b, "command line")
    board.save_review(b, m.id, "HM-001", note="changed from the command line")
    with pytest.raises(ConflictError) as err:
        board.save_review(a, m.id, "HM-001", note="typed in the app",
                          expected={"note": "first view"})  # fmt: skip
    text = str(err.value)
    assert "the note of the review of HM-001 changed since you opened it" in text
    assert "from command line" in text
    assert "'first view'" in text and "'changed from the command line'" in text
    assert "'typed in the app'" in text
    assert board.get_review(a, m.id, "HM-001").note == "changed from the command line"
    # a field changed elsewhere that this save does not touch is no conflict
    board.save_review(b, m.id, "HM-001", decision="treat")
    saved = board.save_review(a, m.id, "HM-001", note="typed again",
                              expected={"note": "changed from the command line"})  # fmt: skip
    assert (saved.note, saved.decision) == ("typed again", "RESOLVED: treat")


def test_same_value_saved_twice_is_no_conflict_and_dates_compare_as_dates(two) -> None:  # type: ignore[no-untyped-def]
    a, b = two
    m = start(a)
    board.save_review(b, m.id, "HM-001", strategy="tolerate", rationale="cost",
                      review_by="31/12/2022")  # fmt: skip
    review = board.save_review(
        a, m.id, "HM-001", strategy="tolerate", rationale="cost", review_by="2022-12-31",
        expected={"strategy": None, "rationale": "", "review_by": ""},
    )  # fmt: skip
    assert review.review_by.isoformat() == "2022-12-31"
    board.set_next_meeting_date(a, m.id, "12/10/2022", expected={"next_meeting_date": None})
    with pytest.raises(ConflictError, match="next meeting date"):
        board.set_next_meeting_date(b, m.id, "2022-10-19", expected={"next_meeting_date": ""})
    board.set_next_meeting_date(b, m.id, "2022-10-19",
                                expected={"next_meeting_date": "12/10/2022"})  # fmt: skip


def test_action_update_checks_only_the_fields_it_writes(two) -> None:  # type: ignore[no-untyped-def]
    a, b = two
    m = start(a)
    board.add_action(a, m.id, "Cost it", owner="Carl", due="2022-10-31")
    board.update_action(b, m.id, 1, owner="Dee")
    board.update_action(a, m.id, 1, progress="quotes in", expected={"progress": ""})
    with pytest.raises(ConflictError, match="the owner of Action 1 changed"):
        board.update_action(a, m.id, 1, owner="Sam", expected={"owner": "Carl"})
    board.update_action(a, m.id, 1, status="in progress")
    with pytest.raises(ConflictError, match="the status of Action 1 changed"):
        board.withdraw_action(b, m.id, 1, reason="dup", expected={"status": "open"})
    action = board.get_action(a, 1)
    assert (action.owner, action.status, action.progress) == ("Dee", "in progress", "quotes in")


def test_cli_changes_are_recorded_with_their_origin(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "config.toml").write_text('[paths]\ndatabase = "rb.db"\n')
    monkeypatch.chdir(tmp_path)
    db = seeded_db(tmp_path / "rb.db")
    m = start(db)
    db.conn.close()
    assert main(["meeting", "aob", "Winter"]) == 0
    db = open_db(tmp_path / "rb.db")
    last = board.audit_entries(db)[-1]
    assert (last.change, last.origin) == ("any other business added", "command line")
    assert main(["meeting", "audit", "--meeting", str(m.id)]) == 0
    assert "[command line]" in capsys.readouterr().out
