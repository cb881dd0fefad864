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
Rows that are not risks are skipped with a warning naming the row, never silently.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from typing import Any, Protocol

_LETTERS = re.compile(r"[^\W\d_]+")
_DIGITS = re.compile(r"\d+")
_SPACES = re.compile(r"\s+")
# what makes a row a risk whatever its reference looks like
_STRONG = frozenset(
    {"owner", "strategy", "strategy_text", "status", "inherent_likelihood", "inherent_impact",
     "inherent_score", "current_likelihood", "current_impact", "current_score",
     "target_likelihood", "target_impact", "target_score"}
)  # fmt: skip


class _Row(Protocol):
    ref: str
    values: dict[str, Any]
    actions: list[dict[str, Any]]
    after_gap: bool

    @property
    def unreadable(self) -> Sequence[tuple[Any, bool]]: ...


def ref_shape(ref: str) -> str:
    """ "HM-001" -> "A-9", "R001" -> "A9", "OFFICIAL-SENSITIVE" -> "A-A", "3" -> "9"."""
    shape = _DIGITS.sub("9", _LETTERS.sub("A", ref.strip()))
    return _SPACES.sub(" ", shape)


def _strong(row: _Row) -> bool:
    if row.actions or not _STRONG.isdisjoint(row.values):
        return True
    return any(cell.field in _STRONG for cell, _ in row.unreadable)


def not_risks(rows: Sequence[_Row]) -> list[tuple[Any, str]]:
    """The rows of one sheet (in order) that are not risks of its table, with why."""
    weak = [r for r in rows if not _strong(r)]
    if not weak:
        return []  # nearly every sheet: each row has risk data (shapes are not needed)
    any_strong = len(weak) < len(rows)
    block = [r for r in rows if not r.after_gap]
    shapes = Counter(ref_shape(r.ref) for r in block)
    out: list[tuple[Any, str]] = []
    for row in weak:
        shape = ref_shape(row.ref)
        if not row.after_gap:
            if not any_strong:
                continue  # a sheet with no owner/strategy/status/score/action data at all
            if len(block) >= 2 and shapes[shape] == 1:
                out.append(
                    (row, "not a risk: its reference does not follow the table's pattern and"
                          " it has no owner, strategy, status, score or action")
                )  # fmt: skip
        elif shape not in shapes or not row.values:
            out.append(
                (row, "below the table and not a risk (a key, legend or marking?): no owner,"
                      " strategy, status, score or action")
            )  # fmt: skip
    return out
