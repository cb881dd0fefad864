"""config.toml loaded into pydantic models.

Lookup order: ``--config PATH``, then ``$RISKBOARD_CONFIG``, then ``./config.toml``,
else built-in defaults. Relative paths in the file are relative to the file's folder.
An unknown key or a bad value raises RiskboardError naming the key.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from riskboard.chase_config import ChaseConfig
from riskboard.errors import ConfigError

ENV_VAR = "RISKBOARD_CONFIG"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class PathsConfig(_Strict):
    database: Path = Path("riskboard.db")
    imports: Path = Path("imports")
    exports: Path = Path("exports")
    logs: Path = Path("logs")


class ImportConfig(_Strict):
    # extra header variants per canonical field, added to the built-in ones
    aliases: dict[str, list[str]] = Field(default_factory=dict)
    # the same for the early warning register's fields (docs/registers.md)
    early_warning_aliases: dict[str, list[str]] = Field(default_factory=dict)
    # refuse a workbook whose parts inflate past this many MiB (zip bomb guard)
    max_uncompressed_mb: int = Field(default=200, ge=1)
    # refuse a sheet whose grid (A1 to its farthest filled cell) is over this many cells,
    # alone or with the workbook's other sheets (a stray value at XFD1048576 guard)
    max_cells: int = Field(default=3_000_000, ge=1)
    # refuse a workbook whose cells would hold more text than this many MiB (one long
    # shared string used by thousands of cells is copied into each)
    max_text_mb: int = Field(default=128, ge=1)
    # each import runs in a child process limited to this much memory (0: no limit);
    # a workbook needing more is refused, and the nightly run goes on
    max_memory_mb: int = Field(default=4096, ge=0)
    # an export run on the first days of a month is last month's: a file named for
    # August and run up to this many days into September is August's board month
    run_date_grace_days: int = Field(default=10, ge=0, le=28)


class Band(_Strict):
    name: str
    min: int = Field(ge=1, le=25)
    max: int = Field(ge=1, le=25)
    colour: str = Field(pattern=r"^[0-9A-Fa-f]{6}$")  # hex RGB, no '#'


RAG_PRESET = [
    Band(name="green", min=1, max=4, colour="00B050"),
    Band(name="amber", min=5, max=12, colour="FFC000"),
    Band(name="red", min=15, max=25, colour="FF0000"),
]
FOUR_BAND_PRESET = [
    Band(name="low", min=1, max=4, colour="00B050"),
    Band(name="medium", min=5, max=9, colour="FFFF00"),
    Band(name="high", min=10, max=15, colour="FFC000"),
    Band(name="extreme", min=16, max=25, colour="FF0000"),
]
PRESETS = {"rag": RAG_PRESET, "four-band": FOUR_BAND_PRESET}
POSSIBLE_SCORES = sorted({a * b for a in range(1, 6) for b in range(1, 6)})

# The common UK 5x5 matrices and their usual synonyms (DOMAIN.md). Matching ignores
# case, punctuation and spacing. [scoring.likelihood_words] / [scoring.impact_words]
# in config.toml add words (or letters, for a council that letters an axis) and win.
DEFAULT_LIKELIHOOD_WORDS: dict[str, int] = {
    "rare": 1, "remote": 1, "very unlikely": 1, "highly unlikely": 1, "improbable": 1,
    "unlikely": 2,
    "possible": 3, "possibly": 3,
    "likely": 4, "probable": 4, "probably": 4,
    "almost certain": 5, "very likely": 5, "highly likely": 5, "certain": 5,
}  # fmt: skip
DEFAULT_IMPACT_WORDS: dict[str, int] = {
    "insignificant": 1, "negligible": 1, "very low": 1,
    "minor": 2,
    "moderate": 3,
    "major": 4,
    "catastrophic": 5, "severe": 5, "critical": 5, "extreme": 5,
}  # fmt: skip


def _scale_words(value: dict[str, int], top: int) -> dict[str, int]:
    for word, n in value.items():
        if not word.strip():
            raise ValueError("a word must not be empty")
        if not 1 <= n <= top:
            raise ValueError(f"{word!r} = {n}: must be 1-{top}")
    return value


class ScoringConfig(_Strict):
    preset: str = "rag"  # "rag" or "four-band"; ignored when bands is given
    bands: list[Band] | None = None
    # extra words (or letters) a register uses for likelihood / impact 1-5; added to
    # DEFAULT_LIKELIHOOD_WORDS / DEFAULT_IMPACT_WORDS and winning over them
    likelihood_words: dict[str, int] = Field(default_factory=dict)
    impact_words: dict[str, int] = Field(default_factory=dict)
    # a score written only as a band word ("High") carries no number: read only when
    # mapped here to the score 1-25 the council means by it
    score_words: dict[str, int] = Field(default_factory=dict)

    @field_validator("likelihood_words", "impact_words")
    @classmethod
    def _axis_words(cls, v: dict[str, int]) -> dict[str, int]:
        return _scale_words(v, 5)

    @field_validator("score_words")
    @classmethod
    def _band_words(cls, v: dict[str, int]) -> dict[str, int]:
        return _scale_words(v, 25)

    def likelihood_scale(self) -> dict[str, int]:
        """Every likelihood word read: the defaults, then config's (which win)."""
        return {**DEFAULT_LIKELIHOOD_WORDS, **self.likelihood_words}

    def impact_scale(self) -> dict[str, int]:
        return {**DEFAULT_IMPACT_WORDS, **self.impact_words}

    @field_validator("preset")
    @classmethod
    def _known_preset(cls, v: str) -> str:
        if v not in PRESETS:
            raise ValueError(f"must be one of {', '.join(PRESETS)}")
        return v

    @model_validator(mode="after")
    def _bands_cover_scores(self) -> ScoringConfig:
        for score in POSSIBLE_SCORES:
            hits = [b.name for b in self.effective_bands() if b.min <= score <= b.max]
            if len(hits) != 1:
                raise ValueError(
                    f"score {score} falls in {len(hits)} bands ({', '.join(hits) or 'none'});"
                    " each score 1-25 must fall in exactly one"
                )
        return self

    def effective_bands(self) -> list[Band]:
        return self.bands if self.bands else PRESETS[self.preset]

    def band(self, score: int | None) -> Band | None:
        if score is None:
            return None
        for b in self.effective_bands():
            if b.min <= score <= b.max:
                return b
        return None

    def rag(self, score: int | None) -> str | None:
        b = self.band(score)
        return b.name if b else None


