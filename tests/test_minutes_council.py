"""Minutes a council signs: members present and those in attendance (the minute-taker
among them), the chair marked from the meeting, the time the meeting opened and
closed, the chair's signature block, revised due dates shown as revised, and Excel
sheets that print landscape, one page wide, header row on every page."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import openpyxl
import pytest
import sqlite_utils

from board_helpers import CHAIR, MINUTE_TAKER, start
from riskboard import board
from riskboard.config import Config
from riskboard.reports.chase import write_chase_list
from riskboard.reports.minutes import export_minutes
from riskboard.reports.register_transfer import export_register


def _md(db: sqlite_utils.Database, meeting_id: int, tmp_path: Path) -> str:
    config = Config().resolve(tmp_path)
    path = export_minutes(db, config, meeting_id=meeting_id, fmt="md", out_dir=tmp_path)
    return path.read_text(encoding="utf-8")


def test_attendance_marks_the_chair_and_lists_the_minute_taker_in_attendance(
    db: sqlite_utils.Database, tmp_path: Path
) -> None:
    # the people list calls someone else "(Chair)": the meeting's chair is who it names
    board.save_person(db, "Old Chair", organisation="directorate", role="Head of Service (Chair)")
    m = start(db, chair="Dee Directorate")
    board.attend(db, m.id, "Old Chair")
    board.attend(db, m.id, MINUTE_TAKER, organisation="contractor", role="Admin",
                 lead_officer=False)  # fmt: skip
    board.attend(db, m.id, "Ann Adviser", organisation="other", role="Insurance adviser",
                 lead_officer=False)  # fmt: skip
    text = _md(db, m.id, tmp_path)
    present, attending = text.split("In attendance:")
    present = present.split("Present:")[1]
    assert "| Dee Directorate | Council Directorate | Head of Highways; Chair |" in present
    assert "| Old Chair | Council Directorate | Head of Service |" in present  # not "(Chair)"
    assert MINUTE_TAKER not in present and "Ann Adviser" not in present
    attending = attending.split("**Apologies:**")[0]
    assert f"| {MINUTE_TAKER} | Contractor | Admin; Minute-taker |" in attending
    assert "| Ann Adviser | Other | Insurance adviser |" in attending
    assert "not recorded as present" not in text


def test_a_minute_taker_not_recorded_is_still_in_attendance_and_an_absent_chair_is_said(
    db: sqlite_utils.Database, tmp_path: Path
) -> None:
    m = start(db)  # chair Alice Chair, minute-taker Mo Minutes: neither recorded
    text = _md(db, m.id, tmp_path)
    assert f"The chair, {CHAIR}, is not recorded as present." in text
    assert f"| {MINUTE_TAKER} |   | Minute-taker |" in text.split("In attendance:")[1]


def test_times_and_the_signature_block(db: sqlite_utils.Database, tmp_path: Path) -> None:
    today = date.today().isoformat()
    m = start(db, today)
    text = _md(db, m.id, tmp_path)
    assert "| **Time** | opened " in text and "not yet closed" in text
    board.close_meeting(db, m.id)
    meeting = board.get_meeting(db, m.id)
    text = _md(db, m.id, tmp_path)
    from riskboard.domain import local_clock

    opened, closed = local_clock(meeting.opened_at), local_clock(meeting.closed_at)
    assert f"| **Time** | {opened} to {closed} |" in text
    tail = text.split("## ")[-1]
    assert "Signed as a correct record:" in tail
    assert f"{CHAIR}, Chair" in tail and "Signature: " in tail


def test_a_record_kept_on_another_day_does_not_print_the_typing_time(
    db: sqlite_utils.Database, tmp_path: Path
) -> None:
    m = start(db, "2022-09-14")  # entered today, long after the meeting
    text = _md(db, m.id, tmp_path)
    assert "| **Time** | not recorded (the record was opened on " in text


def test_a_revised_due_date_is_shown_as_revised(db: sqlite_utils.Database, tmp_path: Path) -> None:
    m1 = start(db, "2022-09-14").id
    board.add_action(db, m1, "Cost the claims", owner="Jo Bloggs", due="2022-10-12",
                     risk_ref="HM-001")  # fmt: skip
    board.close_meeting(db, m1)
    m2 = start(db, "2022-10-12").id
    board.update_action(db, m2, 1, revised_due="2022-09-30")
    text = _md(db, m2, tmp_path)
    assert "| 1 | Cost the claims | Jo Bloggs | 12/10/2022, revised to 30/09/2022 | Open |" in text
    config = Config().resolve(tmp_path)
    path = export_minutes(db, config, meeting_id=m2, fmt="xlsx", out_dir=tmp_path)
    lines = [r[2] for r in openpyxl.load_workbook(path)["Minutes"].iter_rows(values_only=True)
             if len(r) > 2 and r[2]]  # fmt: skip
    assert any("12/10/2022, revised to 30/09/2022" in str(line) for line in lines)


def _assert_prints_landscape_fitted(ws: object, header: str | None) -> None:
    setup = ws.page_setup  # type: ignore[attr-defined]
    assert setup.orientation == "landscape"
    assert setup.fitToWidth == 1 and setup.fitToHeight == 0
    assert ws.sheet_properties.pageSetUpPr.fitToPage  # type: ignore[attr-defined]
    if header is not None:
        assert ws.print_title_rows == header  # type: ignore[attr-defined]


def test_excel_sheets_print_landscape_one_page_wide_header_repeated(
    db: sqlite_utils.Database, tmp_path: Path
) -> None:
    config = Config().resolve(tmp_path)
    m = start(db)
    board.save_review(db, m.id, "HM-001", strategy="treat", decision="escalate", reviewed=True)
    board.escalate(db, m.id, "HM-001", target="corporate", reason="Score 16")
    wb = openpyxl.load_workbook(
        export_minutes(db, config, meeting_id=m.id, fmt="xlsx", out_dir=tmp_path)
    )
    for name in ("Decisions", "Escalations", "Action Log"):
        _assert_prints_landscape_fitted(wb[name], "$1:$1")
    _assert_prints_landscape_fitted(wb["Risk Log"], "$3:$3")
    _assert_prints_landscape_fitted(wb["Minutes"], None)
    path, count = export_register(db, config, register="corporate", meeting_id=m.id,
                                  out_dir=tmp_path)  # fmt: skip
    assert count == 1 and path is not None
    _assert_prints_landscape_fitted(openpyxl.load_workbook(path)["Transfer"], "$1:$1")
    files = write_chase_list(db, "2022-08", config)
    chase = openpyxl.load_workbook(files.xlsx)
    _assert_prints_landscape_fitted(chase["Chase list"], "$4:$4")
    _assert_prints_landscape_fitted(chase["By owner"], "$1:$1")


@pytest.mark.parametrize("fmt", ["md"])
def test_no_plural_slips_in_the_minutes(
    db: sqlite_utils.Database, tmp_path: Path, fmt: str
) -> None:
    m = start(db)
    board.save_review(db, m.id, "HM-001", decision="noted", reviewed=True)
    text = _md(db, m.id, tmp_path)
    for slip in ("1 risks", "1 decisions", "1 actions", "1 escalations", " of 1 required"):
        assert slip not in text


def test_a_risk_minuted_without_a_new_strategy_keeps_the_boards_not_the_exports(
    db: sqlite_utils.Database, tmp_path: Path
) -> None:
    """HM-001 is exported as 'treat'; the board tolerated it at meeting 1; meeting 2
    records only a decision - its minute says the board's strategy stands."""
    m1 = start(db, "2022-09-14").id
    board.save_review(db, m1, "HM-001", strategy="tolerate", rationale="Claims falling",
                      review_by="2023-03-01", reviewed=True)  # fmt: skip
    board.close_meeting(db, m1)
    m2 = start(db, "2022-10-12").id
    board.save_review(db, m2, "HM-001", decision="that the tolerance stand", reviewed=True)
    text = _md(db, m2, tmp_path)
    assert (
        "- **Strategy:** Tolerate, as decided on 14 September 2022, review by 1 March 2023"
        " (not changed at this meeting)" in text
    )
    assert "- **Strategy in the export:** Treat" in text
    # the first meeting's own minutes are unchanged by what came later
    assert "- **Strategy:** Tolerate\n" in _md(db, m1, tmp_path)


