"""Which register above the contract's a risk is on, from the escalation history - and
the rules that keep escalations and de-escalations consistent (rule 3 of issue 11).

A risk is on the Directorate or Corporate register from an accepted escalation until
an accepted de-escalation from that register. De-escalation is offered and accepted
only from a register the risk is on; escalating and de-escalating the same risk at
one meeting (or while the opposite proposal is still undecided) is contradictory and
refused with a message naming the other proposal.
"""

from __future__ import annotations

from collections.abc import Iterable

from riskboard.board.models import Escalation, EscalationStatus, Meeting
from riskboard.domain import ESCALATION_TARGET_NAMES, EscalationTarget
from riskboard.errors import RiskboardError

REGISTERS = (EscalationTarget.DIRECTORATE, EscalationTarget.CORPORATE)
ESCALATE = "escalate"
DEESCALATE = "de-escalate"


def _decided_order(e: Escalation) -> tuple[str, int]:
    return (e.decided_at or e.created_at, e.id)


def registers_held(
    escalations: Iterable[Escalation], ref: str
) -> dict[EscalationTarget, Escalation]:
    """{register: the accepted escalation that put ``ref`` there}, for each register the
    risk is on now (accepted escalation not since returned by an accepted de-escalation)."""
    held: dict[EscalationTarget, Escalation] = {}
    mine = [e for e in escalations if e.ref == ref and e.status == EscalationStatus.ACCEPTED]
    for e in sorted(mine, key=_decided_order):
        if e.direction == ESCALATE and e.target in REGISTERS:
            held[e.target] = e
        elif e.direction == DEESCALATE:
            if e.source is None:  # recorded before the source was kept: returned from all
                held.clear()
            else:
                held.pop(EscalationTarget(e.source), None)
    return held


def describe(e: Escalation) -> str:
    """ "escalation #3 to the Corporate risk register (proposed at meeting 2, accepted at
    meeting 3)" - the other proposal a refusal names."""
    if e.direction == DEESCALATE:
        source = f" from the {name(e.source)}" if e.source else ""
        what = f"de-escalation #{e.id}{source}"
    else:
        what = f"escalation #{e.id} to the {name(e.target)}"
    state = f"proposed at meeting {e.meeting_id}"
    if e.status != EscalationStatus.PROPOSED:
        state += f", {e.status.value} at meeting {e.decided_meeting_id}"
    reason = f', reason "{e.reason}"' if e.reason else ""
    return f"{what} ({state}{reason})"


def name(target: str | EscalationTarget | None) -> str:
    if target is None:
        return "register"
    try:
        return ESCALATION_TARGET_NAMES[EscalationTarget(target)]
    except ValueError:
        return str(target)


def _opposite(e: Escalation, direction: str) -> bool:
    if direction == ESCALATE:
        return e.direction == DEESCALATE
    return e.direction == ESCALATE and e.target in REGISTERS


def check_contradiction(
    meeting: Meeting, ref: str, direction: str, target: EscalationTarget, history: list[Escalation]
) -> None:
    """Refuse a proposal that contradicts another: the opposite direction for the same
    risk proposed at this meeting (unless declined), or still undecided from an earlier
    one. Only escalations to a register oppose a de-escalation. The hint says only what
    will work: decline a proposal still undecided; one already accepted at this meeting
    stands, so the opposite is for a later meeting."""
    if direction == ESCALATE and target not in REGISTERS:
        return
    for other in history:
        if other.ref != ref or not _opposite(other, direction):
            continue
        here = other.meeting_id == meeting.id and other.status != EscalationStatus.DECLINED
        pending = other.status == EscalationStatus.PROPOSED
        if here or pending:
            doing = (
                f"escalate {ref} to the {name(target)}"
                if direction == ESCALATE
                else f"de-escalate {ref}"
            )
            if pending:
                hint = (
                    "decide the other proposal first; if the board no longer wants it,"
                    f" decline it (`riskboard escalation decide {other.id} --decline`)"
                )
            elif direction == ESCALATE:
                hint = (
                    "the board accepted that return at this meeting and it stands; if the"
                    " risk must go back up, escalate it at a later meeting"
                )
            else:
                hint = (
                    "the board accepted that escalation at this meeting and it stands; propose"
                    " the return at a later meeting"
                )
            raise RiskboardError(
                f"cannot {doing}: that contradicts {describe(other)}"
                + (" at this meeting" if other.meeting_id == meeting.id else ""),
                hint=hint,
            )


def _rank(target: EscalationTarget) -> int:
    """How high a register is: the Corporate register is above the Directorate's."""
    return REGISTERS.index(target)


