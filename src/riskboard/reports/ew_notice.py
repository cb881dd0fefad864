"""An early warning notice to the contractor (NEC4 clause 15.1), drafted from a risk or an
escalation, as a Word document.

What it says: the parties (the council, through its ``[early_warnings] notified_by``, to
the contractor), the contract and clause, the notice's reference (the next free one:
``ew_register.next_free_ref``), the matter (the risk's title, description, cause and
effect), the contract risk with its score and exposure, the risk's history (each
month's score, strategy and status; the board's decisions; its escalations - and the
escalation it was drafted from), and the early warning meeting it proposes.

``draft_notice`` reserves the reference in the same audited transaction that writes the
document: two chairs drafting at once never get the same reference, and a document
that cannot be written reserves nothing. Drafting again for a risk whose notice is not
yet on any register reuses its reference ("redrafted").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import sqlite_utils
from docx import Document
from docx.oxml import parse_xml
from pydantic import BaseModel, Field

from riskboard import board
from riskboard.board.txn import Scope, audited
from riskboard.config import Config
from riskboard.domain import ESCALATION_TARGET_NAMES, month_name, ref_key, uk_date
from riskboard.errors import NotFound, RiskboardError
from riskboard.ew_register import next_free_ref
from riskboard.history import risk_history
from riskboard.reports.docx_body import (
    StyleIds,
    body_xml,
    facts_block,
    heading,
    para_block,
    paragraph,
    run,
    table_block,
)
from riskboard.reports.minutes_content import Facts, Para, Table, long_date
from riskboard.reports.minutes_docx import _setup
from riskboard.reports.safe_write import clean_text, write_atomic
from riskboard.store import early_warnings as ew_store
from riskboard.store import meetings as board_store
from riskboard.store.register import now_iso


class NoticeContent(BaseModel):
    """Everything the notice says, ready to render."""

    ew_ref: str
    notice_date: date
    contract: str
    clause: str
    council: str
    contractor: str
    notified_by: str
    board: str
    risk_ref: str
    title: str
    matter: list[tuple[str, str]]  # label, text
    risk_facts: list[tuple[str, str]]
    history: list[list[str]]  # month, score, strategy, status
    decisions: list[list[str]]  # meeting date, strategy, decision
    escalations: list[list[str]]  # date, to, reason, status
    escalation_note: str | None = None  # the escalation it was drafted from
    proposed_meeting: date
    next_board: date | None = None
    file_stem: str = Field(default="")


@dataclass(frozen=True)
class DraftedNotice:
    ew_ref: str
    path: Path
    risk_ref: str
    redrafted: bool  # the risk's notice was drafted before: same reference, new document


def _gbp(value: float | None) -> str:
    return f"£{value:,.0f}" if value is not None else "Not quantified"


def notice_content(
    db: sqlite_utils.Database,
    config: Config,
    *,
    ew_ref: str,
    risk_ref: str,
    escalation: board.Escalation | None,
    notice_date: date,
    meeting: board.Meeting | None,
) -> NoticeContent:
    """The notice for ``risk_ref``: its latest export, its months and the board's record
    of it (``history.risk_history``)."""
    history = risk_history(db, risk_ref, config)
    latest = history.latest
    if latest is None:
        raise NotFound(f"unknown risk {risk_ref!r}: in no register imported")
    score_text = "Not scored"
    if latest.score is not None:
        lk, im = latest.likelihood, latest.impact
        score_text = f"{latest.score}" + (f" (likelihood {lk} × impact {im})" if lk and im else "")
        score_text += f" – {latest.rag.capitalize()}" if latest.rag else ""
    matter = [("Matter", latest.title or history.ref)]
    for label, text in (("Description", latest.description), ("Cause", latest.cause),
                        ("Effect", latest.effect)):  # fmt: skip
        if text:
            matter.append((label, text))
    facts = [
        ("Contract risk", f"{history.ref} ({month_name(latest.month)} register)"),
        ("Service annex", latest.annex or "Not recorded"),
        ("Risk owner", latest.owner or "Not recorded"),
        ("Current score", score_text),
        ("Financial exposure", _gbp(latest.exposure)),
        ("Strategy", latest.strategy_shown or "None recorded"),
    ]
    months = [
        [month_name(m.month), "" if m.score is None else str(m.score), m.strategy_shown or "",
         (m.status or "").capitalize()]
        for m in history.months[-12:]
    ]  # fmt: skip
    decisions = [
        [uk_date(r.meeting_date), (r.strategy or "").capitalize(), r.decision or ""]
        for r in history.board.reviews
        if r.strategy or r.decision
    ]
    escalations = [
        [uk_date(e.meeting_date), ESCALATION_TARGET_NAMES[e.escalation.target],
         e.escalation.reason or "", e.outcome]
        for e in history.board.escalations
    ]  # fmt: skip
    note = None
    if escalation is not None:
        note = (
            f"The {config.meeting.board_name} escalated this risk to the"
            f" {ESCALATION_TARGET_NAMES[escalation.target]} (escalation {escalation.id},"
            f" {escalation.status.value}): {escalation.reason or 'no reason recorded'}."
        )
    proposed = notice_date + timedelta(days=config.early_warnings.meeting_after_days)
    return NoticeContent(
        ew_ref=ew_ref,
        notice_date=notice_date,
        contract=config.early_warnings.contract,
        clause=config.early_warnings.clause,
        council=config.meeting.council,
        contractor=config.meeting.contractor,
        notified_by=config.early_warnings.notified_by,
        board=config.meeting.board_name,
        risk_ref=history.ref,
        title=latest.title or history.ref,
        matter=matter,
        risk_facts=facts,
        history=months,
        decisions=decisions,
        escalations=escalations,
        escalation_note=note,
        proposed_meeting=proposed,
        next_board=meeting.next_meeting_date if meeting else None,
        file_stem=f"early_warning_notice_{ew_ref}_{history.ref}",
    )


def _t(text: object) -> str:
    return clean_text("" if text is None else str(text))


def build_notice_docx(content: NoticeContent) -> Any:
    """The notice as a python-docx Document (not yet saved)."""
    doc = Document()
    _setup(doc)
    props = doc.core_properties
    props.title = _t(f"Early warning notice {content.ew_ref}")
    props.subject = _t(f"{content.contract}: clause {content.clause}")
    props.author = _t(f"{content.council} ({content.notified_by})")
    props.language = "en-GB"
    styles = doc.styles
    ids = StyleIds(
        heading=styles["Heading 1"].style_id,
        table=styles["Table Grid"].style_id,
        normal=styles["Normal"].style_id,
    )
    c = content
    parts = [
        paragraph(run(f"Early warning notice {c.ew_ref}"), style=styles["Title"].style_id),
        paragraph(run(f"{c.contract} – clause {c.clause}"), style=styles["Subtitle"].style_id),
        facts_block(
            Facts(
                pairs=[
                    ("Early warning reference", c.ew_ref),
                    ("Contract", c.contract),
                    ("Clause", c.clause),
                    ("From", f"{c.council} ({c.notified_by})"),
                    ("To", c.contractor),
                    ("Date of notice", long_date(c.notice_date)),
                ]
            ),
            ids,
            {},
        ),
        para_block(
            Para(
                text=f"In accordance with clause {c.clause} of the contract, the"
                f" {c.notified_by} gives an early warning of the matter below, which could"
                " increase the Prices, delay Completion or a Key Date, or impair the"
                " performance of the service. It is to be entered in the Early Warning"
                " Register."
            )
        ),
        heading("1. The matter", ids),
        facts_block(Facts(pairs=c.matter), ids, {}),
        heading("2. The contract risk", ids),
        facts_block(Facts(pairs=c.risk_facts), ids, {}),
        heading("3. The risk's history", ids),
        table_block(Table(headers=["Month", "Score", "Strategy", "Status"], rows=c.history), ids),
        para_block(Para(lead="Decisions of the board:", text="" if c.decisions else "none.")),
        table_block(
            Table(headers=["Meeting", "Strategy", "Decision"], rows=c.decisions, empty=""), ids
        )
        if c.decisions
        else "",
        para_block(Para(lead="Escalations:", text="" if c.escalations else "none.")),
        table_block(
            Table(headers=["Date", "To", "Reason", "Outcome"], rows=c.escalations, empty=""), ids
        )
        if c.escalations
        else "",
    ]
    if c.escalation_note:
        parts.append(para_block(Para(text=c.escalation_note)))
    meeting = (
        f"The {c.notified_by} proposes an early warning meeting on"
        f" {long_date(c.proposed_meeting)} to consider how the effects of this matter can be"
        " avoided or reduced, and who will take the actions decided (clause 15.2)."
    )
    if c.next_board:
        meeting += (
            f" The matter will also be reported to the {c.board} on {long_date(c.next_board)}."
        )
    parts += [
        heading("4. Proposed early warning meeting", ids),
        para_block(Para(text=meeting)),
        paragraph(""),
        para_block(Para(lead="Signed:", text="........................................")),
        para_block(Para(text=f"{c.notified_by}, for and on behalf of {c.council}")),
        para_block(Para(lead="Date:", text=long_date(c.notice_date))),
    ]
    body = doc.element.body
    anchor = body.get_or_add_sectPr()
    for child in list(parse_xml(body_xml([p for p in parts if p]))):
        anchor.addprevious(child)
    return doc


def draft_notice(
    db: sqlite_utils.Database,
    config: Config,
    *,
    risk_ref: str | None = None,
    escalation_id: int | None = None,
    meeting_id: int | None = None,
    out_dir: Path | None = None,
    actor: str | None = None,
    today: date | None = None,
) -> DraftedNotice:
    """Draft an early warning notice from a risk, or from an escalation (its risk), and
    write it into ``out_dir`` (default: the exports folder). With ``meeting_id`` it is
    drafted at that meeting (dated the meeting's date; not closed). The reference is
    the next free one (``[early_warnings] ref_prefix``...), reserved with the document in
    one audited transaction; a second draft for a risk whose notice is on no register
    yet keeps its reference. Raises NotFound for an unknown risk or escalation."""
    escalation = None
    if escalation_id is not None:
        escalation = board.get_escalation(db, escalation_id)
        if risk_ref and ref_key(risk_ref) != ref_key(escalation.ref):
            raise RiskboardError(
                f"escalation {escalation_id} is about risk {escalation.ref}, not {risk_ref}"
            )
        risk_ref = escalation.ref
    if not risk_ref or not risk_ref.strip():
        raise RiskboardError("a notice is drafted from a risk (REF) or an escalation (ID)")
    if risk_history(db, risk_ref, config).latest is None:  # NotFound: known nowhere
        raise NotFound(
            f"unknown risk {risk_ref!r}: in no register imported",
            hint="`riskboard risks` lists the month's risks",
        )
    meeting = board.get_meeting(db, meeting_id) if meeting_id is not None else None
    when = today or (meeting.meeting_date if meeting else date.today())
    folder = Path(out_dir or config.paths.exports)
    with audited(db, meeting_id, Scope.NOTICE, actor=actor) as step:
        earlier = _earlier_notice(db, risk_ref)
        ew_ref = earlier["ew_ref"] if earlier else next_free_ref(db, config)
        content = notice_content(
            db, config, ew_ref=ew_ref, risk_ref=risk_ref, escalation=escalation,
            notice_date=when, meeting=meeting,
        )  # fmt: skip
        target = folder / f"{content.file_stem}.docx"
        values = {
            "risk_ref": content.risk_ref,
            "escalation_id": escalation_id,
            "meeting_id": meeting_id,
            "matter": content.title,
            "proposed_meeting": content.proposed_meeting.isoformat(),
            "drafted_by": step.actor or actor,
            "drafted_at": now_iso(),
            "file_name": target.name,
        }
        if earlier is None:
            step.new("early_warning_notice")
            notice_id = board_store.insert(
                db, "ew_notices", {"ew_ref": ew_ref, "ref_key": ref_key(ew_ref), **values}
            )
            change = f"early warning notice {ew_ref} drafted on risk {content.risk_ref}"
        else:
            notice_id = earlier["id"]
            step.track("early_warning_notice", notice_id, lambda: ew_store.notice_row(db, ew_ref))
            board_store.update(db, "ew_notices", {"id": notice_id}, values)
            change = f"early warning notice {ew_ref} redrafted on risk {content.risk_ref}"
        doc = build_notice_docx(content)
        write_atomic(target, lambda tmp: doc.save(str(tmp)))
        step.record(change, entity_id=notice_id, read=lambda: ew_store.notice_row(db, ew_ref))
    return DraftedNotice(ew_ref, target, content.risk_ref, redrafted=earlier is not None)


def _earlier_notice(db: sqlite_utils.Database, risk_ref: str) -> dict[str, Any] | None:
    """The notice drafted for this risk whose reference no register holds yet."""
    on_registers = {ref_key(r) for r in ew_store.all_ew_refs_imported(db)}
    for row in reversed(ew_store.notice_rows(db)):
        if (
            ref_key(row["risk_ref"] or "") == ref_key(risk_ref)
            and row["ref_key"] not in on_registers
        ):
            return row
    return None