def test_typed_text_keeps_its_case_in_the_excel_exports(
    db: sqlite_utils.Database, tmp_path: Path
) -> None:
    """Issue 12b: the xlsx minutes capitalised status cells with ``str.capitalize``,
    which lowercased the decision note typed after them ("accepted: added as crr-hw-14
    (ad highways agreed)"). Typed text - notes, rationale, decisions - keeps its case in
    every sheet; only the status word gets its capital."""
    config = Config().resolve(tmp_path)
    m = start(db)
    board.save_review(db, m.id, "HM-001", strategy="treat", rationale="Per CRR-HW-14 (AD agreed)",
                      decision="RESOLVED: escalate to the CRR", reviewed=True)  # fmt: skip
    up = board.escalate(db, m.id, "HM-001", target="corporate", reason="Score 16 - NHT view")
    board.decide_escalation(db, m.id, up.id, accept=True, note="Added as CRR-HW-14 (AD Highways)")
    wb = openpyxl.load_workbook(
        export_minutes(db, config, meeting_id=m.id, fmt="xlsx", out_dir=tmp_path)
    )
    values = {str(v) for ws in wb for row in ws.iter_rows(values_only=True) for v in row if v}
    assert "Accepted – Added as CRR-HW-14 (AD Highways)" in values
    assert "Per CRR-HW-14 (AD agreed)" in values
    assert "Score 16 - NHT view" in values
    assert not any("crr-hw-14" in v for v in values)
    # and under the risk's own item: the outcome with the note, not a bare "accepted"
    assert (
        "Escalation to the Corporate risk register: Accepted – Added as CRR-HW-14 (AD"
        " Highways)." in _md(db, m.id, tmp_path)
    )
    path, _ = export_register(db, config, register="corporate", meeting_id=m.id, out_dir=tmp_path)
    assert path is not None
    transfer = {str(v) for row in openpyxl.load_workbook(path)["Transfer"].iter_rows(values_only=True)
                for v in row if v}  # fmt: skip
    assert "Score 16 - NHT view" in transfer
    assert not any("crr-hw-14" in v.casefold() and "CRR-HW-14" not in v for v in transfer)


