"""Write domain risks into the Excel shapes IRIS exports arrive in (openpyxl, write-only).

Shapes (see DOMAIN.md, "Shapes an export arrives in"):

- ``per_risk``: one row per risk, its action columns beside it. A risk with several
  actions has one line per action inside each action cell (same order in every
  action column; dates then become dd/mm/yyyy text lines, since a cell holds one date).
- ``per_action``: one row per action with the risk's columns repeated; a risk with no
  action has one row with the action cells empty.
- ``two_sheets``: a Risks sheet and an Actions sheet linked by the risk reference.

``split="sheets"`` puts each service annex on its own sheet (or pair of sheets);
``write_annex_files`` writes one file per annex. Options add what real exports carry:
a title block of merged cells above the header, header wording variants (including
line breaks), a merged group-header row, blank rows, footers, dates as Excel dates
or UK text, and no last-updated column. Strings that look like formulas
("=HYPERLINK(...)") are written as text cells, never as formulas.

Files are reproducible by default: the same input gives the same bytes (fixed zip
and document timestamps), so re-writing a file does not change its sha256.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Literal

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from riskboard.domain import Action, Risk
from riskboard.sample.columns import (
    ACTION_COLUMNS,
    COMPACT_RISK_COLUMNS,
    GROUPS,
    HEADER_STYLES,
    HEADERS,
    RISK_COLUMNS,
)
from riskboard.sample.data import report_date, uk
from riskboard.sample.raw_sheets import RawSheet, add_raw_sheet
from riskboard.sample.sheetxml import PendingRows, finish, probe_cells

__all__ = [
    "ACTION_COLUMNS",
    "COMPACT_RISK_COLUMNS",
    "HEADERS",
    "HEADER_STYLES",
    "RISK_COLUMNS",
    "annex_slug",
    "standard_footer",
    "standard_title_block",
    "write_annex_files",
    "write_workbook",
]

Shape = Literal["per_risk", "per_action", "two_sheets"]
Split = Literal["sheets"] | None
Footer = Callable[[Sequence[Risk]], list[str]]

_BOLD = Font(bold=True)
_WRAP = Alignment(wrap_text=True, vertical="top")


@dataclass(frozen=True)
class _Layout:
    """Everything about how a sheet looks, decided once per call."""

    risk_columns: tuple[str, ...]
    action_columns: tuple[str, ...]
    headers: dict[str, str]
    uk_text_dates: bool
    date_text_format: str
    title_block: tuple[str, ...]
    footer: tuple[str, ...] | Footer
    blank_rows: bool
    header_groups: bool
    # (risk title, column) -> the cell written instead of the risk's value: what a
    # contractor's export gets wrong ("High" in a score column)
    cells: Mapping[tuple[str, str], Any] = field(default_factory=dict)


def write_workbook(
    path: str | Path,
    risks: Sequence[Risk],
    *,
    shape: Shape = "per_action",
    split: Split = None,
    title_block: list[str] | None = None,
    footer: list[str] | Footer | None = None,
    headers: dict[str, str] | None = None,
    header_style: str = "iris",
    uk_text_dates: bool = False,
    date_text_format: str = "%d/%m/%Y",
    include_last_updated: bool = True,
    risk_columns: Sequence[str] | None = None,
    action_columns: Sequence[str] | None = None,
    annex_column: bool = True,
    blank_rows: bool = False,
    header_groups: bool = False,
    sheet_name: str = "Risk Register",
    cells: Mapping[tuple[str, str], Any] | None = None,
    extra_sheets: Sequence[RawSheet] = (),
) -> Path:
    """Write ``risks`` as one IRIS-like workbook and return its path.

    ``headers`` overrides header text per field on top of ``header_style`` (a key of
    ``HEADER_STYLES``). ``annex_column=False`` drops the annex column (the importer
    must then take the annex from the sheet or file name). ``title_block`` lines go
    above the header, each merged across the table; ``footer`` lines go below the data
    after a blank row; give a function (e.g. ``standard_footer``) to have it called with
    each sheet's risks ("Total risks: 42"). ``cells`` replaces the value written for a
    (risk title, column) - a band word in a score column, a date that cannot exist.
    ``extra_sheets`` go after the register's (an early warning register: a mixed workbook).
    """
    if header_style not in HEADER_STYLES:
        raise ValueError(f"unknown header_style {header_style!r}")
    rcols = tuple(risk_columns or RISK_COLUMNS)
    acols = tuple(action_columns or ACTION_COLUMNS)
    if not annex_column:
        rcols = tuple(c for c in rcols if c != "annex")
    if not include_last_updated:
        acols = tuple(c for c in acols if c != "last_updated")
    unknown = [c for c in (*rcols, *acols) if c not in HEADERS]
    if unknown:
        raise ValueError(f"unknown columns: {unknown}")
    layout = _Layout(
        risk_columns=rcols,
        action_columns=acols,
        headers={**HEADERS, **HEADER_STYLES[header_style], **(headers or {})},
        uk_text_dates=uk_text_dates,
        date_text_format=date_text_format,
        title_block=tuple(title_block or ()),
        footer=footer if callable(footer) else tuple(footer or ()),
        blank_rows=blank_rows,
        header_groups=header_groups,
        cells=dict(cells or {}),
    )
    groups: list[tuple[str, list[Risk]]]
    groups = _by_annex(risks) if split == "sheets" else [(sheet_name, list(risks))]
    wb = Workbook(write_only=True)
    pending: list[PendingRows] = []
    for name, group in groups:
        if shape == "two_sheets":
            prefix = "" if split is None else f"{name} "
            pending.append(_write_sheet(wb, f"{prefix}Risks", group, layout, "risks"))
            pending.append(_write_sheet(wb, f"{prefix}Actions", group, layout, "actions"))
        else:
            pending.append(_write_sheet(wb, name, group, layout, shape))
    pending.extend(add_raw_sheet(wb, raw) for raw in extra_sheets)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    buf = io.BytesIO()
    wb.save(buf)
    finish(buf.getvalue(), pending, path)
    return path


def write_annex_files(
    folder: str | Path,
    risks: Sequence[Risk],
    *,
    file_name: str = "IRIS_{annex_}_{month}.xlsx",
    month: str | None = None,
    **options: Any,
) -> list[Path]:
    """One workbook per service annex in ``folder``; returns the paths in annex order.

    ``file_name`` placeholders: ``{annex}`` (name as written), ``{annex_}`` (name with
    underscores, "&" as "and"), ``{code}`` (reference prefix), ``{month}`` (YYYY-MM)
    ``{mon}`` (e.g. Aug2022) and ``{month_name}`` (e.g. August 2022). Other options are
    ``write_workbook``'s.
    """
    out = []
    for annex, group in _by_annex(risks):
        run = report_date(month) if month else None
        name = file_name.format(
            annex=annex,
            annex_=annex_slug(annex),
            code=group[0].ref.split("-")[0],
            month=month or "",
            mon=run.strftime("%b%Y") if run else "",
            month_name=run.strftime("%B %Y") if run else "",
        )
        opts = {"sheet_name": annex, **options}
        out.append(write_workbook(Path(folder) / name, group, **opts))
    return out


def annex_slug(annex: str) -> str:
    """The annex as a file-name part: "Bridges & Structures" -> Bridges_and_Structures."""
    return re.sub(r"[^A-Za-z0-9]+", "_", annex.replace("&", "and")).strip("_")


def standard_title_block(
    month: str, *, title: str = "IRIS Risk Register", subtitle: str | None = None
) -> list[str]:
    """The lines IRIS prints above a report: title, contract, "Report run: dd/mm/yyyy"."""
    lines = [title, subtitle or "Highways & Public Realm Contract – Joint Risk Register"]
    lines.append(f"Report run: {uk(report_date(month))}")
    return lines


def standard_footer(risks: Sequence[Risk]) -> list[str]:
    return [f"Total risks: {len(risks)}", "End of report"]


# ----------------------------------------------------------------------------- sheets


def _write_sheet(
    wb: Workbook, title: str, risks: list[Risk], layout: _Layout, kind: str
) -> PendingRows:
    """Write the sheet's title block and header with openpyxl; the rows come later."""
    ws: WriteOnlyWorksheet = wb.create_sheet(_sheet_title(title))
    if kind == "risks":
        columns = layout.risk_columns
    elif kind == "actions":
        columns = ("ref", *layout.action_columns)
    else:
        columns = (*layout.risk_columns, *layout.action_columns)
    width = len(columns)
    for i, col in enumerate(columns, 1):
        ws.column_dimensions[get_column_letter(i)].width = 40 if col in _WIDE else 14
    row = 0
    for line in layout.title_block:
        row += 1
        cell = WriteOnlyCell(ws, line)
        cell.font = _BOLD
        ws.append([cell])
        ws.merged_cells.add(f"A{row}:{get_column_letter(width)}{row}")
    if layout.title_block:
        ws.append([])
        row += 1
    if layout.header_groups:
        row += 1
        ws.append(_group_row(ws, columns, row))
    ws.append([_header_cell(ws, layout.headers[c]) for c in columns])
    row += 1
    ws.append(probe_cells(ws))
    row += 1
    rows: Iterator[list[Any]]
    if kind == "risks":
        rows = _risk_rows(risks, columns, layout)
    elif kind == "actions":
        rows = _action_rows(risks, columns, layout)
    elif kind == "per_risk":
        rows = _per_risk_rows(risks, columns, layout)
    else:
        rows = _per_action_rows(risks, columns, layout)
    footer = layout.footer(risks) if callable(layout.footer) else layout.footer
    return PendingRows(len(wb.worksheets), row, rows, tuple(footer))


