"""The agenda's first page in one query: each risk of a month as a flat row, with its
direction inputs, latest action update and the flags stored by the last import. Last
month's row is matched by ``ref_key`` (case, spaces, dashes and invisible characters
aside), as the flag rules match it.

The meeting TUI paints this within a few tens of milliseconds for 5,000 risks, then
replaces it with ``register.register_rows`` (flags recomputed with the current
config), which takes the better part of a second at that size.
"""

from __future__ import annotations

from typing import Any

import sqlite_utils

ROW_COLUMNS = (
    "ref", "title", "annex", "owner", "current_likelihood", "current_impact",
    "current_score", "status", "previous_score", "in_previous", "last_action_update", "flags",
)  # fmt: skip

_CURRENT = """
SELECT s.ref, s.title, s.annex, s.owner, s.current_likelihood, s.current_impact,
       s.current_score, s.status, p.current_score, p.ref IS NOT NULL,
       (SELECT MAX(a.last_updated) FROM action_snapshots a
         WHERE a.month = s.month AND a.risk_ref = s.ref),
       (SELECT group_concat(f.code, ' ') FROM flag_results f
         WHERE f.month = s.month AND f.ref = s.ref)
FROM risk_snapshots s
LEFT JOIN risk_snapshots p ON p.month = :previous AND p.ref_key = s.ref_key
WHERE s.month = :month
"""

# open last month, absent from this month's export: flagged missing_from_export
_MISSING = """
SELECT p.ref, p.title, p.annex, p.owner, NULL, NULL, NULL, 'missing', p.current_score, 1,
       NULL, group_concat(f.code, ' ')
FROM flag_results f
JOIN risk_snapshots p ON p.month = :previous AND p.ref = f.ref
WHERE f.month = :month
  AND NOT EXISTS (SELECT 1 FROM risk_snapshots s WHERE s.month = :month AND s.ref_key = p.ref_key)
GROUP BY p.ref
"""


def agenda_rows(
    db: sqlite_utils.Database, month: str, previous_month: str | None
) -> list[dict[str, Any]]:
    """Flat rows for ``month`` (keys: ROW_COLUMNS; ``flags`` is a list of codes)."""
    params = {"month": month, "previous": previous_month or ""}
    out = []
    for sql in (_CURRENT, _MISSING):
        for row in db.conn.execute(sql, params):
            values = dict(zip(ROW_COLUMNS, row, strict=True))
            values["flags"] = values["flags"].split() if values["flags"] else []
            values["in_previous"] = bool(values["in_previous"])
            out.append(values)
    return out
