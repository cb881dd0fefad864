"""The import service: what lands in the database, idempotency, upserts, refusals that
leave the database exactly as it was, and the flags recomputed in the same transaction."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import sqlite_utils

from riskboard import importer, register
from riskboard.config import Config
from riskboard.errors import RiskboardError
from riskboard.importer import import_file, sha256_file
from riskboard.store import open_db
from workbooks import entity_bomb, register_rows, write_xlsx, zip_bomb

CONFIG = Config()
HEADER = ["Risk Ref", "Risk Title", "Likelihood", "Impact", "Strategy", "Action", "Last Updated"]


def dump(db: sqlite_utils.Database) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, in a stable order."""
    out = {}
    for (name,) in db.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
    ).fetchall():
        rows = db.execute(f"SELECT * FROM [{name}]").fetchall()
        out[name] = sorted(rows, key=repr)
    return out


def month_file(tmp_path: Path, name: str, rows: list[list[Any]]) -> Path:
    return write_xlsx(tmp_path / name, {"Register": [HEADER, *rows]})


def test_import_writes_the_snapshot_with_provenance(
    fresh_db: sqlite_utils.Database, tmp_path: Path
) -> None:
    path = write_xlsx(tmp_path / "joint.xlsx", {"Register": register_rows()})
    result = import_file(fresh_db, path, CONFIG, source="scheduler")
    assert result.status == "imported"
    assert (result.month, result.risk_count, result.action_count) == ("2022-08", 2, 2)
    assert result.sha256 == sha256_file(path)
    imp = fresh_db["imports"].get(result.import_id)
    assert imp["file_name"] == "joint.xlsx"
    assert imp["sha256"] == result.sha256
    assert imp["report_date"] == "2022-08-31"
    assert json.loads(imp["sheets"]) == ["Register"]
    assert (imp["risk_count"], imp["action_count"], imp["warning_count"]) == (2, 2, 2)
    assert imp["source"] == "scheduler"
    risks = list(fresh_db.query("SELECT * FROM risk_snapshots ORDER BY ref"))
    assert [(r["ref"], r["month"], r["current_score"], r["source_sheet"], r["source_row"],
             r["source_file"], r["import_id"]) for r in risks] == [
        ("HM-001", "2022-08", 16, "Register", 5, "joint.xlsx", result.import_id),
        ("SL-001", "2022-08", 6, "Register", 7, "joint.xlsx", result.import_id),
    ]  # fmt: skip
    actions = list(fresh_db.query("SELECT * FROM action_snapshots ORDER BY seq"))
    assert [
        (a["risk_ref"], a["text"], a["due"], a["last_updated"], a["source_row"]) for a in actions
    ] == [
        ("HM-001", "Extra patching gang", "2022-09-30", "2022-08-15", 5),
        ("HM-001", "Review inspection regime", "2022-07-31", "2022-07-01", 6),
    ]
    flags = {(r["ref"], r["code"]) for r in fresh_db.query("SELECT * FROM flag_results")}
    assert ("SL-001", "no_action") in flags
    assert ("HM-001", "overdue_action") in flags
    assert ("HM-001", "stale_action") not in flags  # one action updated on 15/08


def test_same_file_again_is_already_imported_and_changes_nothing(
    fresh_db: sqlite_utils.Database, tmp_path: Path
) -> None:
    path = write_xlsx(tmp_path / "joint.xlsx", {"Register": register_rows()})
    first = import_file(fresh_db, path, CONFIG)
    before = dump(fresh_db)
    again = import_file(fresh_db, path, CONFIG, month="2022-09")
    assert again.status == "already_imported"
    assert (again.import_id, again.month, again.risk_count) == (first.import_id, "2022-08", 2)
    assert dump(fresh_db) == before


def test_corrected_file_for_the_same_month_updates_the_risks_it_contains(
    fresh_db: sqlite_utils.Database, tmp_path: Path
) -> None:
    import_file(fresh_db, month_file(tmp_path, "a 2022-08.xlsx", [
        ["R1", "Flooding", 3, 3, "Treat", "Pumps", "01/08/2022"],
        ["R2", "Ice", 2, 2, "Accept", "Grit", "02/08/2022"],
    ]), CONFIG)  # fmt: skip
    corrected = import_file(fresh_db, month_file(tmp_path, "a 2022-08 corrected.xlsx", [
        ["R1", "Flooding (revised)", 4, 4, "Treat", "Bigger pumps", "20/08/2022"],
    ]), CONFIG)  # fmt: skip
    assert corrected.status == "imported"
    rows = {
        r["ref"]: r for r in fresh_db.query("SELECT * FROM risk_snapshots WHERE month='2022-08'")
    }
    assert (rows["R1"]["title"], rows["R1"]["current_score"]) == ("Flooding (revised)", 16)
    assert rows["R1"]["import_id"] == corrected.import_id
    assert rows["R2"]["title"] == "Ice"  # not in the corrected file: kept
    texts = [
        a["text"] for a in fresh_db.query("SELECT text FROM action_snapshots WHERE risk_ref='R1'")
    ]
    assert texts == ["Bigger pumps"]


