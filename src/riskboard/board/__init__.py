"""The meeting service: everything the chair and minute-taker record at the board.

No textual here: the TUI (``riskboard.tui``) and the CLI (``riskboard.cli.meeting``) are
thin faces over these functions, and scripts can call them directly.

Conventions
- Every function takes ``db`` (a ``sqlite_utils.Database``; one per thread - a Textual
  worker opens its own with ``store.open_db``) and plain arguments, and returns pydantic
  models from ``board.models`` (or a dict for the record). No module-level state.
- Every change goes through ONE audited-change step, ``board.txn.audited``: one
  transaction (``BEGIN IMMEDIATE``) holding the change and its one append-only,
  hash-chained ``audit_log`` row; the meeting checked editable; business (approving
  minutes, reviews, actions, escalations) refused unless the meeting is in progress
  and quorate at that moment; protective triggers put back (and that audited) if
  dropped. A refused change writes nothing. Killing the process loses nothing
  already returned.
- ``expected`` (on the functions that change a value a face shows): the fields the
  face showed, with the values it showed; a field changed elsewhere meanwhile refuses
  the change with ``ConflictError`` (both values in the message). ``None``: no check
  (a script or the CLI naming the value outright).
- ``set_origin(db, text)`` once per connection: where its changes come from, recorded
  on each audit row ("command line", "meeting app on HOST (pid N, session S)").
- User mistakes raise ``RiskboardError`` (unknown risk, no open meeting, closed or
  locked meeting, not quorate, bad date, accept/tolerate without rationale and
  review-by date, contradictory escalations...); ``ConflictError`` is one of them.
- Dates: ``datetime.date`` or text ``YYYY-MM-DD`` / ``DD/MM/YYYY`` (UK order).
- ``actor`` (who records it) must be the meeting's chair or minute-taker; default the
  minute-taker, else the chair.
- Review/action text args left as ``None`` keep what is recorded; ``""`` clears.

Lifecycle: draft -> in_progress -> closed; at most one meeting is not closed (the one to
resume). A draft takes preparation only (attendance, apologies, declarations, AOB, next
date); reviews, actions, escalations, approvals and closing need it in progress, and
all but closing need it quorate (closing without quorum needs a reason).

API (all re-exported here)
  meetings:   new_meeting(db, *, meeting_date, chair, month=None, minute_taker=None,
                  config=None, start=True, actor=None) -> Meeting
              open_meeting(db, meeting_id, *, actor=None) -> Meeting
              current_meeting(db) -> Meeting | None        # the one to resume
              get_meeting(db, meeting_id) -> Meeting
              resolve_meeting(db, meeting_id | None) -> Meeting   # None: the open one
              list_meetings(db) -> list[Meeting]
              close_meeting(db, meeting_id, *, force_reason=None, actor=None) -> Meeting
              set_next_meeting_date(db, meeting_id, when, *, expected=None,
                  actor=None) -> Meeting
              suggest_next_meeting_date(meeting, config=None) -> date
              add_aob / add_declaration(db, meeting_id, text, *, actor=None) -> Meeting
              set_aob / set_declarations(db, meeting_id, items, *, actor=None) -> Meeting
  approval:   approve_previous(db, meeting_id, *, amendment=None, previous_id=None,
                  actor=None) -> Meeting                     # the approved (locked) one
              get_approval(db, meeting_id) -> Approval | None   # hash, version, quorum
              approvals_at(db, meeting_id) -> list[Approval]    # approved at that meeting
  integrity:  verify(db, meeting_id, *, anchor=None, chain_anchor=None,
                  with_audit_log=True) -> VerifyResult   # approved or not; .ok: sound
              audit_findings(db) -> list[str]   # triggers (missing, altered, foreign),
                  # chain breaks, restorations, approval pins, tables vs the audit log
              chain_head(db) -> ChainHead | None   # the anchor printed on minutes
              parse_anchor(text) -> ChainHead; check_anchor(db, anchor) -> list[str]
              verifiable_meetings(db) -> list[int]   # what `meeting verify` checks
              approval_traced_meetings(db) -> list[int]
  attendance: list_people(db, *, include_inactive=False) -> list[Person]
              find_person(db, name) -> Person | None
              save_person(db, name, *, organisation=None, role=None, lead_officer=None,
                  active=None, meeting_id=None, actor=None) -> Person
              attend(db, meeting_id, name, *, organisation=None, role=None,
                  apologies=False, lead_officer=None, expected=None,
                  actor=None) -> AttendanceEntry           # expected={"status": shown}
              remove_attendance(db, meeting_id, name, *, expected=None, actor=None)
                  # refused once they were present while the board did business
              leave(db, meeting_id, name, *, expected=None, actor=None) -> AttendanceEntry
                  # left during the meeting: present until then; attend() again = returned
              attendance(db, meeting_id) -> list[AttendanceEntry]
              quorum(db, meeting_id) -> QuorumStatus   # .met, .missing, .describe()
  reviews:    save_review(db, meeting_id, ref, *, strategy=None, rationale=None,
                  review_by=None, note=None, decision=None, reviewed=None,
                  expected=None, actor=None, config=None) -> Review  # pins risk_facts
              get_review(db, meeting_id, ref) -> Review | None
              list_reviews(db, meeting_id) -> list[Review]
              reviewed_refs(db, meeting_id) -> set[str]
  actions:    add_action(db, meeting_id, text, *, owner, due, risk_ref=None,
                  actor=None) -> BoardAction               # .number: Action N
              update_action(db, meeting_id, number, *, status=None, progress=None,
                  revised_due=None, owner=None, expected=None, actor=None) -> BoardAction
              withdraw_action(db, meeting_id, number, *, reason, expected=None,
                  actor=None) -> BoardAction               # status withdrawn, minuted so
              get_action(db, number) -> BoardAction
              action_history(db, number) -> list[ActionUpdate]
              open_actions(db) / all_actions(db) -> list[BoardAction]   # as they stand now
              action_log(db, meeting_id) -> list[ActionLogEntry]   # carried + closed here
              actions_arising(db, meeting_id) -> list[BoardAction]
  escalations: escalate(db, meeting_id, ref, *, target, reason, exposure=None,
                  proposed_owner=None, actor=None) -> Escalation
              deescalate(db, meeting_id, ref, *, reason, from_target=None,
                  proposed_owner=None, actor=None) -> Escalation
              decide_escalation(db, meeting_id, escalation_id, *, accept, note=None,
                  actor=None) -> Escalation
              get_escalation(db, escalation_id) / list_escalations(db, *, meeting_id=None,
                  status=None, ref=None)
              escalations_at(db, meeting_id) -> (raised there, earlier ones decided there)
              escalations_awaiting(db, meeting_id) -> list[Escalation]  # still proposed:
                  # raised at earlier meetings (first) or at this one, for it to decide
              registers_held(db, ref) -> list[EscalationTarget]  # where it can return from
              # rules (board.holdings): de-escalate only from a register the risk is on;
              # contradictory proposals refused naming the other
  deescalation: deescalation_candidates(db, month, config) -> list[DeescalationCandidate]
              # held on Directorate/Corporate, below threshold for N months running
  early warnings (NEC clause 15; board.early_warnings):
              decide_early_warning(db, meeting_id, ref, *, decision, reason=None,
                  ce_ref=None, expected=None, actor=None) -> EwDecision
                  # keep_open / remove (reason) / compensation_event (ce_ref); business
              ew_decisions(db, meeting_id) / ew_decision(db, meeting_id, ref)
              agenda_early_warnings(db, meeting_id, config) -> EwAgenda  # new first, open
              agenda_status(db, meeting_id) -> EwAgendaStatus | None   # the agenda line
              register_due(meeting, config) -> date   # the revised register's due date
              register_due_days(meeting, config) -> int  # (both frozen at the close)
              # actions on an early warning: add_action(..., ew_ref=REF)
  acceptances: acceptance_outlook(db, month, config, *, meeting=None) -> AcceptanceOutlook
              # lapsed by the month's end (flag acceptance_lapsed) / due before next meeting
  drafts:     save_draft / get_draft / discard_draft, draft_key(meeting_id, form, session)
              offered_draft(db, meeting_id, form, session) -> Draft | None   # own, else
                  # of a session no longer running; discard_adopted never drops a live one's
              begin_session / beat / end_session / session_running   # app heartbeats
              # what is typed in the app's open forms; not part of the record
  audit:      audit_entries(db, *, meeting_id=None) -> list[AuditEntry]
              last_change_id(db) -> int; changes_since(db, audit_id) -> list[AuditEntry]
              last_change_to(db, entity, entity_id) -> AuditEntry | None
              set_origin(db, origin)
  record:     meeting_record(db, meeting_id) -> dict  (JSON-able; see record.py)
              content_hash(db, meeting_id, version=RECORD_VERSION) -> str
  parsing:    parse_date, parse_organisation, parse_strategy, parse_action_status,
              parse_target, parse_exposure (RiskboardError on bad text)
"""