def _group_row(ws: WriteOnlyWorksheet, columns: tuple[str, ...], row: int) -> list[Any]:
    """Merged labels over the inherent/current/target score columns and the actions."""
    labels: list[str | None] = []
    for col in columns:
        label = None
        for prefix, text in GROUPS:
            if col.startswith(prefix):
                label = text
        if col in ACTION_COLUMNS:
            label = "Actions"
        labels.append(label)
    start = 0
    while start < len(labels):
        end = start
        while end + 1 < len(labels) and labels[end + 1] == labels[start]:
            end += 1
        if labels[start] and end > start:
            ws.merged_cells.add(
                f"{get_column_letter(start + 1)}{row}:{get_column_letter(end + 1)}{row}"
            )
        start = end + 1
    out: list[Any] = []
    previous = None
    for label in labels:
        out.append(_header_cell(ws, label) if label and label != previous else None)
        previous = label
    return out


_WIDE = {"title", "description", "cause", "effect", "action", "progress", "controls"}


def _header_cell(ws: WriteOnlyWorksheet, text: str) -> WriteOnlyCell:
    cell = WriteOnlyCell(ws, text)
    cell.font = _BOLD
    cell.alignment = _WRAP
    return cell


# ----------------------------------------------------------------------------- rows

Getter = Callable[[Risk, Action | None], Any]


