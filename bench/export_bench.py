"""Minutes of a meeting that reviewed 200 risks, with a 5,000-risk register in the Risk
Log: docx and xlsx each timed (target: under 3 s), beside the time openpyxl's
write-only mode takes to write the same cells with no styling; plus md, the register
transfer and the monthly report.

Run: ``.venv/bin/python bench/export_bench.py`` (or ``make bench``). Prints figures;
never fails on a slow result.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from openpyxl import Workbook

from riskboard import board
from riskboard.config import Config
from riskboard.reports.minutes import load_minutes
from riskboard.reports.minutes_docx import write_docx
from riskboard.reports.minutes_md import write_md
from riskboard.reports.minutes_xlsx import risk_log_rows, write_minutes_xlsx
from riskboard.reports.monthly_report import export_report
from riskboard.reports.register_transfer import export_register
from riskboard.sample.data import generate_register
from riskboard.store import open_db
from riskboard.store.register import ImportRecord, save_import

MONTHS = ["2026-02", "2026-03"]
RISKS_PER_ANNEX = 625  # x 8 annexes = 5,000 risks
REVIEWED = 200
TARGET_S = 3.0


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def build(folder: Path) -> tuple[Any, Config, int]:
    config = Config().resolve(folder)
    db = open_db(folder / "riskboard.db")
    registers = generate_register(MONTHS, RISKS_PER_ANNEX, seed=7)
    for month, risks in registers.items():
        with db.atomic():
            save_import(
                db, ImportRecord(file_name=f"{month}.xlsx", sha256=month, month=month), risks
            )
    risks = [r for r in registers[MONTHS[-1]] if not r.is_closed()]
    meeting = board.new_meeting(db, meeting_date="2026-04-14", chair="Chair Person",
                                minute_taker="Minute Taker", config=config)  # fmt: skip
    mid = meeting.id
    for name, org in (("Chair Person", "directorate"), ("Con Tractor", "contractor"),
                      ("Corp Orate", "corporate")):  # fmt: skip
        board.attend(db, mid, name, organisation=org)
    with db.atomic():  # one transaction for the set-up (each call is a savepoint)
        for i, risk in enumerate(risks[:REVIEWED]):
            board.save_review(db, mid, risk.ref, note=f"Discussed {risk.title} – £ impact noted.",
                              decision=f"that {risk.ref} be monitored", reviewed=True)  # fmt: skip
            if i % 10 == 0:
                board.add_action(db, mid, f"Update the board on {risk.ref}",
                                 owner="Con Tractor", due="2026-05-31", risk_ref=risk.ref)  # fmt: skip
            if i % 20 == 0:
                board.escalate(db, mid, risk.ref, target="directorate", reason="Bench")
    board.close_meeting(db, mid)
    return db, config, mid


def plain_write_only(minutes: Any, rows: list[Any], path: Path) -> None:
    """The same sheets' cells written by openpyxl write-only mode: values only, no styles."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Minutes")
    for label, value in minutes.header:
        ws.append([None, label, value])
    for item in minutes.items:
        ws.append([item.number, item.title])
        for block in item.blocks:
            for line in (
                getattr(block, "rows", None)
                or getattr(block, "pairs", None)
                or [(getattr(block, "lead", None), getattr(block, "text", ""))]
            ):
                ws.append([None, *map(str, line)])
    ws = wb.create_sheet("Decisions")
    for d in minutes.decisions:
        ws.append([d.item, d.ref, d.title, d.annex, d.owner, d.likelihood, d.impact, d.score,
                   d.rag, d.previous_score, d.direction, "; ".join(d.flags), d.strategy,
                   d.rationale, d.review_by, d.discussion, d.decision, str(d.actions)])  # fmt: skip
    ws = wb.create_sheet("Escalations")
    for e in minutes.escalations:
        ws.append([e.item, e.ref, e.title, e.target, e.direction, e.score, e.rag, e.reason,
                   e.exposure, e.proposed_owner, e.status])  # fmt: skip
    ws = wb.create_sheet("Action Log")
    for a in minutes.actions:
        ws.append([a.number, a.source, a.raised, a.risk_ref, a.text, a.owner, a.due,
                   a.revised_due, a.status, a.progress])  # fmt: skip
    ws = wb.create_sheet("Risk Log")
    for row in risk_log_rows(rows):
        ws.append(row)
    wb.save(str(path))


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        t_build, (db, config, mid) = timed(lambda: build(folder))
        print(f"set-up: {RISKS_PER_ANNEX * 8:,} risks x {len(MONTHS)} months, "
              f"meeting reviewing {REVIEWED} risks ({t_build:.1f} s)")  # fmt: skip
        t_load, (minutes, rows) = timed(lambda: load_minutes(db, config, mid))
        out = folder / "out"
        t_docx, _ = timed(lambda: write_docx(minutes, config, out / "m.docx"))
        t_xlsx, _ = timed(lambda: write_minutes_xlsx(minutes, rows, config, out / "m.xlsx"))
        t_md, _ = timed(lambda: write_md(minutes, out / "m.md"))
        t_plain, _ = timed(lambda: plain_write_only(minutes, rows, out / "plain.xlsx"))
        t_transfer, _ = timed(
            lambda: export_register(db, config, register="directorate", out_dir=out)
        )
        t_report, _ = timed(lambda: export_report(db, config, out_dir=out))

        def line(name: str, secs: float, note: str = "") -> None:
            print(f"  {name:<48} {secs:6.2f} s  {note}")

        print(f"minutes: {len(minutes.items)} items, {len(minutes.decisions)} decisions, "
              f"Risk Log {len(rows):,} rows")  # fmt: skip
        line("load record + register rows (shared)", t_load)
        for name, secs in (("docx (render + save)", t_docx), ("xlsx (render + save)", t_xlsx)):
            total = t_load + secs
            verdict = "OK" if total < TARGET_S else "over target"
            line(name, secs, f"with load {total:.2f} s - target {TARGET_S:.0f} s: {verdict}")
        line("md", t_md)
        line("openpyxl write-only, same cells, no styles", t_plain,
             f"(styled xlsx is {t_xlsx / t_plain:.1f}x)")  # fmt: skip
        line("register transfer (all open, directorate)", t_transfer)
        line("monthly report (12-month trend, 2 months of data)", t_report)


if __name__ == "__main__":
    main()
