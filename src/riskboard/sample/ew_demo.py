"""The demo's NEC early warning register: July's as a sheet of the July risk export (a
mixed workbook), August's as its own file - with every case the board should see.

Most early warnings are the ones the generated risks name in their "EW Ref" column,
linked back to them and decided at the contract's early warning meeting of 28 July. On
top of those, written out here so the August register always holds each case:

- a link the two registers disagree on (``ew_link_mismatch``, both directions);
- one never decided since March (``ew_undecided``), one whose action date has passed
  (``ew_action_overdue``), one linked to a risk closed in August (``ew_risk_closed``);
- council early warnings over gainshare and out-of-scope work, with no risk on the
  register (``ew_no_linked_risk``) - new since the last meeting;
- a date notified that cannot be read (``unreadable_value``);
- one open in July left off August's register (``ew_missing_from_register``);
- one removed and those that became compensation events (never flagged).

Deterministic: the same register every time (the demo's files are byte-identical).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from riskboard.domain import Risk
from riskboard.sample.data import report_date, uk
from riskboard.sample.raw_sheets import RawSheet

EW_MONTHS = ("2022-07", "2022-08")
# the contract's early warning meetings before each register was run
EW_MEETINGS = {"2022-07": date(2022, 7, 12), "2022-08": date(2022, 7, 28)}
CLOSED_RISK_TITLE = "Café kiosk lease income shortfall – Riverside Park"
CLOSED_RISK_EW = "EW-062"
ACTION_DUE = date(2022, 9, 30)
# early warnings the story risks name (``stories``): the Salt stock story's is decided at
# the previous meeting (``board_history``)
STORY_EWS = frozenset({"EW-017", CLOSED_RISK_EW})
BOARD_DECIDED_EW = "EW-017"
MISSING_EW = "EW-058"  # on July's register only


@dataclass
class DemoEw:
    ref: str
    notified: date | str
    notified_by: str
    matter: str
    linked_risk: str | None
    actions: list[tuple[str, str, date | str]]  # text, owner, date
    status: str = "Open"
    meeting: date | None = None
    decision: str | None = None
    ce_ref: str | None = None


def _first_seen(register: Mapping[str, Sequence[Risk]]) -> dict[str, str]:
    """EW ref -> the first month a risk named it."""
    seen: dict[str, str] = {}
    for month in sorted(register):
        for r in register[month]:
            if r.early_warning_ref:
                seen.setdefault(r.early_warning_ref, month)
    return seen


def _notified(ref: str, month: str) -> date:
    number = int(ref.rsplit("-", 1)[-1])
    return date(int(month[:4]), int(month[5:7]), 2 + number % 20)


def demo_early_warnings(register: Mapping[str, Sequence[Risk]]) -> dict[str, list[DemoEw]]:
    """``{month: early warnings}`` for ``EW_MONTHS``, from the demo's risk register."""
    first = _first_seen(register)
    out: dict[str, list[DemoEw]] = {}
    for month in EW_MONTHS:
        meeting = EW_MEETINGS[month]
        ews: list[DemoEw] = []
        for risk in sorted(register[month], key=lambda r: r.early_warning_ref or ""):
            ref = risk.early_warning_ref
            if not ref or ref == CLOSED_RISK_EW:
                continue
            number = int(ref.rsplit("-", 1)[-1])
            ew = DemoEw(
                ref=ref,
                notified=_notified(ref, first[ref]),
                notified_by="Contractor" if number % 2 else "Service Manager",
                matter=f"{risk.title}: could increase the Prices or delay the programme",
                linked_risk=risk.ref,
                actions=[("Agree a recovery plan at the risk reduction meeting",
                          risk.owner or "Contract Manager", ACTION_DUE)],
                meeting=meeting,
                decision="Keep open: actions reviewed",
            )  # fmt: skip
            if risk.compensation_event_ref:
                ew.status, ew.ce_ref = "Became CE", risk.compensation_event_ref
                ew.decision = "Notified as a compensation event"
            elif risk.is_closed():
                ew.status, ew.decision = "Removed", "Remove: the risk was closed"
            ews.append(ew)
        _cases(month, ews, register[month])
        out[month] = sorted(ews, key=lambda e: e.ref)
    return out


