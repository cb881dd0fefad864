"""Which email address each risk owner's chase goes to.

An owner is named as the contractor's register writes it ("J. Pritchard (BBLP)"). Its
address comes from the people list (``riskboard meeting person NAME --email ADDR``) or
from ``[chase.owners]`` in config.toml, the names matched by
``email_address.owner_key`` (case, accents, punctuation and a trailing organisation in
brackets ignored). Nothing is guessed: an owner with no address, or with two different
ones, gets none and says why - the faces list them, never skip them.
"""

from __future__ import annotations

from collections.abc import Iterable

import sqlite_utils
from pydantic import BaseModel

from riskboard.board.attendance import list_people
from riskboard.config import Config
from riskboard.email_address import owner_display, owner_key
from riskboard.safe_text import strip_controls

NO_ADDRESS = "no email address"
# what to do about an owner without an address (the faces print it once)
ADD_ADDRESS = (
    "add one with `riskboard meeting person NAME --email ADDRESS` or under [chase.owners]"
    " in config.toml"
)


class OwnerAddress(BaseModel):
    """Where one owner's email goes, or why it cannot."""

    owner: str  # as the register writes it
    key: str  # email_address.owner_key(owner)
    name: str  # for the greeting and the To header ("J. Pritchard")
    address: str | None = None  # addr@domain
    source: str | None = None  # where the address was found, in words
    problem: str | None = None  # why there is no address, in words

    @property
    def to_header(self) -> str | None:
        """The To header value ("J. Pritchard <j.pritchard@bblp.example>")."""
        from email.headerregistry import Address

        if self.address is None:
            return None
        user, _, domain = self.address.rpartition("@")
        return str(Address(display_name=self.name, username=user, domain=domain))


def resolve_addresses(
    db: sqlite_utils.Database, config: Config, owners: Iterable[str]
) -> dict[str, OwnerAddress]:
    """Each owner's address (by owner as written), from the people list (active or not)
    and ``[chase.owners]``. Both may name the same address; two different addresses for
    one owner - from either source - are a problem, not a choice."""
    found: dict[str, dict[str, str]] = {}  # key -> address (lowercased) -> where

    def add(name: str, address: str | None, where: str) -> None:
        if address:
            found.setdefault(owner_key(name), {}).setdefault(address.lower(), where)

    for person in list_people(db, include_inactive=True):
        add(person.name, person.email, f"people list ({person.name})")
    for name, address in config.chase.owners.items():
        add(name, address, f"[chase.owners] {name!r}")
    spelled: dict[str, str] = {}  # lowercased -> as given
    for person in list_people(db, include_inactive=True):
        if person.email:
            spelled.setdefault(person.email.lower(), person.email)
    for address in config.chase.owners.values():
        spelled.setdefault(address.lower(), address)

    out: dict[str, OwnerAddress] = {}
    for owner in owners:
        key = owner_key(owner)
        name = " ".join(strip_controls(owner_display(owner)).split()) or owner
        entry = OwnerAddress(owner=owner, key=key, name=name)
        options = found.get(key, {}) if key else {}
        if len(options) == 1:
            address, where = next(iter(options.items()))
            entry.address, entry.source = spelled[address], where
        elif len(options) > 1:
            listed = "; ".join(f"{spelled[a]} from the {w}" for a, w in options.items())
            entry.problem = (
                f"two addresses for one owner ({listed}): make them agree, on the people"
                " list or in [chase.owners]"
            )
        else:
            entry.problem = NO_ADDRESS
        out[owner] = entry
    return out