def test_importing_an_earlier_month_recomputes_the_next_months_flags(
    fresh_db: sqlite_utils.Database, tmp_path: Path
) -> None:
    sep = [["R1", "Flooding", 3, 3, "Treat", "Pumps", "01/09/2022"],
           ["R2", "Ice", 2, 2, "Accept", "Grit", "02/09/2022"]]  # fmt: skip
    import_file(fresh_db, month_file(tmp_path, "r 2022-09.xlsx", sep), CONFIG)
    new_in_sep = {r["ref"] for r in fresh_db.query("SELECT ref FROM flag_results WHERE month='2022-09'"
                                             " AND code='new_risk'")}  # fmt: skip
    assert new_in_sep == set()  # no earlier month: nothing is "new"
    import_file(fresh_db, month_file(tmp_path, "r 2022-08.xlsx", sep[:1]), CONFIG)
    new_in_sep = {r["ref"] for r in fresh_db.query("SELECT ref FROM flag_results WHERE month='2022-09'"
                                             " AND code='new_risk'")}  # fmt: skip
    assert new_in_sep == {"R2"}


def test_dry_run_writes_nothing(fresh_db: sqlite_utils.Database, tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "joint.xlsx", {"Register": register_rows()})
    before = dump(fresh_db)
    result = import_file(fresh_db, path, CONFIG, dry_run=True)
    assert result.status == "dry_run"
    assert result.import_id is None
    assert result.mapping["Register"]["Risk Ref"] == "ref"
    assert result.mapping["Register"]["Due Date"] == "due"
    assert (result.risk_count, result.action_count) == (2, 2)
    assert dump(fresh_db) == before


def _not_a_workbook(tmp_path: Path) -> Path:
    path = tmp_path / "notes.xlsx"
    path.write_text("hello")
    return path


def _empty(tmp_path: Path) -> Path:
    path = tmp_path / "empty 2022-08.xlsx"
    path.write_bytes(b"")
    return path


def _no_columns(tmp_path: Path) -> Path:
    return write_xlsx(tmp_path / "x 2022-08.xlsx", {"S": [["Name", "Colour"], ["a", "b"]]})


def _conflict(tmp_path: Path) -> Path:
    return month_file(tmp_path, "c 2022-08.xlsx", [["R1", "A", 1, 1, "Treat", "x", None],
                                                  ["R1", "B", 1, 1, "Treat", "y", None]])  # fmt: skip


def _no_month(tmp_path: Path) -> Path:
    return month_file(tmp_path, "register.xlsx", [["R1", "A", 1, 1, "Treat", "x", None]])


def _zip_bomb(tmp_path: Path) -> Path:
    return zip_bomb(tmp_path / "bomb 2022-08.xlsx", inflated_mb=40)


def _entity_bomb(tmp_path: Path) -> Path:
    return entity_bomb(tmp_path / "lol 2022-08.xlsx")


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (_not_a_workbook, "not an Excel workbook"),
        (_empty, "empty file"),
        (_no_columns, "no recognisable risk reference"),
        (_conflict, "risk R1 appears again with different data"),
        (_no_month, "cannot tell which board month"),
        (_zip_bomb, "zip bomb"),
        (_entity_bomb, "entity bomb"),
    ],
)
def test_refused_input_leaves_the_database_exactly_as_it_was(
    fresh_db: sqlite_utils.Database, tmp_path: Path, make: Callable[[Path], Path], message: str
) -> None:
    import_file(
        fresh_db, write_xlsx(tmp_path / "joint.xlsx", {"Register": register_rows()}), CONFIG
    )
    before = dump(fresh_db)
    with pytest.raises(RiskboardError, match=message):
        import_file(fresh_db, make(tmp_path), CONFIG)
    assert dump(fresh_db) == before


def test_a_failure_inside_the_transaction_rolls_everything_back(
    fresh_db: sqlite_utils.Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import_file(fresh_db, month_file(tmp_path, "r 2022-07.xlsx", [["R1", "A", 1, 1, "Treat", "x", None]]),
                CONFIG)  # fmt: skip
    before = dump(fresh_db)

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(register, "recompute_flags", broken)
    with pytest.raises(RuntimeError):
        import_file(
            fresh_db, write_xlsx(tmp_path / "joint.xlsx", {"Register": register_rows()}), CONFIG
        )
    assert dump(fresh_db) == before


def test_flags_use_the_previous_month_as_it_is_when_the_import_writes(
    fresh_db: sqlite_utils.Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The previous month is read while the file is being parsed; if another process
    changes it meanwhile, the flags must not compare with what was read."""
    import_file(fresh_db, month_file(tmp_path, "r 2022-07.xlsx", [
        ["R1", "Flooding", 3, 3, "Treat", "Pumps", "01/07/2022"],
    ]), CONFIG)  # fmt: skip
    read_ahead = threading.Event()
    real_read, real_parse = register.read_previous, importer.parse_workbook

    def read_previous(*args: Any, **kwargs: Any) -> register.PreviousMonth:
        try:
            return real_read(*args, **kwargs)
        finally:
            read_ahead.set()

    def parse_while_another_process_writes(*args: Any, **kwargs: Any) -> Any:
        assert read_ahead.wait(10)
        other = open_db(tmp_path / "rb.db")
        with other.conn:  # July's score corrected from 9 to 16 by someone else
            other.execute("UPDATE risk_snapshots SET current_score = 16 WHERE ref = 'R1'")
        other.conn.close()
        return real_parse(*args, **kwargs)

    monkeypatch.setattr(register, "read_previous", read_previous)
    monkeypatch.setattr(importer, "parse_workbook", parse_while_another_process_writes)
    import_file(fresh_db, month_file(tmp_path, "r 2022-08.xlsx", [
        ["R1", "Flooding", 3, 4, "Treat", "Pumps", "01/08/2022"],
    ]), CONFIG)  # fmt: skip
    assert read_ahead.is_set()
    codes = {
        r["code"] for r in fresh_db.query("SELECT code FROM flag_results WHERE month = '2022-08'")
    }
    assert "score_increased" not in codes  # 12 now, 16 last month (9 before the correction)
    assert "escalation_candidate" in codes