class FinancialRouting(_Strict):
    # categories that count as financial (case-insensitive)
    categories: list[str] = Field(default_factory=lambda: ["Financial", "Finance", "Commercial"])
    # a quantified exposure or a financial category routes to the Operations Board
    operations_board: bool = True
    # our default rule (configurable): exposure at or above these also goes further
    strategic_board_min_gbp: float | None = 250_000
    fc_cluster_min_gbp: float | None = 100_000


class EscalationConfig(_Strict):
    directorate: int = Field(default=9, ge=1, le=25)
    corporate: int = Field(default=16, ge=1, le=25)
    deescalate_after_months: int = Field(default=3, ge=1)
    financial: FinancialRouting = Field(default_factory=FinancialRouting)

    @model_validator(mode="after")
    def _ordered(self) -> EscalationConfig:
        if self.corporate < self.directorate:
            raise ValueError("corporate threshold must be at or above directorate threshold")
        return self


class QuorumConfig(_Strict):
    # minimum present lead officers per organisation
    contractor: int = Field(default=1, ge=0)
    directorate: int = Field(default=1, ge=0)
    corporate: int = Field(default=1, ge=0)


class MeetingConfig(_Strict):
    board_name: str = "Contract Risk Management Board"
    council: str = "the Council"
    contractor: str = "the Contractor"
    quorum: QuorumConfig = Field(default_factory=QuorumConfig)
    next_meeting_weeks: int = Field(default=4, ge=1)


