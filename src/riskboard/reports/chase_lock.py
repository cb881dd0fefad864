"""One owner-email send at a time per database: an OS file lock beside the database
(``<database>.chase-send.lock``, the scheduler lock's mechanism: the operating system
drops it when the process ends, however it ends).

While a send holds it, no other can start (the command line and the nightly job
alike), so a send recorded as under way (``sending``) by anyone else is one whose
process stopped - it is never mistaken for one still running, and ``--again`` can
release it at once. A dry run only looks: ``sending_now`` says whether a send is
running, and who runs it.
"""

from __future__ import annotations

import contextlib
from datetime import datetime
from pathlib import Path
from typing import Any

from riskboard.schedule.lock import SchedulerLock, holder_of

SUFFIX = ".chase-send.lock"


class SendLock(SchedulerLock):
    """``with SendLock(database, purpose="command line"):`` - StoreUnavailable saying
    who is sending when another process is."""

    suffix = SUFFIX
    nothing_done = "nothing was sent"

    def __init__(self, database: Path, *, purpose: str) -> None:
        super().__init__(database, purpose=purpose, retries=3)

    def refusal(self, holder: dict[str, Any] | None) -> str:
        return (
            f"another chase --send is running for database {self.database}"
            f"{holder_words(holder)}; nothing was sent - wait for it to finish (it sends"
            " each owner once), then run this again to see what it did"
        )


def sending_now(database: Path) -> dict[str, Any] | None:
    """Who is sending owner emails for ``database`` now (pid, host, started_at,
    purpose), or None when no send is running."""
    return holder_of(Path(f"{database}{SUFFIX}"))


def holder_words(holder: dict[str, Any] | None) -> str:
    """ " (the nightly job, pid 4242 on host, started 03/06/2024 02:00)" or ""."""
    if not holder:
        return ""
    purpose = holder.get("purpose")
    who = "the nightly job" if purpose == "scheduler" else "riskboard chase --send"
    started = str(holder.get("started_at") or "")
    with contextlib.suppress(ValueError):
        started = datetime.fromisoformat(started).strftime("%d/%m/%Y %H:%M UTC")
    return f" ({who}, pid {holder.get('pid')} on {holder.get('host')}, started {started})"
