"""The register service: a month's risks with RAG, direction of travel and flags.

Flags are always computed from the stored snapshots with the current config (so a
changed threshold takes effect at once); ``recompute_flags`` also stores them in
``flag_results`` as the record of what each import flagged.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

import sqlite_utils
from pydantic import BaseModel, Field, SkipValidation, TypeAdapter

from riskboard.board_flags import Holding, board_holdings, with_board_record
from riskboard.config import Config
from riskboard.domain import (
    Flag,
    Risk,
    is_closed_status,
    ref_key,
)
from riskboard.errors import NotFound, Remedy
from riskboard.ew_register import with_early_warning_flags
from riskboard.flag_details import FlagDetail
from riskboard.flags import action_is_complete, compute_flags, escalation_routes
from riskboard.store import register as store
from riskboard.store.db import database_path, store_error

# "unknown": this month's or last month's score is missing or could not be read - never
# "level", which would say nothing changed
Direction = Literal["up", "down", "level", "new", "unknown"]


class RegisterRow(BaseModel):
    """One risk of the month as the board sees it."""

    ref: str
    title: str | None = None
    description: str | None = None
    annex: str | None = None
    category: str | None = None
    owner: str | None = None
    status: str | None = None
    strategy: str | None = None
    strategy_text: str | None = None
    current_likelihood: int | None = None
    current_impact: int | None = None
    current_score: int | None = None
    rag: str | None = None
    previous_score: int | None = None
    direction: Direction = "new"
    target_score: int | None = None
    exposure: float | None = None
    controls: str | None = None
    trend: str | None = None
    action_count: int = 0
    last_action_update: str | None = None
    next_due: str | None = None
    flags: list[str] = Field(default_factory=list)
    # the Flag's detail models, already validated (see domain.Flag.details)
    flag_details: dict[str, SkipValidation[FlagDetail]] = Field(default_factory=dict)
    # suggested escalation targets (EscalationTarget values): register by score,
    # financial implications to the other boards
    routes: list[str] = Field(default_factory=list)
    # the registers above the contract's the board has put the risk on (accepted
    # escalations not since returned), as at the meeting the register is seen at
    holdings: list[Holding] = Field(default_factory=list)

    @property
    def missing(self) -> bool:
        """Open last month, absent from this month's export (flag missing_from_export)."""
        return self.status == MISSING

    @property
    def closed(self) -> bool:
        """Exported as closed (or archived / retired)."""
        return is_closed_status(self.status)

    @property
    def is_open(self) -> bool:
        """In this month's export and not closed: what the heat map places and counts."""
        return not (self.missing or self.closed)


MISSING = "missing"  # the status register_rows gives a risk missing from the export


def direction_of(
    current: int | None, previous: int | None, *, in_previous: bool, missing: bool = False
) -> Direction:
    """Direction of travel: ``new`` when the risk was not in the previous month's
    export (or there is none), ``up`` / ``down`` by current score, ``unknown`` when either
    score is blank or could not be read (never ``level``, which would say nothing
    changed), else ``level`` (also for a risk missing from this month's export)."""
    if missing:
        return "level"
    if not in_previous:
        return "new"
    if previous is None or current is None:
        return "unknown"
    return "up" if current > previous else "down" if current < previous else "level"


_ROW_LIST: TypeAdapter[list[RegisterRow]] = TypeAdapter(list[RegisterRow])


def resolve_month(db: sqlite_utils.Database, month: str | None) -> str:
    """``month`` if it has data, else the latest imported month; a clear error if none."""
    if month is None:
        latest = store.latest_month(db)
        if latest is None:
            raise NotFound(
                f"no register has been imported yet into database {database_path(db)}",
                remedy=Remedy.IMPORT_REGISTER,
            )
        return latest
    available = store.months(db)
    if month not in available:
        shown = ", ".join(available[-12:]) or "none"
        raise NotFound(
            f"no register imported for {month} in database {database_path(db)}"
            f" (months with data: {shown})"
        )
    return month


def _report_date(db: sqlite_utils.Database, month: str) -> date | None:
    text = store.month_report_date(db, month)
    try:
        return date.fromisoformat(text[:10]) if text else None
    except ValueError:
        return None


@dataclass(frozen=True)
class PreviousMonth:
    """What the flag rules read of the month before ``month`` (its risks, without their
    actions), read ahead by ``read_previous`` - e.g. while an import parses its file."""

    month: str
    previous_month: str | None
    risks: list[Risk] | None
    data_version: int  # the connection's PRAGMA data_version when it was read


