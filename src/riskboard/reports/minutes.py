"""The minutes export service: pick the meeting, build its minutes once, write a format.

Used by ``riskboard export minutes`` and usable from scripts and the TUI.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Literal, get_args

import sqlite_utils

from riskboard import ew_register, flag_text
from riskboard.board import chain_head, get_meeting, list_meetings, meeting_record, verify
from riskboard.board.risk_history import board_strategies
from riskboard.config import Config
from riskboard.domain import month_name, uk_date
from riskboard.errors import NotFound, Remedy, RiskboardError
from riskboard.register import RegisterRow, imports_since, previous_month, register_rows
from riskboard.reports.minutes_content import Minutes
from riskboard.reports.minutes_ew import EwMinutesSummary, EwOpenItem
from riskboard.reports.minutes_model import build_minutes
from riskboard.store.db import database_path

MinutesFormat = Literal["docx", "xlsx", "md"]
FORMATS: tuple[str, ...] = get_args(MinutesFormat)


def latest_meeting_id(db: sqlite_utils.Database) -> int:
    """The most recent meeting (by meeting date, then id); RiskboardError if none."""
    meetings = list_meetings(db)
    if not meetings:
        raise NotFound(
            f"no meeting has been recorded yet in database {database_path(db)}",
            remedy=Remedy.START_MEETING,
        )
    return max(meetings, key=lambda m: (m.meeting_date, m.id)).id


def load_minutes(
    db: sqlite_utils.Database, config: Config, meeting_id: int | None = None
) -> tuple[Minutes, list[RegisterRow]]:
    """The minutes of ``meeting_id`` (default: the latest) and its month's register."""
    mid = latest_meeting_id(db) if meeting_id is None else meeting_id
    record = meeting_record(db, mid)
    month = record["meeting"]["month"]
    # the flags as the board saw them at that meeting: later meetings never change them
    rows = register_rows(db, month, config, meeting_id=mid)
    approver = (record.get("approval") or {}).get("approved_by_meeting_id")
    approving_date = get_meeting(db, approver).meeting_date if approver else None
    head = chain_head(db)
    minutes = build_minutes(
        record,
        rows,
        config,
        approving_meeting_date=approving_date,
        decided=board_strategies(db, upto_meeting_id=mid),
        chain_head=head.anchor if head else None,
        early_warnings=ew_summary(db, config, month, mid),
    )
    return minutes, rows


def ew_summary(
    db: sqlite_utils.Database, config: Config, month: str, meeting_id: int
) -> EwMinutesSummary | None:
    """The early warning register that stood for the meeting (None: none imported)."""
    view = ew_register.view(db, month, config, meeting_id=meeting_id)
    if view.ew_month is None:
        return None
    return EwMinutesSummary(
        month=month,
        ew_month=view.ew_month,
        total=len(view.on_register),
        missing=[r.ref for r in view.missing_rows],
        open_items=[_item(r) for r in view.open_rows],
        new_items=[_item(r) for r in view.rows if r.new],
    )


def _item(row: ew_register.EwRow) -> EwOpenItem:
    return EwOpenItem(
        ref=row.ref,
        matter=row.description,
        new=row.new,
        flags=[flag_text.label(c) for c in row.flags],
    )


def check_before_export(
    db: sqlite_utils.Database, meeting_id: int, what: str = "the minutes"
) -> None:
    """Refuse to write minutes that would say what the record no longer supports: every
    minutes export - a draft too - first checks the meeting (``board.verify``: approved
    minutes against their approval hash, a closed meeting against the hash taken at its
    close) and the audit log as a whole (triggers, chain, tables against the log).
    RiskboardError, one line: what is wrong and how to see every check."""
    result = verify(db, meeting_id)
    if result.ok:
        return
    more = len(result.findings) - 1
    also = f" (and {more} more finding{'s' if more != 1 else ''})" if more > 0 else ""
    raise RiskboardError(
        f"refused to export {what}: {result.message}{also}",
        hint=f"`riskboard meeting verify {meeting_id}` shows every check; {what} can be"
        " exported again once the record and its audit log are sound",
    )


def minutes_path(minutes: Minutes, fmt: str, out_dir: Path) -> Path:
    return Path(out_dir) / f"{minutes.file_stem()}.{fmt}"


def export_minutes(
    db: sqlite_utils.Database,
    config: Config,
    *,
    meeting_id: int | None = None,
    fmt: MinutesFormat = "docx",
    out_dir: Path | None = None,
) -> Path:
    """Write the minutes of a meeting (default: the latest) in ``fmt``; returns the path.

    The file lands in ``out_dir`` (default ``config.paths.exports``), named for the board
    month and meeting date; an existing file of that name is replaced atomically.
    The record and the audit log are verified first (``check_before_export``): minutes
    of a record that no longer matches, or over an audit log that is not sound, are
    refused (RiskboardError, nothing written). Every minutes prints the audit log's head
    (row and hash): the anchor ``meeting verify --anchor`` checks later.
    """
    if fmt not in FORMATS:
        raise RiskboardError(f"unknown minutes format {fmt!r}: use one of {', '.join(FORMATS)}")
    mid = latest_meeting_id(db) if meeting_id is None else meeting_id
    check_before_export(db, mid)
    minutes, rows = load_minutes(db, config, mid)
    target = minutes_path(minutes, fmt, out_dir or config.paths.exports)
    if fmt == "docx":
        from riskboard.reports.minutes_docx import write_docx

        return write_docx(minutes, config, target)
    if fmt == "xlsx":
        from riskboard.reports.minutes_xlsx import write_minutes_xlsx

        decided = board_strategies(db, upto_meeting_id=mid)
        note = register_since_note(db, mid)
        return write_minutes_xlsx(minutes, rows, config, target, decided, register_note=note)
    from riskboard.reports.minutes_md import write_md

    return write_md(minutes, target)


def register_since_note(db: sqlite_utils.Database, meeting_id: int) -> str | None:
    """What the minutes workbook's Risk Log (the whole register, read as now imported)
    must say when its month - or the month before, which direction of travel compares
    with - was imported again after the meeting closed: the reviewed risks in the
    minutes are as the board saw them; the Risk Log is not. None when it was not."""
    meeting = get_meeting(db, meeting_id)
    if meeting.closed_at is None:
        return None
    months = {meeting.month, previous_month(db, meeting.month)}
    later = [i for i in imports_since(db, 0) if i["month"] in months
             and str(i["imported_at"]) > str(meeting.closed_at)]  # fmt: skip
    if not later:
        return None
    last = later[-1]
    when = uk_date(date.fromisoformat(str(last["imported_at"])[:10]))
    return (
        f"as imported now: {month_name(last['month'])} was imported again on {when}"
        f" ({last['file_name']}), after the meeting; the risks the board reviewed are"
        " minuted as it saw them"
    )
