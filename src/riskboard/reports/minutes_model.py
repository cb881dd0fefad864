"""One place that turns a meeting record and the month's register into the minutes.

docx, xlsx and md all render the :class:`Minutes` built here, so the three formats
cannot drift: the item numbers, wording, order and tables are decided once.

Input: the dict from ``board.record.meeting_record(db, meeting_id)``, read through the
``Rec*`` models of ``minutes_record`` (the exact shape consumed; unknown keys are
ignored), and ``register.register_rows`` for the meeting's board month. What the
record stored on the day (a reviewed risk's title, owner and score) wins over the
register, so a later re-import cannot change approved minutes; the register adds
likelihood x impact, direction of travel and flags.

Order (UK council convention, DOMAIN.md): attendance and apologies with quorum;
declarations of interest; minutes of the previous meeting; action log review; one
item per risk reviewed; escalations and de-escalations; early warnings (NEC clause 15,
``minutes_ew``); new actions arising; any other business; date of next meeting.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Any, Literal

from riskboard import flag_text
from riskboard.board.risk_history import BoardReview
from riskboard.config import Config
from riskboard.domain import (
    ESCALATION_TARGET_NAMES,
    EscalationTarget,
    outcome_text,
    resolution_text,
    revised_due_text,
    strategy_resolution,
    upper_first,
)
from riskboard.domain import (
    month_name as month_label,
)
from riskboard.register import RegisterRow
from riskboard.reports.minutes_content import (
    ActionRow,
    Block,
    DecisionRow,
    EscalationRow,
    EwDecisionRow,
    Facts,
    Item,
    Minutes,
    Para,
    Table,
    long_date,
    uk_date,
)
from riskboard.reports.minutes_ew import EwMinutesSummary, early_warning_blocks
from riskboard.reports.minutes_opening import (
    attendance_blocks,
    org_label,
    previous_blocks,
    signature_blocks,
    times_text,
)
from riskboard.reports.minutes_quorum import departures_para
from riskboard.reports.minutes_record import (
    MeetingRecord,
    RecAction,
    RecEscalation,
    RecMeeting,
    RecReview,
)

# ------------------------------------------------------------------ wording helpers

DIRECTION_TEXT = {
    "up": "↑ up",
    "down": "↓ down",
    "level": "→ no change",
    "new": "new",
    "unknown": "? not known (a score is missing or could not be read)",
}


def flag_labels(codes: Iterable[str]) -> list[str]:
    return [flag_text.label(code) for code in codes]


def target_name(target: str) -> str:
    try:
        return ESCALATION_TARGET_NAMES[EscalationTarget(target)]
    except ValueError:
        return target


def direction_text(row: RegisterRow | None) -> str:
    if row is None:
        return "not in this month's register"
    text = DIRECTION_TEXT.get(row.direction, row.direction)
    if row.direction in {"up", "down"} and row.previous_score is not None:
        text += f" from {row.previous_score}"
    return text


def score_text(score: int | None, rag: str | None, row: RegisterRow | None) -> str:
    if score is None:
        return "not scored"
    text = str(score)
    if row and row.current_likelihood and row.current_impact and row.current_score == score:
        text += f" (likelihood {row.current_likelihood} × impact {row.current_impact})"
    return f"{text} – {upper_first(rag)}" if rag else text


def _gbp(value: float | None) -> str:
    return f"£{value:,.0f}" if value is not None else ""


def _strategy(value: str | None) -> str | None:
    return upper_first(value) if value else None


# ------------------------------------------------------------------ building the minutes

ACTION_HEADERS = ["No.", "Action", "Owner", "Due", "Status", "Progress"]
ESCALATION_HEADERS = [
    "Ref", "Risk", "Register / board", "Score when proposed", "Reason", "Exposure", "Proposed owner", "Status",
]  # fmt: skip


def build_minutes(
    record: MeetingRecord | dict[str, Any],
    rows: Sequence[RegisterRow],
    config: Config,
    *,
    approving_meeting_date: date | None = None,
    decided: Mapping[str, BoardReview] | None = None,
    chain_head: str | None = None,
    early_warnings: EwMinutesSummary | None = None,
) -> Minutes:
    """The ordered minutes of one meeting; ``rows`` is its board month's register;
    ``decided`` the board's strategies as at the meeting
    (``board.risk_history.board_strategies``): a risk the meeting did not give a
    strategy is minuted with the one the board decided before, beside the export's;
    ``early_warnings`` the NEC early warning register that stood for it (the early
    warnings item is minuted when there is one, or the meeting decided any).

    Approved minutes are dated by the meeting that approved them
    (``approving_meeting_date``), else by the day the approval was recorded.
    ``chain_head`` ("ROW:HASH", the audit log's newest row when written) is printed as
    an anchor outside the database."""
    rec = record if isinstance(record, MeetingRecord) else MeetingRecord.model_validate(record)
    m = rec.meeting
    by_ref = {r.ref: r for r in rows}
    items: list[Item] = []

    def add(title: str, kind: str, blocks: list[Block], ref: str | None = None) -> Item:
        item = Item(number=len(items) + 1, title=title, kind=kind, ref=ref, blocks=blocks)
        items.append(item)
        return item

    tz = config.schedule.timezone
    attendance = add("Attendance, apologies and quorum", "attendance", attendance_blocks(rec, tz))
    add(
        "Declarations of interest",
        "declarations",
        [Para(text=d) for d in rec.declarations]
        or [Para(text="No declarations of interest were made.")],
    )
    add("Minutes of the previous meeting", "previous", previous_blocks(rec))
    carried = [_action_row(e.action, "carried", e.raised_meeting_date, e.closed_here)
               for e in rec.action_log]  # fmt: skip
    add("Matters arising: action log review", "action_log", [
        Table(
            headers=ACTION_HEADERS,
            rows=[_action_cells(a) for a in carried],
            sheet="Action Log",
            empty="There were no actions carried forward from earlier meetings.",
        )
    ])  # fmt: skip

    raised = [_action_row(a, "new", m.meeting_date, False) for a in rec.actions_arising]
    new_actions = [a for a in raised if not a.withdrawn]  # live ones: never a withdrawn one
    decisions: list[DecisionRow] = []
    seen: dict[str, RegisterRow] = {}  # reviewed risks as the board saw them
    for review in rec.reviews:
        if not (review.reviewed or review.decision or review.note):
            continue
        row, pinned_flags = board_row(review, by_ref)
        if row is not None and pinned_flags is not None:
            seen[review.ref] = row
        item = add(_risk_title(review, row), "risk", [], ref=review.ref)
        decision = _decision_row(item.number, review, row, new_actions, config, m.month)
        if pinned_flags is not None:  # as worded when the board saw them
            decision = decision.model_copy(update={"flags": pinned_flags})
        standing = (decided or {}).get(review.ref)
        if not review.strategy and standing is not None and standing.meeting_id != m.id:
            decision = decision.model_copy(
                update={
                    "strategy": _strategy(standing.strategy),
                    "strategy_decided_on": standing.meeting_date,
                    "strategy_review_by": standing.review_by,
                }
            )
        decisions.append(decision)
        item.blocks = _risk_blocks(decision, row, rec)

    esc_item = add("Escalations and de-escalations", "escalations", [])
    esc_rows = {**by_ref, **seen}
    escalations = [_escalation_row(e, items, esc_rows, config, False) for e in rec.escalations]
    escalations += [
        _escalation_row(e, items, esc_rows, config, True) for e in rec.escalation_decisions
    ]
    esc_item.blocks = [
        Table(
            headers=ESCALATION_HEADERS,
            rows=[_escalation_cells(e) for e in escalations if not e.earlier],
            sheet="Escalations",
            empty="No risks were escalated or de-escalated.",
        )
    ]
    earlier = [e for e in escalations if e.earlier]
    if earlier:
        esc_item.blocks += [
            Para(text="Decisions on escalations proposed at earlier meetings:"),
            Table(headers=ESCALATION_HEADERS, rows=[_escalation_cells(e) for e in earlier],
                  sheet="Escalations"),
        ]  # fmt: skip
    ew_rows: list[EwDecisionRow] = []
    if early_warnings is not None or rec.early_warnings or rec.ew_notices:
        ew_item = add("Early warnings (NEC clause 15)", "early_warnings", [])
        ew_item.blocks, ew_rows = early_warning_blocks(
            ew_item.number, rec, early_warnings, carried + raised, config
        )
    withdrawn_blocks: list[Block] = [
        Para(
            text=f"Action {a.number} ({a.text}) was withdrawn: {a.withdrawn_reason or 'no reason given'}."
        )
        for a in raised
        if a.withdrawn
    ]
    add("New actions arising", "actions", [
        Table(
            headers=["No.", "Action", "Risk / EW", "Owner", "Due"],
            rows=[[str(a.number), a.text, on_text(a), a.owner or "",
                   due_cell(a)] for a in new_actions],
            sheet="Action Log",
            empty="No new actions arose.",
        ),
        *withdrawn_blocks,
    ])  # fmt: skip
    add(
        "Any other business",
        "aob",
        [Para(text=t) for t in rec.aob] or [Para(text="There was no other business.")],
    )
    add("Date of next meeting", "next", [Para(text=_next_meeting_text(m, config))])
    left = departures_para(rec, items, tz, org_label)
    if left is not None:  # before the quorum sentence, which it explains
        attendance.blocks.insert(len(attendance.blocks) - 1, left)

    approved_on = None
    if rec.approval.approved:
        approved_on = approving_meeting_date or _date_of(rec.approval.approved_at)
    status = (
        f"APPROVED {uk_date(approved_on)} as a correct record"
        if approved_on
        else "DRAFT – not yet approved"
    )
    if approved_on and rec.approval.amendment:  # what it was approved subject to
        status += f", subject to the following amendment: {rec.approval.amendment}"
    header = [
        ("Board", config.meeting.board_name),
        ("Meeting date", long_date(m.meeting_date)),
        ("Time", times_text(rec, config.schedule.timezone)),
        ("Month reviewed", f"{month_label(m.month)} register"),
        ("Chair", m.chair or "Not recorded"),
        ("Minute-taker", m.minute_taker or "Not recorded"),
        ("Status", status),
    ]
    if approved_on and rec.approval.content_hash:
        # an anchor outside the database: `riskboard meeting verify ID --hash ...`
        header.append(("Record (sha256)", rec.approval.content_hash))
    if chain_head:
        # the other anchor: `riskboard meeting verify --anchor ROW:HASH`
        header.append(("Audit log head", chain_head))
    return Minutes(
        board=config.meeting.board_name,
        council=config.meeting.council,
        meeting_id=m.id,
        meeting_date=m.meeting_date,
        month=m.month,
        chair=m.chair,
        minute_taker=m.minute_taker,
        approved_on=approved_on,
        items=items,
        decisions=decisions,
        escalations=escalations,
        actions=carried + raised,
        header=header,
        closing=signature_blocks(rec),
        early_warnings=ew_rows,
    )


def _date_of(stamp: str | None) -> date | None:
    if not stamp:
        return None
    try:
        return date.fromisoformat(stamp[:10])
    except ValueError:
        return None


def _next_meeting_text(m: RecMeeting, config: Config) -> str:
    if m.next_meeting_date:
        return f"The next meeting will be held on {long_date(m.next_meeting_date)}."
    weeks = config.meeting.next_meeting_weeks
    return f"To be confirmed (normally {weeks} weeks after this meeting)."


def board_row(
    review: RecReview, by_ref: Mapping[str, RegisterRow]
) -> tuple[RegisterRow | None, list[str] | None]:
    """The register row the minutes print a reviewed risk from, and its flags' wording:
    what the review pinned at the meeting (``risk_facts``), so a later re-import of the
    month cannot change held minutes; the register as now imported only for a review
    recorded before they were pinned (flags None: worded from the row)."""
    facts = review.risk_facts
    if facts is None:
        return by_ref.get(review.ref), None
    if not facts.get("in_register"):
        return None, []
    flags = [f for f in facts.get("flags") or [] if isinstance(f, dict)]
    row = RegisterRow(
        ref=review.ref,
        title=review.risk_title,
        annex=review.risk_annex,
        owner=review.risk_owner,
        status=facts.get("status"),
        strategy=facts.get("strategy"),
        strategy_text=facts.get("strategy_text"),
        current_likelihood=facts.get("current_likelihood"),
        current_impact=facts.get("current_impact"),
        current_score=facts.get("current_score"),
        previous_score=facts.get("previous_score"),
        direction=facts.get("direction") or "new",
        exposure=facts.get("exposure"),
        flags=[str(f.get("code")) for f in flags],
    )
    return row, [str(f.get("text")) for f in flags]


def _risk_title(review: RecReview, row: RegisterRow | None) -> str:
    title = review.risk_title or (row.title if row else None)
    return f"Risk {review.ref}: {title}" if title else f"Risk {review.ref}"


def _action_row(
    a: RecAction, source: Literal["carried", "new"], raised: date | None, closed_here: bool
) -> ActionRow:
    return ActionRow(
        number=a.number, source=source, raised=raised, risk_ref=a.risk_ref, text=a.text,
        owner=a.owner, due=a.due, revised_due=a.revised_due, status=a.status,
        progress=a.progress, closed_here=closed_here, withdrawn_reason=a.withdrawn_reason,
        ew_ref=a.ew_ref,
    )  # fmt: skip


def action_status_text(a: ActionRow) -> str:
    """An action's status as the minutes word it: a withdrawn action says so and why,
    never as a live action; one closed here says "Closed" (reported once, then it drops
    off the log)."""
    if a.withdrawn:
        return f"Withdrawn: {a.withdrawn_reason or 'no reason given'}"
    return "Closed" if a.closed_here else upper_first(a.status)


def _action_cells(a: ActionRow) -> list[str]:
    status = action_status_text(a)
    return [str(a.number), a.text, a.owner or "", due_cell(a), status,
            a.progress or ""]  # fmt: skip


def on_text(a: ActionRow) -> str:
    """What an action is on: its risk, its early warning, or both ("HM-001, EW-004")."""
    return ", ".join(x for x in (a.risk_ref, a.ew_ref) if x)


def due_cell(a: ActionRow) -> str:
    """The due date as the action log words it: "12/10/2022, revised to 30/09/2022"."""
    return revised_due_text(a.due, a.revised_due).removeprefix("due ")


def _decision_row(
    number: int,
    review: RecReview,
    row: RegisterRow | None,
    new_actions: list[ActionRow],
    config: Config,
    month: str,
) -> DecisionRow:
    mine = [a for a in new_actions if a.risk_ref == review.ref]
    score = review.risk_score
    if score is None and row is not None:
        score = row.current_score
    export = (row.strategy_text or _strategy(row.strategy)) if row else None
    missing_from = review.risk_month if review.risk_month and review.risk_month != month else None
    # not in the board month's export: no current score, likelihood or direction this month
    missing = missing_from is not None or (row is not None and row.status == "missing")
    scored = row if row is not None and not missing else None
    return DecisionRow(
        item=number,
        ref=review.ref,
        title=review.risk_title or (row.title if row else None),
        annex=review.risk_annex or (row.annex if row else None),
        owner=review.risk_owner or (row.owner if row else None),
        likelihood=scored.current_likelihood if scored else None,
        impact=scored.current_impact if scored else None,
        score=score,
        rag=config.scoring.rag(score),
        previous_score=scored.previous_score if scored else None,
        direction=f"Not in the {month_label(month)} export" if missing else direction_text(row),
        flags=[flag_text.summary(c, row.flag_details.get(c)) for c in row.flags] if row else [],
        strategy=_strategy(review.strategy),
        export_strategy=export,
        rationale=review.rationale,
        review_by=review.review_by,
        discussion=review.note,
        decision=resolution_text(review.decision)
        or strategy_resolution(review.strategy, review.review_by),
        actions=[a.number for a in mine],
        action_lines=[action_line(a) for a in mine],
        missing_from=missing_from,
        missing=missing,
    )


def _risk_blocks(d: DecisionRow, row: RegisterRow | None, rec: MeetingRecord) -> list[Block]:
    score = (
        ("Current score", score_text(d.score, d.rag, row))
        if not d.missing
        else (
            "Last known score",
            score_text(d.score, d.rag, None)
            + (f" (in the {month_label(d.missing_from)} export)" if d.missing_from else ""),
        )
    )
    facts = [
        ("Service annex", d.annex or "Not recorded"),
        ("Risk owner", d.owner or "Not recorded"),
        score,
        ("Direction of travel", d.direction),
        ("Flags", "; ".join(d.flags) if d.flags else "None"),
        ("Strategy", _strategy_fact(d)),
        ("Strategy in the export", d.export_strategy or "None"),
    ]
    if d.missing_from:
        facts.insert(
            0,
            (
                "Export",
                f"Not in the {month_label(rec.meeting.month)} export: reviewed against its"
                f" last known entry, in the {month_label(d.missing_from)} export",
            ),
        )
    if d.rationale:
        facts.append(("Rationale", d.rationale))
    if d.review_by:
        facts.append(("Review by", long_date(d.review_by)))
    blocks: list[Block] = [Facts(pairs=facts, rag=d.rag)]
    if d.discussion:  # nothing at all when nothing was said: no boilerplate per risk
        blocks.append(Para(lead="Discussion:", text=d.discussion))
    if d.decision:
        blocks.append(Para(lead="RESOLVED:", text=d.decision))
    else:
        blocks.append(Para(text="No decision was recorded."))
    for e in rec.escalations:
        if e.ref != d.ref:
            continue
        # the outcome as the escalations table words it, the decision note as typed
        outcome = (
            "proposed, awaiting a decision"
            if e.status == "proposed"
            else outcome_text(e.status, e.decision_note)
        )
        if e.direction == "de-escalate":
            source = f" from the {target_name(e.source)}" if e.source else ""
            text = f"De-escalation{source} to the contract register: {outcome}."
        else:
            text = f"Escalation to the {target_name(e.target)}: {outcome}."
        blocks.append(Para(text=text))
    blocks += [Para(text=f"{line}.") for line in d.action_lines]
    return blocks


def action_line(a: ActionRow) -> str:
    """ "Action 3 arising: Prepare a costed bid - Anil Mistry, due 31/10/2022" (the
    action's number, never read as a count)."""
    due = revised_due_text(a.due, a.revised_due)
    return f"Action {a.number} arising: {a.text} - {a.owner or 'no owner'}, {due}"


def _strategy_fact(d: DecisionRow) -> str:
    """The board's strategy: decided here, standing from an earlier meeting (said so,
    with when and its review-by date), or none."""
    if d.strategy is None:
        return "None decided by the board"
    if d.strategy_decided_on is None:
        return d.strategy
    by = f", review by {long_date(d.strategy_review_by)}" if d.strategy_review_by else ""
    return (
        f"{d.strategy}, as decided on {long_date(d.strategy_decided_on)}{by}"
        " (not changed at this meeting)"
    )


def _escalation_row(
    e: RecEscalation,
    items: list[Item],
    by_ref: dict[str, RegisterRow],
    config: Config,
    earlier: bool,
) -> EscalationRow:
    row = by_ref.get(e.ref)
    score = e.risk_score if e.risk_score is not None else (row.current_score if row else None)
    item = next((i.number for i in items if i.ref == e.ref), None)
    if item is None:
        item = next(i.number for i in items if i.kind == "escalations")
    name = target_name(e.target)
    if e.direction == "de-escalate" and e.source:
        name = f"De-escalated from the {target_name(e.source)}"
    status = outcome_text(e.status, e.decision_note) if e.status != "proposed" else "Proposed"
    return EscalationRow(
        item=item,
        ref=e.ref,
        title=e.risk_title or (row.title if row else None),
        target=name,
        direction=e.direction,
        score=score,
        rag=config.scoring.rag(score),
        reason=e.reason,
        exposure=e.exposure if e.exposure is not None else (row.exposure if row else None),
        proposed_owner=e.proposed_owner,
        status=status,
        earlier=earlier,
    )


def _escalation_cells(e: EscalationRow) -> list[str]:
    return [e.ref, e.title or "", e.target, str(e.score or ""), e.reason or "",
            _gbp(e.exposure), e.proposed_owner or "", e.status]  # fmt: skip
