"""The demo workspace: six months of exports in every shape, imported, every flag case.

The end-to-end tests run the real importer and flag rules over the generated files,
as ``riskboard demo`` does, and look at what the board would see.
"""

from __future__ import annotations

import hashlib
import os
import shlex
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

from riskboard.cli import main
from riskboard.config import load_config
from riskboard.domain import EW_FLAGS, EW_ONLY_FLAGS, FLAG_ORDER, Flag, FlagCode, Risk
from riskboard.flag_text import suggested_target
from riskboard.flags import compute_flags
from riskboard.register import flags_for
from riskboard.sample.demo import (
    DEMO_MONTHS,
    DemoReport,
    build_demo,
    demo_register,
    install_demo,
)
from riskboard.store import open_db
from riskboard.store import register as store

pytestmark = pytest.mark.slow  # whole demo workspaces built and imported

LATEST = DEMO_MONTHS[-1]


def digests(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def sheet_rows(path: Path, sheet: int = 0) -> list[tuple]:
    ws = openpyxl.load_workbook(path).worksheets[sheet]
    return [tuple(c.value for c in row) for row in ws.iter_rows()]


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, DemoReport]:
    folder = tmp_path_factory.mktemp("demo")
    return folder, install_demo(folder)


@pytest.fixture(scope="module")
def latest_flags(workspace: tuple[Path, DemoReport]) -> dict[str, Flag]:
    folder, _ = workspace
    config = load_config(folder / "config.toml")
    db = open_db(config.paths.database)
    try:
        return {f.ref: f for f in flags_for(db, LATEST, config)}
    finally:
        db.conn.close()


@pytest.fixture
def db(workspace: tuple[Path, DemoReport]):
    folder, _ = workspace
    database = open_db(folder / "riskboard.db")
    yield database
    database.conn.close()


# ----------------------------------------------------------------------------- files


def test_files_cover_six_months_in_every_shape(tmp_path: Path) -> None:
    paths = build_demo(tmp_path)
    names = [p.name for p in paths]
    assert all(p.parent == tmp_path / "imports" for p in paths)
    assert "IRIS_Joint_Register_2022-08.xlsx" in names
    assert "IRIS_Street_Lighting_Aug2022.xlsx" in names
    assert "IRIS_Bridges_and_Structures_Apr2022.xlsx" in names
    # a month known only from the title block's report date
    undated = tmp_path / "imports" / "IRIS_Monthly_Output.xlsx"
    assert not any(ch.isdigit() for ch in undated.name)
    assert sheet_rows(undated)[2][0] == "Report run: 29/07/2022"
    sheets = {p.name: openpyxl.load_workbook(p).sheetnames for p in paths}
    assert sheets["IRIS_Risks_and_Actions_2022-05.xlsx"] == ["Risks", "Actions"]
    assert len(sheets["IRIS Joint Register June 2022.xlsx"]) == 8  # one sheet per annex
    assert "Drainage Actions" in sheets["IRIS_Monthly_Output.xlsx"]
    # one row per risk, and no last-updated column
    lighting = sheet_rows(tmp_path / "imports" / "IRIS_Street_Lighting_Aug2022.xlsx")
    assert "Last Updated" not in lighting[0]
    refs = [r[0] for r in lighting[1:] if r[0]]
    assert len(refs) == len(set(refs))
    # title block, merged group header, footer
    joint = sheet_rows(tmp_path / "imports" / "IRIS_Joint_Register_2022-08.xlsx")
    assert joint[0][0] == "IRIS Risk Register"
    assert "Current Risk" in joint[4] and joint[5][0] == "Risk Ref"
    assert joint[-1][0] == "End of report"


def test_config_is_the_documented_default_relative_to_the_folder(tmp_path: Path) -> None:
    build_demo(tmp_path / "ws")
    config = load_config(tmp_path / "ws" / "config.toml")
    assert config.paths.database == (tmp_path / "ws" / "riskboard.db").resolve()
    assert config.paths.imports == (tmp_path / "ws" / "imports").resolve()
    repo_default = Path(__file__).resolve().parents[1] / "config.toml"
    if repo_default.is_file():
        assert (tmp_path / "ws" / "config.toml").read_text() == repo_default.read_text()


