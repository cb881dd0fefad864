"""The early warning register service: a board month's early warnings as the board sees
them - linked to the risk register, flagged, and (at a meeting) new since the last one.

The early warning register that stands for a board month is that month's own, else the
latest imported before it (said so: ``EwRegisterView.ew_month``). Flags are computed on
read with the current config (``ew_flags``), like the risk register's; the two flags an
early warning puts on a *risk* (``no_early_warning``, ``ew_link_mismatch``) join the
risk register's flags through ``with_early_warning_flags`` (``register`` calls it).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date
from typing import Any

import sqlite_utils
from pydantic import BaseModel, Field, SkipValidation

from riskboard.config import Config
from riskboard.domain import FLAG_ORDER, Flag, FlagCode, Risk, ref_key, uk_date
from riskboard.early_warning import (
    EW_STATUS_LABELS,
    EarlyWarning,
    EwAction,
    EwStatus,
    decision_words,
    split_refs,
)
from riskboard.errors import NotFound
from riskboard.ew_flags import (
    CrossReference,
    Flagged,
    LastDecision,
    cross_reference,
    ew_flags,
    register_decision,
    risk_flags,
)
from riskboard.flag_details import EwMissingDetail, FlagDetail, UnreadableCell
from riskboard.flags import month_bounds
from riskboard.store import early_warnings as ew_store
from riskboard.store import meetings as board_store
from riskboard.store import register as store
from riskboard.store.db import database_path


class EwRow(BaseModel):
    """One early warning of the register as the board sees it."""

    ref: str
    month: str  # the early warning register it comes from (YYYY-MM)
    date_notified: date | None = None
    notified_by: str | None = None
    description: str | None = None
    linked_risk: str | None = None  # as the register writes it
    meeting_date: date | None = None
    decision: str | None = None  # as the register writes it
    status: EwStatus = EwStatus.OPEN
    status_blank: bool = False  # the register gave no status (read as open)
    compensation_event_ref: str | None = None
    source_sheet: str | None = None
    source_row: int | None = None
    actions: list[EwAction] = Field(default_factory=list)
    unreadable: list[UnreadableCell] = Field(default_factory=list)
    # the risks linked to it by either register, in the risk register's spelling where
    # the risk is on it
    risks: list[str] = Field(default_factory=list)
    flags: list[str] = Field(default_factory=list)
    flag_details: dict[str, SkipValidation[FlagDetail]] = Field(default_factory=dict)
    new: bool = False  # new since the last meeting (only with a meeting)
    weeks_open: int | None = None  # from the date notified to the as-of date
    last_decision: str | None = None  # the latest decision, in words
    # the board removed it / recorded a CE at an earlier meeting and the register, with
    # nothing newer, still shows it open: the board's decision, in words
    board_closed: str | None = None

    @property
    def missing(self) -> bool:
        """Open on an earlier register and left off this month's (shown as last entered)."""
        return FlagCode.EW_MISSING.value in self.flags

    @property
    def status_label(self) -> str:
        return EW_STATUS_LABELS[self.status]

    @property
    def is_open(self) -> bool:
        return self.status == EwStatus.OPEN


class EwRegisterView(BaseModel):
    """A board month's early warning register."""

    month: str  # the board month
    ew_month: str | None  # the early warning register read (None: none imported)
    as_of: date  # what overdue and weeks open are counted to
    rows: list[EwRow] = Field(default_factory=list)
    # risk ref -> the early warnings linked to it (either register)
    risk_links: dict[str, list[str]] = Field(default_factory=dict)

    @property
    def on_register(self) -> list[EwRow]:
        """The rows the register itself holds (not those left off it)."""
        return [r for r in self.rows if not r.missing]

    @property
    def missing_rows(self) -> list[EwRow]:
        """Open early warnings of an earlier register left off this one."""
        return [r for r in self.rows if r.missing]

    def row(self, ref: str) -> EwRow | None:
        key = ref_key(ref)
        return next((r for r in self.rows if ref_key(r.ref) == key), None)

    @property
    def open_rows(self) -> list[EwRow]:
        return [r for r in self.rows if r.is_open]


