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
from riskboard.email_address import owner_display, owner_key, owner_keys, owner_org, same_owner
from riskboard.errors import NotFound, Remedy, RiskboardError
from riskboard.flag_details import OverdueActionDetail, StaleActionDetail, UnreadableValueDetail
from riskboard.flags import action_is_complete
from riskboard.register import resolve_month
from riskboard.reports.chase import NO_OWNER, ChaseItem, by_owner, chase_items, month_name
from riskboard.reports.chase_addresses import (
    OwnerAddress,
    ambiguous_names,
    config_warnings,
    resolve_addresses,
)
from riskboard.safe_text import one_line, strip_controls
from riskboard.store import register as register_store

ACTION_FLAGS = {FlagCode.STALE_ACTION.value, FlagCode.OVERDUE_ACTION.value}
# flags that ask the owner to be ready to discuss, not to update anything
DISCUSS_FLAGS = {FlagCode.ESCALATION_CANDIDATE.value, FlagCode.ACCEPTANCE_LAPSED.value}


class BoardDate(BaseModel):
    when: date
    source: str  # how it was found, in words


class ActionLine(BaseModel):
    """One action of a flagged risk that needs an update, and why (flag_text words)."""

    position: int  # its place among the risk's actions (two may share a reference)
    label: str  # the action's reference, else its text
    text: str | None = None  # the action's text, when the label is its reference
    owner: str | None = None  # the action owner, when the register gives one
    due: date | None = None
    last_updated: date | None = None
    notes: list[str] = Field(default_factory=list)


class RiskEntry(BaseModel):
    item: ChaseItem  # the chase list's row: ref, title, annex, needs (sentences)
    needs: list[str] = Field(default_factory=list)  # the flags' sentences said to the owner
    score_unreadable: bool = False  # the export's score (or its parts) could not be read
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

    def covering(self, refs: set[str], board: date) -> OwnerMail:
        """This email for only the risks ``refs`` (the rest were sent before): the
        owners, counts and subject as for those risks alone."""
        entries = [e for e in self.entries if e.item.ref in refs]
        names: dict[str, str] = {}
        for e in entries:
            names.setdefault(owner_key(e.item.owner), _person_name(e.item.owner))
        people = list(names.values()) or self.people
        address = self.address
        if people != self.people:
            address = address.model_copy(update={"name": and_list(people)})
        return _mail(self.owner, address, people, entries, board, self.slug)

    def items(self) -> list[tuple[str, str, str, list[str]]]:
        """What this email asks, risk by risk: (owner_key, owner, ref, action labels) -
        how a send is recorded."""
        return [
            (owner_key(e.item.owner), e.item.owner, e.item.ref, [a.label for a in e.actions])
            for e in self.entries
        ]


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
    everyone = list(groups)
    if owners:
        groups = {o: g for o, g in groups.items() if any(_is_named(o, w) for w in owners)}
        missing = [w for w in owners if not any(_is_named(o, w) for o in groups)]
        if missing:
            raise NotFound(
                f"no flagged risk of {', '.join(repr(o) for o in missing)} in"
                f" {month_name(month)}; owners with flagged risks:"
                f" {', '.join(one_line(o) for o in everyone) or 'none'}"
            )
        no_owner = []
    addresses = resolve_addresses(db, config, groups, everyone=everyone)
    actions = _actions(db, month, [i.ref for g in groups.values() for i in g])
    mails = []
    ambiguous = ambiguous_names(everyone)
    for owner, (mine, people) in _one_per_person(groups, addresses, ambiguous).items():
        entries = [_entry(item, actions.get(item.ref, [])) for item in mine]
        address = addresses[owner]
        if len(people) > 1:  # one address shared by several owners (a team mailbox)
            address = address.model_copy(update={"name": and_list(people)})
        mails.append(_mail(owner, address, people, entries, board.when))
    warnings = config_warnings(config)
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


def _is_named(owner: str, wanted: str) -> bool:
    """``owner`` (as the register writes it) is the one ``--owner wanted`` asks for: the
    names match (``owner_keys``) and, when both give an organisation, it is the same."""
    return same_owner(owner, wanted)


def _person_name(owner: str) -> str:
    return " ".join(strip_controls(owner_display(owner)).split()) or owner


def _mail(
    owner: str,
    address: OwnerAddress,
    people: list[str],
    entries: list[RiskEntry],
    board: date,
    slug: str = "",
) -> OwnerMail:
    n_actions = sum(len(e.actions) for e in entries)
    n_risks = sum(e.other_needs for e in entries)
    n_discuss = sum(e.discuss_only for e in entries)
    return OwnerMail(
        owner=owner,
        address=address,
        people=people,
        entries=entries,
        action_count=n_actions,
        risk_count=n_risks,
        discuss_count=n_discuss,
        subject=subject_line(n_actions, n_risks, n_discuss, board),
        slug=slug,
    )


