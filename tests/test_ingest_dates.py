"""Dates in exports: Excel dates and serials, ISO text, UK text - day first, always."""

from __future__ import annotations

from datetime import date, datetime, time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from riskboard.ingest.dates import find_date, from_serial, parse_date

DATES = st.dates(min_value=date(1950, 1, 1), max_value=date(2099, 12, 31))
MONTH_NAMES = ["January", "February", "March", "April", "May", "June", "July", "August",
               "September", "October", "November", "December"]  # fmt: skip


def test_04_08_2022_is_4_august() -> None:
    assert parse_date("04/08/2022") == date(2022, 8, 4)
    assert parse_date("4/8/22") == date(2022, 8, 4)
    assert parse_date("04-08-2022") == date(2022, 8, 4)
    assert parse_date("04.08.2022") == date(2022, 8, 4)


@pytest.mark.parametrize(
    "text",
    ["4 Aug 2022", "04-Aug-2022", "4 August 2022", "4th August 2022", "Thursday 4 August 2022",
     "Aug 4, 2022", "2022-08-04", "2022-08-04T00:00:00", "2022-08-04 13:45:00", "04/08/2022 09:30",
     "  4 aug 2022 ", "44777", "4-Aug-22", "4 Sept 2022".replace("Sept", "Aug")],
)  # fmt: skip
def test_text_forms(text: str) -> None:
    assert parse_date(text) == date(2022, 8, 4)


def test_excel_cells() -> None:
    assert parse_date(date(2022, 8, 4)) == date(2022, 8, 4)
    assert parse_date(datetime(2022, 8, 4, 10, 30)) == date(2022, 8, 4)
    assert parse_date(44777.0) == date(2022, 8, 4)
    assert parse_date(44777.75) == date(2022, 8, 4)
    assert parse_date(20220804.0) == date(2022, 8, 4)
    assert from_serial(1) == date(1900, 1, 1)
    assert from_serial(61) == date(1900, 3, 1)


@pytest.mark.parametrize("blank", ["", "   ", None])
def test_blank_is_none(blank: object) -> None:
    assert parse_date(blank) is None


@pytest.mark.parametrize(
    "bad", ["TBC next month", "31/02/2022", "13/13/2022", "Q3 2022", "soon", True, time(9, 30),
            -5.0, 60.0, "2022-13-01", "4 Smarch 2022"],
)  # fmt: skip
def test_not_a_date_raises_value_error(bad: object) -> None:
    with pytest.raises(ValueError):
        parse_date(bad)


@given(DATES)
def test_every_form_of_a_date_parses_to_it(d: date) -> None:
    serial = (d - date(1899, 12, 30)).days
    forms = [
        d,
        datetime.combine(d, time(17, 5)),
        float(serial),
        d.isoformat(),
        f"{d.day:02d}/{d.month:02d}/{d.year}",
        f"{d.day}/{d.month}/{d.year}",
        f"{d.day:02d}/{d.month:02d}/{d.year % 100:02d}"
        if 1970 <= d.year <= 2069
        else d.isoformat(),
        f"{d.day} {MONTH_NAMES[d.month - 1][:3]} {d.year}",
        f"{d.day} {MONTH_NAMES[d.month - 1]} {d.year}",
        f"{d.day:02d}-{MONTH_NAMES[d.month - 1][:3]}-{d.year}",
        f"{MONTH_NAMES[d.month - 1]} {d.day}, {d.year}",
        str(serial),
    ]
    for form in forms:
        assert parse_date(form) == d, form


@given(st.text(max_size=30))
def test_any_text_is_a_date_or_a_value_error(text: str) -> None:
    try:
        result = parse_date(text)
    except ValueError:
        return
    assert result is None or isinstance(result, date)


@given(DATES, st.sampled_from(["Report run: {}", "As at {} 09:14", "Produced {} by IRIS"]))
def test_dates_found_in_title_text(d: date, template: str) -> None:
    assert find_date(template.format(f"{d.day:02d}/{d.month:02d}/{d.year}")) == d
    assert find_date(template.format(f"{d.day} {MONTH_NAMES[d.month - 1]} {d.year}")) == d


def test_no_date_in_text() -> None:
    assert find_date("Joint Contract Risk Register") is None
    assert find_date("Page 1 of 3") is None
