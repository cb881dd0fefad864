"""The one audited-change step every board change goes through.

Each change to the board record used to repeat the same lines: take the write lock,
check the meeting may still change, work out who records it, read the row before,
write, read it after, append the audit row. ``audited`` does all of that once, so the
rules hold for every change, from the CLI, the meeting app or a script alike:

- one transaction taking the write lock first (``BEGIN IMMEDIATE``): a refused change
  writes nothing, a concurrent writer waits its turn;
- the protective triggers are checked first: if someone dropped or altered them they
  are put back, a trigger riskboard did not create is removed, and that fact is itself
  audited (``store.integrity``);
- the meeting must still be editable: not closed, not approved; business (``Scope.
  BUSINESS``: approving minutes, reviews and decisions, actions, escalations) also needs
  it started and **quorate at that moment** (rule 1);
- the actor is the meeting's chair or minute-taker;
- ``Step.track`` reads the row before and refuses, with both values shown, a save based
  on a value that changed since it was shown (``conflicts``, rule 8);
- ``Step.record`` reads the row after and appends exactly one hash-chained audit row
  (rule 5); a step that forgets to record fails loudly and writes nothing.

Usage::

    with audited(db, meeting_id, Scope.BUSINESS, actor=actor) as step:
        before = step.track("review", ref, lambda: store.review_row(db, mid, ref),
                            expected=expected, wanted=values)
        ...write...
        after = step.record("review amended")
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import sqlite_utils

from riskboard.board import audit, conflicts
from riskboard.board.guards import actor_for, editable
from riskboard.board.models import Meeting, MeetingStatus, QuorumStatus
from riskboard.board.quorum import quorum as quorum_of
from riskboard.errors import RiskboardError
from riskboard.store import integrity
from riskboard.store.db import write_transaction

Row = dict[str, Any]


class Scope(StrEnum):
    """What a change is, which decides what the meeting must be for it."""

    CREATE = "create"  # a new meeting: no meeting to check yet
    PREPARATION = "preparation"  # attendance, declarations, AOB, next date: draft or open
    BUSINESS = "business"  # minutes, reviews, actions, escalations: open and quorate
    CLOSING = "closing"  # open; quorum is the close's own rule (it can be forced)
    PEOPLE = "people"  # the people list, optionally during a meeting
    NOTICE = "notice"  # a document drafted (an early warning notice), optionally at a meeting


@dataclass
class Step:
    """One change in progress: the meeting, who records it, the quorum at this moment,
    and the row being changed (``track``) until its audit row is written (``record``)."""

    db: sqlite_utils.Database
    meeting: Meeting | None
    actor: str | None
    quorum: QuorumStatus | None
    meeting_id: int | None = None  # the audit row's meeting (defaults to ``meeting``)
    entity: str = ""
    entity_id: str | None = None
    before: Row | None = None
    read: Callable[[], Row | None] | None = None
    finished: bool = False
    audit_id: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def track(
        self,
        entity: str,
        entity_id: str | int | None,
        read: Callable[[], Row | None],
        *,
        expected: Mapping[str, Any] | None = None,
        wanted: Mapping[str, Any] | None = None,
        subject: str | None = None,
        labels: Mapping[str, str] | None = None,
    ) -> Row | None:
        """Read the row about to change (None: not recorded yet) and keep it as the
        audit row's "before". ``expected`` (field -> value the face showed) is checked
        against it: a difference refuses the change (``ConflictError``); ``wanted``
        holds the values the change will write, in stored form."""
        self.entity = entity
        self.entity_id = None if entity_id is None else str(entity_id)
        self.read = read
        self.before = read()
        if expected:
            last = (
                audit.last_change_to(self.db, entity, self.entity_id)
                if self.entity_id is not None
                else None
            )
            conflicts.check(
                subject or f"{entity} {self.entity_id}",
                self.before,
                expected,
                wanted or {},
                last,
                labels,
            )
        return self.before

    def new(self, entity: str) -> None:
        """The change creates a row (an action, an escalation, a meeting): nothing before."""
        self.track(entity, None, lambda: None)

    def record(
        self,
        change: str,
        *,
        entity_id: str | int | None = None,
        read: Callable[[], Row | None] | None = None,
        after: Row | None = None,
    ) -> Row | None:
        """Read the row after the change (``read``, else the tracked reader; or the
        given ``after``) and append the change's one audit row. Returns the after row."""
        if self.finished:
            raise RuntimeError("a board change writes exactly one audit row")
        if entity_id is not None:
            self.entity_id = str(entity_id)
        if read is not None:
            self.read = read
        if after is None and self.read is not None:
            after = self.read()
        if after is not None and self.extra:
            after = {**after, **self.extra}
        self.audit_id = audit.write(
            self.db,
            meeting_id=self.meeting_id
            if self.meeting_id is not None
            else (self.meeting.id if self.meeting else None),
            actor=self.actor,
            entity=self.entity,
            entity_id=self.entity_id,
            change=change,
            before=self.before,
            after=after,
        )
        self.finished = True
        return after

    def unchanged(self) -> None:
        """Nothing needed writing (the record already says this): no audit row."""
        self.finished = True