def _one_per_person(
    groups: dict[str, list[ChaseItem]],
    addresses: dict[str, OwnerAddress],
    ambiguous: dict[str, list[str]],
) -> dict[str, tuple[list[ChaseItem], list[str]]]:
    """The owners' risks merged so that nobody gets two emails: two spellings of one
    name (ignoring case, punctuation and a bracketed organisation: "J. Pritchard
    (BBLP)", "j pritchard") or two owners with one address (a team mailbox). Names
    that match but are written with different organisations ("J. Smith (BBLP)", "J.
    Smith (Council)": ``ambiguous``) are never merged by name. Each email is named by
    the spelling with capitals that heads the most risks, and lists the people it is
    for (one per name); its risks are in the chase list's order (stale actions first,
    then ref)."""
    cluster: dict[str, int] = {}  # name form or address -> cluster number
    members: list[list[str]] = []
    for owner in groups:
        address = addresses[owner].address
        keys = sorted(owner_keys(owner))
        if owner in ambiguous:  # the same name with another organisation: not merged
            keys = [f"{k}|{owner_org(owner)}" for k in keys]
        marks = keys + ([address.lower()] if address else [])
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


SCORE_FIELDS = {"current_score", "current_likelihood", "current_impact"}


def _entry(item: ChaseItem, actions: list) -> RiskEntry:  # type: ignore[type-arg]
    """The risk's actions that need an update, each with the flags' evidence. Actions
    are told apart by their place in the register, not their reference: two actions
    written with one reference (a cell split over two lines) are two lines."""
    lines: dict[int, ActionLine] = {}
    for seq, action in enumerate(actions):
        if action_is_complete(action):
            continue
        label = action.action_ref or action.text or f"action {seq + 1}"
        lines[seq] = ActionLine(
            position=seq,
            label=label,
            text=action.text if action.action_ref else None,
            owner=action.owner,
            due=action.due,
            last_updated=action.last_updated,
        )
    needing: dict[int, ActionLine] = {}
    stale = item.details.get(FlagCode.STALE_ACTION.value)
    if isinstance(stale, StaleActionDetail):
        name = flag_text.label(FlagCode.STALE_ACTION)
        taken: set[int] = set()
        for n, ev in enumerate(stale.actions):
            # the evidence lists every action in the register's order
            at = n if len(stale.actions) == len(actions) else _find(actions, ev.action, taken)
            if at is None:  # not in the snapshot loaded
                continue
            seq = at
            taken.add(seq)
            if seq not in lines:  # a completed action
                continue
            needing.setdefault(seq, lines[seq]).notes.append(f"{name}: {ev.evidence}")
    overdue = item.details.get(FlagCode.OVERDUE_ACTION.value)
    if isinstance(overdue, OverdueActionDetail):
        name = flag_text.label(FlagCode.OVERDUE_ACTION)
        taken = set()
        for a in overdue.actions:
            at = _find(actions, a.action, taken, due=a.due, open_only=True)
            seq = at if at is not None else -1 - len(taken)
            if at is None:  # not in the snapshot loaded: shown as the flag says
                lines[seq] = ActionLine(
                    position=seq, label=a.action or "action", due=a.due, owner=a.owner
                )
            taken.add(seq)
            needing.setdefault(seq, lines[seq]).notes.append(f"{name}: due {uk_date(a.due)}")
    flags = set(item.flags)
    other = bool(flags - ACTION_FLAGS - DISCUSS_FLAGS) or bool(flags & ACTION_FLAGS and not needing)
    unreadable = item.details.get(FlagCode.UNREADABLE_VALUE.value)
    return RiskEntry(
        item=item,
        needs=[flag_text.chase(c, item.details.get(c), to_owner=True) for c in item.flags],
        score_unreadable=isinstance(unreadable, UnreadableValueDetail)
        and any(cell.field in SCORE_FIELDS for cell in unreadable.root),
        actions=[needing[k] for k in sorted(needing, key=lambda k: (k < 0, abs(k)))],
        other_needs=other,
        discuss_only=not needing and not other,
    )


def _find(
    actions: list,  # type: ignore[type-arg]
    label: str | None,
    taken: set[int],
    *,
    due: date | None = None,
    open_only: bool = False,
) -> int | None:
    """The place of the first action not yet matched that the flag's evidence names
    (by reference, else text; and due date when given)."""
    for seq, action in enumerate(actions):
        if seq in taken or (open_only and action_is_complete(action)):
            continue
        if (action.action_ref or action.text) != label:
            continue
        if due is not None and _as_day(action.due) != due:
            continue
        return seq
    return None


def _as_day(value: object) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None


def when_text(stamp: datetime) -> str:
    return stamp.strftime("%d/%m/%Y %H:%M")
