"""The chase list: flagged risks grouped by owner, what is missing in plain words."""

from __future__ import annotations

import zipfile
from datetime import UTC, date, datetime

import openpyxl
import pytest

from riskboard.config import Config
from riskboard.domain import Action, Risk
from riskboard.reports.chase import NO_OWNER, chase_items, write_chase_list
from riskboard.store import open_db
from riskboard.store.register import ImportRecord, save_import

EVIL_OWNER = '=HYPERLINK("http://evil.example","click")'
EVIL_TEXTS = ["+SUM(A1:A3)", "-2+3", "@cmd|' /C calc'!A0", "\tTabbed", "\rReturn"]


def _save(db, month: str, report: str, risks: list[Risk]) -> None:
    with db.atomic():
        save_import(
            db,
            ImportRecord(
                file_name=f"register-{month}.xlsx",
                sha256=f"sha-{month}",
                month=month,
                report_date=report,
            ),
            risks,
        )


def _action(ref: str, **kw) -> Action:
    return Action(risk_ref=ref, action_ref=kw.pop("action_ref", "A1"), **kw)


@pytest.fixture
def workspace(tmp_path):
    config = Config().resolve(tmp_path)
    db = open_db(config.paths.database)
    _save(
        db,
        "2024-04",
        "2024-04-30",
        [
            Risk(ref="HM-001", title="Pothole backlog", owner="Alice", strategy="treat",
                 strategy_text="Treat", current_likelihood=3, current_impact=3, current_score=9,
                 actions=[_action("HM-001", text="Extra gang", last_updated=date(2024, 4, 10),
                                  due=date(2024, 5, 15), owner="Dan", status="Open")]),
            Risk(ref="HM-002", title="Gully cleansing", owner="Bob", strategy="treat",
                 strategy_text="Treat", current_score=6,
                 actions=[_action("HM-002", text="Survey", last_updated=date(2024, 4, 2))]),
            Risk(ref="SL-003", title="Column failures", owner="Alice", strategy="treat",
                 strategy_text="Treat", current_score=8,
                 actions=[_action("SL-003", text="Test columns", last_updated=date(2024, 4, 3))]),
            Risk(ref="HM-005", title="Salt stock", strategy="tolerate", strategy_text="Tolerate",
                 current_score=4,
                 actions=[_action("HM-005", text="Order salt", last_updated=date(2024, 4, 3))]),
            Risk(ref="HM-006", title="All in order", owner="Alice", strategy="accept",
                 strategy_text="Accept", current_score=2,
                 actions=[_action("HM-006", text="Review", last_updated=date(2024, 4, 3))]),
        ],
    )  # fmt: skip
    _save(
        db,
        "2024-05",
        "2024-05-31",
        [
            # stale (last update in April), overdue, score up 9 -> 12, escalation candidate
            Risk(ref="HM-001", title="Pothole backlog", owner="Alice", strategy="treat",
                 strategy_text="Treat", current_likelihood=3, current_impact=4, current_score=12,
                 actions=[_action("HM-001", text="Extra gang", last_updated=date(2024, 4, 10),
                                  due=date(2024, 5, 15), owner="Dan", status="Open")]),
            # no strategy; its action was updated this month
            Risk(ref="HM-002", title="Gully | cleansing *urgent*", owner="Bob", current_score=6,
                 actions=[_action("HM-002", text="Survey", last_updated=date(2024, 5, 20))]),
            # new risk, no action, hostile text everywhere
            Risk(ref="HM-004", title=EVIL_TEXTS[0], annex=EVIL_TEXTS[1], owner=EVIL_OWNER,
                 strategy_text=EVIL_TEXTS[2], current_score=3),
            # no owner, strategy not one of the five
            Risk(ref="HM-005", title=EVIL_TEXTS[3], strategy_text="Monitor", current_score=4,
                 actions=[_action("HM-005", text="Order salt", last_updated=date(2024, 5, 3))]),
            Risk(ref="HM-006", title="All in order", owner="Alice", strategy="accept",
                 strategy_text="Accept", current_score=2,
                 actions=[_action("HM-006", text="Review", last_updated=date(2024, 5, 3))]),
            # SL-003 left out of May's export
        ],
    )  # fmt: skip
    yield config, db
    db.conn.close()


STAMP = datetime(2024, 6, 2, 1, 5, tzinfo=UTC)


def _rows(ws) -> list[dict[str, object]]:
    header = [c.value for c in ws[4]]
    return [
        dict(zip(header, (c.value for c in row), strict=True))
        for row in ws.iter_rows(min_row=5)
        if row[0].value is not None
    ]


