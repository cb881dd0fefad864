"""One risk in two files of the same month (the joint register and an annex, say).

The later file's row is what the month shows - but never in silence. Where the two rows
say different things (score, status, owner...) the risk gets an ``unreadable_value``
contradiction cell naming the other file, sheet and row and what each says, so the
board sees it and asks the contractor which is right; where they agree, the import
says so in a warning. Either way the earlier row's file, sheet and row are on record.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlite_utils

from riskboard.domain import Risk, month_name, ref_key
from riskboard.flag_details import UnreadableCell
from riskboard.store import register as store

_SAID = {
    "title": "title", "owner": "owner", "status": "status", "strategy_text": "strategy",
    "current_likelihood": "likelihood", "current_impact": "impact", "current_score": "score",
}  # fmt: skip


def _place(file: str, sheet: str | None, row: int | None) -> str:
    where = [f"{file!r}"]
    if sheet:
        where.append(f"sheet {sheet}")
    if row is not None:
        where.append(f"row {row}")
    return ", ".join(where)


def note_risks_in_other_files(
    db: sqlite_utils.Database, month: str, file_name: str, risks: Sequence[Risk]
) -> tuple[list[str], int]:
    """Mark each risk of ``risks`` that another file already gave for ``month``.
    Returns (warnings, contradiction cells added)."""
    by_key = {ref_key(r.ref): r for r in risks}
    stored = store.rows_from_other_files(db, month, file_name, list(by_key))
    warnings: list[str] = []
    added = 0
    shown_month = month_name(month)
    for key, old in stored.items():
        risk = by_key[key]
        new: dict[str, Any] = vars(risk)
        differ = [
            f"{said} {_shown(old[f])} there, {_shown(new.get(f))} here"
            for f, said in _SAID.items()
            if old[f] != new.get(f) and not (old[f] is None and new.get(f) is None)
        ]
        there = _place(old["source_file"], old["source_sheet"], old["source_row"])
        here = _place(file_name, risk.source_sheet, risk.source_row)
        if not differ:
            warnings.append(
                f"risk {risk.ref}: also in {there} for {shown_month}, with the same values;"
                f" the month now shows the row in {here}"
            )
            continue
        reason = (
            f"is also in {there} for {shown_month}, which says otherwise ({'; '.join(differ)}):"
            " this file's row, imported later, is used - ask the contractor which is right"
        )
        risk.unreadable.append(
            UnreadableCell(
                field="ref", sheet=risk.source_sheet, row=risk.source_row, text=risk.ref,
                reason=reason, kind="contradiction",
            )
        )  # fmt: skip
        added += 1
        warnings.append(f"risk {risk.ref} in {here} {reason}")
    return warnings, added


def _shown(value: Any) -> str:
    return "blank" if value is None or value == "" else repr(str(value))
