"""The board month of an export, from the evidence it carries, in this order:

1. ``--month`` (the user's word: other sources that disagree are only warned about);
2. an explicit period label in the title block ("Reporting period: August 2022",
   "Period ending 31/08/2022", "Month: Aug-22");
3. the month in the file name ("IRIS_Register_Aug2022.xlsx"), which a report/run date
   in the title block confirms when it falls in that month or in the first
   ``[import] run_date_grace_days`` (default 10) days of the next - month-end exports
   are run on the 1st-5th;
4. the report/run date in the title block ("Report run: 01/09/2022").

Two sources that disagree beyond that refuse the file, saying which source said what
and how to give ``--month``: filing August's register as September would make every
August update read as stale. ``--dry-run`` lists every source seen.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, cast

from riskboard.errors import RiskboardError
from riskboard.ingest.dates import MONTHS, find_date, parse_date

_MONTH_ARG = re.compile(r"\s*(\d{4})-(\d{1,2})\s*")
_KEYWORD = re.compile(
    r"report\s*(?:run|date|generated|produced|created|as at)|run\s*(?:date|on)|date\s*(?:of\s*)?"
    r"(?:report|run|extract|export)|as\s+(?:at|of)|generated|produced|extracted|exported|printed"
    r"|created|reporting\s+date|data\s+as",
    re.IGNORECASE,
)
# "Reporting period: August 2022", "Period ending 31/08/2022", "Month: Aug-22"
_PERIOD_LABEL = re.compile(
    r"\s*(?:reporting\s+period|period\s+covered|reporting\s+month|board\s+month"
    r"|period(?:\s+(?:ending|ended|end))?|month(?:\s+(?:ending|ended|end))?)"
    r"\s*(?:[:\-–]\s*|$)(?P<rest>.*)",
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


_MONTH_YEAR = re.compile(
    rf"(?<![a-z])({'|'.join(sorted(MONTHS, key=len, reverse=True))})[a-z]*\.?[\s\-/',]*(\d{{4}}|\d{{2}})(?!\d)"
)
_NUMERIC_MONTH = re.compile(r"(?<!\d)(?:(\d{4})[-/](\d{1,2})|(\d{1,2})[-/](\d{4}))(?![\d/-])")


def _month_in_text(text: str) -> str | None:
    """The month a period label's text names: "August 2022", "Aug-22", "08/2022",
    "2022-08", or the last date of "01/08/2022 - 31/08/2022"."""
    t = " ".join(text.casefold().split())
    if not t:
        return None
    parts = re.split(r"\s+(?:-|–|to)\s+", t)
    last = find_date(parts[-1])
    if last is not None:
        return month_of(last)
    m = _MONTH_YEAR.search(t)
    if m:
        year = int(m.group(2))
        return f"{year + 2000 if year < 100 else year:04d}-{MONTHS[m.group(1)]:02d}"
    m = _NUMERIC_MONTH.search(t)
    if m:
        y, mon = (m.group(1), m.group(2)) if m.group(1) else (m.group(4), m.group(3))
        if 1 <= int(mon) <= 12:
            return f"{int(y):04d}-{int(mon):02d}"
    return None


def period_in_title(rows: Sequence[Sequence[Any]]) -> tuple[str, str] | None:
    """(YYYY-MM, the label as written) from an explicit period label in the title block,
    or None. The month is in the label's cell ("Reporting period: August 2022") or the
    cell after it ("Period ending" | 31/08/2022)."""
    for row in rows:
        cells = [c for c in row if c != "" and c is not None]
        for i, cell in enumerate(cells):
            if not isinstance(cell, str):
                continue
            m = _PERIOD_LABEL.fullmatch(cell)
            if m is None:
                continue
            rest = m.group("rest")
            month = _month_in_text(rest) if rest.strip() else None
            shown = cell.strip()
            if month is None and not rest.strip() and i + 1 < len(cells):
                after = cells[i + 1]
                if isinstance(after, date):
                    month = month_of(after)
                elif isinstance(after, str):
                    month = _month_in_text(after)
                shown = f"{shown} {after}"
            if month is not None:
                return month, shown
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


@dataclass
class MonthDecision:
    """The board month, where it came from, every source seen, and warnings."""

    month: str
    source: str
    evidence: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def _next_month(month: str) -> str:
    year, mon = int(month[:4]), int(month[5:7])
    return f"{year + mon // 12:04d}-{mon % 12 + 1:02d}"


def _run_fits(month: str, run: date, grace_days: int) -> bool:
    """Whether a report run on ``run`` fits an export for ``month``: in the month, or in
    the first ``grace_days`` days of the next."""
    return month_of(run) == month or (month_of(run) == _next_month(month) and run.day <= grace_days)


def decide_month(
    explicit: str | None,
    period: tuple[str, str] | None,
    report_date: date | None,
    file_name: str,
    *,
    grace_days: int = 10,
) -> MonthDecision:
    """The board month from every source of evidence (module docstring for the order).
    RiskboardError when none gives it, or when two disagree beyond the grace days."""
    from_name = month_in_file_name(file_name)
    evidence: list[str] = []
    if explicit:
        explicit = check_month(explicit)
        evidence.append(f"--month: {explicit}")
    if period is not None:
        evidence.append(f"period label {period[1]!r} in the title block: {period[0]}")
    if from_name:
        evidence.append(f"file name {file_name!r}: {from_name}")
    run_words = f"report date {report_date:%d/%m/%Y} in the title block" if report_date else ""
    if report_date is not None:
        evidence.append(f"{run_words}: {month_of(report_date)}")
    if explicit:
        decision = MonthDecision(explicit, "--month", evidence)
        if report_date and month_of(report_date) != explicit:
            decision.warnings.append(
                f"the title block's report date {report_date:%d/%m/%Y} is not in {explicit}"
                " (--month); using --month"
            )
        if period and period[0] != explicit:
            decision.warnings.append(
                f"the title block's period label {period[1]!r} says {period[0]}, not"
                f" {explicit} (--month); using --month"
            )
        return decision
    if period is not None or from_name:
        month = period[0] if period is not None else cast(str, from_name)
        source = (
            f"period label {period[1]!r} in the title block" if period is not None else "file name"
        )
        disagree = (from_name is not None and from_name != month) or (
            report_date is not None and not _run_fits(month, report_date, grace_days)
        )
        if disagree:
            raise RiskboardError(
                "the board month is unclear - the export's sources disagree: "
                + "; ".join(evidence)
                + f" (a report run up to {grace_days} days into the next month counts for"
                " the month before: [import] run_date_grace_days)",
                file=file_name,
                hint=f"give the month with --month YYYY-MM, e.g. --month {month}",
            )
        return MonthDecision(month, source, evidence)
    if report_date is not None:
        decision = MonthDecision(month_of(report_date), run_words, evidence)
        if report_date.day <= grace_days:
            earlier = month_of(report_date.replace(day=1) - timedelta(days=1))
            decision.warnings.append(
                f"the report was run on {report_date:%d/%m/%Y}, early in the month, and nothing"
                f" else names the month: filed as {decision.month}; if it is {earlier}'s"
                f" register, it needs --month {earlier}"
            )
        return decision
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
