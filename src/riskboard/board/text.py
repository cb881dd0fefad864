"""A meeting record as plain text, in minute order (for ``riskboard meeting show`` and
any other face that wants the record readable without the exporters)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from riskboard.domain import local_stamp, month_name, resolution_text, revised_due_text, uk_date

ORG_NAMES = {
    "contractor": "Contractor",
    "directorate": "Directorate",
    "corporate": "Corporate",
    "other": "Other",
}


def local_clock(stamp: str | None) -> str:
    """A UTC ISO timestamp as the local time of day, HH:MM ("-" when missing)."""
    if not stamp:
        return "-"
    try:
        return datetime.fromisoformat(stamp).astimezone().strftime("%H:%M")
    except ValueError:
        return stamp


def uk(iso: str | None) -> str:
    """ISO date text as dd/mm/yyyy ("-" when missing)."""
    return uk_date(iso, missing="-")


def money(amount: float | None) -> str:
    return "-" if amount is None else f"£{amount:,.0f}"


def _person(p: dict[str, Any]) -> str:
    left = f", left at {local_clock(p['left_at'])}" if p.get("left_at") else ""
    role = p.get("role") or ""
    inside = ", ".join(x for x in (role, left.lstrip(", ")) if x)
    return p["name"] + (f" ({inside})" if inside else "")


def action_line(a: dict[str, Any]) -> str:
    due = revised_due_text(a.get("due"), a.get("revised_due"))
    linked = [x for x in (a.get("risk_ref"), a.get("ew_ref")) if x]
    risk = f" [{', '.join(linked)}]" if linked else ""
    line = f"Action {a['number']} ({a['status']}){risk}: {a['text']} - {a['owner'] or '-'}, {due}"
    if a.get("withdrawn_reason"):
        line += f"\n      withdrawn: {a['withdrawn_reason']}"
    if a.get("progress"):
        line += f"\n      progress: {a['progress']}"
    return line


def escalation_line(e: dict[str, Any]) -> str:
    if e["direction"] == "de-escalate":
        src = f" from {ORG_NAMES.get(e['source'], e['source'])} register" if e.get("source") else ""
        head = f"#{e['id']} {e['ref']} de-escalated{src} to the contract register"
    else:
        head = f"#{e['id']} {e['ref']} -> {e['target_name']}"
    parts = [f"{head} [{e['status']}]", f"reason: {e['reason'] or '-'}"]
    if e.get("exposure") is not None:
        parts.append(f"exposure {money(e['exposure'])}")
    if e.get("proposed_owner"):
        parts.append(f"proposed owner {e['proposed_owner']}")
    if e.get("decision_note"):
        parts.append(f"decision: {e['decision_note']}")
    return "; ".join(parts)


def record_text(rec: dict[str, Any], timezone: str = "Europe/London") -> str:
    """The record, numbered like council minutes (times of day in ``timezone``)."""
    m = rec["meeting"]
    out = [
        f"Meeting {m['id']} - {uk(m['meeting_date'])} - {month_name(m['month'])} register"
        f" - {m['status'].replace('_', ' ')}",
        f"Chair: {m['chair'] or '-'}    Minute-taker: {m['minute_taker'] or '-'}",
        "",
        "1. Attendance",
    ]
    att = rec["attendance"]
    if not att["present"]:
        out.append("   Present: nobody recorded")
    for org, names in ORG_NAMES.items():
        people = [_person(p) for p in att["present"] if p["organisation"] == org]
        if people:
            out.append(f"   {names}: {', '.join(people)}")
    if att["apologies"]:
        out.append(
            "   Apologies: "
            + ", ".join(
                f"{p['name']} ({ORG_NAMES.get(p['organisation'], p['organisation'])})"
                for p in att["apologies"]
            )
        )
    out.append(f"   Quorum: {rec['quorum']['text']}")
    out += ["", "2. Declarations of interest"]
    out += [f"   - {d}" for d in rec["declarations"]] or ["   None declared."]
    out += ["", "3. Minutes of the previous meeting"]
    prev = rec["previous_minutes"]
    if prev["note"]:
        out += [f"   {line}" for line in prev["note"].splitlines()]
    elif prev["previous_meeting"]:
        p = prev["previous_meeting"]
        out.append(f"   Minutes of meeting {p['id']} ({uk(p['meeting_date'])}) not yet approved.")
    else:
        out.append("   No previous meeting.")
    for a in prev["approved_here"]:
        if a.get("quorum"):
            out.append(f"   Quorum at approval of meeting {a['meeting_id']}: {a['quorum']['text']}")
    out += ["", "4. Action log (matters arising)"]
    for entry in rec["action_log"]:
        out.append(f"   {action_line(entry['action'])}")
        if entry["closed_here"]:
            out.append("      closed at this meeting")
        if entry.get("withdrawn_here"):
            out.append("      withdrawn at this meeting")
    if not rec["action_log"]:
        out.append("   No open actions carried forward.")
    out += ["", "5. Risk reviews"]
    for r in rec["reviews"]:
        missing = bool(r.get("risk_month")) and r["risk_month"] != m["month"]
        score = (
            f"last known score {r['risk_score'] or '-'} ({month_name(r['risk_month'])})"
            if missing
            else f"score {r['risk_score'] or '-'}"
        )
        out.append(
            f"   {r['ref']} {r['risk_title'] or ''} ({r['risk_annex'] or '-'},"
            f" owner {r['risk_owner'] or '-'}, {score})"
            + ("" if r["reviewed"] else " - not yet marked reviewed")
        )
        if r.get("risk_month") and r["risk_month"] != m["month"]:
            out.append(
                f"      Not in the {month_name(m['month'])} export: reviewed against its"
                f" {month_name(r['risk_month'])} entry"
            )
        if r["strategy"]:
            extra = f" - {r['rationale']}" if r["rationale"] else ""
            if r["review_by"]:
                extra += f" (review by {uk(r['review_by'])})"
            out.append(f"      Strategy: {r['strategy']}{extra}")
        if r["note"]:
            out.append(f"      Discussion: {r['note']}")
        if resolution_text(r["decision"]):
            out.append(f"      RESOLVED: {resolution_text(r['decision'])}")
    if not rec["reviews"]:
        out.append("   No risks reviewed.")
    out += ["", "6. Actions arising"]
    out += [f"   {action_line(a)}" for a in rec["actions_arising"]] or ["   None."]
    out += ["", "7. Escalations"]
    out += [f"   {escalation_line(e)}" for e in rec["escalations"]] or ["   None."]
    if rec["escalation_decisions"]:
        out.append("   Decisions on earlier escalations:")
        out += [f"   {escalation_line(e)}" for e in rec["escalation_decisions"]]
    if rec.get("early_warnings"):
        from riskboard.early_warning import decision_words

        out.append("   Early warnings (NEC clause 15):")
        out += [
            f"   {d['ew_ref']} {d.get('ew_description') or ''}:"
            f" {decision_words(d['decision'], d.get('reason'), d.get('ce_ref'))}"
            for d in rec["early_warnings"]
        ]
    out += ["", "8. Any other business"]
    out += [f"   - {a}" for a in rec["aob"]] or ["   None."]
    out += ["", "9. Date of next meeting", f"   {uk(rec['next_meeting_date'])}"]
    if m["closed_at"]:
        # "without quorum" only of a meeting that was not quorate when it closed
        inquorate = not rec["quorum"].get("met", True)
        forced = (
            f" without quorum: {m['close_forced_reason']}"
            if m["close_forced_reason"] and inquorate
            else ""
        )
        out += ["", f"Closed {local_stamp(m['closed_at'], timezone)}{forced}"]
    ap = rec["approval"]
    if ap["approved"]:
        amended = f", subject to: {ap['amendment']}" if ap.get("amendment") else ""
        out.append(
            f"Minutes approved at meeting {ap['approved_by_meeting_id']}"
            f" ({local_stamp(ap['approved_at'], timezone)}){amended};"
            f" sha256 {ap['content_hash']}"
        )
    return "\n".join(out)