def read_previous(db: sqlite_utils.Database, month: str) -> PreviousMonth:
    """Read the previous month for ``flags_for(month, ahead=...)`` now; it is used only
    if no other connection has committed since (else read again)."""
    version = store.data_version(db)
    previous_month = store.previous_month_with_data(db, month)
    risks = None
    if previous_month is not None:
        risks = store.load_month(db, previous_month, actions_for=(), fields=PREVIOUS_FOR_FLAGS)
    return PreviousMonth(month, previous_month, risks, version)


def flags_for(
    db: sqlite_utils.Database,
    month: str,
    config: Config,
    *,
    current: Sequence[Risk] | None = None,
    ahead: PreviousMonth | None = None,
    meeting_id: int | None = None,
) -> list[Flag]:
    """The month's flags computed from its snapshots and the previous month's, and the
    board's record as at meeting ``meeting_id`` (decisions and escalations of the
    meetings before it), else as it stands now (``with_board_record``).

    ``current`` may pass the month's risks when the caller already holds all of them
    (an import that is the month's only one), saving a read of the month back;
    ``ahead`` the previous month as ``read_previous`` read it earlier."""
    with store.gc_paused():
        months = _months(db, month, current, PREVIOUS_FOR_FLAGS, ahead)
        return _compute(db, month, config, *months, meeting_id=meeting_id)


def _compute(
    db: sqlite_utils.Database,
    month: str,
    config: Config,
    current: Sequence[Risk],
    previous: list[Risk] | None,
    previous_month: str | None,
    *,
    meeting_id: int | None = None,
    holdings: dict[str, list[Holding]] | None = None,
) -> list[Flag]:
    """The flag rules over one month and the one before, with the month's report date,
    the board's record (``with_board_record``) and the early warning register's flags
    (``no_early_warning``, ``ew_link_mismatch``: ``ew_register``)."""
    flags = compute_flags(
        current,
        previous,
        month=month,
        report_date=_report_date(db, month),
        config=config,
        previous_month=previous_month,
    )
    flags = with_board_record(db, month, current, flags, meeting_id, holdings)
    return with_early_warning_flags(db, month, config, current, flags)


# what the flag rules read of the previous month's risks (besides ref and actions):
# closed or not, the score, and what a missing_from_export flag shows
PREVIOUS_FOR_FLAGS = ("title", "annex", "owner", "status", "current_score")


def _months(
    db: sqlite_utils.Database,
    month: str,
    current: Sequence[Risk] | None = None,
    previous_fields: Sequence[str] = store.RISK_FIELDS,
    ahead: PreviousMonth | None = None,
) -> tuple[Sequence[Risk], list[Risk] | None, str | None]:
    """(this month's risks, the previous month's - only ``previous_fields`` of them -,
    which month that is)."""
    if current is None:
        current = store.load_month(db, month)
    # last month's actions matter only where this month's carry no update date
    undated = {r.ref for r in current for a in r.actions if a.last_updated is None}
    if (
        ahead is not None
        and ahead.month == month
        and not undated
        and ahead.data_version == store.data_version(db)
    ):
        return current, ahead.risks, ahead.previous_month
    previous_month = store.previous_month_with_data(db, month)
    if previous_month is None:
        return current, None, None
    previous = store.load_month(db, previous_month, actions_for=undated, fields=previous_fields)
    return current, previous, previous_month


def recompute_flags(
    db: sqlite_utils.Database,
    month: str,
    config: Config,
    *,
    current: Sequence[Risk] | None = None,
    ahead: PreviousMonth | None = None,
) -> list[Flag]:
    """Compute and store the month's flags (the caller owns the transaction)."""
    flags = flags_for(db, month, config, current=current, ahead=ahead)
    store.replace_flags(
        db,
        month,
        ((f.ref, code, _detail(f, code)) for f in flags for code in map(str, f.flags)),
    )
    return flags


def _detail(flag: Flag, code: str) -> str:
    """A flag's details as JSON text (dates ISO), as ``flags --json`` gives them."""
    value = flag.details.get(code)
    return "{}" if value is None else value.model_dump_json()


def register_rows(
    db: sqlite_utils.Database, month: str, config: Config, *, meeting_id: int | None = None
) -> list[RegisterRow]:
    """Every risk of the month (plus those missing from its export), sorted by ref, with
    the board's record as at meeting ``meeting_id`` (else as it stands now): lapsed
    acceptances, the registers each risk is on, no escalation candidacy for those."""
    with store.gc_paused():
        return _register_rows(db, month, config, meeting_id)