def _as_of(db: sqlite_utils.Database, month: str, ew_month: str | None) -> date:
    if ew_month == month:
        text = ew_store.ew_report_date(db, month)
        if text:
            try:
                return date.fromisoformat(text[:10])
            except ValueError:
                pass
    return month_bounds(month)[1]


def last_decisions(db: sqlite_utils.Database, month: str) -> dict[str, LastDecision]:
    """{early warning ref_key: the board's latest decision on it} at meetings reviewing
    ``month`` or earlier."""
    out: dict[str, LastDecision] = {}
    upto = _next_month(month)
    for row in ew_store.decision_rows(db, before_month=upto):
        day = date.fromisoformat(row["meeting_date"][:10])
        words = decision_words(row["decision"], row["reason"], row["ce_ref"])
        out[ref_key(row["ew_ref"])] = LastDecision(
            day,
            f"{words} (meeting {row['meeting_id']}, {uk_date(day)})",
            closes=row["decision"] != "keep_open",
        )
    return out


def _next_month(month: str) -> str:
    year, mon = int(month[:4]), int(month[5:7])
    return f"{year + mon // 12:04d}-{mon % 12 + 1:02d}"


def view(
    db: sqlite_utils.Database,
    month: str,
    config: Config,
    *,
    meeting_id: int | None = None,
    risks: Sequence[Risk] | None = None,
) -> EwRegisterView:
    """The early warning register standing for board month ``month`` (YYYY-MM): each
    early warning with its linked risks, its flags and - when ``meeting_id`` is given -
    whether it is new since that meeting's previous one. ``risks``: the month's risk
    register if the caller holds it."""
    ew_month = ew_store.ew_month_for(db, month)
    as_of = _as_of(db, month, ew_month)
    if ew_month is None:
        return EwRegisterView(month=month, ew_month=None, as_of=as_of)
    ews = ew_store.load_early_warnings(db, ew_month)
    missing = missing_early_warnings(db, month, ew_month, meeting_id)
    ews = [*ews, *(e for e, _ in missing.values())]
    current = list(risks) if risks is not None else store.load_month(db, month)
    links = cross_reference(current, ews)
    decisions = last_decisions(db, month)
    flagged = ew_flags(
        ews,
        current,
        links,
        month=month,
        ew_month=ew_month,
        as_of=as_of,
        undecided_weeks=config.early_warnings.undecided_weeks,
        decisions=decisions,
    )
    is_new = new_since_last_meeting(db, ew_month, meeting_id)
    rows = []
    for ew in ews:
        f = flagged.get(ew.ref)
        gone = missing.get(ref_key(ew.ref))
        if gone is not None:
            f = f or Flagged()
            f.codes.append(FlagCode.EW_MISSING)
            f.details[FlagCode.EW_MISSING.value] = EwMissingDetail(
                last_month=gone[1], ew_month=ew_month
            )
            f.codes.sort(key=FLAG_ORDER.index)
        last = max(
            (d for d in (decisions.get(ref_key(ew.ref)), register_decision(ew)) if d),
            key=lambda d: d.day,
            default=None,
        )
        rows.append(
            EwRow(
                **_fields(ew),
                month=gone[1] if gone else ew_month,
                status=ew.ew_status,
                status_blank=ew.status is None,
                risks=links.ew_to_risks.get(ew.ref, []),
                flags=[c.value for c in f.codes] if f else [],
                flag_details=dict(f.details) if f else {},
                new=is_new(ew),
                weeks_open=(as_of - ew.date_notified).days // 7 if ew.date_notified else None,
                last_decision=last.words if last else None,
                board_closed=_board_closed(ew, decisions.get(ref_key(ew.ref)), meeting_id, db),
            )
        )
    return EwRegisterView(
        month=month, ew_month=ew_month, as_of=as_of, rows=rows, risk_links=links.risk_to_ews
    )


