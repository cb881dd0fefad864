"""Which zip part calamine reads for each sheet, and for the shared strings.

The sheet scan (``ingest.sheet_scan``) must look at exactly the bytes calamine will read,
or a hostile file gets past it: two sheets of one name whose first part is the hostile
one, a part name in other letter case, two zip entries that are one part to calamine.
So parts are looked up as calamine (0.37) looks them up - backslashes as slashes, letter
case ignored - and what calamine could read two ways is refused rather than guessed:

- two zip entries whose names are one part to calamine (Excel never writes that);
- two sheets of one name (Excel never allows it; calamine reads the first);
- a sheet whose part cannot be found from the workbook's relationships.

The shared strings are ``<workbook folder>/sharedStrings.xml``, where calamine looks for
them (not through the relationships). ``shared_string_sizes`` gives each string's size
in bytes of XML - never less than the text calamine makes of it - for the bound on the
text the cells hold together (one 7 MiB string used by 3,000 cells is 21 GB to calamine).
"""

from __future__ import annotations

import re
import zipfile
from array import array
from collections.abc import Iterator
from dataclasses import dataclass, field
from urllib.parse import unquote


class PartsProblem(ValueError):
    """The workbook's parts can be read more than one way (the reason, in words)."""


@dataclass
class BookParts:
    """Sheet name -> its part (as calamine finds it), and the shared strings' part."""

    sheets: dict[str, zipfile.ZipInfo] = field(default_factory=dict)
    shared_strings: zipfile.ZipInfo | None = None
    folder: str = "xl/"


def part_index(zf: zipfile.ZipFile) -> dict[str, zipfile.ZipInfo]:
    """Every entry by the name calamine looks it up by. PartsProblem if two entries are
    one name to calamine (a zip can hold both ``a.xml`` and ``A.xml``, or one name twice:
    which one calamine reads is not ours to guess)."""
    index: dict[str, zipfile.ZipInfo] = {}
    for info in zf.infolist():
        key = _key(info.filename)
        if key in index:
            raise PartsProblem(
                f"the zip holds two entries for part {info.filename} (a workbook never does)"
            )
        index[key] = info
    return index


def _key(name: str) -> str:
    return name.replace("\\", "/").lower()


def _find(index: dict[str, zipfile.ZipInfo], name: str) -> zipfile.ZipInfo | None:
    return index.get(_key(name)) or index.get(_key(unquote(name)))


def book_parts(zf: zipfile.ZipFile) -> BookParts:
    """The sheets' parts and the shared strings' part. PartsProblem when they cannot be
    told for certain; ``BookParts()`` with no sheets when there is no workbook part (the
    reader then fails on it too)."""
    from defusedxml import ElementTree  # type: ignore[import-untyped]

    index = part_index(zf)
    try:
        rels = _find(index, "_rels/.rels")
        if rels is None:
            return BookParts()
        book = next(
            (
                _target("", rel.get("Target", ""))
                for rel in ElementTree.fromstring(zf.read(rels))
                if rel.get("Type", "").endswith("/officeDocument")
            ),
            None,
        )
        book_info = _find(index, book) if book else None
        if book is None or book_info is None:
            return BookParts()
        folder = book.rsplit("/", 1)[0] + "/" if "/" in book else ""
        out = BookParts(shared_strings=_find(index, f"{folder}sharedStrings.xml"), folder=folder)
        book_rels = _find(index, f"{folder}_rels/{book.rsplit('/', 1)[-1]}.rels")
        targets = (
            {
                rel.get("Id"): _target(folder, rel.get("Target", ""))
                for rel in ElementTree.fromstring(zf.read(book_rels))
            }
            if book_rels is not None
            else {}
        )
        seen: dict[str, str] = {}
        for el in ElementTree.fromstring(zf.read(book_info)).iter():
            if el.tag.rsplit("}", 1)[-1] != "sheet" or el.get("name") is None:
                continue
            name = el.get("name")
            if name.lower() in seen:
                raise PartsProblem(
                    f"the workbook lists two sheets named {seen[name.lower()]!r}"
                    f" and {name!r} (Excel never allows that)"
                )
            seen[name.lower()] = name
            rid = next((v for k, v in el.attrib.items() if k.rsplit("}", 1)[-1] == "id"), None)
            info = _find(index, targets[rid]) if rid in targets else None
            if info is None:
                raise PartsProblem(f"cannot find the part that holds sheet {name!r}")
            out.sheets[name] = info
        return out
    except (KeyError, ValueError, SyntaxError, zipfile.BadZipFile) as exc:
        if isinstance(exc, PartsProblem):
            raise
        raise PartsProblem(f"its workbook part cannot be read ({exc})") from None


def _target(folder: str, target: str) -> str:
    path = target.lstrip("/") if target.startswith("/") else folder + target
    out: list[str] = []
    for piece in path.replace("\\", "/").split("/"):
        if piece == "..":
            if out:
                out.pop()
        elif piece and piece != ".":
            out.append(piece)
    return "/".join(out)


# ----------------------------------------------------------------- shared strings

_SI = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?si[\s/>]")
_SST = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?sst[\s>]")
_UNIQUE = re.compile(rb"""\buniqueCount\s*=\s*["']\s*(\d+)""")


@dataclass(frozen=True)
class SharedStrings:
    """Each shared string's size in bytes of XML (an upper bound on its text), by index,
    and the count the part declares (calamine reserves room for that many)."""

    sizes: array  # type: ignore[type-arg]
    declared: int

    @property
    def largest(self) -> int:
        return max(self.sizes, default=0)


def shared_string_sizes(chunks: Iterator[tuple[bytes, int]]) -> SharedStrings:
    """Sizes of the ``<si>`` elements in the part's XML (``chunks`` as
    ``sheet_scan.whole_tags`` gives them: no tag cut in two). One regex pass: ~0.05 s
    for 100,000 strings. A string runs from its ``<si`` to the next one (or the end),
    which counts its closing tags too: never less than its text."""
    sizes = array("Q")
    declared = 0
    offset = 0
    last: int | None = None
    head = True
    for buf, end in chunks:
        if head:
            sst = _SST.search(buf, 0, end)
            if sst is not None:
                unique = _UNIQUE.search(buf, sst.start(), buf.find(b">", sst.start()) + 1)
                declared = int(unique.group(1)) if unique else 0
                head = False
        for m in _SI.finditer(buf, 0, end):
            here = offset + m.start()
            if last is not None:
                sizes.append(here - last)
            last = here
        offset += end
    if last is not None:
        sizes.append(offset - last)
    return SharedStrings(sizes, declared)