def _cases(month: str, ews: list[DemoEw], risks: Sequence[Risk]) -> None:
    """The written-out cases (see the module doc)."""
    # the generated early warnings (the story risks' own stay as their stories tell)
    live = [e for e in ews if e.status == "Open" and e.ref not in STORY_EWS]
    by_title = {r.title: r for r in risks}
    closed = by_title.get(CLOSED_RISK_TITLE)
    if closed is not None:  # the risk is closed in August; its early warning is not
        ews.append(
            DemoEw(CLOSED_RISK_EW, date(2022, 3, 16), "Contractor",
                   "Lease income from the Riverside Park café kiosk below the annex forecast",
                   closed.ref, [("Re-let the kiosk on revised terms", "Parks Manager",
                                 ACTION_DUE)], meeting=EW_MEETINGS[month],
                   decision="Keep open: re-letting under way")
        )  # fmt: skip
    live[2].meeting, live[2].decision = None, None  # never decided since it was notified
    if month == "2022-07":
        # open in July, left off August's register without being removed
        # (``ew_missing_from_register``)
        ews.append(
            DemoEw(MISSING_EW, date(2022, 6, 20), "Contractor",
                   "Traffic signal maintenance backlog: could delay the Key Date for the"
                   " junction upgrades", _named(risks, "Traffic Management"),
                   [("Agree a catch-up programme", "Traffic Signals Engineer", ACTION_DUE)],
                   meeting=EW_MEETINGS[month], decision="Keep open: programme awaited")
        )  # fmt: skip
        return
    live[0].linked_risk = live[1].linked_risk  # the registers disagree on this link
    live[3].actions = [("Survey the affected sites", "Operations Manager", date(2022, 7, 29)),
                       *live[3].actions]  # fmt: skip
    live[4].status, live[4].decision = "Removed", "Remove: works complete, matter resolved"
    ews += [
        DemoEw("EW-060", date(2022, 8, 3), "Service Manager",
               "Gainshare calculation for 2021/22 disputed by the Contractor", None,
               [("Issue the Council's calculation and evidence", "Contract Client Manager",
                 date(2022, 9, 9))]),
        DemoEw("EW-061", date(2022, 8, 18), "Service Manager",
               "Out-of-scope gully works instructed outside the Drainage annex", "DR-099",
               [("Confirm the instruction route for out-of-scope work", "Head of Highways",
                 ACTION_DUE)]),
        DemoEw("EW-063", "w/c 15 Aug", "Contractor",
               "Lantern supply shortfall: part-night lighting conversions at risk",
               _named(risks, "Street Lighting"),
               [("Source alternative lanterns", "Street Lighting Manager", ACTION_DUE)]),
    ]  # fmt: skip


def _named(risks: Sequence[Risk], annex: str) -> str | None:
    """The first open risk of ``annex`` naming no early warning (a link only the early
    warning register makes)."""
    for r in sorted(risks, key=lambda r: r.ref):
        if r.annex == annex and not r.early_warning_ref and not r.is_closed():
            return r.ref
    return None


def _cell(value: date | str | None, text_dates: bool) -> Any:
    if isinstance(value, date) and text_dates:
        return uk(value)
    return value


JULY_HEADER = (
    "EW No.", "Date Notified", "Notified By", "Description of Matter", "Linked Risk Ref",
    "Action(s) to avoid or reduce", "Action Owner", "Action Date", "EW Meeting Date",
    "Decision", "Status", "CE No",
)  # fmt: skip
AUGUST_HEADER = (
    "EW Ref", "Date notified", "Notified by", "Matter", "Linked risk", "Actions", "Owner",
    "Date", "Meeting date", "Decision", "Status", "CE ref",
)  # fmt: skip


def ew_sheet(month: str, ews: Sequence[DemoEw], *, name: str, text_dates: bool) -> RawSheet:
    """The register as the contractor's export lays it out: one row per action, the early
    warning's columns repeated on each."""
    rows = []
    for e in ews:
        for text, owner, due in e.actions or [("", "", None)]:  # type: ignore[list-item]
            rows.append(
                (e.ref, _cell(e.notified, text_dates), e.notified_by, e.matter, e.linked_risk,
                 text or None, owner or None, _cell(due, text_dates),
                 _cell(e.meeting, text_dates), e.decision, e.status, e.ce_ref)
            )  # fmt: skip
    run = report_date(month)
    title = ["NEC4 Early Warning Register",
             "Highways & Public Realm Contract – Early Warning Register (clause 15)"]  # fmt: skip
    if month == "2022-08":
        title.append(f"Reporting period: {run:%B %Y}")
    title.append(f"Report run: {uk(run)}")
    return RawSheet(
        name=name,
        header=JULY_HEADER if month == "2022-07" else AUGUST_HEADER,
        rows=tuple(rows),
        title_block=tuple(title),
        footer=(f"Total early warnings: {len(ews)}",),
    )