def test_an_edited_config_is_kept(tmp_path: Path) -> None:
    (tmp_path / "config.toml").write_text('[paths]\nimports = "inbox"\n')
    paths = build_demo(tmp_path)
    assert (tmp_path / "config.toml").read_text() == '[paths]\nimports = "inbox"\n'
    assert {p.parent for p in paths} == {tmp_path / "inbox"}


def test_files_are_byte_identical_in_another_process(tmp_path: Path) -> None:
    build_demo(tmp_path / "here")
    code = "import sys; from pathlib import Path; from riskboard.sample.demo import build_demo;"
    code += " build_demo(Path(sys.argv[1]))"
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    subprocess.run([sys.executable, "-c", code, str(tmp_path / "there")], check=True, env=env)
    assert digests(tmp_path / "here" / "imports") == digests(tmp_path / "there" / "imports")


# ----------------------------------------------------------------------------- imported


def test_every_month_imported_with_a_realistic_register(
    workspace: tuple[Path, DemoReport], db
) -> None:
    _, report = workspace
    assert report.months == list(DEMO_MONTHS)
    assert all(r.status == "imported" for r in report.imports)
    for month in DEMO_MONTHS:
        risks = store.load_month(db, month)
        assert 60 <= len(risks) <= 120, month
        assert len({r.annex for r in risks}) == 8, month


def risk_facts(risks: list[Risk]) -> set[tuple]:
    return {
        (r.ref, r.title, r.annex, r.current_score, r.strategy_text, r.is_closed()) for r in risks
    }


def action_facts(risks: list[Risk], undated_annex: str | None) -> set[tuple]:
    return {
        (a.risk_ref, a.text, a.owner, a.due, a.progress,
         None if r.annex == undated_annex else a.last_updated)
        for r in risks
        for a in r.actions
    }  # fmt: skip


def test_what_was_generated_is_what_was_imported(db) -> None:
    """Every shape round-trips: the same risks, scores and actions come back."""
    generated = demo_register()
    for month in DEMO_MONTHS:
        imported = store.load_month(db, month)
        assert risk_facts(imported) == risk_facts(generated[month]), month
        # the last Street Lighting export has no last-updated column
        undated = "Street Lighting" if month == LATEST else None
        assert action_facts(imported, undated) == action_facts(generated[month], undated), month


def test_latest_month_has_every_flag_code(
    workspace: tuple[Path, DemoReport], latest_flags: dict[str, Flag]
) -> None:
    _, report = workspace
    seen = {code for f in latest_flags.values() for code in f.flags}
    # every flag a risk can carry; the early-warning-only ones are on the early warning
    # register (test_the_early_warning_register_has_every_case)
    risk_codes = set(FLAG_ORDER) - EW_ONLY_FLAGS
    assert seen == risk_codes
    assert all(report.flag_counts[code.value] >= 1 for code in risk_codes)
    assert set(report.flag_counts) == {c.value for c in risk_codes}
    registers = {
        suggested_target(f.details)
        for f in latest_flags.values()
        if FlagCode.ESCALATION_CANDIDATE in f.flags
    }
    assert registers == {"directorate", "corporate"}


def test_stale_action_seen_without_a_last_updated_column(latest_flags: dict[str, Flag], db) -> None:
    stale = [f for f in latest_flags.values() if FlagCode.STALE_ACTION in f.flags]
    no_column = [
        f
        for f in stale
        if all(
            a["last_updated"] is None
            for a in db.query(
                "SELECT last_updated FROM action_snapshots WHERE month = ? AND risk_ref = ?",
                [LATEST, f.ref],
            )
        )
    ]
    assert no_column, "a stale action in an export with no last-updated column"
    dated = [f for f in stale if f not in no_column]
    assert dated, "and a stale action whose last update is dated before the month"
    ref = no_column[0].ref
    now = store.load_month(db, LATEST)
    before = store.load_month(db, DEMO_MONTHS[-2])
    [risk_now] = [r for r in now if r.ref == ref]
    [risk_before] = [r for r in before if r.ref == ref]
    assert [(a.text, a.progress) for a in risk_now.actions] == [
        (a.text, a.progress) for a in risk_before.actions
    ]


