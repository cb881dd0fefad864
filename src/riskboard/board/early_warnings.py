"""Early warnings at the board: the meeting's "Early warnings" item and its decisions.

NEC4 clause 15: an early warning meeting decides the actions to avoid or reduce each
matter, who takes them, and which matters are removed from the register; a matter may
become a compensation event. Here the board records, for each early warning, one
decision per meeting - keep open, remove (with the reason) or became a compensation
event (with the CE reference) - through the same audited step as every other decision
(``board.txn``: quorate, not closed, one transaction, one audit row). Actions on an
early warning are ordinary actions arising (``board.add_action(..., ew_ref=)``),
numbered in the one action log. A second decision on the same early warning at the
same meeting amends the first (audited as such).

The item lists the early warnings new since the last meeting first, then the other open
ones (``agenda_early_warnings``).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any, NamedTuple

import sqlite_utils
from pydantic import BaseModel, ConfigDict

from riskboard.board.actions import action_log, actions_arising
from riskboard.board.guards import clean, get_meeting
from riskboard.board.models import BoardAction, Meeting
from riskboard.board.txn import Scope, audited
from riskboard.config import Config
from riskboard.domain import ref_key
from riskboard.early_warning import (
    STATUS_AFTER,
    EwDecisionKind,
    EwStatus,
    decision_words,
)
from riskboard.errors import NotFound, Remedy, RiskboardError
from riskboard.ew_register import (
    EwRegisterView,
    EwRow,
    missing_early_warnings,
    new_since_last_meeting,
    view,
)
from riskboard.store import early_warnings as store
from riskboard.store import meetings as board_store
from riskboard.store.register import now_iso

_DECISION_WORDS: dict[str, EwDecisionKind] = {
    "keep": EwDecisionKind.KEEP_OPEN,
    "keep open": EwDecisionKind.KEEP_OPEN,
    "keep_open": EwDecisionKind.KEEP_OPEN,
    "open": EwDecisionKind.KEEP_OPEN,
    "remove": EwDecisionKind.REMOVE,
    "removed": EwDecisionKind.REMOVE,
    "ce": EwDecisionKind.COMPENSATION_EVENT,
    "compensation event": EwDecisionKind.COMPENSATION_EVENT,
    "compensation_event": EwDecisionKind.COMPENSATION_EVENT,
}


def parse_ew_decision(text: str) -> EwDecisionKind:
    kind = _DECISION_WORDS.get(" ".join((text or "").lower().replace("-", " ").split()))
    if kind is None:
        raise RiskboardError(
            f"unknown early warning decision {text!r}: keep open, remove (with a reason) or"
            " compensation event (with the CE reference)"
        )
    return kind


class EwDecision(BaseModel):
    """What a meeting decided on one early warning, with the early warning as it stood."""

    model_config = ConfigDict(frozen=True)

    id: int
    meeting_id: int
    ew_ref: str
    decision: EwDecisionKind
    reason: str | None = None
    ce_ref: str | None = None
    ew_month: str | None = None  # the register it was decided against
    ew_description: str | None = None
    ew_status: str | None = None  # the register's status when decided
    ew_linked_risk: str | None = None
    ew_date_notified: date | None = None
    created_at: str
    updated_at: str

    @property
    def status_after(self) -> EwStatus:
        return STATUS_AFTER[self.decision]

    @property
    def words(self) -> str:
        return decision_words(self.decision, self.reason, self.ce_ref)


def _decision(row: Mapping[str, Any]) -> EwDecision:
    return EwDecision.model_validate({k: v for k, v in row.items() if k in EwDecision.model_fields})


class BoardEarlyWarning(NamedTuple):
    """An early warning as the board decides it: the register standing for the board
    month, else - missing from it, open when last seen - its last known entry."""

    ref: str
    snapshot: dict[str, Any]
    month: str  # the register month the snapshot comes from


def board_early_warning(db: sqlite_utils.Database, meeting: Meeting, ref: str) -> BoardEarlyWarning:
    """The snapshot the board decides ``ref`` against; a clear refusal for an early
    warning on no register, or removed / a compensation event when last seen."""
    ref = (ref or "").strip()
    if not ref:
        raise RiskboardError("an early warning reference is needed")
    ew_month = store.ew_month_for(db, meeting.month)
    if ew_month is None:
        raise NotFound(
            f"no early warning register imported for {meeting.month} or before: the board"
            f" has no early warning {ref!r} to decide",
            hint="import the early warning register export: `riskboard import FILE`",
        )
    row = store.ew_snapshot(db, ew_month, ref)
    if row is not None:
        return BoardEarlyWarning(row["ref"], row, ew_month)
    last = store.last_ew_snapshot_before(db, ew_month, ref)
    if last is not None:
        if last["status"] in (EwStatus.REMOVED, EwStatus.COMPENSATION_EVENT):
            raise RiskboardError(
                f"early warning {last['ref']} was {last['status']} in the {last['month']}"
                f" register and is not in the {ew_month} one: there is nothing to decide"
            )
        return BoardEarlyWarning(last["ref"], last, last["month"])
    refs = store.ew_refs_of_month(db, ew_month)
    close = difflib.get_close_matches(ref.upper(), [r.upper() for r in refs], n=3, cutoff=0.6)
    by_upper = {r.upper(): r for r in refs}
    hint = (
        f"did you mean {', '.join(by_upper[c] for c in close)}?"
        if close
        else f"`riskboard ew list --month {meeting.month}` lists them"
    )
    raise NotFound(
        f"unknown early warning {ref!r}: not in the {ew_month} early warning register"
        f" ({len(refs)} early warnings) nor in any earlier one",
        hint=hint,
    )


def decide_early_warning(
    db: sqlite_utils.Database,
    meeting_id: int,
    ref: str,
    *,
    decision: str | EwDecisionKind,
    reason: str | None = None,
    ce_ref: str | None = None,
    expected: Mapping[str, Any] | None = None,
    actor: str | None = None,
    override: str | None = None,
) -> EwDecision:
    """Record the meeting's decision on early warning ``ref``: keep open, remove (needs
    ``reason``) or became a compensation event (needs ``ce_ref``, letters, digits, "-",
    "/" and spaces). A decision the contractor's register contradicts - keeping open or
    a CE on one it shows Removed, keeping open or removing one it shows a compensation
    event, a CE ref other than the register's - is refused naming the register's status
    and CE ref, unless ``override`` says why (audited with the decision). Again at the same
    meeting: the decision is amended. ``expected`` (decision, reason, ce_ref as the face
    showed them) refuses a change based on values changed elsewhere (``ConflictError``).
    Business: the meeting must be in progress and quorate. One transaction, one audit
    row. Raises RiskboardError for a missing reason or CE ref, NotFound for an early
    warning on no register."""
    kind = decision if isinstance(decision, EwDecisionKind) else parse_ew_decision(decision)
    why = clean(reason)
    ce = clean(ce_ref)
    if kind == EwDecisionKind.REMOVE and why is None:
        raise RiskboardError(
            f"removing early warning {ref} needs a reason (minuted and issued with the"
            " revised register)",
            remedy=Remedy.GIVE_FIELDS,
            fields=("reason",),
        )
    if kind == EwDecisionKind.COMPENSATION_EVENT and ce is None:
        raise RiskboardError(
            f"early warning {ref} became a compensation event: its CE reference is needed",
            remedy=Remedy.GIVE_FIELDS,
            fields=("ce_ref",),
        )
    if kind != EwDecisionKind.COMPENSATION_EVENT and ce is not None:
        raise RiskboardError("a CE reference goes only with a compensation event decision")
    if ce is not None and not CE_REF_PATTERN.fullmatch(ce):
        raise RiskboardError(
            f"CE reference {ce!r} is not a reference: use letters, digits, '-', '/' and"
            " spaces, starting with a letter or digit (e.g. CE-012), at most 40 characters",
            remedy=Remedy.GIVE_FIELDS,
            fields=("ce_ref",),
        )
    why_override = clean(override)
    with audited(db, meeting_id, Scope.BUSINESS, actor=actor) as step:
        meeting = step.meeting
        assert meeting is not None
        ew = board_early_warning(db, meeting, ref)
        conflict = register_conflict(ew, kind, ce)
        if conflict is not None and why_override is None:
            raise RiskboardError(
                conflict,
                hint="if the board means it, say why with --override REASON (audited); the"
                " revised register shows the board's decision beside the register's",
            )
        values = {"decision": kind.value, "reason": why, "ce_ref": ce}
        before = step.track(
            "early_warning_decision",
            f"{meeting_id}:{ew.ref}",
            lambda: store.decision_row(db, meeting_id, ew.ref),
            expected=_shown(expected),
            wanted=values,
            subject=f"the decision on early warning {ew.ref}",
            labels={"ce_ref": "CE reference"},
        )
        now = now_iso()
        snap = ew.snapshot
        if before is None:
            new_id = board_store.insert(
                db,
                "ew_decisions",
                {
                    "meeting_id": meeting_id,
                    "ew_ref": ew.ref,
                    **values,
                    "ew_month": ew.month,
                    "ew_description": snap.get("description"),
                    "ew_status": snap.get("status"),
                    "ew_linked_risk": snap.get("linked_risk"),
                    "ew_date_notified": snap.get("date_notified"),
                    "created_at": now,
                    "updated_at": now,
                },
            )
            change = f"early warning {ew.ref}: {decision_words(kind, why, ce)}"
        else:
            if {k: before[k] for k in values} == values:
                step.unchanged()
                return _decision(before)
            new_id = before["id"]
            board_store.update(db, "ew_decisions", {"id": new_id}, {**values, "updated_at": now})
            change = f"early warning {ew.ref} decision amended: {decision_words(kind, why, ce)}"
        if conflict is not None:
            change += f" - overriding the register ({conflict}): {why_override}"
            step.extra = {"override": why_override, "register": conflict}
        after = step.record(change, read=lambda: store.decision_row_by_id(db, new_id))
        assert after is not None
    return _decision(after)


CE_REF_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9 /-]{0,39}")


def register_conflict(ew: BoardEarlyWarning, kind: EwDecisionKind, ce: str | None) -> str | None:
    """What in the contractor's register the decision contradicts (None: nothing):
    re-opening or a CE on a Removed early warning; keeping open or removing a
    compensation event; a CE ref other than the register's."""
    status = ew.snapshot.get("status")
    reg_ce = ew.snapshot.get("compensation_event_ref")
    where = f"the {ew.month} register"
    if status == EwStatus.REMOVED and kind != EwDecisionKind.REMOVE:
        what = (
            "keeping it open would re-open it"
            if kind == EwDecisionKind.KEEP_OPEN
            else ("a compensation event decision would revive it")
        )
        return f"early warning {ew.ref} is Removed in {where}: {what}"
    if status == EwStatus.COMPENSATION_EVENT:
        on = f" ({reg_ce})" if reg_ce else ""
        if kind == EwDecisionKind.KEEP_OPEN:
            return (
                f"early warning {ew.ref} is a Compensation event{on} in {where}: keeping it"
                " open would re-open it"
            )
        if kind == EwDecisionKind.REMOVE:
            return (
                f"early warning {ew.ref} is a Compensation event{on} in {where}: removing"
                " it would drop the compensation event"
            )
        if reg_ce and ce and ref_key(reg_ce) != ref_key(ce):
            return f"early warning {ew.ref} is compensation event {reg_ce} in {where}, not {ce}"
    return None


