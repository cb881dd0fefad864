"""Minutes, action log, register transfers and reports."""
