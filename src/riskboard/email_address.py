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

import ipaddress
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
    the owner emails); otherwise only ``addr@domain``. Each reason reads after "the
    address 'x'" ("... has no @", "... is written with a name: give ...")."""
    raw = str(text).strip()
    if not raw:
        raise InvalidAddress("is empty")
    if re.search(r"[\x00-\x1f\x7f]", raw):
        raise InvalidAddress("holds a line break or a control character")
    name, spec = "", raw
    if "<" in raw or ">" in raw or "," in raw or ";" in raw:
        if not display_name and ("<" in raw or ">" in raw):
            raise InvalidAddress(
                "is written with a name: give the address alone (name@example.org)"
            )
        pairs = getaddresses([raw.replace(";", ",")])
        if len(pairs) != 1 or not pairs[0][1]:
            raise InvalidAddress("is not one address: give exactly one")
        name, spec = pairs[0]
    if not spec.isascii():
        raise InvalidAddress("holds characters other than plain ASCII: give the xn-- form")
    if "@" in spec and re.search(r"\s", spec.strip()) and not spec.strip().startswith('"'):
        # the parser would quietly drop a space after the @ ("jane@ x.example")
        raise InvalidAddress("holds a space")
    try:
        address = Address(display_name=name, addr_spec=spec)
    except (ValueError, IndexError, MessageError) as exc:
        raise InvalidAddress(_reason(spec, exc)) from None
    if not address.username or not address.domain:
        raise InvalidAddress("needs a name, an @ and a domain (name@example.org)")
    problem = domain_problem(address.domain)
    if problem:
        raise InvalidAddress(problem)
    if len(address.addr_spec) > MAX_ADDRESS:
        raise InvalidAddress(f"is longer than {MAX_ADDRESS} characters")
    return address


_LABEL = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?")


def domain_problem(domain: str) -> str | None:
    """Why ``domain`` (after the @) is not a mail domain, or None: labels of letters,
    digits and hyphens (never first or last), at least two of them, the last not all
    digits; an IP address only in brackets ("[192.0.2.1]")."""
    if domain.startswith("[") and domain.endswith("]"):
        literal = domain[1:-1]
        if literal[:5].lower() == "ipv6:":
            literal = literal[5:]
        try:
            ipaddress.ip_address(literal)
        except ValueError:
            return f"has no valid IP address in brackets after the @ ({domain!r})"
        return None
    labels = domain.split(".")
    if len(labels) < 2 or not all(labels):
        return f"has no full domain after the @ ({domain!r})"
    for label in labels:
        if _LABEL.fullmatch(label):
            continue
        if label.startswith("-") or label.endswith("-"):
            return f"has a domain part that starts or ends with a hyphen ({label!r} in {domain!r})"
        if len(label) > 63:
            return f"has a domain part longer than 63 characters (in {domain!r})"
        return (
            "has a character other than letters, digits, hyphens and dots in its domain"
            f" ({domain!r})"
        )
    if labels[-1].isdigit():
        if all(label.isdigit() for label in labels):
            return f"has an IP address after the @ ({domain!r}): write it in brackets, [{domain}]"
        return f"has a domain ending in digits ({domain!r}), which no mail domain does"
    if len(domain) > 253:
        return "has a domain longer than 253 characters"
    return None


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
    local, _, domain = spec.rpartition("@")
    if local.startswith(".") or local.endswith(".") or ".." in local:
        return "has a dot at the start or end of the part before the @, or two dots together"
    if domain.startswith(".") or domain.endswith(".") or ".." in domain:
        return (
            f"has no full domain after the @ ({domain!r}): a dot at its start or end, or two"
            " together"
        )
    return "is not a valid address (name@example.org): it holds a character no address can"


_TRAILING_ORG = re.compile(r"\s*[\(\[][^()\[\]]*[\)\]]\s*$")
_APOSTROPHES = re.compile(r"['\u2018\u2019`\u00b4]")
_PUNCTUATION = re.compile(r"[^\w\s]|_")


def _split_org(name: str) -> tuple[str, list[str]]:
    """The name without its trailing organisations in brackets, and those (innermost
    last): "J. Smith (BBLP)" -> ("J. Smith", ["BBLP"]). A name that is only a bracket
    ("(BBLP)") keeps it as its name."""
    text = unicodedata.normalize("NFKC", str(name)).strip()
    orgs: list[str] = []
    while True:
        match = _TRAILING_ORG.search(text)
        if match is None or not text[: match.start()].strip():
            return text, orgs
        orgs.insert(0, match.group(0).strip()[1:-1])
        text = text[: match.start()]


def _fold(text: str, apostrophe: str) -> str:
    folded = unicodedata.normalize("NFKD", text.casefold())
    folded = "".join(ch for ch in folded if not unicodedata.combining(ch))
    folded = _APOSTROPHES.sub(apostrophe, folded)
    return " ".join(_PUNCTUATION.sub(" ", folded).split())


def owner_key(name: str) -> str:
    """The form an owner's name is recorded in: "J. Pritchard (BBLP)" -> "j pritchard".

    Case, accents and punctuation are ignored (apostrophes vanish: "O'Brien" is
    "obrien"; other marks separate words: "Smith-Jones" is "smith jones"), and so are
    trailing organisations in brackets, one or more (``owner_org`` keeps them). Names
    are matched by ``owner_keys``, which also reads an apostrophe as a space."""
    return _fold(_split_org(name)[0], "")


def owner_keys(name: str) -> frozenset[str]:
    """Every form ``name`` matches in: ``owner_key``'s, and - when the name holds an
    apostrophe - the form with the apostrophe read as a space, so "Seán O'Brien"
    matches both "Sean OBrien" and "Sean O Brien". Two names are one owner when their
    forms meet (and their organisations do not differ: ``owner_org``)."""
    text = _split_org(name)[0]
    return frozenset({_fold(text, ""), _fold(text, " ")}) - {""}


def owner_org(name: str) -> str:
    """The organisation(s) a name is written with, matched as names are: "J. Smith
    (BBLP)" -> "bblp"; "" when the name has none. "J. Smith (BBLP)" and "J. Smith
    (Council)" are two people; "J. Smith" may be either."""
    return " / ".join(_fold(org, "") for org in _split_org(name)[1])


def same_owner(a: str, b: str) -> bool:
    """``a`` and ``b`` can name one person: their names match (``owner_keys``) and they
    are not written with two different organisations ("J. Smith (BBLP)" is not "J.
    Smith (Council)"; "J. Smith" may be either)."""
    org_a, org_b = owner_org(a), owner_org(b)
    return bool(owner_keys(a) & owner_keys(b)) and not (org_a and org_b and org_a != org_b)


def owner_display(name: str) -> str:
    """An owner's name for a greeting: as the register writes it, without a trailing
    organisation in brackets ("J. Pritchard (BBLP)" -> "J. Pritchard")."""
    text = " ".join(str(name).split())
    while True:
        stripped = _TRAILING_ORG.sub("", text)
        if stripped == text or not stripped.strip():
            return text
        text = stripped


MAX_DISPLAY_NAME = 64  # characters of a name in a To header (the address is never cut)


def header_display_name(name: str, limit: int = MAX_DISPLAY_NAME) -> str:
    """``name`` short enough for a To header: a header line must stay within 998
    characters (RFC 5322), and a name with no space cannot be folded. A longer name is
    cut at a word where it can be, and ends "..."."""
    text = " ".join(name.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 3]
    if " " in cut[limit // 2 :]:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ,.-") + "..."