from riskboard.board.acceptances import AcceptanceOutlook, acceptance_outlook
from riskboard.board.actions import (
    action_history,
    action_log,
    actions_arising,
    add_action,
    all_actions,
    get_action,
    open_actions,
    parse_action_status,
    update_action,
    withdraw_action,
)
from riskboard.board.approval import approvals_at, approve_previous, get_approval
from riskboard.board.attendance import (
    attend,
    attendance,
    find_person,
    leave,
    list_people,
    parse_organisation,
    quorum,
    remove_attendance,
    save_person,
)
from riskboard.board.audit import changes_since, last_change_id, last_change_to, set_origin
from riskboard.board.audit import entries as audit_entries
from riskboard.board.conflicts import ConflictError
from riskboard.board.dates import parse_date
from riskboard.board.deescalation import DeescalationCandidate, deescalation_candidates
from riskboard.board.drafts import (
    Draft,
    beat,
    begin_session,
    discard_adopted,
    discard_draft,
    draft_key,
    draft_slot,
    end_session,
    get_draft,
    offered_draft,
    save_draft,
    session_running,
)
from riskboard.board.early_warnings import (
    EwAgenda,
    EwAgendaStatus,
    EwDecision,
    agenda_early_warnings,
    agenda_status,
    decide_early_warning,
    ew_decision,
    ew_decision_history,
    ew_decisions,
    live_ew_actions,
    parse_ew_decision,
    register_due,
    register_due_days,
)
from riskboard.board.escalations import (
    decide_escalation,
    deescalate,
    escalate,
    escalations_at,
    escalations_awaiting,
    get_escalation,
    list_escalations,
    parse_exposure,
    parse_target,
    registers_held,
)
from riskboard.board.guards import current_meeting, get_meeting, resolve_meeting
from riskboard.board.integrity import approval_traced_meetings, verifiable_meetings, verify
from riskboard.board.log_check import (
    ChainHead,
    audit_findings,
    chain_head,
    check_anchor,
    parse_anchor,
)
from riskboard.board.meetings import (
    add_aob,
    add_declaration,
    close_meeting,
    list_meetings,
    new_meeting,
    open_meeting,
    set_aob,
    set_declarations,
    set_next_meeting_date,
    suggest_next_meeting_date,
)
from riskboard.board.models import (
    ActionLogEntry,
    ActionUpdate,
    Approval,
    AttendanceEntry,
    AttendanceStatus,
    AuditEntry,
    BoardAction,
    BoardActionStatus,
    Escalation,
    EscalationStatus,
    Meeting,
    MeetingStatus,
    Person,
    QuorumStatus,
    Review,
    VerifyResult,
)
from riskboard.board.record import content_hash, meeting_record
from riskboard.board.reviews import (
    get_review,
    list_reviews,
    parse_strategy,
    reviewed_refs,
    save_review,
)

