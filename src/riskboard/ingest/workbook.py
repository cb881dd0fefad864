"""One export file -> its risks (and early warnings), header mapping, board month and
warnings.

``parse_workbook`` is the whole ingest pipeline and writes nothing: the importer
stores its result, ``--dry-run`` prints it. A workbook may hold a risk register, an
NEC early warning register (``ew_sheets`` decides which sheet is which), or both.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import cast

from riskboard.config import Config
from riskboard.domain import Risk
from riskboard.early_warning import EarlyWarning
from riskboard.errors import RiskboardError
from riskboard.ingest.cells import action_converters, risk_converters
from riskboard.ingest.ew_headers import build_ew_matcher
from riskboard.ingest.ew_sheets import (
    EW,
    EwRole,
    classify_sheet,
    ew_converters,
    resolve_ew_columns,
    shown_mapping,
)
from riskboard.ingest.headers import HeaderMatcher, build_matcher
from riskboard.ingest.layout import (
    HEADER_SCAN_ROWS,
    Role,
    SheetLayout,
    detect_layout,
    fill_merged,
    is_actions_candidate,
    resolve_columns,
)
from riskboard.ingest.month import decide_month, period_labels, report_date_in_title
from riskboard.ingest.names import read_annex_name
from riskboard.ingest.reader import Sheet, WorkbookReader
from riskboard.ingest.shapes import Assembler
from riskboard.ingest.warning_log import Warnings
from riskboard.safe_text import strip_controls
from riskboard.speed import gc_paused


@dataclass
class SheetReport:
    """How one sheet was read."""

    name: str
    role: str  # "risks", "actions", "early warnings" or "early warning actions"
    header_row: int  # Excel row number of the header (the lower row of a two-row header)
    mapping: dict[str, str | None]  # header -> field, None when not used
    rows: int = 0
    actions: int = 0

    @property
    def unmapped(self) -> list[str]:
        return [h for h, f in self.mapping.items() if f is None]


@dataclass
class ParsedWorkbook:
    file_name: str
    month: str
    month_source: str
    report_date: date | None
    risks: list[Risk]
    sheets: list[SheetReport]
    warnings: list[str] = field(default_factory=list)  # every row skipped named
    brief_warnings: list[str] = field(default_factory=list)  # rows skipped capped
    unreadable_count: int = 0  # cells that held something that could not be read
    month_evidence: list[str] = field(default_factory=list)  # every month source seen
    early_warnings: list[EarlyWarning] = field(default_factory=list)

    @property
    def action_count(self) -> int:
        return sum(len(r.actions) for r in self.risks)

    @property
    def ew_action_count(self) -> int:
        return sum(len(e.actions) for e in self.early_warnings)


def parse_workbook(
    path: Path,
    config: Config,
    *,
    month: str | None = None,
    matcher: HeaderMatcher | None = None,
    ew_matcher: HeaderMatcher | None = None,
) -> ParsedWorkbook:
    """Read ``path`` and assemble its risks and early warnings. Refuses (RiskboardError
    naming file, sheet, row, column) anything that is not a readable IRIS-style risk
    register or NEC early warning register."""
    matcher = matcher or build_matcher(config.import_.aliases)
    ew_matcher = ew_matcher or build_ew_matcher(config.import_.early_warning_aliases)
    name = path.name
    warnings = Warnings()
    with WorkbookReader(
        path,
        max_uncompressed_mb=config.import_.max_uncompressed_mb,
        max_cells=config.import_.max_cells,
        max_text_mb=config.import_.max_text_mb,
    ) as wb:
        if wb.container.mismatch:
            warnings.note(f"the file is {wb.container.mismatch}; read as what it is")
        if wb.container.kind == "xls":
            warnings.note(
                "old .xls format: riskboard cannot see Excel error values (#N/A, #REF!) or"
                " unsaved formula results in it - they read as blank cells; save the export"
                " as .xlsx so they show as values that could not be read"
            )
        for sheet_name, why in wb.skipped:
            warnings.note(f"sheet {sheet_name!r}: not read ({why})")
        sheets = [wb.read(n) for n in wb.sheet_names]
        date1904 = wb.date1904
    layouts: list[tuple[Sheet, SheetLayout]] = []
    ew_layouts: list[tuple[Sheet, SheetLayout, EwRole]] = []
    rejected: list[tuple[Sheet, SheetLayout | None]] = []
    for sheet in sheets:
        if not sheet.rows or all(v == "" for row in sheet.rows for v in row):
            continue
        fill_merged(sheet)
        layout = detect_layout(sheet, matcher)
        ew_layout = detect_layout(sheet, ew_matcher)
        role = classify_sheet(sheet.name, layout, ew_layout)
        if role is not None and ew_layout is not None:
            ew_layouts.append((sheet, ew_layout, role))
        elif layout is not None and layout.has_ref and len(layout.fields()) >= 2:
            layouts.append((sheet, layout))
        else:
            rejected.append((sheet, layout))
    if not any(role == "early_warnings" for *_, role in ew_layouts):
        for sheet, _lay, _role in ew_layouts:  # an EW actions sheet with no register
            warnings.note(
                f"sheet {sheet.name!r}: not read (actions of early warnings, but no early"
                " warning register sheet in the workbook)"
            )
        ew_layouts = []
    if not layouts and not ew_layouts:
        raise _no_table(name, sheets, rejected)
    for sheet, _layout in rejected:
        warnings.note(
            f"sheet {sheet.name!r}: not read (no risk or early warning reference column found)"
        )

    file_annex, annex_doubt = read_annex_name(strip_controls(path.stem))
    if annex_doubt:
        warnings.note(annex_doubt)
    assembler = Assembler(
        name,
        warnings,
        file_annex=file_annex,
        risk_converters=risk_converters(config.scoring),
        action_converters=action_converters(date1904),
        date1904=date1904,
    )
    ew_assembler = Assembler(
        name,
        warnings,
        file_annex=None,
        risk_converters=ew_converters(date1904),
        action_converters=action_converters(date1904),
        date1904=date1904,
        kind=EW,
    )
    with gc_paused():
        return _assemble(
            (assembler, matcher, layouts), (ew_assembler, ew_matcher, ew_layouts),
            name, month, warnings, sheets, config.import_.run_date_grace_days,
        )  # fmt: skip


def _assemble(
    risk_part: tuple[Assembler, HeaderMatcher, list[tuple[Sheet, SheetLayout]]],
    ew_part: tuple[Assembler, HeaderMatcher, list[tuple[Sheet, SheetLayout, EwRole]]],
    name: str,
    month: str | None,
    warnings: Warnings,
    sheets: list[Sheet],
    grace_days: int,
) -> ParsedWorkbook:
    assembler, matcher, layouts = risk_part
    ew_assembler, ew_matcher, ew_layouts = ew_part
    reports: list[SheetReport] = []
    risks = _read_risks(assembler, matcher, layouts, warnings, reports) if layouts else []
    ews = _read_early_warnings(ew_assembler, ew_matcher, ew_layouts, warnings, reports)
    if layouts and not risks:
        sheet, layout = layouts[0]
        if not ews:
            raise RiskboardError(
                f"no risks found below the header on row {layout.header_row + 1}",
                file=name,
                sheet=sheet.name,
                row=layout.header_row + 2,
            )
        warnings.note(
            f"sheet {sheet.name!r}: no risks below the header on row {layout.header_row + 1}"
        )
    registers = [(s, lay) for s, lay, role in ew_layouts if role == "early_warnings"]
    if registers and not ews:
        sheet, layout = registers[0]
        if not risks:
            raise RiskboardError(
                f"no early warnings found below the header on row {layout.header_row + 1}",
                file=name,
                sheet=sheet.name,
                row=layout.header_row + 2,
            )
        warnings.note(
            f"sheet {sheet.name!r}: no early warnings below the header on row"
            f" {layout.header_row + 1}"
        )

    used = [*layouts, *((s, lay) for s, lay, _ in ew_layouts)]
    report_dates = [
        d
        for sheet, layout in used
        if (d := report_date_in_title(sheet.rows[: layout.first_header_row])) is not None
    ]
    report_date = max(report_dates) if report_dates else None
    periods = [
        found
        for sheet, layout in used
        for found in period_labels(sheet.rows[: layout.first_header_row])
    ]
    decision = decide_month(
        month,
        list(dict.fromkeys(periods)),
        report_date,
        name,
        grace_days=grace_days,
    )
    for note in decision.warnings:
        warnings.note(note)
    reports.sort(key=lambda rep: [s.name for s in sheets].index(rep.name))
    return ParsedWorkbook(
        file_name=name,
        month=decision.month,
        month_source=decision.source,
        month_evidence=decision.evidence,
        report_date=report_date,
        risks=risks,
        sheets=reports,
        warnings=warnings.messages(),
        brief_warnings=warnings.brief(),
        unreadable_count=assembler.unreadable_count + ew_assembler.unreadable_count,
        early_warnings=ews,
    )


def _read_risks(
    assembler: Assembler,
    matcher: HeaderMatcher,
    layouts: list[tuple[Sheet, SheetLayout]],
    warnings: Warnings,
    reports: list[SheetReport],
) -> list[Risk]:
    candidates = {id(lay) for _, lay in layouts if is_actions_candidate(lay)}
    has_risk_sheet = any(id(lay) not in candidates for _, lay in layouts)
    ordered = sorted(layouts, key=lambda sl: has_risk_sheet and id(sl[1]) in candidates)
    for sheet, layout in ordered:
        role: Role = "actions" if has_risk_sheet and id(layout) in candidates else "risks"
        resolve_columns(layout, role, matcher, sheet.rows)
        for note in layout.notes:
            warnings.note(f"sheet {sheet.name!r}: {note}")
        if role == "risks":
            read, actions = assembler.add_risk_sheet(sheet, layout)
        else:
            read, actions = assembler.add_action_sheet(sheet, layout)
        reports.append(
            SheetReport(sheet.name, role, layout.header_row + 1, layout.mapping(), read, actions)
        )
    return cast("list[Risk]", assembler.finish())


def _read_early_warnings(
    assembler: Assembler,
    matcher: HeaderMatcher,
    layouts: list[tuple[Sheet, SheetLayout, EwRole]],
    warnings: Warnings,
    reports: list[SheetReport],
) -> list[EarlyWarning]:
    """The early warning register's sheets: the register first, then its actions sheet."""
    if not layouts:
        return []
    for sheet, layout, role in sorted(layouts, key=lambda x: x[2] == "ew_actions"):
        resolve_ew_columns(layout, role, matcher, sheet.rows)
        for note in layout.notes:
            warnings.note(f"sheet {sheet.name!r}: {note}")
        if role == "early_warnings":
            read, actions = assembler.add_risk_sheet(sheet, layout)
            shown = "early warnings"
        else:
            read, actions = assembler.add_action_sheet(sheet, layout)
            shown = "early warning actions"
        reports.append(
            SheetReport(
                sheet.name, shown, layout.header_row + 1, shown_mapping(layout.mapping()),
                read, actions,
            )
        )  # fmt: skip
    return cast("list[EarlyWarning]", assembler.finish())


