"""What names and stray text mean: the annex a sheet or file name stands for, and
footers or notes sitting where a risk reference should be.

A file name carries more than the annex: "Street_Lighting_Aug2022_v2 - Copy.xlsx". Months,
dates, years, financial years and quarters, versions ("v2", "rev 3") and copy marks
("Copy of", "final", "(1)") are not part of the annex; a joint register's name
("IRIS_Register", "Joint Risk Register") means no annex at all. An annex is matched to
the annexes already stored ignoring case, punctuation and "&" / "and", so next month's
"Bridges and Structures" is the same annex as this month's "Bridges & Structures".
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

from riskboard.domain import Risk
from riskboard.ingest.dates import MONTHS
from riskboard.ingest.values import to_text

_NOTE_START = re.compile(
    r"^(?:total|end\b|count\b|number of|page\s*\d|printed|generated|report\s+(?:run|date)"
    r"|source\b|notes?\b|key\b|produced|run\s+date|\*)",
    re.IGNORECASE,
)
_NAME_WORDS = frozenset(
    {"sheet", "risk", "risks", "register", "registers", "action", "actions", "iris", "export",
     "exports", "exported", "report", "joint", "appendix", "contract", "data", "output", "monthly", "month",
     "log", "list", "copy", "final", "draft", "version", "summary", "all", "extract", "annex",
     "rev", "ver", "updated", "update", "latest", "amended", "revised", "clean", "issued",
     "v", "fy", "period", "year", "end", "as", "at"}
)  # fmt: skip
_CONNECTORS = frozenset({"and", "&", "of", "the", "for", "-"})
# marks a reviewer adds to a file name, not part of the annex
_REVIEW_MARKS = frozenset(
    {"reviewed", "comments", "commented", "checked", "approved", "markup", "marked",
     "tracked", "edits", "edited", "signed"}
)  # fmt: skip
_MONTH_NAMES = "|".join(sorted(MONTHS, key=len, reverse=True))
_MONTH = rf"(?<![a-z])(?:{_MONTH_NAMES})(?![a-z])"
_YEAR = r"(?:19|20)\d{2}"
# what is stripped from the whole name before it is split into words
_NOT_ANNEX = re.compile(
    "|".join(
        (
            r"(?<![a-z])copy of(?![a-z])|[-\s_]+copy(?![a-z])|\(\d{1,2}\)",  # copy marks
            r"(?<!\d)\d{1,2}[-_. ]\d{1,2}[-_. ](?:\d{4}|\d{2})(?!\d)",  # 31.08.2022, 31-08-22
            rf"(?<!\d){_YEAR}[-_. ]?\d{{2}}[-_. ]?\d{{2}}(?!\d)",  # 2022-08-31, 20220831
            rf"(?<![\d.])\d{{1,2}}(?:st|nd|rd|th)?[-_. ]+{_MONTH}[-_. ]+(?:{_YEAR}|\d{{2}})(?!\d)",
            rf"{_MONTH}[-_. ']*(?:{_YEAR}|\d{{2}})(?:[-/]\d{{2}})?(?!\d)",  # Aug2022, Aug-22
            rf"(?<!\d){_YEAR}[-_. ]*{_MONTH}",  # 2022 March
            rf"(?<!\d){_YEAR}[-_. ]?(?:0[1-9]|1[0-2])(?!\d)",  # 2022-08
            rf"(?<![a-z])fy\s*(?:{_YEAR}|\d{{2}})(?:[-/]\d{{2,4}})?(?!\d)",  # FY22-23, FY2022
            rf"(?<!\d){_YEAR}[-/]\d{{2}}(?!\d)",  # 2022/23
            r"(?<![a-z0-9])[qp]\d{1,2}(?![a-z0-9])(?=[-_. ]*(?:fy|(?:19|20)\d{2}|$))",  # Q2 FY22-23, P5 2022/23
            r"(?<![a-z0-9])(?:v|ver|version|rev|revision)[-_. ]?\d+(?:\.\d+)*[a-z]?(?![a-z0-9])",  # v2, v0.2, rev 3
            r"(?<![a-z])sheet[-_. ]?\d+(?!\d)",
        )
    ),
    re.IGNORECASE,
)
# "Car Parks 2 Aug 2022": the 2 may be the annex's or the date's
_DAY_BEFORE_MONTH = re.compile(
    rf"([^\W\d_]+)[-_. ]+(\d{{1,2}})[-_. ]+{_MONTH}[-_. ]+(?:{_YEAR}|\d{{2}})(?!\d)",
    re.IGNORECASE,
)
_INITIALS = re.compile(r"[A-Z]{2,3}")
# "Annex B", "Appendix 2", "Schedule iv": a label for the annex, not its name
_DESIGNATOR = re.compile(
    r"(?<![^\W_])(annex|appendix|schedule)[-_. ]*([a-z]|\d{1,2}|[ivx]{1,4})(?![^\W_])",
    re.IGNORECASE,
)
_ANNEX_KEY = re.compile(r"[^\w]+|_")


def name_annex(text: str) -> str | None:
    """The service annex a sheet or file name stands for, or None if it is a generic
    name ("Sheet1", "Risks", "IRIS export 2022-08"). "street-lighting_2022-08" gives
    "Street Lighting"; "Section 38 Adoptions Aug2022" keeps its number."""
    return read_annex_name(text)[0]


def read_annex_name(text: str) -> tuple[str | None, str | None]:
    """(the annex or None, a warning when part of the name may have been read wrong).

    Only numbers that are dates, years, financial years, quarters, versions or copy
    marks are stripped: "Section 38", "Bus Lane 2" and "M5 Junction 12" keep theirs.
    Review marks go with the reviewer's initials before them ("HM_Aug2022_reviewed",
    "Structures_Aug_2022_JL_comments")."""
    doubt = None
    day = _DAY_BEFORE_MONTH.search(text)
    if day is not None and day.group(1).casefold() not in _NAME_WORDS:
        doubt = f"{day.group(2)!r} before the month in the file name is read as the day of a date"
    designator = _DESIGNATOR.search(text)
    if designator is not None:  # "Street Lighting Annex B": the annex is Street Lighting
        text = f"{text[: designator.start()]} {text[designator.end() :]}"
    bare = _NOT_ANNEX.sub(" ", text)
    words = []
    for word in re.split(r"[\s_.()\[\],]+|(?<=\w)-(?=\w)|\s-\s", bare):
        w = word.strip(" -")
        lw = w.casefold()
        if not w or lw in _NAME_WORDS or lw in MONTHS or re.fullmatch(_YEAR, lw):
            continue
        words.append(w)
    marks = [i for i, w in enumerate(words) if w.casefold() in _REVIEW_MARKS]
    if marks and marks[0] > 0:  # "HM reviewed", "Structures JL comments": not the annex
        first = marks[0]
        if first > 1 and _INITIALS.fullmatch(words[first - 1]):
            first -= 1  # the reviewer's initials before the mark
        words = words[:first]
    while words and words[-1].casefold() in _CONNECTORS:
        words.pop()
    while words and words[0].casefold() in _CONNECTORS:
        words.pop(0)
    if not any(ch.isalpha() for w in words for ch in w):
        if designator is not None:  # the label is all there is: "Annex B", "Appendix 2"
            return f"{designator.group(1).title()} {designator.group(2).upper()}", doubt
        return None, None
    joined = " ".join(words)
    annex = joined.title() if joined == joined.lower() else joined
    if doubt:
        doubt += (
            f": the annex is read as {annex!r} - if the number belongs to the annex's name,"
            " rename the file or give the annex in an 'Annex' column"
        )
    return annex, doubt


def annex_key(name: str) -> str:
    """What makes two annex names one annex: case, punctuation and "&" vs "and" do not count."""
    return " ".join(_ANNEX_KEY.sub(" ", name.casefold().replace("&", " and ")).split())


def match_annexes(risks: Iterable[Risk], known: Iterable[str]) -> None:
    """Spell each risk's annex as the annex already stored (or first met in this file)
    that it matches by ``annex_key``, so one annex never becomes two."""
    spelling: dict[str, str] = {}
    for name in known:
        spelling.setdefault(annex_key(name), name)
    for risk in risks:
        if risk.annex:
            risk.annex = spelling.setdefault(annex_key(risk.annex), risk.annex)


def note_kind(ref: str, row: Sequence[Any]) -> str | None:
    """Whether the text in the reference column reads like a footer or a note:

    - "alone": it is the only text on the row (or one text merged across it) and reads
      like a sentence or a label ("Total risks: 42", "End of report") - a note;
    - "starts": it starts like one ("Total", "Key", "Source", "*", "END") or is very long,
      but the row holds more: a note only if the row carries no risk data (the caller
      decides; "KEY-003" with an owner and a score is a risk);
    - None: it reads like a reference."""
    starts = bool(_NOTE_START.match(ref)) or len(ref) > 60
    if starts or " " in ref or ":" in ref:
        texts = {to_text(v) for v in row if v != ""}
        if len(texts) == 1:  # the only text on the row (or one merged across it)
            return "alone"
    return "starts" if starts else None


_CONTINUED = re.compile(
    r"(?P<ref>.*?)[\s\-\u2013,:;]*[(\[]?\s*"
    r"(?<![^\W_])(?:cont(?:inued|inuation|'d|d)?|ctd)\.?"
    r"(?:\s+(?:from\s+)?(?:above|over|previous(?:\s+page)?|prev\.?(?:\s+page)?))?"
    r"\s*[)\]]?\.?",
    re.IGNORECASE,
)


def continued_ref(ref: str) -> str | None:
    """For a reference cell that marks a continuation row, the risk it continues: ""
    when it only says so ("(continued)", "Cont'd from above": the risk above), the
    reference when it names one ("HM-001 (cont.)", "HM-002 continued"); None when the
    cell is not a continuation mark."""
    m = _CONTINUED.fullmatch(ref.strip())
    return None if m is None else m.group("ref").strip(" -\u2013,:;([")
