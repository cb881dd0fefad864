"""Dates as the board types them: ``date`` objects, ISO text or UK dd/mm/yyyy text.

UK order always: 04/08/2022 is 4 August 2022, never 8 April.
"""

from __future__ import annotations

import re
from datetime import date, datetime

from riskboard.errors import RiskboardError

_UK = re.compile(r"(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{2}|\d{4})")
_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_MONTH = re.compile(r"(\d{4})-(\d{1,2})")


def parse_date(value: date | str, what: str = "date") -> date:
    """A date from a ``date``/``datetime`` or text ``YYYY-MM-DD`` / ``DD/MM/YYYY``."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    try:
        if m := _ISO.fullmatch(text):
            return date(int(m[1]), int(m[2]), int(m[3]))
        if m := _UK.fullmatch(text):
            year = int(m[3]) + (2000 if len(m[3]) == 2 else 0)
            return date(year, int(m[2]), int(m[1]))
    except ValueError:
        pass
    raise RiskboardError(
        f"bad {what} {text!r}: use YYYY-MM-DD or DD/MM/YYYY (e.g. 2022-09-14 or 14/09/2022)"
    )


def parse_optional_date(value: date | str | None, what: str = "date") -> date | None:
    """``None`` or blank text stays ``None``; anything else must parse."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return parse_date(value, what)


def parse_month(value: str) -> str:
    """A board month ``YYYY-MM``."""
    m = _MONTH.fullmatch(str(value).strip())
    if not m or not 1 <= int(m[2]) <= 12:
        raise RiskboardError(f"bad board month {value!r}: use YYYY-MM (e.g. 2022-08)")
    return f"{int(m[1]):04d}-{int(m[2]):02d}"


def iso(value: date | None) -> str | None:
    return value.isoformat() if value else None
