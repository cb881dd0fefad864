"""Rule 7 (issue 11): an accept / tolerate decision lapses. New flag
``acceptance_lapsed``: the board's last accept/tolerate decision on a risk has a review-by
date on or before the board month's end. Agenda and chase list show it; ``flags --json``
gives the meeting, decision and date; acceptances falling due before the next meeting
are listed too."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
import sqlite_utils

from board_helpers import import_month, risk, start
from riskboard import board
from riskboard.cli import main
from riskboard.config import Config
from riskboard.domain import FlagCode
from riskboard.register import flags_for, register_rows
from riskboard.reports.chase import write_chase_list
from riskboard.reports.minutes import load_minutes

LAPSED = FlagCode.ACCEPTANCE_LAPSED


def _july_meeting(db: sqlite_utils.Database, **reviews: dict[str, str]) -> int:
    """A closed meeting on 10/08/2022 reviewing July, recording ``reviews``."""
    m = start(db, "2022-08-10", month="2022-07")
    for ref, fields in reviews.items():
        board.save_review(db, m.id, ref.replace("_", "-"), reviewed=True, **fields)
    board.close_meeting(db, m.id)
    return m.id


def tolerate(until: str) -> dict[str, str]:
    return {"strategy": "tolerate", "rationale": "within tolerance", "review_by": until,
            "decision": f"tolerate until {until}"}  # fmt: skip


def test_lapsed_when_review_by_is_on_or_before_the_month_end(db: sqlite_utils.Database) -> None:
    mid = _july_meeting(db, HM_001=tolerate("2022-08-31"), SL_002=tolerate("2022-09-01"))
    flags = {f.ref: f for f in flags_for(db, "2022-08", Config())}
    assert LAPSED in flags["HM-001"].flags
    assert flags["HM-001"].details[LAPSED.value].model_dump(mode="json") == {
        "meeting_id": mid,
        "meeting_date": "2022-08-10",
        "board_month": "2022-07",
        "strategy": "tolerate",
        "decision": "RESOLVED: tolerate until 2022-08-31",
        "rationale": "within tolerance",
        "review_by": "2022-08-31",
    }
    assert "SL-002" not in flags or LAPSED not in flags["SL-002"].flags
    # not lapsed for July itself: the decision was made at the meeting reviewing July
    assert all(LAPSED not in f.flags for f in flags_for(db, "2022-07", Config()))


def test_a_later_decision_supersedes_and_closed_risks_are_never_flagged(
    db: sqlite_utils.Database,
) -> None:
    m1 = start(db, "2022-07-13", month="2022-07")
    board.save_review(db, m1.id, "HM-001", **tolerate("2022-07-31"))
    board.save_review(db, m1.id, "SL-002", **tolerate("2022-07-31"))
    board.close_meeting(db, m1.id)
    m2 = start(db, "2022-08-10", month="2022-07")
    board.save_review(db, m2.id, "HM-001", strategy="treat")  # no longer accepted
    board.close_meeting(db, m2.id)
    import_month(db, "2022-08", [risk("HM-001"), risk("SL-002", status="Closed")])
    assert not [f for f in flags_for(db, "2022-08", Config()) if LAPSED in f.flags]


def test_agenda_rows_and_chase_list_show_it(db: sqlite_utils.Database, tmp_path: Path) -> None:
    _july_meeting(db, HM_001=tolerate("2022-08-31"), SL_002=tolerate("2022-09-30"))
    rows = {r.ref: r for r in register_rows(db, "2022-08", Config())}
    assert LAPSED.value in rows["HM-001"].flags
    config = Config().resolve(tmp_path)
    files = write_chase_list(db, "2022-08", config)
    md = files.md.read_text(encoding="utf-8")
    assert (
        "Board acceptance lapsed: the board's tolerate decision of 10/08/2022 was to be"
        " reviewed by 31/08/2022 - be ready to say whether it still stands" in md
    )
    # SL-002 falls due after August but before the next meeting (none yet: 4 weeks on)
    assert "## Acceptances falling due before the next meeting (28/09/2022;" not in md
    outlook = board.acceptance_outlook(db, "2022-08", config)
    assert [a.ref for a in outlook.lapsed] == ["HM-001"]
    assert outlook.until == date(2022, 9, 28) and outlook.due == []
    m = start(db, "2022-09-14")
    board.set_next_meeting_date(db, m.id, "2022-10-12")
    outlook = board.acceptance_outlook(db, "2022-08", config)
    assert (outlook.until, [a.ref for a in outlook.due]) == (date(2022, 10, 12), ["SL-002"])
    md = write_chase_list(db, "2022-08", config).md.read_text(encoding="utf-8")
    assert "## Acceptances falling due before the next meeting (12/10/2022;" in md
    assert "- SL-002: tolerate, review by 30/09/2022, meeting 1 (10/08/2022)" in md


def test_cli_flags_json_gives_meeting_decision_and_date(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from board_helpers import seeded_db

    (tmp_path / "config.toml").write_text('[paths]\ndatabase = "rb.db"\n')
    monkeypatch.chdir(tmp_path)
    db = seeded_db(tmp_path / "rb.db")
    _july_meeting(db, HM_001=tolerate("2022-08-31"), SL_002=tolerate("2022-09-30"))
    m = start(db, "2022-09-14")
    board.set_next_meeting_date(db, m.id, "2022-10-12")
    db.conn.close()
    assert main(["flags", "--json"]) == 0
    flags = {f["ref"]: f for f in json.loads(capsys.readouterr().out)}
    detail = flags["HM-001"]["details"]["acceptance_lapsed"]
    assert (detail["meeting_id"], detail["decision"], detail["review_by"]) == (
        1, "RESOLVED: tolerate until 2022-08-31", "2022-08-31",
    )  # fmt: skip
    assert main(["flags"]) == 0
    out = capsys.readouterr().out
    assert "Board acceptance lapsed (acceptance_lapsed): 1" in out
    assert "tolerate at meeting 1 (10/08/2022), review by" in out
    assert (
        "Acceptances falling due before the next meeting (12/10/2022; the date set at meeting 2)"
        in out
    )
    assert "SL-002" in out.split("Acceptances falling due")[1]


def test_a_second_meeting_on_the_same_month_sees_the_first_ones_renewal(
    db: sqlite_utils.Database, tmp_path: Path
) -> None:
    """Issue 12b: meeting 2 renews HM-001's acceptance (review by 31/12/2022) on the August
    register; meeting 3 on the same register no longer sees it lapsed - agenda, flags and
    the minutes' Risk Log alike - while meeting 2's own minutes keep the flag that put
    HM-001 on its agenda. An acceptance whose review-by date passed before the meeting
    (30/09 at a meeting on 19/10) has lapsed: never "falling due"."""
    _july_meeting(db, HM_001=tolerate("2022-08-31"), SL_002=tolerate("2022-09-30"))
    m2 = start(db, "2022-09-14", month="2022-08")
    board.save_review(db, m2.id, "HM-001", reviewed=True, **tolerate("2022-12-31"))
    board.set_next_meeting_date(db, m2.id, "2022-10-19")
    board.close_meeting(db, m2.id)
    m3 = start(db, "2022-10-19", month="2022-08")
    board.set_next_meeting_date(db, m3.id, "2022-11-16")
    config = Config().resolve(tmp_path)

    def lapsed(meeting_id: int | None) -> set[str]:
        rows = register_rows(db, "2022-08", config, meeting_id=meeting_id)
        return {r.ref for r in rows if LAPSED.value in r.flags}

    assert lapsed(m2.id) == {"HM-001"}  # as meeting 2 saw it, before renewing it
    assert lapsed(m3.id) == {"SL-002"}  # renewed at meeting 2; SL-002 passed on 30/09
    assert lapsed(None) == {"SL-002"}  # `riskboard flags`: the record as it stands
    outlook = board.acceptance_outlook(db, "2022-08", config, meeting=board.get_meeting(db, m3.id))
    assert [a.ref for a in outlook.lapsed] == ["SL-002"] and outlook.due == []
    # as meeting 2 saw it: SL-002 still ran past 14/09, due before its next meeting
    at_m2 = board.acceptance_outlook(db, "2022-08", config, meeting=board.get_meeting(db, m2.id))
    assert [a.ref for a in at_m2.lapsed] == ["HM-001"]
    assert [a.ref for a in at_m2.due] == ["SL-002"]
    md = write_chase_list(db, "2022-08", config).md.read_text(encoding="utf-8")
    assert "Acceptances falling due" not in md  # SL-002 lapsed before 19/10: not "due"
    assert "the board's tolerate decision of 10/08/2022 was to be reviewed by 30/09/2022" in md
    minutes2, _ = load_minutes(db, config, m2.id)
    assert "Board acceptance lapsed" in {d.ref: d.flags for d in minutes2.decisions}["HM-001"]
    board.save_review(db, m3.id, "HM-001", reviewed=True)
    minutes3, rows3 = load_minutes(db, config, m3.id)
    assert "Board acceptance lapsed" not in {d.ref: d.flags for d in minutes3.decisions}["HM-001"]
    assert [r.ref for r in rows3 if LAPSED.value in r.flags] == ["SL-002"]  # the Risk Log
