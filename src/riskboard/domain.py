"""Domain vocabulary: enums and pydantic models shared by every service.

Scores are likelihood x impact on 1-5 scales (1-25). RAG bands come from config.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field, SkipValidation

from riskboard.flag_details import FlagDetail, UnreadableCell


class Strategy(StrEnum):
    ACCEPT = "accept"
    TOLERATE = "tolerate"
    TREAT = "treat"
    TRANSFER = "transfer"
    TERMINATE = "terminate"


_STRATEGY_WORDS: dict[str, Strategy] = {
    "accept": Strategy.ACCEPT,
    "accepted": Strategy.ACCEPT,
    "retain": Strategy.ACCEPT,
    "retained": Strategy.ACCEPT,
    "tolerate": Strategy.TOLERATE,
    "tolerated": Strategy.TOLERATE,
    "treat": Strategy.TREAT,
    "treated": Strategy.TREAT,
    "reduce": Strategy.TREAT,
    "reduced": Strategy.TREAT,
    "mitigate": Strategy.TREAT,
    "mitigated": Strategy.TREAT,
    "transfer": Strategy.TRANSFER,
    "transferred": Strategy.TRANSFER,
    "share": Strategy.TRANSFER,
    "shared": Strategy.TRANSFER,
    "insure": Strategy.TRANSFER,
    "insured": Strategy.TRANSFER,
    "terminate": Strategy.TERMINATE,
    "terminated": Strategy.TERMINATE,
    "avoid": Strategy.TERMINATE,
    "avoided": Strategy.TERMINATE,
}


# a strategy said not to apply ("Not accepted", "Do not tolerate", "Transfer not possible")
_NEGATIONS = frozenset(
    {"not", "no", "non", "nor", "never", "cannot", "can't", "cant", "don't", "dont", "won't",
     "unable", "without", "rejected", "declined", "impossible"}
)  # fmt: skip
# words that make a strategy a proposal, a doubt or a thing of the past ("Proposed
# transfer", "Transfer pending", "Tolerate (TBC)", "Formerly treat"): not the strategy
_STRATEGY_DOUBTS = frozenset(
    {"pending", "proposed", "propose", "proposal", "tbc", "tbd", "tba", "formerly",
     "previously", "was", "were", "option", "options", "considered", "considering",
     "possible", "possibly", "potential", "maybe", "perhaps", "abandoned", "withdrawn",
     "ceased", "stopped", "superseded", "refused", "awaiting", "subject", "draft",
     "provisional", "suggested", "recommended", "unsure", "unclear", "undecided"}
)  # fmt: skip
# two words for holding a risk as it is: "Tolerate (accept)" says one thing
_HOLD = frozenset({Strategy.ACCEPT, Strategy.TOLERATE})


def normalise_strategy(text: str | None) -> Strategy | None:
    """Map free text ("Reduce", "TREAT - mitigate", "Insured") to a Strategy, else None.

    None too when the text negates a strategy ("Not accepted", "Transfer not possible"),
    doubts or proposes one ("Treat?", "Transfer pending", "Proposed transfer", "Formerly
    treat"), or names two ("Treat/Transfer", "Tolerate/Treat"): the import keeps such text as
    written and the board sees ``unknown_strategy`` rather than a guess. Accept and
    tolerate together ("Tolerate (accept)") are one strategy: the first word is taken."""
    if not text:
        return None
    words = re.findall(r"[a-z]+(?:'[a-z]+)?", text.lower().replace("\u2019", "'"))
    if not words or not _NEGATIONS.isdisjoint(words) or not _STRATEGY_DOUBTS.isdisjoint(words):
        return None
    if "?" in text:
        return None
    found = [_STRATEGY_WORDS[w] for w in words if w in _STRATEGY_WORDS]
    if not found:
        return None
    kinds = set(found)
    if len(kinds) == 1 or kinds == _HOLD:
        return found[0]
    return None


def mentions_strategy(text: str) -> bool:
    """Whether text uses a strategy word at all, read or not ("Treat?", "Not transfer"):
    what a column of strategies looks like, for telling it from a status column."""
    words = re.findall(r"[a-z]+(?:'[a-z]+)?", text.lower().replace("\u2019", "'"))
    return any(w in _STRATEGY_WORDS for w in words)


class RiskStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class ActionStatus(StrEnum):
    OPEN = "open"
    IN_PROGRESS = "in progress"
    COMPLETE = "complete"


def normalise_action_status(text: str | None) -> str | None:
    if not text:
        return None
    t = text.strip().lower()
    if t in {"complete", "completed", "closed", "done", "finished", "implemented"}:
        return ActionStatus.COMPLETE.value
    if t in {"in progress", "in-progress", "ongoing", "started", "underway", "on track"}:
        return ActionStatus.IN_PROGRESS.value
    if t in {"open", "not started", "new", "planned", "overdue", "outstanding", "due"}:
        return ActionStatus.OPEN.value
    return t


class Organisation(StrEnum):
    CONTRACTOR = "contractor"
    DIRECTORATE = "directorate"
    CORPORATE = "corporate"
    OTHER = "other"


class EscalationTarget(StrEnum):
    DIRECTORATE = "directorate"
    CORPORATE = "corporate"
    OPERATIONS_BOARD = "operations-board"
    STRATEGIC_BOARD = "strategic-board"
    FC_CLUSTER = "fc-cluster"
    CONTRACT = "contract"  # a de-escalation back to the contract register


ESCALATION_TARGET_NAMES: dict[EscalationTarget, str] = {
    EscalationTarget.DIRECTORATE: "Directorate risk register",
    EscalationTarget.CORPORATE: "Corporate risk register",
    EscalationTarget.OPERATIONS_BOARD: "Operations Board",
    EscalationTarget.STRATEGIC_BOARD: "Strategic Partnering Board",
    EscalationTarget.FC_CLUSTER: "Financial & Commercial Cluster Group",
    EscalationTarget.CONTRACT: "Contract risk register (de-escalation)",
}


class FlagCode(StrEnum):
    """Flag codes in the agenda's order: the board sees stale actions first."""

    STALE_ACTION = "stale_action"
    UNREADABLE_VALUE = "unreadable_value"
    NO_STRATEGY = "no_strategy"
    UNKNOWN_STRATEGY = "unknown_strategy"
    NO_ACTION = "no_action"
    OVERDUE_ACTION = "overdue_action"
    SCORE_INCREASED = "score_increased"
    NEW_RISK = "new_risk"
    MISSING_FROM_EXPORT = "missing_from_export"
    ESCALATION_CANDIDATE = "escalation_candidate"
    ACCEPTANCE_LAPSED = "acceptance_lapsed"  # the board's accept/tolerate is past review-by
    # NEC early warnings (``ew_flags``): on a risk, then on an early warning
    NO_EARLY_WARNING = "no_early_warning"  # risk: exposure at/above the threshold, no EW
    # EW: open on an earlier register, absent from this one, not removed by the board
    EW_MISSING = "ew_missing_from_register"
    EW_LINK_MISMATCH = "ew_link_mismatch"  # risk or EW: the two registers disagree
    EW_NO_LINKED_RISK = "ew_no_linked_risk"  # EW: open, no linked risk on the register
    EW_RISK_CLOSED = "ew_risk_closed"  # EW: open while its linked risk is closed
    EW_UNDECIDED = "ew_undecided"  # EW: open longer than N weeks with no decision
    EW_ACTION_OVERDUE = "ew_action_overdue"  # EW: an action past its date


FLAG_ORDER: list[FlagCode] = list(FlagCode)

FLAG_LABELS: dict[FlagCode, str] = {
    FlagCode.STALE_ACTION: "No action update this month",
    FlagCode.UNREADABLE_VALUE: "Value that could not be read",
    FlagCode.NO_STRATEGY: "No strategy",
    FlagCode.UNKNOWN_STRATEGY: "Strategy not one of the five",
    FlagCode.NO_ACTION: "No action",
    FlagCode.OVERDUE_ACTION: "Overdue action",
    FlagCode.SCORE_INCREASED: "Score increased",
    FlagCode.NEW_RISK: "New risk",
    FlagCode.MISSING_FROM_EXPORT: "Missing from this month's export",
    FlagCode.ESCALATION_CANDIDATE: "Escalation candidate",
    FlagCode.ACCEPTANCE_LAPSED: "Board acceptance lapsed",
    FlagCode.NO_EARLY_WARNING: "Exposure with no early warning",
    FlagCode.EW_LINK_MISMATCH: "Early warning link mismatch",
    FlagCode.EW_NO_LINKED_RISK: "Early warning with no risk on the register",
    FlagCode.EW_RISK_CLOSED: "Linked risk closed, early warning open",
    FlagCode.EW_UNDECIDED: "Early warning with no decision",
    FlagCode.EW_ACTION_OVERDUE: "Early warning action overdue",
    FlagCode.EW_MISSING: "Open early warning missing from the register",
}
# the flags an early warning can carry (the risk register's own are the rest); an
# early warning can also carry ``unreadable_value``
EW_FLAGS: frozenset[FlagCode] = frozenset(
    {FlagCode.UNREADABLE_VALUE, FlagCode.EW_LINK_MISMATCH, FlagCode.EW_NO_LINKED_RISK,
     FlagCode.EW_RISK_CLOSED, FlagCode.EW_UNDECIDED, FlagCode.EW_ACTION_OVERDUE,
     FlagCode.EW_MISSING}
)  # fmt: skip
# the flags only an early warning carries: never on a risk
EW_ONLY_FLAGS: frozenset[FlagCode] = EW_FLAGS - {
    FlagCode.UNREADABLE_VALUE,
    FlagCode.EW_LINK_MISMATCH,
}


class Flag(BaseModel):
    model_config = ConfigDict(frozen=True)

    ref: str
    title: str | None = None
    annex: str | None = None
    owner: str | None = None
    flags: list[FlagCode] = Field(default_factory=list)
    # flag code -> its evidence (``flag_details``); worded by ``flag_text``. The models
    # are validated when built (``compute_flags``); not again here: re-checking the
    # union of eight detail types for every flag cost ~0.1 s at 16,000 risks
    details: dict[str, SkipValidation[FlagDetail]] = Field(default_factory=dict)


class Action(BaseModel):
    """One action as exported by IRIS for one month."""

    risk_ref: str
    action_ref: str | None = None
    text: str | None = None
    owner: str | None = None
    due: date | None = None
    progress: str | None = None
    last_updated: date | None = None
    status: str | None = None
    source_sheet: str | None = None
    source_row: int | None = None


class Risk(BaseModel):
    """One risk as exported by IRIS for one month (a snapshot row)."""

    ref: str
    title: str | None = None
    description: str | None = None
    cause: str | None = None
    effect: str | None = None
    annex: str | None = None
    category: str | None = None
    owner: str | None = None
    inherent_likelihood: int | None = None
    inherent_impact: int | None = None
    inherent_score: int | None = None
    current_likelihood: int | None = None
    current_impact: int | None = None
    current_score: int | None = None
    target_likelihood: int | None = None
    target_impact: int | None = None
    target_score: int | None = None
    strategy: str | None = None  # normalised Strategy value, or None
    strategy_text: str | None = None  # as written in the export
    status: str | None = None  # open / closed
    trend: str | None = None
    controls: str | None = None
    exposure: float | None = None
    early_warning_ref: str | None = None
    compensation_event_ref: str | None = None
    source_sheet: str | None = None
    source_row: int | None = None
    actions: list[Action] = Field(default_factory=list)
    # cells of this risk (and its actions) that hold something riskboard could not read
    unreadable: list[UnreadableCell] = Field(default_factory=list)

    def is_closed(self) -> bool:
        return is_closed_status(self.status)


# a risk exported with one of these statuses is closed: never flagged, never on the grid
CLOSED_STATUSES = frozenset({"closed", "archived", "retired"})


def is_closed_status(status: str | None) -> bool:
    """The one test of a closed risk's status text."""
    return (status or "").strip().lower() in CLOSED_STATUSES


# characters a reference may carry that no one means: zero-width space / non-joiner /
# joiner, word joiner, byte order mark, soft hyphen; and NBSP, which is only a space
INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff\u00ad"
_INVISIBLE_OUT = str.maketrans({**dict.fromkeys(INVISIBLE), "\u00a0": " ", "\u202f": " "})
# hyphen, non-breaking hyphen, figure dash, en and em dash, bar, minus, small/full-width
_DASH_KEY = str.maketrans(
    dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d", "-")
)


def strip_invisible(text: str) -> str:
    """``text`` without zero-width characters, BOM and soft hyphens; NBSP made a space."""
    return text if text.isascii() else text.translate(_INVISIBLE_OUT)


def ref_key(ref: str) -> str:
    """What makes two spellings of a reference the same risk: case, spaces, invisible
    characters and the kind of dash do not count ("R-001", "r-001", "R - 001" and "R–001"
    are one risk).
    A register's own spelling is kept for display; this key only matches."""
    key = ref.casefold()
    if not key.isascii():
        key = key.translate(_INVISIBLE_OUT).translate(_DASH_KEY)
    return "".join(key.split()) if (" " in key or "\t" in key or "\n" in key) else key


def uk_date(value: date | str | None, missing: str = "") -> str:
    """A date (or ISO text) as a UK reader expects it: dd/mm/yyyy."""
    if value is None or value == "":
        return missing
    if isinstance(value, str):
        try:
            return date.fromisoformat(value[:10]).strftime("%d/%m/%Y")
        except ValueError:
            return value
    return value.strftime("%d/%m/%Y")


def month_name(month: str | None, missing: str = "") -> str:
    """A board month (YYYY-MM) as people read it: "August 2022" (the text as given if
    it is not a month). The one home of month wording, with ``month_short``."""
    return _month_as(month, "%B %Y", missing)


def month_short(month: str | None, missing: str = "") -> str:
    """A board month (YYYY-MM) in a narrow place: "Aug 2022"."""
    return _month_as(month, "%b %Y", missing)


def _month_as(month: str | None, pattern: str, missing: str) -> str:
    if not month:
        return missing
    try:
        return date(int(month[:4]), int(month[5:7]), 1).strftime(pattern)
    except ValueError:
        return month


def upper_first(text: str) -> str:
    """``text`` with its first letter made a capital and nothing else changed - never
    ``str.capitalize``, which lowercases the rest ("DRR-HW-14" would become "drr-hw-14"):
    typed and exported text keeps its case."""
    return text[:1].upper() + text[1:]


def long_date(d: date | None) -> str:
    """A date as minutes write it: "1 March 2023" ("" if none)."""
    return f"{d.day} {d:%B %Y}" if d else ""


# the strategy as a resolution words it: "that the risk be accepted ..."
STRATEGY_RESOLVED = {
    "accept": "accepted", "tolerate": "tolerated", "treat": "treated",
    "transfer": "transferred", "terminate": "terminated",
}  # fmt: skip


def resolution_text(decision: str | None) -> str | None:
    """A decision as it reads after "RESOLVED:" - the one tidy both the minutes and the
    board's history use: a typed leading "RESOLVED" / "resolved" (and its colon or
    dash) dropped, a full stop added; the words otherwise as typed. None when empty."""
    if not decision or not decision.strip():
        return None
    text = decision.strip()
    if text[:8].upper() == "RESOLVED":
        text = text[8:].lstrip(" :–-").strip()
    if text and text[-1] not in ".!?":
        text += "."
    return text or None


def strategy_resolution(strategy: str | None, review_by: date | None = None) -> str | None:
    """The resolution a strategy decision makes when no words were typed: "that the risk
    be accepted until 31 December 2022." (None without a known strategy)."""
    done = STRATEGY_RESOLVED.get(strategy or "")
    if done is None:
        return None
    until = (
        f" until {long_date(review_by)}" if review_by and strategy in ("accept", "tolerate") else ""
    )
    return f"that the risk be {done}{until}."


def outcome_text(status: str, note: str | None = None, when: str = "") -> str:
    """How the board decided a proposal: "Accepted at meeting 2 (14/09/2022) – service
    director agreed: added to the DRR" (``when`` after the status, the typed note after a
    dash, as typed: never a chain of colons); "Awaiting a decision" while proposed."""
    if status == "proposed":
        return "Awaiting a decision"
    text = upper_first(status) + when
    return f"{text} – {note.strip()}" if note and note.strip() else text


def same_person(a: str | None, b: str | None) -> bool:
    """Whether two typed names are one person: case and spacing aside ("helen  marsh"
    is Helen Marsh) - the chair typed at the start and the attendee marked chair."""
    if not a or not b:
        return False
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


def count_of(n: int, word: str, plural: str | None = None) -> str:
    """``n`` and the word in the number it needs: "1 risk", "2 risks", "0 apologies"
    (``plural`` for the irregular ones: ``count_of(n, "apology", "apologies")``)."""
    return f"{n:,} {word if n == 1 else (plural or word + 's')}"


def local_clock(stamp: str | None, timezone: str = "Europe/London") -> str:
    """An ISO UTC timestamp as the time of day in ``timezone`` (HH:MM), "" if none."""
    if not stamp:
        return ""
    try:
        return datetime.fromisoformat(stamp).astimezone(ZoneInfo(timezone)).strftime("%H:%M")
    except ValueError:
        return ""


def local_stamp(stamp: str | None, timezone: str = "Europe/London") -> str:
    """An ISO UTC timestamp as a UK reader expects it in ``timezone``: "30/11/2026 17:44"
    ("" if none; the text as given if it is not a timestamp)."""
    if not stamp:
        return ""
    try:
        when = datetime.fromisoformat(stamp).astimezone(ZoneInfo(timezone))
    except ValueError:
        return stamp
    return when.strftime("%d/%m/%Y %H:%M")


def local_day(stamp: str | None, timezone: str = "Europe/London") -> date | None:
    """The calendar day of an ISO UTC timestamp in ``timezone``; None if none."""
    if not stamp:
        return None
    try:
        return datetime.fromisoformat(stamp).astimezone(ZoneInfo(timezone)).date()
    except ValueError:
        return None


def revised_due_text(due: date | str | None, revised: date | str | None) -> str:
    """A due date as the action log words it: "due 12/10/2022, revised to 30/09/2022"
    when revised, else "due 12/10/2022" ("no due date" when there is none)."""
    if revised and uk_date(revised) != uk_date(due):
        first = f"due {uk_date(due)}" if due else "no due date"
        return f"{first}, revised to {uk_date(revised)}"
    return f"due {uk_date(due)}" if due else "no due date"
