"""Header matching: export column headers -> canonical riskboard fields.

A header is reduced to a *key*: case-folded letters and digits only, so case,
punctuation, spacing and line breaks never matter ("Risk\\nRef.", "RISK REF" and
"risk_ref" are all ``riskref``). Keys are looked up in one table built from the
variants in DOMAIN.md, the composite score headers (inherent/current/target x
likelihood/impact/score), "Action ..." prefixed action headers, and the user's
``[import.aliases]`` (which win). A header that does not match is tried once more
without its bracketed parts ("Likelihood (1-5)").

Each match carries a priority - 0 user alias, 1 specific variant, 2 generic variant
("ID", "Score", "Title") - so that when two columns claim one field the more specific
header wins.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import NamedTuple

from riskboard.errors import RiskboardError

USER, SPECIFIC, GENERIC = 0, 1, 2

SCORE_FIELDS: tuple[str, ...] = tuple(
    f"{level}_{part}"
    for level in ("inherent", "current", "target")
    for part in ("likelihood", "impact", "score")
)
RISK_HEADER_FIELDS: tuple[str, ...] = (
    "ref", "title", "description", "cause", "effect", "annex", "category", "owner",
    *SCORE_FIELDS,
    "strategy", "status", "trend", "controls", "exposure",
    "early_warning_ref", "compensation_event_ref",
)  # fmt: skip
ACTION_HEADER_FIELDS: tuple[str, ...] = (
    "action_ref", "action", "action_owner", "due", "progress", "last_updated", "action_status",
)  # fmt: skip
HEADER_FIELDS: tuple[str, ...] = RISK_HEADER_FIELDS + ACTION_HEADER_FIELDS

# other names a user may give a field in [import.aliases]
FIELD_SYNONYMS: dict[str, str] = {
    "reference": "ref", "risk_ref": "ref", "risk_title": "title", "risk_owner": "owner",
    "likelihood": "current_likelihood", "impact": "current_impact", "score": "current_score",
    "action_text": "action", "action_description": "action", "action_due": "due",
    "due_date": "due", "action_progress": "progress", "action_last_updated": "last_updated",
    "financial_exposure": "exposure", "risk_status": "status",
}  # fmt: skip

_SPECIFIC: dict[str, list[str]] = {
    "ref": ["Risk Ref", "Risk Reference", "Ref No", "Risk No.", "Risk Number", "Risk ID",
            "Risk Code", "Risk Ref No", "Risk Reference Number", "Risk Ref Number"],
    "title": ["Risk Title", "Risk Name", "Risk Summary", "Risk Subject"],
    "description": ["Risk Description", "Description", "Details", "Risk statement",
                    "Background", "Risk Details", "Description of Risk"],
    "cause": ["Cause(s)", "Cause", "Root cause(s)", "Trigger(s)", "Risk Cause(s)"],
    "effect": ["Effect(s)", "Consequence(s)", "Potential impact", "Risk Effect(s)",
               "Potential Consequence(s)"],
    "annex": ["Service Annex", "Annex", "Service", "Service Area", "Workstream",
              "Contract Annex", "Annex Name"],
    "category": ["Category", "Risk Category", "Risk Type", "Theme", "Risk Theme"],
    "owner": ["Risk Owner", "Owner", "Responsible", "Lead", "Bearer of risk", "Risk Lead",
              "Risk Manager"],
    "strategy": ["Strategy", "Strategic plan", "Response", "Risk Response", "Treatment",
                 "Approach", "4T", "4Ts", "Risk Strategy", "Response Strategy",
                 "Treatment Strategy", "Risk Treatment", "Risk Approach"],
    "status": ["Status", "Risk Status", "State", "Open / Closed"],
    "trend": ["Direction of travel", "DoT", "Trend", "Movement", "Risk Trend", "Direction"],
    "controls": ["Controls", "Existing Controls", "Current Controls", "Key Controls",
                 "Control Measures", "Controls in place", "Existing Control Measures"],
    "exposure": ["Estimated cost", "Cost impact", "Financial impact", "GBP impact",
                 "Financial Exposure", "Exposure", "Estimated Financial Impact",
                 "Cost Estimate", "Estimated Cost Impact"],
    "early_warning_ref": ["EW ref", "EWN no.", "Early warning", "EW No", "EWN ref", "EWN",
                          "Early warning ref", "Early warning no", "Early warning notice",
                          "Early warning reference"],
    "compensation_event_ref": ["CE ref", "CE No", "Compensation event",
                               "Compensation event ref", "Compensation event no"],
    "action_ref": ["Action Ref", "Action No", "Action ID", "Action Number",
                   "Action Reference", "Action Code"],
    "action": ["Action", "Actions", "Mitigating action(s)", "Further action(s)",
               "Treatment plan", "Action Description", "Action Plan", "Mitigation",
               "Mitigations", "Mitigation action(s)", "Planned action(s)",
               "Additional action(s)", "Action Details"],
    "action_owner": ["Action Owner", "Assigned to", "Responsible officer", "Action Lead",
                     "Action by"],
    "due": ["Due Date", "Target Date", "Deadline", "Due", "Date Due", "Due By",
            "Target Completion Date"],
    "progress": ["Progress", "Progress update", "Update", "Latest update", "Commentary",
                 "Latest Progress", "Progress Notes", "Progress Comments"],
    "last_updated": ["Last Updated", "Date Updated", "Updated", "Update Date", "Last Reviewed",
                     "Last Update", "Last Updated Date", "Date of Last Update",
                     "Date Last Updated", "Updated On", "Last Review Date"],
    "action_status": ["Action Status", "Open / In progress / Complete"],
}  # fmt: skip

_GENERIC: dict[str, list[str]] = {
    "ref": ["Ref", "Reference", "ID", "Code", "No."],
    "title": ["Title", "Risk", "Summary", "Subject"],
    "current_likelihood": ["Likelihood", "Probability", "L", "P", "Likelihood Score"],
    "current_impact": ["Impact", "Severity", "I", "S", "Impact Score"],
    "current_score": ["Score", "Rating", "Risk Score", "Risk Rating", "Risk level",
                      "Overall Score"],
}  # fmt: skip

_LEVEL_PREFIXES: dict[str, list[str]] = {
    "inherent": ["Inherent", "Gross", "Unmitigated", "Pre-mitigation", "Original", "Initial",
                 "Pre-control"],
    "current": ["Current", "Residual", "Net", "Mitigated", "Post-control", "Post-mitigation"],
    "target": ["Target", "Expected", "Post-mitigation forecast", "Forecast"],
}  # fmt: skip
_PART_SUFFIXES: dict[str, list[str]] = {
    "likelihood": ["Likelihood", "Probability", "L", "P"],
    "impact": ["Impact", "Severity", "Consequence", "I", "S"],
    "score": ["Score", "Rating", "Total", "Risk level", "Level"],
}

# after an "Action" prefix (or bare, on an Actions sheet): the rest of the header
ACTION_CONTEXT: dict[str, list[str]] = {
    "action_ref": ["Ref", "Reference", "No", "Number", "ID", "Code", "Ref No"],
    "action": ["Description", "Details", "Text", "Title", "Plan", "Summary"],
    "action_owner": ["Owner", "Lead", "By", "Assigned to", "Responsible",
                     "Responsible officer", "Manager"],
    "due": ["Due", "Due Date", "Target Date", "Deadline", "Date Due", "Target",
            "Completion Date", "Target Completion Date"],
    "progress": ["Progress", "Progress update", "Update", "Latest update", "Commentary",
                 "Comments", "Notes", "Progress Notes", "Latest Progress"],
    "last_updated": ["Last Updated", "Updated", "Date Updated", "Update Date", "Last Reviewed",
                     "Last Update", "Last Updated Date", "Date of Last Update",
                     "Date Last Updated", "Updated On"],
    "action_status": ["Status", "State"],
}  # fmt: skip
ACTION_PREFIXES = ("action", "actions", "mitigation", "mitigating action", "mitigating actions")
# composite keys that are ordinary words, not score headers ("Initial" + "S")
_NOT_COMPOSITES = frozenset({"initials", "targets", "currents", "nets", "originals"})

_WORD = re.compile(r"[^\W_]+")
_BRACKETS = re.compile(r"\([^)]*\)|\[[^\]]*\]")


def header_key(text: str) -> str:
    """The matching key of a header: case-folded letters and digits only."""
    return "".join(_WORD.findall(text.casefold()))


class Match(NamedTuple):
    field: str
    priority: int


@dataclass(frozen=True)
class HeaderMatcher:
    """Maps header text to a field; built once per import from the config aliases."""

    table: Mapping[str, Match]
    action_context: Mapping[str, str]

    def match(self, text: str) -> Match | None:
        key = header_key(text)
        if not key:
            return None
        hit = self.table.get(key)
        if hit is None and ("(" in text or "[" in text):
            stripped = header_key(_BRACKETS.sub(" ", text))
            if stripped and stripped != key:
                hit = self.table.get(stripped)
        return hit

    def action_field(self, text: str) -> str | None:
        """The action field a bare header means on an Actions sheet ("Owner", "Status")."""
        return self.action_context.get(header_key(_BRACKETS.sub(" ", text)))


def canonical_field(name: str) -> str | None:
    """The canonical field for a name given in config (``due_date`` -> ``due``), or None."""
    key = name.strip().lower().replace("-", "_").replace(" ", "_")
    if key in HEADER_FIELDS:
        return key
    return FIELD_SYNONYMS.get(key)


def build_matcher(aliases: Mapping[str, Iterable[str]] | None = None) -> HeaderMatcher:
    """The header table: built-in variants plus ``[import.aliases]`` (which win)."""
    table: dict[str, Match] = {}

    def put(text: str, field: str, priority: int, *, override: bool = False) -> None:
        put_header(table, text, field, priority, override=override)

    for field, variants in _SPECIFIC.items():
        for v in variants:
            put(v, field, SPECIFIC)
    # composite score headers: "Residual Likelihood", "Inherent Risk Score",
    # "Likelihood (Current)", "Target Impact Score"
    for level, prefixes in _LEVEL_PREFIXES.items():
        for prefix in prefixes:
            put(f"{prefix} Risk", f"{level}_score", GENERIC)
            for part, suffixes in _PART_SUFFIXES.items():
                field = f"{level}_{part}"
                for suffix in suffixes:
                    put(f"{prefix} {suffix}", field, SPECIFIC)
                    put(f"{prefix} Risk {suffix}", field, SPECIFIC)
                    if len(header_key(suffix)) > 1:
                        put(f"{suffix} {prefix}", field, SPECIFIC)
                    if part != "score":
                        put(f"{prefix} {suffix} Score", field, SPECIFIC)
    for field, variants in _GENERIC.items():
        for v in variants:
            put(v, field, GENERIC)
    # bare level words ("Inherent", "Residual") hold the score in many registers
    for level, prefixes in _LEVEL_PREFIXES.items():
        for prefix in prefixes:
            put(prefix, f"{level}_score", GENERIC)
    put_action_headers(table)
    put_aliases(table, aliases, canonical_field, "import.aliases", HEADER_FIELDS)
    return HeaderMatcher(table=table, action_context=action_context_table())


def put_action_headers(table: dict[str, Match]) -> None:
    """ "Action Owner", "Mitigation Due Date"...: an action prefix and what follows it."""
    for field, rests in ACTION_CONTEXT.items():
        for rest in rests:
            for prefix in ACTION_PREFIXES:
                put_header(table, f"{prefix} {rest}", field, SPECIFIC)


def action_context_table() -> dict[str, str]:
    """Bare header key -> the action field it means on an Actions sheet."""
    context: dict[str, str] = {}
    for field, rests in ACTION_CONTEXT.items():
        for rest in rests:
            context.setdefault(header_key(rest), field)
    return context


def put_header(
    table: dict[str, Match], text: str, field: str, priority: int, *, override: bool = False
) -> None:
    """Add one header name to a table (a built-in name never replaces an earlier one;
    a user alias, ``override``, always does)."""
    if "(s)" in text:  # "Cause(s)": both "Cause" and "Causes"
        put_header(table, text.replace("(s)", ""), field, priority, override=override)
        text = text.replace("(s)", "s")
    key = header_key(text)
    if key in _NOT_COMPOSITES and not override:
        return
    if key and (override or key not in table):
        table[key] = Match(field, priority)


def put_aliases(
    table: dict[str, Match],
    aliases: Mapping[str, Iterable[str]] | None,
    canonical: Callable[[str], str | None],
    config_key: str,
    fields: Iterable[str],
) -> None:
    """The user's header names from ``config_key`` (they win over the built-in ones)."""
    for name, texts in (aliases or {}).items():
        target = canonical(name)
        if target is None:
            raise RiskboardError(
                f"{config_key}.{name}: unknown field", hint="fields: " + ", ".join(fields)
            )
        for text in texts:
            if not header_key(text):
                raise RiskboardError(f"{config_key}.{name}: {text!r} has no letters or digits")
            put_header(table, text, target, USER, override=True)
