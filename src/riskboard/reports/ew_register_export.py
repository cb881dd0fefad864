"""The revised early warning register a meeting issues (NEC4 clause 15.2: within one week
of the early warning meeting), as xlsx or csv.

Every early warning of the register that stood for the meeting's board month, with the
meeting's decisions applied: its status (kept open, removed, became a compensation
event with its CE reference), the meeting date, the decision and reason, and the actions
the register lists plus the board's actions on it still open at the end of the meeting
(raised there or carried from earlier meetings; numbered in the action log).
An early warning decided against its last known entry (missing from the month's
register) is listed too. Text from a register or typed at the meeting never becomes a
live formula (``safe_write``); approved minutes' records are verified first, as for the
minutes themselves.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Literal, get_args

import sqlite_utils
from openpyxl import Workbook

from riskboard import board
from riskboard.config import Config
from riskboard.domain import ref_key, uk_date
from riskboard.early_warning import (
    EW_STATUS_LABELS,
    STATUS_AFTER,
    EwDecisionKind,
    EwStatus,
    decision_words,
)
from riskboard.errors import RiskboardError
from riskboard.ew_register import EwRow, require_register, view
from riskboard.flag_details import EwNoLinkedRiskDetail
from riskboard.reports.minutes import check_before_export, latest_meeting_id
from riskboard.reports.minutes_ew import due_basis
from riskboard.reports.safe_write import write_atomic, write_csv
from riskboard.reports.xlsx_sheets import Column, RagPalette, SheetWriter, table_sheet
from riskboard.store import early_warnings as ew_store

EwRegisterFormat = Literal["xlsx", "csv"]

COLUMNS = [
    Column("EW ref", "text"), Column("Date notified", "date", 12), Column("Notified by", "text"),
    Column("Description of the matter", "wrap", 45), Column("Linked risk", "text"),
    Column("Risk register link", "wrap", 30), Column("Actions (owner, date)", "wrap", 50),
    Column("Meeting date", "date", 12), Column("Decision", "wrap", 40), Column("Status", "text"),
    Column("CE ref", "text"), Column("Decided at this meeting", "text"),
]  # fmt: skip


@dataclass(frozen=True)
class EwRegisterFile:
    path: Path
    count: int  # early warnings written
    decided: int  # of which the meeting decided
    cut: int = 0  # csv fields cut at Excel's cell limit
    due: date | None = None  # when the revised register must be issued


def _action_lines(row: EwRow) -> list[str]:
    lines = []
    for a in row.actions:
        extra = ", ".join(x for x in (a.owner, uk_date(a.due) if a.due else None, a.status) if x)
        lines.append(f"{a.text or '(no text)'}" + (f" ({extra})" if extra else ""))
    return lines


def _unread(row: EwRow, field: str) -> str | None:
    """A value the register gave that could not be read, said so (never a blank)."""
    cell = next((c for c in row.unreadable if c.field == field), None)
    return f"could not read: {cell.text}" if cell else None


def _link_text(row: EwRow) -> str | None:
    """The risks linked by either register, the disagreement if there is one, and a
    linked risk the risk register does not hold."""
    from riskboard.flag_text import evidence

    text = ", ".join(row.risks) if row.risks else None
    detail = row.flag_details.get("ew_link_mismatch")
    if detail is not None:
        text = f"{text or 'none'} - registers disagree: {evidence('ew_link_mismatch', detail)}"
    missing = row.flag_details.get("ew_no_linked_risk")
    if text and isinstance(missing, EwNoLinkedRiskDetail) and missing.not_on_register:
        text = (
            f"{text} - {', '.join(missing.not_on_register)} not on the {missing.month}"
            " risk register"
        )
    return text


def board_actions(db: sqlite_utils.Database, meeting_id: int) -> dict[str, list[str]]:
    """{EW ref key: lines} for the board's actions on each early warning still open at
    the end of the meeting (``board.live_ew_actions``: raised there or carried)."""
    return {
        key: [
            f"Action {a.number}: {a.text} ({a.owner or '-'}, {uk_date(a.revised_due or a.due)})"
            for a in actions
        ]
        for key, actions in board.live_ew_actions(db, meeting_id).items()
    }


@dataclass(frozen=True)
class _Earlier:
    """The board's latest decision on an early warning before this meeting."""

    meeting_id: int
    day: date
    kind: EwDecisionKind
    words: str


def earlier_decisions(db: sqlite_utils.Database, meeting: board.Meeting) -> dict[str, _Earlier]:
    """{EW ref key: the board's latest decision at an earlier meeting} (the revised
    register carries it where the contractor's register has nothing newer)."""
    out: dict[str, _Earlier] = {}
    for row in ew_store.decision_rows(db):  # oldest first
        day = date.fromisoformat(row["meeting_date"][:10])
        if row["meeting_id"] == meeting.id or day > meeting.meeting_date:
            continue
        kind = EwDecisionKind(row["decision"])
        words = decision_words(kind, row["reason"], row["ce_ref"])
        out[ref_key(row["ew_ref"])] = _Earlier(row["meeting_id"], day, kind, words)
    return out