def _no_table(
    name: str, sheets: list[Sheet], rejected: list[tuple[Sheet, SheetLayout | None]]
) -> RiskboardError:
    if not sheets or all(all(v == "" for row in s.rows for v in row) for s in sheets):
        return RiskboardError("the workbook is empty: no cells in any sheet", file=name)
    seen_layouts = [(s, lay) for s, lay in rejected if lay is not None]
    best = max(seen_layouts, key=lambda pair: len(pair[1].fields()), default=None)
    hint = (
        "if the reference column has another name, add it under [import.aliases] in"
        ' config.toml, e.g. ref = ["Risk Number (IRIS)"] (for an early warning register:'
        " [import.early_warning_aliases])"
    )
    if best is None:
        return RiskboardError(
            f"no recognisable risk reference or title columns in the first {HEADER_SCAN_ROWS}"
            " rows of any sheet (nor an early warning register's)",
            file=name,
            hint=hint,
        )
    sheet, layout = best
    seen = ", ".join(repr(c.header) for c in layout.columns[:12])
    found = sorted(layout.fields())
    if layout.has_ref:
        # the reference was found, but nothing else: one column is not a register
        return RiskboardError(
            f"only a risk reference column was recognised ({', '.join(found)}); a register"
            f" needs at least one more (title, owner, score, action...); headers seen: {seen}",
            file=name,
            sheet=sheet.name,
            row=layout.header_row + 1,
            hint="if the other columns have other names, add them under [import.aliases]"
            ' in config.toml, e.g. title = ["Risk Name"]',
        )
    what = "reference column" if found else "reference or title columns"
    return RiskboardError(
        f"no recognisable risk {what}; headers seen: {seen}"
        + (f" (recognised: {', '.join(found)})" if found else ""),
        file=name,
        sheet=sheet.name,
        row=layout.header_row + 1,
        hint=hint,
    )
