"""A board database as riskboard wrote it before the record-integrity migration
(``0006_board_integrity``): two meetings, the first closed with a review, an action, an
escalation and attendance, its minutes approved at the second - rows written with raw
SQL exactly as the old service stored them, with fixed timestamps.

``LEGACY_HASH`` is the sha256 the old service stored at approval, computed by the code
before the migration (record version 1); after the migration ``verify`` must still
accept it, and the old audit rows must be chained.
"""

from __future__ import annotations

import json
from pathlib import Path

import sqlite_utils

from board_helpers import import_month, risk
from riskboard.store.db import connect
from riskboard.store.migrations import migrations

BEFORE = "0006_board_integrity"
LEGACY_HASH = "b0eef6eaa25b9ea5a244532a1535c759441d25b6b66c711c677271ee01e65cf8"
RULE = json.dumps({"contractor": 1, "directorate": 1, "corporate": 1})
T = "2022-09-14T10:00:00+00:00"


def legacy_db(path: Path) -> sqlite_utils.Database:
    """The database at ``path`` as the old riskboard left it (migrations before 0006)."""
    db = connect(path)
    migrations.apply(db, stop_before=BEFORE)
    # the snapshots are written by today's importer, which also fills the columns that
    # migration 0007 (issue 9) adds after 0006; 0007 keeps columns already there
    for column in ("unreadable", "ref_key"):
        db.execute(f"ALTER TABLE risk_snapshots ADD COLUMN {column} TEXT")
    import_month(db, "2022-07", [risk("HM-001"), risk("SL-002", annex="Street Lighting")])
    import_month(db, "2022-08", [risk("HM-001", title="Pothole claims", current_score=16)])
    rows: list[tuple[str, dict[str, object]]] = [
        ("people", {"id": 1, "name": "Carl Contractor", "organisation": "contractor"}),
        ("people", {"id": 2, "name": "Dee Directorate", "organisation": "directorate"}),
        ("people", {"id": 3, "name": "Cora Corporate", "organisation": "corporate"}),
        ("meetings", {
            "id": 1, "meeting_date": "2022-09-14", "month": "2022-08", "chair": "Alice Chair",
            "minute_taker": "Mo Minutes", "status": "closed", "created_at": T, "opened_at": T,
            "closed_at": "2022-09-14T12:00:00+00:00", "quorum_rule": RULE,
            "declarations": "[]", "aob": json.dumps(["Winter readiness"]),
            "next_meeting_date": "2022-10-12",
        }),
        ("meetings", {
            "id": 2, "meeting_date": "2022-10-12", "month": "2022-08", "chair": "Alice Chair",
            "minute_taker": "Mo Minutes", "status": "in_progress", "previous_meeting_id": 1,
            "created_at": "2022-10-12T10:00:00+00:00", "opened_at": "2022-10-12T10:00:00+00:00",
            "quorum_rule": RULE,
            "previous_minutes_note":
                "Minutes of meeting 1 (14/09/2022) approved as a correct record.",
        }),
        *[
            ("attendance", {
                "meeting_id": 1, "person_id": pid, "status": "present", "name": name,
                "organisation": org, "lead_officer": 1, "role": None,
            })
            for pid, name, org in (
                (1, "Carl Contractor", "contractor"),
                (2, "Dee Directorate", "directorate"),
                (3, "Cora Corporate", "corporate"),
            )
        ],
        ("reviews", {
            "id": 1, "meeting_id": 1, "ref": "HM-001", "strategy": "treat",
            "decision": "RESOLVED: treat it", "reviewed": 1, "created_at": T, "updated_at": T,
            "risk_title": "Pothole claims", "risk_annex": "Highways", "risk_owner": "Jo Bloggs",
            "risk_score": 16,
        }),
        ("board_actions", {
            "number": 1, "meeting_id": 1, "text": "Report the backlog", "owner": "Carl",
            "due": "2022-10-31", "status": "open", "risk_ref": "HM-001", "created_at": T,
            "updated_at": T,
        }),
        ("action_updates", {
            "id": 1, "action_number": 1, "meeting_id": 1, "status": "open", "at": T,
            "owner": "Carl",
        }),
        ("escalations", {
            "id": 1, "meeting_id": 1, "ref": "HM-001", "target": "corporate",
            "direction": "escalate", "reason": "score 16", "status": "proposed",
            "created_at": T, "risk_title": "Pothole claims", "risk_score": 16,
        }),
    ]  # fmt: skip
    with db.atomic():
        for table, values in rows:
            cols = ", ".join(values)
            marks = ", ".join("?" for _ in values)
            db.execute(f"INSERT INTO {table} ({cols}) VALUES ({marks})", list(values.values()))
        for n, (mid, entity, eid, change) in enumerate(
            [
                (1, "meeting", "1", "meeting created and opened"),
                (1, "attendance", "Carl Contractor", "present"),
                (1, "review", "HM-001", "review recorded"),
                (1, "meeting", "1", "meeting closed"),
                (2, "meeting", "2", "meeting created and opened"),
            ],
            start=1,
        ):
            db.execute(
                "INSERT INTO audit_log (id, at, meeting_id, actor, entity, entity_id, change,"
                " before, after) VALUES (?, ?, ?, 'Mo Minutes', ?, ?, ?, NULL, '{}')",
                [n, T, mid, entity, eid, change],
            )
    return db


def approve_legacy(db: sqlite_utils.Database, digest: str) -> None:
    """Meeting 1 approved at meeting 2 with ``digest``, and its audit row, as the old
    service wrote them."""
    with db.atomic():
        db.execute(
            "UPDATE meetings SET approved_at = ?, approved_by_meeting_id = 2, content_hash = ?"
            " WHERE id = 1",
            ["2022-10-12T10:05:00+00:00", digest],
        )
        after = dict(next(db.query("SELECT * FROM meetings WHERE id = 1")))
        db.execute(
            "INSERT INTO audit_log (id, at, meeting_id, actor, entity, entity_id, change,"
            " before, after) VALUES (6, ?, 2, 'Mo Minutes', 'meeting', '1',"
            " 'previous minutes approved', NULL, ?)",
            ["2022-10-12T10:05:00+00:00", json.dumps(after)],
        )
