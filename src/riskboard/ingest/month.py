"""The board month of an export: ``--month``, else the report/run date in a title
block, else a YYYY-MM or month name (with a year) in the file name."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date
from typing import Any

from riskboard.errors import RiskboardError
from riskboard.ingest.dates import MONTHS, find_date, parse_date

_MONTH_ARG = re.compile(r"\s*(\d{4})-(\d{1,2})\s*")
_KEYWORD = re.compile(
    r"report\s*(?:run|date|generated|produced|created|as at)|run\s*(?:date|on)|date\s*(?:of\s*)?"
    r"(?:report|run|extract|export)|as\s+(?:at|of)|generated|produced|extracted|exported|printed"
    r"|created|period\s+end|reporting\s+(?:date|period)|data\s+as",
    re.IGNORECASE,
)
_NAME_MONTH = "|".join(sorted(MONTHS, key=len, reverse=True))
_FILE_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("dmy", re.compile(r"(?<!\d)(\d{1,2})[-_. ](\d{1,2})[-_. ](20\d{2})(?!\d)")),
    ("ym", re.compile(r"(?<!\d)(20\d{2})[-_. ]?(0[1-9]|1[0-2])(?:[-_. ]?\d{2})?(?!\d)")),
    ("my", re.compile(rf"(?<![a-z])({_NAME_MONTH})[a-z]*[-_. ]*(20\d{{2}}|\d{{2}})(?!\d)")),
    ("ym_name", re.compile(rf"(?<!\d)(20\d{{2}})[-_. ]*({_NAME_MONTH})(?![a-z])")),
)
_BARE_MONTH = re.compile(rf"(?<![a-z])({_NAME_MONTH})(?![a-z])")


def check_month(text: str) -> str:
    """YYYY-MM from a user (``--month``), normalised; RiskboardError if malformed."""
    m = _MONTH_ARG.fullmatch(text)
    if not m or not 1 <= int(m.group(2)) <= 12:
        raise RiskboardError(f"month must be YYYY-MM, got {text!r}")
    return f"{int(m.group(1)):04d}-{int(m.group(2)):02d}"


def month_of(d: date) -> str:
    return f"{d.year:04d}-{d.month:02d}"


def report_date_in_title(rows: Sequence[Sequence[Any]]) -> date | None:
    """The report/run date written in the title block above the header.

    A date next to a keyword ("Report run: 31/08/2022", "As at | 31 Aug 2022") wins;
    else a cell holding nothing but a date, if the block has exactly one such date
    ("Contract commenced 01/04/2019" is not a report date). None when there is none."""
    labelled: list[date] = []
    loose: list[date] = []
    for row in rows:
        cells = [c for c in row if c != "" and c is not None]
        for i, cell in enumerate(cells):
            if isinstance(cell, str):
                found = find_date(cell)
                if _KEYWORD.search(cell):
                    if found is None and i + 1 < len(cells):
                        found = _as_date(cells[i + 1])
                    if found is not None:
                        labelled.append(found)
                        continue
                # a cell that is nothing but a written date (not a number: "12345")
                whole = None if cell.strip().isdigit() else _as_date(cell)
                if whole is not None:
                    loose.append(whole)
            else:
                d = _as_date(cell) if isinstance(cell, date) else None
                if d is not None:
                    loose.append(d)
    if labelled:
        return max(labelled)
    if len(set(loose)) == 1:
        return loose[0]
    return None


def _as_date(cell: Any) -> date | None:
    if isinstance(cell, float | int) and not isinstance(cell, bool):
        return None  # a bare number beside a label is not trusted as a date
    try:
        return parse_date(cell)
    except ValueError:
        return None


def month_in_file_name(name: str) -> str | None:
    """YYYY-MM from a file name ("IRIS 2022-08.xlsx", "Risks Aug 2022.xlsx")."""
    stem = name.rsplit(".", 1)[0].casefold()
    for kind, pattern in _FILE_PATTERNS:
        m = pattern.search(stem)
        if not m:
            continue
        if kind == "dmy":
            month, year = int(m.group(2)), int(m.group(3))
        elif kind == "ym":
            year, month = int(m.group(1)), int(m.group(2))
        elif kind == "my":
            month, year = MONTHS[m.group(1)], int(m.group(2))
            year += 2000 if year < 100 else 0
        else:
            year, month = int(m.group(1)), MONTHS[m.group(2)]
        if 1 <= month <= 12:
            return f"{year:04d}-{month:02d}"
    return None


def board_month(explicit: str | None, report_date: date | None, file_name: str) -> tuple[str, str]:
    """(YYYY-MM, where it came from). RiskboardError saying how to give it if none."""
    if explicit:
        return check_month(explicit), "--month"
    if report_date is not None:
        return month_of(report_date), f"report date {report_date:%d/%m/%Y} in the title block"
    from_name = month_in_file_name(file_name)
    if from_name:
        return from_name, "file name"
    bare = _BARE_MONTH.search(file_name.rsplit(".", 1)[0].casefold())
    detail = (
        f"the file name has the month {bare.group(1)!r} but no year"
        if bare
        else "no report date in the title block and no month in the file name"
    )
    raise RiskboardError(
        f"cannot tell which board month this export is for: {detail}",
        file=file_name,
        hint="give it with --month YYYY-MM, or put YYYY-MM in the file name",
    )
