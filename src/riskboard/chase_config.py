"""``[chase]``, ``[chase.owners]`` and ``[chase.smtp]`` of config.toml: the owner emails.

Every address is checked when the file is loaded (``email_address.check_address``), so
a typo is a ConfigError naming its key before anything is written or sent. The SMTP
password is never in the file: ``password_env`` names the environment variable that
holds it, read only when mail is sent.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from riskboard.email_address import InvalidAddress, check_address, owner_key

Security = Literal["starttls", "tls", "none"]
DEFAULT_PORTS: dict[str, int] = {"starttls": 587, "tls": 465, "none": 25}
LOOPBACK = {"localhost", "127.0.0.1", "::1"}
_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True, populate_by_name=True)


def _address(value: str | None, *, display_name: bool) -> str | None:
    if value is None:
        return None
    try:
        return str(check_address(value, display_name=display_name))
    except InvalidAddress as exc:
        raise ValueError(f"{value!r} {exc}") from None


class SmtpConfig(_Strict):
    host: str = Field(min_length=1)
    # default by security: 587 for starttls, 465 for tls, 25 for none
    port: int | None = Field(default=None, ge=1, le=65535)
    security: Security = "starttls"
    user: str | None = None
    # the NAME of the environment variable holding the password (never the password)
    password_env: str | None = None
    timeout_seconds: float = Field(default=30, gt=0, le=600)
    # a CA bundle to trust besides the system's (a council's own mail relay certificate)
    ca_file: Path | None = None

    @model_validator(mode="before")
    @classmethod
    def _no_password_here(cls, data: Any) -> Any:
        if isinstance(data, dict) and "password" in data:
            raise ValueError(
                "password: never put the password in config.toml - set password_env to the"
                " name of an environment variable that holds it"
            )
        return data

    @field_validator("password_env")
    @classmethod
    def _env_name(cls, v: str | None) -> str | None:
        if v is not None and not _ENV_NAME.fullmatch(v):
            raise ValueError(f"{v!r} is not an environment variable name (e.g. RISKBOARD_SMTP)")
        return v

    @model_validator(mode="after")
    def _login_is_safe(self) -> SmtpConfig:
        if self.user and not self.password_env:
            raise ValueError("user is set but password_env is not: name the variable")
        if self.user and self.security == "none" and self.host.lower() not in LOOPBACK:
            raise ValueError(
                'security = "none" with a user would send the password unencrypted:'
                " use starttls or tls"
            )
        return self

    def effective_port(self) -> int:
        return self.port or DEFAULT_PORTS[self.security]


class ChaseConfig(_Strict):
    # From of every owner email ("Risk Board Secretary <risk.board@council.gov.uk>");
    # needed to send, optional on drafts (the mail client fills in the account)
    from_: str | None = Field(default=None, alias="from")
    reply_to: str | None = None
    # the closing lines of each email (default: the board's name)
    signature: str | None = None
    # how to reply, in your words (default: reply before the board, even with no progress)
    how_to_reply: str | None = None
    # the nightly job prepares the month's emails this many days before the next meeting
    days_before_board: int = Field(default=7, ge=1, le=60)
    # what it does then: write drafts (exports/chase-YYYY-MM-emails/), send them, or nothing
    scheduled: Literal["drafts", "send", "off"] = "drafts"
    # owner name as the register writes it (case, punctuation and a trailing
    # "(Organisation)" ignored) -> email address
    owners: dict[str, str] = Field(default_factory=dict)
    smtp: SmtpConfig | None = None

    @field_validator("from_", "reply_to")
    @classmethod
    def _sender(cls, v: str | None) -> str | None:
        return _address(v, display_name=True)

    @field_validator("owners")
    @classmethod
    def _owners(cls, v: dict[str, str]) -> dict[str, str]:
        seen: dict[str, tuple[str, str]] = {}
        out: dict[str, str] = {}
        for name, address in v.items():
            key = owner_key(name)
            if not key:
                raise ValueError(f"{name!r}: an owner needs a name")
            checked = _address(address, display_name=False)
            assert checked is not None
            if key in seen and seen[key][1].lower() != checked.lower():
                raise ValueError(
                    f"{seen[key][0]!r} and {name!r} are the same owner (names are matched"
                    f" ignoring case, punctuation and a bracketed organisation) with two"
                    f" addresses: {seen[key][1]} and {checked}"
                )
            seen[key] = (name, checked)
            out[name] = checked
        return out

    @model_validator(mode="after")
    def _send_needs_smtp(self) -> ChaseConfig:
        if self.scheduled == "send" and self.smtp is None:
            raise ValueError('scheduled = "send" needs [chase.smtp] (host, port, security...)')
        if self.scheduled == "send" and self.from_ is None:
            raise ValueError('scheduled = "send" needs from (the address the emails come from)')
        return self
