"""Risk reviews: one per risk per meeting - strategy, rationale, review-by date, the
discussion note, the decision ("RESOLVED: ...") and whether it has been reviewed.

Rules: the risk must be in the meeting's board month - or, missing from that month's
export, reviewed against its last known snapshot; accept and tolerate need a rationale
and a review-by date after the meeting; the meeting must be quorate. Arguments left as
``None`` keep what is recorded; an empty string clears it.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

import sqlite_utils

from riskboard.board.dates import parse_optional_date
from riskboard.board.guards import board_risk, clean, get_meeting
from riskboard.board.models import Review
from riskboard.board.risk_facts import facts_json, parse_facts, risk_facts
from riskboard.board.txn import Scope, audited
from riskboard.config import Config
from riskboard.domain import Strategy, normalise_strategy, uk_date
from riskboard.errors import Remedy, RiskboardError
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
    return Review(
        **{
            **row,
            "reviewed": bool(row["reviewed"]),
            "risk_facts": parse_facts(row.get("risk_facts")),
        }
    )


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
    expected: Mapping[str, Any] | None = None,
    actor: str | None = None,
    config: Config | None = None,
) -> Review:
    """Record (or amend) the review of ``ref`` at a meeting; returns the review.

    The risk is taken from the board month's export, or - missing from it - from the
    last export it was in (``risk_month`` says which). ``expected`` maps the fields the
    face showed (strategy, rationale, review_by, note, decision, reviewed) to the values
    it showed; a field changed elsewhere meanwhile refuses the save (``ConflictError``).
    Business: the meeting must be in progress and quorate. One transaction, one audit row.

    What the minutes print about the risk (likelihood x impact, direction, flags...) is
    pinned with the review from the board month's register as it now reads (flags by
    ``config``'s rules, default ``Config()``), so a later re-import cannot change them.
    """
    with audited(db, meeting_id, Scope.BUSINESS, actor=actor) as step:
        meeting = step.meeting
        assert meeting is not None
        risk = board_risk(db, meeting, ref)
        given = _given(
            meeting.meeting_date,
            strategy=strategy,
            rationale=rationale,
            review_by=review_by,
            note=note,
            decision=decision,
            reviewed=reviewed,
        )
        shown = _shown(meeting.meeting_date, expected) if expected else None
        before = step.track(
            "review",
            risk.ref,
            lambda: store.review_row(db, meeting_id, risk.ref),
            expected=shown,
            wanted=given,
            subject=f"the review of {risk.ref}",
            labels=_LABELS,
        )
        merged: dict[str, Any] = dict(before) if before else {}
        merged.update(given)
        _check_strategy_rules(risk.ref, merged)
        now = now_iso()
        snap = risk.snapshot
        values = {
            **given,
            "risk_title": snap["title"],
            "risk_annex": snap["annex"],
            "risk_owner": snap["owner"],
            "risk_score": snap["current_score"],
            "risk_month": risk.month,
            "risk_facts": facts_json(risk_facts(db, meeting.month, risk.ref, config or Config())),
            "updated_at": now,
        }
        if before is None:
            store.insert(
                db,
                "reviews",
                {"meeting_id": meeting_id, "ref": risk.ref, "created_at": now, **values},
            )
        else:
            store.update(db, "reviews", {"id": before["id"]}, values)
        after = step.record("review recorded" if before is None else "review amended")
        assert after is not None
    return review_from_row(after)


_LABELS = {"review_by": "review-by date", "reviewed": "reviewed mark"}


def _given(meeting_date: date, **fields: Any) -> dict[str, Any]:
    """The review fields given (not None) in stored form; refuses bad values."""
    return {
        name: _stored(name, value, meeting_date)
        for name, value in fields.items()
        if value is not None
    }


def _shown(meeting_date: date, expected: Mapping[str, Any]) -> dict[str, Any]:
    """What the face showed, in stored form (None: shown blank)."""
    return {
        name: None if value is None else _stored(name, value, meeting_date, check=False)
        for name, value in expected.items()
    }


def _stored(name: str, value: Any, meeting_date: date, *, check: bool = True) -> Any:
    if name == "strategy":
        return parse_strategy(value).value if clean(value) else None
    if name in ("rationale", "note"):
        return clean(value)
    if name == "decision":
        return resolved(value)
    if name == "reviewed":
        return int(bool(value))
    if name == "review_by":
        when = parse_optional_date(value, "review-by date")
        if check and when is not None and when <= meeting_date:
            raise RiskboardError(
                f"review-by date {uk_date(when)} must be after the meeting"
                f" ({uk_date(meeting_date)})"
            )
        return when.isoformat() if when else None
    raise ValueError(f"not a review field: {name}")


def _check_strategy_rules(ref: str, merged: dict[str, Any]) -> None:
    if merged.get("strategy") in {s.value for s in NEEDS_RATIONALE}:
        missing = [
            (key, label)
            for key, label in (("rationale", "a rationale"), ("review_by", "a review-by date"))
            if not merged.get(key)
        ]
        if missing:
            raise RiskboardError(
                f"risk {ref}: strategy {merged['strategy']} needs"
                f" {' and '.join(label for _, label in missing)}",
                remedy=Remedy.GIVE_FIELDS,
                fields=tuple(key for key, _ in missing),
            )


def get_review(db: sqlite_utils.Database, meeting_id: int, ref: str) -> Review | None:
    """The review of ``ref`` at a meeting, if recorded (the ref matched as the board
    would: exact, else case-insensitively in the board month or its last export)."""
    row = store.review_row(db, meeting_id, ref)
    if row is None:
        meeting = get_meeting(db, meeting_id)
        snap = store.risk_snapshot(db, meeting.month, ref) or store.last_snapshot_before(
            db, meeting.month, ref
        )
        row = store.review_row(db, meeting_id, snap["ref"]) if snap else None
    return review_from_row(row) if row else None


def list_reviews(db: sqlite_utils.Database, meeting_id: int) -> list[Review]:
    """Every review recorded at a meeting, by ref."""
    return [review_from_row(r) for r in store.review_rows(db, meeting_id)]


def reviewed_refs(db: sqlite_utils.Database, meeting_id: int) -> set[str]:
    """Refs marked reviewed at a meeting (for the agenda's "reviewed" column)."""
    return {r["ref"] for r in store.review_rows(db, meeting_id) if r["reviewed"]}