def test_closed_risk_is_not_flagged_though_it_otherwise_would_be(
    workspace: tuple[Path, DemoReport], latest_flags: dict[str, Flag], db
) -> None:
    config = load_config(workspace[0] / "config.toml")
    now = store.load_month(db, LATEST)
    before = store.load_month(db, DEMO_MONTHS[-2])
    closed = [r for r in now if r.is_closed()]
    assert closed
    assert not any(r.ref in latest_flags for r in closed)
    reopened = [r.model_copy(update={"status": "Open"}) for r in closed]
    would_be = compute_flags(
        reopened, before, month=LATEST, report_date=None, config=config, previous_month=None
    )
    codes = {c for f in would_be for c in f.flags}
    assert {FlagCode.STALE_ACTION, FlagCode.NO_STRATEGY, FlagCode.OVERDUE_ACTION} <= codes
    assert {FlagCode.SCORE_INCREASED, FlagCode.ESCALATION_CANDIDATE} <= codes


def test_history_has_a_de_escalation_candidate(db) -> None:
    scores: dict[str, list[int | None]] = {}
    for k, month in enumerate(DEMO_MONTHS):
        for r in store.load_month(db, month):
            scores.setdefault(r.ref, [None] * len(DEMO_MONTHS))[k] = r.current_score
    below_three = [
        ref
        for ref, s in scores.items()
        if all(x is not None and x < 9 for x in s[-3:])
        and any(x is not None and x >= 9 for x in s[:-3])
    ]
    assert below_three
    moving = [ref for ref, s in scores.items() if len({x for x in s if x is not None}) > 1]
    assert len(moving) >= 10, "scores move over the months"


def test_text_survives_import_as_text(db) -> None:
    risks = store.load_month(db, LATEST)
    assert any((r.description or "").startswith("=HYPERLINK(") for r in risks)
    text = " ".join(f"{r.title} {r.description} {r.owner}" for r in risks)
    assert "£" in text and "–" in text and "é" in text
    assert any(r.early_warning_ref for r in risks)
    assert any(r.category == "Financial" and r.exposure for r in risks)


def test_the_early_warning_register_has_every_case(
    workspace: tuple[Path, DemoReport], latest_flags: dict[str, Flag], db
) -> None:
    """July's early warnings come in a sheet of July's risk export (a mixed workbook),
    August's in a file of their own; August's register shows the board every case."""
    from riskboard import board
    from riskboard.ew_register import view

    folder, report = workspace
    by_file = {r.file: r for r in report.imports}
    mixed = by_file["IRIS_Monthly_Output.xlsx"]
    assert mixed.risk_count > 50 and mixed.ew_count >= 15
    assert mixed.roles["Early Warnings"] == "early warnings"
    own = by_file["NEC4_Early_Warning_Register_Aug2022.xlsx"]
    assert (own.month, own.risk_count, own.ew_count) == ("2022-08", 0, 20)
    assert own.month_source.startswith("period label")

    config = load_config(folder / "config.toml")
    meeting = board.current_meeting(db) or board.list_meetings(db)[-1]
    ews = view(db, LATEST, config, meeting_id=meeting.id if meeting.month == LATEST else None)
    assert ews.ew_month == LATEST
    flagged = {code for r in ews.rows for code in r.flags}
    assert flagged == set(EW_FLAGS)  # every flag an early warning can carry
    statuses = {r.status.value for r in ews.rows}
    assert statuses == {"open", "removed", "compensation event"}
    assert all(not r.flags for r in ews.rows if not r.is_open)  # never flagged
    # and on the risks: exposure with no early warning, and the disagreeing link
    risk_codes = {c for f in latest_flags.values() for c in f.flags}
    assert {FlagCode.NO_EARLY_WARNING, FlagCode.EW_LINK_MISMATCH} <= risk_codes
    mismatch = [r for r in ews.rows if "ew_link_mismatch" in r.flags]
    named_by = {p.named_by for r in mismatch for p in r.flag_details["ew_link_mismatch"].problems}
    assert named_by == {"risk", "early_warning"}
    # the previous meeting kept EW-017 open with an action: no "no decision" flag on it
    [decided] = [r for r in ews.rows if r.ref == "EW-017"]
    assert "ew_undecided" not in decided.flags and "meeting 1" in (decided.last_decision or "")
    first = board.list_meetings(db)[0]
    assert [d.ew_ref for d in board.ew_decisions(db, first.id)] == ["EW-017"]
    assert any(a.ew_ref == "EW-017" for a in board.actions_arising(db, first.id))


