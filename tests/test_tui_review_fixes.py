"""The review of issue 11, through the meeting app driven by keys: someone leaving the
meeting (finding 2), withdrawn actions and every action-log key (7), a second save after
a conflict refusal (8 - in test_tui_record_rules), drafts kept per app session and the
cursor at the end of recorded text (9)."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest
from textual.widgets import DataTable, TextArea

from riskboard import board
from riskboard.config import Config
from riskboard.tui.app import RiskboardApp
from riskboard.tui.screens.action_log import ActionLogScreen
from riskboard.tui.screens.attendance import AttendanceScreen
from riskboard.tui.screens.form import FormDialog
from riskboard.tui.screens.review import ReviewScreen
from test_tui_record_rules import _first_meeting, _open_risk, _second
from tui_board import SIZE, build_config, make_quorate, read, type_text, wait_for_agenda

pytestmark = pytest.mark.slow  # the meeting app driven by the pilot


@pytest.fixture
def config(tmp_path: Path) -> Config:
    return build_config(tmp_path)


def _messages(app: RiskboardApp) -> list[str]:
    return [n.message for n in app._notifications]


# ----------------------------------------------------------------------------- finding 2


async def test_attendance_l_records_that_someone_left(config: Config) -> None:
    db = read(config)
    m = _second(db, config)
    board.save_review(db, m, "HM-001", decision="treat it")  # business with Raj present
    app = RiskboardApp(config)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_agenda(app, pilot)
        await pilot.press("a")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, AttendanceScreen)
        table = screen.query_one(DataTable)
        while screen.person is not None and screen.person.name != "Raj Patel":
            await pilot.press("down")
        await pilot.press("u")  # take him off: refused, he took part
        await pilot.pause()
        assert any(
            "Raj Patel was present at meeting" in n and "--left" in n for n in _messages(app)
        ), _messages(app)
        await pilot.press("x")  # apologies: refused too
        await pilot.pause()
        assert screen.status["raj patel"] == board.AttendanceStatus.PRESENT
        await pilot.press("l")
        await pilot.pause()
        assert "raj patel" in screen.left
        row = table.get_row("Raj Patel")
        assert str(row[1]) == "left"
        assert "Raj Patel left the meeting." in _messages(app)
    entry = next(e for e in board.attendance(read(config), m) if e.name == "Raj Patel")
    assert entry.status == board.AttendanceStatus.PRESENT and entry.left_at is not None
    assert not board.quorum(read(config), m).met


# ----------------------------------------------------------------------------- finding 7


async def test_no_action_log_key_crashes_on_any_status(config: Config) -> None:
    db = read(config)
    first = board.new_meeting(db, meeting_date="2022-08-10", chair="Helen Marsh", config=config)
    make_quorate(db, first.id)
    for text in ("Confirm salt stock", "Survey columns", "Cost the works", "Brief the cabinet"):
        board.add_action(db, first.id, text, owner="Gareth Price", due="2022-09-30")
    board.close_meeting(db, first.id)
    m = _second(db, config)
    board.update_action(db, m, 2, status="in progress")
    board.update_action(db, m, 3, status="closed")
    board.add_action(db, m, "Raised today", owner="Gareth Price", due="2022-10-30")
    app = RiskboardApp(config)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_agenda(app, pilot)
        await pilot.press("l")
        await pilot.pause()
        assert isinstance(app.screen, ActionLogScreen)
        await pilot.press("w")  # withdraw Action 1, as the reviewer did
        await pilot.pause()
        await type_text(pilot, "Raised in error")
        await pilot.press("ctrl+s")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ActionLogScreen)
        assert screen.entries[0].action.status == "withdrawn"
        await pilot.press("u")  # the reviewer's crash: InvalidSelectValueError, app gone
        await pilot.pause()
        assert app.screen is screen and app.is_running
        notices = _messages(app)
        assert any(
            n.startswith("Action 1 was withdrawn: Raised in error. A withdrawn action is never")
            for n in notices
        ), notices
        # every key on every row of both tables: a form opens and is cancelled, or a
        # notice says why not - the app never exits
        for table_id, rows in (("#log", 4), ("#arising", 1)):
            table = screen.query_one(table_id, DataTable)
            table.focus()
            for row in range(rows):
                table.move_cursor(row=row)
                for key in ("u", "enter", "w"):
                    await pilot.press(key)
                    await pilot.pause()
                    if isinstance(app.screen, FormDialog):
                        await pilot.press("escape")
                        await pilot.pause()
                    assert app.screen is screen and app.is_running
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, FormDialog)
        await pilot.press("escape")
        await pilot.pause()
    action = board.get_action(read(config), 1)
    assert (action.status, action.withdrawn_reason) == ("withdrawn", "Raised in error")


# ----------------------------------------------------------------------------- finding 9


async def test_two_apps_keep_their_own_drafts(config: Config) -> None:
    db = read(config)
    m = _second(db, config)
    a, b = RiskboardApp(config), RiskboardApp(config)
    async with a.run_test(size=SIZE) as pa, b.run_test(size=SIZE) as pb:
        await _open_risk(a, pa, "HM-001")
        await _open_risk(b, pb, "HM-001")
        await pa.press("w")
        await pa.pause()
        await type_text(pa, "A is typing this")
        assert a.drafts is not None and a.drafts.flush()
        await pb.press("w")  # B opens the same form: A's typing is A's, A still runs
        await pb.pause()
        form_b = b.screen
        assert isinstance(form_b, FormDialog)
        assert form_b.values()["note"] == ""
        assert "Restored" not in str(form_b.query_one("#form-notice").render())
        await type_text(pb, "B typed something else")
        assert b.drafts is not None and b.drafts.flush()
        await pb.press("escape")  # B cancels: only B's own draft goes
        await pb.pause()
        assert b.drafts.flush()
        a_key = board.draft_key(m, "note:HM-001", a.session)
        kept = board.get_draft(read(config), a_key)
        assert kept is not None and kept.fields == {"note": "A is typing this"}
        assert board.get_draft(read(config), board.draft_key(m, "note:HM-001", b.session)) is None
        # A's process dies (kill -9: no clean exit); on this machine that is seen at once
        with read(config).conn as conn:
            conn.execute(
                "UPDATE app_sessions SET pid = ? WHERE session = ?", [_dead_pid(), a.session]
            )
        await pb.press("w")
        await pb.pause()
        form_b = b.screen
        assert isinstance(form_b, FormDialog)
        assert form_b.values()["note"] == "A is typing this"  # offered: its app is gone
        assert "Restored what you were typing" in str(form_b.query_one("#form-notice").render())
        await type_text(pb, ", finished by B")
        await pb.press("ctrl+s")
        await pb.pause()
        assert isinstance(b.screen, ReviewScreen)
        assert b.drafts.flush()
    db = read(config)
    assert board.get_review(db, m, "HM-001").note == "A is typing this, finished by B"
    assert db.execute("SELECT COUNT(*) FROM form_drafts").fetchone()[0] == 0


def _dead_pid() -> int:
    """A process id on this machine that no process has."""
    pid = 4_000_000
    while True:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return pid
        except PermissionError:
            pass
        pid += 1


async def test_a_live_apps_draft_is_never_offered_nor_deleted(config: Config) -> None:
    """Service side of the same rule, with an app on another machine that still beats."""
    db = read(config)
    m = _second(db, config)
    board.begin_session(db, "elsewhere")
    with db.conn:
        db.execute(
            "UPDATE app_sessions SET host = ? WHERE session = 'elsewhere'",
            [socket.gethostname() + "-other"],
        )
    key = board.draft_key(m, "note:HM-001", "elsewhere")
    board.save_draft(db, key, meeting_id=m, form="Note", fields={"note": "theirs"},
                     base={"note": ""}, seq=1, slot=board.draft_slot(m, "note:HM-001"),
                     session="elsewhere")  # fmt: skip
    assert board.offered_draft(db, m, "note:HM-001", "mine") is None
    board.discard_adopted(db, key)
    assert board.get_draft(db, key) is not None
    with db.conn:  # its heartbeat stops
        db.execute("UPDATE app_sessions SET seen_at = '2022-01-01T00:00:00+00:00'")
    offered = board.offered_draft(db, m, "note:HM-001", "mine")
    assert offered is not None and offered.fields == {"note": "theirs"}


async def test_editing_a_recorded_decision_starts_at_its_end(config: Config) -> None:
    db = read(config)
    _first_meeting(db, config)
    m = _second(db, config)
    board.save_review(db, m, "HM-001", decision="RESOLVED: treat the backlog")
    app = RiskboardApp(config)
    async with app.run_test(size=SIZE) as pilot:
        await _open_risk(app, pilot, "HM-001")
        await pilot.press("d")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, FormDialog)
        area = form.query_one(TextArea)
        assert area.cursor_location == area.document.end
        await type_text(pilot, " by March")
        await pilot.press("ctrl+s")
        await pilot.pause()
    assert board.get_review(read(config), m, "HM-001").decision == (
        "RESOLVED: treat the backlog by March"
    )


async def test_a_change_noted_while_a_form_is_composing_is_shown_not_a_crash() -> None:
    """The app's change-watch timer can reach a form before it is composed (or while it
    closes): that once crashed the app with NoMatches '#form-notice' under load. The
    note is kept and shown when the form is on screen."""
    from textual.app import App

    from riskboard.tui.screens.form import Field

    form = FormDialog("Note", [Field("note", "Note", "long")])
    form.note_changed_elsewhere("HM-001 reviewed by the command line")  # not composed yet
    app: App[None] = App()
    async with app.run_test(size=SIZE) as pilot:
        app.push_screen(form)
        await pilot.pause()
        notice = str(form.query_one("#form-notice").render())
        assert "Changed elsewhere while this form is open: HM-001 reviewed" in notice
        form.dismiss(None)
        form.note_changed_elsewhere("again, while it closes")  # no crash either
        await pilot.pause()


async def test_a_change_elsewhere_while_a_screen_is_not_composed_is_no_crash(
    config: Config, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The change-watch timer refreshes every screen on the stack; one still being
    composed (or closing) has no '#agenda-items' yet, which ended the app under load.
    It is skipped (it reads the reloaded record when it mounts); the others still hear."""
    from textual.css.query import NoMatches

    db = read(config)
    m = _second(db, config)
    app = RiskboardApp(config)
    async with app.run_test(size=SIZE) as pilot:
        agenda = await wait_for_agenda(app, pilot)

        def not_composed() -> None:
            raise NoMatches("No nodes match '#agenda-items'")

        monkeypatch.setattr(agenda, "refresh_from_record", not_composed)
        board.add_aob(read(config), m, "Budget for gully cleansing")  # from a script
        app.check_changes()
        await pilot.pause()
        assert app.is_running
        assert any("any other business added" in msg for msg in _messages(app))
