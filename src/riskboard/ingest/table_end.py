"""Where a sheet's table of risks ends: rows in the reference column that are not risks.

Registers carry a scoring key ("1".."5", "Impact"), a legend or a protective marking
("OFFICIAL", "OFFICIAL-SENSITIVE") below the table, often in the reference column.
Each would otherwise become a risk flagged ``no_strategy`` and ``no_action``. A row is
a risk only when it looks like one of this table's risks:

- its reference has the *shape* the table's references have (letters, digits and the
  punctuation between them: "HM-001" and "SL-014" are both ``A-9``; "OFFICIAL" is ``A``);
- and it carries risk data.

The table's shapes are those of its first block - the rows from the header down to the
first blank row. In that block, a row whose shape no other row shares is not a risk
unless it has an owner, a strategy, a status, a score or an action. Below it (after a
blank row), a row is a risk when its shape is one of the block's and it has any risk
data, or when it has an owner, strategy, status, score or action whatever its shape.
A scoring key or legend row is not a risk wherever it sits: every cell of it is a
number, a range of numbers or a word of the scales ("5 | Almost certain | | 5 | | 25",
"Likelihood | 1 Rare | 2 Unlikely", "Red | 15-25"). Below the table, a row whose
reference is a bare number ("25") needs an owner, strategy, status or action to be a
risk: a key's rows carry numbers in the score columns and are numbered 1-5 or 1-25.

Rows that are not risks are skipped with a warning naming the row, never silently.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from typing import Any, Protocol

from riskboard.config import DEFAULT_IMPACT_WORDS, DEFAULT_LIKELIHOOD_WORDS
from riskboard.ingest.scores import BAND_WORDS, word_key

_LETTERS = re.compile(r"[^\W\d_]+")
_DIGITS = re.compile(r"\d+")
_SPACES = re.compile(r"\s+")
# what makes a row a risk whatever its reference looks like
_STRONG = frozenset(
    {"owner", "strategy", "strategy_text", "status", "inherent_likelihood", "inherent_impact",
     "inherent_score", "current_likelihood", "current_impact", "current_score",
     "target_likelihood", "target_impact", "target_score"}
)  # fmt: skip


# what makes a row below the table a risk when its reference is a bare number
OWNED = frozenset({"owner", "strategy", "strategy_text", "status"})
# the words a scoring key or legend is made of
KEY_WORDS = frozenset(
    {*DEFAULT_LIKELIHOOD_WORDS, *DEFAULT_IMPACT_WORDS, *BAND_WORDS, "likelihood", "impact",
     "probability", "severity", "consequence", "score", "scores", "rating", "risk score",
     "risk rating", "key", "legend", "scoring key", "risk matrix", "matrix", "rag", "level",
     "total", "description", "descriptor", "scale", "rank"}
)  # fmt: skip
_KEY_CELL = re.compile(
    r"(?:\d{1,2}\s*(?:[-–:.=]\s*)?)?(?P<words>[^\W\d_][^\d()]*?)?\s*(?:\(?\s*\d{1,2}\s*\)?)?"
)
_NUMBER_RANGE = re.compile(r"\d{1,2}(?:\.0+)?(?:\s*(?:[-–]|to)\s*\d{1,2})?\+?")


def _key_cell(cell: Any) -> bool:
    """A cell a scoring key or legend could hold: blank, a small number or a range of
    them, or a scale word with or without its number ("Almost certain", "1 Rare")."""
    if cell == "" or cell is None:
        return True
    if type(cell) is float or type(cell) is int:
        return 0 <= cell <= 25
    if type(cell) is not str:
        return False
    text = cell.strip()
    if not text or _NUMBER_RANGE.fullmatch(text):
        return True
    if len(text) > 40:
        return False
    m = _KEY_CELL.fullmatch(text)
    if m is None or not m.group("words"):
        return False
    words = word_key(m.group("words"))
    return words in KEY_WORDS or all(w in KEY_WORDS or w == "to" for w in words.split())


def key_like(ref: Any, raw: Sequence[Any]) -> bool:
    """Whether a row (its reference and risk cells) is a scoring key or legend row: every
    cell blank, a number or a scale word, and at least one word among them."""
    cells = (ref, *raw)
    if not all(_key_cell(c) for c in cells):
        return False
    return any(type(c) is str and any(ch.isalpha() for ch in c) for c in cells)


class _Row(Protocol):
    ref: str
    values: dict[str, Any]
    actions: list[dict[str, Any]]
    after_gap: bool
    raw: tuple[Any, ...]

    @property
    def unreadable(self) -> Sequence[tuple[Any, bool]]: ...


def ref_shape(ref: str) -> str:
    """ "HM-001" -> "A-9", "R001" -> "A9", "OFFICIAL-SENSITIVE" -> "A-A", "3" -> "9"."""
    shape = _DIGITS.sub("9", _LETTERS.sub("A", ref.strip()))
    return _SPACES.sub(" ", shape)


RISK_STRONG_FIELDS = _STRONG
STRONG_WORDS = "owner, strategy, status, score or action"


def _strong(row: _Row, strong: frozenset[str]) -> bool:
    if row.actions or not strong.isdisjoint(row.values):
        return True
    return any(cell.field in strong for cell, _ in row.unreadable)


def _maybe_key(row: _Row) -> bool:
    """A cheap first test for ``key_like``: a key row's title, if any, is a short word."""
    if row.actions:
        return False
    title = row.values.get("title")
    return title is None or (len(title) <= 40 and not any(ch in title for ch in ".,;!?"))


