"""Keeping what is typed in the meeting app's forms, as it is typed (rule 9 of issue 11).

Every change to an open form hands its values to ``DraftKeeper.keep``; one background
thread, with its own database connection, writes the latest values of each form
through the board service (``board.save_draft``) in keystroke order. Nothing waits on
the database while the minute-taker types - not even when the nightly import holds the
write lock - and a Ctrl+Q or a crash loses at most the keystroke being written.

No textual here: the form (``screens.form``) calls ``keep``, ``pending`` and
``discard``; the app starts the keeper and closes it when it exits.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from dataclasses import dataclass
from typing import Any

from riskboard import board
from riskboard.config import Config
from riskboard.tui.database import connection

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DraftSpec:
    """Which draft a form keeps: its key (this session's, at the meeting), its title,
    and its slot (the meeting and form, whichever session types in it)."""

    key: str
    meeting_id: int | None
    form: str
    slot: str | None = None
    session: str | None = None


@dataclass(frozen=True)
class _Write:
    spec: DraftSpec
    fields: dict[str, Any] | None  # None: discard
    base: dict[str, Any]
    seq: int
    adopted: bool = False  # a discard of a draft taken over from a session gone


class DraftKeeper:
    """One writer thread for every form's draft (see the module doc). With a
    ``session``, the thread also keeps the session's heartbeat (``board.beat``) and
    says when it ends, so other apps know whose drafts they may offer."""

    def __init__(self, config: Config, session: str | None = None) -> None:
        self.config = config
        self.session = session
        self._queue: queue.Queue[_Write | None] = queue.Queue()
        self._pending: dict[str, _Write] = {}
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._run, name="riskboard-drafts", daemon=True)
        self._thread.start()
        self.failed: str | None = None  # why drafts could not be kept, if they could not

    def keep(self, spec: DraftSpec, fields: dict[str, Any], base: dict[str, Any]) -> None:
        """Keep ``fields`` as the draft of ``spec`` (as shown when it opened: ``base``)."""
        self._put(_Write(spec, dict(fields), dict(base), time.time_ns()))

    def discard(self, spec: DraftSpec) -> None:
        """Drop the draft (the form was saved or cancelled)."""
        self._put(_Write(spec, None, {}, time.time_ns()))

    def discard_adopted(self, key: str) -> None:
        """Drop a draft taken over from a session no longer running (never a live one's)."""
        self._put(_Write(DraftSpec(key, None, ""), None, {}, time.time_ns(), adopted=True))

    def pending(self, key: str) -> _Write | None:
        """The newest write for ``key`` not yet in the database, if any."""
        with self._lock:
            return self._pending.get(key)

    def close(self, timeout: float = 5.0) -> None:
        """Write what is queued, then stop the thread."""
        self._queue.put(None)
        self._thread.join(timeout)

    def flush(self, timeout: float = 5.0) -> bool:
        """Wait until everything queued is written (tests and shutdown)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if not self._pending and self._queue.empty():
                    return True
            time.sleep(0.01)
        return False

    def _put(self, write: _Write) -> None:
        with self._lock:
            self._pending[write.spec.key] = write
        self._queue.put(write)

    def _run(self) -> None:
        try:
            with connection(self.config) as db:
                self._session(board.begin_session, db)
                try:
                    self._loop(db)
                finally:
                    self._session(board.end_session, db)
        except Exception as exc:  # noqa: BLE001 - reported in the app, never a crash
            self.failed = str(exc)
            log.warning("drafts cannot be kept: %s", exc)

    def _session(self, call: Any, db: Any) -> None:
        if self.session is None:
            return
        try:
            call(db, self.session)
        except Exception as exc:  # noqa: BLE001 - a heartbeat missed must not crash the app
            log.warning("app session %s not recorded: %s", self.session, exc)

    def _loop(self, db: Any) -> None:
        while True:
            try:
                item = self._queue.get(timeout=board.drafts.HEARTBEAT_SECONDS)
            except queue.Empty:
                self._session(board.beat, db)
                continue
            if item is None:
                break
            with self._lock:
                latest = self._pending.get(item.spec.key)
            if latest is not item:
                continue  # a newer keystroke for this form is queued: write that one
            try:
                self._write(db, item)
            except Exception as exc:  # noqa: BLE001 - a lost draft must not crash the app
                self.failed = str(exc)
                log.warning("draft %s not kept: %s", item.spec.key, exc)
            with self._lock:
                if self._pending.get(item.spec.key) is item:
                    del self._pending[item.spec.key]

    @staticmethod
    def _write(db: Any, item: _Write) -> None:
        if item.fields is None and item.adopted:
            board.discard_adopted(db, item.spec.key)
        elif item.fields is None:
            board.discard_draft(db, item.spec.key)
        else:
            board.save_draft(
                db,
                item.spec.key,
                meeting_id=item.spec.meeting_id,
                form=item.spec.form,
                fields=item.fields,
                base=item.base,
                seq=item.seq,
                slot=item.spec.slot,
                session=item.spec.session,
            )
