"""What the minutes print about a reviewed risk, pinned at the review.

The minutes of a meeting must say what the board saw, for ever: a later re-import of
the board month (the contractor re-sending it with a corrected score, its actions
updated) must not rewrite the minutes of a meeting already held. The review keeps the
risk's title, annex, owner and score itself; this adds the rest the minutes print from
the board month's register row - status, likelihood x impact, the previous month's
score and direction of travel, the flags (as worded then) and the export's strategy.
"""

from __future__ import annotations

import json
from typing import Any

import sqlite_utils

from riskboard import flag_text
from riskboard.config import Config
from riskboard.domain import ref_key
from riskboard.register import RegisterRow, register_rows

FACTS_VERSION = 1


def risk_facts(db: sqlite_utils.Database, month: str, ref: str, config: Config) -> dict[str, Any]:
    """The board month's register row for ``ref`` as the minutes use it (``in_register``
    False: not in that month's register, nor flagged missing from it)."""
    key = ref_key(ref)
    row = next((r for r in register_rows(db, month, config) if ref_key(r.ref) == key), None)
    return facts_of(month, row)


def facts_of(month: str, row: RegisterRow | None) -> dict[str, Any]:
    if row is None:
        return {"version": FACTS_VERSION, "month": month, "in_register": False}
    return {
        "version": FACTS_VERSION,
        "month": month,
        "in_register": True,
        "status": row.status,
        "current_likelihood": row.current_likelihood,
        "current_impact": row.current_impact,
        "current_score": row.current_score,
        "previous_score": row.previous_score,
        "direction": row.direction,
        "strategy": row.strategy,
        "strategy_text": row.strategy_text,
        "exposure": row.exposure,
        "flags": [
            {"code": code, "text": flag_text.summary(code, row.flag_details.get(code))}
            for code in row.flags
        ],
    }


def facts_json(facts: dict[str, Any]) -> str:
    return json.dumps(facts, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def parse_facts(text: str | None) -> dict[str, Any] | None:
    """The stored facts (None: the review was recorded before they were kept)."""
    if not text:
        return None
    value = json.loads(text)
    return value if isinstance(value, dict) else None
