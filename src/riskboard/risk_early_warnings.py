"""The NEC early warnings linked to one risk (review F25): what the risk's review screen
and ``riskboard show REF`` list beside the risk, so the board deciding a risk's strategy
sees a live contractual early warning on it."""

from __future__ import annotations

from datetime import date

import sqlite_utils
from pydantic import BaseModel, Field

from riskboard.config import Config
from riskboard.domain import ref_key, uk_date
from riskboard.ew_register import view


class RiskEarlyWarning(BaseModel):
    """An early warning linked to the risk by either register."""

    ref: str
    month: str  # the early warning register it comes from
    status: str  # as the register shows it (Open / Removed / Compensation event)
    date_notified: date | None = None
    description: str | None = None
    compensation_event_ref: str | None = None
    board_decision: str | None = None  # the latest decision, in words (with its meeting)
    board_closed: str | None = None  # the board closed it; the register still shows it open
    flags: list[str] = Field(default_factory=list)

    def line(self) -> str:
        """One line: "EW-017 Open (notified 19/03/2022); board: Keep open (meeting 1, ...)"."""
        parts = [
            self.status + (f" {self.compensation_event_ref}" if self.compensation_event_ref else "")
        ]
        if self.date_notified:
            parts.append(f"notified {uk_date(self.date_notified)}")
        text = f"{self.ref} {', '.join(parts)}"
        text += f"; board: {self.board_decision}" if self.board_decision else "; no board decision"
        if self.board_closed:
            text += f" - {self.board_closed}"
        return text


def risk_early_warnings(
    db: sqlite_utils.Database,
    risk_ref: str,
    month: str,
    config: Config,
    *,
    meeting_id: int | None = None,
) -> list[RiskEarlyWarning]:
    """The early warnings the register standing for board month ``month`` links to
    ``risk_ref`` (by either register's column), in reference order; [] when none or no
    early warning register is imported."""
    register = view(db, month, config, meeting_id=meeting_id)
    key = ref_key(risk_ref)
    named = {
        ref_key(ew)
        for risk, ews in register.risk_links.items()
        if ref_key(risk) == key
        for ew in ews
    }
    return [
        RiskEarlyWarning(
            ref=r.ref,
            month=r.month,
            status=r.status_label,
            date_notified=r.date_notified,
            description=r.description,
            compensation_event_ref=r.compensation_event_ref,
            board_decision=r.last_decision,
            board_closed=r.board_closed,
            flags=r.flags,
        )
        for r in register.rows
        if ref_key(r.ref) in named or any(ref_key(x) == key for x in r.risks)
    ]
