"""Sending the owner emails through the council's mail server (``[chase.smtp]``).

``send_chase(db, config, plan)`` sends each owner's message (``chase_mail``) once per
board month, risk by risk: every send is claimed in ``chase_mail_sends`` (with the
risks it covers, and whose, in ``chase_mail_items``) before it goes and marked sent or
failed after. A later run sends only the risks not sent yet - an email to a shared
mailbox sent for one of its owners (``--owner``) is followed by one with the others'
risks, and says so - and nothing twice unless ``again`` (the month's emails sent again;
with ``--owner``, only those owners').

One send runs at a time per database (``chase_lock``), so a send left ``sending`` was
stopped mid-send (killed): the message may have arrived. It is never sent again
without being told: a plain re-run sends what was never begun and lists it as "may have
arrived"; ``again`` (best with ``--owner`` for that owner) sends it at once, saying that
the earlier one may also have arrived. One owner's failure (the server refusing the address, a dropped
connection) is reported and the others still go; a failure to connect, to start TLS
or to log in stops the run there (``chase_smtp.Stop``), since every later message would
fail the same way after the same timeout - owners already emailed stay "already
sent", the others are "not sent" with that reason.

The password is read from the environment variable ``password_env`` names, only here.
"""

from __future__ import annotations

import os
import smtplib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo

import sqlite_utils
from pydantic import BaseModel, Field

from riskboard.config import Config
from riskboard.domain import uk_date
from riskboard.email_address import check_address, owner_key, same_owner
from riskboard.errors import ConfigError, Remedy, RiskboardError
from riskboard.reports.chase_lock import SendLock, holder_words, sending_now
from riskboard.reports.chase_mail import assign_slugs, build_message
from riskboard.reports.chase_plan import ChasePlan, OwnerMail, and_list, plural
from riskboard.reports.chase_smtp import Session, Stop, why
from riskboard.store import chase_mail as store
from riskboard.store.db import database_path

Status = Literal[
    "sent", "failed", "not_sent", "no_address", "already_sent", "unanswered", "would_send"
]
# the owner was not (surely) chased: refused or dropped (failed), not tried because the
# server could not be reached (not_sent), no address, an earlier send that never ended
NOT_DONE = ("failed", "not_sent", "no_address", "unanswered")


class SendResult(BaseModel):
    owner: str
    address: str | None = None
    subject: str
    status: Status
    message: str  # what happened, in words
    refs: list[str] = Field(default_factory=list)  # the risks sent (or to send) now
    earlier: list[str] = Field(default_factory=list)  # ...already sent before
    unfinished: list[str] = Field(default_factory=list)  # ...whose earlier send never ended


class SendReport(BaseModel):
    month: str
    board_date: date
    dry_run: bool
    results: list[SendResult] = Field(default_factory=list)
    no_owner: list[str] = Field(default_factory=list)  # flagged risks with no owner
    stopped: str | None = None  # why the run stopped (the server could not be reached)

    @property
    def problems(self) -> list[SendResult]:
        """Owners not (surely) chased: failed, not sent, no address, or with a risk
        whose earlier send never finished."""
        return [r for r in self.results if r.status in NOT_DONE or r.unfinished]

    @property
    def nothing_sent(self) -> bool:
        """The run stopped (no mail server, no TLS, no login) before sending anything."""
        return self.stopped is not None and self.count("sent") == 0

    def count(self, status: Status) -> int:
        return sum(r.status == status for r in self.results)


def check_can_send(config: Config, plan: ChasePlan, today: date) -> tuple[str, str | None]:
    """The envelope sender and the password, or a ConfigError / RiskboardError saying
    what is missing - checked before anything is sent."""
    smtp = config.chase.smtp
    if smtp is None:
        raise ConfigError(
            "no mail server configured: add [chase.smtp] (host, port, security, user,"
            " password_env) to config.toml - or write drafts with --eml DIR",
            key="chase.smtp",
        )
    sender, _ = config.chase.sender()
    if not sender:
        raise ConfigError(
            "[chase] from is not set: give the address the emails come from", key="chase.from"
        )
    password = None
    if smtp.user:
        password = os.environ.get(smtp.password_env or "")
        if not password:
            raise ConfigError(
                f"the environment variable {smtp.password_env} (named by [chase.smtp]"
                " password_env) is not set or empty: set it to the mail password; nothing"
                " was sent",
                key="chase.smtp.password_env",
            )
    if plan.board.when < today:
        raise RiskboardError(
            f"the board date {uk_date(plan.board.when)} ({plan.board.source}) is in the"
            " past; nothing was sent",
            remedy=Remedy.GIVE_FIELDS,
            fields=("board_date",),
        )
    return check_address(sender, display_name=True).addr_spec, password


@dataclass
class _Split:
    """One mail's risks by what earlier sends did with them."""

    send: list[str] = field(default_factory=list)  # refs to send now
    earlier: dict[str, dict[str, Any]] = field(default_factory=dict)  # ref -> its sent row
    unfinished: dict[str, dict[str, Any]] = field(default_factory=dict)  # ref -> sending row
    again: bool = False  # sending them all again (--again)
    resent: bool = False  # ...and some were sent, or began to be, before


