"""The chair's view as services: a risk's full history (the board's own beside the
register's), escalations awaiting a decision on the agenda, the month's counts saying
what they count, and ``riskboard show`` printing provenance in full."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
import sqlite_utils

from board_helpers import import_month, risk, start
from riskboard import board
from riskboard.agenda import agenda_items, board_month, whole_register_text
from riskboard.cli import main
from riskboard.config import Config
from riskboard.domain import FLAG_LABELS, count_of, revised_due_text
from riskboard.errors import RiskboardError
from riskboard.heat_map import month_heat_map
from riskboard.history import risk_history
from riskboard.month_counts import month_counts
from riskboard.register import register_rows
from riskboard.store import open_db
from riskboard.store.register import ImportRecord, save_import

LONG_FILE = "IRIS_Joint_Contract_Risk_Register_Highways_and_Street_Lighting_Aug_2022_FINAL_v3.xlsx"
LONG_SHEET = "Joint Contract Risk Register (all service annexes)"


def _first_meeting(db: sqlite_utils.Database) -> int:
    """Meeting 1 on the August register: HM-001 tolerated until 01/03/2023, escalated to
    the Corporate register (not yet decided), an action raised on it."""
    m1 = start(db, "2022-09-14").id
    board.save_review(
        db, m1, "HM-001", strategy="tolerate", rationale="Within the contract's tolerance",
        review_by="2023-03-01", decision="that the risk be tolerated", reviewed=True,
        note="Claims are falling.",
    )  # fmt: skip
    board.escalate(db, m1, "HM-001", target="corporate", reason="Claims exposure")
    board.add_action(db, m1, "Cost the claims", owner="Jo Bloggs", due="2022-10-12",
                     risk_ref="HM-001")  # fmt: skip
    board.close_meeting(db, m1)
    return m1


def test_the_board_history_of_a_risk_beside_the_register(db: sqlite_utils.Database) -> None:
    m1 = _first_meeting(db)
    m2 = start(db, "2022-10-12").id
    (pending,) = board.escalations_awaiting(db, m2)
    board.decide_escalation(db, m2, pending.id, accept=True, note="Added to the CRR")
    board.update_action(db, m2, 1, revised_due="2022-09-30", progress="Brought forward")

    history = risk_history(db, "hm-001", Config())  # any case: the register's spelling
    assert history.ref == "HM-001"
    assert [m.month for m in history.months] == ["2022-07", "2022-08"]
    assert history.in_month("2022-08").title == "Pothole claims"  # type: ignore[union-attr]

    earlier = history.board.before(m2)
    (review,) = earlier.reviews
    assert (review.meeting_id, review.meeting_date, review.month) == (m1, date(2022, 9, 14),
                                                                       "2022-08")  # fmt: skip
    assert (review.strategy, review.review_by) == ("tolerate", date(2023, 3, 1))
    assert review.rationale == "Within the contract's tolerance"
    assert review.decision == "RESOLVED: that the risk be tolerated"
    (esc,) = earlier.escalations
    assert esc.what == "escalation to the Corporate risk register"
    assert esc.outcome == f"Accepted at meeting {m2} (12/10/2022) – Added to the CRR"
    (action,) = earlier.actions
    assert action.due_text == "due 12/10/2022, revised to 30/09/2022"
    assert action.action.status == "open"
    # what the first meeting recorded is not what this one recorded
    here = history.board.at(m2)
    assert here.reviews == [] and here.escalations == [] and here.actions == []
    assert history.board.latest_strategy == review


def test_a_risk_nobody_knows_is_refused(db: sqlite_utils.Database) -> None:
    with pytest.raises(RiskboardError, match="unknown risk 'XX-999'"):
        risk_history(db, "XX-999", Config())


def test_show_prints_provenance_in_full_and_the_board_record(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "config.toml").write_text('[paths]\ndatabase = "rb.db"\n')
    monkeypatch.chdir(tmp_path)
    db = open_db(tmp_path / "rb.db")
    import_month(db, "2022-07", [risk("HM-001"), risk("SL-002")])
    with db.atomic():
        save_import(
            db,
            ImportRecord(file_name=LONG_FILE, sha256="long", month="2022-08"),
            [risk("HM-001", source_sheet=LONG_SHEET, source_row=1234), risk("SL-002")],
        )
    _first_meeting(db)
    db.conn.close()
    for width in ("40", "80", "250"):
        monkeypatch.setenv("COLUMNS", width)
        assert main(["show", "HM-001"]) == 0
        out = capsys.readouterr().out
        # the whole source, however narrow the terminal
        assert f"Aug 2022  {LONG_FILE}, sheet '{LONG_SHEET}', row 1234" in out
        assert "Board's strategy: Tolerate (meeting 1, 14/09/2022, review by 01/03/2023)" in out
        assert (
            "Meeting 1, 14/09/2022 (August 2022 register): Tolerate - Within the contract's"
            " tolerance (review by 01/03/2023). RESOLVED: that the risk be tolerated" in out
        )
        assert (
            "Meeting 1, 14/09/2022: escalation to the Corporate risk register (Claims exposure)"
            " - Awaiting a decision" in out
        )
        assert "Action 1 (raised 14/09/2022): Cost the claims - Jo Bloggs, due 12/10/2022" in out
    assert main(["show", "HM-001", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["months"][-1]["source"] == {
        "file": LONG_FILE, "sheet": LONG_SHEET, "row": 1234,
        "imported_at": data["months"][-1]["source"]["imported_at"],
    }  # fmt: skip
    assert data["board"]["reviews"][0]["strategy"] == "tolerate"


def test_escalations_awaiting_a_decision_are_an_agenda_item(db: sqlite_utils.Database) -> None:
    _first_meeting(db)
    m2 = start(db, "2022-10-12")
    items = {i.key: i for i in agenda_items(db, m2)}
    keys = [i.key for i in agenda_items(db, m2)]
    # matters arising: after the action log, before the risks
    assert keys.index("action_log") < keys.index("escalations") < keys.index("flagged")
    assert items["escalations"].status == "1 awaiting" and not items["escalations"].done
    (pending,) = board.escalations_awaiting(db, m2.id)
    board.decide_escalation(db, m2.id, pending.id, accept=False, note="Held at contract level")
    item = next(i for i in agenda_items(db, m2) if i.key == "escalations")
    assert item.status == "1 decided" and item.done
    assert board.escalations_awaiting(db, m2.id) == []


def test_no_escalation_item_when_nothing_awaits(db: sqlite_utils.Database) -> None:
    m = start(db)
    assert "escalations" not in [i.key for i in agenda_items(db, m)]


def test_each_count_says_what_it_counts_and_all_agree(db: sqlite_utils.Database) -> None:
    import_month(
        db,
        "2022-09",
        [
            risk("HM-001", current_likelihood=None, current_impact=None, current_score=None),
            risk("WS-003", status="Closed"),
            risk("NW-004", current_likelihood=2, current_impact=2, current_score=4),
        ],
    )  # SL-002 missing from the export
    config = Config()
    rows = register_rows(db, "2022-09", config)
    counts = month_counts("2022-09", rows)
    assert (counts.exported, counts.closed, counts.open, counts.missing) == (3, 1, 2, 1)
    assert counts.on_agenda == len(rows) == 4
    assert counts.export_text() == "3 risks in the export (2 open, 1 closed) and 1 missing from it"
    assert counts.flagged == sum(1 for r in rows if r.flags)
    heat = month_heat_map(db, config, "2022-09")
    assert heat.open == counts.open and heat.placed == 1 and heat.unscored == ["HM-001"]
    assert heat.not_open == counts.closed + counts.missing
    data = board_month(db, config, "2022-09", None)
    assert data.counts == counts
    assert whole_register_text(data) == "4 risks (1 missing)"


def test_words_a_clerk_would_write() -> None:
    assert count_of(1, "risk") == "1 risk" and count_of(2, "decision") == "2 decisions"
    assert count_of(1, "apology", "apologies") == "1 apology"
    assert revised_due_text(date(2022, 10, 12), date(2022, 9, 30)) == (
        "due 12/10/2022, revised to 30/09/2022"
    )
    assert revised_due_text("2022-10-12", None) == "due 12/10/2022"
    assert not any("4T" in label for label in FLAG_LABELS.values())


def test_an_earlier_escalation_accepted_at_a_meeting_is_on_its_transfer_sheet(
    db: sqlite_utils.Database, tmp_path: Path
) -> None:
    from riskboard.reports.register_transfer import transfer_rows

    config = Config().resolve(tmp_path)
    _first_meeting(db)  # HM-001 proposed for the Corporate register, undecided
    m2 = start(db, "2022-10-12").id
    assert transfer_rows(db, config, "corporate", m2) == []  # not decided yet
    (pending,) = board.escalations_awaiting(db, m2)
    board.decide_escalation(db, m2, pending.id, accept=True)
    (row,) = transfer_rows(db, config, "corporate", m2)
    assert row.escalation.ref == "HM-001" and row.meeting_date == date(2022, 10, 12)
    assert row.minute_ref.endswith("12/10/2022")  # minuted where it was accepted


def test_the_heat_map_matches_last_month_by_any_spelling_of_a_reference() -> None:
    from riskboard.heat_map import build_heat_map
    from riskboard.register import RegisterRow

    heat = build_heat_map(
        "2022-08",
        [RegisterRow(ref="HM-001", current_likelihood=4, current_impact=4)],
        {"hm\u2013001": (4, 4)},  # last month's export spelled it with an en dash
        "2022-07",
    )
    cell = heat.cell(4, 4)
    assert (cell.count, cell.previous_count, cell.moved_in, cell.moved_out) == (1, 1, [], [])
