"""What each risk owner is asked for before the board: the chase list split by owner.

``plan_chase`` takes the month's chase list (``reports.chase.chase_items``: the same
flags and the same sentences, from ``flag_text``), groups it by owner, finds each
owner's address (``chase_addresses``) and the date of the board the updates are for
(``board_date_for``), and counts what is asked: the actions that need an update (not
updated this month, or overdue) and the risks that need something else (a strategy, a
corrected value, an explanation of a higher score...). Owners without an address and
flagged risks without an owner are kept in the plan, so every face can list them.

Nothing is written or sent here: ``chase_eml`` writes drafts, ``chase_send`` sends.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

import sqlite_utils
from pydantic import BaseModel, Field

from riskboard import flag_text
from riskboard.board.meetings import list_meetings
from riskboard.config import Config
from riskboard.domain import FLAG_ORDER, FlagCode, uk_date
from riskboard.email_address import owner_key
from riskboard.errors import NotFound, Remedy, RiskboardError
from riskboard.flag_details import OverdueActionDetail, StaleActionDetail
from riskboard.flags import action_is_complete
from riskboard.register import resolve_month
from riskboard.reports.chase import NO_OWNER, ChaseItem, by_owner, chase_items, month_name
from riskboard.reports.chase_addresses import OwnerAddress, resolve_addresses
from riskboard.store import register as register_store

ACTION_FLAGS = {FlagCode.STALE_ACTION.value, FlagCode.OVERDUE_ACTION.value}
# flags that ask the owner to be ready to discuss, not to update anything
DISCUSS_FLAGS = {FlagCode.ESCALATION_CANDIDATE.value, FlagCode.ACCEPTANCE_LAPSED.value}


class BoardDate(BaseModel):
    when: date
    source: str  # how it was found, in words


class ActionLine(BaseModel):
    """One action of a flagged risk that needs an update, and why (flag_text words)."""

    label: str  # the action's reference, else its text
    text: str | None = None  # the action's text, when the label is its reference
    owner: str | None = None  # the action owner, when the register gives one
    due: date | None = None
    last_updated: date | None = None
    notes: list[str] = Field(default_factory=list)


class RiskEntry(BaseModel):
    item: ChaseItem  # the chase list's row: ref, title, annex, needs (sentences)
    actions: list[ActionLine] = Field(default_factory=list)
    other_needs: bool = False  # asked to update something besides its actions
    discuss_only: bool = False  # only to be discussed (escalation, a lapsed acceptance)


class OwnerMail(BaseModel):
    """One owner's email: who, the risks, the counts and the subject."""

    owner: str  # as the register writes it (the spelling the email is named by)
    address: OwnerAddress
    people: list[str]  # the owners it is for: two when an address is shared
    entries: list[RiskEntry]
    action_count: int
    risk_count: int  # risks needing an update besides their actions'
    discuss_count: int  # risks only to be discussed at the board
    subject: str
    slug: str = ""  # safe file-name part, unique within the plan (chase_eml sets it)


class ChasePlan(BaseModel):
    month: str  # YYYY-MM
    board: BoardDate
    board_name: str
    mails: list[OwnerMail]
    no_owner: list[ChaseItem] = Field(default_factory=list)  # flagged, no owner recorded
    warnings: list[str] = Field(default_factory=list)

    @property
    def without_address(self) -> list[OwnerMail]:
        return [m for m in self.mails if m.address.address is None]


def plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else (many or one + 's')}"


def subject_line(actions: int, risks: int, discuss: int, board: date) -> str:
    """ "Risk register: 3 actions need an update before the board on 14/09/2022"
    ("1 action needs", "2 actions and 1 risk need"); with nothing to update, "Risk
    register: 2 risks to discuss at the board on 14/09/2022"."""
    parts = [plural(n, word) for n, word in ((actions, "action"), (risks, "risk")) if n]
    if not parts:
        return (
            f"Risk register: {plural(discuss, 'risk')} to discuss at the board on {uk_date(board)}"
        )
    verb = "needs" if parts == [plural(1, "action")] or parts == [plural(1, "risk")] else "need"
    return f"Risk register: {' and '.join(parts)} {verb} an update before the board on {uk_date(board)}"


