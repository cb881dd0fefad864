"""The one-line bar at the top of every meeting screen: which meeting, which month,
who is chairing, its status and the quorum."""

from __future__ import annotations

from datetime import date, datetime

from rich.text import Text
from textual.widgets import Static

from riskboard import board
from riskboard.domain import uk_date

STATUS_TEXT = {
    board.MeetingStatus.DRAFT: ("DRAFT", "black on yellow"),
    board.MeetingStatus.IN_PROGRESS: ("IN PROGRESS", "black on green"),
    board.MeetingStatus.CLOSED: ("CLOSED - read only", "white on dark_red"),
}


def month_name(month: str) -> str:
    try:
        return date(int(month[:4]), int(month[5:7]), 1).strftime("%B %Y")
    except ValueError:
        return month


def month_short(month: str) -> str:
    try:
        return date(int(month[:4]), int(month[5:7]), 1).strftime("%b %Y")
    except ValueError:
        return month


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
        text = Text(no_wrap=True, overflow="ellipsis")
        if screen_name:
            text.append(f" {screen_name} ", "bold reverse")
            text.append(" ")
        if meeting is None:
            text.append(board_name, "bold")
            self.update(text)
            return
        label, style = STATUS_TEXT.get(meeting.status, (meeting.status.value, ""))
        if meeting.locked:
            label, style = "LOCKED - minutes approved", "white on dark_red"
        text.append(f" {label} ", style)
        if quorum is not None and meeting.status != board.MeetingStatus.CLOSED:
            text.append(" ")
            if quorum.met:
                text.append(" QUORATE ", "black on green")
            else:
                text.append(" NOT QUORATE ", "white on red")
        text.append(f"  {uk_date(meeting.meeting_date)}", "bold")
        text.append(f"  month {month_short(meeting.month)}")
        if meeting.chair:
            text.append(f"  Chair {meeting.chair}")
        text.append(f"  {board_name}", "dim")
        self.update(text)
