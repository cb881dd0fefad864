"""Early warning register workbooks for the tests, built in code (never binaries), and a
small risk register to sit beside them."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from workbooks import write_xlsx

EW_HEADER = [
    "EW Ref", "Date notified", "Notified by", "Description of matter", "Linked risk",
    "Actions to avoid or reduce", "Owner", "Date", "Meeting date", "Decision", "Status", "CE ref",
]  # fmt: skip
TITLE = ["NEC4 Early Warning Register", "Reporting period: August 2022", None]


def ew_row(
    ref: str,
    *,
    notified: Any = "04/08/2022",
    by: str = "Contractor",
    matter: str | None = None,
    risk: str | None = "HM-001",
    action: str | None = "Agree a recovery plan",
    owner: str | None = "Ann Able",
    due: Any = "30/09/2022",
    meeting: Any = None,
    decision: str | None = None,
    status: str | None = "Open",
    ce: str | None = None,
) -> list[Any]:
    return [ref, notified, by, matter or f"Matter of {ref}", risk, action, owner, due, meeting,
            decision, status, ce]  # fmt: skip


def ew_sheet(rows: Sequence[Sequence[Any]], *, title: bool = True) -> list[list[Any]]:
    return [*([[t] for t in TITLE] if title else []), EW_HEADER, *[list(r) for r in rows]]


RISK_HEADER = [
    "Risk Ref", "Risk Title", "Likelihood", "Impact", "Strategy", "Status", "Estimated cost",
    "EW ref", "Action", "Action Owner", "Due Date", "Last Updated",
]  # fmt: skip


def risk_row(
    ref: str,
    *,
    title: str | None = None,
    status: str = "Open",
    exposure: Any = None,
    ew: str | None = None,
    updated: str = "15/08/2022",
) -> list[Any]:
    return [ref, title or f"Risk {ref}", 3, 3, "Treat", status, exposure, ew,
            f"Mitigate {ref}", "Bob Bee", "30/12/2022", updated]  # fmt: skip


def risk_sheet(rows: Sequence[Sequence[Any]]) -> list[list[Any]]:
    return [["IRIS Risk Register"], ["Report run: 31/08/2022"], [], RISK_HEADER, *rows]


def write_register(
    path: Path,
    *,
    risks: Sequence[Sequence[Any]] | None = None,
    ews: Sequence[Sequence[Any]] | None = None,
    ew_sheet_name: str = "Early Warnings",
) -> Path:
    """A workbook with a risk register sheet, an early warning sheet, or both."""
    sheets: dict[str, Any] = {}
    if risks is not None:
        sheets["Risk Register"] = risk_sheet(risks)
    if ews is not None:
        sheets[ew_sheet_name] = ew_sheet(ews)
    return write_xlsx(path, sheets)
