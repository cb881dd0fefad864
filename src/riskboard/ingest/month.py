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
from typing import Any

from riskboard.errors import RiskboardError
from riskboard.ingest.dates import MONTHS, find_date, parse_date
from riskboard.ingest.file_month import (
    BARE_MONTH,
    MONTH_WORD,
    date_in_file_name,
    file_name_months,
    in_financial_year,
    month_in_file_name,
)

__all__ = ["check_month", "decide_month", "month_in_file_name", "period_labels"]

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


_MONTH_YEAR = re.compile(rf"{MONTH_WORD}[a-z]*\.?[\s\-/',]*(\d{{4}}|\d{{2}})(?![\d/])")
_NUMERIC_MONTH = re.compile(r"(?<!\d)(?:(\d{4})[-/](\d{1,2})|(\d{1,2})[-/](\d{4}))(?![\d/-])")
# a financial year beside a month word: "Month 5 (August) 2022/23", "Aug 2022-23"
_FY = re.compile(r"(?<!\d)(20\d{2})[-/](\d{2})(?!\d)")
_RANGE = re.compile(r"\s+(?:-|–|—|to|until)\s+")


def _month_in_text(text: str) -> str | None:
    """The month a period label's text names: "August 2022", "Aug-22", "08/2022",
    "2022-08", "Month 5 (August) 2022/23". A range ("01/08/2022 - 31/08/2022", the
    cumulative "April 2022 - August 2022") names its last month: a register reported for
    a period is the register as at the end of it. None when no month can be read."""
    t = " ".join(text.casefold().split())
    if not t:
        return None
    parts = _RANGE.split(t)
    last = parts[-1]
    found = find_date(last)
    if found is not None:
        return month_of(found)
    fy = _FY.search(last)
    words = BARE_MONTH.findall(last)
    if fy is not None and len(set(words)) == 1 and int(fy.group(2)) == (int(fy.group(1)) + 1) % 100:
        fy_month = MONTHS[words[0]]
        return f"{in_financial_year(fy_month, int(fy.group(1))):04d}-{fy_month:02d}"
    m = _MONTH_YEAR.search(last)
    if m:
        year = int(m.group(2))
        return f"{year + 2000 if year < 100 else year:04d}-{MONTHS[m.group(1)]:02d}"
    m = _NUMERIC_MONTH.search(last)
    if m:
        y, mon = (m.group(1), m.group(2)) if m.group(1) else (m.group(4), m.group(3))
        if 1 <= int(mon) <= 12:
            return f"{int(y):04d}-{int(mon):02d}"
    return None


def period_labels(rows: Sequence[Sequence[Any]]) -> list[tuple[str | None, str]]:
    """Every explicit period label in the title block, as (YYYY-MM or None, the label as
    written). The month is in the label's cell ("Reporting period: August 2022") or the
    cell after it ("Period ending" | 31/08/2022); None when the label says something
    that is not a month ("Period: Q2 2022/23", "Month: 5") - it is still listed as a
    source seen, never ignored in silence."""
    out: list[tuple[str | None, str]] = []
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
            if not rest.strip():
                if i + 1 >= len(cells):
                    continue  # a word such as "Month" alone: not a label
                after = cells[i + 1]
                if isinstance(after, date):
                    month = month_of(after)
                elif isinstance(after, str):
                    month = _month_in_text(after)
                shown = (
                    f"{shown} {after:%d/%m/%Y}" if isinstance(after, date) else f"{shown} {after}"
                )
            out.append((month, shown))
    return out


def period_in_title(rows: Sequence[Sequence[Any]]) -> tuple[str, str] | None:
    """(YYYY-MM, the label as written) of the first period label that names a month."""
    return next(((m, shown) for m, shown in period_labels(rows) if m is not None), None)


def _as_date(cell: Any) -> date | None:
    if isinstance(cell, float | int) and not isinstance(cell, bool):
        return None  # a bare number beside a label is not trusted as a date
    try:
        return parse_date(cell)
    except ValueError:
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


Periods = tuple[str, str] | Sequence[tuple[str | None, str]] | None


def _candidates(run: date, grace_days: int) -> set[str]:
    """The board months a report run on ``run`` can be for: its own month, and the month
    before when it was run in the first ``grace_days`` days."""
    months = {month_of(run)}
    if run.day <= grace_days:
        months.add(month_of(run.replace(day=1) - timedelta(days=1)))
    return months


def _refuse(
    evidence: list[str], file_name: str, grace_days: int, month: str | None
) -> RiskboardError:
    example = f"--month {month}" if month else "--month YYYY-MM"
    return RiskboardError(
        "the board month is unclear - the export's sources disagree: "
        + "; ".join(evidence)
        + f" (a report run up to {grace_days} days into the next month counts for"
        " the month before: [import] run_date_grace_days)",
        file=file_name,
        hint=f"give the month with --month YYYY-MM, e.g. {example}",
    )


