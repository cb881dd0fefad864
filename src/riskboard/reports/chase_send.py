"""Sending the owner emails through the council's mail server (``[chase.smtp]``).

``send_chase(db, config, plan)`` sends each owner's message (``chase_mail``) once per
board month: every send is claimed in ``chase_mail_sends`` before it goes and marked
sent or failed after, so a second run sends nothing already sent (``again`` overrides)
and a run stopped mid-send leaves that owner ``sending`` - maybe delivered - which is
never sent again without being told. One owner's failure (the server refusing the
address, a dropped connection) is reported and the others still go; a failure to
connect or to log in stops the run there, since every later message would fail the
same way after the same timeout. Every socket operation has ``timeout_seconds``.

The password is read from the environment variable ``password_env`` names, only here.
"""

from __future__ import annotations

import contextlib
import os
import smtplib
import ssl
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from email.message import EmailMessage
from typing import Literal
from zoneinfo import ZoneInfo

import sqlite_utils
from pydantic import BaseModel, Field

from riskboard.chase_config import SmtpConfig
from riskboard.config import Config
from riskboard.domain import uk_date
from riskboard.email_address import check_address
from riskboard.errors import ConfigError, Remedy, RiskboardError
from riskboard.reports.chase_mail import assign_slugs, build_message
from riskboard.reports.chase_plan import ChasePlan, OwnerMail, plural
from riskboard.store import chase_mail as store

Status = Literal["sent", "failed", "no_address", "already_sent", "unanswered", "would_send"]
NOT_DONE = ("failed", "no_address", "unanswered")  # the owner was not (surely) chased


class SendResult(BaseModel):
    owner: str
    address: str | None = None
    subject: str
    status: Status
    message: str  # what happened, in words


class SendReport(BaseModel):
    month: str
    board_date: date
    dry_run: bool
    results: list[SendResult] = Field(default_factory=list)
    no_owner: list[str] = Field(default_factory=list)  # flagged risks with no owner

    @property
    def problems(self) -> list[SendResult]:
        """Owners not chased by this run: failed, no address, or an unanswered send."""
        return [r for r in self.results if r.status in NOT_DONE]

    def count(self, status: Status) -> int:
        return sum(r.status == status for r in self.results)


class _Stop(Exception):
    """Connecting or logging in failed: no later message can go either."""


class _Session:
    """One SMTP connection, opened on first use and again after a dropped one."""

    def __init__(self, smtp: SmtpConfig, password: str | None) -> None:
        self.smtp = smtp
        self.password = password
        self.conn: smtplib.SMTP | None = None
        self.where = f"{smtp.host}:{smtp.effective_port()}"

    def send(self, msg: EmailMessage, sender: str, recipient: str) -> None:
        # smtplib closes its socket itself after a 421 ("closing connection"): open anew
        # before the next message - never retry one that may have gone
        if self.conn is None or self.conn.sock is None:
            self.conn = self._connect()
        try:
            self.conn.send_message(msg, sender, [recipient])
        except (smtplib.SMTPServerDisconnected, OSError):
            self.close()
            raise

    def _connect(self) -> smtplib.SMTP:
        s = self.smtp
        port = s.effective_port()
        context = ssl.create_default_context(cafile=str(s.ca_file) if s.ca_file else None)
        conn: smtplib.SMTP | None = None
        try:
            if s.security == "tls":
                conn = smtplib.SMTP_SSL(s.host, port, timeout=s.timeout_seconds, context=context)
            else:
                conn = smtplib.SMTP(s.host, port, timeout=s.timeout_seconds)
                if s.security == "starttls":
                    conn.starttls(context=context)
            if s.user:
                conn.login(s.user, self.password or "")
            return conn
        except smtplib.SMTPNotSupportedError:
            self._drop(conn)
            raise _Stop(
                f"the mail server at {self.where} does not offer STARTTLS: check"
                ' [chase.smtp] port, or set security = "tls" for a port that starts'
                " encrypted (465)"
            ) from None
        except smtplib.SMTPAuthenticationError as exc:
            self._drop(conn)
            raise _Stop(
                f"the mail server at {self.where} refused the login of user {s.user!r}"
                f" ({_reply(exc.smtp_code, exc.smtp_error)}): check [chase.smtp] user and"
                f" the password in ${s.password_env}"
            ) from None
        except ssl.SSLCertVerificationError as exc:
            self._drop(conn)
            raise _Stop(
                f"the certificate of the mail server at {self.where} could not be verified"
                f" ({exc.verify_message or exc}): if it is your council's own, give its CA"
                " bundle as [chase.smtp] ca_file"
            ) from None
        except (smtplib.SMTPException, OSError) as exc:
            self._drop(conn)
            raise _Stop(
                f"could not connect to the mail server at {self.where}: {_why(exc)}"
            ) from None

    @staticmethod
    def _drop(conn: smtplib.SMTP | None) -> None:
        if conn is not None:
            with contextlib.suppress(OSError):
                conn.close()

    def close(self) -> None:
        conn, self.conn = self.conn, None
        if conn is not None:
            try:
                conn.quit()
            except (smtplib.SMTPException, OSError):
                self._drop(conn)


def _reply(code: int, text: bytes | str) -> str:
    words = text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)
    return f"{code} {' '.join(words.split())}".strip()