def _shown(expected: Mapping[str, Any] | None) -> dict[str, Any] | None:
    if not expected:
        return None
    out: dict[str, Any] = {}
    for name, value in expected.items():
        if name == "decision":
            out[name] = parse_ew_decision(str(value)).value if value else None
        else:
            out[name] = clean(str(value)) if value is not None else None
    return out


# ----------------------------------------------------------------------------- reads


def ew_decisions(db: sqlite_utils.Database, meeting_id: int) -> list[EwDecision]:
    """The decisions a meeting recorded on early warnings, in the order taken."""
    get_meeting(db, meeting_id)
    return [_decision(r) for r in store.decision_rows(db, meeting_id=meeting_id)]


def ew_decision(db: sqlite_utils.Database, meeting_id: int, ref: str) -> EwDecision | None:
    key = (ref or "").strip()
    for d in ew_decisions(db, meeting_id):
        if d.ew_ref.casefold() == key.casefold():
            return d
    return None


class EwAgendaStatus(BaseModel):
    """The agenda line of the "Early warnings" item, read cheaply (no risk register)."""

    ew_month: str | None
    new: int = 0
    open: int = 0
    decided: int = 0
    listed: int = 0  # the early warnings the item takes (new, open or decided here)

    @property
    def done(self) -> bool:
        """Every early warning the item takes has a decision."""
        return self.listed > 0 and self.decided >= self.listed

    def line(self) -> str:
        if self.ew_month is None:
            return f"no register · {self.decided} done"
        return f"{self.new} new · {self.open} open · {self.decided} done"


