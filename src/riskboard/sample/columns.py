"""Export columns and the header wordings a generated workbook can use.

Field keys are the importer's canonical header fields (``riskboard.ingest.headers``):
risk fields as in ``domain.Risk`` plus the action fields ``action_ref``, ``action``,
``action_owner``, ``due``, ``progress``, ``last_updated`` and ``action_status``.
"""

from __future__ import annotations

RISK_COLUMNS: tuple[str, ...] = (
    "ref", "title", "description", "cause", "effect", "annex", "category", "owner",
    "inherent_likelihood", "inherent_impact", "inherent_score",
    "current_likelihood", "current_impact", "current_score",
    "target_likelihood", "target_impact", "target_score",
    "strategy", "status", "trend", "controls", "exposure",
    "early_warning_ref", "compensation_event_ref",
)  # fmt: skip
ACTION_COLUMNS: tuple[str, ...] = (
    "action_ref", "action", "action_owner", "due", "progress", "last_updated", "action_status",
)  # fmt: skip
# 18 risk + 7 action columns = the 25-column layout the import benchmark uses
COMPACT_RISK_COLUMNS: tuple[str, ...] = (
    "ref", "title", "description", "annex", "category", "owner",
    "inherent_score", "current_likelihood", "current_impact", "current_score",
    "target_likelihood", "target_impact", "target_score",
    "strategy", "status", "trend", "exposure", "early_warning_ref",
)  # fmt: skip

HEADERS: dict[str, str] = {
    "ref": "Risk Ref", "title": "Risk Title", "description": "Risk Description",
    "cause": "Cause", "effect": "Effect", "annex": "Service Annex", "category": "Category",
    "owner": "Risk Owner",
    "inherent_likelihood": "Inherent Likelihood", "inherent_impact": "Inherent Impact",
    "inherent_score": "Inherent Score",
    "current_likelihood": "Current Likelihood", "current_impact": "Current Impact",
    "current_score": "Current Score",
    "target_likelihood": "Target Likelihood", "target_impact": "Target Impact",
    "target_score": "Target Score",
    "strategy": "Strategy", "status": "Status", "trend": "Direction of Travel",
    "controls": "Controls", "exposure": "Estimated Cost", "early_warning_ref": "EW Ref",
    "compensation_event_ref": "CE Ref",
    "action_ref": "Action Ref", "action": "Action", "action_owner": "Action Owner",
    "due": "Due Date", "progress": "Progress", "last_updated": "Last Updated",
    "action_status": "Action Status",
}  # fmt: skip

# header wordings seen in real registers, all within DOMAIN.md's variants
HEADER_STYLES: dict[str, dict[str, str]] = {
    "iris": {},
    "alternative": {
        "ref": "Ref No", "title": "Title", "description": "Details", "cause": "Root cause",
        "effect": "Consequence", "annex": "Service Area", "category": "Risk Type",
        "owner": "Owner",
        "inherent_likelihood": "Gross Likelihood", "inherent_impact": "Gross Impact",
        "inherent_score": "Gross Score",
        "current_likelihood": "Residual Likelihood", "current_impact": "Residual Impact",
        "current_score": "Residual Score",
        "strategy": "Risk Response", "status": "Risk Status", "trend": "DoT",
        "exposure": "Financial impact", "early_warning_ref": "EWN no.",
        "action": "Mitigating Action", "action_owner": "Assigned to",
        "due": "Action Target Date", "progress": "Latest update",
        "last_updated": "Action Last Updated",
    },
    "multiline": {
        "ref": "Risk\nRef", "title": "Risk\nTitle", "description": "Risk\nDescription",
        "annex": "Service\nAnnex", "owner": "Risk\nOwner",
        "inherent_likelihood": "Inherent\nLikelihood", "inherent_impact": "Inherent\nImpact",
        "inherent_score": "Inherent\nScore",
        "current_likelihood": "Current\nLikelihood", "current_impact": "Current\nImpact",
        "current_score": "Current\nScore",
        "target_likelihood": "Target\nLikelihood", "target_impact": "Target\nImpact",
        "target_score": "Target\nScore",
        "trend": "Direction\nof Travel", "action_owner": "Action\nOwner",
        "due": "Action\nTarget Date", "last_updated": "Last\nUpdated",
        "action_status": "Action\nStatus",
    },
    "abbreviated": {
        "ref": "ID", "title": "Risk", "annex": "Workstream", "category": "Theme",
        "owner": "Lead",
        "inherent_likelihood": "Gross L", "inherent_impact": "Gross I",
        "inherent_score": "Gross Rating",
        "current_likelihood": "L", "current_impact": "I", "current_score": "Score",
        "target_likelihood": "Target L", "target_impact": "Target I",
        "target_score": "Target Rating",
        "strategy": "4T", "status": "State", "trend": "Trend", "exposure": "GBP impact",
        "early_warning_ref": "Early warning", "action": "Further action(s)",
        "action_owner": "Responsible officer", "due": "Deadline", "progress": "Commentary",
        "last_updated": "Date Updated",
    },
}  # fmt: skip

GROUPS: tuple[tuple[str, str], ...] = (
    ("inherent_", "Inherent Risk"),
    ("current_", "Current Risk"),
    ("target_", "Target Risk"),
)
