"""Cell values -> field values: text, references, scores, money, statuses.

Each converter takes a raw cell (calamine gives '' for an empty cell, floats for
numbers) and returns the field value, ``None`` for blank, or raises ValueError with
a short reason - the caller turns that into a warning naming sheet, row and column.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any, Literal

from riskboard.domain import (
    mentions_strategy,
    normalise_action_status,
    normalise_strategy,
    strip_invisible,
)
from riskboard.safe_text import strip_controls

# cell text that means "nothing here" in a number or date column
BLANK_WORDS = frozenset(
    {"n/a", "na", "n.a.", "-", "--", "none", "nil", "tbc", "tbd", "not applicable", "not known",
     "unknown", "not quantified", "nk", "?"}
)  # fmt: skip
NO_ACTION_WORDS = frozenset({"n/a", "na", "none", "-", "--", "nil", "no action", "no actions"})

RISK_STATUS_WORDS: dict[str, str] = {
    "open": "open", "live": "open", "active": "open", "current": "open", "new": "open",
    "ongoing": "open", "opened": "open", "reopened": "open", "re-opened": "open",
    "closed": "closed", "close": "closed", "archived": "closed", "retired": "closed",
    "inactive": "closed", "withdrawn": "closed", "expired": "closed", "superseded": "closed",
}  # fmt: skip
_ACTION_ONLY_WORDS = frozenset(
    {"in progress", "in-progress", "complete", "completed", "not started", "underway",
     "done", "on track", "started", "overdue", "outstanding", "implemented", "planned"}
)  # fmt: skip


def to_text(value: Any) -> str | None:
    """A cell as trimmed text; numbers lose a trailing .0; blank gives None."""
    tv = type(value)
    if tv is str:
        s: str = value.strip()
        if not s.isprintable():  # control characters (ESC, BEL...) never get stored
            s = strip_controls(s).strip()
        return s or None
    if value is None:
        return None
    if tv is float:
        return str(int(value)) if value.is_integer() else repr(value)
    if tv is bool:
        return "Yes" if value else "No"
    if tv is datetime:
        return (
            value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat()
        )
    if tv is date:
        return value.isoformat()  # type: ignore[no-any-return]
    return str(value).strip() or None


def to_ref(value: Any) -> str | None:
    """A risk or action reference: zero-width characters, BOM and soft hyphens dropped,
    NBSP made a space, trimmed, inner runs of whitespace made one space."""
    text = to_text(value)
    if text is None:
        return None
    return " ".join(strip_invisible(text).split()) or None


_MONEY = re.compile(r"^\(?-?\d+(?:\.\d+)?\)?(k|m|bn|thousand|million)?$")
_SCALE = {"k": 1e3, "thousand": 1e3, "m": 1e6, "million": 1e6, "bn": 1e9}


def to_money(value: Any) -> float | None:
    """A GBP amount: 250000, "£250,000", "£1.2m", "250k", "(5,000)"."""
    tv = type(value)
    if tv is float or tv is int:
        return float(value)
    if tv is str:
        t = value.strip().casefold()
        if not t or t in BLANK_WORDS:
            return None
        compact = re.sub(r"[£,\s]|gbp", "", t)
        m = _MONEY.match(compact)
        if not m:
            raise ValueError(f"{value.strip()!r} is not an amount")
        scale = _SCALE.get(m.group(1) or "", 1.0)
        number = float(re.sub(r"[()a-z]", "", compact))
        if compact.startswith("("):
            number = -number
        return number * scale
    if value is None:
        return None
    raise ValueError(f"{value!r} is not an amount")


_STATUS_NEGATIONS = frozenset({"not", "no", "non", "never", "un"})
# words that make a status a proposal or a doubt, not the status: "Closed (pending)",
# "Proposed for closure", "Closed subject to approval"
_STATUS_DOUBTS = frozenset(
    {"pending", "proposed", "propose", "proposal", "awaiting", "await", "requested",
     "request", "recommended", "recommend", "subject", "tbc", "tbd", "provisional", "draft",
     "suggested", "potential", "possibly", "expected", "intended", "until", "unless", "if",
     "once", "candidate", "approval", "agreed-in-principle"}
)  # fmt: skip


def _status_doubt(text: str) -> str | None:
    """Why a status with a note cannot be taken as the status its first word names."""
    words = re.findall(r"[a-z]+(?:-[a-z]+)?", text.casefold())
    if "?" in text:
        return f"{text!r} is a question, not a risk status"
    doubts = [w for w in words if w in _STATUS_DOUBTS]
    if doubts or "to be" in " ".join(words):
        return (
            f"{text!r} is a proposal, not a risk status ({(doubts or ['to be'])[0]!r}):"
            " open or closed is not read for certain"
        )
    said = {RISK_STATUS_WORDS[w] for w in words if w in RISK_STATUS_WORDS}
    if len(said) > 1:
        return f"{text!r} names both open and closed: the risk status is not read for certain"
    return None


def _names_status(text: str) -> bool:
    """Whether text uses a risk-status word at all ("Closed (pending)", "Open?")."""
    return any(w in RISK_STATUS_WORDS for w in re.findall(r"[a-z]+(?:-[a-z]+)?", text))


def _status_with_note(text: str) -> str | None:
    """ "Closed - transferred" -> closed, "Open - escalated" -> open; None otherwise
    (also "Closed (pending)", "Closed?", "Closed - reopened": see ``_status_doubt``)."""
    words = re.findall(r"[a-z]+(?:-[a-z]+)?", text.casefold())
    if not words or words[0] not in RISK_STATUS_WORDS or not _STATUS_NEGATIONS.isdisjoint(words):
        return None
    return RISK_STATUS_WORDS[words[0]] if _status_doubt(text) is None else None


def risk_status(value: Any) -> str | None:
    """ "Open"/"Live" -> open, "Closed"/"Archived" -> closed, and those words followed by
    a note ("Closed - transferred to HM-012", "Closed (merged)", "Open - escalated").
    Anything else raises ValueError: "Dormant", "N/A", "Treat", "Not closed", a question
    ("Closed?"), a proposal ("Closed (pending)", "Proposed for closure") or both words
    ("Closed - reopened"). A status the import cannot read is shown to the board, never
    taken as open or closed without a word."""
    text = to_text(value)
    if text is None:
        return None
    found = RISK_STATUS_WORDS.get(text.casefold())
    if found is not None:
        return found
    found = _status_with_note(text)
    if found is not None:
        return found
    doubt = _status_doubt(text)
    if doubt is not None:
        raise ValueError(doubt)
    if normalise_strategy(text) is not None:
        raise ValueError(f"{text!r} is a strategy, not a risk status (open or closed)")
    raise ValueError(
        f"{text!r} is not a risk status riskboard knows: it reads open (Open, Live, Active)"
        " or closed (Closed, Archived, Withdrawn...)"
    )


def action_status(value: Any) -> str | None:
    text = to_text(value)
    return normalise_action_status(text) if text else None


def strategy(value: Any) -> tuple[str | None, str | None]:
    """(normalised strategy or None, text as written or None)."""
    text = to_text(value)
    if text is None:
        return None, None
    found = normalise_strategy(text)
    return (found.value if found else None), text


StatusKind = Literal["status", "strategy", "action_status"]


def classify_status_column(values: Iterable[Any], *, has_actions: bool) -> StatusKind:
    """What a column headed "Status" really holds, decided by its values: risk status
    (Open/Closed), a 4T strategy (some councils call the 4T the "risk status"), or -
    on a sheet with action columns - the action status (In progress/Complete)."""
    counts: Counter[str] = Counter()
    # each distinct cell once (keyed by type too: True == 1.0 but reads as "Yes")
    cells = values if isinstance(values, list) else list(values)
    for (_, v), n in Counter(zip(map(type, cells), cells, strict=True)).items():
        t = to_text(v)
        if t:
            counts[t.casefold()] += n
    status = strat = action = 0
    for t, n in counts.items():
        if t in RISK_STATUS_WORDS or _status_with_note(t) or _names_status(t):
            status += n
        elif t in _ACTION_ONLY_WORDS:
            action += n
        elif normalise_strategy(t) is not None or mentions_strategy(t):
            strat += n
    if strat > status and strat >= action:
        return "strategy"
    if has_actions and action > 0 and action >= status:
        return "action_status"
    return "status"
