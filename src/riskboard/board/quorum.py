"""Quorum: at least N lead officers present per organisation, N from the rule stored on
the meeting when it was created (``config.meeting.quorum``)."""

from __future__ import annotations

import json
from typing import Any

import sqlite_utils

from riskboard.board.guards import get_meeting
from riskboard.board.models import AttendanceEntry, OrganisationQuorum, QuorumStatus
from riskboard.config import QuorumConfig
from riskboard.store import meetings as store


def quorum_rule(config_rule: QuorumConfig | str | None) -> dict[str, int]:
    """The quorum rule as {organisation: lead officers required}."""
    if isinstance(config_rule, str):
        return {k: int(v) for k, v in json.loads(config_rule).items()}
    rule = config_rule or QuorumConfig()
    return {k: int(v) for k, v in rule.model_dump().items()}


def compute_quorum(rule: dict[str, int], entries: list[AttendanceEntry]) -> QuorumStatus:
    """Pure: is each organisation's lead-officer requirement met by those present (and
    not since left)?"""
    orgs = []
    for org, required in rule.items():
        present = sum(1 for e in entries if e.here and e.lead_officer and e.organisation == org)
        orgs.append(OrganisationQuorum(organisation=org, required=required, present=present))
    missing = [o for o in orgs if not o.met]
    return QuorumStatus(met=not missing, rule=dict(rule), by_organisation=orgs, missing=missing)


def entry_from_row(row: dict[str, Any]) -> AttendanceEntry:
    return AttendanceEntry.model_validate({**row, "lead_officer": bool(row["lead_officer"])})


def quorum_of_rows(rule: dict[str, int], rows: list[dict[str, Any]]) -> QuorumStatus | None:
    """The quorum over attendance rows as an audit row's "after" holds them; None when a
    row lacks what quorum needs (written before organisation and standing were kept)."""
    entries = []
    for row in rows:
        if row.get("organisation") is None or row.get("lead_officer") is None:
            return None
        entries.append(entry_from_row({"name": "", **row}))
    return compute_quorum(rule, entries)


def attendance(db: sqlite_utils.Database, meeting_id: int) -> list[AttendanceEntry]:
    """Everyone recorded at a meeting (present and apologies), by organisation then name."""
    return [entry_from_row(r) for r in store.attendance_rows(db, meeting_id)]


def quorum(db: sqlite_utils.Database, meeting_id: int) -> QuorumStatus:
    """Live quorum of a meeting under the rule in force when it was created."""
    row = store.meeting_row(db, meeting_id)
    if row is None:
        get_meeting(db, meeting_id)  # raises the clear error
    assert row is not None
    return compute_quorum(quorum_rule(row["quorum_rule"]), attendance(db, meeting_id))
