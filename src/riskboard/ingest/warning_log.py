"""Warnings of one import, capped per kind so a 50,000-row file stays readable."""

from __future__ import annotations

from collections import Counter

PER_KIND = 5


class Warnings:
    """Collects warning messages; after ``PER_KIND`` of one kind (e.g. bad dates in one
    column of one sheet) the rest are counted and summarised in one line."""

    def __init__(self, per_kind: int = PER_KIND) -> None:
        self.per_kind = per_kind
        self._messages: list[str] = []
        self._counts: Counter[str] = Counter()

    def add(self, kind: str, message: str) -> None:
        """``kind`` is a readable label for the group, e.g. "sheet 'Risks': rows skipped"."""
        self._counts[kind] += 1
        if self._counts[kind] <= self.per_kind:
            self._messages.append(message)

    def note(self, message: str) -> None:
        """A one-off warning, never capped."""
        self._messages.append(message)

    def messages(self) -> list[str]:
        out = list(self._messages)
        for kind, n in self._counts.items():
            if n > self.per_kind:
                out.append(f"{kind}: {n - self.per_kind:,} more not listed ({n:,} in all)")
        return out
