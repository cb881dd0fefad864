"""One connection to the council's mail server (``[chase.smtp]``) for the owner emails,
and every failure in words a risk officer can act on.

``Session.send`` opens the connection on first use (and again after the server closed
it, e.g. after a 421), with STARTTLS or implicit TLS and the login as configured. A
failure to connect, to start TLS or to log in is ``Stop``: no later message could go
either, so the run stops there. Each step's failure is diagnosed from the step and the
exception, never guessed from one of them: a server that offers no login (AUTH) is not
a server without STARTTLS, and a TLS port spoken to in plain text (or the reverse) says
which setting to try. Every socket operation has ``timeout_seconds``.
"""

from __future__ import annotations

import contextlib
import smtplib
import ssl
from email.message import EmailMessage

from riskboard.chase_config import SmtpConfig


class Stop(Exception):
    """Connecting, starting TLS or logging in failed: no later message can go either."""


class Session:
    """One SMTP connection, opened on first use and again after a dropped one."""

    def __init__(self, smtp: SmtpConfig, password: str | None) -> None:
        self.smtp = smtp
        self.password = password
        self.conn: smtplib.SMTP | None = None
        self.where = f"{smtp.host}:{smtp.effective_port()}"

    def send(self, msg: EmailMessage, sender: str, recipient: str) -> None:
        """Send one message; Stop when the server cannot be reached or logged in to,
        smtplib's own error (refused address, dropped connection...) otherwise."""
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
        step = "connect"
        try:
            if s.security == "tls":
                conn = smtplib.SMTP_SSL(s.host, port, timeout=s.timeout_seconds, context=context)
            else:
                conn = smtplib.SMTP(s.host, port, timeout=s.timeout_seconds)
                if s.security == "starttls":
                    step = "starttls"
                    conn.starttls(context=context)
            if s.user:
                step = "login"
                conn.login(s.user, self.password or "")
            return conn
        except BaseException as exc:
            self._drop(conn)
            if isinstance(exc, smtplib.SMTPException | OSError):
                raise Stop(self._diagnose(step, exc)) from None
            raise

    def _diagnose(self, step: str, exc: BaseException) -> str:
        """What went wrong at ``step`` (connect, starttls, login), in words."""
        s, where = self.smtp, self.where
        if isinstance(exc, smtplib.SMTPNotSupportedError) and step == "login":
            hint = (
                ": many servers offer it only on an encrypted connection - set security ="
                ' "starttls"'
                if s.security == "none"
                else ": check that this server takes a login, or remove [chase.smtp] user"
            )
            return (
                f"the mail server at {where} does not offer a login (AUTH) on this connection{hint}"
            )
        if isinstance(exc, smtplib.SMTPNotSupportedError):
            return (
                f"the mail server at {where} does not offer STARTTLS: check [chase.smtp]"
                ' port, or set security = "tls" for a port that starts encrypted (465)'
            )
        if isinstance(exc, smtplib.SMTPAuthenticationError):
            return (
                f"the mail server at {where} refused the login of user {s.user!r}"
                f" ({reply_words(exc.smtp_code, exc.smtp_error)}): check [chase.smtp] user"
                f" and the password in ${s.password_env}"
            )
        if isinstance(exc, ssl.SSLCertVerificationError):
            return (
                f"the certificate of the mail server at {where} could not be verified"
                f" ({exc.verify_message or exc}): if it is your council's own, give its CA"
                " bundle as [chase.smtp] ca_file"
            )
        if isinstance(exc, ssl.SSLError):
            reason = exc.reason or str(exc)
            if s.security == "tls" and reason == "WRONG_VERSION_NUMBER":
                return (
                    f"the mail server at {where} did not start TLS: it answered in plain"
                    " text, as a STARTTLS port (587, or 25) does - is it one? try security ="
                    ' "starttls"'
                )
            what = "TLS from the start" if s.security == "tls" else "STARTTLS"
            return (
                f"the encrypted connection ({what}) to the mail server at {where} failed"
                f" ({str(reason).replace('_', ' ').lower()}): check [chase.smtp] security and"
                " port"
            )
        if step == "connect" and s.security != "tls" and _timed_out(exc):
            return (
                f"could not connect to the mail server at {where}: no answer from the mail"
                " server in time (timeout_seconds) - if this port expects encryption from"
                ' the start (usually 465), set security = "tls"'
            )
        return f"could not connect to the mail server at {where}: {why(exc)}"

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


def _timed_out(exc: BaseException) -> bool:
    return isinstance(exc, TimeoutError) or isinstance(exc.__context__, TimeoutError)


def reply_words(code: int, text: bytes | str) -> str:
    """A server reply on one line: "550 5.1.1 no such mailbox"."""
    words = text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)
    return f"{code} {' '.join(words.split())}".strip()


def why(exc: BaseException) -> str:
    """A send failure in words (what the server said, or what the network did)."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = "; ".join(reply_words(c, m) for c, m in exc.recipients.values())
        return f"the mail server refused the address ({codes})"
    if isinstance(exc, smtplib.SMTPSenderRefused):
        return (
            "the mail server refused the sender address"
            f" ({reply_words(exc.smtp_code, exc.smtp_error)})"
        )
    if isinstance(exc, smtplib.SMTPResponseException):
        return f"the mail server refused the message ({reply_words(exc.smtp_code, exc.smtp_error)})"
    if isinstance(exc, smtplib.SMTPServerDisconnected) and _timed_out(exc):
        # smtplib words a reply that never came as a closed connection
        return "no answer from the mail server in time (timeout_seconds)"
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return f"the mail server closed the connection ({exc or 'no reason given'})"
    if isinstance(exc, TimeoutError):
        return "no answer from the mail server in time (timeout_seconds)"
    if isinstance(exc, OSError):
        return exc.strerror or str(exc) or type(exc).__name__
    return str(exc) or type(exc).__name__
