"""The NEC early warning register's vocabulary: an early warning, its actions, its status.

Clause 15 of an NEC4 contract: either party notifies a matter that could raise the
Prices, delay Completion or a Key Date, or impair performance; early warning (risk
reduction) meetings decide actions and which matters to remove; a matter may become a
compensation event (CE). The register the parties keep holds, per early warning: its
reference, the date notified, who notified it, the matter, the contract risk it is
linked to, the actions to avoid or reduce it (owner and date), the meeting that last
considered it and its decision, the status (open / removed / compensation event) and
the CE reference. It carries no likelihood or impact.

Pure models and words - no I/O. ``ingest`` builds these from a register export,
``ew_register`` cross-references them with the risk register.
"""

from __future__ import annotations

import re
from datetime import date
from enum import StrEnum

from pydantic import BaseModel, Field

from riskboard.flag_details import UnreadableCell


class EwStatus(StrEnum):
    OPEN = "open"
    REMOVED = "removed"
    COMPENSATION_EVENT = "compensation event"


EW_STATUS_LABELS: dict[EwStatus, str] = {
    EwStatus.OPEN: "Open",
    EwStatus.REMOVED: "Removed",
    EwStatus.COMPENSATION_EVENT: "Compensation event",
}

# how registers write the status; matched on the text's words (case, punctuation and
# spacing ignored). Anything else is a value that could not be read.
_STATUS_WORDS: dict[str, EwStatus] = {
    **dict.fromkeys(
        ("open", "live", "active", "current", "new", "ongoing", "kept open", "keep open",
         "remains open", "remain open", "still open", "reopened", "re opened", "notified",
         "raised", "under review"),
        EwStatus.OPEN,
    ),
    **dict.fromkeys(
        ("removed", "remove", "closed", "close", "withdrawn", "resolved", "avoided",
         "no longer applies", "not required", "closed removed", "removed closed",
         "removed from register", "cancelled"),
        EwStatus.REMOVED,
    ),
    **dict.fromkeys(
        ("ce", "compensation event", "became ce", "became a ce", "became compensation event",
         "became a compensation event", "converted to ce", "converted to compensation event",
         "notified as ce", "notified as a ce", "notified as compensation event",
         "ce notified", "now ce", "now a ce", "closed ce", "closed compensation event",
         "closed became ce", "compensation event notified"),
        EwStatus.COMPENSATION_EVENT,
    ),
}  # fmt: skip
_WORDS = re.compile(r"[^\W_]+")


def status_key(text: str) -> str:
    return " ".join(_WORDS.findall(text.casefold()))


def normalise_ew_status(text: str | None) -> EwStatus | None:
    """ "Open", "Removed", "Closed - removed", "Became CE" -> the status; None when the
    text is not one of the words registers use (the caller says it could not be read)."""
    if not text or not text.strip():
        return None
    return _STATUS_WORDS.get(status_key(text))


_REF_SPLIT = re.compile(r"\s*(?:[,;/\n]|\band\b|&)\s*", re.IGNORECASE)


# what officers type for "none" in a reference column: no reference at all (never the
# refs "N" and "A")
_NO_REF = frozenset({"n/a", "n.a.", "na", "none", "nil", "no", "-", "--", "tbc", "tba",
                     "not applicable", "not known", "n/k", "?"})  # fmt: skip


def split_refs(text: str | None) -> list[str]:
    """The references a cell names: "HM-001", "HM-001, HM-004", "EW-3 / EW-7", one per
    line ("EW-1" newline "EW-2", also when the reader gave it as "EW-1 EW-2": words each
    holding a digit are separate references, while "EW 4" is one). "N/A", "None",
    "TBC", "-" ... name none."""
    if not text or " ".join(text.split()).casefold() in _NO_REF:
        return []
    out: list[str] = []
    for part in (p.strip() for p in _REF_SPLIT.split(text)):
        if not part or part.casefold() in _NO_REF:
            continue
        words = part.split()
        if len(words) > 1 and all(any(ch.isdigit() for ch in w) for w in words):
            out.extend(words)
        else:
            out.append(part)
    return out


class EwAction(BaseModel):
    """One action of an early warning, as the register lists it."""

    ew_ref: str
    action_ref: str | None = None
    text: str | None = None
    owner: str | None = None
    due: date | None = None
    progress: str | None = None
    last_updated: date | None = None
    status: str | None = None
    source_sheet: str | None = None
    source_row: int | None = None


class EarlyWarning(BaseModel):
    """One early warning as a register export gave it for one month (a snapshot)."""

    ref: str  # the EW reference as the register writes it
    date_notified: date | None = None
    notified_by: str | None = None  # the Contractor, the Service / Project Manager, ...
    description: str | None = None  # the matter
    linked_risk: str | None = None  # the contract risk(s) named, as written
    meeting_date: date | None = None  # the early warning meeting that last considered it
    decision: str | None = None  # that meeting's decision, as written
    status: str | None = None  # an EwStatus value; None: blank or could not be read
    compensation_event_ref: str | None = None
    source_sheet: str | None = None
    source_row: int | None = None
    actions: list[EwAction] = Field(default_factory=list)
    # cells of this early warning (and its actions) that could not be read
    unreadable: list[UnreadableCell] = Field(default_factory=list)

    @property
    def ew_status(self) -> EwStatus:
        """Open unless the register says removed or compensation event: a status left
        blank (or that could not be read) keeps the matter in front of the board."""
        try:
            return EwStatus(self.status) if self.status else EwStatus.OPEN
        except ValueError:
            return EwStatus.OPEN

    def is_open(self) -> bool:
        return self.ew_status == EwStatus.OPEN

    def linked_refs(self) -> list[str]:
        return split_refs(self.linked_risk)


class EwDecisionKind(StrEnum):
    """What an early warning meeting decides about a matter (NEC4 clause 15.2)."""

    KEEP_OPEN = "keep_open"
    REMOVE = "remove"
    COMPENSATION_EVENT = "compensation_event"


DECISION_LABELS: dict[EwDecisionKind, str] = {
    EwDecisionKind.KEEP_OPEN: "Keep open",
    EwDecisionKind.REMOVE: "Remove",
    EwDecisionKind.COMPENSATION_EVENT: "Became a compensation event",
}
# the register's status once the decision is applied (the revised register)
STATUS_AFTER: dict[EwDecisionKind, EwStatus] = {
    EwDecisionKind.KEEP_OPEN: EwStatus.OPEN,
    EwDecisionKind.REMOVE: EwStatus.REMOVED,
    EwDecisionKind.COMPENSATION_EVENT: EwStatus.COMPENSATION_EVENT,
}


def decision_words(kind: str, reason: str | None = None, ce_ref: str | None = None) -> str:
    """ "Remove: the works are complete", "Became a compensation event (CE-012)"."""
    try:
        text = DECISION_LABELS[EwDecisionKind(kind)]
    except ValueError:
        text = kind
    if ce_ref:
        text += f" ({ce_ref})"
    if reason:
        text += f": {reason}"
    return text