def agenda_status(db: sqlite_utils.Database, meeting_id: int) -> EwAgendaStatus | None:
    """How the meeting's early warnings item stands; None when there is no early
    warning register for its board month and it decided none (no item then)."""
    meeting = get_meeting(db, meeting_id)
    decided = {d.ew_ref for d in ew_decisions(db, meeting_id)}
    ew_month = store.ew_month_for(db, meeting.month)
    if ew_month is None:
        return EwAgendaStatus(ew_month=None, decided=len(decided)) if decided else None
    ews = store.load_early_warnings(db, ew_month)
    is_new = new_since_last_meeting(db, ew_month, meeting_id)
    listed = [e for e in ews if is_new(e) or e.is_open() or e.ref in decided]
    # open ones left off the register (listed from their last entry)
    listed += [
        e for e, _ in missing_early_warnings(db, meeting.month, ew_month, meeting_id).values()
    ]
    return EwAgendaStatus(
        ew_month=ew_month,
        new=sum(1 for e in ews if is_new(e)),
        open=sum(1 for e in listed if e.is_open()),
        decided=sum(1 for e in listed if e.ref in decided),
        listed=len(listed),
    )


class EwAgenda(BaseModel):
    """The meeting's "Early warnings" item."""

    ew_view: EwRegisterView  # the register standing for the board month
    rows: list[EwRow]  # new since the last meeting first, then the other open ones
    decisions: dict[str, EwDecision]  # EW ref -> this meeting's decision
    due: date  # when the revised register must be issued (meeting date + N days)
    # ref_key(EW ref) -> the board's actions on it still open (``live_ew_actions``)
    actions: dict[str, list[BoardAction]] = {}

    def actions_on(self, ref: str) -> list[BoardAction]:
        return self.actions.get(ref_key(ref), [])

    @property
    def new_count(self) -> int:
        return sum(1 for r in self.rows if r.new)

    @property
    def open_count(self) -> int:
        return sum(1 for r in self.rows if r.is_open)

    @property
    def decided_count(self) -> int:
        return sum(1 for r in self.rows if r.ref in self.decisions)

    def status_line(self) -> str:
        return EwAgendaStatus(
            ew_month=self.ew_view.ew_month,
            new=self.new_count,
            open=self.open_count,
            decided=self.decided_count,
            listed=len(self.rows),
        ).line()


