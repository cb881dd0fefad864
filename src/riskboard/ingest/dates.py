"""Dates as they appear in exports: Excel dates, Excel serial numbers, ISO text and UK
text. Numeric text is always day first: 04/08/2022 is 4 August 2022, never 8 April.

A serial number - a plain number in a date column, or one stored as text ("44777") -
counts days in the workbook's own date system: from 1900 (Windows Excel) or from 1904
(old Mac Excel, ``date1904`` in the workbook). Date-styled cells come from calamine
already converted in the right system. A date that cannot exist (31/02/2022) is not a
date: it raises ValueError like any other unreadable text.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from datetime import date, datetime, time, timedelta

from riskboard.ingest.values import BLANK_WORDS

_EXCEL_EPOCH = date(1899, 12, 30)  # serial 61 = 1 March 1900 (Excel's 1900 leap-year bug)
_EPOCH_1904 = date(1904, 1, 1)  # the 1904 date system: serial 0 is 1 January 1904
MAX_SERIAL = 2_958_465  # 31 December 9999
_SERIAL_TEXT = re.compile(r"\d{5}(?:\.\d+)?")  # 10000-99999: 1927 to 2173

MONTHS: dict[str, int] = {}
for _i, _name in enumerate(
    ("january", "february", "march", "april", "may", "june", "july", "august", "september",
     "october", "november", "december"),
    start=1,
):  # fmt: skip
    MONTHS[_name] = _i
    MONTHS[_name[:3]] = _i
MONTHS["sept"] = 9

_MONTH_RE = r"(?P<mon>[a-z]{3,9})\.?"
_DAY_RE = r"(?P<day>\d{1,2})(?:st|nd|rd|th)?"
_YEAR_RE = r"(?P<year>\d{4}|\d{2})"
_WEEKDAY_RE = r"(?:(?:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)[a-z]*\.?,?\s+)?"
_TIME_RE = r"(?:(?:\s+|t)\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?\s*(?:am|pm|z|[+-]\d{2}:?\d{2})?)?"

_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (kind, re.compile(body + _TIME_RE))
    for kind, body in (
        # ISO 2022-08-04, 2022/08/04
        ("ymd", r"(?P<year>\d{4})[-/.](?P<month>\d{1,2})[-/.](?P<day>\d{1,2})"),
        # UK 04/08/2022, 4-8-22, 04.08.2022 - day first, always
        ("dmy", r"(?P<day>\d{1,2})[/.\-](?P<month>\d{1,2})[/.\-]" + _YEAR_RE),
        # 4 Aug 2022, 04-Aug-2022, Thursday 4th August 2022
        ("dMy", _WEEKDAY_RE + _DAY_RE + r"[\s\-/.]*" + _MONTH_RE + r"[\s\-/.,]*" + _YEAR_RE),
        # Aug 4, 2022 / August 4th 2022
        ("Mdy", _WEEKDAY_RE + _MONTH_RE + r"[\s\-/.]*" + _DAY_RE + r"[\s\-/.,]+" + _YEAR_RE),
    )
)


def _year(text: str) -> int:
    y = int(text)
    if len(text) == 2:
        y += 2000 if y < 70 else 1900
    return y


def _build(kind: str, m: re.Match[str]) -> date | None:
    g = m.groupdict()
    if kind in ("dMy", "Mdy"):
        month = MONTHS.get(g["mon"])
        if month is None:
            return None
    else:
        month = int(g["month"])
    try:
        return date(_year(g["year"]), month, int(g["day"]))
    except ValueError:
        return None


def from_serial(serial: float, date1904: bool = False) -> date:
    """An Excel serial number as a date, in the 1900 date system or (``date1904``) the
    1904 one."""
    if not 1 <= serial <= MAX_SERIAL:
        raise ValueError(f"{serial:g} is not an Excel date serial")
    whole = int(serial)
    if date1904:
        return _EPOCH_1904 + timedelta(days=whole)
    if whole == 60:
        raise ValueError("29/02/1900 does not exist (Excel serial 60)")
    if whole < 60:
        whole += 1  # before Excel's phantom 29 Feb 1900
    return _EXCEL_EPOCH + timedelta(days=whole)


def parse_text_date(text: str) -> date:
    """A date written as text; raises ValueError if it is not one."""
    t = " ".join(text.casefold().split())
    for kind, pattern in _PATTERNS:
        m = pattern.fullmatch(t)
        if m:
            d = _build(kind, m)
            if d is not None:
                return d
            break
    raise ValueError(f"{text!r} is not a date")


# text -> date, None (blank) or the reason it is not a date: exports repeat their dates.
# Not the ValueError itself: its traceback would pin the frames of the import that
# first met the text - the whole workbook's rows - for the life of the process.
_TEXT_CACHE: dict[str, date | str | None] = {}


def parse_date(value: object, date1904: bool = False) -> date | None:
    """A cell as a date: Excel date/datetime, serial number (also stored as text) in the
    workbook's date system (``date1904``), ISO or UK text.

    Blank (or "TBC", "N/A") gives None; anything else that is not a date raises ValueError.
    """
    tv = type(value)
    if tv is date:
        return _after_1899(value)  # type: ignore[arg-type]
    if tv is datetime:
        return _after_1899(value.date())  # type: ignore[attr-defined]
    if tv is str:
        text: str = value  # type: ignore[assignment]
        if _SERIAL_TEXT.fullmatch(stripped := text.strip()):
            return from_serial(float(stripped), date1904)  # a serial number stored as text
        try:
            hit = _TEXT_CACHE[text]
        except KeyError:
            stripped = text.strip()
            if not stripped or stripped.casefold() in BLANK_WORDS:
                hit = None  # "TBC", "N/A": no date given
            else:
                try:
                    hit = parse_text_date(stripped)
                except ValueError as exc:
                    hit = str(exc)
            if len(_TEXT_CACHE) > 50_000:
                _TEXT_CACHE.clear()
            _TEXT_CACHE[text] = hit
        if isinstance(hit, str):
            raise ValueError(hit)
        return hit
    if value is None:
        return None
    if tv is bool or isinstance(value, time | timedelta):
        raise ValueError(f"{value!r} is not a date")
    if isinstance(value, int | float):
        if 19000101 <= value <= 21001231 and value == int(value):  # 20220804
            try:
                s = str(int(value))
                return date(int(s[:4]), int(s[4:6]), int(s[6:]))
            except ValueError:
                pass
        return from_serial(float(value), date1904)
    if isinstance(value, datetime):
        return _after_1899(value.date())
    if isinstance(value, date):
        return _after_1899(value)
    raise ValueError(f"{value!r} is not a date")


_FIRST_DATE = date(1900, 1, 1)  # Excel's serial 1: nothing earlier is an Excel date


def _after_1899(value: date) -> date:
    """A date the reader made from a date-formatted cell. Before 1 January 1900 it is
    no Excel date: the reader gives 30/12/1899 for a cell holding 0, NaN or a number it
    cannot place - unreadable, never a due date of 1899 that looks real."""
    if value < _FIRST_DATE:
        raise ValueError(
            f"{value:%d/%m/%Y} is before Excel's first date (the cell holds 0, NaN or"
            " another number that is not a date)"
        )
    return value


# a register's dates (due, last updated) are never this old: an earlier one is a slip
EARLIEST_REGISTER_DATE = date(1950, 1, 1)


def _plausible(value: object, found: date | None, date1904: bool) -> date | None:
    """``found`` unless it is before 1950: 2022 typed as a number (or into a date cell)
    is Excel day 2022, 14/07/1905 - a year where a date was expected, never a date."""
    if found is None or found >= EARLIEST_REGISTER_DATE:
        return found
    serial = (found - (_EPOCH_1904 if date1904 else _EXCEL_EPOCH)).days
    if isinstance(value, int | float) and not isinstance(value, bool):
        shown = f"{value:g}"
    elif isinstance(value, str):
        shown = value.strip()
    else:
        shown = f"{found:%d/%m/%Y}"
    if 1950 <= serial <= 2100:
        raise ValueError(
            f"{shown} looks like a year typed where a date is expected (as an Excel date"
            f" it is {found:%d/%m/%Y}): give the full date"
        )
    raise ValueError(f"{shown} is {found:%d/%m/%Y}, before 1950: not a date of this register")


_DMY_NUMBERS = re.compile(r"\s*(\d{1,2})[/.\-](\d{1,2})[/.\-](?:\d{4}|\d{2})(?![\d/.\-])")


_YEAR_ALONE = re.compile(r"\s*(?:19|20)\d\d\s*")


def month_first_example(values: Iterable[object]) -> str | None:
    """The first text date among ``values`` that can only be month first (08/15/2022,
    a US date), or None: a column holding one writes its dates the US way."""
    for value in values:
        m = _DMY_NUMBERS.match(value) if type(value) is str else None
        if m is not None and int(m.group(1)) <= 12 < int(m.group(2)) <= 31:
            return str(value).strip()
    return None


def _day_month_doubt(text: str, us_example: str | None) -> str | None:
    """Why numeric text cannot be read day first for certain, or None."""
    m = _DMY_NUMBERS.match(text)
    if m is None:
        return None
    first, second = int(m.group(1)), int(m.group(2))
    shown = text.strip()
    if first <= 12 < second <= 31:
        return (
            f"{shown!r} is written month first (a US date); riskboard reads dates day first"
            " (dd/mm/yyyy) and does not swap them"
        )
    if us_example is not None and first <= 12 and second <= 12 and first != second:
        return (
            f"{shown!r} could be day first or month first: this column also has"
            f" {us_example!r}, which can only be month first (US), so its dates are not read"
            " for certain - export the dates as dd/mm/yyyy"
        )
    return None


def date_reader(date1904: bool, us_example: str | None = None) -> Callable[[object], date | None]:
    """``parse_date`` for a register's date column, in the workbook's 1900 or 1904 date
    system. A date before 1950 is refused (a year typed as a number); numeric text
    written month first is refused, and - when the column holds such a date
    (``us_example``, see ``month_first_example``) - so is any text that reads both ways."""

    def read(value: object) -> date | None:
        if type(value) is str:
            if doubt := _day_month_doubt(value, us_example):
                raise ValueError(doubt)
            if _YEAR_ALONE.fullmatch(value):
                raise ValueError(
                    f"{value.strip()} looks like a year, not a date: give the full date"
                )
        return _plausible(value, parse_date(value, date1904), date1904)

    return read


def find_date(text: str) -> date | None:
    """The first date written anywhere in a piece of text ("Report run: 31/08/2022")."""
    t = " ".join(text.casefold().split())
    for kind, pattern in _PATTERNS:
        for m in pattern.finditer(t):
            if _word_bounded(t, m.start(), m.end()):
                d = _build(kind, m)
                if d is not None:
                    return d
    return None


def _word_bounded(text: str, start: int, end: int) -> bool:
    before = text[start - 1] if start > 0 else " "
    after = text[end] if end < len(text) else " "
    return not before.isalnum() and not after.isalnum()