def test_people_list_has_every_side(db) -> None:
    people = list(db.query("SELECT name, organisation, role, lead_officer FROM people"))
    leads = {p["organisation"] for p in people if p["lead_officer"]}
    assert leads == {"contractor", "directorate", "corporate"}
    assert all(p["role"] for p in people)


def test_running_again_changes_nothing(workspace: tuple[Path, DemoReport], db) -> None:
    folder, first = workspace
    tables = ("imports", "risk_snapshots", "action_snapshots", "flag_results", "people")
    before = {t: db.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in tables}
    again = install_demo(folder)
    assert [r.status for r in again.imports] == ["already_imported"] * len(first.imports)
    after = {t: db.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in tables}
    assert after == before
    assert again.flag_counts == first.flag_counts


# ----------------------------------------------------------------------------- CLI


def test_cli_demo_prints_summary_and_next_step(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["demo", "board"]) == 0
    out = capsys.readouterr().out
    assert "config.toml written" in out
    assert "IRIS_Monthly_Output.xlsx" in out and "imported" in out
    assert f"Months imported: {', '.join(DEMO_MONTHS)}" in out
    for code in FLAG_ORDER:
        assert f"({code.value})" in out
    assert "Early warning register: 20 early warnings" in out
    assert "NEC4_Early_Warning_Register_Aug2022.xlsx" in out and "20 early warnings" in out
    (hint,) = [line for line in out.splitlines() if line.startswith("Next: cd board && ")]
    command = shlex.split(hint.removeprefix("Next: cd board && ").removesuffix(" meeting"))
    ran = subprocess.run([*command, "--version"], cwd=tmp_path / "board", capture_output=True)
    assert ran.returncode == 0 and b"riskboard" in ran.stdout  # the hint works as printed
    assert (tmp_path / "board" / "riskboard.db").is_file()
    assert not (tmp_path / "riskboard.db").exists()

    assert main(["demo", "board"]) == 0
    out = capsys.readouterr().out
    assert "config.toml kept" in out
    assert "already imported" in out
    files = len(list((tmp_path / "board" / "imports").iterdir()))
    assert f"Files: {files} (0 imported, {files} already imported)" in out


def test_cli_demo_refuses_a_file_for_a_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "notes.txt").write_text("x")
    assert main(["demo", "notes.txt"]) == 1
    err = capsys.readouterr().err
    assert "notes.txt is a file, not a folder" in err
    assert "Traceback" not in err


def test_cli_demo_starts_a_quorate_meeting_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from riskboard import board

    monkeypatch.chdir(tmp_path)
    assert main(["demo", str(tmp_path / "abs")]) == 0  # an absolute folder works too
    # meeting 1 is the demo board's previous meeting (minutes to approve, board_history)
    assert "Demo meeting: meeting 2 (14/09/2022, August 2022 register)" in capsys.readouterr().out
    db = open_db(tmp_path / "abs" / "riskboard.db")
    try:
        meeting = board.current_meeting(db)
        assert meeting is not None and meeting.status == board.MeetingStatus.IN_PROGRESS
        assert (meeting.chair, meeting.minute_taker) == ("Helen Marsh", "Lucy Whitfield")
        assert board.quorum(db, meeting.id).met
        assert meeting.previous_meeting_id == 1
        present = {e.name for e in board.attendance(db, meeting.id) if e.status == "present"}
        assert {"Helen Marsh", "Gareth Price", "Alison Reeve"} <= present
    finally:
        db.conn.close()
    assert main(["demo", str(tmp_path / "abs")]) == 0  # again: the same meeting resumes
    assert "Demo meeting: meeting 2 " in capsys.readouterr().out
    db = open_db(tmp_path / "abs" / "riskboard.db")
    try:
        assert [m.id for m in board.list_meetings(db)] == [1, 2]
    finally:
        db.conn.close()

    assert main(["demo", "plain", "--no-meeting"]) == 0
    assert "Demo meeting" not in capsys.readouterr().out
    db = open_db(tmp_path / "plain" / "riskboard.db")
    try:  # only the demo's previous meeting, closed
        assert [(m.id, m.status) for m in board.list_meetings(db)] == [(1, "closed")]
        assert board.current_meeting(db) is None
    finally:
        db.conn.close()
