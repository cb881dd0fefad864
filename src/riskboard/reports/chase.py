"""The chase list: every flagged risk of a month, grouped by owner, saying what is missing.

The secretary sends it round before the board so owners update their actions in IRIS
in time. Written as ``exports/chase-YYYY-MM.xlsx`` (a sortable, filterable sheet plus a
per-owner summary) and ``exports/chase-YYYY-MM.md`` (to paste into an email), each
atomically through ``reports.safe_write`` so text from the export never becomes a
formula and a failed write leaves the previous file in place.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from pathlib import Path
from typing import NamedTuple
from zoneinfo import ZoneInfo

import sqlite_utils
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from pydantic import BaseModel, Field, SkipValidation

from riskboard import flag_text
from riskboard.board.acceptances import acceptance_outlook
from riskboard.config import Config
from riskboard.domain import FLAG_LABELS, FLAG_ORDER, FlagCode, uk_date
from riskboard.flag_details import FlagDetail
from riskboard.reports import chase_acceptances
from riskboard.reports.safe_write import atomic_text, set_text, write_atomic
from riskboard.reports.xlsx_sheets import print_setup
from riskboard.safe_text import strip_controls

NO_OWNER = "(no owner recorded)"


class ChaseItem(BaseModel):
    """One flagged risk and what its owner must supply."""

    owner: str
    ref: str
    title: str | None = None
    annex: str | None = None
    flags: list[str] = Field(default_factory=list)  # codes in FLAG_ORDER
    needs: list[str] = Field(default_factory=list)  # one line per flag, in plain words
    last_action_update: str | None = None
    next_due: str | None = None
    current_score: int | None = None
    previous_score: int | None = None
    rag: str | None = None
    strategy: str | None = None
    # the flags' typed evidence by code (the owner emails list the actions from it)
    details: dict[str, SkipValidation[FlagDetail]] = Field(default_factory=dict, exclude=True)


class ChaseFiles(NamedTuple):
    xlsx: Path
    md: Path
    risks: int
    owners: int


def chase_path(config: Config, month: str, suffix: str) -> Path:
    return config.paths.exports / f"chase-{month}{suffix}"


def _as_date(value: object) -> date | None:
    if isinstance(value, date):
        return value
    if not value:
        return None
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def chase_items(db: sqlite_utils.Database, month: str, config: Config) -> list[ChaseItem]:
    """Every flagged risk of ``month``: by owner (no owner last), stale actions first."""
    from riskboard.register import flags_for, register_rows

    rows = {r.ref: r for r in register_rows(db, month, config)}
    order = {c: i for i, c in enumerate(FLAG_ORDER)}
    items = []
    for flag in flags_for(db, month, config):
        if not flag.flags:
            continue
        row = rows.get(flag.ref)
        codes = sorted(flag.flags, key=order.__getitem__)
        items.append(
            ChaseItem(
                owner=(flag.owner or (row.owner if row else None) or "").strip() or NO_OWNER,
                ref=flag.ref,
                title=flag.title,
                annex=flag.annex,
                flags=[c.value for c in codes],
                needs=[flag_text.chase(c, flag.details.get(c.value)) for c in codes],
                last_action_update=row.last_action_update if row else None,
                next_due=row.next_due if row else None,
                current_score=row.current_score if row else None,
                previous_score=row.previous_score if row else None,
                rag=row.rag if row else None,
                strategy=(row.strategy or row.strategy_text) if row else None,
                details={c.value: d for c in codes if (d := flag.details.get(c.value))},
            )
        )
    items.sort(
        key=lambda i: (
            i.owner == NO_OWNER,
            i.owner.lower(),
            order[FlagCode(i.flags[0])],
            i.ref,
        )
    )
    return items


def by_owner(items: list[ChaseItem]) -> dict[str, list[ChaseItem]]:
    groups: dict[str, list[ChaseItem]] = {}
    for item in items:
        groups.setdefault(item.owner, []).append(item)
    return groups


def month_name(month: str) -> str:
    return date(int(month[:4]), int(month[5:7]), 1).strftime("%B %Y")


# ------------------------------------------------------------------------ writing


def write_chase_list(
    db: sqlite_utils.Database,
    month: str,
    config: Config,
    *,
    generated_at: datetime | None = None,
) -> ChaseFiles:
    """Write ``chase-YYYY-MM.xlsx`` and ``.md`` into ``config.paths.exports``."""
    items = chase_items(db, month, config)
    stamp = (generated_at or datetime.now(UTC)).astimezone(ZoneInfo(config.schedule.timezone))
    xlsx = chase_path(config, month, ".xlsx")
    md = chase_path(config, month, ".md")
    wb = build_workbook(items, month, config, stamp)
    outlook = acceptance_outlook(db, month, config)
    if outlook.due:
        chase_acceptances.add_sheet(wb, outlook)
    write_atomic(xlsx, lambda tmp: wb.save(tmp))
    with atomic_text(md) as fh:
        fh.write(render_markdown(items, month, config, stamp))
        if outlook.due:
            fh.write(chase_acceptances.markdown(outlook, md_text))
    return ChaseFiles(xlsx, md, len(items), len(by_owner(items)))


HEADERS = [
    ("Owner", 24),
    ("Ref", 12),
    ("Risk", 40),
    ("Service annex", 20),
    ("What is needed", 70),
    ("Last action update", 14),
    ("Next action due", 14),
    ("Score", 8),
    ("Previous score", 9),
    ("RAG", 9),
    ("Strategy", 12),
]


def build_workbook(items: list[ChaseItem], month: str, config: Config, stamp: datetime) -> Workbook:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Chase list"
    groups = by_owner(items)
    set_text(ws.cell(1, 1), f"Chase list - {config.meeting.board_name} - {month_name(month)}")
    ws.cell(1, 1).font = Font(bold=True, size=14)
    set_text(ws.cell(2, 1), _intro(items, groups, stamp))
    for col, (title, width) in enumerate(HEADERS, start=1):
        set_text(ws.cell(4, col), title).font = Font(bold=True)
        ws.column_dimensions[get_column_letter(col)].width = width
    wrap = Alignment(wrap_text=True, vertical="top")
    for r, item in enumerate(items, start=5):
        values: list[object] = [
            item.owner,
            item.ref,
            item.title,
            item.annex,
            "\n".join(item.needs),
            _as_date(item.last_action_update),
            _as_date(item.next_due),
            item.current_score,
            item.previous_score,
            item.rag,
            item.strategy,
        ]
        for col, value in enumerate(values, start=1):
            cell = set_text(ws.cell(r, col), value)
            cell.alignment = wrap
            if isinstance(value, date):
                cell.number_format = "dd/mm/yyyy"
    ws.freeze_panes = "A5"
    print_setup(ws, header_row=4)
    if items:
        ws.auto_filter.ref = f"A4:{get_column_letter(len(HEADERS))}{4 + len(items)}"

    summary = wb.create_sheet("By owner")
    print_setup(summary, header_row=1)
    codes = [c for c in FLAG_ORDER if any(c.value in i.flags for i in items)]
    head = ["Owner", "Risks to chase", *(FLAG_LABELS[c] for c in codes)]
    for col, title in enumerate(head, start=1):
        set_text(summary.cell(1, col), title).font = Font(bold=True)
        summary.column_dimensions[get_column_letter(col)].width = 24 if col == 1 else 16
    for r, (owner, mine) in enumerate(groups.items(), start=2):
        set_text(summary.cell(r, 1), owner)
        summary.cell(r, 2).value = len(mine)
        for col, code in enumerate(codes, start=3):
            summary.cell(r, col).value = sum(code.value in i.flags for i in mine)
    return wb


def _intro(items: list[ChaseItem], groups: dict[str, list[ChaseItem]], stamp: datetime) -> str:
    when = stamp.strftime("%d %b %Y %H:%M %Z")
    if not items:
        return f"Generated {when}. No risk is flagged this month: there is nothing to chase."
    return (
        f"Generated {when}. {len(items)} flagged risks across {len(groups)} owners:"
        " ask each owner for what is listed before the board meets."
    )


_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|#])")


def md_text(value: object) -> str:
    """Text from the export made safe to place in Markdown (one line, no markup, no
    control characters)."""
    text = " ".join(strip_controls(str(value)).split())
    return _MD_SPECIAL.sub(r"\\\1", text)


def render_markdown(items: list[ChaseItem], month: str, config: Config, stamp: datetime) -> str:
    groups = by_owner(items)
    out = [
        f"# Chase list - {month_name(month)}",
        "",
        f"{md_text(config.meeting.board_name)}. {_intro(items, groups, stamp)}",
    ]
    for owner, mine in groups.items():
        noun = "risk" if len(mine) == 1 else "risks"
        out += ["", f"## {md_text(owner)} - {len(mine)} {noun}"]
        for item in mine:
            title = f" {md_text(item.title)}" if item.title else ""
            annex = f" ({md_text(item.annex)})" if item.annex else ""
            out += ["", f"### {md_text(item.ref)}{title}{annex}", ""]
            out += [f"- {md_text(line)}" for line in item.needs]
            facts = []
            if item.current_score is not None:
                was = (
                    f" (was {item.previous_score})"
                    if item.previous_score not in (None, item.current_score)
                    else ""
                )
                rag = f", {item.rag}" if item.rag else ""
                facts.append(f"score {item.current_score}{was}{rag}")
            elif item.previous_score is not None:
                facts.append(f"score {item.previous_score} last month")
            if item.strategy:
                facts.append(f"strategy {md_text(item.strategy)}")
            facts.append(
                f"last action update {uk_date(item.last_action_update)}"
                if item.last_action_update
                else "no action update date recorded"
            )
            if item.next_due:
                facts.append(f"next action due {uk_date(item.next_due)}")
            text = "; ".join(facts)
            out += ["", text[:1].upper() + text[1:] + "."]
    return "\n".join(out) + "\n"
