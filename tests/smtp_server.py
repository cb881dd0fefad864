"""A real SMTP server on 127.0.0.1 for the owner-email tests (aiosmtpd's Controller runs
it in a thread), recording every message it accepts, able to refuse chosen recipients
(550), require a login, and speak STARTTLS or implicit TLS with a self-signed
certificate made for the test by the ``openssl`` command."""

from __future__ import annotations

import asyncio
import shutil
import socket
import ssl
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

USER = "riskboard"
PASSWORD = "s3cret-for-the-test"


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    data: bytes

    def message(self) -> EmailMessage:
        parsed = BytesParser(policy=policy.default).parsebytes(self.data)
        assert isinstance(parsed, EmailMessage)
        return parsed


@dataclass
class Recorder:
    """The handler: accepts mail, refusing RCPT TO for the addresses in ``refuse``."""

    refuse: set[str] = field(default_factory=set)
    close_on: set[str] = field(default_factory=set)  # answer DATA with 421 for these
    hold: set[str] = field(default_factory=set)  # ...no answer to DATA until ``release``
    held: threading.Event = field(default_factory=threading.Event)  # a DATA is held now
    release: threading.Event = field(default_factory=threading.Event)
    received: list[Received] = field(default_factory=list)
    logins: list[str] = field(default_factory=list)

    async def handle_RCPT(  # noqa: N802 - aiosmtpd's hook name
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: Any
    ) -> str:
        if address.lower() in self.refuse:
            return "550 5.1.1 <" + address + ">: no such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        if self.close_on & {a.lower() for a in envelope.rcpt_tos}:
            return "421 4.3.2 Service shutting down, closing transmission channel"
        if self.hold & {a.lower() for a in envelope.rcpt_tos}:
            self.held.set()
            while not self.release.is_set():  # a server slow to answer (the sender may die)
                await asyncio.sleep(0.05)
            return "451 4.3.0 Not delivered: held by the test"
        self.received.append(
            Received(envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content)
        )
        return "250 2.0.0 Message accepted"

    def authenticate(
        self, server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any
    ) -> AuthResult:
        good = (
            isinstance(auth_data, LoginPassword)
            and auth_data.login == USER.encode()
            and auth_data.password == PASSWORD.encode()
        )
        if good:
            self.logins.append(USER)
        return AuthResult(success=good, handled=False)


@dataclass
class Server:
    host: str
    port: int
    recorder: Recorder

    @property
    def received(self) -> list[Received]:
        return self.recorder.received


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def smtp_server(
    *,
    refuse: set[str] | None = None,
    close_on: set[str] | None = None,
    hold: set[str] | None = None,
    login: bool = False,
    starttls: ssl.SSLContext | None = None,
    implicit_tls: ssl.SSLContext | None = None,
) -> Iterator[Server]:
    """A running server; ``login`` requires USER / PASSWORD (over plain text too, as
    on a relay on the same machine); ``starttls`` offers and requires STARTTLS with
    that context; ``implicit_tls`` speaks TLS from the first byte (port 465 style);
    ``hold``: no answer to the DATA of a message to these until ``recorder.release``."""
    recorder = Recorder(
        refuse={a.lower() for a in refuse or set()},
        close_on={a.lower() for a in close_on or set()},
        hold={a.lower() for a in hold or set()},
    )
    port = free_port()
    kwargs: dict[str, Any] = {}
    if login:
        kwargs.update(
            authenticator=recorder.authenticate, auth_required=True, auth_require_tls=False
        )
    if starttls is not None:
        kwargs.update(tls_context=starttls, require_starttls=True)
    if implicit_tls is not None:
        kwargs.update(ssl_context=implicit_tls)
    controller = Controller(recorder, hostname="127.0.0.1", port=port, **kwargs)
    controller.start()
    try:
        yield Server("127.0.0.1", port, recorder)
    finally:
        recorder.release.set()
        controller.stop()


def self_signed(folder: Path) -> tuple[Path, ssl.SSLContext]:
    """A certificate for 127.0.0.1 (its path, for ca_file) and the server's context."""
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("the openssl command is needed to make a test certificate")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-keyout", str(key), "-out", str(cert), "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1"],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    return cert, context
