"""Drafts of the meeting app's open forms, kept as they are typed (rule 9 of issue 11).

Not part of the record: never audited or hashed, and dropped when the form is saved or
cancelled. A draft remembers the values the form showed when it opened (``base``), so a
restored draft is still checked against what changed meanwhile when it is saved.

Each draft belongs to the app session typing it: two apps open on one meeting each keep
their own. An app is offered its own draft of a form, else the newest one of a session
that is no longer running (it exited, its process is gone, or its heartbeat stopped) -
never the typing of an app still running, and it never deletes one
(``discard_adopted``).
"""

from __future__ import annotations

import os
import socket
from datetime import datetime, timedelta
from typing import Any

import sqlite_utils
from pydantic import BaseModel

from riskboard.board.txn import plain_change
from riskboard.store import drafts as store
from riskboard.store.register import now_iso

# a running app beats every HEARTBEAT_SECONDS; one silent for STALE_AFTER is taken as
# gone (on the same machine, a process that no longer exists is gone at once)
HEARTBEAT_SECONDS = 10.0
STALE_AFTER = timedelta(seconds=90)


class Draft(BaseModel):
    key: str
    meeting_id: int | None
    form: str  # the form's title
    fields: dict[str, Any]  # as typed
    base: dict[str, Any]  # as shown when the form opened
    saved_at: str
    slot: str | None = None  # the meeting and form
    session: str | None = None  # the app session that typed it (None: before sessions)


def draft_slot(meeting_id: int | None, form: str) -> str:
    """Which form at which meeting ("3:note:HM-001"), whoever types in it."""
    return f"{meeting_id if meeting_id is not None else '-'}:{form}"


def draft_key(meeting_id: int | None, form: str, session: str | None = None) -> str:
    """The key of one session's draft of a form at a meeting ("3:note:HM-001@a1b2c3")."""
    slot = draft_slot(meeting_id, form)
    return f"{slot}@{session}" if session else slot


def save_draft(
    db: sqlite_utils.Database,
    key: str,
    *,
    meeting_id: int | None,
    form: str,
    fields: dict[str, Any],
    base: dict[str, Any],
    seq: int,
    slot: str | None = None,
    session: str | None = None,
) -> None:
    """Keep what is typed in a form (one small transaction); a write with a lower
    ``seq`` than the one stored is ignored, so keystrokes never go backwards."""
    with plain_change(db):
        store.save(
            db,
            key,
            meeting_id=meeting_id,
            form=form,
            fields=fields,
            base=base,
            seq=seq,
            saved_at=now_iso(),
            slot=slot,
            session=session,
        )


def get_draft(db: sqlite_utils.Database, key: str) -> Draft | None:
    row = store.get(db, key)
    return Draft.model_validate(row) if row else None


def discard_draft(db: sqlite_utils.Database, key: str) -> None:
    """Drop a draft (this session's own: its form was saved or cancelled)."""
    with plain_change(db):
        store.discard(db, key)


# ----------------------------------------------------------------------------- sessions


def begin_session(db: sqlite_utils.Database, session: str) -> None:
    """An app session starts (this process, this machine)."""
    with plain_change(db):
        store.begin_session(db, session, host=socket.gethostname(), pid=os.getpid(), at=now_iso())


def beat(db: sqlite_utils.Database, session: str) -> None:
    """An app session is still running."""
    with plain_change(db):
        store.beat(db, session, now_iso())


def end_session(db: sqlite_utils.Database, session: str) -> None:
    """An app session exited cleanly: its drafts may be offered to the next app."""
    with plain_change(db):
        store.end_session(db, session, now_iso())


def session_running(db: sqlite_utils.Database, session: str | None) -> bool:
    """Is the app session that typed a draft still running? A draft from before
    sessions were kept (None), an unknown or ended session, a process gone from this
    machine, or a heartbeat silent for ``STALE_AFTER``: no."""
    if session is None:
        return False
    row = store.session_row(db, session)
    if row is None or row["ended_at"]:
        return False
    try:
        seen = datetime.fromisoformat(row["seen_at"])
    except ValueError:
        return False
    if datetime.fromisoformat(now_iso()) - seen > STALE_AFTER:
        return False
    if row["host"] == socket.gethostname():
        return _pid_alive(int(row["pid"]))
    return True


def _pid_alive(pid: int) -> bool:
    """Is process ``pid`` running on this machine? A killed process its parent has not
    reaped yet (a zombie, state Z in /proc) is not."""
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # someone else's process: it exists
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as stat:
            state = stat.read().rsplit(")", 1)[-1].split()[0]
    except (OSError, IndexError):
        return True  # no /proc (not Linux): the signal check is all there is
    return state not in ("Z", "X")


def offered_draft(
    db: sqlite_utils.Database, meeting_id: int | None, form: str, session: str
) -> Draft | None:
    """The draft a form opened by ``session`` offers back: its own, else the newest of a
    session no longer running (see the module doc). Never another running app's."""
    own = get_draft(db, draft_key(meeting_id, form, session))
    if own is not None:
        return own
    for row in store.in_slot(db, draft_slot(meeting_id, form)):
        if row["session"] != session and not session_running(db, row["session"]):
            return Draft.model_validate(row)
    return None


def discard_adopted(db: sqlite_utils.Database, key: str) -> None:
    """Drop a draft this session took over from one no longer running - unless that
    session turns out to be running after all (then it stays: it is theirs)."""
    draft = get_draft(db, key)
    if draft is None or session_running(db, draft.session):
        return
    discard_draft(db, key)
