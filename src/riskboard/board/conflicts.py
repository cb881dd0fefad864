"""Two people at one meeting: a save based on a value that changed since it was shown is
refused, with both values shown - never silently applied (optimistic concurrency).

A face passes ``expected`` - each field it is about to change, with the value it showed
when the form or screen was drawn. ``check`` compares those with the record as it
stands inside the change's transaction (so nobody can slip in between) and raises
``ConflictError`` naming who changed it, when and from where.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from riskboard.board.models import AuditEntry
from riskboard.errors import RiskboardError

BLANK = "(blank)"


@dataclass(frozen=True)
class FieldConflict:
    field: str  # the field's name in words ("note", "attendance")
    shown: Any  # what the face showed when the value was read
    now: Any  # what the record holds now
    yours: Any  # what this save would have written
    name: str = ""  # the field as the face named it in ``expected``

    def lines(self) -> list[str]:
        return [
            f"  {self.field}:",
            f"    shown to you:     {shown(self.shown)}",
            f"    now recorded:     {shown(self.now)}",
            f"    yours, not saved: {shown(self.yours)}",
        ]


class ConflictError(RiskboardError):
    """Refused: the record changed since the value was shown. Nothing was written.
    ``conflicts`` holds each field's values; a face that shows the refusal takes each
    ``now`` as the value it has shown, so a deliberate second save replaces it."""

    def __init__(
        self, subject: str, conflicts: list[FieldConflict], last: AuditEntry | None
    ) -> None:
        self.subject = subject
        self.conflicts = conflicts
        self.last = last
        fields = ", ".join(c.field for c in conflicts)
        lines = [
            f"not saved: the {fields} of {subject} changed since you opened it{by(last)}",
            *(line for c in conflicts for line in c.lines()),
        ]
        super().__init__(
            "\n".join(lines),
            hint="check the value now recorded, then save again if yours should replace it",
        )


def by(last: AuditEntry | None) -> str:
    """ " (by Mo Minutes from the command line at 10:42:03 UTC)" from the last audit row."""
    if last is None:
        return ""
    parts = [f"by {last.actor}" if last.actor else None]
    if last.origin:
        parts.append(f"from {last.origin}")
    parts.append(f"at {last.at[11:19]} UTC" if len(last.at) >= 19 else f"at {last.at}")
    return " (" + " ".join(p for p in parts if p) + ")"


def shown(value: Any) -> str:
    if value is None or value == "":
        return BLANK
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    text = str(value)
    return repr(text) if len(text) <= 200 else repr(text[:197] + "...")


def comparable(value: Any) -> Any:
    """Values as stored: blank text is None, booleans are 0/1, dates ISO text."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str):
        return value.strip()
    return value


def check(
    subject: str,
    before: Mapping[str, Any] | None,
    expected: Mapping[str, Any] | None,
    wanted: Mapping[str, Any],
    last: AuditEntry | None,
    labels: Mapping[str, str] | None = None,
) -> None:
    """Refuse if any field in ``expected`` no longer holds the value shown. ``before`` is
    the row now (None: not recorded), ``wanted`` the values this change would write,
    all in stored form; fields the change leaves alone are not compared."""
    if not expected:
        return
    conflicts = []
    for name, shown_value in expected.items():
        now = before.get(name) if before else None
        if name in wanted and comparable(now) == comparable(wanted[name]):
            continue  # someone else already saved exactly this: nothing is lost
        if comparable(now) != comparable(shown_value):
            label = (labels or {}).get(name, name.replace("_", " "))
            conflicts.append(FieldConflict(label, shown_value, now, wanted.get(name), name))
    if conflicts:
        raise ConflictError(subject, conflicts, last)
