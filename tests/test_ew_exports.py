"""After the meeting: the revised early warning register (xlsx, csv) and the minutes'
early warnings item (docx, xlsx, md), read back; and the early warning notice."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import openpyxl
import pytest
import sqlite_utils
from docx import Document

from board_helpers import start
from ew_helpers import ew, import_ews
from riskboard import board
from riskboard.cli import main
from riskboard.config import Config, EarlyWarningConfig, PathsConfig
from riskboard.early_warning import EwAction
from riskboard.errors import NotFound, RiskboardError
from riskboard.reports.ew_notice import draft_notice
from riskboard.reports.ew_register_export import COLUMNS, export_ew_register
from riskboard.reports.minutes import export_minutes

HOSTILE = '=HYPERLINK("http://evil.example/x","Click")'


@pytest.fixture
def decided(db: sqlite_utils.Database, tmp_path: Path) -> tuple[sqlite_utils.Database, Config, int]:
    """A meeting that decided each kind, raised an action on an early warning, and met
    an early warning register whose matter text looks like a formula."""
    import_ews(
        db,
        "2022-08",
        [
            ew("EW-001", linked_risk="HM-001", actions=[EwAction(
                ew_ref="EW-001", text="Agree programme", owner="Ann", due=date(2022, 9, 30))]),
            ew("EW-002", linked_risk="WS-003", description=HOSTILE),
            ew("EW-003", linked_risk="SL-002"),
            ew("EW-004", linked_risk=None, date_notified=date(2022, 5, 2)),
        ],
    )  # fmt: skip
    config = Config(paths=PathsConfig(database=tmp_path / "rb.db", exports=tmp_path / "exports"))
    meeting = start(db)
    board.decide_early_warning(db, meeting.id, "EW-001", decision="keep_open")
    board.decide_early_warning(db, meeting.id, "EW-002", decision="remove", reason="+Resolved")
    board.decide_early_warning(db, meeting.id, "EW-003", decision="compensation_event",
                               ce_ref="CE-12", reason="Changed the Scope")  # fmt: skip
    board.add_action(db, meeting.id, "Write to the contractor", owner="Dee", due="2022-10-01",
                     ew_ref="EW-003")  # fmt: skip
    return db, config, meeting.id


def test_the_revised_register_in_xlsx_carries_the_meetings_decisions(decided) -> None:
    db, config, meeting_id = decided
    written = export_ew_register(db, config, meeting_id=meeting_id)
    assert (written.count, written.decided, written.due) == (4, 3, date(2022, 9, 21))
    wb = openpyxl.load_workbook(written.path)
    ws = wb["Early Warning Register"]
    rows = [[c.value for c in row] for row in ws.iter_rows()]
    header = rows[2]
    assert header == [c.header for c in COLUMNS]
    table = {r[0]: dict(zip(header, r, strict=True)) for r in rows[3:]}
    assert table["EW-001"]["Status"] == "Open" and table["EW-001"]["Decision"] == "Keep open"
    assert table["EW-001"]["Meeting date"].date() == date(2022, 9, 14)
    assert "Agree programme (Ann, 30/09/2022)" in table["EW-001"]["Actions (owner, date)"]
    assert (table["EW-002"]["Status"], table["EW-002"]["Decision"]) == (
        "Removed",
        "Remove: +Resolved",
    )
    assert (table["EW-003"]["Status"], table["EW-003"]["CE ref"]) == ("Compensation event", "CE-12")
    assert (
        "Action 1: Write to the contractor (Dee, 01/10/2022)"
        in table["EW-003"]["Actions (owner, date)"]
    )
    assert table["EW-004"]["Decided at this meeting"] is None  # not decided: as the register had it
    assert table["EW-004"]["Status"] == "Open"
    # text that looks like a formula stays text
    cell = next(c for row in ws.iter_rows() for c in row if c.value == HOSTILE)
    assert cell.data_type == "s"
    about = dict(tuple(r)[:2] for r in wb["About"].iter_rows(values_only=True))
    assert about["To be issued by"].startswith("21/09/2022")


def test_the_board_s_actions_stay_on_the_revised_register_until_closed(decided) -> None:
    """An action raised on an early warning at one meeting is still on the register the
    next meeting revises (and numbered in its minutes) until it is closed."""
    db, config, first = decided
    board.close_meeting(db, first)
    second = start(db, "2022-10-12").id
    board.decide_early_warning(db, second, "EW-003", decision="keep_open")

    def actions(meeting_id: int) -> str:
        path = export_ew_register(db, config, meeting_id=meeting_id, fmt="csv").path
        with path.open(encoding="utf-8-sig", newline="") as fh:
            rows = {r["EW ref"]: r for r in csv.DictReader(fh)}
        return rows["EW-003"]["Actions (owner, date)"]

    assert "Action 1: Write to the contractor (Dee, 01/10/2022)" in actions(second)
    text = export_minutes(db, config, meeting_id=second, fmt="md").read_text(encoding="utf-8")
    ew_row = next(line for line in text.splitlines() if line.startswith("| EW-003 |"))
    assert ew_row.rstrip(" |").endswith("| 1")  # the actions column numbers the carried one
    board.update_action(db, second, 1, status="closed", progress="Letter sent")
    assert "Action 1" not in actions(second)


def test_a_linked_risk_not_on_the_risk_register_is_said_on_the_revised_register(
    db: sqlite_utils.Database, tmp_path: Path
) -> None:
    import_ews(db, "2022-08", [ew("EW-009", linked_risk="DR-099")])
    meeting = start(db)
    config = Config(paths=PathsConfig(exports=tmp_path))
    path = export_ew_register(db, config, meeting_id=meeting.id, fmt="csv").path
    with path.open(encoding="utf-8-sig", newline="") as fh:
        [row] = list(csv.DictReader(fh))
    assert row["Risk register link"] == "DR-099 - DR-099 not on the 2022-08 risk register"


def test_the_revised_register_in_csv_is_formula_safe(decided) -> None:
    db, config, meeting_id = decided
    written = export_ew_register(db, config, meeting_id=meeting_id, fmt="csv")
    with written.path.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    by_ref = {r["EW ref"]: r for r in rows}
    assert by_ref["EW-002"]["Description of the matter"] == "'" + HOSTILE
    assert by_ref["EW-002"]["Decision"] == "Remove: +Resolved"  # not at the start: kept
    assert by_ref["EW-003"]["Status"] == "Compensation event"


def test_the_due_date_is_configurable_and_the_cli_says_it(
    decided, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    db, config, meeting_id = decided
    later = config.model_copy(update={"early_warnings": EarlyWarningConfig(register_due_days=10)})
    written = export_ew_register(db, later, meeting_id=meeting_id)
    assert written.due == date(2022, 9, 24)
    # review F23: ten days is never called "within one week"
    about = dict(tuple(r)[:2] for r in openpyxl.load_workbook(written.path)["About"].iter_rows(
        values_only=True))  # fmt: skip
    assert about["To be issued by"] == (
        "24/09/2022 (10 days after the meeting, as configured; clause 15.2 asks for one week)"
    )
    text = export_minutes(db, later, meeting_id=meeting_id, fmt="md").read_text(encoding="utf-8")
    assert "by 24 September 2022 (10 days after the meeting, as configured;" in text
    assert "within one week of the meeting" not in text
    folder = config.paths.database.parent
    monkeypatch.chdir(folder)
    (folder / "config.toml").write_text(
        '[paths]\ndatabase = "rb.db"\nexports = "out"\n[early_warnings]\nregister_due_days = 5\n'
    )
    assert main(["export", "ew-register", "--format", "csv"]) == 0
    captured = capsys.readouterr()
    assert captured.out.strip().endswith("early_warning_register_2022-08_meeting_2022-09-14.csv")
    assert (
        "4 early warnings, 3 decided at the meeting; to be issued to the contractor by 19/09/2022"
        in captured.err
    )


def test_no_register_to_revise_is_said(db: sqlite_utils.Database, tmp_path: Path) -> None:
    meeting = start(db)
    config = Config(paths=PathsConfig(exports=tmp_path / "exports"))
    with pytest.raises(NotFound, match="no early warning register imported for 2022-08"):
        export_ew_register(db, config, meeting_id=meeting.id)
    assert not (tmp_path / "exports").exists()


@pytest.mark.parametrize("fmt", ["md", "docx", "xlsx"])
def test_the_minutes_have_an_early_warnings_item(decided, fmt: str) -> None:
    db, config, meeting_id = decided
    path = export_minutes(db, config, meeting_id=meeting_id, fmt=fmt)  # type: ignore[arg-type]
    if fmt == "md":
        text = path.read_text(encoding="utf-8")
    elif fmt == "docx":
        doc = Document(str(path))
        text = "\n".join(p.text for p in doc.paragraphs)
        text += "\n".join(
            " | ".join(c.text for c in row.cells) for t in doc.tables for row in t.rows
        )
    else:
        wb = openpyxl.load_workbook(path)
        sheet = [[c.value for c in row] for row in wb["Early Warnings"].iter_rows()]
        header = sheet[0]
        rows = {r[1]: dict(zip(header, r, strict=True)) for r in sheet[1:]}
        assert rows["EW-002"]["Decision"] == "Remove: +Resolved"
        assert (
            rows["EW-003"]["Status"] == "Compensation event" and rows["EW-003"]["CE ref"] == "CE-12"
        )
        assert rows["EW-003"]["Actions"] == "1"
        text = "\n".join(str(c.value) for row in wb["Minutes"].iter_rows() for c in row if c.value)
    assert "Early warnings (NEC clause 15)" in text
    assert "4 early warnings, 4 open, 4 new since the last meeting" in text
    assert "Became a compensation event (CE-12): Changed the Scope" in text
    assert "Open early warnings not decided at this meeting:" in text and "EW-004" in text
    assert "21 September 2022" in text  # the revised register's due date


def test_minutes_of_a_meeting_with_no_early_warnings_have_no_such_item(
    db: sqlite_utils.Database, tmp_path: Path
) -> None:
    meeting = start(db)
    config = Config(paths=PathsConfig(exports=tmp_path))
    text = export_minutes(db, config, meeting_id=meeting.id, fmt="md").read_text()
    assert "Early warnings" not in text


# --------------------------------------------------------------------------- the notice


def test_a_notice_from_a_risk_reserves_the_next_free_reference(decided) -> None:
    db, config, meeting_id = decided
    notice = draft_notice(db, config, risk_ref="HM-001", meeting_id=meeting_id)
    assert notice.ew_ref == "EW-005" and not notice.redrafted
    doc = Document(str(notice.path))
    text = "\n".join(p.text for p in doc.paragraphs)
    cells = {row.cells[0].text: row.cells[-1].text for t in doc.tables for row in t.rows}
    assert "Early warning notice EW-005" in text and "clause 15.1" in text
    assert cells["Contract"] == config.early_warnings.contract
    assert cells["From"] == "the Council (Service Manager)" and cells["To"] == "the Contractor"
    assert cells["Date of notice"] == "14 September 2022"
    assert cells["Matter"] == "Pothole claims"
    assert cells["Financial exposure"] == "£120,000"
    assert cells["Current score"].startswith("16")
    assert "July 2022" in cells and "August 2022" in cells  # the risk's history
    assert "proposes an early warning meeting on 21 September 2022" in text
    again = draft_notice(db, config, risk_ref="hm-001", meeting_id=meeting_id)
    assert (again.ew_ref, again.redrafted) == ("EW-005", True)
    other = draft_notice(db, config, risk_ref="SL-002", meeting_id=meeting_id)
    assert other.ew_ref == "EW-006"
    audit = [e.change for e in board.audit_entries(db, meeting_id=meeting_id)]
    assert "early warning notice EW-005 drafted on risk HM-001" in audit
    assert "early warning notice EW-005 redrafted on risk HM-001" in audit


def test_a_notice_from_an_escalation_says_so(decided) -> None:
    db, config, meeting_id = decided
    escalation = board.escalate(db, meeting_id, "WS-003", target="directorate", reason="Fleet age")
    notice = draft_notice(db, config, escalation_id=escalation.id, meeting_id=meeting_id)
    text = "\n".join(p.text for p in Document(str(notice.path)).paragraphs)
    assert notice.risk_ref == "WS-003"
    assert "escalated this risk to the Directorate risk register" in text and "Fleet age" in text
    with pytest.raises(RiskboardError, match="about risk WS-003, not HM-001"):
        draft_notice(db, config, risk_ref="HM-001", escalation_id=escalation.id)
    with pytest.raises(NotFound, match="unknown risk 'ZZ-9'"):
        draft_notice(db, config, risk_ref="ZZ-9")


def test_the_reference_follows_the_config(decided) -> None:
    db, config, _ = decided
    own = config.model_copy(
        update={
            "early_warnings": EarlyWarningConfig(ref_prefix="EWC/", ref_digits=4, first_number=20)
        }  # fmt: skip
    )
    first = draft_notice(db, own, risk_ref="HM-001", today=date(2022, 9, 1))
    second = draft_notice(db, own, risk_ref="SL-002", today=date(2022, 9, 1))
    assert (first.ew_ref, second.ew_ref) == ("EWC/0020", "EWC/0021")


def test_cli_notice_and_next_ref(
    decided, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    db, config, _ = decided
    folder = config.paths.database.parent
    monkeypatch.chdir(folder)
    (folder / "config.toml").write_text('[paths]\ndatabase = "rb.db"\nexports = "out"\n')
    assert main(["ew", "next-ref"]) == 0
    assert capsys.readouterr().out.strip() == "EW-005"
    assert main(["ew", "notice", "HM-001"]) == 0
    out = capsys.readouterr().out
    assert "out/early_warning_notice_EW-005_HM-001.docx" in out
    assert "early warning notice EW-005 on risk HM-001 drafted" in out
    assert (folder / "out" / "early_warning_notice_EW-005_HM-001.docx").is_file()


def test_the_monthly_reports_risks_by_flag_counts_only_risk_flags(decided) -> None:
    from riskboard.domain import EW_ONLY_FLAGS, FlagCode
    from riskboard.reports.report_data import gather

    db, config, _ = decided
    data = gather(db, config, "2022-08")
    assert not EW_ONLY_FLAGS & set(data.flag_counts)
    assert FlagCode.NO_EARLY_WARNING in data.flag_counts


def test_an_action_on_a_risk_and_an_early_warning_is_minuted_on_both(decided) -> None:
    """Review F4: the column said "Risk" and an action on both lost its early warning."""
    db, config, meeting_id = decided
    board.add_action(db, meeting_id, "Both", owner="Cy", due="2022-10-01", risk_ref="HM-001",
                     ew_ref="EW-001")  # fmt: skip
    text = export_minutes(db, config, meeting_id=meeting_id, fmt="md").read_text(encoding="utf-8")
    assert "| No. | Action | Risk / EW | Owner | Due |" in text
    assert "| 1 | Write to the contractor | EW-003 | Dee |" in text
    assert "| 2 | Both | HM-001, EW-001 | Cy |" in text
    wb = openpyxl.load_workbook(export_minutes(db, config, meeting_id=meeting_id, fmt="xlsx"))
    sheet = [[c.value for c in row] for row in wb["Action Log"].iter_rows()]
    on = {r[0]: r[sheet[0].index("Risk / EW")] for r in sheet[1:]}
    assert on == {1: "EW-003", 2: "HM-001, EW-001"}


def test_a_later_revised_register_carries_the_board_s_earlier_decisions(decided) -> None:
    """Review F12: the next meeting's revised register showed EW-002 (removed by the
    board at meeting 1) as plain Open with no decision - the contractor's register had
    not caught up, and the board's removal vanished from the document issued."""
    db, config, first = decided
    board.close_meeting(db, first)
    second = start(db, "2022-10-12").id
    path = export_ew_register(db, config, meeting_id=second, fmt="csv").path
    with path.open(encoding="utf-8-sig", newline="") as fh:
        rows = {r["EW ref"]: r for r in csv.DictReader(fh)}
    removed = rows["EW-002"]
    assert removed["Decision"] == "Remove: +Resolved (the board, meeting 1)"
    assert removed["Status"] == "Removed (the contractor's register still shows Open)"
    assert removed["Meeting date"] == "2022-09-14" and removed["Decided at this meeting"] == ""
    kept = rows["EW-001"]
    assert (kept["Decision"], kept["Status"]) == ("Keep open (the board, meeting 1)", "Open")
    assert rows["EW-004"]["Decision"] == ""  # never decided: as the register has it