def register_due(meeting: Meeting, config: Config) -> date:
    """The date the revised early warning register is due: as frozen when the meeting
    closed, else the meeting date plus ``[early_warnings] register_due_days`` (NEC4
    15.2: within one week)."""
    if meeting.ew_register_due is not None:
        return meeting.ew_register_due
    return meeting.meeting_date + timedelta(days=register_due_days(meeting, config))


def register_due_days(meeting: Meeting, config: Config) -> int:
    """The days after the meeting the revised register is due: as frozen at the close,
    else as configured now."""
    if meeting.ew_register_due_days is not None:
        return meeting.ew_register_due_days
    return config.early_warnings.register_due_days


def agenda_early_warnings(db: sqlite_utils.Database, meeting_id: int, config: Config) -> EwAgenda:
    """The early warnings the meeting takes: those new since the last meeting first
    (whatever their status), then the other open ones, each in reference order; any
    early warning this meeting has decided stays listed."""
    meeting = get_meeting(db, meeting_id)
    register = view(db, meeting.month, config, meeting_id=meeting_id)
    decisions = {d.ew_ref: d for d in ew_decisions(db, meeting_id)}
    new = [r for r in register.rows if r.new]
    rest = [r for r in register.rows if not r.new and (r.is_open or r.ref in decisions)]
    return EwAgenda(
        ew_view=register,
        rows=new + rest,
        decisions=decisions,
        due=register_due(meeting, config),
        actions=live_ew_actions(db, meeting_id),
    )


def live_ew_actions(db: sqlite_utils.Database, meeting_id: int) -> dict[str, list[BoardAction]]:
    """{ref_key(EW ref): actions} - the board's actions on each early warning still open
    at the end of (or so far in) the meeting: raised there or carried from an earlier
    meeting, in number order. An action stays on the revised register until closed or
    withdrawn."""
    live = [e.action for e in action_log(db, meeting_id) if e.action.live]
    live += [a for a in actions_arising(db, meeting_id) if a.live]
    out: dict[str, list[BoardAction]] = {}
    for a in sorted(live, key=lambda a: a.number):
        if a.ew_ref:
            out.setdefault(ref_key(a.ew_ref), []).append(a)
    return out


def decisions_for_record(db: sqlite_utils.Database, meeting_id: int) -> list[dict[str, Any]]:
    """The meeting record's ``early_warnings`` part: each decision as JSON."""
    return [d.model_dump(mode="json") for d in ew_decisions(db, meeting_id)]


def ew_decision_history(db: sqlite_utils.Database, ref: str) -> list[EwDecision]:
    """Every decision the board recorded on early warning ``ref``, oldest first."""
    key = (ref or "").strip().casefold()
    return [_decision(r) for r in store.decision_rows(db) if r["ew_ref"].casefold() == key]


__all__ = [
    "BoardEarlyWarning",
    "EwAgenda",
    "EwAgendaStatus",
    "EwDecision",
    "agenda_status",
    "agenda_early_warnings",
    "board_early_warning",
    "decide_early_warning",
    "decisions_for_record",
    "ew_decision",
    "ew_decision_history",
    "ew_decisions",
    "live_ew_actions",
    "parse_ew_decision",
    "register_due",
    "register_due_days",
]