def decide_month(
    explicit: str | None,
    period: Periods,
    report_date: date | None,
    file_name: str,
    *,
    grace_days: int = 10,
) -> MonthDecision:
    """The board month from every source of evidence (module docstring for the order).
    ``period``: the title block's period labels, (YYYY-MM or None, label as written)
    each. RiskboardError when none gives it, or when two disagree beyond the grace days."""
    labels: list[tuple[str | None, str]] = (
        [] if period is None else [period] if isinstance(period, tuple) else list(period)  # type: ignore[list-item]
    )
    read_labels = [(m, shown) for m, shown in labels if m is not None]
    name_months = file_name_months(file_name)
    name_date = date_in_file_name(file_name)
    runs = [d for d in (report_date, name_date) if d is not None]
    evidence: list[str] = []
    unread: list[str] = []
    if explicit:
        explicit = check_month(explicit)
        evidence.append(f"--month: {explicit}")
    for month, shown in labels:
        if month is None:
            evidence.append(f"period label {shown!r} in the title block: not read as a month")
            unread.append(
                f"the title block's period label {shown!r} is not read as a month (riskboard"
                " reads 'August 2022', 'Aug-22', '01/08/2022 - 31/08/2022' or 'Month 5"
                " (August) 2022/23'); check the month below"
            )
        else:
            evidence.append(f"period label {shown!r} in the title block: {month}")
    if len(name_months) == 1:
        evidence.append(f"file name {file_name!r}: {name_months[0]}")
    elif name_months:
        evidence.append(
            f"file name {file_name!r} names more than one month: {', '.join(name_months)}"
        )
    if name_date is not None:
        evidence.append(
            f"the date {name_date:%d/%m/%Y} in the file name (the day it was run, not a board"
            f" month): {month_of(name_date)}"
        )
    run_words = f"report date {report_date:%d/%m/%Y} in the title block" if report_date else ""
    if report_date is not None:
        evidence.append(f"{run_words}: {month_of(report_date)}")

    if explicit:
        decision = MonthDecision(explicit, "--month", evidence, list(unread))
        if report_date and month_of(report_date) != explicit:
            decision.warnings.append(
                f"the title block's report date {report_date:%d/%m/%Y} is not in {explicit}"
                " (--month); using --month"
            )
        for month, shown in read_labels:
            if month != explicit:
                decision.warnings.append(
                    f"the title block's period label {shown!r} says {month}, not"
                    f" {explicit} (--month); using --month"
                )
        return decision

    if read_labels or name_months:
        if read_labels:
            month, shown = read_labels[0]
            source = f"period label {shown!r} in the title block"
            named = {m for m, _ in read_labels}
            disagree = len(named) > 1 or (bool(name_months) and month not in name_months)
        else:
            month, source = name_months[0], "file name"
            disagree = len(name_months) > 1
        if disagree or any(not _run_fits(month, d, grace_days) for d in runs):
            unclear = len(name_months) > 1 and not read_labels
            raise _refuse(evidence, file_name, grace_days, None if unclear else month)
        return MonthDecision(month, source, evidence, list(unread))

    if runs:
        common = set.intersection(*(_candidates(d, grace_days) for d in runs))
        if not common:
            raise _refuse(evidence, file_name, grace_days, month_of(max(runs)))
        month = max(common)
        if report_date is not None and name_date is not None:
            source = f"{run_words} and the date in the file name"
        elif report_date is not None:
            source = run_words
        else:
            source = f"the date {name_date:%d/%m/%Y} in the file name"
        decision = MonthDecision(month, source, evidence, list(unread))
        if len(common) > 1:
            latest = max(runs)
            earlier = min(common)
            decision.warnings.append(
                f"the report was run on {latest:%d/%m/%Y}, early in the month, and nothing"
                f" else names the month: filed as {month}; if it is {earlier}'s"
                f" register, it needs --month {earlier}"
            )
        return decision

    bare = BARE_MONTH.search(file_name.rsplit(".", 1)[0].casefold())
    if labels:
        detail = (
            "the title block's period label "
            + ", ".join(repr(s) for _, s in labels)
            + (" is not a month riskboard can read")
        )
    elif bare:
        detail = f"the file name has the month {bare.group(1)!r} but no year"
    else:
        detail = "no report date in the title block and no month in the file name"
    raise RiskboardError(
        f"cannot tell which board month this export is for: {detail}",
        file=file_name,
        hint="give it with --month YYYY-MM, or put YYYY-MM in the file name",
    )