def test_the_chair_typed_at_the_start_is_the_attendee_whatever_the_case_and_spacing(
    db: sqlite_utils.Database, tmp_path: Path
) -> None:
    """Issue 12b: a chair typed "  dee   DIRECTORATE " at the start is Dee Directorate on
    the people list - one person, marked Chair once, never a second chair or a "not
    recorded as present"; a name typed with doubled spaces finds the person listed."""
    board.save_person(db, "Dee Directorate", organisation="directorate", role="Head of Highways")
    m = start(db, chair="  dee   DIRECTORATE ", minute_taker="mo  minutes", quorate=False)
    assert (m.chair, m.minute_taker) == ("Dee Directorate", "mo minutes")
    board.attend(db, m.id, "Carl Contractor", organisation="contractor")
    board.attend(db, m.id, "dee  directorate")  # the person listed, not someone new
    board.attend(db, m.id, "Cora Corporate", organisation="corporate")
    board.attend(db, m.id, "Mo Minutes", organisation="contractor", lead_officer=False)
    assert [p.name for p in board.list_people(db)].count("Dee Directorate") == 1
    text = _md(db, m.id, tmp_path)
    assert text.count("Dee Directorate") == 3  # header, one attendance row, signature block
    assert "| Dee Directorate | Council Directorate | Head of Highways; Chair |" in text
    assert "| Mo Minutes | Contractor | Minute-taker |" in text
    assert "not recorded as present" not in text and "mo minutes" not in text.split("Present:")[1]