__all__ = [
    "ChainHead", "chain_head", "check_anchor", "parse_anchor", "verifiable_meetings",
    "beat", "begin_session", "discard_adopted", "draft_slot", "end_session", "offered_draft",
    "session_running",
    "AcceptanceOutlook", "acceptance_outlook", "Approval", "ConflictError", "Draft",
    "EwAgenda", "EwAgendaStatus", "EwDecision", "agenda_early_warnings", "agenda_status",
    "decide_early_warning", "ew_decision",
    "ew_decision_history", "ew_decisions", "live_ew_actions", "parse_ew_decision",
    "register_due",
    "register_due_days",
    "DeescalationCandidate", "deescalation_candidates",
    "ActionLogEntry", "ActionUpdate", "AttendanceEntry", "AttendanceStatus", "AuditEntry",
    "BoardAction", "BoardActionStatus", "Escalation", "EscalationStatus", "Meeting",
    "MeetingStatus", "Person", "QuorumStatus", "Review", "VerifyResult",
    "action_history", "action_log", "all_actions", "actions_arising", "add_action", "add_aob",
    "add_declaration", "approval_traced_meetings", "approvals_at", "approve_previous",
    "attend", "attendance", "audit_entries", "audit_findings", "changes_since",
    "close_meeting", "content_hash", "current_meeting", "decide_escalation", "deescalate",
    "discard_draft", "draft_key", "escalate", "escalations_at", "escalations_awaiting", "find_person", "get_action", "get_approval",
    "get_draft", "get_escalation", "get_meeting", "get_review", "last_change_id",
    "last_change_to", "leave", "list_escalations", "list_meetings", "list_people", "list_reviews",
    "meeting_record", "new_meeting", "open_actions", "open_meeting", "parse_action_status",
    "parse_date", "parse_exposure", "parse_organisation", "parse_strategy", "parse_target",
    "quorum", "registers_held", "remove_attendance", "resolve_meeting", "reviewed_refs",
    "save_draft", "save_person", "save_review", "set_aob", "set_declarations",
    "set_next_meeting_date", "set_origin", "suggest_next_meeting_date", "update_action",
    "verify", "withdraw_action",
]  # fmt: skip