def _split(mail: OwnerMail, coverage: list[dict[str, Any]], again: bool) -> _Split:
    """Which of ``mail``'s risks were sent before (to its owner: names matched as
    addresses are), which began to be and never finished, which are still to send.
    ``again`` sends them all again, the unfinished and the surely sent (the issue's
    "does not send twice unless --again"); a plain re-run after a killed send sends
    only what never began, so no one the killed run emailed gets a second copy."""
    out = _Split(again=again)
    for _, owner, ref, _ in mail.items():
        # this risk sent to this person: "J. Smith (Council)" was not sent "J. Smith
        # (BBLP)"'s email, even for a risk that passed from one to the other
        rows = [r for r in coverage if r["ref"] in (ref, None) and same_owner(r["owner"], owner)]
        sent = [r for r in rows if r["status"] == "sent"]
        sending = [r for r in rows if r["status"] == "sending"]
        if sent and not again:
            out.earlier[ref] = sent[-1]
        elif again:
            out.send.append(ref)
            out.resent = out.resent or bool(rows)
            if sending:  # released when sent again: it may have arrived, say so
                out.unfinished[ref] = sending[-1]
        elif sending:
            out.unfinished[ref] = sending[-1]
        else:
            out.send.append(ref)
    return out


def send_chase(
    db: sqlite_utils.Database,
    config: Config,
    plan: ChasePlan,
    *,
    today: date,
    again: bool = False,
    dry_run: bool = False,
    origin: str = "command line",
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> SendReport:
    """Send each mail of ``plan`` for the risks not yet sent for its month (with
    ``again`` all of them again: those already sent and those whose send never finished;
    the plan holds only the owners named with ``--owner`` when some were); ``dry_run`` sends nothing and says what would happen.
    Raises before sending anything when the mail server, the sender, the password or
    the board date is missing or wrong, or when another send is running
    (StoreUnavailable); after that never raises for one owner."""
    sender, password = check_can_send(config, plan, today)
    assert config.chase.smtp is not None
    assign_slugs(plan)
    report = SendReport(
        month=plan.month,
        board_date=plan.board.when,
        dry_run=dry_run,
        no_owner=[i.ref for i in plan.no_owner],
    )
    tz = config.schedule.timezone
    database = Path(database_path(db))
    if dry_run:
        busy = sending_now(database)
        coverage = store.covered(db, plan.month)
        for mail in plan.mails:
            split = _split(mail, coverage, again)
            report.results.append(_preview(mail, split, plan.board.when, tz, busy))
        return report
    with SendLock(database, purpose=origin):
        coverage = store.covered(db, plan.month)
        session = Session(config.chase.smtp, password)
        try:
            for mail in plan.mails:
                result = _send_one(
                    db, config, plan, mail, _split(mail, coverage, again), session, sender,
                    again, origin, clock, report,
                )  # fmt: skip
                report.results.append(result)
        finally:
            session.close()
    return report


def _result(mail: OwnerMail, status: Status, message: str, split: _Split) -> SendResult:
    return SendResult(
        # a shared mailbox: every owner it is for ("Siân Hughes and Tom Okafor")
        owner=mail.owner if len(mail.people) < 2 else and_list(mail.people),
        address=mail.address.address,
        subject=mail.subject,
        status=status,
        message=message,
        earlier=sorted(split.earlier),
        unfinished=[] if split.again else sorted(split.unfinished),
    )


def _preview(
    mail: OwnerMail, split: _Split, board: date, tz: str, busy: dict[str, Any] | None
) -> SendResult:
    if mail.address.address is None:
        return _result(mail, "no_address", mail.address.problem or "", split)
    if busy and split.unfinished:  # another send holds the lock: it is sending them now
        return _result(
            mail,
            "unanswered",
            f"being sent now by another chase --send{holder_words(busy)}",
            split,
        )
    if not split.send:
        return _nothing_to_send(mail, split, tz)
    part = _part(mail, split, board)
    result = _result(mail, "would_send", "", split)
    result.subject, result.refs = part.subject, list(split.send)
    result.message = "would be sent" + _what_and_before(part, split, tz) + _rest(mail, split, tz)
    return result


def _nothing_to_send(mail: OwnerMail, split: _Split, tz: str) -> SendResult:
    if split.unfinished:
        return _result(mail, "unanswered", _unanswered(mail, split, tz), split)
    return _result(mail, "already_sent", _already(mail, split, tz), split)


def _part(mail: OwnerMail, split: _Split, board: date) -> OwnerMail:
    """The mail for the risks to send now (all of them, unless some went before)."""
    if len(split.send) == len(mail.entries):
        return mail
    return mail.covering(set(split.send), board)


def _what_and_before(part: OwnerMail, split: _Split, tz: str) -> str:
    """ " (2 risks)"; " (1 risk: TB-001; already sent before: HX-009 on ...)"; " again
    (2 risks)" - and when sent again over a send that never finished, that it may
    have arrived too."""
    n = plural(len(part.entries), "risk")
    if split.again:
        words = f" again ({n})" if split.resent else f" ({n})"
        if split.unfinished:
            row = list(split.unfinished.values())[-1]
            words += (
                f"; an earlier send started on {_when(row['started_at'], tz)} never"
                " finished, and may also have arrived"
            )
        if split.earlier:  # surely sent: not again without --again
            words += f"; already sent before, not again: {_earlier_words(split, tz)}"
        return words
    if split.earlier:
        return f" ({n}: {', '.join(split.send)}; already sent before: {_earlier_words(split, tz)})"
    return f" ({n})"


def _rest(mail: OwnerMail, split: _Split, tz: str) -> str:
    """What is said of the risks whose earlier send never finished (not sent again)."""
    if split.again or not split.unfinished:
        return ""
    refs = ", ".join(split.unfinished)
    return f"; for {refs}, " + _unanswered(mail, split, tz)


def _earlier_words(split: _Split, tz: str) -> str:
    by_send: dict[int, list[str]] = {}
    rows: dict[int, dict[str, Any]] = {}
    for ref, row in split.earlier.items():
        by_send.setdefault(row["send_id"], []).append(ref)
        rows[row["send_id"]] = row
    return "; ".join(
        f"{', '.join(refs)} on {_when(rows[s]['finished_at'] or rows[s]['started_at'], tz)}"
        for s, refs in by_send.items()
    )


def _resend_options(mail: OwnerMail) -> str:
    """'--again --owner "A" --owner "B"': the options that send this email alone again."""
    named: dict[str, str] = {}  # one --owner per person the email is for
    for owner in [mail.owner, *(e.item.owner for e in mail.entries)]:
        named.setdefault(owner_key(owner), owner)
    return "--again " + " ".join(f'--owner "{o}"' for o in named.values())


def _already(mail: OwnerMail, split: _Split, tz: str) -> str:
    row = max(split.earlier.values(), key=lambda r: r["send_id"])
    when = _when(row["finished_at"] or row["started_at"], tz)
    how = f"; {_resend_options(mail)} sends it again"
    if len({r["send_id"] for r in split.earlier.values()}) > 1:
        return f"already sent to {row['address']} ({_earlier_words(split, tz)}){how}"
    return f"already sent to {row['address']} on {when}{how}"


def _unanswered(mail: OwnerMail, split: _Split, tz: str) -> str:
    row = list(split.unfinished.values())[-1]
    return (
        f"a send to {row['address']} started on {_when(row['started_at'], tz)} never"
        " finished (the process stopped while sending): it may have arrived - check the"
        f" mail server's log, or ask the recipient, whether it did; {_resend_options(mail)}"
        " sends it again"
    )


def _when(value: object, tz: str) -> str:
    try:
        stamp = datetime.fromisoformat(str(value))
    except ValueError:
        return str(value)
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=UTC)
    return stamp.astimezone(ZoneInfo(tz)).strftime("%d/%m/%Y %H:%M %Z")


