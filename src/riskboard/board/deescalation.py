"""De-escalation proposals: risks held on the Directorate or Corporate register whose
score has stayed below that register's threshold for enough consecutive months.

DOMAIN.md: "propose after consecutive months below the threshold (3 by default)"
(``config.escalation.deescalate_after_months``). A risk counts as held on a register
from the accepted escalation until an accepted de-escalation (``board.holdings``); a
risk whose return is already proposed is not proposed again.
"""

from __future__ import annotations

import sqlite_utils
from pydantic import BaseModel

from riskboard.board.escalations import list_escalations
from riskboard.board.holdings import DEESCALATE, REGISTERS, registers_held
from riskboard.board.models import Escalation, EscalationStatus
from riskboard.config import Config
from riskboard.domain import EscalationTarget
from riskboard.register import score_history


class DeescalationCandidate(BaseModel):
    ref: str
    title: str | None = None
    held_on: EscalationTarget  # the register the risk is held on now
    threshold: int
    escalation_id: int
    history: list[tuple[str, int | None]]  # (month, score), the months below threshold

    @property
    def reason(self) -> str:
        months = ", ".join(f"{m} {s}" for m, s in self.history)
        return f"score below {self.threshold} for {len(self.history)} consecutive months ({months})"


def held_registers(escalations: list[Escalation]) -> dict[str, Escalation]:
    """ref -> the accepted escalation that holds it on a register above the contract's
    (the higher register when it is on both); a risk whose return is already proposed
    is left out."""
    held: dict[str, Escalation] = {}
    pending = {
        e.ref
        for e in escalations
        if e.direction == DEESCALATE and e.status == EscalationStatus.PROPOSED
    }
    for ref in sorted({e.ref for e in escalations} - pending):
        on = registers_held(escalations, ref)
        for register in reversed(REGISTERS):
            if register in on:
                held[ref] = on[register]
                break
    return held


def deescalation_candidates(
    db: sqlite_utils.Database, month: str, config: Config
) -> list[DeescalationCandidate]:
    """Risks to propose for de-escalation at a board reviewing ``month``, sorted by ref."""
    need = config.escalation.deescalate_after_months
    out = []
    for ref, esc in sorted(held_registers(list_escalations(db)).items()):
        threshold = (
            config.escalation.corporate
            if esc.target == EscalationTarget.CORPORATE
            else config.escalation.directorate
        )
        history = score_history(db, ref, months=need, upto=month)
        if (
            len(history) == need
            and history[-1][0] == month
            and all(score is not None and score < threshold for _, score in history)
        ):
            out.append(
                DeescalationCandidate(
                    ref=ref,
                    title=esc.risk_title,
                    held_on=esc.target,
                    threshold=threshold,
                    escalation_id=esc.id,
                    history=history,
                )
            )
    return out
