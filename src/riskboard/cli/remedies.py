"""How the command line words what to do about an error (``RiskboardError.remedy``).

Services say what is wrong and give a remedy code, with the service arguments involved
in ``fields``; here they become flags (``review_by`` -> ``--review-by DATE``). The TUI
words the same codes as the form field to fill.
"""

from __future__ import annotations

from pathlib import Path

from riskboard.errors import Remedy, RiskboardError

# service argument -> how it is given on the command line
FLAGS: dict[str, str] = {
    "rationale": "--rationale TEXT",
    "review_by": "--review-by DATE",
    "strategy": "--strategy S",
    "reason": "--reason TEXT",
    "owner": "--owner NAME",
    "due": "--due DATE",
    "chair": "--chair NAME",
    "organisation": "--org contractor|directorate|corporate|other",
    "month": "--month YYYY-MM",
    "meeting_id": "--meeting ID",
    "email": "--email ADDRESS",
    "board_date": "--board-date DATE",
    "ce_ref": "--ce CE-REF",
}


def flags(fields: tuple[str, ...]) -> str:
    words = [FLAGS.get(f, "--" + f.replace("_", "-")) for f in fields]
    return " and ".join(words) if len(words) < 3 else ", ".join(words[:-1]) + " and " + words[-1]


def remedy_text(err: RiskboardError, config_source: Path | None = None) -> str | None:
    """What to do, worded for the command line; None when the message says it all."""
    match err.remedy:
        case Remedy.GIVE_FIELDS if err.fields:
            return f"give {flags(err.fields)}"
        case Remedy.RETYPE_TEXT:
            return "type it again as UTF-8 (is the terminal set to UTF-8?)"
        case Remedy.START_MEETING:
            return "start one with `riskboard meeting new --chair NAME`"
        case Remedy.OPEN_MEETING:
            return "open it with `riskboard meeting open`"
        case Remedy.IMPORT_REGISTER:
            return "run `riskboard import FILE.xlsx` (or `riskboard demo`) first"
        case Remedy.CHECK_DATABASE_PATH:
            where = (
                f"check paths.database in {config_source}"
                if config_source
                else "no config.toml here: give `riskboard --config PATH`"
            )
            return f"{where}, or create it with `riskboard import FILE.xlsx`"
        case Remedy.CLOSE_OTHER_PROGRAM:
            return "close it in the other program and run the command again"
        case Remedy.REPORT_FAULT:
            return "if the file opens in Excel, report this with the file attached"
        case _:
            return None


def error_line(err: RiskboardError, config_source: Path | None = None) -> str:
    """The one line printed for ``err`` (after "riskboard: error: ")."""
    text = str(err)
    extra = remedy_text(err, config_source)
    return f"{text} - {extra}" if extra else text
