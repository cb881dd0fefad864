"""Warnings of one import, capped per kind so a 50,000-row file stays readable.

Two lists come out. ``messages`` - what ``--dry-run`` prints and the import record
keeps - names every row skipped (a row that is not read must never go unnamed), and
caps other repeated warnings per kind. ``brief`` - what an import prints - also caps
the rows skipped, pointing to where the full list is.
"""

from __future__ import annotations

from collections import Counter

PER_KIND = 5


class Warnings:
    """Collects warning messages; after ``PER_KIND`` of one kind (e.g. bad dates in one
    column of one sheet) the rest are counted and summarised in one line."""

    def __init__(self, per_kind: int = PER_KIND) -> None:
        self.per_kind = per_kind
        self._messages: list[tuple[str | None, str]] = []  # (kind, message)
        self._counts: Counter[str] = Counter()
        self._listed: set[str] = set()  # kinds every message of which is kept

    def add(self, kind: str, message: str, *, listed: bool = False) -> None:
        """``kind`` is a readable label for the group, e.g. "sheet 'Risks': rows skipped".
        ``listed``: every message of the kind is kept in ``messages`` (rows skipped)."""
        self._counts[kind] += 1
        if listed:
            self._listed.add(kind)
            self._messages.append((kind, message))
        elif self._counts[kind] <= self.per_kind:
            self._messages.append((kind, message))

    def note(self, message: str) -> None:
        """A one-off warning, never capped."""
        self._messages.append((None, message))

    def messages(self) -> list[str]:
        """Every warning; rows skipped all named, other kinds capped."""
        return self._render(cap_listed=False)

    def brief(self) -> list[str]:
        """As ``messages``, with the rows skipped capped too (what an import prints)."""
        return self._render(cap_listed=True)

    def _render(self, *, cap_listed: bool) -> list[str]:
        out: list[str] = []
        shown: Counter[str] = Counter()
        for kind, message in self._messages:
            if kind is not None and kind in self._listed and cap_listed:
                shown[kind] += 1
                if shown[kind] > self.per_kind:
                    continue
            out.append(message)
        for kind, n in self._counts.items():
            if n <= self.per_kind:
                continue
            if kind not in self._listed:
                out.append(f"{kind}: {n - self.per_kind:,} more not listed ({n:,} in all)")
            elif cap_listed:
                out.append(
                    f"{kind}: {n - self.per_kind:,} more not listed here ({n:,} in all; every"
                    " one is named by `riskboard import --dry-run` and in the import record)"
                )
        return out
