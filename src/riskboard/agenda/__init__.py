"""The agenda service: the board month as the meeting works through it.

No textual here. The meeting app renders what these return; scripts and tests can call
them with any ``sqlite_utils.Database``.

API
  month:  board_month(db, config, month, meeting_id) -> MonthData   # every risk, agenda
              # order, reviewed marks, counts (month_counts.MonthCounts), acceptance outlook
          quick_month(db, config, month, meeting_id) -> MonthData   # first page, one query
  items:  agenda_items(db, meeting, data=None) -> list[AgendaItem]  # the standard order
          section_rows(rows, section, acceptance_refs=()) -> list[RiskRow]
          reviewed_status(rows) -> (text, done); whole_register_text(data) -> str
          RISK_SECTIONS, SECTION_TITLES, FLAGGED_ORDER_NOTE, REGISTER_ORDER_NOTE
  rows:   RiskRow, build_row, make_row, agenda_order, filter_rows, FLAG_SHORT,
          DIRECTION_SYMBOL                                   # the risk list as plain tuples
"""

from riskboard.agenda.items import (
    FLAGGED_ORDER_NOTE,
    REGISTER_ORDER_NOTE,
    RISK_SECTIONS,
    SECTION_TITLES,
    AgendaItem,
    agenda_items,
    reviewed_status,
    section_rows,
    whole_register_text,
)
from riskboard.agenda.month import MonthData, board_month, quick_month
from riskboard.agenda.rows import (
    DIRECTION_SYMBOL,
    FLAG_SHORT,
    RiskRow,
    agenda_order,
    build_row,
    filter_rows,
    make_row,
)

__all__ = [
    "DIRECTION_SYMBOL", "FLAGGED_ORDER_NOTE", "FLAG_SHORT", "REGISTER_ORDER_NOTE", "RISK_SECTIONS", "SECTION_TITLES",
    "AgendaItem", "MonthData", "RiskRow", "agenda_items", "agenda_order", "board_month",
    "build_row", "filter_rows", "make_row", "quick_month", "reviewed_status", "section_rows",
    "whole_register_text",
]  # fmt: skip
