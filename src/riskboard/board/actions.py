"""Actions arising: numbered across all meetings (Action 1, 2, ... never reused),
with owner, due date, revised due date, status, progress and an optional risk. An
action raised in error is withdrawn with a reason (status ``withdrawn``): it stays in
the log, minuted as withdrawn, and is never again a live action.

Every action gets an ``action_updates`` row from the meeting that raised it and one per
update at a later meeting, each holding the full state after the change. So the
action log of any meeting - open actions carried from earlier meetings plus those
closed at it (reported once, then dropped) - reads as it stood that day, whatever
happened afterwards, and an approved record never changes.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

import sqlite_utils

from riskboard.board.dates import parse_date, parse_optional_date
from riskboard.board.guards import board_risk, clean, get_meeting
from riskboard.board.models import ActionLogEntry, ActionUpdate, BoardAction, BoardActionStatus
from riskboard.board.text import local_clock
from riskboard.board.txn import Scope, audited
from riskboard.domain import uk_date
from riskboard.errors import RiskboardError
from riskboard.store import meetings as store
from riskboard.store.register import now_iso

_STATUS_WORDS: dict[str, BoardActionStatus] = {
    "open": BoardActionStatus.OPEN,
    "reopen": BoardActionStatus.OPEN,
    "not started": BoardActionStatus.OPEN,
    "in progress": BoardActionStatus.IN_PROGRESS,
    "in_progress": BoardActionStatus.IN_PROGRESS,
    "in-progress": BoardActionStatus.IN_PROGRESS,
    "progress": BoardActionStatus.IN_PROGRESS,
    "ongoing": BoardActionStatus.IN_PROGRESS,
    "closed": BoardActionStatus.CLOSED,
    "close": BoardActionStatus.CLOSED,
    "complete": BoardActionStatus.CLOSED,
    "completed": BoardActionStatus.CLOSED,
    "done": BoardActionStatus.CLOSED,
    "withdrawn": BoardActionStatus.WITHDRAWN,
    "withdraw": BoardActionStatus.WITHDRAWN,
}


def parse_action_status(text: str) -> BoardActionStatus:
    status = _STATUS_WORDS.get(" ".join((text or "").lower().split()))
    if status is None:
        raise RiskboardError(
            f"unknown action status {text!r}: use open, in progress or closed"
            " (or withdraw it with a reason)"
        )
    return status


def action_from_row(row: dict[str, Any]) -> BoardAction:
    return BoardAction(**row)


def _update_from_row(row: dict[str, Any]) -> ActionUpdate:
    return ActionUpdate(**row)


def _as_at(row: dict[str, Any], state: dict[str, Any]) -> BoardAction:
    """The action as it stood after ``state`` (an action_updates row)."""
    closed = BoardActionStatus(state["status"]).finished
    return BoardAction(
        number=row["number"],
        meeting_id=row["meeting_id"],
        text=row["text"],
        owner=state["owner"],
        due=row["due"],
        revised_due=state["revised_due"],
        status=state["status"],
        progress=state["progress"],
        risk_ref=row["risk_ref"],
        created_at=row["created_at"],
        updated_at=state["at"],
        closed_at=row["closed_at"] if closed else None,
        closed_meeting_id=row["closed_meeting_id"] if closed else None,
        withdrawn_reason=state.get("withdrawn_reason"),
        ew_ref=row.get("ew_ref"),
    )


def _no_action(db: sqlite_utils.Database, number: int) -> RiskboardError:
    top = db.execute("SELECT MAX(number) FROM board_actions").fetchone()[0]
    known = f"actions are numbered 1-{top}" if top else "no actions recorded yet"
    return RiskboardError(f"no Action {number} ({known})")


def add_action(
    db: sqlite_utils.Database,
    meeting_id: int,
    text: str,
    *,
    owner: str,
    due: date | str,
    risk_ref: str | None = None,
    ew_ref: str | None = None,
    actor: str | None = None,
) -> BoardAction:
    """Raise an action at a meeting; it takes the next number across all meetings.
    ``risk_ref``: the risk it belongs to; ``ew_ref``: the NEC early warning it belongs
    to (an action to avoid or reduce the matter) - either, both or neither."""
    text_ = clean(text)
    owner_ = clean(owner)
    if text_ is None:
        raise RiskboardError("an action needs its text")
    if owner_ is None:
        raise RiskboardError("an action needs an owner")
    due_ = parse_date(due, "due date")
    with audited(db, meeting_id, Scope.BUSINESS, actor=actor) as step:
        meeting = step.meeting
        assert meeting is not None
        if due_ < meeting.meeting_date:
            raise RiskboardError(
                f"due date {uk_date(due_)} is before the meeting ({uk_date(meeting.meeting_date)})"
            )
        ref = board_risk(db, meeting, risk_ref).ref if risk_ref and clean(risk_ref) else None
        ew = None
        if ew_ref and clean(ew_ref):
            from riskboard.board.early_warnings import board_early_warning

            ew = board_early_warning(db, meeting, ew_ref).ref
        step.new("action")
        now = now_iso()
        number = store.insert(
            db,
            "board_actions",
            {
                "meeting_id": meeting_id,
                "text": text_,
                "owner": owner_,
                "due": due_.isoformat(),
                "status": BoardActionStatus.OPEN.value,
                "risk_ref": ref,
                **({"ew_ref": ew} if ew else {}),
                "created_at": now,
                "updated_at": now,
            },
        )
        after = step.record(
            "action raised", entity_id=number, read=lambda: store.action_row(db, number)
        )
        assert after is not None
        _log_state(db, after, meeting_id, now)
    return action_from_row(after)


def update_action(
    db: sqlite_utils.Database,
    meeting_id: int,
    number: int,
    *,
    status: str | None = None,
    progress: str | None = None,
    revised_due: date | str | None = None,
    owner: str | None = None,
    expected: Mapping[str, Any] | None = None,
    actor: str | None = None,
) -> BoardAction:
    """Record an update to Action ``number`` at a meeting (status, progress note, revised
    due date, owner). An action closed at an earlier meeting stays closed; a withdrawn
    action takes no updates at all (it is never live again); withdrawing needs a reason
    (``withdraw_action``). ``expected`` maps the fields the
    face showed (status, progress, revised_due, owner) to the values shown: one changed
    elsewhere meanwhile refuses the update (``ConflictError``). Business: the meeting
    must be in progress and quorate. One transaction, one audit row."""
    if status is None and progress is None and revised_due is None and owner is None:
        raise RiskboardError(
            f"nothing to update on Action {number}: give a status, progress, revised due"
            " date or owner"
        )
    new_status = parse_action_status(status) if status is not None else None
    if new_status == BoardActionStatus.WITHDRAWN:
        raise RiskboardError(
            f"withdrawing Action {number} needs a reason",
            hint=f"`riskboard action withdraw {number} --reason TEXT`",
        )
    values: dict[str, Any] = {}
    if progress is not None:
        values["progress"] = clean(progress)
    if revised_due is not None:
        when = parse_optional_date(revised_due, "revised due date")
        values["revised_due"] = when.isoformat() if when else None
    if owner is not None:
        if clean(owner) is None:
            raise RiskboardError(f"Action {number} needs an owner")
        values["owner"] = clean(owner)
    if new_status is not None:
        values["status"] = new_status.value
    return _change_action(db, meeting_id, number, values, expected, actor, "action updated")


def withdraw_action(
    db: sqlite_utils.Database,
    meeting_id: int,
    number: int,
    *,
    reason: str,
    expected: Mapping[str, Any] | None = None,
    actor: str | None = None,
) -> BoardAction:
    """Withdraw Action ``number`` (raised in error, or overtaken): status ``withdrawn``
    with the reason, kept in the log and minuted as withdrawn - never again a live
    action. Refused for an action already withdrawn (its first reason stands) or closed
    at an earlier meeting.
    Business: the meeting must be in progress and quorate. One transaction, one audit
    row."""
    why = clean(reason)
    if why is None:
        raise RiskboardError(f"withdrawing Action {number} needs a reason")
    values = {"status": BoardActionStatus.WITHDRAWN.value, "withdrawn_reason": why}
    return _change_action(db, meeting_id, number, values, expected, actor, WITHDRAWN_CHANGE)


WITHDRAWN_CHANGE = "action withdrawn"


def _withdrawn(db: sqlite_utils.Database, row: dict[str, Any], *, again: bool) -> RiskboardError:
    """A withdrawn action stays withdrawn, with its first reason: say when and why."""
    meeting = store.meeting_row(db, row["closed_meeting_id"]) if row["closed_meeting_id"] else None
    when = f", {local_clock(row['closed_at'])}" if row.get("closed_at") else ""
    where = (
        f" at meeting {meeting['id']} ({uk_date(meeting['meeting_date'])}{when})" if meeting else ""
    )
    said = f"Action {row['number']} was {'already ' if again else ''}withdrawn{where}"
    why = f': "{row["withdrawn_reason"]}"' if row.get("withdrawn_reason") else ""
    if again:
        return RiskboardError(f"{said}{why}; its reason stays as recorded")
    return RiskboardError(
        f"{said}{why}: a withdrawn action is never live again, so it takes no updates",
        hint="if it is needed after all, raise it again as a new action (`riskboard action add"
        " TEXT --owner NAME --due DATE`)",
    )


def _change_action(
    db: sqlite_utils.Database,
    meeting_id: int,
    number: int,
    values: dict[str, Any],
    expected: Mapping[str, Any] | None,
    actor: str | None,
    what: str,
) -> BoardAction:
    with audited(db, meeting_id, Scope.BUSINESS, actor=actor) as step:
        shown = None
        if expected:
            shown = {k: _shown_action_value(k, v) for k, v in expected.items()}
        before = step.track(
            "action",
            number,
            lambda: store.action_row(db, number),
            expected=shown,
            wanted=values,
            subject=f"Action {number}",
            labels={"revised_due": "revised due date"},
        )
        if before is None or before["meeting_id"] > meeting_id:
            raise _no_action(db, number)
        was = BoardActionStatus(before["status"])
        if was == BoardActionStatus.WITHDRAWN:
            raise _withdrawn(db, before, again=what == WITHDRAWN_CHANGE)
        if was.finished and before["closed_meeting_id"] != meeting_id:
            raise RiskboardError(
                f"Action {number} was {was.value} at meeting {before['closed_meeting_id']}:"
                f" {was.value} actions stay {was.value}",
                hint="raise a new action with `riskboard action add`",
            )
        now = now_iso()
        update: dict[str, Any] = {**values, "updated_at": now}
        if "status" in values:
            finished = BoardActionStatus(values["status"]).finished
            update["closed_at"] = (before["closed_at"] or now) if finished else None
            update["closed_meeting_id"] = meeting_id if finished else None
            if values["status"] != BoardActionStatus.WITHDRAWN.value:
                update["withdrawn_reason"] = None
        store.update(db, "board_actions", {"number": number}, update)
        after = step.record(what)
        assert after is not None
        _log_state(db, after, meeting_id, now)
    return action_from_row(after)


def _shown_action_value(name: str, value: Any) -> Any:
    if value is None:
        return None
    if name == "status":
        return parse_action_status(str(value)).value if clean(str(value)) else None
    if name == "revised_due":
        when = parse_optional_date(value, "revised due date")
        return when.isoformat() if when else None
    if name in ("progress", "owner"):
        return clean(str(value))
    raise ValueError(f"not an action field: {name}")


def _log_state(db: sqlite_utils.Database, row: dict[str, Any], meeting_id: int, at: str) -> None:
    store.insert(
        db,
        "action_updates",
        {
            "action_number": row["number"],
            "meeting_id": meeting_id,
            "status": row["status"],
            "progress": row["progress"],
            "revised_due": row["revised_due"],
            "owner": row["owner"],
            "withdrawn_reason": row["withdrawn_reason"],
            "at": at,
        },
    )


# ----------------------------------------------------------------------------- reads


def get_action(db: sqlite_utils.Database, number: int) -> BoardAction:
    """Action ``number`` as it stands now."""
    row = store.action_row(db, number)
    if row is None:
        raise _no_action(db, number)
    return action_from_row(row)


def action_history(db: sqlite_utils.Database, number: int) -> list[ActionUpdate]:
    """Every recorded state of an action, the first being when it was raised."""
    return [_update_from_row(r) for r in store.action_update_rows(db, number=number)]


def all_actions(db: sqlite_utils.Database) -> list[BoardAction]:
    """Every action ever raised, as it stands now, by number."""
    return [action_from_row(r) for r in store.action_rows(db)]


def open_actions(db: sqlite_utils.Database) -> list[BoardAction]:
    """Every live action (not closed, not withdrawn), as it stands now, by number."""
    return [a for a in (action_from_row(r) for r in store.action_rows(db)) if a.live]


def actions_arising(db: sqlite_utils.Database, meeting_id: int) -> list[BoardAction]:
    """Actions raised at a meeting, as they stood at the end of it."""
    end = store.action_states(db, meeting_id)
    return [_as_at(r, end[r["number"]]) for r in store.action_rows(db, raised_at=meeting_id)]


def action_log(db: sqlite_utils.Database, meeting_id: int) -> list[ActionLogEntry]:
    """A meeting's action log: actions raised earlier and still open when it began, as
    they stood at its end, with the updates it recorded. Those it closed are listed
    (reported once); the next meeting no longer carries them."""
    get_meeting(db, meeting_id)
    start = store.action_states(db, meeting_id, inclusive=False)
    end = store.action_states(db, meeting_id)
    creation = store.first_update_ids(db)
    here: dict[int, list[ActionUpdate]] = {}
    for u in store.action_update_rows(db, meeting_id=meeting_id):
        if u["id"] not in creation:
            here.setdefault(u["action_number"], []).append(_update_from_row(u))
    dates = {m["id"]: m["meeting_date"] for m in store.meeting_rows(db)}
    out = []
    for row in store.action_rows(db, raised_before=meeting_id):
        began = start.get(row["number"])
        if began is None or BoardActionStatus(began["status"]).finished:
            continue
        action = _as_at(row, end[row["number"]])
        out.append(
            ActionLogEntry(
                action=action,
                raised_meeting_date=dates.get(row["meeting_id"]),
                updates=here.get(row["number"], []),
                closed_here=action.status == BoardActionStatus.CLOSED,
                withdrawn_here=action.status == BoardActionStatus.WITHDRAWN,
            )
        )
    return out