_KEY_WHY = "a scoring key or legend row (only scale words and numbers), not a risk"
_BARE_WHY = (
    "below the table, numbered like a scoring key and with no owner, strategy, status or"
    " action: not a risk"
)


def not_risks(
    rows: Sequence[_Row],
    *,
    strong: frozenset[str] = _STRONG,
    a_noun: str = "a risk",
    strong_words: str = STRONG_WORDS,
) -> list[tuple[Any, str]]:
    """The rows of one sheet (in order) that are not risks of its table, with why.
    ``strong`` are the fields that make a row a record whatever its reference (an early
    warning register has its own: ``ingest.ew_sheets``), ``a_noun`` and ``strong_words``
    word the reason."""
    out: list[tuple[Any, str]] = []
    keys = {id(r) for r in rows if _maybe_key(r) and key_like(r.ref, r.raw)}
    bare = {
        id(r)
        for r in rows
        if r.after_gap and id(r) not in keys and r.ref.isdigit() and OWNED.isdisjoint(r.values)
        and not r.actions
    }  # fmt: skip
    weak = [r for r in rows if not _strong(r, strong) and id(r) not in keys and id(r) not in bare]
    if not weak and not keys and not bare:
        return []  # nearly every sheet: each row has risk data (shapes are not needed)
    for row in rows:
        if id(row) in keys:
            out.append((row, _KEY_WHY))
        elif id(row) in bare:
            out.append((row, _BARE_WHY))
    if not weak:
        return out
    any_strong = len(weak) + len(out) < len(rows)
    block = [r for r in rows if not r.after_gap and id(r) not in keys]
    shapes = Counter(ref_shape(r.ref) for r in block)
    for row in weak:
        shape = ref_shape(row.ref)
        if not row.after_gap:
            if not any_strong:
                continue  # a sheet with no owner/strategy/status/score/action data at all
            if len(block) >= 2 and shapes[shape] == 1:
                out.append(
                    (row, f"not {a_noun}: its reference does not follow the table's pattern"
                          f" and it has no {strong_words}")
                )  # fmt: skip
        elif shape not in shapes or not row.values:
            out.append(
                (row, f"below the table and not {a_noun} (a key, legend or marking?): no"
                      f" {strong_words}")
            )  # fmt: skip
    order = {id(r): i for i, r in enumerate(rows)}
    out.sort(key=lambda pair: order[id(pair[0])])
    return out
