"""One owner's email as a standard RFC 5322 message (Python's ``email`` package).

``build_message`` makes the same message for a draft and for sending: Subject, From
(``[chase] from``, when set), To (the owner's address, when known), Reply-To, Date,
Message-ID; a plain-text body and an HTML alternative (``chase_mail_body``); and the
owner's flagged risks attached as a workbook (``owner_workbook``), written through the
chase list's formula-safe writer (``reports.safe_write.set_text``), so text from the
register is never a live formula. A draft also carries ``X-Unsent: 1``: Outlook opens
such a file as an unsent message, in the compose window, ready to send (Thunderbird
opens it as a message; its "Edit As New Message", Ctrl+E, makes it a draft).
"""

from __future__ import annotations

import io
import re
import unicodedata
from datetime import datetime
from email.message import EmailMessage
from email.policy import default
from email.utils import format_datetime, make_msgid

from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from riskboard.config import Config
from riskboard.domain import uk_date
from riskboard.email_address import check_address
from riskboard.reports.chase import build_workbook, month_name
from riskboard.reports.chase_mail_body import blocks, render_html, render_text
from riskboard.reports.chase_plan import ChasePlan, OwnerMail, plural
from riskboard.reports.safe_write import set_text

XLSX_TYPE = ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet")
# Headers are written unfolded up to RFC 5322's hard limit (998): the standard library
# folds a 72-character subject onto a continuation line of its own ("Subject:" CRLF
# " Risk register...") and reads it back with a leading space. Bodies are encoded before
# this applies (quoted-printable lines of 76), so only header lines are longer than 78.
HEADER_POLICY = default.clone(max_line_length=998)
EML_POLICY = HEADER_POLICY.clone(linesep="\r\n")  # RFC 5322 lines end CRLF in a file too
MAX_SLUG = 60


def file_slug(owner: str) -> str:
    """A file-name part for an owner that is safe on every system: ASCII letters,
    digits and hyphens only ("Siân Hughes (BBLP)" -> "sian-hughes-bblp")."""
    text = unicodedata.normalize("NFKD", owner)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = re.sub(r"['\u2019]", "", text)
    text = re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-").lower()
    return text[:MAX_SLUG].strip("-") or "owner"


def assign_slugs(plan: ChasePlan) -> None:
    """Give each mail of ``plan`` a file-name part, unique within the plan (two owners
    whose names differ only in punctuation get "-2", "-3"...)."""
    used: set[str] = set()
    for mail in plan.mails:
        base = file_slug(mail.owner)
        slug, n = base, 1
        while slug in used:
            n += 1
            slug = f"{base}-{n}"
        used.add(slug)
        mail.slug = slug


def attachment_name(plan: ChasePlan, mail: OwnerMail) -> str:
    return f"chase-{plan.month}-{mail.slug or file_slug(mail.owner)}.xlsx"


def build_message(
    mail: OwnerMail, plan: ChasePlan, config: Config, *, now: datetime, draft: bool
) -> EmailMessage:
    """``mail`` as a message; ``draft`` adds ``X-Unsent: 1`` (open as unsent in Outlook).
    ``now`` (timezone-aware) is its Date. ConfigError when ``[chase] from`` or
    ``reply_to`` is not a usable address."""
    sender, reply_to = config.chase.sender()
    msg = EmailMessage(policy=default)
    msg["Subject"] = mail.subject
    if sender:
        msg["From"] = sender
    if mail.address.address:
        msg["To"] = mail.address.to_header
    if reply_to:
        msg["Reply-To"] = reply_to
    msg["Date"] = format_datetime(now)
    msg["Message-ID"] = make_msgid(domain=_domain(sender))
    if draft:
        msg["X-Unsent"] = "1"
    name = attachment_name(plan, mail)
    content = blocks(mail, plan, config, name)
    msg.set_content(render_text(content))
    msg.add_alternative(render_html(content, mail.subject), subtype="html")
    msg.add_attachment(
        owner_workbook(mail, plan, config, now),
        maintype=XLSX_TYPE[0],
        subtype=XLSX_TYPE[1],
        filename=name,
    )
    msg.policy = HEADER_POLICY  # how it is written out, by chase_eml and by smtplib
    return msg


def _domain(sender: str | None) -> str:
    """The Message-ID's domain: the sender's (already checked when config was loaded)."""
    return check_address(sender, display_name=True).domain if sender else "riskboard.invalid"


ACTION_HEADERS = [
    ("Ref", 12),
    ("Action", 14),
    ("Action text", 40),
    ("Action owner", 20),
    ("Due", 12),
    ("Last updated", 12),
    ("What is needed", 60),
]


def owner_workbook(mail: OwnerMail, plan: ChasePlan, config: Config, stamp: datetime) -> bytes:
    """The owner's rows of the chase list (same columns), plus a sheet of the actions
    that need an update; every text cell written formula-safe."""
    # the chase list's columns, with the sentences said to the owner
    items = [e.item.model_copy(update={"needs": e.needs or e.item.needs}) for e in mail.entries]
    wb = build_workbook(items, plan.month, config, stamp)
    ws = wb["Chase list"]
    set_text(
        ws.cell(1, 1),
        f"Risks to update - {mail.address.name} - {month_name(plan.month)} register",
    )
    set_text(
        ws.cell(2, 1),
        f"{plural(len(items), 'flagged risk')} for the {config.meeting.board_name} on"
        f" {uk_date(plan.board.when)}; the 'Actions to update' sheet lists each action.",
    )
    del wb["By owner"]
    sheet = wb.create_sheet("Actions to update")
    for col, (title, width) in enumerate(ACTION_HEADERS, start=1):
        set_text(sheet.cell(1, col), title).font = Font(bold=True)
        sheet.column_dimensions[get_column_letter(col)].width = width
    wrap = Alignment(wrap_text=True, vertical="top")
    r = 1
    for entry in mail.entries:
        for line in entry.actions:
            r += 1
            values: list[object] = [
                entry.item.ref,
                line.label,
                line.text,
                line.owner,
                line.due,
                line.last_updated,
                "\n".join(line.notes),
            ]
            for col, value in enumerate(values, start=1):
                cell = set_text(sheet.cell(r, col), value)
                cell.alignment = wrap
                if col in (5, 6) and value is not None:
                    cell.number_format = "dd/mm/yyyy"
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