def _why(exc: BaseException) -> str:
    """A send failure in words (what the server said, or what the network did)."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = "; ".join(_reply(c, m) for c, m in exc.recipients.values())
        return f"the mail server refused the address ({codes})"
    if isinstance(exc, smtplib.SMTPSenderRefused):
        return (
            f"the mail server refused the sender address ({_reply(exc.smtp_code, exc.smtp_error)})"
        )
    if isinstance(exc, smtplib.SMTPResponseException):
        return f"the mail server refused the message ({_reply(exc.smtp_code, exc.smtp_error)})"
    if isinstance(exc, smtplib.SMTPServerDisconnected) and isinstance(
        exc.__context__, TimeoutError
    ):  # smtplib words a reply that never came as a closed connection
        return "no answer from the mail server in time (timeout_seconds)"
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return f"the mail server closed the connection ({exc or 'no reason given'})"
    if isinstance(exc, TimeoutError):
        return "no answer from the mail server in time (timeout_seconds)"
    if isinstance(exc, OSError):
        return exc.strerror or str(exc) or type(exc).__name__
    return str(exc) or type(exc).__name__


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
    if not config.chase.from_:
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
    return check_address(config.chase.from_, display_name=True).addr_spec, password


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
    """Send each mail of ``plan`` not yet sent for its month (all of them with
    ``again``); ``dry_run`` sends nothing and says what would happen. Raises before
    sending anything when the mail server, the sender, the password or the board date
    is missing or wrong; after that never raises for one owner."""
    sender, password = check_can_send(config, plan, today)
    assert config.chase.smtp is not None
    assign_slugs(plan)
    report = SendReport(
        month=plan.month,
        board_date=plan.board.when,
        dry_run=dry_run,
        no_owner=[i.ref for i in plan.no_owner],
    )
    recorded = store.sends(db, plan.month)
    session = _Session(config.chase.smtp, password)
    stopped: str | None = None
    stale = timedelta(seconds=config.chase.smtp.timeout_seconds * 4 + 60)
    try:
        for mail in plan.mails:
            result = SendResult(
                owner=mail.owner, address=mail.address.address, subject=mail.subject,
                status="would_send", message="",
            )  # fmt: skip
            report.results.append(result)
            if mail.address.address is None:
                result.status, result.message = "no_address", mail.address.problem or ""
            elif dry_run:
                _preview(result, mail, recorded, again, config.schedule.timezone)
            elif stopped is not None:
                result.status, result.message = "failed", f"not sent: {stopped}"
            else:
                stopped = _send_one(
                    db, config, plan, mail, result, session, sender, again, origin, clock, stale
                )
    finally:
        session.close()
    return report


def _preview(
    result: SendResult, mail: OwnerMail, recorded: list[dict[str, object]], again: bool, tz: str
) -> None:
    mine = [r for r in recorded if r["owner_key"] == mail.address.key]
    unanswered = [r for r in mine if r["status"] == "sending"]
    sent = [r for r in mine if r["status"] == "sent"]
    if unanswered:
        result.status = "unanswered"
        result.message = _unanswered(unanswered[-1], tz)
    elif sent and not again:
        result.status = "already_sent"
        result.message = _already(sent[-1], tz)
    else:
        again_word = " again" if sent else ""
        result.message = f"would be sent{again_word} ({plural(len(mail.entries), 'risk')})"


def _already(row: dict[str, object], tz: str) -> str:
    when = _when(row["finished_at"] or row["started_at"], tz)
    return f"already sent to {row['address']} on {when}; --again sends it again"


def _unanswered(row: dict[str, object], tz: str) -> str:
    return (
        f"a send to {row['address']} started on {_when(row['started_at'], tz)} never"
        " finished (the process stopped): it may have arrived - check the sent items, then"
        " --again sends it again"
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
    result: SendResult,
    session: _Session,
    sender: str,
    again: bool,
    origin: str,
    clock: Callable[[], datetime],
    stale: timedelta,
) -> str | None:
    """Send one mail; returns why the run must stop (cannot connect), else None."""
    now = clock()
    msg = build_message(mail, plan, config, now=now, draft=False)
    assert mail.address.address is not None
    send_id, blocking = store.claim(
        db,
        {
            "month": plan.month,
            "owner_key": mail.address.key,
            "owner": mail.owner,
            "address": mail.address.address,
            "subject": mail.subject,
            "board_date": plan.board.when.isoformat(),
            "risks": len(mail.entries),
            "message_id": msg["Message-ID"],
            "origin": origin,
            "started_at": now.isoformat(),
        },  # fmt: skip
        again=again,
        stale_before=(now - stale).isoformat(),
    )
    if send_id is None:
        assert blocking is not None
        tz = config.schedule.timezone
        if blocking["status"] == "sending":
            result.status, result.message = "unanswered", _unanswered(blocking, tz)
        else:
            result.status, result.message = "already_sent", _already(blocking, tz)
        return None
    try:
        session.send(msg, sender, mail.address.address)
    except _Stop as exc:
        store.finish(db, send_id, status="failed", finished_at=clock().isoformat(), error=str(exc))
        result.status, result.message = "failed", f"not sent: {exc}"
        return str(exc)
    except (smtplib.SMTPException, OSError) as exc:
        why = _why(exc)
        store.finish(db, send_id, status="failed", finished_at=clock().isoformat(), error=why)
        result.status, result.message = "failed", f"not sent: {why}"
        return None
    store.finish(db, send_id, status="sent", finished_at=clock().isoformat())
    result.status, result.message = "sent", f"sent ({plural(len(mail.entries), 'risk')})"
    return None
