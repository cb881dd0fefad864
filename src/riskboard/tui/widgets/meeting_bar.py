"""The one-line bar at the top of every meeting screen: which meeting, which month,
who is chairing, its status and the quorum."""

from __future__ import annotations

from datetime import datetime

from rich.text import Text
from textual.widgets import Static

from riskboard import board
from riskboard.domain import month_name, month_short, uk_date

__all__ = ["MeetingBar", "bar_text", "local_time", "month_name", "month_short", "uk_date"]

STATUS_TEXT = {
    board.MeetingStatus.DRAFT: ("DRAFT", "black on yellow"),
    board.MeetingStatus.IN_PROGRESS: ("IN PROGRESS", "black on green"),
    board.MeetingStatus.CLOSED: ("CLOSED - read only", "white on dark_red"),
}


def local_time(stamp: str | None) -> str:
    """An ISO UTC timestamp as local DD/MM/YYYY HH:MM."""
    if not stamp:
        return "-"
    try:
        return datetime.fromisoformat(stamp).astimezone().strftime("%d/%m/%Y %H:%M")
    except ValueError:
        return stamp


class MeetingBar(Static):
    DEFAULT_CSS = """
    MeetingBar { dock: top; height: 1; background: $primary-background; color: $foreground; }
    """

    def show(
        self,
        board_name: str,
        meeting: board.Meeting | None,
        quorum: board.QuorumStatus | None = None,
        screen_name: str = "",
    ) -> None:
        self._shown = (board_name, meeting, quorum, screen_name)
        width = self.size.width or (self.app.size.width if self.is_attached else 0) or 200
        self.update(bar_text(board_name, meeting, quorum, screen_name, width))

    def on_resize(self) -> None:
        shown = getattr(self, "_shown", None)
        if shown is not None:
            self.show(*shown)


def bar_text(
    board_name: str,
    meeting: board.Meeting | None,
    quorum: board.QuorumStatus | None,
    screen_name: str,
    width: int,
) -> Text:
    """The bar's line at ``width`` cells: screen, status, quorum and date always; then
    the board month and the chair, shortened or left out (least needed first: the
    board's name, the word "month", the month) rather than cut mid-name - at 80x24 the
    chair's name is whole."""
    head = Text(no_wrap=True, overflow="ellipsis")
    if screen_name:
        head.append(f" {screen_name} ", "bold reverse")
        head.append(" ")
    if meeting is None:
        head.append(board_name, "bold")
        return head
    label, style = STATUS_TEXT.get(meeting.status, (meeting.status.value, ""))
    if meeting.locked:
        label, style = "LOCKED - minutes approved", "white on dark_red"
    head.append(f" {label} ", style)
    if quorum is not None and meeting.status != board.MeetingStatus.CLOSED:
        head.append(" ")
        if quorum.met:
            head.append(" QUORATE ", "black on green")
        else:
            head.append(" NOT QUORATE ", "white on red")
    head.append(f"  {uk_date(meeting.meeting_date)}", "bold")
    chair = f"  Chair {meeting.chair}" if meeting.chair else ""
    month = month_short(meeting.month)
    for tail in (
        [(f"  month {month}", ""), (chair, ""), (f"  {board_name}", "dim")],
        [(f"  month {month}", ""), (chair, "")],
        [(f"  {month}", ""), (chair, "")],
        [(chair, "")],
    ):
        if head.cell_len + sum(len(t) for t, _ in tail) <= width:
            break
    text = head.copy()
    for part, part_style in tail:
        text.append(part, part_style)
    return text