def test_chase_list_groups_flagged_risks_by_owner_with_what_is_missing(workspace):
    config, db = workspace
    files = write_chase_list(db, "2024-05", config, generated_at=STAMP)
    assert files.xlsx == config.paths.exports / "chase-2024-05.xlsx"
    assert files.md == config.paths.exports / "chase-2024-05.md"
    assert (files.risks, files.owners) == (5, 4)

    wb = openpyxl.load_workbook(files.xlsx)
    ws = wb["Chase list"]
    assert ws["A1"].value == "Chase list - Contract Risk Management Board - May 2024"
    assert "02 Jun 2024 02:05 BST" in ws["A2"].value
    rows = _rows(ws)
    assert [(r["Owner"], r["Ref"]) for r in rows] == [
        (EVIL_OWNER, "HM-004"),
        ("Alice", "HM-001"),  # stale actions first within an owner
        ("Alice", "SL-003"),
        ("Bob", "HM-002"),
        (NO_OWNER, "HM-005"),  # no owner: last, so it is noticed as its own problem
    ]
    hm1 = rows[1]["What is needed"].splitlines()
    assert hm1 == [
        "No action update this month (last update 10/04/2024): update every open action,"
        " even if there is no progress",
        "Overdue action: A1 due 15/05/2024, Dan - complete it or give a revised date",
        "Score increased from 9 to 12 since April 2024: explain why and what is being done",
        "Escalation candidate: score 12 reaches the directorate register threshold (9)"
        " - be ready to discuss escalation",
    ]
    assert rows[1]["Last action update"] == datetime(2024, 4, 10)
    assert rows[1]["Next action due"] == datetime(2024, 5, 15)
    assert (rows[1]["Score"], rows[1]["Previous score"], rows[1]["RAG"]) == (12, 9, "amber")
    assert rows[2]["What is needed"].startswith(
        "Missing from this month's export (open in April 2024): confirm it was closed"
    )
    assert rows[3]["What is needed"].startswith("No strategy: record accept, tolerate")
    assert rows[4]["What is needed"].startswith("Strategy not one of the five (says 'Monitor')")
    assert "HM-006" not in {r["Ref"] for r in rows}  # nothing missing: not chased

    summary = {r[0].value: r[1].value for r in wb["By owner"].iter_rows(min_row=2)}
    assert summary == {EVIL_OWNER: 1, "Alice": 2, "Bob": 1, NO_OWNER: 1}


def test_text_from_the_export_is_never_stored_as_a_formula(workspace):
    config, db = workspace
    files = write_chase_list(db, "2024-05", config, generated_at=STAMP)
    ws = openpyxl.load_workbook(files.xlsx)["Chase list"]
    cells = {c.value: c for row in ws.iter_rows(min_row=5) for c in row if c.value is not None}
    for text in [EVIL_OWNER, EVIL_TEXTS[0], EVIL_TEXTS[1], EVIL_TEXTS[2], EVIL_TEXTS[3]]:
        assert text in cells, text
        assert cells[text].data_type == "s"
    with zipfile.ZipFile(files.xlsx) as zf:
        sheets = [n for n in zf.namelist() if n.startswith("xl/worksheets/sheet")]
        xml = "".join(zf.read(n).decode("utf-8") for n in sheets)
    assert "<f>" not in xml and "<f " not in xml


def test_markdown_chase_list_reads_as_text(workspace):
    config, db = workspace
    files = write_chase_list(db, "2024-05", config, generated_at=STAMP)
    md = files.md.read_text(encoding="utf-8")
    assert md.startswith("# Chase list - May 2024\n")
    assert "5 flagged risks across 4 owners" in md
    heads = [line for line in md.splitlines() if line.startswith("## ")]
    assert heads == [
        '## =HYPERLINK("http://evil.example","click") - 1 risk',
        "## Alice - 2 risks",
        "## Bob - 1 risk",
        "## (no owner recorded) - 1 risk",
    ]
    alice = md.split("## Alice")[1].split("## Bob")[0]
    assert "### HM-001 Pothole backlog" in alice
    assert "- No action update this month (last update 10/04/2024)" in alice
    assert "- Overdue action: A1 due 15/05/2024, Dan" in alice
    assert "Score 12 (was 9), amber; strategy treat; last action update 10/04/2024" in alice
    assert "Score 8 last month; strategy treat; no action update date recorded." in alice
    # markdown in a title cannot break the layout
    assert "### HM-002 Gully \\| cleansing \\*urgent\\*" in md


def test_rewrite_replaces_the_files_and_leaves_no_temp_files(workspace):
    config, db = workspace
    write_chase_list(db, "2024-05", config, generated_at=STAMP)
    first = (config.paths.exports / "chase-2024-05.md").read_text(encoding="utf-8")
    # the secretary's update arrives: HM-002 gets a strategy -> one fewer flag for Bob
    db.execute("UPDATE risk_snapshots SET strategy='treat', strategy_text='Treat'"
               " WHERE month='2024-05' AND ref='HM-002'")  # fmt: skip
    files = write_chase_list(db, "2024-05", config, generated_at=STAMP)
    assert files.risks == 4
    assert (config.paths.exports / "chase-2024-05.md").read_text(encoding="utf-8") != first
    assert sorted(p.name for p in config.paths.exports.iterdir()) == [
        "chase-2024-05.md",
        "chase-2024-05.xlsx",
    ]


def test_a_month_with_nothing_flagged_says_so(tmp_path):
    config = Config().resolve(tmp_path)
    db = open_db(config.paths.database)
    _save(db, "2024-05", "2024-05-31", [
        Risk(ref="HM-006", title="All in order", owner="Alice", strategy="accept",
             strategy_text="Accept", current_score=2,
             actions=[_action("HM-006", text="Review", last_updated=date(2024, 5, 3))]),
    ])  # fmt: skip
    assert chase_items(db, "2024-05", config) == []
    files = write_chase_list(db, "2024-05", config, generated_at=STAMP)
    assert "there is nothing to chase" in files.md.read_text(encoding="utf-8")
    ws = openpyxl.load_workbook(files.xlsx)["Chase list"]
    assert "nothing to chase" in ws["A2"].value
    assert ws.max_row == 4  # title, intro, blank, header
    db.conn.close()