def restore_protection(db: sqlite_utils.Database, actor: str | None) -> None:
    """Put back protective triggers someone dropped or altered, remove triggers riskboard
    did not create (one could rewrite what is written), and audit that they were found
    so (``meeting verify`` reports it from then on). Inside the caller's transaction."""
    problems = integrity.trigger_problems(db)
    foreign = integrity.foreign_triggers(db)
    if not problems and not foreign:
        return
    integrity.create_triggers(db, list(problems))
    integrity.drop_triggers(db, list(foreign))
    found = []
    if problems:
        described = ", ".join(f"{name} ({state})" for name, state in sorted(problems.items()))
        found.append(f"protective triggers found missing or altered and restored: {described}")
    if foreign:
        described = ", ".join(f"{name} (on {t['table']})" for name, t in foreign.items())
        found.append(f"triggers riskboard did not create found and removed: {described}")
    audit.write(
        db,
        meeting_id=None,
        actor=actor,
        entity="integrity",
        entity_id="triggers",
        change="; ".join(found),
        before={"problems": problems, **({"foreign": foreign} if foreign else {})},
        after=None,
    )


@contextmanager
def audited(
    db: sqlite_utils.Database,
    meeting_id: int | None,
    scope: Scope,
    *,
    actor: str | None = None,
) -> Iterator[Step]:
    """One board change: one transaction with the write lock, the meeting checked for
    ``scope``, the actor resolved, and exactly one audit row (see the module doc).

    Raises RiskboardError (nothing written) when the meeting is closed or approved, a
    draft asked for business, not quorate for business, or the actor is not the chair
    or minute-taker; ``ConflictError`` when an expected value changed meanwhile."""
    with write_transaction(db):
        meeting: Meeting | None = None
        who = actor
        if meeting_id is not None:
            meeting = editable(db, meeting_id, decisions=scope in (Scope.BUSINESS, Scope.CLOSING))
            who = actor_for(meeting, actor)
        restore_protection(db, who)
        quorum = quorum_of(db, meeting.id) if meeting is not None else None
        if scope == Scope.BUSINESS and meeting is not None and quorum is not None:
            require_quorum(meeting, quorum)
        step = Step(db, meeting, who, quorum)
        yield step
        if not step.finished:
            raise RuntimeError("a board change must end with Step.record() or Step.unchanged()")


def require_quorum(meeting: Meeting, quorum: QuorumStatus) -> None:
    """Business is transacted only while the meeting is quorate (approving the previous
    minutes included): DOMAIN.md, rule 1 of issue 11."""
    if quorum.met or meeting.status != MeetingStatus.IN_PROGRESS:
        return
    raise RiskboardError(
        f"{meeting.label} is {quorum.describe()}: the board can approve minutes and record"
        " decisions, actions and escalations only while it is quorate",
        hint="record who is present first (`riskboard meeting attend NAME --org ...`;"
        " in the meeting app: a)",
    )


def plain_change(db: sqlite_utils.Database) -> Any:
    """A transaction with the write lock for what is not part of the record (drafts)."""
    return write_transaction(db)
