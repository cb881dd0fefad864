"""`riskboard flags`, `risks` and `show` over a stored register."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from riskboard.cli import main
from riskboard.domain import Action, Risk
from riskboard.store import open_db
from riskboard.store.register import ImportRecord, save_import


def _risk(ref: str, score: int, updated: date | None, **kw: object) -> Risk:
    return Risk(
        ref=ref,
        title=f"Title {ref}",
        annex="Street Lighting",
        owner="A. Owner",
        current_likelihood=score // 4 or 1,
        current_impact=4,
        current_score=score,
        strategy=kw.pop("strategy", "treat"),  # type: ignore[arg-type]
        strategy_text=kw.pop("strategy_text", "Treat"),  # type: ignore[arg-type]
        status="Open",
        actions=[Action(risk_ref=ref, action_ref=f"{ref}.1", text="Do it", last_updated=updated)],
        **kw,  # type: ignore[arg-type]
    )


@pytest.fixture()
def workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "config.toml").write_text('[paths]\ndatabase = "rb.db"\n')
    monkeypatch.chdir(tmp_path)
    db = open_db(tmp_path / "rb.db")
    with db.atomic():
        save_import(
            db,
            ImportRecord(file_name="jul.xlsx", sha256="a", month="2022-07"),
            [_risk("SL-1", 4, date(2022, 7, 5)), _risk("SL-2", 8, date(2022, 7, 5))],
        )
        save_import(
            db,
            ImportRecord(file_name="aug.xlsx", sha256="b", month="2022-08"),
            [_risk("SL-1", 16, date(2022, 7, 5)), _risk("SL-3", 4, date(2022, 8, 9))],
        )
    db.conn.close()
    return tmp_path


def test_flags_json_carries_codes_and_evidence(
    workspace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["flags", "--json"]) == 0
    data = {f["ref"]: f for f in json.loads(capsys.readouterr().out)}
    assert data["SL-1"]["flags"] == ["stale_action", "score_increased", "escalation_candidate"]
    assert data["SL-1"]["details"]["stale_action"]["last_update"] == "2022-07-05"
    assert data["SL-1"]["details"]["escalation_candidate"]["register"] == "corporate"
    assert data["SL-2"]["flags"] == ["missing_from_export"]
    assert data["SL-3"]["flags"] == ["new_risk"]


def test_flags_table_puts_stale_actions_first(
    workspace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["flags", "--month", "2022-08"]) == 0
    out = capsys.readouterr().out
    assert out.index("No action update this month") < out.index("Score increased")
    assert "A. Owner" in out and "05/07/2022" in out  # UK date order


def test_unknown_month_is_a_clear_error(
    workspace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["flags", "--month", "2021-01"]) == 1
    err = capsys.readouterr().err
    assert "no register imported for 2021-01" in err and "2022-08" in err
    assert "Traceback" not in err


def test_risks_lists_rag_and_direction(workspace: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["risks", "--json"]) == 0
    rows = {r["ref"]: r for r in json.loads(capsys.readouterr().out)}
    assert rows["SL-1"]["rag"] == "red" and rows["SL-1"]["direction"] == "up"
    assert rows["SL-3"]["direction"] == "new"
    assert rows["SL-2"]["status"] == "missing"


def test_show_gives_history_with_provenance(
    workspace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["show", "SL-1"]) == 0
    out = capsys.readouterr().out
    assert "2022-07" in out and "2022-08" in out
    assert "jul.xlsx" in out and "aug.xlsx" in out


def test_show_unknown_risk(workspace: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["show", "NOPE"]) == 1
    assert "unknown risk 'NOPE'" in capsys.readouterr().err


def test_empty_database_says_how_to_start(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["flags"]) == 1
    assert "riskboard import" in capsys.readouterr().err