def _register_rows(
    db: sqlite_utils.Database, month: str, config: Config, meeting_id: int | None
) -> list[RegisterRow]:
    current, previous, previous_month = _months(db, month)
    holdings = board_holdings(db, month, meeting_id)
    flags = _compute(
        db, month, config, current, previous, previous_month,
        meeting_id=meeting_id, holdings=holdings,
    )  # fmt: skip
    by_ref = {f.ref: f for f in flags}
    prev_scores = {ref_key(r.ref): r.current_score for r in previous or []}
    rows: list[dict[str, Any]] = []
    for r in current:
        key = ref_key(r.ref)
        prev = prev_scores.get(key)
        direction = direction_of(r.current_score, prev, in_previous=key in prev_scores)
        updates = [str(a.last_updated) for a in r.actions if a.last_updated]
        dues = [str(a.due) for a in r.actions if a.due and not action_is_complete(a)]
        flag = by_ref.get(r.ref)
        rows.append(
            dict(
                ref=r.ref,
                title=r.title,
                description=r.description,
                annex=r.annex,
                category=r.category,
                owner=r.owner,
                status=r.status,
                strategy=r.strategy,
                strategy_text=r.strategy_text,
                current_likelihood=r.current_likelihood,
                current_impact=r.current_impact,
                current_score=r.current_score,
                rag=config.scoring.rag(r.current_score),
                previous_score=prev,
                direction=direction,
                target_score=r.target_score,
                exposure=r.exposure,
                controls=r.controls,
                trend=r.trend,
                action_count=len(r.actions),
                last_action_update=max(updates) if updates else None,
                next_due=min(dues) if dues else None,
                flags=[c.value for c in flag.flags] if flag else [],
                flag_details=dict(flag.details) if flag else {},
                routes=[t.value for t in escalation_routes(r, config)],
                holdings=holdings.get(key, []),
            )
        )
    cur_refs = {ref_key(r.ref) for r in current}
    prev_by_ref = {ref_key(p.ref): p for p in previous or []}
    for f in flags:
        key = ref_key(f.ref)
        if key not in cur_refs and key in prev_by_ref:
            gone = prev_by_ref[key]
            rows.append(
                dict(
                    ref=gone.ref,
                    title=gone.title,
                    annex=gone.annex,
                    owner=gone.owner,
                    category=gone.category,
                    status=MISSING,
                    strategy=gone.strategy,
                    strategy_text=gone.strategy_text,
                    previous_score=gone.current_score,
                    direction="level",
                    flags=[c.value for c in f.flags],
                    flag_details=dict(f.details),
                    holdings=holdings.get(key, []),
                )
            )
    rows.sort(key=lambda row: row["ref"])
    return _ROW_LIST.validate_python(rows)


def score_history(
    db: sqlite_utils.Database, ref: str, months: int = 12, upto: str | None = None
) -> list[tuple[str, int | None]]:
    """(month, current score) for the last ``months`` months with data for ``ref``."""
    sql = (
        "SELECT month, current_score FROM risk_snapshots"
        f" WHERE ref_key = ? AND {store.HISTORY_MONTHS}"
    )
    params: list[Any] = [ref_key(ref)]
    if upto:
        sql += " AND month <= ?"
        params.append(upto)
    sql += " ORDER BY month DESC LIMIT ?"
    params.append(months)
    return [(r["month"], r["current_score"]) for r in db.query(sql, params)][::-1]


# ----------------------------------------------------------------------------- for the faces
# The CLI and the meeting app read the register through these (never through the store).


def months(db: sqlite_utils.Database) -> list[str]:
    """Board months with an imported register (``YYYY-MM``), oldest first."""
    return store.months(db)


def previous_month(db: sqlite_utils.Database, month: str) -> str | None:
    """The latest month before ``month`` with an imported register (YYYY-MM), if any:
    "last month" for direction of travel, flags and the heat map's movement."""
    return store.previous_month_with_data(db, month)


def open_scores(db: sqlite_utils.Database, month: str) -> dict[str, tuple[int | None, int | None]]:
    """{ref: (current likelihood, current impact)} of the month's open risks (in its
    export, not closed), read without computing flags."""
    risks = store.load_month(
        db, month, actions_for=(), fields=("status", "current_likelihood", "current_impact")
    )
    return {r.ref: (r.current_likelihood, r.current_impact) for r in risks if not r.is_closed()}


def last_import_id(db: sqlite_utils.Database) -> int:
    """The id of the newest import (0 if none): a cheap "has anything arrived?" marker.

    Raises ``StoreUnavailable`` naming the database when it cannot be read."""
    try:
        return store.last_import_id(db)
    except sqlite3.DatabaseError as exc:
        raise store_error(exc, database_path(db)) from None


def imports_since(db: sqlite_utils.Database, import_id: int) -> list[dict[str, Any]]:
    """Imports newer than ``import_id``, oldest first: ``id``, ``file_name``, ``month``,
    ``risk_count``, ``imported_at`` (ISO timestamp) and ``source``."""
    return store.imports_since(db, import_id)