def _getter(column: str, layout: _Layout | None = None) -> Getter:
    plain = _plain_getter(column)
    overrides = {t: v for (t, c), v in (layout.cells if layout else {}).items() if c == column}
    if not overrides:
        return plain
    return lambda r, a: overrides[r.title] if r.title in overrides else plain(r, a)


def _plain_getter(column: str) -> Getter:
    if column == "strategy":
        return lambda r, a: r.strategy_text
    if column in {"action_ref", "due", "progress", "last_updated"}:
        return lambda r, a: getattr(a, column) if a else None
    if column in {"action", "action_owner", "action_status"}:
        attr = {"action": "text", "action_owner": "owner", "action_status": "status"}[column]
        return lambda r, a: getattr(a, attr) if a else None
    return lambda r, a: getattr(r, column)


def _by_annex(risks: Iterable[Risk]) -> list[tuple[str, list[Risk]]]:
    groups: dict[str, list[Risk]] = {}
    for r in risks:
        groups.setdefault(r.annex or "Unassigned", []).append(r)
    return list(groups.items())


def _blank_between(layout: _Layout, previous: Risk | None, risk: Risk, count: int) -> bool:
    if not layout.blank_rows or previous is None:
        return False
    return previous.annex != risk.annex or count % 10 == 0


def _risk_rows(risks: list[Risk], columns: tuple[str, ...], layout: _Layout) -> Iterator[list]:
    getters = [_getter(c, layout) for c in columns]
    previous = None
    for n, risk in enumerate(risks):
        if _blank_between(layout, previous, risk, n):
            yield []
        yield [_value(g(risk, None), layout) for g in getters]
        previous = risk


def _per_action_rows(
    risks: list[Risk], columns: tuple[str, ...], layout: _Layout
) -> Iterator[list]:
    getters = [_getter(c, layout) for c in columns]
    previous = None
    for n, risk in enumerate(risks):
        if _blank_between(layout, previous, risk, n):
            yield []
        actions: list[Action | None] = [*risk.actions] or [None]
        for action in actions:
            yield [_value(g(risk, action), layout) for g in getters]
        previous = risk


def _action_rows(risks: list[Risk], columns: tuple[str, ...], layout: _Layout) -> Iterator[list]:
    getters = [_getter(c, layout) for c in columns]
    for risk in risks:
        for action in risk.actions:
            yield [_value(g(risk, action), layout) for g in getters]


def _per_risk_rows(risks: list[Risk], columns: tuple[str, ...], layout: _Layout) -> Iterator[list]:
    getters = [(c, _getter(c, layout)) for c in columns]
    previous = None
    for n, risk in enumerate(risks):
        if _blank_between(layout, previous, risk, n):
            yield []
        row = []
        for column, g in getters:
            if column in ACTION_COLUMNS and len(risk.actions) > 1:
                lines = [g(risk, a) for a in risk.actions]
                row.append("\n".join(_text(v, layout.date_text_format) for v in lines))
            else:
                row.append(_value(g(risk, risk.actions[0] if risk.actions else None), layout))
        yield row
        previous = risk


def _text(value: Any, fmt: str) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.strftime(fmt)
    return str(value)


def _value(value: Any, layout: _Layout) -> Any:
    if isinstance(value, date) and layout.uk_text_dates:
        return value.strftime(layout.date_text_format)
    return value


def _sheet_title(name: str) -> str:
    return re.sub(r"[\[\]:*?/\\]", "-", name)[:31]
