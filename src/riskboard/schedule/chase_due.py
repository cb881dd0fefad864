"""The nightly job's part in the owner emails: ``[chase] days_before_board`` days before
the next board, prepare the month's emails once.

The month is the latest imported (the one the next board reviews); the board date is
the one ``chase_plan.board_date_for`` finds (a meeting recorded for that month, else
the next meeting date set at the last meeting) - with none recorded, nothing is done
(the run's report says so once the window is reached, as there is no window without a
date). From ``days_before_board`` days before that date until the day before it, the
job:

- ``scheduled = "drafts"`` (default): writes the drafts into
  ``exports/chase-YYYY-MM-emails/``, once for the month;
- ``scheduled = "send"``: sends them (``chase_send``: each owner once); if some could
  not be sent (a failure, no address yet), the next night tries those again, until the
  board date;
- ``scheduled = "off"``: nothing.

What was done is recorded in ``chase_mail_runs`` (one row per month) and in the run's
details (``scheduler status``).
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import NamedTuple
from zoneinfo import ZoneInfo

import sqlite_utils

from riskboard.config import Config
from riskboard.domain import uk_date
from riskboard.errors import RiskboardError
from riskboard.safe_text import one_line
from riskboard.store import chase_mail as store
from riskboard.store.register import latest_month

log = logging.getLogger("riskboard.schedule.chase_due")

EMAILS_DIR = "chase-{month}-emails"


class DueOutcome(NamedTuple):
    ok: bool
    month: str
    what: str  # the folder written, "sent", or "" when it failed
    message: str


def owner_emails_due(
    db: sqlite_utils.Database, config: Config, clock: Callable[[], datetime]
) -> DueOutcome | None:
    """Prepare the latest month's owner emails if they are due and not yet done;
    None when there is nothing to do tonight. Never raises for a mail, folder or
    database problem: that is the outcome (not ok), and the next night tries again."""
    from riskboard.reports.chase_plan import board_date_for
    from riskboard.reports.owner_emails import draft_owner_emails, send_owner_emails

    mode = config.chase.scheduled
    month = latest_month(db)
    if mode == "off" or month is None:
        return None
    earlier = store.scheduled_run(db, month)
    if earlier is not None and earlier["outcome"] == "done":
        return None
    try:
        board = board_date_for(db, month)
    except RiskboardError as exc:
        log.info("owner emails for %s not prepared: %s", month, exc)
        return None
    now = clock()
    today = now.astimezone(ZoneInfo(config.schedule.timezone)).date()
    opens = board.when - timedelta(days=config.chase.days_before_board)
    if not opens <= today < board.when:
        return None
    try:
        if mode == "drafts":
            folder = config.paths.exports / EMAILS_DIR.format(month=month)
            plan, written = draft_owner_emails(
                db, config, folder, month=month, today=today, now=now
            )
            missing = [one_line(m.owner) for m in plan.without_address]
            message = (
                f"{len(written.files)} owner email drafts for the board on"
                f" {uk_date(board.when)} in {folder}"
                + (f"; no address for {', '.join(missing)}" if missing else "")
                + (
                    f"; flagged risks with no owner: {', '.join(one_line(i.ref) for i in plan.no_owner)}"
                    if plan.no_owner
                    else ""
                )  # fmt: skip
            )
            outcome, what, ok = "done", str(folder), True
        else:
            plan, report = send_owner_emails(
                db, config, month=month, today=today, origin="scheduler", clock=clock
            )
            parts = [f"{report.count('sent')} sent"]
            if report.count("already_sent"):
                parts.append(f"{report.count('already_sent')} sent before")
            parts += [f"{one_line(r.owner)}: {one_line(r.message)}" for r in report.problems]
            message = f"owner emails for the board on {uk_date(board.when)}: " + "; ".join(parts)
            outcome = "partial" if report.problems else "done"
            what, ok = "sent", not report.problems
        store.record_scheduled_run(
            db,
            {
                "month": month,
                "board_date": board.when.isoformat(),
                "mode": mode,
                "outcome": outcome,
                "detail": message,
                "folder": what if mode == "drafts" else None,
                "done_at": now.isoformat(),
            },
        )
    except (RiskboardError, OSError, sqlite3.Error) as exc:
        log.error("owner emails for %s not prepared: %s", month, exc)
        # nothing to point at: no folder was written (a send writes none at all)
        return DueOutcome(False, month, "", f"owner emails not prepared: {exc}")
    log.info("owner emails for %s: %s", month, message)
    return DueOutcome(ok, month, what, message)
