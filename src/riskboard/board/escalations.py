"""Escalations to the Directorate / Corporate registers and the boards above the
contract (Operations Board, Strategic Partnering Board, Financial & Commercial Cluster
Group), and de-escalations back to the contract register.

An escalation is proposed at a meeting (reason, exposure in GBP, proposed owner) and
later accepted or declined; the decision is recorded at the meeting that hears it, so
each meeting's record shows the escalation as it stood that day.
"""

from __future__ import annotations

import re
from typing import Any

import sqlite_utils

from riskboard.board import holdings
from riskboard.board.guards import board_risk, clean, get_meeting
from riskboard.board.holdings import DEESCALATE, ESCALATE
from riskboard.board.models import Escalation, EscalationStatus
from riskboard.board.txn import Scope, audited
from riskboard.domain import ESCALATION_TARGET_NAMES, EscalationTarget
from riskboard.errors import RiskboardError
from riskboard.store import meetings as store
from riskboard.store.register import now_iso

_TARGET_WORDS: dict[str, EscalationTarget] = {
    "directorate": EscalationTarget.DIRECTORATE,
    "corporate": EscalationTarget.CORPORATE,
    "operations": EscalationTarget.OPERATIONS_BOARD,
    "operationsboard": EscalationTarget.OPERATIONS_BOARD,
    "ops": EscalationTarget.OPERATIONS_BOARD,
    "strategic": EscalationTarget.STRATEGIC_BOARD,
    "strategicboard": EscalationTarget.STRATEGIC_BOARD,
    "strategicpartneringboard": EscalationTarget.STRATEGIC_BOARD,
    "fccluster": EscalationTarget.FC_CLUSTER,
    "fc": EscalationTarget.FC_CLUSTER,
    "financialcommercialclustergroup": EscalationTarget.FC_CLUSTER,
    "financialandcommercialclustergroup": EscalationTarget.FC_CLUSTER,
    "contract": EscalationTarget.CONTRACT,
}


def parse_target(text: str) -> EscalationTarget:
    """A target from its slug ("fc-cluster") or name ("Corporate risk register")."""
    key = re.sub(r"[^a-z]", "", (text or "").lower())
    key = re.sub(r"(riskregister|register|group)$", "", key) or key
    target = _TARGET_WORDS.get(key) or _TARGET_WORDS.get(key + "group")
    if target is None:
        for t, name in ESCALATION_TARGET_NAMES.items():
            if re.sub(r"[^a-z]", "", name.lower()) == re.sub(r"[^a-z]", "", text.lower()):
                target = t
    if target is None:
        choices = ", ".join(t.value for t in EscalationTarget if t != EscalationTarget.CONTRACT)
        raise RiskboardError(f"unknown escalation target {text!r}: use one of {choices}")
    return target


