"""Email addresses and owner names: one home for checking an address and for matching
an owner's name as the register writes it to a name on the people list or in config.

- ``check_address``: an address typed on the people list or given in config.toml,
  checked with the standard library's RFC 5322 parser (``email.headerregistry``);
  refused with the reason in words ("has no domain", "is two addresses"), never
  guessed at. Only ASCII addresses are taken: a mail server without SMTPUTF8 would
  refuse the rest, late and per message.
- ``owner_key``: the form two spellings of one owner share - case, accents,
  punctuation and a trailing organisation in brackets are ignored, so
  "J. Pritchard (BBLP)", "j pritchard" and "J.Pritchard" are one owner.

No riskboard imports beyond the standard library: config.py validates with it.
"""

from __future__ import annotations

import re
import unicodedata
from email.errors import MessageError
from email.headerregistry import Address
from email.utils import getaddresses

MAX_ADDRESS = 254  # RFC 5321's limit on a forward path


class InvalidAddress(ValueError):
    """Not one usable email address; ``str()`` says why in words."""


def check_address(text: str, *, display_name: bool = False) -> Address:
    """``text`` as one email address, or InvalidAddress saying what is wrong.

    ``display_name=True`` also takes ``Name <addr@domain>`` (the From and Reply-To of
    the owner emails); otherwise only ``addr@domain``."""
    raw = str(text).strip()
    if not raw:
        raise InvalidAddress("is empty")
    if re.search(r"[\x00-\x1f\x7f]", raw):
        raise InvalidAddress("holds a line break or a control character")
    name, spec = "", raw
    if "<" in raw or ">" in raw or "," in raw or ";" in raw:
        if not display_name and ("<" in raw or ">" in raw):
            raise InvalidAddress("give the address alone (name@example.org), without a name")
        pairs = getaddresses([raw.replace(";", ",")])
        if len(pairs) != 1 or not pairs[0][1]:
            raise InvalidAddress("is not one address (give exactly one)")
        name, spec = pairs[0]
    if not spec.isascii():
        raise InvalidAddress("holds characters other than plain ASCII (give the xn-- form)")
    try:
        address = Address(display_name=name, addr_spec=spec)
    except (ValueError, IndexError, MessageError) as exc:
        raise InvalidAddress(_reason(spec, exc)) from None
    if not address.username or not address.domain:
        raise InvalidAddress("needs a name, an @ and a domain (name@example.org)")
    domain = address.domain
    if not (domain.startswith("[") or "." in domain.strip(".")) or ".." in domain:
        raise InvalidAddress(f"has no full domain after the @ ({domain!r})")
    if len(address.addr_spec) > MAX_ADDRESS:
        raise InvalidAddress(f"is longer than {MAX_ADDRESS} characters")
    return address


def _reason(spec: str, exc: BaseException) -> str:
    if "@" not in spec:
        return "has no @ (name@example.org)"
    if spec.count("@") > 1 and not spec.startswith('"'):
        return "has more than one @"
    if spec.startswith("@"):
        return "has nothing before the @"
    if spec.endswith("@"):
        return "has no domain after the @"
    if " " in spec:
        return "holds a space"
    return f"is not a valid address ({str(exc).rstrip(')')})"


_TRAILING_ORG = re.compile(r"\s*[\(\[][^()\[\]]*[\)\]]\s*$")
_APOSTROPHES = re.compile(r"['\u2018\u2019`\u00b4]")
_PUNCTUATION = re.compile(r"[^\w\s]|_")


def owner_key(name: str) -> str:
    """The form an owner's name is matched in: "J. Pritchard (BBLP)" -> "j pritchard".

    Case, accents and punctuation are ignored (apostrophes vanish: "O'Brien" is
    "obrien"; other marks separate words: "Smith-Jones" is "smith jones"), and so are
    trailing organisations in brackets, one or more."""
    text = unicodedata.normalize("NFKC", str(name)).strip()
    while True:
        stripped = _TRAILING_ORG.sub("", text)
        if stripped == text or not stripped.strip():
            break
        text = stripped
    folded = unicodedata.normalize("NFKD", text.casefold())
    folded = "".join(ch for ch in folded if not unicodedata.combining(ch))
    folded = _APOSTROPHES.sub("", folded)
    return " ".join(_PUNCTUATION.sub(" ", folded).split())


def owner_display(name: str) -> str:
    """An owner's name for a greeting: as the register writes it, without a trailing
    organisation in brackets ("J. Pritchard (BBLP)" -> "J. Pritchard")."""
    text = " ".join(str(name).split())
    while True:
        stripped = _TRAILING_ORG.sub("", text)
        if stripped == text or not stripped.strip():
            return text
        text = stripped