def check_one_register(
    meeting: Meeting, ref: str, target: EscalationTarget, history: list[Escalation]
) -> None:
    """A risk goes to one register above the contract's at a time: refuse escalating it
    to a register below one it is on (that is a move down, which riskboard makes only
    back to the contract register), and to a second register while an escalation to
    the other is undecided or was made at this meeting."""
    if target not in REGISTERS:
        return
    held = registers_held(history, ref)
    higher = [t for t in held if _rank(t) > _rank(target)]
    if higher:
        on = higher[0]
        returning = next(
            (
                e
                for e in history
                if e.ref == ref
                and e.direction == DEESCALATE
                and e.status == EscalationStatus.PROPOSED
            ),
            None,
        )
        hint = (
            f"its return is already proposed ({describe(returning)}): once the board accepts"
            f" it, escalate {ref} to the {name(target)} at a later meeting"
            if returning is not None
            else f"propose its return first (`riskboard deescalate {ref} --from {on.value}"
            f" --reason ...`); once the board accepts it, escalate {ref} to the {name(target)}"
            " at a later meeting"
        )
        raise RiskboardError(
            f"cannot escalate {ref} to the {name(target)}: it is on the {name(on)}"
            f" ({describe(held[on])}), which is above it. A risk is on one register above the"
            " contract's at a time, and riskboard moves a risk down only to the contract"
            " register",
            hint=hint,
        )
    for other in history:
        if (
            other.ref != ref
            or other.direction != ESCALATE
            or other.target not in REGISTERS
            or other.target == target
        ):
            continue
        pending = other.status == EscalationStatus.PROPOSED
        here = other.meeting_id == meeting.id and other.status != EscalationStatus.DECLINED
        if not (pending or here):
            continue
        state = "is still undecided" if pending else "was made at this meeting"
        hint = (
            f"if the {name(target)} is the right one, decline #{other.id} first"
            f" (`riskboard escalation decide {other.id} --decline --note ...`), then escalate"
            " again"
            if pending
            else f"#{other.id} was accepted at this meeting and stands; a further escalation"
            " is for a later meeting"
        )
        raise RiskboardError(
            f"cannot escalate {ref} to the {name(target)}: {describe(other)} {state} - a risk"
            " goes to one register above the contract's at a time",
            hint=hint,
        )


def check_escalation(
    meeting: Meeting, ref: str, target: EscalationTarget, history: list[Escalation]
) -> None:
    """An escalation: not to a register the risk is already on, not twice while one is
    undecided, not contradicting a de-escalation."""
    held = registers_held(history, ref)
    if target in held:
        raise RiskboardError(
            f"risk {ref} is already on the {name(target)}: {describe(held[target])}"
        )
    for other in history:
        if (
            other.ref == ref
            and other.direction == ESCALATE
            and other.target == target
            and (
                other.status == EscalationStatus.PROPOSED
                or (other.meeting_id == meeting.id and other.status != EscalationStatus.DECLINED)
            )
        ):
            raise RiskboardError(f"risk {ref} has already been put forward: {describe(other)}")
    check_one_register(meeting, ref, target, history)
    check_contradiction(meeting, ref, ESCALATE, target, history)


def deescalation_source(
    meeting: Meeting, ref: str, source: EscalationTarget | None, history: list[Escalation]
) -> EscalationTarget:
    """The register a de-escalation of ``ref`` returns it from: the one named (which the
    risk must be on), or the only one it is on. Refuses a risk on no register, a second
    proposal while one is undecided, and a contradiction."""
    held = registers_held(history, ref)
    if not held:
        raise RiskboardError(
            f"risk {ref} is not on the Directorate or Corporate register (no accepted"
            " escalation that was not since returned): there is nothing to de-escalate"
        )
    on = " and ".join(f"the {name(t)} ({describe(e)})" for t, e in held.items())
    if source is None:
        if len(held) > 1:
            raise RiskboardError(
                f"risk {ref} is on {on}: say which register it comes back from",
                hint="--from directorate or --from corporate",
            )
        source = next(iter(held))
    elif source not in held:
        raise RiskboardError(f"risk {ref} is not on the {name(source)}: it is on {on}")
    for other in history:
        if (
            other.ref == ref
            and other.direction == DEESCALATE
            and other.status == EscalationStatus.PROPOSED
        ):
            raise RiskboardError(f"risk {ref} is already proposed for return: {describe(other)}")
    check_contradiction(meeting, ref, DEESCALATE, source, history)
    return source


def check_acceptance(e: Escalation, history: list[Escalation]) -> None:
    """Accept a de-escalation only while the risk is still on its register, and an
    escalation only to a register the risk is not already on."""
    held = registers_held([h for h in history if h.id != e.id], e.ref)
    if e.direction == DEESCALATE:
        source = EscalationTarget(e.source) if e.source else None
        if not held or (source is not None and source not in held):
            raise RiskboardError(
                f"cannot accept {describe(e)}: risk {e.ref} is not on"
                f" the {name(source) if source else 'Directorate or Corporate register'} now"
            )
    elif e.target in held:
        raise RiskboardError(
            f"cannot accept {describe(e)}: risk {e.ref} is already on the {name(e.target)}"
            f" ({describe(held[e.target])})"
        )
