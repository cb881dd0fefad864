"""The register transfer sheet: risks escalated to the Directorate or Corporate register,
in the columns the receiving register's own template takes in.

``config.toml`` ``[export.register.columns]`` maps each header of that template to a
riskboard field, in order (see :data:`FIELDS`); an unknown field is a config error
naming the key. With ``meeting_id`` the sheet holds what that meeting escalated and
the earlier escalations it accepted (as at its board month); without it, every open
escalation to the register (proposed or accepted, not declined, not since
de-escalated), with the risk as in the latest month it was exported. Declined escalations are never transferred.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Literal, get_args

import sqlite_utils
from openpyxl import Workbook

from riskboard.board import escalations_at, get_meeting, list_escalations
from riskboard.board.models import Escalation
from riskboard.config import Config
from riskboard.domain import ESCALATION_TARGET_NAMES, Action, EscalationTarget, Risk, upper_first
from riskboard.errors import ConfigError, NotFound, Remedy, RiskboardError
from riskboard.register import RegisterRow, register_rows, score_history
from riskboard.reports.minutes import load_minutes
from riskboard.reports.minutes_content import Minutes
from riskboard.reports.minutes_model import flag_labels
from riskboard.reports.safe_write import needs_cut, write_atomic, write_csv
from riskboard.reports.xlsx_sheets import (
    Column,
    Kind,
    RagPalette,
    SheetWriter,
    print_setup,
    table_sheet,
)
from riskboard.store import register as store
from riskboard.store.db import database_path

Register = Literal["directorate", "corporate"]
TransferFormat = Literal["xlsx", "csv"]

# every field a column can name, and how it is written in xlsx
FIELDS: dict[str, Kind] = {
    "ref": "text", "title": "wrap", "description": "wrap", "cause": "wrap", "effect": "wrap",
    "annex": "text", "category": "text", "owner": "text", "status": "text",
    "strategy": "text", "strategy_text": "text", "controls": "wrap", "trend": "text",
    "inherent_likelihood": "int", "inherent_impact": "int", "inherent_score": "score",
    "current_likelihood": "int", "current_impact": "int", "current_score": "score",
    "rag": "rag", "previous_score": "int", "direction": "text",
    "target_likelihood": "int", "target_impact": "int", "target_score": "int",
    "exposure": "gbp", "early_warning_ref": "text", "compensation_event_ref": "text",
    "action_count": "int", "last_action_update": "date", "next_due": "date", "flags": "wrap",
    "actions": "wrap", "board_actions": "text", "reason": "wrap", "proposed_owner": "text",
    "date": "date", "minute_ref": "text", "meeting_id": "int", "month": "text",
    "register": "text", "escalation_status": "text", "decision_note": "wrap",
}  # fmt: skip


def check_columns(config: Config) -> list[tuple[str, str]]:
    """(header, field) pairs in the configured order; RiskboardError on an unknown field."""
    columns = list(config.export.register.columns.items())
    where = f"{config.source}: " if config.source else ""
    if not columns:
        raise ConfigError(f"{where}export.register.columns is empty: name at least one column")
    for header, field in columns:
        if field not in FIELDS:
            raise ConfigError(
                f"{where}export.register.columns.{header!r}: unknown field {field!r}",
                hint="fields: " + ", ".join(FIELDS),
            )
    return columns


@dataclass
class TransferRow:
    escalation: Escalation
    meeting_date: date
    month: str
    row: RegisterRow | None
    risk: Risk | None
    minute_ref: str
    board_actions: list[int]
    board_strategy: str | None  # the strategy the board recorded when it reviewed the risk


def _actions_text(actions: Sequence[Action]) -> str | None:
    lines = []
    for a in actions:
        parts = [a.text or "(no text)"]
        extra = ", ".join(
            x for x in (a.owner, f"due {a.due:%d/%m/%Y}" if a.due else None, a.status) if x
        )
        if extra:
            parts.append(f"({extra})")
        if a.progress:
            parts.append(f"– {a.progress}")
        prefix = f"{a.action_ref}: " if a.action_ref else ""
        lines.append(prefix + " ".join(parts))
    return "\n".join(lines) or None


def _value(t: TransferRow, field: str) -> object:
    e, row, risk = t.escalation, t.row, t.risk
    special: dict[str, object] = {
        "actions": _actions_text(risk.actions) if risk else None,
        "board_actions": ", ".join(str(n) for n in t.board_actions) or None,
        "reason": e.reason,
        "proposed_owner": e.proposed_owner,
        "date": t.meeting_date,
        "minute_ref": t.minute_ref,
        "meeting_id": e.meeting_id,
        "month": t.month,
        "register": ESCALATION_TARGET_NAMES[e.target],
        "escalation_status": upper_first(e.status.value),
        "decision_note": e.decision_note,
        "exposure": e.exposure if e.exposure is not None else (row.exposure if row else None),
        "flags": "; ".join(flag_labels(row.flags)) if row else None,
        "title": (row.title if row else None) or e.risk_title,
        "current_score": row.current_score if row else e.risk_score,
        "strategy": t.board_strategy
        or ((upper_first(row.strategy or "") or None) if row else None),
        "rag": upper_first(row.rag) if row and row.rag else None,
    }
    if field in special:
        return special[field]
    if row is not None and field in RegisterRow.model_fields:
        return getattr(row, field)
    if risk is not None and field in Risk.model_fields:
        return getattr(risk, field)
    return e.ref if field == "ref" else None


def _is_open(e: Escalation, later: list[Escalation], target: str) -> bool:
    if e.status.value == "declined":
        return False
    return not any(
        d.direction == "de-escalate" and d.status.value != "declined" and d.id > e.id
        and (d.source in (None, target)) and d.ref == e.ref
        for d in later
    )  # fmt: skip


def transfer_rows(
    db: sqlite_utils.Database, config: Config, register: Register, meeting_id: int | None
) -> list[TransferRow]:
    """The risks to transfer, by ref. With ``meeting_id``: those the meeting escalated
    (not declined) and those escalated at an earlier meeting that it accepted (minuted
    at this meeting: its decision is what sends them)."""
    target = EscalationTarget(register).value
    every = list_escalations(db, meeting_id=meeting_id)
    if meeting_id is not None:  # and earlier ones it accepted, unless since returned
        everything = list_escalations(db)
        every += [
            e for e in escalations_at(db, meeting_id)[1]
            if e.status.value == "accepted" and _is_open(e, everything, target)
        ]  # fmt: skip
    chosen = [
        e for e in every
        if e.target.value == target and e.direction == "escalate" and e.status.value != "declined"
    ]  # fmt: skip
    if meeting_id is None:
        everything = list_escalations(db)
        chosen = [e for e in chosen if _is_open(e, everything, target)]
        latest: dict[str, Escalation] = {}
        for e in chosen:  # one line per risk: its latest escalation
            latest[e.ref] = e
        chosen = list(latest.values())
    minutes_cache: dict[int, Minutes] = {}
    rows_cache: dict[str, dict[str, RegisterRow]] = {}
    risks_cache: dict[str, dict[str, Risk]] = {}

    def month_data(month: str) -> tuple[dict[str, RegisterRow], dict[str, Risk]]:
        if month not in rows_cache:
            rows_cache[month] = {r.ref: r for r in register_rows(db, month, config)}
        if month not in risks_cache:
            risks_cache[month] = {r.ref: r for r in store.load_month(db, month)}
        return rows_cache[month], risks_cache[month]

    out = []
    for e in sorted(chosen, key=lambda x: (x.ref, x.id)):
        minuted_at = meeting_id if meeting_id is not None else e.meeting_id
        if minuted_at not in minutes_cache:
            minutes, month_rows = load_minutes(db, config, minuted_at)
            minutes_cache[minuted_at] = minutes
            rows_cache.setdefault(minutes.month, {r.ref: r for r in month_rows})
        minutes = minutes_cache[minuted_at]
        month = minutes.month
        if meeting_id is None:  # the risk as in the latest month it was exported
            latest_seen = score_history(db, e.ref, months=1)
            month = latest_seen[-1][0] if latest_seen else month
        rows, risks = month_data(month)
        out.append(
            TransferRow(
                escalation=e,
                meeting_date=minutes.meeting_date,
                month=month,
                row=rows.get(e.ref),
                risk=risks.get(e.ref),
                minute_ref=minutes.minute_ref(e.ref),
                board_actions=[a.number for a in minutes.actions
                               if a.risk_ref == e.ref and a.source == "new"],
                board_strategy=next(
                    (d.strategy for d in minutes.decisions if d.ref == e.ref), None
                ),
            )
        )  # fmt: skip
    return out


def transfer_path(
    db: sqlite_utils.Database, register: str, meeting_id: int | None, fmt: str, out_dir: Path
) -> Path:
    if meeting_id is None:
        stem = f"transfer_{register}_open_escalations_{date.today().isoformat()}"
    else:
        m = get_meeting(db, meeting_id)
        stem = f"transfer_{register}_{m.month}_meeting_{m.meeting_date.isoformat()}"
    return Path(out_dir) / f"{stem}.{fmt}"


class TransferFile(tuple[Path | None, int]):
    """(path, number of risks) - unpacks as before - and ``cut``: fields cut at Excel's
    32,767-character cell limit (csv and xlsx alike). Path None: nothing to transfer,
    no file."""

    cut: int

    def __new__(cls, path: Path | None, count: int, cut: int = 0) -> TransferFile:
        self = super().__new__(cls, (path, count))
        self.cut = cut
        return self


def export_register(
    db: sqlite_utils.Database,
    config: Config,
    *,
    register: Register,
    meeting_id: int | None = None,
    fmt: TransferFormat = "xlsx",
    out_dir: Path | None = None,
) -> TransferFile:
    """Write the transfer sheet; returns (path, number of risks, fields cut at Excel's
    cell limit - each cut cell also carries the note itself). With no risk to
    transfer nothing is written: path None, 0 risks - an empty sheet sent to a
    register's keeper reads as a mistake. NotFound naming the database when no register
    was ever imported into it."""
    if register not in get_args(Register):
        raise RiskboardError(f"unknown register {register!r}: use directorate or corporate")
    if fmt not in get_args(TransferFormat):
        raise RiskboardError(f"unknown format {fmt!r}: use xlsx or csv")
    columns = check_columns(config)
    if store.latest_month(db) is None:
        raise NotFound(
            f"no register has been imported yet into database {database_path(db)}:"
            " there is nothing to transfer (no file was written)",
            remedy=Remedy.IMPORT_REGISTER,
        )
    rows = transfer_rows(db, config, register, meeting_id)
    if not rows:
        return TransferFile(None, 0)
    values = [[_value(t, field) for _, field in columns] for t in rows]
    target = transfer_path(db, register, meeting_id, fmt, out_dir or config.paths.exports)
    if fmt == "csv":
        written = write_csv(target, [h for h, _ in columns], values)
        return TransferFile(written.path, len(rows), written.cut)
    palette = RagPalette(config)
    wb = Workbook(write_only=True)
    table_sheet(wb, "Transfer", [Column(h, FIELDS[f]) for h, f in columns], values, palette)
    about = SheetWriter(wb.create_sheet("About"), palette)
    print_setup(about.ws)
    about.widths([24, 80])
    about.pairs([
        ("Register", ESCALATION_TARGET_NAMES[EscalationTarget(register)]),
        ("Source", config.meeting.board_name),
        ("Escalations", f"raised at meeting {meeting_id}, or raised earlier and accepted"
                        " there" if meeting_id else
                        "all open (proposed or accepted, not since de-escalated)"),
        ("Risks", len(rows)),
        ("Exported", date.today().strftime("%d/%m/%Y")),
    ])  # fmt: skip
    cut = sum(needs_cut(v) for row in values for v in row)
    return TransferFile(write_atomic(target, lambda tmp: wb.save(str(tmp))), len(rows), cut)
