"""Header matching for an NEC early warning register: its headers -> early warning fields.

The same rules as the risk register's (``headers``): a header is reduced to its key
(case-folded letters and digits), tried again without bracketed parts, and each match
carries a priority (user alias, specific name, generic name). Action headers ("Action",
"Owner", "Date", "Action Owner", "Action Status") are read as the early warning's
actions. The user's ``[import.early_warning_aliases]`` win.

Inside the ingest pipeline the early warning reference is the table's key field
``ref`` (as a risk reference is a risk register's); reports show it as ``ew_ref``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from riskboard.ingest.headers import (
    ACTION_HEADER_FIELDS,
    GENERIC,
    SPECIFIC,
    HeaderMatcher,
    Match,
    action_context_table,
    put_action_headers,
    put_aliases,
    put_header,
)

EW_RECORD_FIELDS: tuple[str, ...] = (
    "ref", "date_notified", "notified_by", "description", "linked_risk", "meeting_date",
    "decision", "status", "compensation_event_ref",
)  # fmt: skip
EW_HEADER_FIELDS: tuple[str, ...] = EW_RECORD_FIELDS + ACTION_HEADER_FIELDS
# how the fields are named to the user (dry run, docs, aliases): the key is ``ew_ref``
SHOWN: dict[str, str] = {"ref": "ew_ref"}

# other names a user may give a field in [import.early_warning_aliases]
EW_FIELD_SYNONYMS: dict[str, str] = {
    "ew_ref": "ref", "early_warning_ref": "ref", "reference": "ref", "matter": "description",
    "risk_ref": "linked_risk", "risk": "linked_risk", "owner": "action_owner",
    "date": "due", "action_date": "due", "ce_ref": "compensation_event_ref",
    "notified": "date_notified", "ew_status": "status",
}  # fmt: skip

EW_SPECIFIC: dict[str, list[str]] = {
    "ref": ["EW ref", "EW No", "EW No.", "EW Number", "EW ID", "EW Reference", "EWN",
            "EWN No.", "EWN ref", "EWN Number", "Early warning ref", "Early warning no",
            "Early warning number", "Early warning reference", "Early warning ID",
            "Early warning notice", "Early warning notice no", "Early warning notice ref",
            "Early warning notice number", "Early warning"],
    "date_notified": ["Date notified", "Date of notification", "Notification date",
                      "Date raised", "Date issued", "Date of early warning", "EW date",
                      "Date of EW", "Notified on", "Raised on", "Issued on", "Notified"],
    "notified_by": ["Notified by", "Raised by", "Issued by", "Given by", "Notifying party",
                    "Originator", "Party notifying", "Notified from", "From"],
    "description": ["Description", "Description of matter", "Description of the matter",
                    "Matter", "Early warning matter", "Details", "Issue", "Nature of the matter",
                    "Early warning description", "EW description"],
    "linked_risk": ["Linked risk", "Linked risk(s)", "Linked risk ref", "Risk ref",
                    "Risk reference", "Related risk", "Related risk ref", "Risk No",
                    "Risk ID", "Risk number", "Associated risk", "Contract risk",
                    "Contract risk ref", "Risk register ref", "Linked risk register ref",
                    "Risk register reference"],
    "meeting_date": ["Meeting date", "Date of meeting", "EW meeting date",
                     "Early warning meeting", "Early warning meeting date",
                     "Risk reduction meeting", "Risk reduction meeting date",
                     "Date of early warning meeting", "Date considered", "Meeting"],
    "decision": ["Decision", "Decision(s)", "Meeting decision", "Outcome",
                 "Decision / outcome", "Decision made", "Decisions taken", "Meeting outcome"],
    "status": ["Status", "EW status", "State", "Early warning status", "Open / removed",
               "Open / removed / CE"],
    "compensation_event_ref": ["CE ref", "CE No", "CE number", "CE reference",
                               "Compensation event", "Compensation event ref",
                               "Compensation event no", "Compensation event number", "CE"],
    "action": ["Action", "Action(s)", "Action(s) to avoid or reduce",
               "Action(s) to avoid or reduce the effect", "Risk reduction action(s)",
               "Agreed action(s)", "Action description", "Proposed action(s)", "Mitigation",
               "Mitigating action(s)"],
    "action_owner": ["Owner", "Action owner", "Action by", "Responsible", "Who",
                     "Assigned to", "Action lead", "Responsible officer", "By whom"],
    "due": ["Date", "Action date", "Due date", "Target date", "By when", "Due", "Date due",
            "Deadline", "Action due", "Action due date", "Completion date"],
    "progress": ["Progress", "Progress update", "Update", "Latest update", "Commentary"],
    "last_updated": ["Last updated", "Date updated", "Updated", "Last update"],
    "action_status": ["Action status"],
    "action_ref": ["Action ref", "Action no", "Action number"],
}  # fmt: skip

EW_GENERIC: dict[str, list[str]] = {
    "ref": ["Ref", "Reference", "ID", "No.", "Number"],
    "description": ["Title", "Subject", "Summary"],
    "linked_risk": ["Risk"],
}  # fmt: skip


def canonical_ew_field(name: str) -> str | None:
    """The early warning field for a name given in config (``ew_ref`` -> ``ref``)."""
    key = name.strip().lower().replace("-", "_").replace(" ", "_")
    if key in EW_HEADER_FIELDS and key != "ref":
        return key
    return EW_FIELD_SYNONYMS.get(key)


def build_ew_matcher(aliases: Mapping[str, Iterable[str]] | None = None) -> HeaderMatcher:
    """The early warning header table: built-in names plus
    ``[import.early_warning_aliases]`` (which win)."""
    table: dict[str, Match] = {}
    for field, variants in EW_SPECIFIC.items():
        for v in variants:
            put_header(table, v, field, SPECIFIC)
    put_action_headers(table)
    for field, variants in EW_GENERIC.items():
        for v in variants:
            put_header(table, v, field, GENERIC)
    shown = [SHOWN.get(f, f) for f in EW_HEADER_FIELDS]
    put_aliases(table, aliases, canonical_ew_field, "import.early_warning_aliases", shown)
    return HeaderMatcher(table=table, action_context=action_context_table())