class ScheduleConfig(_Strict):
    nightly: str = "02:00"  # HH:MM, or a five-field cron expression
    timezone: str = "Europe/London"
    misfire_grace_hours: float = Field(default=6, gt=0)
    settle_seconds: int = Field(default=60, ge=0)
    log_max_bytes: int = Field(default=1_000_000, ge=10_000)
    log_backups: int = Field(default=5, ge=0)

    @field_validator("timezone")
    @classmethod
    def _known_tz(cls, v: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(v)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown timezone {v!r}") from exc
        return v


class EarlyWarningConfig(_Strict):
    """NEC early warnings (clause 15) beside the risk register."""

    # a risk whose quantified exposure is at or above this (GBP) should have an early
    # warning (flag no_early_warning). None: the lowest financial routing threshold of
    # [escalation.financial]; 0: any quantified exposure
    exposure_threshold_gbp: float | None = Field(default=None, ge=0)
    # flag no_early_warning at all (a council that keeps no early warning register)
    flag_exposure: bool = True
    # an open early warning with no decision for longer than this is flagged ew_undecided
    undecided_weeks: int = Field(default=6, ge=1)
    # the revised register is issued within this many days of the meeting (NEC4 15.2)
    register_due_days: int = Field(default=7, ge=0)
    # the references the council gives the early warnings it notifies: prefix + number
    # padded to ref_digits ("EW-018"); the next free one is one past the highest seen
    # with this prefix (in any register imported or notice drafted), at least first_number
    ref_prefix: str = Field(default="EW-", min_length=1)
    ref_digits: int = Field(default=3, ge=1, le=8)
    first_number: int = Field(default=1, ge=0)
    # what the notice says: the contract, its clause, who gives it, and the early
    # warning meeting it proposes this many days after the notice
    contract: str = "Highways and Public Realm Contract (NEC4 Term Service Contract)"
    clause: str = "15.1"
    notified_by: str = "Service Manager"
    meeting_after_days: int = Field(default=7, ge=0)

    def threshold(self, financial: FinancialRouting) -> float | None:
        """The exposure (GBP) at or above which a risk should carry an early warning;
        None when the flag is off."""
        if not self.flag_exposure:
            return None
        if self.exposure_threshold_gbp is not None:
            return self.exposure_threshold_gbp
        routes = [
            v
            for v in (financial.fc_cluster_min_gbp, financial.strategic_board_min_gbp)
            if v is not None and v > 0
        ]
        return min(routes) if routes else 0.0


DEFAULT_REGISTER_COLUMNS: dict[str, str] = {
    "Risk Reference": "ref",
    "Risk Title": "title",
    "Description": "description",
    "Service Annex": "annex",
    "Category": "category",
    "Risk Owner": "owner",
    "Likelihood": "current_likelihood",
    "Impact": "current_impact",
    "Current Score": "current_score",
    "RAG": "rag",
    "Target Score": "target_score",
    "Strategy": "strategy",
    "Actions": "actions",
    "Reason for Escalation": "reason",
    "Financial Exposure (GBP)": "exposure",
    "Proposed Owner": "proposed_owner",
    "Date Escalated": "date",
    "Minute Reference": "minute_ref",
}


class RegisterExportConfig(_Strict):
    # header in the receiving register's template -> riskboard field; order is kept
    columns: dict[str, str] = Field(default_factory=lambda: dict(DEFAULT_REGISTER_COLUMNS))


class ExportConfig(_Strict):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    register_: RegisterExportConfig = Field(default_factory=RegisterExportConfig, alias="register")

    @property
    def register(self) -> RegisterExportConfig:  # type: ignore[override]
        return self.register_


class Config(_Strict):
    paths: PathsConfig = Field(default_factory=PathsConfig)
    import_: ImportConfig = Field(default_factory=ImportConfig, alias="import")
    scoring: ScoringConfig = Field(default_factory=ScoringConfig)
    escalation: EscalationConfig = Field(default_factory=EscalationConfig)
    meeting: MeetingConfig = Field(default_factory=MeetingConfig)
    schedule: ScheduleConfig = Field(default_factory=ScheduleConfig)
    export: ExportConfig = Field(default_factory=ExportConfig)
    chase: ChaseConfig = Field(default_factory=ChaseConfig)
    early_warnings: EarlyWarningConfig = Field(default_factory=EarlyWarningConfig)

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    # where the file was loaded from (None: built-in defaults)
    source: Path | None = Field(default=None, exclude=True)

    def resolve(self, base: Path) -> Config:
        """Make relative paths absolute against ``base`` (the config file's folder)."""
        p = self.paths
        self.paths = PathsConfig(
            database=_abs(base, p.database),
            imports=_abs(base, p.imports),
            exports=_abs(base, p.exports),
            logs=_abs(base, p.logs),
        )
        smtp = self.chase.smtp
        if smtp is not None and smtp.ca_file is not None:
            smtp.ca_file = _abs(base, smtp.ca_file)
        return self


def _abs(base: Path, p: Path) -> Path:
    p = p.expanduser()
    return p if p.is_absolute() else (base / p).resolve()


def _key_path(loc: tuple[Any, ...]) -> str:
    return ".".join(str(x) for x in loc)


def load_config(path: str | Path | None = None, *, cwd: Path | None = None) -> Config:
    """Load config from ``path``, ``$RISKBOARD_CONFIG`` or ``./config.toml``; else defaults."""
    cwd = cwd or Path.cwd()
    chosen = path or os.environ.get(ENV_VAR)
    if chosen:
        cfg_path = Path(chosen).expanduser()
        if not cfg_path.is_absolute():
            cfg_path = cwd / cfg_path
        if not cfg_path.is_file():
            raise ConfigError(
                f"config file not found: {cfg_path}"
                if not cfg_path.exists()
                else f"config file {cfg_path} is not a regular file"
            )
    else:
        cfg_path = cwd / "config.toml"
        if not os.path.lexists(cfg_path):
            return Config().resolve(cwd)
        if not cfg_path.is_file():  # a FIFO or a link to a device would block or never end
            raise ConfigError(f"config file {cfg_path} is not a regular file")
    try:
        data = tomllib.loads(cfg_path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{cfg_path}: not valid TOML: {exc}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{cfg_path}: cannot read config: {exc}") from None
    try:
        cfg = Config.model_validate(data)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            key = _key_path(err["loc"])
            msg = (
                "unknown key"
                if err["type"] == "extra_forbidden"
                else err["msg"].removeprefix("Value error, ")
            )
            problems.append(f"{key}: {msg}")
        raise ConfigError(f"{cfg_path}: bad config - " + "; ".join(problems)) from None
    cfg.source = cfg_path
    return cfg.resolve(cfg_path.parent)
