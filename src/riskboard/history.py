"""A risk's full history: the register's month by month (scores, strategy, actions and
the file, sheet and row each came from) beside the board's own (``board.risk_history``:
reviews, escalations and their outcome, actions and their status).

One query both faces share: ``riskboard show REF`` prints it and the meeting app's
review screen draws it, so what the chair sees of a risk's past is what a script sees.
"""

from __future__ import annotations

from datetime import date

import sqlite_utils
from pydantic import BaseModel, ConfigDict, Field

from riskboard.board.risk_history import BoardHistory, board_history
from riskboard.config import Config
from riskboard.errors import NotFound
from riskboard.store import register as store
from riskboard.store.db import database_path


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True)


class Source(_Model):
    """Where a month's row came from: the file, its sheet and row, and the import."""

    file: str | None = None  # as named when imported
    sheet: str | None = None
    row: int | None = None
    imported_at: str | None = None  # ISO timestamp (UTC)

    def describe(self) -> str:
        """ "IRIS_Joint_Register_2022-08.xlsx, sheet 'Register', row 42" in full."""
        parts = [self.file or "(file not recorded)"]
        if self.sheet:
            parts.append(f"sheet {self.sheet!r}")
        if self.row is not None:
            parts.append(f"row {self.row}")
        return ", ".join(parts)


class ExportAction(_Model):
    """One action as the month's export gave it."""

    action_ref: str | None = None
    text: str | None = None
    owner: str | None = None
    due: date | None = None
    progress: str | None = None
    last_updated: date | None = None
    status: str | None = None
    source: Source = Field(default_factory=Source)


class RiskMonth(_Model):
    """The risk as one month's export gave it."""

    month: str  # YYYY-MM
    title: str | None = None
    description: str | None = None
    cause: str | None = None
    effect: str | None = None
    controls: str | None = None
    annex: str | None = None
    category: str | None = None
    owner: str | None = None
    status: str | None = None
    strategy: str | None = None  # normalised Strategy value
    strategy_text: str | None = None  # as written in the export
    likelihood: int | None = None
    impact: int | None = None
    score: int | None = None
    rag: str | None = None  # from the configured bands
    target_score: int | None = None
    exposure: float | None = None  # GBP
    actions: list[ExportAction] = Field(default_factory=list)
    source: Source = Field(default_factory=Source)

    @property
    def strategy_shown(self) -> str | None:
        """The export's strategy as written (else its normalised value)."""
        return self.strategy_text or self.strategy


class RiskHistory(_Model):
    """Everything known about one risk: ``months`` oldest first (empty when no export
    held it - a risk the board raised by reference only), and the board's record."""

    ref: str
    months: list[RiskMonth]
    board: BoardHistory

    @property
    def latest(self) -> RiskMonth | None:
        return self.months[-1] if self.months else None

    def as_at(self, month: str) -> RiskMonth | None:
        """The export of ``month``, else the last one before it (a risk missing from
        that month's export is shown as last exported); None if none."""
        earlier = [m for m in self.months if m.month <= month]
        return earlier[-1] if earlier else None

    def in_month(self, month: str) -> RiskMonth | None:
        return next((m for m in self.months if m.month == month), None)

    def scores(self, upto: str, months: int = 12) -> list[tuple[str, int | None]]:
        """(month, current score) of the last ``months`` exports up to ``upto``."""
        return [(m.month, m.score) for m in self.months if m.month <= upto][-months:]


def risk_history(db: sqlite_utils.Database, ref: str, config: Config) -> RiskHistory:
    """The history of risk ``ref`` (matched by ``domain.ref_key``: case, spaces and the
    kind of dash aside; the latest export's spelling is shown). Raises ``NotFound`` (naming the database) when neither an export nor the board record knows
    it."""
    spellings = store.ref_spellings(db, ref) or [ref]
    spelled = spellings[0]
    rows = store.risk_history(db, spelled)
    board = board_history(db, spelled, spellings)
    if not rows and board.empty:
        raise NotFound(
            f"unknown risk {ref!r}: it is in no register imported into database"
            f" {database_path(db)} and the board has recorded nothing about it",
            hint="`riskboard risks` lists the month's references",
        )
    months = [_month(row, config) for row in rows]
    return RiskHistory(ref=spelled, months=months, board=board)


def _month(row: dict[str, object], config: Config) -> RiskMonth:
    score = row["current_score"]
    return RiskMonth.model_validate(
        {
            **row,
            "likelihood": row["current_likelihood"],
            "impact": row["current_impact"],
            "score": score,
            "rag": config.scoring.rag(score if isinstance(score, int) else None),
            "source": Source(
                file=row.get("source_file") or row.get("import_file"),  # type: ignore[arg-type]
                sheet=row.get("source_sheet"),  # type: ignore[arg-type]
                row=row.get("source_row"),  # type: ignore[arg-type]
                imported_at=row.get("imported_at"),  # type: ignore[arg-type]
            ),
            "actions": [
                {
                    **a,
                    "source": Source(
                        file=a.get("source_file"), sheet=a.get("source_sheet"),
                        row=a.get("source_row"),
                    ),
                }
                for a in row["actions"]  # type: ignore[attr-defined]
            ],
        }
    )  # fmt: skip