def test_what_the_register_says_is_never_silently_replaced(
    db: sqlite_utils.Database, tmp_path: Path
) -> None:
    """Review F1 and F20: an unreadable date notified went out blank; a CE ref the board
    gave replaced the contractor's without a word; a decision on an early warning the
    register shows removed read like an ordinary one."""
    from riskboard.flag_details import UnreadableCell

    bad = UnreadableCell(field="date_notified", column="Date notified", text="w/c 15 Aug",
                         sheet="EW", row=7)  # fmt: skip
    import_ews(db, "2022-08", [
        ew("EW-001", date_notified=None, unreadable=[bad]),
        ew("EW-002", status="compensation event", compensation_event_ref="CE-011"),
        ew("EW-003", status="removed"),
    ])  # fmt: skip
    meeting = start(db)
    # refused without an override since F3/F20; overridden, the register still says both
    board.decide_early_warning(db, meeting.id, "EW-002", decision="compensation_event",
                               ce_ref="CE-099", override="CE-011 was withdrawn")  # fmt: skip
    board.decide_early_warning(db, meeting.id, "EW-003", decision="keep_open", reason="Back",
                               override="the matter recurred")  # fmt: skip
    config = Config(paths=PathsConfig(exports=tmp_path))
    path = export_ew_register(db, config, meeting_id=meeting.id, fmt="csv").path
    with path.open(encoding="utf-8-sig", newline="") as fh:
        rows = {r["EW ref"]: r for r in csv.DictReader(fh)}
    assert rows["EW-001"]["Date notified"] == "could not read: w/c 15 Aug"
    assert rows["EW-002"]["CE ref"] == "CE-099 (the contractor's register: CE-011)"
    assert rows["EW-003"]["Status"] == "Open (the contractor's register shows Removed)"
    xlsx = export_ew_register(db, config, meeting_id=meeting.id).path
    sheet = [[c.value for c in r] for r in openpyxl.load_workbook(xlsx).active.iter_rows()]
    assert [r[1] for r in sheet if r[0] == "EW-001"] == ["could not read: w/c 15 Aug"]


