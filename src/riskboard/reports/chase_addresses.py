"""Which email address each risk owner's chase goes to.

An owner is named as the contractor's register writes it ("J. Pritchard (BBLP)"). Its
address comes from the people list (``riskboard meeting person NAME --email ADDR``) or
from ``[chase.owners]`` in config.toml, the names matched by
``email_address.owner_keys`` (case, accents, punctuation and a trailing organisation in
brackets ignored; an apostrophe read as nothing or as a space). Nothing is guessed:

- an owner with no address, or with two different ones, gets none and says why;
- an address that is not usable (a typo in config.toml) is checked here, when the
  emails are made - not when the config is loaded - and its owner gets none, with the
  reason, so one typo never stops another command;
- two owners whose names match but whose bracketed organisations differ ("J. Smith
  (BBLP)", "J. Smith (Council)") are two people: an address given without an
  organisation could be either's, so neither gets it until each is given its own,
  keyed with the organisation (``"J. Smith (Council)" = ...``).

The faces list every owner without an address, never skip them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import sqlite_utils
from pydantic import BaseModel

from riskboard.board.attendance import list_people
from riskboard.config import Config
from riskboard.email_address import (
    InvalidAddress,
    check_address,
    header_display_name,
    owner_display,
    owner_key,
    owner_keys,
    owner_org,
)
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
        """The To header value ("J. Pritchard <j.pritchard@bblp.example>"); a long name
        is shortened (``header_display_name``), the address never."""
        from email.headerregistry import Address

        if self.address is None:
            return None
        user, _, domain = self.address.rpartition("@")
        return str(
            Address(display_name=header_display_name(self.name), username=user, domain=domain)
        )


@dataclass(frozen=True)
class _Source:
    name: str  # as given on the people list or in config
    keys: frozenset[str]
    org: str
    address: str | None  # checked addr@domain, None when it is not usable
    where: str  # in words
    problem: str | None = None  # why the address given is not usable


def _sources(db: sqlite_utils.Database, config: Config) -> list[_Source]:
    out = []
    given: list[tuple[str, str, str]] = [
        (p.name, p.email, f"people list ({p.name})")
        for p in list_people(db, include_inactive=True)
        if p.email
    ]
    given += [(n, a, f"[chase.owners] {n!r}") for n, a in config.chase.owners.items()]
    for name, raw, where in given:
        if not isinstance(raw, str):
            address, problem = (
                None,
                (
                    f"the address from the {where} is not text ({raw!r}): write it in quotes,"
                    ' "name@example.org"'
                ),
            )
            out.append(_Source(name, owner_keys(name), owner_org(name), address, where, problem))
            continue
        try:
            address, problem = check_address(raw).addr_spec, None
        except InvalidAddress as exc:
            address, problem = None, f"the address {raw!r} from the {where} {exc}"
        out.append(_Source(name, owner_keys(name), owner_org(name), address, where, problem))
    return out


def config_warnings(config: Config) -> list[str]:
    """What in ``[chase.owners]`` can never be used: an entry with no name."""
    return [
        f"[chase.owners] has an entry with no name (for {address!r}): it is never used -"
        " key it with the owner's name as the register writes it"
        for name, address in config.chase.owners.items()
        if not owner_keys(name)
    ]


def ambiguous_names(owners: Iterable[str]) -> dict[str, list[str]]:
    """Owners whose name matches another's written with a different organisation
    ("J. Smith (BBLP)" and "J. Smith (Council)"; also "J. Smith", which could be
    either): owner -> the other spellings."""
    orgs: dict[str, set[str]] = {}
    names: dict[str, set[str]] = {}
    listed = list(dict.fromkeys(owners))
    for owner in listed:
        for key in owner_keys(owner):
            orgs.setdefault(key, set()).add(owner_org(owner))
            names.setdefault(key, set()).add(owner)
    out: dict[str, list[str]] = {}
    for owner in listed:
        clash = [k for k in owner_keys(owner) if len(orgs[k] - {""}) > 1]
        if clash:
            others = {n for k in clash for n in names[k]} - {owner}
            out[owner] = sorted(others, key=str.casefold)
    return out


def resolve_addresses(
    db: sqlite_utils.Database,
    config: Config,
    owners: Iterable[str],
    *,
    everyone: Iterable[str] | None = None,
) -> dict[str, OwnerAddress]:
    """Each owner's address (by owner as written), from the people list (active or not)
    and ``[chase.owners]``. Both may name the same address; two different addresses for
    one owner - from either source - are a problem, not a choice; so is an address
    that is not usable. ``everyone``: all the month's owners (default ``owners``), so
    that a name written with two organisations is ambiguous even when only one of them
    is asked for (``--owner``)."""
    owners = list(owners)
    sources = _sources(db, config)
    ambiguous = ambiguous_names(list(everyone) + owners if everyone is not None else owners)
    out: dict[str, OwnerAddress] = {}
    for owner in owners:
        keys, org = owner_keys(owner), owner_org(owner)
        name = " ".join(strip_controls(owner_display(owner)).split()) or owner
        entry = OwnerAddress(owner=owner, key=owner_key(owner), name=name)
        out[owner] = entry
        same_name = [s for s in sources if s.keys & keys]
        if owner in ambiguous:
            # only an address given for this very organisation is this owner's
            mine = [s for s in same_name if org and s.org == org]
        else:
            mine = [s for s in same_name if not (s.org and org and s.org != org)]
        bad = [s for s in mine if s.problem]
        options: dict[str, _Source] = {}
        for s in mine:
            if s.address:
                options.setdefault(s.address.lower(), s)
        if bad:
            entry.problem = "; ".join(s.problem or "" for s in bad)
        elif len(options) == 1:
            chosen = next(iter(options.values()))
            entry.address, entry.source = chosen.address, chosen.where
        elif len(options) > 1:
            listed = "; ".join(f"{s.address} from the {s.where}" for s in options.values())
            entry.problem = (
                f"two addresses for one owner ({listed}): make them agree, on the people"
                " list or in [chase.owners]"
            )
        elif owner in ambiguous:
            others = ", ".join(ambiguous[owner])
            entry.problem = (
                f"the register also names {others}: the same name with a different"
                " organisation, so an address given without one could be either's - give"
                f" this owner its own under [chase.owners], keyed with the organisation"
                f' ({_example_key(owner)} = "name@example.org")'
            )
        elif same_name:
            given = "; ".join(f"the {s.where}" for s in same_name)
            entry.problem = (
                f"{NO_ADDRESS} (an address is given for this name with another organisation:"
                f" {given})"
            )
        else:
            entry.problem = NO_ADDRESS
    return out


def _example_key(owner: str) -> str:
    return '"' + " ".join(strip_controls(owner).split()).replace('"', "'") + '"'
