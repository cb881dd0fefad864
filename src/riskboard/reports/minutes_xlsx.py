"""Minutes as an Excel workbook (openpyxl, write-only for speed on big registers).

Sheets: Minutes (the same numbered items as the document), Decisions, Escalations,
Early Warnings (when the meeting decided any), Action Log, Risk Log (the month's full register with RAG fills, flags, last action
update and strategy) and Heat Map. Every table has a styled header, frozen panes and
an autofilter; dates are real dates shown dd/mm/yyyy; text is never a formula.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from openpyxl import Workbook

from riskboard.board.risk_history import BoardReview
from riskboard.config import Config
from riskboard.domain import month_name as month_label
from riskboard.domain import upper_first
from riskboard.heat_map import build_heat_map
from riskboard.register import RegisterRow
from riskboard.reports.heat_map import write_heat_map
from riskboard.reports.minutes_content import Facts, Minutes, Para, Table, long_date
from riskboard.reports.minutes_model import action_status_text, flag_labels, on_text
from riskboard.reports.safe_write import write_atomic
from riskboard.reports.xlsx_sheets import (
    BOLD,
    TITLE_FONT,
    WRAP,
    Column,
    RagPalette,
    SheetWriter,
    print_setup,
    table_sheet,
)

DECISION_COLUMNS = [
    Column("Minute", "int", 8), Column("Ref", "text"), Column("Risk", "wrap", 40),
    Column("Service annex", "text"), Column("Risk owner", "text"),
    Column("Likelihood", "int", 11), Column("Impact", "int", 9), Column("Score", "score", 8),
    Column("RAG", "rag", 9), Column("Previous score", "int", 10),
    Column("Direction of travel", "text"), Column("Flags", "wrap", 36),
    Column("Board's strategy", "text"), Column("Strategy decided on", "date", 12),
    Column("Strategy in export", "text"), Column("Rationale", "wrap", 40),
    Column("Review by", "date", 12), Column("Discussion", "wrap", 50),
    Column("Decision (RESOLVED)", "wrap", 50), Column("Actions arising", "wrap", 50),
]  # fmt: skip
ESCALATION_COLUMNS = [
    Column("Minute", "int", 8), Column("Ref", "text"), Column("Risk", "wrap", 40),
    Column("Escalated to", "text"), Column("Direction", "text"),
    Column("Score when proposed", "score", 10),
    Column("RAG", "rag", 9), Column("Reason", "wrap", 45), Column("Exposure", "gbp"),
    Column("Proposed owner", "text"), Column("Status", "text"),
]  # fmt: skip
EW_COLUMNS = [
    Column("Minute", "int", 8), Column("EW ref", "text"), Column("Matter", "wrap", 40),
    Column("Linked risk", "text"), Column("Decision", "wrap", 45), Column("Status", "text"),
    Column("CE ref", "text"), Column("Actions", "text"),
]  # fmt: skip
ACTION_COLUMNS = [
    Column("Action no.", "int", 10), Column("Carried / new", "text"),
    Column("Raised", "date", 12), Column("Risk / EW", "text"),
    Column("Action", "wrap", 50), Column("Owner", "text"), Column("Due", "date", 12),
    Column("Revised due", "date", 12), Column("Status", "text"), Column("Progress", "wrap", 50),
]  # fmt: skip
RISK_LOG_COLUMNS = [
    Column("Ref", "text"), Column("Title", "wrap", 45), Column("Service annex", "text"),
    Column("Category", "text"), Column("Risk owner", "text"), Column("Status", "text", 10),
    Column("Likelihood", "int", 11), Column("Impact", "int", 9), Column("Score", "score", 8),
    Column("RAG", "rag", 9), Column("Previous score", "int", 10),
    Column("Direction", "text", 11), Column("Target score", "int", 10),
    Column("Strategy in export", "text"),
    Column("Board's strategy", "text", 12), Column("Board decided on", "date", 12),
    Column("Actions", "int", 9), Column("Last action update", "date", 14),
    Column("Next action due", "date", 14), Column("Flags", "wrap", 40),
    Column("Exposure", "gbp", 14),
]  # fmt: skip


def risk_log_rows(
    rows: Sequence[RegisterRow], decided: Mapping[str, BoardReview] | None = None
) -> list[list[object]]:
    """The Risk Log's rows: the export's strategy beside the board's (``decided``: the
    last strategy the board recorded for each risk as at the meeting minuted)."""
    decided = decided or {}
    out: list[list[object]] = []
    for r in rows:
        board = decided.get(r.ref)
        out.append([
            r.ref, r.title, r.annex, r.category, r.owner, upper_first(r.status or "") or None,
            r.current_likelihood, r.current_impact, r.current_score, r.rag, r.previous_score,
            r.direction, r.target_score,
            r.strategy_text or upper_first(r.strategy or "") or None,
            upper_first(board.strategy or "") or None if board else None,
            board.meeting_date if board else None, r.action_count, r.last_action_update,
            r.next_due, "; ".join(flag_labels(r.flags)) or None, r.exposure,
        ])  # fmt: skip
    return out


def _minutes_sheet(wb: Any, minutes: Minutes, palette: RagPalette) -> None:
    out = SheetWriter(wb.create_sheet("Minutes"), palette)
    print_setup(out.ws)
    out.widths([8, 24, 100])
    out.append([out.cell(minutes.board, font=TITLE_FONT)])
    out.append([out.cell(f"Minutes of the meeting held on {long_date(minutes.meeting_date)}")])
    status = minutes.status_label if minutes.approved else "DRAFT – not yet approved"
    out.append([out.cell(status, font=BOLD)])
    out.blank()
    for label, value in minutes.header:
        out.append([None, out.cell(label, font=BOLD), out.cell(value, alignment=WRAP)])
    for item in minutes.items:
        out.blank()
        out.append([out.cell(item.number, font=BOLD), out.cell(item.title, font=BOLD)])
        for block in item.blocks:
            if isinstance(block, Para):
                out.append(
                    [None, out.cell(block.lead, font=BOLD), out.cell(block.text, alignment=WRAP)]
                )
            elif isinstance(block, Facts):
                for label, value in block.pairs:
                    fill = palette.fill_for_band(block.rag) if label == "Current score" else None
                    out.append(
                        [
                            None,
                            out.cell(label, font=BOLD),
                            out.cell(value, alignment=WRAP, fill=fill),
                        ]
                    )
            else:
                _table_lines(out, block)
    out.blank()
    for block in minutes.closing:
        if isinstance(block, Para):
            out.append(
                [None, out.cell(block.lead, font=BOLD), out.cell(block.text, alignment=WRAP)]
            )


def _table_lines(out: SheetWriter, block: Table) -> None:
    if not block.rows:
        out.append([None, None, out.cell(block.empty, alignment=WRAP)])
        return
    for row in block.rows:
        text = " – ".join(v for v in row if v)
        out.append([None, None, out.cell(text, alignment=WRAP)])
    if block.sheet:
        out.append([None, None, out.cell(f"(Listed on the '{block.sheet}' sheet.)")])


def _heat_map_sheet(wb: Any, rows: Sequence[RegisterRow], palette: RagPalette, month: str) -> None:
    out = SheetWriter(wb.create_sheet("Heat Map"), palette)
    print_setup(out.ws)
    out.widths([12, 10, 10, 10, 10, 10, 4, 16, 10])
    out.append([out.cell(f"{month_label(month)} register", font=TITLE_FONT)])
    out.blank()
    write_heat_map(out, build_heat_map(month, rows))
    out.blank()
    counts = Counter(r.rag for r in rows if r.is_open)
    out.append([out.cell("Open risks by RAG", font=BOLD)])
    for band in palette.bands():
        out.append([out.value(band, "rag"), counts.get(band, 0)])
    if counts.get(None):
        out.append(["Not scored", counts[None]])


def build_minutes_xlsx(
    minutes: Minutes,
    rows: Sequence[RegisterRow],
    config: Config,
    decided: Mapping[str, BoardReview] | None = None,
    register_note: str | None = None,
) -> Any:
    """The minutes workbook (write-only: save it once); ``decided`` as for
    ``risk_log_rows``; ``register_note`` says the Risk Log's register was imported
    again after the meeting (``minutes.register_since_note``)."""
    palette = RagPalette(config)
    wb = Workbook(write_only=True)
    _minutes_sheet(wb, minutes, palette)
    table_sheet(
        wb, "Decisions", DECISION_COLUMNS,
        [
            [d.item, d.ref, d.title, d.annex, d.owner, d.likelihood, d.impact, d.score, d.rag,
             d.previous_score, d.direction, "; ".join(d.flags) or None, d.strategy,
             d.strategy_decided_on or (minutes.meeting_date if d.strategy else None),
             d.export_strategy, d.rationale, d.review_by, d.discussion,
             f"RESOLVED: {d.decision}" if d.decision else None,
             "\n".join(d.action_lines) or None]
            for d in minutes.decisions
        ],
        palette,
    )  # fmt: skip
    table_sheet(
        wb, "Escalations", ESCALATION_COLUMNS,
        [
            [e.item, e.ref, e.title, e.target, upper_first(e.direction), e.score, e.rag,
             e.reason, e.exposure, e.proposed_owner, upper_first(e.status)]
            for e in minutes.escalations
        ],
        palette,
    )  # fmt: skip
    if minutes.early_warnings:
        table_sheet(
            wb, "Early Warnings", EW_COLUMNS,
            [
                [e.item, e.ref, e.matter, e.linked_risk, e.decision, e.status, e.ce_ref,
                 ", ".join(str(n) for n in e.actions) or None]
                for e in minutes.early_warnings
            ],
            palette,
        )  # fmt: skip
    table_sheet(
        wb, "Action Log", ACTION_COLUMNS,
        [
            [a.number, upper_first(a.source), a.raised, on_text(a) or None, a.text,
             a.owner, a.due,
             a.revised_due, action_status_text(a), a.progress]
            for a in minutes.actions
        ],
        palette,
    )  # fmt: skip
    table_sheet(
        wb, "Risk Log", RISK_LOG_COLUMNS, risk_log_rows(rows, decided), palette,
        title=f"Risk log: {month_label(minutes.month)} register ({len(rows):,} risk{'' if len(rows) == 1 else 's'})"
        + (f", {register_note}" if register_note else ""),
    )  # fmt: skip
    _heat_map_sheet(wb, rows, palette, minutes.month)
    wb.properties.title = minutes.title
    wb.properties.subject = minutes.status_label
    return wb


def write_minutes_xlsx(
    minutes: Minutes,
    rows: Sequence[RegisterRow],
    config: Config,
    target: Path,
    decided: Mapping[str, BoardReview] | None = None,
    *,
    register_note: str | None = None,
) -> Path:
    wb = build_minutes_xlsx(minutes, rows, config, decided, register_note)
    return write_atomic(target, lambda tmp: wb.save(str(tmp)))
