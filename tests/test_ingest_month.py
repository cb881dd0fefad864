"""The board month: --month, else the title block's report date, else the file name."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from riskboard.config import Config
from riskboard.errors import RiskboardError
from riskboard.ingest.file_month import date_in_file_name
from riskboard.ingest.month import decide_month, month_in_file_name, report_date_in_title
from riskboard.ingest.workbook import parse_workbook
from workbooks import write_xlsx

TABLE = [["Risk Ref", "Risk Title"], ["R1", "Flooding"]]


@pytest.mark.parametrize(
    ("name", "month"),
    [
        ("IRIS_export_2022-08.xlsx", "2022-08"),
        ("risks 2022_08 final.xlsx", "2022-08"),
        ("Risk Register 202208.xlsx", "2022-08"),
        ("Risk Register Aug 2022.xlsx", "2022-08"),
        ("Street_Lighting_August-2022.xlsx", "2022-08"),
        ("register Sept22.xlsx", "2022-09"),
        ("2022 March joint register.xlsx", "2022-03"),
        ("Joint register.xlsx", None),
        ("summary v2.xlsx", None),
        # review of issue 9: a month word is a whole token ("Jun"-ction 12 is not June 2012)
        ("M5_Junction_12_Aug2022.xlsx", "2022-08"),
        ("Junction 12 Improvements Aug2022.xlsx", "2022-08"),
        ("Marchwood Depot Aug2022.xlsx", "2022-08"),
        ("Winter Service 2022-23 Aug.xlsx", "2022-08"),  # August of the year 2022/23
        # a full date is the day the export was run, not a board month
        ("IRIS run 31-08-2022.xlsx", None),
        ("IRIS_Street_Lighting_2022-08-31.xlsx", None),
        ("Risk Register 01.09.2022.xlsx", None),
        # two months: not one of them picked
        ("IRIS_Register_Jul2022_updated_Aug2022.xlsx", None),
    ],
)
def test_month_in_file_name(name: str, month: str | None) -> None:
    assert month_in_file_name(name) == month


@pytest.mark.parametrize(
    ("name", "day"),
    [("Risk Register 01.09.2022.xlsx", date(2022, 9, 1)),
     ("IRIS_Register_01-09-2022.xlsx", date(2022, 9, 1)),
     ("IRIS_Register_2022-09-01.xlsx", date(2022, 9, 1)),
     ("Streetworks_2022_08_31.xlsx", date(2022, 8, 31)),
     ("Traffic Signals 31.08.2022.xlsx", date(2022, 8, 31)),
     ("M5_Junction_12_Aug2022.xlsx", None), ("IRIS 2022-08.xlsx", None)],
)  # fmt: skip
def test_a_full_date_in_a_file_name_is_a_run_date(name: str, day: date | None) -> None:
    assert date_in_file_name(name) == day


@pytest.mark.parametrize(
    "name", ["Risk Register 01.09.2022.xlsx", "IRIS_Register_01-09-2022.xlsx",
             "IRIS_Register_2022-09-01.xlsx", "Risk Register.xlsx"],
)  # fmt: skip
def test_a_file_named_by_its_run_date_early_in_a_month_is_filed_with_the_warning(
    tmp_path: Path, name: str
) -> None:
    path = write_xlsx(tmp_path / name, {"Register": [["Report run: 01/09/2022"], [], *TABLE]})
    parsed = parse_workbook(path, Config())
    assert parsed.month == "2022-09"
    assert any(
        "if it is 2022-08's register, it needs --month 2022-08" in w for w in parsed.warnings
    )


def test_a_run_date_in_the_name_and_one_at_month_end_give_that_month(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "Traffic Signals 31.08.2022.xlsx",
        {"Register": [["Report run: 01/09/2022"], [], *TABLE]},
    )
    parsed = parse_workbook(path, Config())
    assert parsed.month == "2022-08"
    assert not any("needs --month" in w for w in parsed.warnings)


def test_a_junction_number_is_not_a_month(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "M5_Junction_12_Aug2022.xlsx",
        {"Register": [["Report run: 01/09/2022"], [], *TABLE]},
    )
    assert parse_workbook(path, Config()).month == "2022-08"


def test_a_file_name_with_two_months_is_refused_asking_for_the_month(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "IRIS_Register_Jul2022_updated_Aug2022.xlsx", {"R": TABLE})
    with pytest.raises(RiskboardError, match="names more than one month: 2022-07, 2022-08") as info:
        parse_workbook(path, Config())
    assert "--month" in str(info.value)


@pytest.mark.parametrize(
    ("label", "month"),
    [("Period: April 2022 - August 2022", "2022-08"),  # cumulative: as at its last month
     ("Reporting period: Month 5 (August) 2022/23", "2022-08"),
     ("Period: 1 August 2022 to 31 August 2022", "2022-08")],
)  # fmt: skip
def test_period_ranges_and_financial_year_months(tmp_path: Path, label: str, month: str) -> None:
    path = write_xlsx(tmp_path / "IRIS_Register.xlsx", {"Register": [[label], [], *TABLE]})
    parsed = parse_workbook(path, Config())
    assert parsed.month == month
    assert any(label in e and month in e for e in parsed.month_evidence)


@pytest.mark.parametrize("label", ["Period: Q2 2022/23", "Month: 5", "Period: P5 2022/23"])
def test_a_period_label_that_is_not_a_month_is_listed_and_warned(
    tmp_path: Path, label: str
) -> None:
    path = write_xlsx(
        tmp_path / "IRIS_Register_Aug2022.xlsx",
        {"Register": [[label], ["Report run: 01/09/2022"], [], *TABLE]},
    )
    parsed = parse_workbook(path, Config())
    assert parsed.month == "2022-08"
    assert f"period label {label!r} in the title block: not read as a month" in (
        parsed.month_evidence
    )
    assert any(f"period label {label!r} is not read as a month" in w for w in parsed.warnings)


def test_only_an_unread_period_label_is_refused_naming_it(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "IRIS_Register.xlsx", {"R": [["Period: Q2 2022/23"], *TABLE]})
    with pytest.raises(RiskboardError, match="'Period: Q2 2022/23' is not a month riskboard"):
        parse_workbook(path, Config())


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        ([["Joint Risk Register"], ["Report run: 31/08/2022"]], date(2022, 8, 31)),
        ([["Report date", date(2022, 9, 30)]], date(2022, 9, 30)),
        ([["As at", "30 Sep 2022"]], date(2022, 9, 30)),
        ([["Risk Register - printed 01/09/2022 09:14"]], date(2022, 9, 1)),
        ([["Contract 2019/123"], ["Page 1"]], None),
        ([["Joint Risk Register", "31/08/2022"]], date(2022, 8, 31)),
        ([["Contract commenced 01/04/2019"]], None),
        ([["Contract", "12345"]], None),
        ([["31/07/2022"], ["31/08/2022"]], None),
        ([["Report run: 31/08/2022", "Last contract review 01/01/2020"]], date(2022, 8, 31)),
    ],
)
def test_report_date_in_title_block(rows: list[list[object]], expected: date | None) -> None:
    assert report_date_in_title(rows) == expected


def test_explicit_month_wins() -> None:
    decision = decide_month("2022-7", None, date(2022, 8, 31), "x 2022-06.xlsx")
    assert (decision.month, decision.source) == ("2022-07", "--month")


def test_file_name_and_a_report_date_months_apart_are_refused(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "IRIS 2022-06.xlsx", {"Register": [["Report run: 31/08/2022"], [], *TABLE]}
    )
    with pytest.raises(RiskboardError, match="sources disagree") as info:
        parse_workbook(path, Config())
    assert "file name 'IRIS 2022-06.xlsx': 2022-06" in str(info.value)
    assert "report date 31/08/2022 in the title block: 2022-08" in str(info.value)
    assert "--month" in str(info.value)


def test_report_date_alone_gives_the_month(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "IRIS.xlsx", {"Register": [["Report run: 31/08/2022"], *TABLE]})
    parsed = parse_workbook(path, Config())
    assert (parsed.month, parsed.report_date) == ("2022-08", date(2022, 8, 31))
    assert parsed.month_source == "report date 31/08/2022 in the title block"


def test_file_name_when_no_title_block(tmp_path: Path) -> None:
    parsed = parse_workbook(write_xlsx(tmp_path / "IRIS Jul 2022.xlsx", {"R": TABLE}), Config())
    assert (parsed.month, parsed.month_source, parsed.report_date) == ("2022-07", "file name", None)


def test_month_option_differing_from_the_report_date_is_warned(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "x.xlsx", {"Register": [["Report run: 31/08/2022"], *TABLE]})
    parsed = parse_workbook(path, Config(), month="2022-09")
    assert parsed.month == "2022-09"
    assert parsed.report_date == date(2022, 8, 31)
    assert parsed.warnings == [
        "the title block's report date 31/08/2022 is not in 2022-09 (--month); using --month"
    ]


def test_no_month_anywhere_is_refused_with_how_to_give_it(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "register.xlsx", {"Register": TABLE})
    with pytest.raises(RiskboardError) as info:
        parse_workbook(path, Config())
    assert info.value.file == "register.xlsx"
    assert "cannot tell which board month" in str(info.value)
    assert "--month YYYY-MM" in str(info.value)


def test_month_name_without_a_year_is_refused(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "risks august.xlsx", {"Register": TABLE})
    with pytest.raises(RiskboardError, match="month 'august' but no year"):
        parse_workbook(path, Config())


@pytest.mark.parametrize("bad", ["2022-13", "Aug 2022", "22-08", ""])
def test_bad_month_option(bad: str) -> None:
    with pytest.raises(RiskboardError, match="month must be YYYY-MM"):
        decide_month(bad or " ", None, None, "x.xlsx")
