"""How many risks a board month holds, each count saying what it counts - so the demo
summary, ``riskboard flags`` and ``risks``, the agenda and the heat map agree.

Counted from ``register.register_rows``: "exported" are the rows of the month's export
(open or closed), "missing" those open last month and absent from it, "open" in the
export and not closed (what the heat map places), "flagged" needing the board's
attention (closed risks are never flagged).
"""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import BaseModel

from riskboard.domain import count_of
from riskboard.register import RegisterRow


class MonthCounts(BaseModel):
    """How many risks a board month holds, each count saying what it counts - so the
    demo summary, ``riskboard flags``, the agenda and the heat map agree."""

    month: str
    exported: int  # rows of the month's export (open or closed)
    closed: int  # of those, exported as closed
    missing: int  # open last month, absent from this month's export
    flagged: int  # needing the board's attention (closed risks are never flagged)
    unscored: int  # open risks without a likelihood and impact (off the heat map)

    @property
    def open(self) -> int:
        """In the export and not closed: the risks on the heat map (with the unscored)."""
        return self.exported - self.closed

    @property
    def on_agenda(self) -> int:
        """Every risk the agenda lists: the export's and those missing from it."""
        return self.exported + self.missing

    def export_text(self) -> str:
        """ "90 risks in the export (87 open, 3 closed) and 1 missing from it" """
        text = f"{count_of(self.exported, 'risk')} in the export"
        if self.closed:
            text += f" ({self.open:,} open, {self.closed:,} closed)"
        if self.missing:
            text += f" and {self.missing:,} missing from it"
        return text

    def flagged_text(self) -> str:
        """ "51 of the 91 risks flagged" (of the export's and those missing from it)."""
        return f"{self.flagged:,} of the {count_of(self.on_agenda, 'risk')} flagged"


def month_counts(month: str, rows: Sequence[RegisterRow]) -> MonthCounts:
    """The counts of ``register_rows(db, month, config)``."""
    return MonthCounts(
        month=month,
        exported=sum(1 for r in rows if not r.missing),
        closed=sum(1 for r in rows if r.closed and not r.missing),
        missing=sum(1 for r in rows if r.missing),
        flagged=sum(1 for r in rows if r.flags),
        unscored=sum(
            1
            for r in rows
            if r.is_open and (r.current_likelihood is None or r.current_impact is None)
        ),
    )
