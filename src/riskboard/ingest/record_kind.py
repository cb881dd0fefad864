"""What a register's rows are - risks, or NEC early warnings - for the one assembler
(``shapes.Assembler``) that reads both."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import TypeAdapter

from riskboard.domain import Risk
from riskboard.ingest.table_end import RISK_STRONG_FIELDS, STRONG_WORDS

_RISKS: TypeAdapter[list[Risk]] = TypeAdapter(list[Risk])


@dataclass(frozen=True)
class RecordKind:
    """What a register's rows are: risks, or early warnings (``ingest.ew_sheets``). The
    assembler reads both the same way - shapes, repeats, notes, the end of the table,
    unreadable cells - and differs only in these."""

    noun: str  # "risk"
    a_noun: str  # "a risk"
    adapter: TypeAdapter[Any]  # validates the list of records built
    parent_key: str  # the attribute of an action naming its record ("risk_ref")
    annexes: bool  # records carry a service annex (from a column, the sheet or file)
    strong: frozenset[str]  # fields that make a row a record whatever its reference
    strong_words: str  # ... as the warnings word them
    # an action needs its text: a date (or owner) alone is not one, it is said and skipped
    # (issue 14 review F24: an early warning "action" invented from a date)
    action_needs_text: bool = False


RISK = RecordKind("risk", "a risk", _RISKS, "risk_ref", True, RISK_STRONG_FIELDS, STRONG_WORDS)
