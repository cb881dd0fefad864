"""``[chase]``, ``[chase.owners]`` and ``[chase.smtp]`` of config.toml: the owner emails.

The addresses (``from``, ``reply_to`` and ``[chase.owners]``) are checked when the owner
emails are made, not when the file is loaded: a typo in one owner's address must not
stop the nightly import or any other command. A bad ``from`` refuses drafting and
sending with a ConfigError naming the key (``sender``); a bad owner address, or two
spellings of one owner with different addresses, leaves that owner listed with the
reason and never emailed (``reports.chase_addresses``). The SMTP password is never in
the file: ``password_env`` names the environment variable that holds it, read only when
mail is sent.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from riskboard.email_address import InvalidAddress, check_address
from riskboard.errors import ConfigError

Security = Literal["starttls", "tls", "none"]
DEFAULT_PORTS: dict[str, int] = {"starttls": 587, "tls": 465, "none": 25}
LOOPBACK = {"localhost", "127.0.0.1", "::1"}
_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True, populate_by_name=True)


def checked(value: str, key: str, *, display_name: bool) -> str:
    """``value`` (an address from ``[chase]``) as it goes in a header, or ConfigError
    naming ``key`` and what is wrong."""
    try:
        return str(check_address(value, display_name=display_name))
    except InvalidAddress as exc:
        raise ConfigError(
            f"the address {value!r} {exc} - correct it in config.toml",
            key=f"chase.{key}",
        ) from None


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
    # "(Organisation)" ignored, unless two owners differ only by it) -> email address;
    # checked when the emails are made (chase_addresses), never when loaded
    # any value is taken here (a number or a list is that owner's problem, said by chase
    # when it matters), so one bad entry never stops another command
    owners: dict[str, Any] = Field(default_factory=dict)
    smtp: SmtpConfig | None = None

    def sender(self) -> tuple[str | None, str | None]:
        """``from`` and ``reply_to`` checked (None where unset); ConfigError naming the
        key when one is not a usable address."""
        return (
            checked(self.from_, "from", display_name=True) if self.from_ else None,
            checked(self.reply_to, "reply_to", display_name=True) if self.reply_to else None,
        )

    @model_validator(mode="after")
    def _send_needs_smtp(self) -> ChaseConfig:
        if self.scheduled == "send" and self.smtp is None:
            raise ValueError('scheduled = "send" needs [chase.smtp] (host, port, security...)')
        if self.scheduled == "send" and self.from_ is None:
            raise ValueError('scheduled = "send" needs from (the address the emails come from)')
        return self