def board_date_for(db: sqlite_utils.Database, month: str, given: date | None = None) -> BoardDate:
    """The date of the board that will review ``month``: ``given`` (--board-date); else
    the date of a meeting recorded for that month (a draft prepared ahead, or the one
    sitting); else the next meeting date set at the last meeting (the latest meeting
    reviewing an earlier month). Refused, naming what to do, when none of these is
    recorded - a guessed date would put a wrong deadline in front of every owner."""
    if given is not None:
        return BoardDate(when=given, source="given with --board-date")
    meetings = list_meetings(db)
    mine = [m for m in meetings if m.month == month]
    if mine:
        m = max(mine, key=lambda m: (m.meeting_date, m.id))
        return BoardDate(
            when=m.meeting_date,
            source=f"meeting {m.id} ({m.status.value.replace('_', ' ')}), which reviews"
            f" {month_name(month)}",
        )
    earlier = [m for m in meetings if m.month < month]
    hint = (
        "set it with `riskboard meeting next-date DATE`, record the meeting ahead with"
        f" `riskboard meeting new --draft --date DATE --month {month} --chair NAME`, or"
        " give --board-date DATE"
    )
    if not earlier:
        raise NotFound(
            f"no meeting is recorded to take the date of the board reviewing"
            f" {month_name(month)} from - {hint}",
            remedy=Remedy.GIVE_FIELDS,
            fields=("board_date",),
        )
    last = max(earlier, key=lambda m: (m.meeting_date, m.id))
    if last.next_meeting_date is None:
        raise RiskboardError(
            f"the last meeting (meeting {last.id}, {uk_date(last.meeting_date)}) set no date"
            f" for the next one - {hint}",
            remedy=Remedy.GIVE_FIELDS,
            fields=("board_date",),
        )
    return BoardDate(
        when=last.next_meeting_date,
        source=f"the next meeting date set at meeting {last.id} ({uk_date(last.meeting_date)})",
    )


def plan_chase(
    db: sqlite_utils.Database,
    config: Config,
    *,
    month: str | None = None,
    board_date: date | None = None,
    owners: Sequence[str] = (),
    today: date | None = None,
) -> ChasePlan:
    """Each owner's email for ``month`` (default: the latest imported), for the board on
    ``board_date`` (default: ``board_date_for``). ``owners`` limits it to those owners
    (matched as addresses are: case, punctuation and a bracketed organisation ignored);
    an owner with nothing flagged is NotFound. Reads only."""
    month = resolve_month(db, month)
    board = board_date_for(db, month, board_date)
    items = chase_items(db, month, config)
    groups = by_owner(items)
    no_owner = groups.pop(NO_OWNER, [])
    if owners:
        wanted = {owner_key(o): o for o in owners}
        groups = {o: g for o, g in groups.items() if owner_key(o) in wanted}
        found = {owner_key(o) for o in groups}
        missing = [o for k, o in wanted.items() if k not in found]
        if missing:
            raise NotFound(
                f"no flagged risk of {', '.join(repr(o) for o in missing)} in"
                f" {month_name(month)}; owners with flagged risks:"
                f" {', '.join(by_owner(items)) or 'none'}"
            )
        no_owner = []
    addresses = resolve_addresses(db, config, groups)
    actions = _actions(db, month, [i.ref for g in groups.values() for i in g])
    mails = []
    for owner, (mine, people) in _one_per_person(groups, addresses).items():
        entries = [_entry(item, actions.get(item.ref, [])) for item in mine]
        address = addresses[owner]
        if len(people) > 1:  # one address shared by several owners (a team mailbox)
            address = address.model_copy(update={"name": and_list(people)})
        n_actions = sum(len(e.actions) for e in entries)
        n_risks = sum(e.other_needs for e in entries)
        n_discuss = sum(e.discuss_only for e in entries)
        mails.append(
            OwnerMail(
                owner=owner,
                address=address,
                people=people,
                entries=entries,
                action_count=n_actions,
                risk_count=n_risks,
                discuss_count=n_discuss,
                subject=subject_line(n_actions, n_risks, n_discuss, board.when),
            )
        )
    warnings = []
    if today is not None and board.when < today:
        warnings.append(
            f"the board date {uk_date(board.when)} ({board.source}) is in the past:"
            " give --board-date for the next meeting"
        )
    return ChasePlan(
        month=month,
        board=board,
        board_name=config.meeting.board_name,
        mails=mails,
        no_owner=no_owner,
        warnings=warnings,
    )


