"""The one bridge from the command line to the Textual app.

import-linter allows exactly this edge (cli.tui -> tui.app); every other CLI module
stays free of textual, so scripts and the scheduler never load it.
"""

from __future__ import annotations

from riskboard.config import Config


def launch_meeting(config: Config) -> int:
    """Open the meeting TUI; returns the process exit code."""
    from riskboard.tui.app import run

    return run(config)