def _board_closed(
    ew: EarlyWarning, board: LastDecision | None, meeting_id: int | None, db: Any
) -> str | None:
    """The board's removal (or CE) the contractor's register has not caught up with."""
    if board is None or not board.closes or ew.ew_status != EwStatus.OPEN:
        return None
    if ew.meeting_date is not None and ew.meeting_date >= board.day:
        return None  # the register has a newer meeting of its own
    if meeting_id is not None:
        row = board_store.meeting_row(db, meeting_id)
        if row is not None and row["meeting_date"][:10] == board.day.isoformat():
            return None  # decided at this very meeting: not a disagreement yet
    return board.words


def missing_early_warnings(
    db: sqlite_utils.Database, month: str, ew_month: str, meeting_id: int | None = None
) -> dict[str, tuple[EarlyWarning, str]]:
    """{ref_key: (its last entry, that register's month)} for the early warnings open on
    an earlier register and left off ``ew_month``'s, unless the board has since removed
    them or recorded them as a compensation event (at a meeting up to ``month`` other than
    ``meeting_id``, whose own decisions stay on its agenda): an open matter never drops
    out of sight because the contractor's register left it off."""
    gone = ew_store.missing_open(db, ew_month)
    if not gone:
        return {}
    closed_by_board: dict[str, bool] = {}
    for row in ew_store.decision_rows(db, before_month=_next_month(month)):
        if row["meeting_id"] == meeting_id:
            continue
        closed_by_board[ref_key(row["ew_ref"])] = row["decision"] != "keep_open"
    out: dict[str, tuple[EarlyWarning, str]] = {}
    for last_month, refs in gone.items():
        wanted = {ref_key(r) for r in refs} - {k for k, c in closed_by_board.items() if c}
        for ew in ew_store.load_early_warnings(db, last_month):
            if ref_key(ew.ref) in wanted:
                out[ref_key(ew.ref)] = (ew, last_month)
    return out


def _fields(ew: EarlyWarning) -> dict[str, object]:
    return ew.model_dump(exclude={"status"}) | {"actions": ew.actions}


def new_since_last_meeting(
    db: sqlite_utils.Database, ew_month: str, meeting_id: int | None
) -> _NewSince:
    """What "new since the last meeting" means for this meeting: notified after the
    previous meeting, or not on the early warning register it saw (for a first meeting:
    not on the previous month's register). With no meeting (the month's meeting not yet
    started, review F6): not on the previous month's register."""
    since: date | None = None
    earlier_month: str | None
    meeting = board_store.meeting_row(db, meeting_id) if meeting_id is not None else None
    previous = (
        board_store.meeting_row(db, meeting["previous_meeting_id"])
        if meeting and meeting["previous_meeting_id"]
        else None
    )
    if previous is not None:
        since = date.fromisoformat(previous["meeting_date"][:10])
        earlier_month = ew_store.ew_month_for(db, previous["month"])
        if earlier_month == ew_month:
            earlier_month = ew_store.previous_ew_month(db, ew_month)
    else:
        earlier_month = ew_store.previous_ew_month(db, ew_month)
    known = (
        {ref_key(r) for r in ew_store.ew_refs_of_month(db, earlier_month)}
        if earlier_month
        else None
    )
    return _NewSince(since, known, always=since is None and known is None)


class _NewSince:
    """``new(ew)``: is the early warning new since the meeting's previous one?"""

    def __init__(self, since: date | None, known: set[str] | None, *, always: bool) -> None:
        self.since, self.known, self.always = since, known, always

    def __call__(self, ew: EarlyWarning) -> bool:
        if self.always:
            return True
        if (
            self.since is not None
            and ew.date_notified is not None
            and ew.date_notified > self.since
        ):
            return True
        return self.known is not None and ref_key(ew.ref) not in self.known


