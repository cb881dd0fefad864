"""Importing an NEC early warning register: headers, shapes, UK dates, values that could
not be read, refusals and month rules - the risk register's rigour - and mixed workbooks."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import sqlite_utils

from ew_workbooks import EW_HEADER, ew_row, ew_sheet, risk_row, write_register
from riskboard.cli import main
from riskboard.config import Config, ImportConfig
from riskboard.errors import RiskboardError
from riskboard.ew_register import view
from riskboard.importer import import_file
from riskboard.store import early_warnings as ew_store
from workbooks import write_xlsx

CONFIG = Config()


def dump(db: sqlite_utils.Database) -> dict[str, list[dict]]:
    return {
        t: list(db.query(f"SELECT * FROM {t} ORDER BY rowid"))
        for t in ("imports", "risk_snapshots", "ew_snapshots", "ew_action_snapshots")
    }


# --------------------------------------------------------------------------- headers


HEADER_VARIANTS = [
    EW_HEADER,
    ["EWN No.", "Raised by", "Date raised", "Matter", "Risk ref", "Action(s)", "Action owner",
     "Action date", "Date of meeting", "Outcome", "EW Status", "Compensation event"],
    ["Early Warning\nReference", "NOTIFIED BY", "Date of notification",
     "Description of the matter", "Related risk", "Risk reduction actions", "Who",
     "By when", "Risk reduction meeting", "Decision", "State", "CE No"],
]  # fmt: skip


@pytest.mark.parametrize("header", HEADER_VARIANTS, ids=["iris", "alternative", "wordy"])
def test_an_early_warning_register_is_read_by_its_headers(
    fresh_db: sqlite_utils.Database, tmp_path: Path, header: list[str]
) -> None:
    # the same facts in each layout: reorder by what each header means
    facts = {
        "ref": "EW-001", "who": "Contractor", "when": "04/08/2022", "matter": "Gainshare dispute",
        "risk": "HM-001", "action": "Meet the contractor", "owner": "Ann Able",
        "due": "30/09/2022", "meeting": "28/07/2022", "decision": "Keep open",
        "status": "Open", "ce": None,
    }  # fmt: skip
    order = {
        0: ["ref", "when", "who", "matter", "risk", "action", "owner", "due", "meeting",
            "decision", "status", "ce"],
        1: ["ref", "who", "when", "matter", "risk", "action", "owner", "due", "meeting",
            "decision", "status", "ce"],
        2: ["ref", "who", "when", "matter", "risk", "action", "owner", "due", "meeting",
            "decision", "status", "ce"],
    }[HEADER_VARIANTS.index(header)]  # fmt: skip
    path = write_xlsx(
        tmp_path / "EW_Register_Aug2022.xlsx",
        {"Early Warnings": [header, [facts[k] for k in order]]},
    )
    dry = import_file(fresh_db, path, CONFIG, dry_run=True)
    assert dry.roles == {"Early Warnings": "early warnings"}
    mapped = set(dry.mapping["Early Warnings"].values())
    assert {"ew_ref", "date_notified", "notified_by", "description", "linked_risk", "action",
            "action_owner", "due", "meeting_date", "decision", "status",
            "compensation_event_ref"} <= mapped  # fmt: skip
    result = import_file(fresh_db, path, CONFIG)
    assert (result.month, result.risk_count, result.ew_count) == ("2022-08", 0, 1)
    [ew] = ew_store.load_early_warnings(fresh_db, "2022-08")
    assert ew.ref == "EW-001" and ew.date_notified == date(2022, 8, 4)
    assert (ew.notified_by, ew.description, ew.linked_risk) == (
        "Contractor", "Gainshare dispute", "HM-001")  # fmt: skip
    assert (ew.meeting_date, ew.decision, ew.status) == (date(2022, 7, 28), "Keep open", "open")
    [action] = ew.actions
    assert (action.text, action.owner, action.due) == (
        "Meet the contractor", "Ann Able", date(2022, 9, 30))  # fmt: skip


def test_user_aliases_name_other_headers(fresh_db: sqlite_utils.Database, tmp_path: Path) -> None:
    config = Config(import_=ImportConfig(early_warning_aliases={"ew_ref": ["NEC Notice No"],
                                                                "linked_risk": ["IRIS No"]}))  # fmt: skip
    path = write_xlsx(
        tmp_path / "EWs_Aug2022.xlsx",
        {"Sheet1": [["NEC Notice No", "Date notified", "IRIS No", "Status"],
                    ["N-7", "01/08/2022", "HM-002", "Open"]]},
    )  # fmt: skip
    import_file(fresh_db, path, config)
    [ew] = ew_store.load_early_warnings(fresh_db, "2022-08")
    assert (ew.ref, ew.linked_risk) == ("N-7", "HM-002")
    bad = Config(import_=ImportConfig(early_warning_aliases={"severity": ["X"]}))
    with pytest.raises(RiskboardError, match=r"import.early_warning_aliases.severity: unknown"):
        import_file(fresh_db, path, bad, dry_run=True)


def test_a_risk_register_with_an_ew_column_stays_a_risk_register(
    fresh_db: sqlite_utils.Database, tmp_path: Path
) -> None:
    path = write_register(
        tmp_path / "IRIS_Register_Aug2022.xlsx",
        risks=[risk_row("HM-001", ew="EW-001"), risk_row("HM-002", ew="EW-002")],
    )
    result = import_file(fresh_db, path, CONFIG)
    assert (result.risk_count, result.ew_count) == (2, 0)
    assert result.roles == {"Risk Register": "risks"}
    assert ew_store.ew_months(fresh_db) == []


# --------------------------------------------------------------------------- shapes


def test_a_mixed_workbook_imports_both_registers_with_provenance(
    fresh_db: sqlite_utils.Database, tmp_path: Path
) -> None:
    path = write_register(
        tmp_path / "IRIS_Joint_Register_Aug2022.xlsx",
        risks=[risk_row("HM-001", ew="EW-001"), risk_row("HM-002")],
        ews=[
            ew_row("EW-001", action="First action", due="01/09/2022"),
            ew_row("EW-001", action="Second action", owner="Bob Bee", due="01/10/2022"),
            ew_row("EW-002", risk="HM-002", status="Became CE", ce="CE-004"),
        ],
    )
    result = import_file(fresh_db, path, CONFIG)
    assert (result.risk_count, result.ew_count, result.ew_action_count) == (2, 2, 3)
    assert result.roles == {"Risk Register": "risks", "Early Warnings": "early warnings"}
    rows = list(fresh_db.query("SELECT * FROM ew_snapshots ORDER BY ref"))
    assert [(r["ref"], r["source_file"], r["source_sheet"], r["source_row"]) for r in rows] == [
        ("EW-001", path.name, "Early Warnings", 5),
        ("EW-002", path.name, "Early Warnings", 7),
    ]
    assert (
        rows[1]["status"] == "compensation event" and rows[1]["compensation_event_ref"] == "CE-004"
    )
    actions = list(fresh_db.query("SELECT text, source_row FROM ew_action_snapshots ORDER BY id"))
    assert [(a["text"], a["source_row"]) for a in actions][:2] == [
        ("First action", 5), ("Second action", 6)]  # fmt: skip
    again = import_file(fresh_db, path, CONFIG)
    assert again.status == "already_imported" and again.ew_count == 2


def test_one_row_per_early_warning_with_several_actions_in_a_cell(
    fresh_db: sqlite_utils.Database, tmp_path: Path
) -> None:
    row = ew_row("EW-009", action="Survey\nRe-programme", owner="Ann\nBob",
                 due="01/09/2022\n01/10/2022")  # fmt: skip
    import_file(fresh_db, write_register(tmp_path / "ew_Aug2022.xlsx", ews=[row]), CONFIG)
    [ew] = ew_store.load_early_warnings(fresh_db, "2022-08")
    assert [(a.text, a.owner, a.due) for a in ew.actions] == [
        ("Survey", "Ann", date(2022, 9, 1)), ("Re-programme", "Bob", date(2022, 10, 1))]  # fmt: skip


def test_an_early_warning_sheet_and_an_actions_sheet(
    fresh_db: sqlite_utils.Database, tmp_path: Path
) -> None:
    path = write_xlsx(
        tmp_path / "EW_Register_Aug2022.xlsx",
        {
            "Early Warnings": [["EW Ref", "Date notified", "Notified by", "Matter", "Linked risk",
                                "Status"],
                               ["EW-001", "04/08/2022", "Contractor", "Gainshare", "HM-001", "Open"],
                               ["EW-002", "05/08/2022", "Service Manager", "Scope", None, "Open"]],
            "EW Actions": [["EW Ref", "Action", "Owner", "Due date", "Status"],
                           ["EW-001", "Meet", "Ann", "01/09/2022", "In progress"],
                           ["ew-001", "Write", "Bob", "02/09/2022", "Complete"],
                           ["EW-009", "Orphan", "Cy", "03/09/2022", "Open"]],
        },
    )  # fmt: skip
    result = import_file(fresh_db, path, CONFIG)
    assert result.roles == {"Early Warnings": "early warnings",
                            "EW Actions": "early warning actions"}  # fmt: skip
    ews = {e.ref: e for e in ew_store.load_early_warnings(fresh_db, "2022-08")}
    assert [(a.text, a.status) for a in ews["EW-001"].actions] == [
        ("Meet", "in progress"), ("Write", "complete")]  # fmt: skip
    assert any("EW-009, which is on no early warnings sheet" in w for w in result.warnings)


def test_uk_dates_excel_dates_and_words(fresh_db: sqlite_utils.Database, tmp_path: Path) -> None:
    rows = [
        ew_row("EW-001", notified="04/08/2022"),
        ew_row("EW-002", notified=date(2022, 8, 4)),
        ew_row("EW-003", notified="4 Aug 2022"),
        ew_row("EW-004", notified="04.08.22"),
    ]
    import_file(fresh_db, write_register(tmp_path / "ews_Aug2022.xlsx", ews=rows), CONFIG)
    assert {e.date_notified for e in ew_store.load_early_warnings(fresh_db, "2022-08")} == {
        date(2022, 8, 4)
    }


def test_cells_that_cannot_be_read_are_flagged_on_the_early_warning(
    fresh_db: sqlite_utils.Database, tmp_path: Path
) -> None:
    rows = [ew_row("EW-001", notified="31/02/2022", status="Pending", due="#REF!", risk=None)]
    path = write_register(tmp_path / "ews_Aug2022.xlsx", ews=rows)
    result = import_file(fresh_db, path, CONFIG)
    assert result.unreadable_count == 3
    [ew] = ew_store.load_early_warnings(fresh_db, "2022-08")
    assert ew.date_notified is None and ew.status is None and ew.is_open()
    [row] = view(fresh_db, "2022-08", CONFIG).rows
    cells = row.flag_details["unreadable_value"].root
    assert [(c.field, c.row, c.column, c.text) for c in cells] == [
        ("date_notified", 5, "Date notified", "31/02/2022"),
        ("status", 5, "Status", "Pending"),
        ("due", 5, "Date", "#REF!"),
    ]
    assert row.flags[0] == "unreadable_value"


def test_the_end_of_the_table_is_not_early_warnings(
    fresh_db: sqlite_utils.Database, tmp_path: Path
) -> None:
    sheet = ew_sheet([ew_row("EW-001"), ew_row("EW-002")]) + [
        [], ["Total early warnings: 2"], ["OFFICIAL-SENSITIVE"], ["Key: CE = compensation event"],
    ]  # fmt: skip
    path = write_xlsx(tmp_path / "EW_Aug2022.xlsx", {"Early Warnings": sheet})
    result = import_file(fresh_db, path, CONFIG)
    assert result.ew_count == 2
    assert sum("Early Warnings" in w and "skipped" in w for w in result.warnings) == 3


@pytest.mark.parametrize(
    ("text", "status"),
    [("Open", "open"), ("Kept open", "open"), ("Closed", "removed"), ("Removed", "removed"),
     ("Became CE", "compensation event"), ("CE", "compensation event"), (None, None)],
)  # fmt: skip
def test_status_words(
    fresh_db: sqlite_utils.Database, tmp_path: Path, text: str | None, status: str | None
) -> None:
    path = write_register(tmp_path / "ew_Aug2022.xlsx", ews=[ew_row("EW-001", status=text)])
    import_file(fresh_db, path, CONFIG)
    [ew] = ew_store.load_early_warnings(fresh_db, "2022-08")
    assert ew.status == status and not ew.unreadable


# --------------------------------------------------------------------------- refusals


def test_an_early_warning_repeated_with_different_data_is_refused_and_nothing_written(
    fresh_db: sqlite_utils.Database, tmp_path: Path
) -> None:
    import_file(fresh_db, write_register(tmp_path / "a_Aug2022.xlsx", risks=[risk_row("HM-001")]),
                CONFIG)  # fmt: skip
    before = dump(fresh_db)
    rows = [ew_row("EW-001"), ew_row("EW-001", by="Service Manager", action="Other")]
    path = write_register(tmp_path / "b_Aug2022.xlsx", risks=[risk_row("HM-002")], ews=rows)
    with pytest.raises(RiskboardError) as refused:
        import_file(fresh_db, path, CONFIG)
    message = str(refused.value)
    assert "early warning EW-001 appears again with different data" in message
    assert "sheet 'Early Warnings'" in message and "row 6" in message and "row 5" in message
    assert "Notified by" in message
    assert dump(fresh_db) == before


def test_a_register_with_no_early_warnings_below_its_header_is_refused(
    fresh_db: sqlite_utils.Database, tmp_path: Path
) -> None:
    path = write_xlsx(tmp_path / "EW_Aug2022.xlsx", {"Early Warnings": ew_sheet([])})
    with pytest.raises(RiskboardError, match="no early warnings found below the header on row 4"):
        import_file(fresh_db, path, CONFIG)
    assert ew_store.ew_months(fresh_db) == []


def test_board_month_rules_apply(fresh_db: sqlite_utils.Database, tmp_path: Path) -> None:
    # the title block says August, the file name July: refused naming both
    path = write_register(tmp_path / "EW_Register_Jul2022.xlsx", ews=[ew_row("EW-001")])
    with pytest.raises(RiskboardError) as refused:
        import_file(fresh_db, path, CONFIG)
    assert "August 2022" in str(refused.value) and "2022-07" in str(refused.value)
    assert import_file(fresh_db, path, CONFIG, month="2022-08").month == "2022-08"


# --------------------------------------------------------------------------- the CLI


def test_cli_import_and_dry_run_name_the_early_warnings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    path = write_register(
        tmp_path / "IRIS_Aug2022.xlsx",
        risks=[risk_row("HM-001", ew="EW-001")],
        ews=[ew_row("EW-001"), ew_row("EW-002", notified="30/02/2022")],
    )
    assert main(["import", str(path), "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "sheet 'Early Warnings' (header on row 4, read as early warnings)" in out
    assert "EW Ref" in out and "-> ew_ref" in out and "-> linked_risk" in out
    assert main(["import", str(path)]) == 0
    out = capsys.readouterr().out
    assert "1 risk, 1 action, 2 early warnings (2 actions)" in out
    assert "1 value could not be read" in out


def test_a_bare_date_beside_the_ref_is_the_date_notified(
    fresh_db: sqlite_utils.Database, tmp_path: Path
) -> None:
    """Review F24: the NEC template's "EW No | Date | Notified by | ..." - with no other
    date-notified column and no action owner, "Date" is when the early warning was given;
    no "action overdue" from it, and no action made of a date alone."""
    sheet = [
        ["Reporting period: September 2022"],
        ["EW No", "Date", "Notified by", "Description", "Risk reduction actions", "Status"],
        ["EW-1", "01/03/2022", "Contractor", "old matter", "Agree plan", "Open"],
        ["EW-2", "20/09/2022", "Contractor", "new matter", None, "Open"],
    ]
    path = write_xlsx(tmp_path / "EWR_Sep2022.xlsx", {"Early Warning Register": sheet})
    result = import_file(fresh_db, path, CONFIG)
    assert any("'Date' read as the date notified" in w for w in result.warnings)
    ews = {e.ref: e for e in ew_store.load_early_warnings(fresh_db, "2022-09")}
    assert ews["EW-1"].date_notified == date(2022, 3, 1)
    assert ews["EW-2"].date_notified == date(2022, 9, 20)
    assert [a.text for a in ews["EW-1"].actions] == ["Agree plan"]
    assert [a.due for a in ews["EW-1"].actions] == [None]
    assert ews["EW-2"].actions == []
    rows = {r.ref: r for r in view(fresh_db, "2022-09", CONFIG).rows}
    assert "ew_action_overdue" not in rows["EW-1"].flags + rows["EW-2"].flags


def test_a_date_alone_is_never_an_action_and_a_bare_date_beside_an_owner_is_said(
    fresh_db: sqlite_utils.Database, tmp_path: Path
) -> None:
    sheet = [
        ["EW ref", "Description", "Status", "Action", "Owner", "Date"],
        ["EW-1", "matter", "Open", "Agree plan", "Ann", "30/09/2022"],
        ["EW-2", "matter", "Open", None, None, "20/09/2022"],
    ]
    path = write_xlsx(tmp_path / "EWR_Sep2022.xlsx", {"Early Warnings": sheet})
    result = import_file(fresh_db, path, CONFIG)
    assert any("no 'date notified' column; column 'Date' read as the action" in w
               for w in result.warnings)  # fmt: skip
    assert any("row 3: action cells with no action text (due) for early warning EW-2" in w
               for w in result.warnings)  # fmt: skip
    ews = {e.ref: e for e in ew_store.load_early_warnings(fresh_db, "2022-09")}
    assert [(a.text, a.due) for a in ews["EW-1"].actions] == [("Agree plan", date(2022, 9, 30))]
    assert ews["EW-2"].actions == [] and ews["EW-2"].date_notified is None