def test_a_notice_drafted_at_the_meeting_is_minuted(decided) -> None:
    """Review F15: the notice was audited but the minutes never said the board gave it."""
    db, config, meeting_id = decided
    draft_notice(db, config, risk_ref="HM-001", meeting_id=meeting_id)
    draft_notice(db, config, risk_ref="HM-001", meeting_id=meeting_id)  # redrafted: once
    text = export_minutes(db, config, meeting_id=meeting_id, fmt="md").read_text(encoding="utf-8")
    line = ("**Early warning notice:** the board agreed to give early warning EW-005 to the"
            " Contractor on risk HM-001 (Pothole claims), proposing an early warning meeting on"
            " 21 September 2022.")  # fmt: skip
    assert text.count(line) == 1
    assert board.meeting_record(db, meeting_id)["ew_notices"][0]["ew_ref"] == "EW-005"
    board.close_meeting(db, meeting_id)
    assert board.verify(db, meeting_id).ok


def test_the_due_date_is_frozen_at_the_close(decided) -> None:
    """Review F23: the approved minutes (and the revised register) keep the due date the
    meeting closed with, whatever the config says later; older seals still verify."""
    db, config, meeting_id = decided
    fortnight = config.model_copy(
        update={"early_warnings": EarlyWarningConfig(register_due_days=14)}
    )
    board.close_meeting(db, meeting_id, config=fortnight)
    second = start(db, "2022-10-12").id
    board.approve_previous(db, second)
    assert board.verify(db, meeting_id).ok
    week = config.model_copy(update={"early_warnings": EarlyWarningConfig(register_due_days=7)})
    text = export_minutes(db, week, meeting_id=meeting_id, fmt="md").read_text(encoding="utf-8")
    assert "by 28 September 2022 (14 days after the meeting, as configured;" in text
    assert "21 September 2022" not in text
    written = export_ew_register(db, week, meeting_id=meeting_id, fmt="csv")
    assert written.due == date(2022, 9, 28)
    record = board.meeting_record(db, meeting_id)
    assert (record["meeting"]["ew_register_due"], record["meeting"]["ew_register_due_days"]) == (
        "2022-09-28",
        14,
    )


def test_a_typo_in_the_risk_register_s_ew_column_does_not_set_the_numbering(decided) -> None:
    """Review F7: a risk naming "EW-999", on no early warning register, made the next
    council reference EW-1000; with a register imported only it and notices count."""
    from riskboard.ew_register import next_free_ref

    db, config, _ = decided
    db.execute("UPDATE risk_snapshots SET early_warning_ref = 'EW-999' WHERE ref = 'SL-002'")
    db.conn.commit()
    assert next_free_ref(db, config) == "EW-005"


def test_with_no_register_the_risk_register_s_ew_column_counts(
    db: sqlite_utils.Database,
) -> None:
    from riskboard.ew_register import next_free_ref

    db.execute("UPDATE risk_snapshots SET early_warning_ref = 'EW-041' WHERE ref = 'SL-002'")
    db.conn.commit()
    assert next_free_ref(db, Config()) == "EW-042"
