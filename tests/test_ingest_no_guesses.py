"""Review of issue 9: registers still read wrong while looking right.

Each test builds the workbook that fooled the importer after issue 9, and asserts what
the board now sees: the risk kept, the flag raised, the refusal, or the row named as
skipped - never a quiet guess.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlite_utils

from riskboard import flag_text
from riskboard.cli import main
from riskboard.config import Config
from riskboard.domain import Flag, FlagCode
from riskboard.errors import RiskboardError
from riskboard.flag_details import UnreadableCell, UnreadableValueDetail
from riskboard.importer import ImportResult, import_file
from riskboard.ingest.names import read_annex_name
from riskboard.ingest.workbook import parse_workbook
from riskboard.register import flags_for, register_rows
from workbooks import replace_sheet_data, write_xlsx

CONFIG = Config()
HEAD = ["Risk Ref", "Risk Title", "Risk Owner", "Likelihood", "Impact", "Score", "Strategy",
        "Status", "Action", "Last Updated"]  # fmt: skip
TITLE = [["Joint Contract Risk Register"], ["Report run: 31/08/2022"], []]
FIRST_ROW = len(TITLE) + 2  # Excel row of the first risk


def risk_row(ref: Any, **kw: Any) -> list[Any]:
    values = {"title": "Flooding", "owner": "Ann", "likelihood": 3, "impact": 3, "score": None,
              "strategy": "Treat", "status": "Open", "action": "Clear gullies",
              "updated": "15/08/2022", **kw}  # fmt: skip
    return [ref, *values.values()]


def register(path: Path, *rows: list[Any], title: list[list[Any]] | None = None) -> Path:
    return write_xlsx(path, {"Register": [*(TITLE if title is None else title), HEAD, *rows]})


def load(
    db: sqlite_utils.Database, path: Path, month: str | None = None
) -> tuple[ImportResult, dict[str, Flag]]:
    result = import_file(db, path, CONFIG, month=month)
    return result, {f.ref: f for f in flags_for(db, result.month, CONFIG)}


def cells(flag: Flag) -> list[dict[str, Any]]:
    detail = flag.details[FlagCode.UNREADABLE_VALUE.value]
    assert isinstance(detail, UnreadableValueDetail)
    return [c.model_dump(exclude_none=True) for c in detail.root]


# --------------------------------------------------------------- 1. notes and risk data


NOTE_LIKE = ["*HM-010", "KEY-003", "Source-01", "Count-1", "END-002", "NOTE-4", "TOTAL-1",
             "Printed-1", "Generated income shortfall"]  # fmt: skip


def test_a_reference_that_starts_like_a_note_is_a_risk_when_the_row_has_risk_data(
    tmp_path: Path, fresh_db: sqlite_utils.Database
) -> None:
    rows = [risk_row("HM-001"), *(risk_row(ref, likelihood=5, impact=5) for ref in NOTE_LIKE),
            ["Total risks: 11"], ["End of report"]]  # fmt: skip
    result, flags = load(fresh_db, register(tmp_path / "r 2022-08.xlsx", *rows))
    assert result.risk_count == 1 + len(NOTE_LIKE)
    for ref in NOTE_LIKE:
        assert flag_text.suggested_target(flags[ref].details) == "corporate"  # score 25
    skipped = [w for w in result.warnings if "skipped" in w]
    assert [w.split(":")[0] for w in skipped] == [
        f"sheet 'Register', row {FIRST_ROW + 1 + len(NOTE_LIKE)}",
        f"sheet 'Register', row {FIRST_ROW + 2 + len(NOTE_LIKE)}",
    ]
    assert all("a note or footer in the reference column, not a risk" in w for w in skipped)


def continuation(ref: str, action: str, updated: str) -> list[Any]:
    return [ref, None, None, None, None, None, None, None, action, updated]


def test_a_continuation_row_is_more_of_the_risk_it_continues_never_a_risk_of_its_own(
    tmp_path: Path, fresh_db: sqlite_utils.Database
) -> None:
    rows = [continuation("(continued)", "Orphan", "01/08/2022"),
            risk_row("HM-001", updated="15/07/2022"),
            continuation("HM-001 (cont.)", "Second", "20/08/2022"), risk_row("HM-002"),
            continuation("HM-002 continued", "More", "21/08/2022"),
            continuation("Cont'd from above", "Third", "22/08/2022")]  # fmt: skip
    result, _ = load(fresh_db, register(tmp_path / "r 2022-08.xlsx", *rows))
    assert result.risk_count == 2
    regs = {r.ref: r for r in register_rows(fresh_db, "2022-08", CONFIG)}
    assert sorted(regs) == ["HM-001", "HM-002"]
    actions = dict(fresh_db.execute(
        "SELECT risk_ref, group_concat(text, '|') FROM (SELECT * FROM action_snapshots"
        " ORDER BY risk_ref, seq) GROUP BY risk_ref"
    ).fetchall())  # fmt: skip
    assert actions == {"HM-001": "Clear gullies|Second", "HM-002": "Clear gullies|More|Third"}
    assert (
        f"sheet 'Register', row {FIRST_ROW + 2}: 'HM-001 (cont.)' read as more of risk HM-001"
        in (result.warnings)
    )
    (orphan,) = [w for w in result.warnings if "continuation row with no risk" in w]
    assert orphan.startswith(f"sheet 'Register', row {FIRST_ROW}: skipped")


def test_dry_run_names_every_skipped_row(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    notes = [[f"Note {i}: see the contract"] for i in range(9)]
    register(tmp_path / "r 2022-08.xlsx", risk_row("HM-001"), *notes)
    assert main(["import", "r 2022-08.xlsx", "--dry-run"]) == 0
    out = capsys.readouterr().out
    for i in range(9):
        assert f"skipped, a note or footer in the reference column, not a risk: 'Note {i}:" in out
    assert "not listed" not in out
    assert main(["import", "r 2022-08.xlsx"]) == 0
    out = capsys.readouterr().out
    assert "rows skipped: 4 more not listed here (9 in all; every one is named by" in out


# --------------------------------------------------------------- 2. score against L x I


def test_a_score_that_contradicts_likelihood_times_impact_is_shown_and_kept_on_escalation(
    tmp_path: Path, fresh_db: sqlite_utils.Database
) -> None:
    path = register(
        tmp_path / "r 2022-08.xlsx", risk_row("HM-001", likelihood=5, impact=4, score=4)
    )
    result, flags = load(fresh_db, path)
    assert result.unreadable_count == 1
    flag = flags["HM-001"]
    assert flag.flags == [FlagCode.UNREADABLE_VALUE, FlagCode.ESCALATION_CANDIDATE]
    assert flag_text.suggested_target(flag.details) == "corporate"  # the higher figure, 20
    assert register_rows(fresh_db, "2022-08", CONFIG)[0].current_score == 20
    (cell,) = cells(flag)
    assert (cell["text"], cell["kind"]) == ("4", "contradiction")
    sentence = flag_text.reasons("unreadable_value", flag.details["unreadable_value"])[1]
    assert sentence.strip() == (
        f"- Score: '4' in sheet Register, row {FIRST_ROW}, column Score does not match"
        " likelihood 5 x impact 4 = 20: the higher figure, 20, is used until the register is"
        " corrected"
    )


# --------------------------------------------------------------- 3. a score that says none


@pytest.mark.parametrize(
    "text", ["TBC", "tbc", "TBA", "Unknown", "?", "N/A", "n/a", "-", "--", "Not scored", "#REF!"]
)
def test_a_score_that_says_nothing_is_flagged_and_its_direction_is_unknown(
    tmp_path: Path,
    fresh_db: sqlite_utils.Database,
    text: str,
) -> None:
    july = register(tmp_path / "r 2022-07.xlsx", risk_row("HM-001", likelihood=5, impact=4),
                    title=[["Report run: 31/07/2022"], []])  # fmt: skip
    august = register(
        tmp_path / "r 2022-08.xlsx",
        risk_row("HM-001", likelihood=None, impact=None, score=text),
    )
    load(fresh_db, july)
    result, flags = load(fresh_db, august)
    assert result.unreadable_count == 1
    assert FlagCode.UNREADABLE_VALUE in flags["HM-001"].flags
    (row,) = register_rows(fresh_db, "2022-08", CONFIG)
    assert (row.current_score, row.previous_score, row.direction) == (None, 20, "unknown")


def test_the_register_shows_a_question_mark_for_an_unknown_direction(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "config.toml").write_text('[paths]\ndatabase = "rb.db"\n')
    register(tmp_path / "r 2022-07.xlsx", risk_row("HM-001", likelihood=5, impact=4),
             title=[["Report run: 31/07/2022"], []])  # fmt: skip
    register(tmp_path / "r 2022-08.xlsx", risk_row("HM-001", likelihood="TBC", impact="TBC"))
    assert main(["import", "r 2022-07.xlsx", "r 2022-08.xlsx"]) == 0
    capsys.readouterr()
    assert main(["risks", "--month", "2022-08"]) == 0
    line = next(x for x in capsys.readouterr().out.splitlines() if x.startswith("HM-001"))
    assert " ? " in line and " = " not in line


# --------------------------------------------------------------- 8. error references


def test_an_error_in_the_reference_column_is_a_visible_risk_never_a_risk_called_ref(
    tmp_path: Path, fresh_db: sqlite_utils.Database
) -> None:
    rows = [risk_row("HM-001"), risk_row("#REF!", likelihood=5, impact=5),
            risk_row("#N/A", likelihood=4, impact=4), risk_row("#REF!", title="Another")]  # fmt: skip
    result, flags = load(fresh_db, register(tmp_path / "r 2022-08.xlsx", *rows))
    assert result.risk_count == 4  # the two "#REF!" rows are two risks, not one
    refs = sorted(flags)
    assert "#REF!" not in refs and "#N/A" not in refs
    second = f"[unreadable ref: Register row {FIRST_ROW + 1}]"
    assert FlagCode.UNREADABLE_VALUE in flags[second].flags
    assert flag_text.suggested_target(flags[second].details) == "corporate"
    (cell,) = cells(flags[second])
    assert (cell["field"], cell["column"], cell["text"]) == ("ref", "Risk Ref", "#REF!")


def test_two_unsaved_formula_references_are_two_risks(
    tmp_path: Path, fresh_db: sqlite_utils.Database
) -> None:
    rows = [risk_row("HM-001"), risk_row("=A5", title="A"), risk_row("=A5", action="Other")]
    result, flags = load(fresh_db, register(tmp_path / "r 2022-08.xlsx", *rows))
    assert result.risk_count == 3
    texts = sorted(c["text"] for f in flags.values() if "unreadable_value" in f.details
                   for c in cells(f))  # fmt: skip
    assert texts == ["=A5", "=A5"]


# --------------------------------------------------------------- 9/10. scores, strategies


def test_a_score_beside_a_band_it_does_not_fall_in_is_unreadable_under_the_councils_bands(
    tmp_path: Path, fresh_db: sqlite_utils.Database
) -> None:
    four_band = Config.model_validate({"scoring": {"preset": "four-band"}})
    rows = [risk_row("R-1", likelihood=None, impact=None, score="8 (High)"),
            risk_row("R-2", likelihood=None, impact=None, score="12 (High)")]  # fmt: skip
    path = register(tmp_path / "r 2022-08.xlsx", *rows)
    risks = {r.ref: r for r in parse_workbook(path, four_band).risks}
    assert risks["R-2"].current_score == 12  # high is 10-15 in the four-band preset
    assert risks["R-1"].current_score is None
    assert "'High' is 10-15 in the council's bands" in (risks["R-1"].unreadable[0].reason or "")
    assert parse_workbook(path, CONFIG).risks[0].current_score == 8  # RAG has no 'high' band


@pytest.mark.parametrize(
    ("likelihood", "impact", "score"),
    [(None, None, "-16"), (None, None, "20%"), (None, None, ">15"), (None, None, "Down from 20"),
     (None, None, "Q3"), (None, None, "£16k"), (None, None, "Likely (4)"), ("5%", 4, None),
     ("£5m", 4, None), (4, "£2m", None), ("Unlikely/Likely", 4, None),
     ("Possible - Likely", 4, None), (4, "Major/Catastrophic", None), (4, "Minor-Moderate", None),
     (None, None, "4-5"), (None, None, "3 or 4"), (None, None, "4/5"), (None, None, "16?"),
     (None, None, "High (4)"), (None, None, "20 (Green)"), (None, None, "2x2 (High)"),
     (None, None, "12-16"), (None, None, "16 (was 20)"), (None, None, "~16"),
     ("4-5", 4, None), ("3 or 4", 4, None), ("4?", 4, None), ("Low (5)", 4, None),
     (4, "2 (High)", None)],
)  # fmt: skip
def test_a_score_likelihood_or_impact_that_is_a_guess_is_unreadable(
    tmp_path: Path, fresh_db: sqlite_utils.Database, likelihood: Any, impact: Any, score: Any
) -> None:
    path = register(
        tmp_path / "r 2022-08.xlsx",
        risk_row("HM-001", likelihood=likelihood, impact=impact, score=score),
    )
    _, flags = load(fresh_db, path)
    assert FlagCode.UNREADABLE_VALUE in flags["HM-001"].flags
    (row,) = register_rows(fresh_db, "2022-08", CONFIG)
    assert row.current_score is None


@pytest.mark.parametrize(
    "text", ["Not accepted", "Do not tolerate", "Transfer not possible", "Treat/Transfer",
             "Tolerate/Treat", "Not treat", "No longer tolerate", "Treat - not yet",
             "Transfer (rejected)", "Treat?", "Proposed transfer", "Transfer pending",
             "Tolerate (TBC)", "Formerly treat", "Previously transferred"],
)  # fmt: skip
def test_a_negated_or_double_strategy_is_unknown_and_kept_as_written(
    tmp_path: Path, fresh_db: sqlite_utils.Database, text: str
) -> None:
    _, flags = load(fresh_db, register(tmp_path / "r 2022-08.xlsx", risk_row("R-1", strategy=text)))
    assert FlagCode.UNKNOWN_STRATEGY in flags["R-1"].flags
    assert flag_text.evidence("unknown_strategy", flags["R-1"].details["unknown_strategy"]) == (
        f"strategy {text!r}"
    )


# --------------------------------------------------------------- status


def test_closed_with_a_note_is_closed_and_a_status_that_is_not_one_is_flagged(
    tmp_path: Path, fresh_db: sqlite_utils.Database
) -> None:
    rows = [risk_row("R-1", status="Closed - transferred", likelihood=5, impact=5),
            risk_row("R-2", status="Closed (merged)", likelihood=5, impact=5),
            risk_row("R-3", status="Closed.", likelihood=5, impact=5),
            risk_row("R-4", status="N/A"), risk_row("R-5", status="Treat")]  # fmt: skip
    result, flags = load(fresh_db, register(tmp_path / "r 2022-08.xlsx", *rows))
    assert sorted(flags) == ["R-4", "R-5"]
    for ref in ("R-4", "R-5"):
        (cell,) = cells(flags[ref])
        assert (cell["field"], cell["column"]) == ("status", "Status")


@pytest.mark.parametrize(
    ("text", "why"),
    [("Closed (pending)", "a proposal"), ("Closed?", "a question"), ("Open?", "a question"),
     ("Closed pending approval", "a proposal"), ("Closed (proposed)", "a proposal"),
     ("Open - to be closed", "a proposal"), ("Closed/Open", "both open and closed"),
     ("Closed - reopened", "both open and closed")],
)  # fmt: skip
def test_a_status_in_doubt_is_unreadable_and_the_risk_stays_on_the_agenda(
    tmp_path: Path, fresh_db: sqlite_utils.Database, text: str, why: str
) -> None:
    rows = [risk_row("R-1", status=text, likelihood=5, impact=4),
            risk_row("R-2", status="Closed - transferred to HM-012", likelihood=5, impact=4)]  # fmt: skip
    _, flags = load(fresh_db, register(tmp_path / "r 2022-08.xlsx", *rows))
    assert "R-2" not in flags  # closed with a note is closed
    (cell,) = cells(flags["R-1"])
    assert (cell["field"], cell["row"], cell["text"]) == ("status", FIRST_ROW, text)
    assert why in cell["reason"]
    assert FlagCode.ESCALATION_CANDIDATE in flags["R-1"].flags  # not taken as closed


# --------------------------------------------------------------- the end of the table


def test_a_scoring_matrix_below_the_table_is_not_a_risk(
    tmp_path: Path, fresh_db: sqlite_utils.Database
) -> None:
    below = [[], ["Scoring key"], ["Likelihood", "1 Rare", "2 Unlikely"],
             ["5", "Almost certain", None, 5, None, 25], ["25", "Red", None, None, None, 25],
             ["Impact", "Minor"]]  # fmt: skip
    result, flags = load(
        fresh_db, register(tmp_path / "r 2022-08.xlsx", risk_row("HM-001"), *below)
    )
    assert result.risk_count == 1
    assert set(flags) <= {"HM-001"}
    assert len([w for w in result.warnings if "skipped" in w]) == 5


def test_numbered_risks_with_a_numbered_key_below_are_imported_not_refused(
    tmp_path: Path, fresh_db: sqlite_utils.Database
) -> None:
    rows = [risk_row(n, title=f"Risk {n}") for n in (1, 2, 3, 4, 5, 6)]
    key = [[], ["Scoring key"], [1, "Rare"], [2, "Unlikely"], [5, "Almost certain"],
           [6, "Very high"], [25, "Red", None, None, None, 25]]  # fmt: skip
    result, _ = load(fresh_db, register(tmp_path / "r 2022-08.xlsx", *rows, *key))
    assert result.risk_count == 6
    titles = {r.ref: r.title for r in register_rows(fresh_db, "2022-08", CONFIG)}
    assert titles["1"] == "Risk 1" and titles["5"] == "Risk 5"


# --------------------------------------------------------------- 14. annex names


@pytest.mark.parametrize(
    ("name", "annex"),
    [("Section 38 Adoptions Aug2022", "Section 38 Adoptions"),
     ("Section 278 Adoptions Aug2022", "Section 278 Adoptions"),
     ("Bus Lane 2 Aug2022", "Bus Lane 2"), ("M5_Junction_12_Aug2022", "M5 Junction 12"),
     ("HM_Aug2022_reviewed", "HM"), ("Structures_Aug_2022_JL_comments", "Structures"),
     ("Street Lighting Risk Register Aug 2022 v3.1", "Street Lighting"),
     ("Street Lighting Aug2022 DRAFT v0.2 (2)", "Street Lighting"),
     ("Street_Lighting_Aug2022_v2 - Copy", "Street Lighting"),
     ("Network Management Q2 FY22-23", "Network Management"),
     ("Streetworks_2022_08_31", "Streetworks"), ("3rd Party Claims Aug2022", "3rd Party Claims"),
     ("A38 Corridor Aug2022", "A38 Corridor"),
     ("Street Lighting Annex B", "Street Lighting"), ("Annex B - Street Lighting", "Street Lighting"),
     ("Street Lighting (Annex B) Aug2022", "Street Lighting"), ("Appendix 2 - Drainage", "Drainage"),
     ("Annex_C_Highways_Maintenance_Aug2022", "Highways Maintenance"),
     ("Highways_Maintenance", "Highways Maintenance"), ("Annex B", "Annex B"),
     ("Annex_b_2022-08", "Annex B"), ("Annex A38 Corridor", "A38 Corridor"),
     ("Schedule of Rates", "Schedule of Rates")],
)  # fmt: skip
def test_only_numbers_that_are_dates_years_or_versions_leave_an_annex_name(
    name: str, annex: str
) -> None:
    assert read_annex_name(name) == (annex, None)


def test_annex_labels_in_file_and_sheet_names_leave_the_annex_name(tmp_path: Path) -> None:
    rows = [*TITLE, HEAD, risk_row("HM-1")]
    path = write_xlsx(
        tmp_path / "Street Lighting Annex B Aug 2022.xlsx",
        {"Highways_Maintenance Annex A": rows, "Annex C": [*TITLE, HEAD, risk_row("X-1")]},
    )
    parsed = parse_workbook(path, CONFIG)
    assert {r.ref: r.annex for r in parsed.risks} == {"HM-1": "Highways Maintenance",
                                                      "X-1": "Annex C"}  # fmt: skip
    single = register(tmp_path / "Street Lighting Annex B Aug 2022.xlsx", risk_row("SL-1"))
    assert parse_workbook(single, CONFIG).risks[0].annex == "Street Lighting"


def test_a_number_that_may_be_a_day_is_warned_about(tmp_path: Path) -> None:
    path = register(tmp_path / "Car Parks 2 Aug 2022.xlsx", risk_row("CP-1"))
    parsed = parse_workbook(path, CONFIG)
    assert parsed.risks[0].annex == "Car Parks"
    assert any("'2' before the month in the file name is read as the day" in w
               for w in parsed.warnings)  # fmt: skip


def test_flags_json_names_the_contradiction(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "config.toml").write_text('[paths]\ndatabase = "rb.db"\n')
    register(tmp_path / "r 2022-08.xlsx", risk_row("HM-001", likelihood=5, impact=4, score=4))
    assert main(["import", "r 2022-08.xlsx"]) == 0
    capsys.readouterr()
    assert main(["flags", "--json"]) == 0
    (flag,) = json.loads(capsys.readouterr().out)
    (cell,) = flag["details"]["unreadable_value"]
    assert cell["kind"] == "contradiction"
    assert "does not match likelihood 5 x impact 4 = 20" in cell["reason"]


# --------------------------------------------------------------- 11. US dates, 12. years


def test_a_column_of_us_dates_reads_none_that_could_be_either_way(
    tmp_path: Path, fresh_db: sqlite_utils.Database
) -> None:
    rows = [risk_row("R-1", updated="08/15/2022"), risk_row("R-2", updated="03/04/2022"),
            risk_row("R-3", updated="08/08/2022")]  # fmt: skip
    _, flags = load(fresh_db, register(tmp_path / "r 2022-08.xlsx", *rows))
    (us,) = cells(flags["R-1"])
    assert (us["row"], us["column"], us["text"]) == (FIRST_ROW, "Last Updated", "08/15/2022")
    assert "month first (a US date)" in us["reason"]
    (either,) = cells(flags["R-2"])  # never 3 April, never 4 March: not read
    assert (either["row"], either["text"]) == (FIRST_ROW + 1, "03/04/2022")
    assert "this column also has '08/15/2022'" in either["reason"]
    assert "unreadable_value" not in flags.get("R-3", Flag(ref="R-3", flags=[])).details


def test_a_uk_column_still_reads_day_first(tmp_path: Path) -> None:
    path = register(tmp_path / "r 2022-08.xlsx", risk_row("R-1", updated="15/08/2022"),
                    risk_row("R-2", updated="03/04/2022"))  # fmt: skip
    parsed = parse_workbook(path, CONFIG)
    assert [r.actions[0].last_updated for r in parsed.risks] == [date(2022, 8, 15),
                                                                  date(2022, 4, 3)]  # fmt: skip


@pytest.mark.parametrize("value", [2022, 2022.0, "2022", 100])
def test_a_year_where_a_date_is_expected_is_unreadable_not_1905(
    tmp_path: Path, fresh_db: sqlite_utils.Database, value: Any
) -> None:
    path = register(tmp_path / "r 2022-08.xlsx", risk_row("R-1", updated=value))
    _, flags = load(fresh_db, path)
    (cell,) = cells(flags["R-1"])
    assert (cell["field"], cell["row"], cell["column"]) == ("last_updated", FIRST_ROW,
                                                             "Last Updated")  # fmt: skip
    assert "1905" not in (fresh_db.execute("SELECT group_concat(last_updated) FROM"
                                           " action_snapshots").fetchone()[0] or "")  # fmt: skip
    if value != 100:
        assert "looks like a year" in cell["reason"]


def test_a_year_typed_into_a_date_formatted_cell_is_unreadable(tmp_path: Path) -> None:
    path = register(tmp_path / "r 2022-08.xlsx", risk_row("R-1", updated=datetime(1905, 7, 14)))
    (risk,) = parse_workbook(path, CONFIG).risks
    assert risk.actions[0].last_updated is None
    (cell,) = risk.unreadable
    assert cell.text == "14/07/1905"
    assert "looks like a year typed where a date is expected" in (cell.reason or "")


# --------------------------------------------------------------- 13. one risk, two files


def test_a_risk_in_two_files_of_one_month_is_never_overwritten_in_silence(
    tmp_path: Path, fresh_db: sqlite_utils.Database
) -> None:
    joint = register(tmp_path / "Joint Register 2022-08.xlsx",
                     risk_row("HM-012", likelihood=5, impact=4), risk_row("HM-013"))  # fmt: skip
    annex = register(tmp_path / "Street Lighting Annex B 2022-08.xlsx",
                     risk_row("HM-012", likelihood=2, impact=2, owner="Bob"),
                     risk_row("HM-013"))  # fmt: skip
    load(fresh_db, joint)
    result, flags = load(fresh_db, annex)
    assert result.unreadable_count == 1
    (cell,) = cells(flags["HM-012"])
    assert (cell["field"], cell["sheet"], cell["row"], cell["text"], cell["kind"]) == (
        "ref", "Register", FIRST_ROW, "HM-012", "contradiction")  # fmt: skip
    assert (
        f"is also in 'Joint Register 2022-08.xlsx', sheet Register, row {FIRST_ROW} for August 2022"
        in cell["reason"]
    )
    assert "owner 'Ann' there, 'Bob' here" in cell["reason"]
    assert "score '20' there, '4' here" in cell["reason"]
    assert FlagCode.UNREADABLE_VALUE not in flags["HM-013"].flags  # the same values ...
    same = [w for w in result.warnings if w.startswith("risk HM-013: also in")]
    assert len(same) == 1 and "'Joint Register 2022-08.xlsx'" in same[0]  # ... but said
    sentence = flag_text.unreadable_sentence(UnreadableCell(**cell))
    assert sentence.startswith(f"Ref: 'HM-012' in sheet Register, row {FIRST_ROW} is also in")


def test_a_corrected_file_of_the_same_name_replaces_its_rows_without_a_flag(
    tmp_path: Path, fresh_db: sqlite_utils.Database
) -> None:
    path = tmp_path / "Joint Register 2022-08.xlsx"
    load(fresh_db, register(path, risk_row("HM-012", likelihood=5, impact=4)))
    result, flags = load(fresh_db, register(path, risk_row("HM-012", likelihood=2, impact=4),
                                            title=[["Corrected"], ["Report run: 31/08/2022"]]))  # fmt: skip
    assert result.unreadable_count == 0 and "HM-012" not in flags
    assert register_rows(fresh_db, "2022-08", CONFIG)[0].current_score == 8


# --------------------------------------------------------------- 7. every Excel error


EXCEL_ERRORS = ["#N/A", "#VALUE!", "#DIV/0!", "#NAME?", "#NULL!", "#NUM!", "#REF!",
                "#GETTING_DATA", "#SPILL!", "#CALC!", "#FIELD!", "#BUSY!"]  # fmt: skip


def _inline(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


@pytest.mark.parametrize("error", EXCEL_ERRORS)
def test_every_excel_error_is_unreadable_with_its_text_however_it_is_stored(
    tmp_path: Path, fresh_db: sqlite_utils.Database, error: str
) -> None:
    head = "".join(_inline(f"{col}3", text) for col, text in
                   zip("BCDE", ["Risk Ref", "Risk Title", "Score", "Last Updated"], strict=True))  # fmt: skip
    rows = [
        f'<row r="1">{_inline("A1", "Report run: 31/08/2022")}</row>',
        f'<row r="3">{head}</row>',
    ]
    stored = {  # an error cell with its formula, a formula's cached text, text pasted as a value
        "R-1": (f'<c r="D{{r}}" t="e"><f>1/0</f><v>{error}</v></c>',
                f'<c r="E{{r}}" t="str"><f>X1</f><v>{error}</v></c>'),
        "R-2": (f'<c r="D{{r}}" t="e"><v>{error}</v></c>', _inline("E{r}", error)),
    }  # fmt: skip
    for r, (ref, (score, updated)) in enumerate(stored.items(), start=5):  # row 4 blank
        cells_xml = _inline(f"B{r}", ref) + _inline(f"C{r}", "Flooding")
        rows.append(f'<row r="{r}">{cells_xml}{score.format(r=r)}{updated.format(r=r)}</row>')
    path = write_xlsx(tmp_path / "r 2022-08.xlsx", {"Register": [["x"]]})
    replace_sheet_data(path, "".join(rows))
    result, flags = load(fresh_db, path)
    assert result.unreadable_count == 4
    for r, ref in enumerate(stored, start=5):
        assert [(c["field"], c["sheet"], c["row"], c["column"], c["text"])
                for c in cells(flags[ref])] == [
            ("current_score", "Register", r, "Score", error),
            ("last_updated", "Register", r, "Last Updated", error),
        ]  # fmt: skip


# --------------------------------------------------------------- 4-6. the board month


def test_the_reviews_board_month_cases(tmp_path: Path) -> None:
    def month_of(name: str, title: list[list[Any]]) -> tuple[str, list[str]]:
        parsed = parse_workbook(register(tmp_path / name, risk_row("HM-1"), title=title), CONFIG)
        return parsed.month, parsed.warnings

    # a run date in the file name is a run date, said to be one, never silently the month
    month, warnings = month_of("Register_2022-09-05.xlsx", [])
    assert month == "2022-09"
    assert any("run on 05/09/2022" in w and "--month 2022-08" in w for w in warnings)
    # month words inside annex names are not months
    assert month_of("Marchwood annex 2022-08.xlsx", [])[0] == "2022-08"
    month, _ = month_of("May Gurney Aug 2022.xlsx", [])
    assert month == "2022-08"
    with pytest.raises(RiskboardError, match="has the month 'may' but no year"):
        month_of("May Gurney annex.xlsx", [])
    # a period range is its last month; a quarter is not read, and the refusal names it
    assert month_of("Register Apr-Jun 2022.xlsx", [])[0] == "2022-06"
    assert month_of("Register.xlsx", [["Period: Apr-Jun 2022"], []])[0] == "2022-06"
    with pytest.raises(
        RiskboardError, match="'Period: Q1 2022/23' is not a month riskboard can read"
    ):
        month_of("Register q.xlsx", [["Period: Q1 2022/23"], []])


# --------------------------------------------------------------- 8. where the cell is


def test_unreadable_cells_name_the_real_excel_row_past_title_rows_blank_rows_and_hidden_columns(
    tmp_path: Path, fresh_db: sqlite_utils.Database
) -> None:
    from openpyxl import load_workbook

    rows = [["Joint Contract Risk Register"], ["Report run: 31/08/2022"], [],
            [None, None, "Risk Ref", "Risk Title", "Internal", "Score", "Last Updated"],
            [None, None, "R-1", "a", "x", "#DIV/0!", "31/02/2022"], [],
            [None, None, "R-2", "b", "x", "TBC", "#N/A"]]  # fmt: skip
    path = write_xlsx(tmp_path / "r 2022-08.xlsx", {"Register": rows})
    wb = load_workbook(path)
    wb["Register"].column_dimensions["E"].hidden = True
    wb["Register"].column_dimensions["A"].hidden = True
    wb.save(path)
    _, flags = load(fresh_db, path)
    assert [(c["row"], c["column"], c["text"]) for ref in ("R-1", "R-2")
            for c in cells(flags[ref])] == [
        (5, "Score", "#DIV/0!"), (5, "Last Updated", "31/02/2022"),
        (7, "Score", "TBC"), (7, "Last Updated", "#N/A"),
    ]  # fmt: skip


def test_a_column_of_doubtful_strategies_or_statuses_is_still_told_apart() -> None:
    from riskboard.ingest.values import classify_status_column

    strategies = ["Treat?", "Transfer pending", "Treat?", "Tolerate", "Open"]
    statuses = ["Closed?", "Closed (pending)", "Open", "Open", "Treat"]
    assert classify_status_column(strategies, has_actions=False) == "strategy"
    assert classify_status_column(statuses, has_actions=False) == "status"
