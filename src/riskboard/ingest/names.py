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
     "exports", "exported", "report", "joint", "contract", "data", "output", "monthly", "month",
     "log", "list", "copy", "final", "draft", "version", "summary", "all", "extract", "annex",
     "rev", "ver", "updated", "update", "latest", "amended", "revised", "clean", "issued",
     "v", "fy", "period", "year", "end", "as", "at"}
)  # fmt: skip
_CONNECTORS = frozenset({"and", "&", "of", "the", "for", "-"})
_MONTH_NAMES = "|".join(sorted(MONTHS, key=len, reverse=True))
_NUMBERISH = re.compile(
    r"(?:sheet|v|ver|rev|fy|q|p)?\d+[a-z]?|\d{1,4}[-/]\d{1,2}(?:[-/]\d{1,4})?"
    r"|fy\d{2,4}[-/]\d{2,4}|\d+(?:st|nd|rd|th)"
    rf"|(?:{_MONTH_NAMES})[a-z]*[-']?\d{{2,4}}|\d{{1,4}}[-']?(?:{_MONTH_NAMES})[a-z]*(?:\d{{2,4}})?"
)
_ANNEX_KEY = re.compile(r"[^\w]+|_")


def name_annex(text: str) -> str | None:
    """The service annex a sheet or file name stands for, or None if it is a generic
    name ("Sheet1", "Risks", "IRIS export 2022-08"). "street-lighting_2022-08" gives
    "Street Lighting"."""
    words = []
    for word in re.split(r"[\s_.()\[\],]+|(?<=\w)-(?=\w)|\s-\s", text):
        w = word.strip(" -")
        lw = w.casefold()
        if not w or lw in _NAME_WORDS or lw in MONTHS or _NUMBERISH.fullmatch(lw):
            continue
        words.append(w)
    while words and words[-1].casefold() in _CONNECTORS:
        words.pop()
    while words and words[0].casefold() in _CONNECTORS:
        words.pop(0)
    if not any(ch.isalpha() for w in words for ch in w):
        return None
    joined = " ".join(words)
    return joined.title() if joined == joined.lower() else joined


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
