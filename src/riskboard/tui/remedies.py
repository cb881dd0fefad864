"""How the meeting app words what to do about an error (``RiskboardError.remedy``).

The command line says ``give --rationale TEXT``; here the same remedy names the form
field to fill ("fill in Rationale and Review by") and the form puts the cursor there.
"""

from __future__ import annotations

from collections.abc import Mapping

from riskboard.errors import Remedy, RiskboardError


def field_label(name: str, labels: Mapping[str, str] | None = None) -> str:
    if labels and name in labels:
        return labels[name]
    return name.replace("_", " ").capitalize()


def error_text(err: RiskboardError, labels: Mapping[str, str] | None = None) -> str:
    """``err`` as one line for the app: what is wrong, then what to do here."""
    text = str(err)
    match err.remedy:
        case Remedy.GIVE_FIELDS if err.fields:
            named = [field_label(f, labels) for f in err.fields]
            return f"{text} - fill in {' and '.join(named)}"
        case Remedy.RETYPE_TEXT:
            return f"{text} - type it again"
        case Remedy.START_MEETING:
            return f"{text} - start a meeting first"
        case Remedy.OPEN_MEETING:
            return f"{text} - open the meeting first"
        case Remedy.IMPORT_REGISTER:
            return f"{text} - import a register first (riskboard import FILE.xlsx)"
        case Remedy.CHECK_DATABASE_PATH:
            return f"{text} - check paths.database in config.toml"
        case _:
            return text
