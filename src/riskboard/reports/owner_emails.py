"""The owner emails as the faces use them: preview, write drafts, send - each one call.

Every function plans the month's emails (``chase_plan.plan_chase``: the chase list
split by owner, each owner's address, the board date) and then does its one thing.
Arguments: ``month`` YYYY-MM (default the latest imported), ``board_date`` a date or
``DD/MM/YYYY`` / ``YYYY-MM-DD`` text (default: the date recorded for that board),
``owners`` names as the register writes them (default: every owner), ``today`` the
local date (a board date before it is refused for sending, warned about otherwise).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from pathlib import Path

import sqlite_utils

from riskboard.board.dates import parse_optional_date
from riskboard.config import Config
from riskboard.reports.chase_eml import DraftsWritten, write_drafts
from riskboard.reports.chase_mail import assign_slugs
from riskboard.reports.chase_plan import ChasePlan, plan_chase
from riskboard.reports.chase_send import SendReport, send_chase


def preview_owner_emails(
    db: sqlite_utils.Database,
    config: Config,
    *,
    month: str | None = None,
    board_date: date | str | None = None,
    owners: Sequence[str] = (),
    today: date,
) -> ChasePlan:
    """Who would get what, writing and sending nothing."""
    plan = plan_chase(
        db,
        config,
        month=month,
        board_date=parse_optional_date(board_date, "board date"),
        owners=owners,
        today=today,
    )
    assign_slugs(plan)
    return plan


def draft_owner_emails(
    db: sqlite_utils.Database,
    config: Config,
    folder: Path,
    *,
    month: str | None = None,
    board_date: date | str | None = None,
    owners: Sequence[str] = (),
    today: date,
    now: datetime | None = None,
) -> tuple[ChasePlan, DraftsWritten]:
    """One ``.eml`` draft per owner in ``folder`` (see ``chase_eml``)."""
    plan = preview_owner_emails(
        db, config, month=month, board_date=board_date, owners=owners, today=today
    )
    written = write_drafts(
        plan, config, folder, now=now or datetime.now(UTC), whole_month=not owners
    )
    return plan, written


def send_owner_emails(
    db: sqlite_utils.Database,
    config: Config,
    *,
    month: str | None = None,
    board_date: date | str | None = None,
    owners: Sequence[str] = (),
    today: date,
    again: bool = False,
    dry_run: bool = False,
    origin: str = "command line",
    clock: Callable[[], datetime] | None = None,
) -> tuple[ChasePlan, SendReport]:
    """Send each owner's email not yet sent for the month (see ``chase_send``)."""
    plan = preview_owner_emails(
        db, config, month=month, board_date=board_date, owners=owners, today=today
    )
    report = send_chase(
        db,
        config,
        plan,
        today=today,
        again=again,
        dry_run=dry_run,
        origin=origin,
        clock=clock or (lambda: datetime.now(UTC)),
    )
    return plan, report