def _standing(row: EwRow, earlier: _Earlier | None) -> tuple[date | None, str | None, str]:
    """Meeting date, decision and status of an early warning this meeting did not decide:
    the register's, or the board's earlier decision where the register has nothing newer
    (with the register's contrary status said, never silently replaced)."""
    if earlier is None or (row.meeting_date is not None and row.meeting_date >= earlier.day):
        return row.meeting_date, row.decision, EW_STATUS_LABELS[row.status]
    status = EW_STATUS_LABELS[STATUS_AFTER[earlier.kind]]
    if STATUS_AFTER[earlier.kind] != row.status:
        status += f" (the contractor's register still shows {EW_STATUS_LABELS[row.status]})"
    return earlier.day, f"{earlier.words} (the board, meeting {earlier.meeting_id})", status


def revised_rows(
    db: sqlite_utils.Database, config: Config, meeting_id: int
) -> tuple[list[list[object]], int, board.Meeting]:
    """The revised register's rows (in ``COLUMNS`` order), how many the meeting decided,
    and the meeting."""
    meeting = board.get_meeting(db, meeting_id)
    require_register(db, meeting.month)
    register = view(db, meeting.month, config, meeting_id=meeting_id)
    decisions = {ref_key(d.ew_ref): d for d in board.ew_decisions(db, meeting_id)}
    actions = board_actions(db, meeting_id)
    earlier = earlier_decisions(db, meeting)
    out: list[list[object]] = []
    seen: set[str] = set()
    for row in register.rows:
        key = ref_key(row.ref)
        seen.add(key)
        d = decisions.get(key)
        on, decision, status = (
            (meeting.meeting_date, d.words, EW_STATUS_LABELS[d.status_after])
            if d
            else _standing(row, earlier.get(key))
        )
        ce = row.compensation_event_ref
        if d is not None:
            if row.status != EwStatus.OPEN and d.status_after != row.status:
                status += f" (the contractor's register shows {EW_STATUS_LABELS[row.status]})"
            if d.ce_ref:
                differs = ce and ref_key(ce) != ref_key(d.ce_ref)
                ce = f"{d.ce_ref} (the contractor's register: {ce})" if differs else d.ce_ref
        out.append(
            [
                row.ref, row.date_notified or _unread(row, "date_notified"), row.notified_by,
                row.description, row.linked_risk,
                _link_text(row), "\n".join(_action_lines(row) + actions.get(key, [])) or None,
                on, decision, status, ce,
                "Yes" if d else None,
            ]
        )  # fmt: skip
    for key, d in decisions.items():
        if key in seen:
            continue  # decided against its last known entry: not in this month's register
        out.append(
            [
                d.ew_ref, d.ew_date_notified, None, d.ew_description, d.ew_linked_risk, None,
                "\n".join(actions.get(key, [])) or None, meeting.meeting_date, d.words,
                EW_STATUS_LABELS[STATUS_AFTER[d.decision]], d.ce_ref, "Yes",
            ]
        )  # fmt: skip
    return out, len(decisions), meeting


def ew_register_path(meeting: board.Meeting, fmt: str, out_dir: Path) -> Path:
    return (
        Path(out_dir)
        / f"early_warning_register_{meeting.month}_meeting_{meeting.meeting_date.isoformat()}.{fmt}"
    )


def export_ew_register(
    db: sqlite_utils.Database,
    config: Config,
    *,
    meeting_id: int | None = None,
    fmt: EwRegisterFormat = "xlsx",
    out_dir: Path | None = None,
) -> EwRegisterFile:
    """Write the revised early warning register of a meeting (default: the latest) into
    ``out_dir`` (default: the exports folder); returns the path and counts. Refused
    (nothing written) when the meeting's record or the audit log does not verify (as for
    the minutes: ``check_before_export``), or no early warning register was ever imported
    for its board month."""
    if fmt not in get_args(EwRegisterFormat):
        raise RiskboardError(f"unknown format {fmt!r}: use xlsx or csv")
    mid = latest_meeting_id(db) if meeting_id is None else meeting_id
    check_before_export(db, mid, "the revised early warning register")
    rows, decided, meeting = revised_rows(db, config, mid)
    due = board.register_due(meeting, config)
    target = ew_register_path(meeting, fmt, out_dir or config.paths.exports)
    if fmt == "csv":
        written = write_csv(target, [c.header for c in COLUMNS], rows)
        return EwRegisterFile(written.path, len(rows), decided, written.cut, due)
    palette = RagPalette(config)
    wb = Workbook(write_only=True)
    table_sheet(
        wb, "Early Warning Register", COLUMNS, rows, palette,
        title=f"Early warning register revised at {meeting.label}",
    )  # fmt: skip
    about = SheetWriter(wb.create_sheet("About"), palette)
    about.widths([28, 80])
    about.pairs([
        ("Register", "Early warning register (revised)"),
        ("Contract", config.early_warnings.contract),
        ("Revised at", f"{config.meeting.board_name}, {meeting.label}"),
        ("Decisions at the meeting", decided),
        ("Early warnings", len(rows)),
        ("To be issued by",
         f"{uk_date(due)} ({due_basis(board.register_due_days(meeting, config))})"),
        ("Exported", date.today().strftime("%d/%m/%Y")),
    ])  # fmt: skip
    path = write_atomic(target, lambda tmp: wb.save(str(tmp)))
    return EwRegisterFile(path, len(rows), decided, 0, due)