def parse_exposure(value: float | str | None) -> float | None:
    """GBP from 250000, "£250,000", "250k" or "1.2m"; None stays None."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, int | float):
        amount = float(value)
    else:
        text = value.strip().lower().replace(",", "").replace("£", "").replace("gbp", "").strip()
        scale = {"k": 1e3, "m": 1e6}.get(text[-1:], 1.0)
        try:
            amount = float(text[:-1] if scale != 1.0 else text) * scale
        except ValueError:
            raise RiskboardError(
                f"bad exposure {value!r}: give an amount in GBP such as 250000 or 250k"
            ) from None
    if amount < 0:
        raise RiskboardError(f"bad exposure {value!r}: must not be negative")
    return amount


def escalation_from_row(row: dict[str, Any]) -> Escalation:
    return Escalation(**row)


def _as_at(row: dict[str, Any], meeting_id: int) -> Escalation:
    """The escalation as it stood at the end of ``meeting_id``."""
    decided_later = row["decided_meeting_id"] is not None and row["decided_meeting_id"] > meeting_id
    if decided_later:
        row = {
            **row,
            "status": EscalationStatus.PROPOSED.value,
            "decided_at": None,
            "decided_meeting_id": None,
            "decision_note": None,
        }
    return escalation_from_row(row)


def _raise(
    db: sqlite_utils.Database,
    meeting_id: int,
    ref: str,
    values: dict[str, Any],
    actor: str | None,
) -> Escalation:
    with audited(db, meeting_id, Scope.BUSINESS, actor=actor) as step:
        meeting = step.meeting
        assert meeting is not None
        risk = board_risk(db, meeting, ref)
        history = [escalation_from_row(r) for r in store.escalation_rows(db, ref=risk.ref)]
        if values["direction"] == ESCALATE:
            holdings.check_escalation(
                meeting, risk.ref, EscalationTarget(values["target"]), history
            )
        else:
            source = EscalationTarget(values["source"]) if values.get("source") else None
            values["source"] = holdings.deescalation_source(
                meeting, risk.ref, source, history
            ).value
        if values.get("exposure") is None:
            # the export's figure, kept with it: a later re-import cannot change the minutes
            values["exposure"] = risk.snapshot["exposure"]
        step.new("escalation")
        new_id = store.insert(
            db,
            "escalations",
            {
                "meeting_id": meeting_id,
                "ref": risk.ref,
                "status": EscalationStatus.PROPOSED.value,
                "risk_title": risk.snapshot["title"],
                "risk_score": risk.snapshot["current_score"],
                "created_at": now_iso(),
                **values,
            },
        )
        after = step.record(
            f"{values['direction']} {risk.ref} -> {values['target']}",
            entity_id=new_id,
            read=lambda: store.escalation_row(db, new_id),
        )
        assert after is not None
    return escalation_from_row(after)


def escalate(
    db: sqlite_utils.Database,
    meeting_id: int,
    ref: str,
    *,
    target: str,
    reason: str,
    exposure: float | str | None = None,
    proposed_owner: str | None = None,
    actor: str | None = None,
) -> Escalation:
    """Propose escalating ``ref`` to a register or board. ``exposure`` (GBP) defaults to
    the risk's exposure in the export. Refused: to a register the risk is already on, a
    second undecided proposal to the same place, or contradicting a de-escalation of the
    same risk (``holdings``). Business: the meeting must be in progress and quorate.
    One transaction, one audit row."""
    tgt = parse_target(target)
    if tgt == EscalationTarget.CONTRACT:
        raise RiskboardError(
            "the contract register is where risks come back to: use de-escalation",
            hint="`riskboard deescalate REF --from corporate --reason ...`",
        )
    if clean(reason) is None:
        raise RiskboardError("an escalation needs a reason")
    values = {
        "target": tgt.value,
        "direction": ESCALATE,
        "reason": clean(reason),
        "exposure": parse_exposure(exposure),
        "proposed_owner": clean(proposed_owner),
    }
    return _raise(db, meeting_id, ref, values, actor)


def deescalate(
    db: sqlite_utils.Database,
    meeting_id: int,
    ref: str,
    *,
    reason: str,
    from_target: str | None = None,
    proposed_owner: str | None = None,
    actor: str | None = None,
) -> Escalation:
    """Propose bringing ``ref`` back to the contract register from ``from_target`` (by
    default the one register it is on). Refused unless the risk is on that register (an
    accepted escalation not since returned), while another return is undecided, or
    when it contradicts an escalation of the same risk (``holdings``). Business: the
    meeting must be in progress and quorate. One transaction, one audit row."""
    source = parse_target(from_target).value if from_target and clean(from_target) else None
    if source == EscalationTarget.CONTRACT.value:
        raise RiskboardError("a de-escalation comes from a register above the contract's")
    if source is not None and EscalationTarget(source) not in holdings.REGISTERS:
        raise RiskboardError(
            f"a de-escalation returns a risk from the Directorate or Corporate register,"
            f" not the {holdings.name(source)}"
        )
    if clean(reason) is None:
        raise RiskboardError("a de-escalation needs a reason")
    values = {
        "target": EscalationTarget.CONTRACT.value,
        "direction": DEESCALATE,
        "source": source,
        "reason": clean(reason),
        "proposed_owner": clean(proposed_owner),
    }
    return _raise(db, meeting_id, ref, values, actor)


def decide_escalation(
    db: sqlite_utils.Database,
    meeting_id: int,
    escalation_id: int,
    *,
    accept: bool,
    note: str | None = None,
    actor: str | None = None,
) -> Escalation:
    """Record at a meeting that a proposed escalation was accepted or declined. A
    de-escalation is accepted only while the risk is still on its register; an
    escalation only to a register it is not already on. Business: the meeting must be
    in progress and quorate. One transaction, one audit row."""
    with audited(db, meeting_id, Scope.BUSINESS, actor=actor) as step:
        before = step.track(
            "escalation", escalation_id, lambda: store.escalation_row(db, escalation_id)
        )
        if before is None or before["meeting_id"] > meeting_id:
            raise RiskboardError(f"no escalation {escalation_id}")
        if before["status"] != EscalationStatus.PROPOSED.value:
            raise RiskboardError(
                f"escalation {escalation_id} ({before['ref']}) was already {before['status']}"
                f" at meeting {before['decided_meeting_id']}"
            )
        status = EscalationStatus.ACCEPTED if accept else EscalationStatus.DECLINED
        if accept:
            history = [escalation_from_row(r) for r in store.escalation_rows(db, ref=before["ref"])]
            holdings.check_acceptance(escalation_from_row(before), history)
        store.update(
            db,
            "escalations",
            {"id": escalation_id},
            {
                "status": status.value,
                "decided_at": now_iso(),
                "decided_meeting_id": meeting_id,
                "decision_note": clean(note),
            },
        )
        after = step.record(f"escalation {status.value}")
        assert after is not None
    return escalation_from_row(after)


def registers_held(db: sqlite_utils.Database, ref: str) -> list[EscalationTarget]:
    """The registers above the contract's that ``ref`` is on now (accepted escalation not
    since returned): where a de-escalation may bring it back from."""
    history = [escalation_from_row(r) for r in store.escalation_rows(db, ref=ref)]
    return list(holdings.registers_held(history, ref))


def get_escalation(db: sqlite_utils.Database, escalation_id: int) -> Escalation:
    row = store.escalation_row(db, escalation_id)
    if row is None:
        raise RiskboardError(f"no escalation {escalation_id}")
    return escalation_from_row(row)


def list_escalations(
    db: sqlite_utils.Database,
    *,
    meeting_id: int | None = None,
    status: str | None = None,
    ref: str | None = None,
) -> list[Escalation]:
    """Escalations as they stand now (all, or one meeting's / status / risk)."""
    return [
        escalation_from_row(r)
        for r in store.escalation_rows(db, meeting_id=meeting_id, status=status, ref=ref)
    ]


def escalations_at(
    db: sqlite_utils.Database, meeting_id: int
) -> tuple[list[Escalation], list[Escalation]]:
    """(raised at the meeting, earlier ones decided at it), as they stood at its end."""
    get_meeting(db, meeting_id)
    raised = [_as_at(r, meeting_id) for r in store.escalation_rows(db, meeting_id=meeting_id)]
    decided = [
        escalation_from_row(r)
        for r in store.escalation_rows(db, decided_meeting_id=meeting_id)
        if r["meeting_id"] != meeting_id
    ]
    return raised, decided


def escalations_awaiting(db: sqlite_utils.Database, meeting_id: int) -> list[Escalation]:
    """Escalations and de-escalations still proposed that meeting ``meeting_id`` can
    decide: raised at it or at an earlier meeting and not yet accepted or declined,
    those from earlier meetings first (oldest first), as they stand now."""
    get_meeting(db, meeting_id)
    pending = [
        escalation_from_row(r)
        for r in store.escalation_rows(db, status=EscalationStatus.PROPOSED.value)
        if r["meeting_id"] <= meeting_id
    ]
    return sorted(pending, key=lambda e: (e.meeting_id == meeting_id, e.meeting_id, e.id))
