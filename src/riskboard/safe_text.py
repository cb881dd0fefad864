"""Text that is safe to store, print and write: one home for control characters,
undecodable bytes and odd file names.

- ``strip_controls``: C0 and C1 control characters other than tab and newline are
  removed from text read from a workbook or typed by a person (ESC, BEL, CSI... would
  otherwise change a terminal's title, clear the screen or write the clipboard when
  printed, and corrupt the minutes); so are the bidirectional overrides and isolates
  (U+202A-202E, U+2066-2069), which reorder how a line is displayed. A register in
  Arabic or Hebrew needs none of them: the Unicode algorithm orders such text itself.
- ``clean_typed``: text typed at the command line or in the meeting app; text that was
  not valid UTF-8 (Python keeps its bytes as lone surrogates) is refused, not stored.
- ``for_terminal``: anything printed - control characters and undecodable bytes are
  shown as visible escapes (``\\x1b``), never sent raw.
- ``quote_name``: a file name in a log line, a message or a run report; a name holding a
  newline or a control character is quoted with escapes, so it cannot forge a line.
- ``one_line``: a name or a value in a one-line listing: as ``for_terminal``, with
  newlines and tabs escaped too.
"""

from __future__ import annotations

import logging
import re

from riskboard.errors import Remedy, RiskboardError

# C0 except tab and newline, DEL, C1, and the Unicode bidirectional embeddings,
# overrides and isolates (U+202A-202E, U+2066-2069): they reorder how the text around
# them is shown ("Trojan source"), so "closed" can display as something else
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
# what is never printed raw: the controls, bidi controls, lone surrogates (undecodable
# bytes), and the Unicode line/paragraph separators some viewers treat as a new line
_UNPRINTABLE = re.compile(
    r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\u2028\u2029\u202a-\u202e\u2066-\u2069]"
)
_NAME_ODD = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff\u2028\u2029]")
_SURROGATES = re.compile(r"[\ud800-\udfff]")


def strip_controls(text: str) -> str:
    """``text`` without C0/C1 control characters other than tab and newline (a carriage
    return before a newline goes too; a lone one becomes a newline)."""
    if text.isprintable():  # the common case, checked at C speed
        return text
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROLS.sub("", text)


def has_surrogates(text: str) -> bool:
    """True if ``text`` holds undecodable bytes (lone surrogates from surrogateescape)."""
    return _SURROGATES.search(text) is not None


def replace_undecodable(text: str) -> str:
    """``text`` with undecodable bytes (lone surrogates) written as ``\\xa3``: text
    recorded before such input was refused can still be exported and approved."""
    if not has_surrogates(text):
        return text
    return _SURROGATES.sub(_escape, text)


def show_bytes(text: str) -> str:
    """``text`` with undecodable bytes shown as ``\\xa3`` (for a message about them)."""
    return _UNPRINTABLE.sub(_escape, text)


def clean_typed(text: str, what: str = "text") -> str:
    """Typed text as it may be stored: refused if it is not valid UTF-8, without control
    characters otherwise. ``what`` names the field in the refusal."""
    if has_surrogates(text):
        raise RiskboardError(
            f"{what} is not valid UTF-8 text ({show_bytes(text)[:60]!s}); nothing was recorded",
            remedy=Remedy.RETYPE_TEXT,
        )
    return strip_controls(text)


def for_terminal(text: str) -> str:
    """``text`` safe to print: control characters (other than tab and newline) and
    undecodable bytes become visible escapes."""
    if text.isprintable():
        return text
    return _UNPRINTABLE.sub(_escape, text)


def one_line(text: str) -> str:
    """``text`` as one value on one line of output (an owner's name in a listing):
    ``for_terminal``, with newlines and tabs shown as ``\\n`` and ``\\t`` too, so a name
    holding "\\nBcc: ..." cannot forge a line of its own."""
    if text.isprintable():
        return text
    return for_terminal(text).replace("\n", "\\n").replace("\t", "\\t")


def quote_name(name: str) -> str:
    """A file name for one line of output: as it is, or - if it holds a newline, a
    control character or undecodable bytes - in double quotes with those escaped."""
    if not _NAME_ODD.search(name):
        return name
    inner = name.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + _NAME_ODD.sub(_escape, inner) + '"'


def _escape(match: re.Match[str]) -> str:
    ch = match.group(0)
    code = ord(ch)
    if ch == "\n":
        return "\\n"
    if ch == "\t":
        return "\\t"
    if ch == "\r":
        return "\\r"
    if 0xDC80 <= code <= 0xDCFF:  # a byte kept by surrogateescape
        return f"\\x{code - 0xDC00:02x}"
    if code <= 0xFF:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}"


class OneLineFormatter(logging.Formatter):
    """Each log record's message on one line: a newline or a control character in it (a
    file name, a cell's text) is escaped, so nothing can forge a log line. A traceback,
    when there is one, follows as usual."""

    def formatMessage(self, record: logging.LogRecord) -> str:  # noqa: N802 - logging's name
        record.message = for_terminal(record.message).replace("\n", "\\n")
        return super().formatMessage(record)
