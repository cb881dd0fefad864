"""Errors a user can cause: one base type and a small family.

The CLI prints ``str(err)`` without a traceback and exits non-zero; the TUI shows it
as a notification or inside the form. Messages name the file, sheet, row, column or
key involved (``file``, ``sheet``, ``row``, ``column``, ``key``).

Which kind of error it is decides what happens next, by type (never by looking at
``__context__``):

- ``RefusedWorkbook`` - the workbook itself is at fault (not a workbook, a zip bomb, a
  special file, a sheet too large, a table that cannot be read). The nightly job moves
  it to ``imports/failed/`` with the reason.
- ``StoreUnavailable`` - the database or a file/folder riskboard writes is unusable right
  now (locked by another process, read-only, disk full, missing). Nothing was changed;
  the nightly job leaves the file where it is for the next run.
- ``ConfigError`` - config.toml or a value from it.
- ``MeetingStateError`` - the meeting cannot take that change now (closed, locked by
  approval, still a draft, no meeting open).
- ``NotFound`` - an unknown risk, meeting, action, escalation, file or database.

A service says what is wrong in ``message`` and, where there is one, what to do as a
``remedy`` code plus the ``fields`` (service argument names) involved. The faces word
it: the CLI as flags (``riskboard.cli.remedies``), the TUI as the field to fill. The
free-text ``hint`` is kept for messages whose advice is the same in every face.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any


class Remedy(StrEnum):
    """What the user can do about an error; each face words it its own way."""

    GIVE_FIELDS = "give_fields"  # fill in ``fields`` (CLI: --flag VALUE; TUI: the form field)
    RETYPE_TEXT = "retype_text"  # text was not valid UTF-8: type it again
    START_MEETING = "start_meeting"
    OPEN_MEETING = "open_meeting"  # a draft must be opened before decisions
    IMPORT_REGISTER = "import_register"
    CHECK_DATABASE_PATH = "check_database_path"
    RETRY_LATER = "retry_later"  # another process holds the database
    MAKE_WRITABLE = "make_writable"
    FREE_SPACE = "free_space"
    CLOSE_OTHER_PROGRAM = "close_other_program"
    RAISE_LIMIT = "raise_limit"  # a configurable import limit was exceeded
    REPORT_FAULT = "report_fault"  # riskboard (or its reader) failed: report it with the file


_LOCATION = ("file", "sheet", "row", "column", "key")


class RiskboardError(Exception):
    """An error the user can act on (bad file, bad config, unknown risk...)."""

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        sheet: str | None = None,
        row: int | None = None,
        column: str | None = None,
        hint: str | None = None,
        key: str | None = None,
        remedy: Remedy | None = None,
        fields: tuple[str, ...] = (),
    ) -> None:
        self.message = message
        self.file = file
        self.sheet = sheet
        self.row = row
        self.column = column
        self.hint = hint
        self.key = key
        self.remedy = remedy
        self.fields = tuple(fields)
        super().__init__(self.render())

    def render(self) -> str:
        """Where, then what: ``file 'x.xlsx', sheet 'Risks', row 7: message``."""
        from riskboard.safe_text import quote_name

        where = []
        if self.file:
            where.append(f"file {quote_name(self.file)}")
        if self.sheet:
            where.append(f"sheet {self.sheet!r}")
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column:
            where.append(f"column {self.column!r}")
        if self.key:
            where.append(f"key {self.key}")
        text = f"{', '.join(where)}: {self.message}" if where else self.message
        if self.hint:
            text += f" - {self.hint}"
        return text

    def details(self) -> dict[str, Any]:
        """The fields a copy of this error needs (it crosses process boundaries)."""
        return {
            **{name: getattr(self, name) for name in _LOCATION},
            "hint": self.hint,
            "remedy": self.remedy,
            "fields": self.fields,
        }

    def __reduce__(self) -> tuple[Any, ...]:
        # keyword-only arguments: the default Exception pickling would lose them
        return (_rebuild, (type(self), self.message, self.details()))

    @classmethod
    def like(cls, other: RiskboardError, **changes: Any) -> RiskboardError:
        """An error of this kind with ``other``'s message and location."""
        fields = {**other.details(), **changes}
        message = fields.pop("message", other.message)
        return cls(message, **fields)


def _rebuild(cls: type[RiskboardError], message: str, fields: dict[str, Any]) -> RiskboardError:
    return cls(message, **fields)


class RefusedWorkbook(RiskboardError):
    """The workbook is at fault: riskboard will not read it as it is."""


class ConfigError(RiskboardError):
    """config.toml, or a value given from it, is wrong."""


class MeetingStateError(RiskboardError):
    """The meeting cannot take this change in its present state."""


class NotFound(RiskboardError):
    """An unknown risk, meeting, action, escalation, file or database."""


class StoreUnavailable(RiskboardError):
    """The database, or a file or folder riskboard reads or writes, cannot be used now
    (busy, read-only, disk full, held by another program). Nothing was changed; trying
    again later can succeed."""