def _send_one(
    db: sqlite_utils.Database,
    config: Config,
    plan: ChasePlan,
    mail: OwnerMail,
    split: _Split,
    session: Session,
    sender: str,
    again: bool,
    origin: str,
    clock: Callable[[], datetime],
    report: SendReport,
) -> SendResult:
    """Send the part of one mail not sent before; stops the report on a Stop."""
    tz = config.schedule.timezone
    if mail.address.address is None:
        return _result(mail, "no_address", mail.address.problem or "", split)
    if not split.send:
        return _nothing_to_send(mail, split, tz)
    part = _part(mail, split, plan.board.when)
    result = _result(mail, "not_sent", "", split)
    result.subject, result.refs = part.subject, list(split.send)
    note = _rest(mail, split, tz)
    if report.stopped is not None:
        result.message = f"not sent: {report.stopped}{note}"
        return result
    now = clock()
    msg = build_message(part, plan, config, now=now, draft=False)
    assert part.address.address is not None
    send_id = store.claim(
        db,
        {
            "month": plan.month,
            "owner_key": part.address.key,
            "owner": part.owner,
            "address": part.address.address,
            "subject": part.subject,
            "board_date": plan.board.when.isoformat(),
            "risks": len(part.entries),
            "message_id": msg["Message-ID"],
            "origin": origin,
            "started_at": now.isoformat(),
        },  # fmt: skip
        part.items(),
        release=[r["send_id"] for r in split.unfinished.values()] if again else (),
    )
    try:
        session.send(msg, sender, part.address.address)
    except Stop as exc:
        store.finish(db, send_id, status="failed", finished_at=clock().isoformat(), error=str(exc))
        report.stopped = str(exc)
        result.message = f"not sent: {exc}{note}"
        return result
    except (smtplib.SMTPException, OSError) as exc:
        reason = why(exc)
        store.finish(db, send_id, status="failed", finished_at=clock().isoformat(), error=reason)
        result.status, result.message = "failed", f"not sent: {reason}{note}"
        return result
    store.finish(db, send_id, status="sent", finished_at=clock().isoformat())
    result.status = "sent"
    result.message = "sent" + _what_and_before(part, split, tz) + note
    return result
