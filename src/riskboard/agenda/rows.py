"""The agenda's risk list as plain Python: lightweight row tuples, the agenda's
sections and order, and the filter.

No textual here: the meeting app's virtual table renders whatever list this module
hands it, so filtering 5,000 risks is a list comprehension, not a widget rebuild.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, NamedTuple

from riskboard.domain import FLAG_ORDER, FlagCode

# Agenda sections for the risk items, in the standard order.
FLAGGED, ESCALATION, REST = 0, 1, 2
SECTION_NAMES = {
    FLAGGED: "Flagged risks",
    ESCALATION: "Escalation candidates",
    REST: "Rest of the register",
}

# Short labels for the flags column (the review screen shows the full FLAG_LABELS).
FLAG_SHORT: dict[str, str] = {
    FlagCode.STALE_ACTION: "STALE",
    FlagCode.UNREADABLE_VALUE: "UNREAD",
    FlagCode.NO_STRATEGY: "NO-STRAT",
    FlagCode.UNKNOWN_STRATEGY: "STRAT?",
    FlagCode.NO_ACTION: "NO-ACT",
    FlagCode.OVERDUE_ACTION: "OVERDUE",
    FlagCode.SCORE_INCREASED: "UP",
    FlagCode.NEW_RISK: "NEW",
    FlagCode.MISSING_FROM_EXPORT: "MISSING",
    FlagCode.ESCALATION_CANDIDATE: "ESC",
    FlagCode.ACCEPTANCE_LAPSED: "LAPSED",
    FlagCode.NO_EARLY_WARNING: "NO-EW",
    FlagCode.EW_LINK_MISMATCH: "EW≠",
}
_FLAG_RANK = {code.value: i for i, code in enumerate(FLAG_ORDER)}
_NO_FLAG_RANK = len(FLAG_ORDER)

DIRECTION_SYMBOL = {"up": "▲", "down": "▼", "level": "►", "new": "●", "unknown": "?"}


class RiskRow(NamedTuple):
    """One risk as the agenda table shows it; cheap to build, filter and sort."""

    ref: str
    title: str
    annex: str
    owner: str
    score: int | None
    rag: str | None
    direction: str
    last_update: str | None
    flags: tuple[str, ...]
    reviewed: bool
    section: int
    rank: int  # position of the first agenda flag in FLAG_ORDER
    likelihood: int | None
    impact: int | None
    previous_score: int | None
    haystack: str  # lower-case text searched by the filter

    @property
    def flag_text(self) -> str:
        return " ".join(FLAG_SHORT.get(f, f) for f in self.flags)


def section_of(flags: Sequence[str]) -> int:
    """Which agenda item a risk belongs to: any flag but escalation -> flagged."""
    if not flags:
        return REST
    if any(f != FlagCode.ESCALATION_CANDIDATE for f in flags):
        return FLAGGED
    return ESCALATION


def _haystack(ref: str, title: str, annex: str, owner: str, flags: Sequence[str]) -> str:
    words = [ref, title, annex, owner, f"annex:{annex.replace(' ', '-')}"]
    for f in flags:
        short = FLAG_SHORT.get(f, f)
        words += [f, short, f"flag:{f}", f"flag:{short}"]
    return " ".join(words).lower()


def build_row(
    ref: str,
    title: str | None,
    annex: str | None,
    owner: str | None,
    *,
    score: int | None,
    rag: str | None,
    direction: str,
    last_update: str | None,
    flags: Sequence[str],
    reviewed: bool,
    likelihood: int | None = None,
    impact: int | None = None,
    previous_score: int | None = None,
    missing: bool = False,
) -> RiskRow:
    """A RiskRow from plain values (the hot path: 5,000 of these per agenda load)."""
    ordered = tuple(sorted(flags, key=_rank_of)) if len(flags) > 1 else tuple(flags)
    first = next((f for f in ordered if f != FlagCode.ESCALATION_CANDIDATE), None)
    title_, annex_, owner_ = title or "", annex or "", owner or ""
    return RiskRow(
        ref,
        title_,
        annex_,
        owner_,
        score,
        rag,
        "gone" if missing else direction,
        last_update,
        ordered,
        reviewed,
        section_of(ordered),
        _FLAG_RANK.get(first, _NO_FLAG_RANK) if first else _NO_FLAG_RANK,
        likelihood,
        impact,
        previous_score,
        _haystack(ref, title_, annex_, owner_, ordered),
    )


def _rank_of(flag: str) -> int:
    return _FLAG_RANK.get(flag, _NO_FLAG_RANK)


def make_row(reg: Any, reviewed: bool = False) -> RiskRow:
    """A RiskRow from a ``register.RegisterRow`` (or anything with the same attributes)."""
    return build_row(
        reg.ref,
        reg.title,
        reg.annex,
        reg.owner,
        score=reg.current_score,
        rag=reg.rag,
        direction=reg.direction,
        last_update=reg.last_action_update,
        flags=reg.flags,
        reviewed=reviewed,
        likelihood=reg.current_likelihood,
        impact=reg.current_impact,
        previous_score=reg.previous_score,
        missing=reg.status == "missing",
    )


def agenda_key(row: RiskRow) -> tuple[int, int, int, str]:
    """Agenda order: section, then the first flag (stale first), highest score, ref."""
    return (row.section, row.rank, -(row.score or 0), row.ref)


def agenda_order(rows: Iterable[RiskRow]) -> list[RiskRow]:
    return sorted(rows, key=agenda_key)


def matches(row: RiskRow, tokens: Sequence[str]) -> bool:
    hay = row.haystack
    return all(t in hay for t in tokens)


def filter_rows(rows: Sequence[RiskRow], query: str) -> list[RiskRow]:
    """Rows whose text, annex, owner or flags contain every word of ``query``."""
    tokens = query.lower().split()
    if not tokens:
        return list(rows)
    if len(tokens) == 1:
        t = tokens[0]
        return [r for r in rows if t in r.haystack]
    return [r for r in rows if all(t in r.haystack for t in tokens)]