def with_early_warning_flags(
    db: sqlite_utils.Database,
    month: str,
    config: Config,
    current: Sequence[Risk],
    flags: list[Flag],
) -> list[Flag]:
    """``flags`` plus the early warning flags of the month's open risks
    (``no_early_warning``, ``ew_link_mismatch``)."""
    threshold = config.early_warnings.threshold(config.escalation.financial)
    ew_month = ew_store.ew_month_for(db, month)
    ews = ew_store.load_early_warnings(db, ew_month) if ew_month else []
    if threshold is None and not ews:
        return flags
    if not ews and not any(r.exposure for r in current):
        return flags
    links = cross_reference(current, ews) if ews else _risk_side_only(current)
    extra = risk_flags(current, ews, links, threshold=threshold, ew_month=ew_month)
    if not extra:
        return flags
    by_ref = {f.ref: f for f in flags}
    risks = {r.ref: r for r in current}
    for ref, flagged in extra.items():
        flag = by_ref.get(ref)
        if flag is None:
            risk = risks[ref]
            flag = Flag(ref=risk.ref, title=risk.title, annex=risk.annex, owner=risk.owner)
        by_ref[ref] = flag.model_copy(
            update={
                "flags": sorted({*flag.flags, *flagged.codes}, key=FLAG_ORDER.index),
                "details": {**flag.details, **flagged.details},
            }
        )
    return sorted(by_ref.values(), key=lambda f: f.ref)


def _risk_side_only(risks: Sequence[Risk]) -> CrossReference:
    """Links from the risk register's own EW column (no early warning register)."""
    return cross_reference(risks, [])


# ----------------------------------------------------------------------------- references

_NUMBER = re.compile(r"(\d+)$")


def next_free_ref(db: sqlite_utils.Database, config: Config) -> str:
    """The next early warning reference the council can give: ``ref_prefix`` and one past
    the highest number with that prefix in any register imported or any notice drafted
    (the risks' EW column only while no register was imported: a typo there on no
    register must not set the numbering), at least ``first_number``, padded to
    ``ref_digits``."""
    cfg = config.early_warnings
    prefix_key = ref_key(cfg.ref_prefix)
    highest = cfg.first_number - 1
    for ref in ew_store.all_ew_refs(db):
        for one in {ref, *split_refs(ref)}:  # a cell may name several ("EW-3, EW-7")
            key = ref_key(one)
            if key.startswith(prefix_key):
                m = _NUMBER.search(key)
                if m and key[: m.start()] == prefix_key:
                    highest = max(highest, int(m.group(1)))
    return f"{cfg.ref_prefix}{highest + 1:0{cfg.ref_digits}d}"


def require_register(db: sqlite_utils.Database, month: str) -> str:
    """The early warning register month standing for ``month``; NotFound naming the
    database when none was ever imported."""
    ew_month = ew_store.ew_month_for(db, month)
    if ew_month is None:
        raise NotFound(
            f"no early warning register imported for {month} or before in database"
            f" {database_path(db)}",
            hint="import the early warning register export: `riskboard import FILE`",
        )
    return ew_month


# ----------------------------------------------------------------------------- for the faces
# The CLI and the meeting app read the early warning register through these.


def ew_months(db: sqlite_utils.Database) -> list[str]:
    """Months with an early warning register imported (``YYYY-MM``), oldest first."""
    return ew_store.ew_months(db)


def register_month(db: sqlite_utils.Database, month: str) -> str | None:
    """The early warning register standing for board month ``month``: its own, else the
    latest imported before it; None when there is none."""
    return ew_store.ew_month_for(db, month)


def ew_history(db: sqlite_utils.Database, ref: str) -> list[dict[str, Any]]:
    """Every month's snapshot of early warning ``ref`` (any spelling), oldest first: the
    snapshot's columns and ``import_file``. Empty list: no such early warning."""
    return ew_store.ew_history(db, ref)
