"""The chase list's last part: the board's acceptances falling due before the next
meeting (their review-by date is after the board month's end, so they are not yet
flagged ``acceptance_lapsed``, but they will have lapsed when the board next meets)."""

from __future__ import annotations

from collections.abc import Callable

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from riskboard.board.acceptances import AcceptanceOutlook
from riskboard.domain import uk_date
from riskboard.reports.safe_write import set_text
from riskboard.reports.xlsx_sheets import print_setup

SHEET = "Acceptances due"
HEADERS = [("Ref", 12), ("Strategy", 10), ("Review by", 12), ("Decided at", 26),
           ("Rationale", 50), ("Decision", 60)]  # fmt: skip


def _rows(outlook: AcceptanceOutlook) -> list[list[str]]:
    return [
        [a.ref, a.strategy, uk_date(a.review_by), f"meeting {a.meeting_id} ({uk_date(a.meeting_date)})",
         a.rationale or "", a.decision or ""]
        for a in outlook.due
    ]  # fmt: skip


def heading(outlook: AcceptanceOutlook) -> str:
    return (
        f"Acceptances falling due before the next meeting ({uk_date(outlook.until)};"
        f" {outlook.until_note})"
    )


def add_sheet(wb: Workbook, outlook: AcceptanceOutlook) -> None:
    """A sheet listing the acceptances falling due (the caller adds it only if any)."""
    ws = wb.create_sheet(SHEET)
    print_setup(ws, header_row=3)
    set_text(ws.cell(1, 1), heading(outlook)).font = Font(bold=True)
    if not outlook.due:
        set_text(ws.cell(2, 1), "None: no board acceptance falls due before the next meeting.")
        return
    for col, (title, width) in enumerate(HEADERS, start=1):
        set_text(ws.cell(3, col), title).font = Font(bold=True)
        ws.column_dimensions[get_column_letter(col)].width = width
    for r, row in enumerate(_rows(outlook), start=4):
        for col, value in enumerate(row, start=1):
            set_text(ws.cell(r, col), value)


def markdown(outlook: AcceptanceOutlook, escape: Callable[[object], str]) -> str:
    """The same list as Markdown (``escape`` makes text from the record safe)."""
    lines = ["", f"## {escape(heading(outlook))}", ""]
    if not outlook.due:
        return "\n".join([*lines, "None.", ""])
    for ref, strategy, review_by, decided, rationale, _ in _rows(outlook):
        why = f" - {escape(rationale)}" if rationale else ""
        lines.append(f"- {escape(ref)}: {strategy}, review by {review_by}, {decided}{why}")
    return "\n".join([*lines, ""])
