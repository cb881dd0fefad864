"""Risk reviews: one per risk per meeting - strategy, rationale, review-by date, the
discussion note, the decision ("RESOLVED: ...") and whether it has been reviewed.

Rules: the risk must be in the meeting's board month; accept and tolerate need a
rationale and a review-by date after the meeting. Arguments left as ``None`` keep
what is recorded; an empty string clears it.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlite_utils

from riskboard.board import audit
from riskboard.board.dates import parse_optional_date
from riskboard.board.guards import actor_for, clean, editable, get_meeting, risk_in_month
from riskboard.board.models import Review
from riskboard.board.txn import change
from riskboard.domain import Strategy, normalise_strategy, uk_date
from riskboard.errors import RiskboardError
from riskboard.store import meetings as store
from riskboard.store.register import now_iso

NEEDS_RATIONALE = (Strategy.ACCEPT, Strategy.TOLERATE)


def parse_strategy(text: str) -> Strategy:
    strategy = normalise_strategy(text)
    if strategy is None:
        raise RiskboardError(
            f"unknown strategy {text!r}: use one of {', '.join(s.value for s in Strategy)}"
        )
    return strategy


def resolved(text: str | None) -> str | None:
    """A decision in minute form: "RESOLVED: ..." unless it already says resolved."""
    text = clean(text)
    if text is None:
        return None
    return text if text.lower().startswith("resolved") else f"RESOLVED: {text}"


def review_from_row(row: dict[str, Any]) -> Review:
    return Review(**{**row, "reviewed": bool(row["reviewed"])})


def save_review(
    db: sqlite_utils.Database,
    meeting_id: int,
    ref: str,
    *,
    strategy: str | None = None,
    rationale: str | None = None,
    review_by: date | str | None = None,
    note: str | None = None,
    decision: str | None = None,
    reviewed: bool | None = None,
    actor: str | None = None,
) -> Review:
    """Record (or amend) the review of ``ref`` at a meeting; returns the review."""
    with change(db):
        meeting = editable(db, meeting_id, decisions=True)
        who = actor_for(meeting, actor)
        snap = risk_in_month(db, meeting, ref)
        before = store.review_row(db, meeting_id, snap["ref"])
        merged: dict[str, Any] = dict(before) if before else {}
        given: dict[str, Any] = {}
        if strategy is not None:
            given["strategy"] = parse_strategy(strategy).value if clean(strategy) else None
        if rationale is not None:
            given["rationale"] = clean(rationale)
        if review_by is not None:
            when = parse_optional_date(review_by, "review-by date")
            if when is not None and when <= meeting.meeting_date:
                raise RiskboardError(
                    f"review-by date {uk_date(when)} must be after the meeting"
                    f" ({uk_date(meeting.meeting_date)})"
                )
            given["review_by"] = when.isoformat() if when else None
        if note is not None:
            given["note"] = clean(note)
        if decision is not None:
            given["decision"] = resolved(decision)
        if reviewed is not None:
            given["reviewed"] = int(reviewed)
        merged.update(given)
        _check_strategy_rules(snap["ref"], merged)
        now = now_iso()
        values = {
            **given,
            "risk_title": snap["title"],
            "risk_annex": snap["annex"],
            "risk_owner": snap["owner"],
            "risk_score": snap["current_score"],
            "updated_at": now,
        }
        if before is None:
            review_id = store.insert(
                db,
                "reviews",
                {"meeting_id": meeting_id, "ref": snap["ref"], "created_at": now, **values},
            )
        else:
            review_id = before["id"]
            store.update(db, "reviews", {"id": review_id}, values)
        after = store.review_row(db, meeting_id, snap["ref"])
        assert after is not None and after["id"] == review_id
        audit.write(
            db,
            meeting_id=meeting_id,
            actor=who,
            entity="review",
            entity_id=snap["ref"],
            change="review recorded" if before is None else "review amended",
            before=before,
            after=after,
        )
    return review_from_row(after)


def _check_strategy_rules(ref: str, merged: dict[str, Any]) -> None:
    if merged.get("strategy") in {s.value for s in NEEDS_RATIONALE}:
        missing = [
            label
            for key, label in (("rationale", "a rationale"), ("review_by", "a review-by date"))
            if not merged.get(key)
        ]
        if missing:
            raise RiskboardError(
                f"risk {ref}: strategy {merged['strategy']} needs {' and '.join(missing)}",
                hint="give --rationale TEXT and --review-by DATE",
            )


def get_review(db: sqlite_utils.Database, meeting_id: int, ref: str) -> Review | None:
    row = store.review_row(db, meeting_id, ref)
    if row is None:
        snap = store.risk_snapshot(db, get_meeting(db, meeting_id).month, ref)
        row = store.review_row(db, meeting_id, snap["ref"]) if snap else None
    return review_from_row(row) if row else None


def list_reviews(db: sqlite_utils.Database, meeting_id: int) -> list[Review]:
    """Every review recorded at a meeting, by ref."""
    return [review_from_row(r) for r in store.review_rows(db, meeting_id)]


def reviewed_refs(db: sqlite_utils.Database, meeting_id: int) -> set[str]:
    """Refs marked reviewed at a meeting (for the agenda's "reviewed" column)."""
    return {r["ref"] for r in store.review_rows(db, meeting_id) if r["reviewed"]}