def _one_per_person(
    groups: dict[str, list[ChaseItem]], addresses: dict[str, OwnerAddress]
) -> dict[str, tuple[list[ChaseItem], list[str]]]:
    """The owners' risks merged so that nobody gets two emails: two spellings of one
    name (ignoring case, punctuation and a bracketed organisation: "J. Pritchard
    (BBLP)", "j pritchard") or two owners with one address (a team mailbox). Each email
    is named by the spelling with capitals that heads the most risks, and lists the
    people it is for (one per name); its risks are in the chase list's order (stale
    actions first, then ref)."""
    cluster: dict[str, int] = {}  # owner_key or address -> cluster number
    members: list[list[str]] = []
    for owner in groups:
        address = addresses[owner].address
        marks = [addresses[owner].key] + ([address.lower()] if address else [])
        n = next((cluster[m] for m in marks if m in cluster), None)
        if n is None:
            n = len(members)
            members.append([])
        members[n].append(owner)
        for mark in marks:
            cluster.setdefault(mark, n)
    order = {code.value: i for i, code in enumerate(FLAG_ORDER)}
    merged: dict[str, tuple[list[ChaseItem], list[str]]] = {}
    for owners in members:
        lead = min(owners, key=lambda o: (o == o.lower(), -len(groups[o])))
        items = [i for o in owners for i in groups[o]]
        names: dict[str, str] = {}  # owner_key -> display name (the lead's first)
        for o in sorted(owners, key=lambda o: o != lead):
            names.setdefault(addresses[o].key, addresses[o].name)
        merged[lead] = (
            sorted(items, key=lambda i: (order.get(i.flags[0], 99), i.ref)),
            list(names.values()),
        )
    return merged


def and_list(words: Sequence[str]) -> str:
    """ "A", "A and B", "A, B and C"."""
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"


def _actions(db: sqlite_utils.Database, month: str, refs: list[str]) -> dict[str, list]:  # type: ignore[type-arg]
    if not refs:
        return {}
    wanted = set(refs)
    risks = register_store.load_month(db, month, actions_for=wanted, fields=())
    return {r.ref: r.actions for r in risks if r.ref in wanted}


def _entry(item: ChaseItem, actions: list) -> RiskEntry:  # type: ignore[type-arg]
    """The risk's actions that need an update, each with the flags' evidence."""
    lines: dict[str, ActionLine] = {}
    for seq, action in enumerate(actions, start=1):
        if action_is_complete(action):
            continue
        label = action.action_ref or action.text or f"action {seq}"
        lines.setdefault(
            label,
            ActionLine(
                label=label,
                text=action.text if action.action_ref else None,
                owner=action.owner,
                due=action.due,
                last_updated=action.last_updated,
            ),
        )
    needing: dict[str, ActionLine] = {}
    stale = item.details.get(FlagCode.STALE_ACTION.value)
    if isinstance(stale, StaleActionDetail):
        name = flag_text.label(FlagCode.STALE_ACTION)
        for ev in stale.actions:
            label = ev.action or "action"
            line = lines.get(label)
            if line is None:  # a completed action or one the snapshot does not name
                continue
            needing.setdefault(label, line).notes.append(f"{name}: {ev.evidence}")
    overdue = item.details.get(FlagCode.OVERDUE_ACTION.value)
    if isinstance(overdue, OverdueActionDetail):
        name = flag_text.label(FlagCode.OVERDUE_ACTION)
        for a in overdue.actions:
            label = a.action or "action"
            line = lines.get(label) or ActionLine(label=label, due=a.due, owner=a.owner)
            needing.setdefault(label, line).notes.append(f"{name}: due {uk_date(a.due)}")
    flags = set(item.flags)
    other = bool(flags - ACTION_FLAGS - DISCUSS_FLAGS) or bool(flags & ACTION_FLAGS and not needing)
    return RiskEntry(
        item=item,
        actions=list(needing.values()),
        other_needs=other,
        discuss_only=not needing and not other,
    )


def when_text(stamp: datetime) -> str:
    return stamp.strftime("%d/%m/%Y %H:%M")
