"""The board month a file name gives: a month ("Aug2022", "2022-08", "Aug 2022-23") or a
full date ("Risk Register 01.09.2022.xlsx"), which is the day the export was run, not a
board month.

Month words are whole tokens: the "Jun" of "M5_Junction_12" and the "Mar" of
"Marchwood" are not months. A name that names two months ("Jul2022_updated_Aug2022")
gives both, and the caller refuses rather than picks one.
"""

from __future__ import annotations

import re
from datetime import date

from riskboard.ingest.dates import MONTHS

_NAME_MONTH = "|".join(sorted(MONTHS, key=len, reverse=True))
# a month word is a whole token: "Aug2022", "Sept-22", "August 2022" - never the "Jun" of
# "Junction" or the "Mar" of "Marchwood"
MONTH_WORD = rf"(?<![a-z])({_NAME_MONTH})(?![a-z])"
# a full date in a file name: "01.09.2022", "_01-09-2022", "2022-09-01", "20220901",
# "1st Sept 2022" - the day the export was run (or its period ended), not a board month
_FILE_DATES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("dmy", re.compile(r"(?<!\d)(\d{1,2})[-_. ](\d{1,2})[-_. ](20\d{2})(?!\d)")),
    ("ymd", re.compile(r"(?<!\d)(20\d{2})([-_. ]?)(0[1-9]|1[0-2])\2(0[1-9]|[12]\d|3[01])(?!\d)")),
    # the year apart from the month: "12_Aug2022" is junction 12 in August, not a date
    (
        "dMy",
        re.compile(
            rf"(?<![\d.])(\d{{1,2}})(?:st|nd|rd|th)?[-_. ]+{MONTH_WORD}[-_. ]+(20\d{{2}})(?!\d)"
        ),
    ),
)
# a month in a file name: "Aug2022", "Sept-22", "2022-08", "2022 March", "Aug 2022-23"
_FILE_MONTHS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("ym", re.compile(r"(?<!\d)(20\d{2})[-_. ]?(0[1-9]|1[0-2])(?![\d])")),
    ("my_fy", re.compile(rf"{MONTH_WORD}[-_. ]*(20\d{{2}})[-/](\d{{2}})(?!\d)")),
    ("fy_m", re.compile(rf"(?<!\d)(20\d{{2}})[-/](\d{{2}})(?!\d)[-_. ]*{MONTH_WORD}")),
    ("my", re.compile(rf"{MONTH_WORD}[-_. ']*(20\d{{2}}|[1-6]\d)(?![\d/-])")),
    ("ym_name", re.compile(rf"(?<!\d)(20\d{{2}})[-_. ]*{MONTH_WORD}")),
)
BARE_MONTH = re.compile(MONTH_WORD)


def in_financial_year(month: int, first_year: int) -> int:
    """The calendar year of ``month`` in the UK financial year starting April
    ``first_year`` (2022/23: August is 2022, February is 2023)."""
    return first_year if month >= 4 else first_year + 1


def date_in_file_name(name: str) -> date | None:
    """A full date in a file name ("Risk Register 01.09.2022.xlsx", "IRIS_2022-09-01"),
    or None (none, or two different dates). It is the day the export was run or its
    period ended - evidence like the title block's report date, never a board month."""
    stem = name.rsplit(".", 1)[0].casefold()
    found: set[date] = set()
    for kind, pattern in _FILE_DATES:
        for m in pattern.finditer(stem):
            try:
                if kind == "dmy":
                    found.add(date(int(m.group(3)), int(m.group(2)), int(m.group(1))))
                elif kind == "ymd":
                    found.add(date(int(m.group(1)), int(m.group(3)), int(m.group(4))))
                else:
                    found.add(date(int(m.group(3)), MONTHS[m.group(2)], int(m.group(1))))
            except ValueError:
                continue
    return found.pop() if len(found) == 1 else None


def file_name_months(name: str) -> list[str]:
    """Every board month a file name names, without its full dates ("Aug2022",
    "2022-08", "Aug 2022-23"): one normally, none or several when the name is unclear
    ("IRIS_Jul2022_updated_Aug2022")."""
    stem = name.rsplit(".", 1)[0].casefold()
    for _kind, pattern in _FILE_DATES:
        stem = pattern.sub(" ", stem)
    found: list[str] = []
    for kind, pattern in _FILE_MONTHS:
        for m in pattern.finditer(stem):
            if kind == "ym":
                year, month = int(m.group(1)), int(m.group(2))
            elif kind in ("my_fy", "fy_m"):
                first, second = (2, 3) if kind == "my_fy" else (1, 2)
                word = m.group(1) if kind == "my_fy" else m.group(3)
                if int(m.group(second)) != (int(m.group(first)) + 1) % 100:
                    continue  # not a financial year ("2022-08" is a month)
                month = MONTHS[word]
                year = in_financial_year(month, int(m.group(first)))
            elif kind == "my":
                month, year = MONTHS[m.group(1)], int(m.group(2))
                year += 2000 if year < 100 else 0
            else:
                year, month = int(m.group(1)), MONTHS[m.group(2)]
            text = f"{year:04d}-{month:02d}"
            if text not in found:
                found.append(text)
    # "Aug 2022-23" is also read as "Aug 2022": the financial-year reading says the same
    return found


def month_in_file_name(name: str) -> str | None:
    """YYYY-MM from a file name ("IRIS 2022-08.xlsx", "Risks Aug 2022.xlsx"); None when
    it names no month, or more than one."""
    months = file_name_months(name)
    return months[0] if len(months) == 1 else None
