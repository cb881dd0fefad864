"""Minutes as Markdown, for pasting into an email or an intranet page.

Text from imports or typed at the meeting is escaped so it cannot turn into markup
(headings, links, raw HTML) when the page is rendered.
"""

from __future__ import annotations

import re
from pathlib import Path

from riskboard.reports.minutes_content import (
    Facts,
    Item,
    Minutes,
    Para,
    Table,
    long_date,
    uk_date,
)
from riskboard.reports.safe_write import atomic_text
from riskboard.safe_text import strip_controls

_INLINE = re.compile(r"([\\`*_\[\]<>|])")
_LINE_START = re.compile(r"^(\s*)([#>+\-=]|\d+[.)])", re.MULTILINE)


def md_escape(text: str) -> str:
    """Escape Markdown/HTML syntax so the text renders as written; control characters
    (a terminal escape in a cell) are dropped."""
    text = _INLINE.sub(r"\\\1", strip_controls(text))
    return _LINE_START.sub(lambda m: m.group(1) + "\\" + m.group(2), text)


def _para(text: str) -> str:
    return "  \n".join(md_escape(text).split("\n"))


def _cell(text: str) -> str:
    return "<br>".join(md_escape(text).split("\n")) or " "


def _table(headers: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(_cell(h) for h in headers) + " |"]
    lines.append("|" + "|".join("---" for _ in headers) + "|")
    lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    return lines


def _item(item: Item) -> list[str]:
    out = [f"## {item.number}. {md_escape(item.title)}", ""]
    for block in item.blocks:
        if isinstance(block, Para):
            lead = f"**{md_escape(block.lead)}** " if block.lead else ""
            out += [lead + _para(block.text), ""]
        elif isinstance(block, Facts):
            out += [f"- **{md_escape(k)}:** {_para(v)}" for k, v in block.pairs] + [""]
        elif isinstance(block, Table):
            out += _table(block.headers, block.rows) if block.rows else [md_escape(block.empty)]
            out.append("")
    return out


def render_md(minutes: Minutes) -> str:
    if minutes.approved:
        status = f"**APPROVED** {uk_date(minutes.approved_on)}"
    else:
        status = "**DRAFT** – not yet approved as a correct record"
    lines = [
        f"# {md_escape(minutes.board)}",
        "",
        f"**Minutes of the meeting held on {long_date(minutes.meeting_date)}**",
        "",
        status,
        "",
        "| | |",
        "|---|---|",
    ]
    lines += [f"| **{md_escape(k)}** | {_cell(v)} |" for k, v in minutes.header]
    lines.append("")
    for item in minutes.items:
        lines += _item(item)
    lines += ["---", ""]
    for block in minutes.closing:
        if isinstance(block, Para):
            lead = f"**{md_escape(block.lead)}** " if block.lead else ""
            lines += [lead + _para(block.text), ""]
    return "\n".join(lines).rstrip() + "\n"


def write_md(minutes: Minutes, target: Path) -> Path:
    with atomic_text(target, encoding="utf-8", newline="\n") as fh:
        fh.write(render_md(minutes))
    return target
