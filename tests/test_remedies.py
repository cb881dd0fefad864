"""A service states what is wrong and a remedy code; the CLI words it as flags, the
meeting app as the form field to fill (issue 10, "How to build it"). On main the form
showed "hint: give --rationale TEXT and --review-by DATE"."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from board_helpers import quorate
from riskboard import board
from riskboard.cli.remedies import error_line
from riskboard.config import Config
from riskboard.errors import (
    ConfigError,
    MeetingStateError,
    NotFound,
    RefusedWorkbook,
    Remedy,
    RiskboardError,
    StoreUnavailable,
)
from riskboard.tui.app import RiskboardApp
from riskboard.tui.remedies import error_text
from riskboard.tui.screens.form import FormDialog
from tui_board import (
    SIZE,
    build_config,
    choose,
    make_quorate,
    read,
    take_item,
    type_text,
    wait_for_agenda,
)


def refusal(db, **values: object) -> RiskboardError:
    m = board.current_meeting(db)
    if m is None:
        m = board.new_meeting(db, meeting_date="2022-09-14", chair="Al")
        quorate(db, m.id)
    with pytest.raises(RiskboardError) as info:
        board.save_review(db, m.id, "HM-001", strategy="tolerate", **values)
    return info.value


def test_one_refusal_two_wordings(db) -> None:
    err = refusal(db, rationale="costs")
    assert str(err) == "risk HM-001: strategy tolerate needs a review-by date"
    assert (err.remedy, err.fields) == (Remedy.GIVE_FIELDS, ("review_by",))
    assert error_line(err) == str(err) + " - give --review-by DATE"
    labels = {"rationale": "Rationale", "review_by": "Review by"}
    assert error_text(err, labels) == str(err) + " - fill in Review by"
    both = refusal(db)
    assert error_line(both).endswith("give --rationale TEXT and --review-by DATE")
    assert error_text(both, labels).endswith("fill in Rationale and Review by")


def test_the_family_keeps_the_base_and_its_location_fields() -> None:
    for kind in (RefusedWorkbook, ConfigError, MeetingStateError, NotFound, StoreUnavailable):
        err = kind("bad", file="x.xlsx", sheet="Risks", row=7, column="Owner", key="k")
        assert isinstance(err, RiskboardError)
        assert str(err) == "file x.xlsx, sheet 'Risks', row 7, column 'Owner', key k: bad"
        back = pickle.loads(pickle.dumps(err))  # crosses the import child's boundary
        assert type(back) is kind and back.details() == err.details() and str(back) == str(err)
    legacy = RiskboardError("old style", hint="as before")  # the constructor is unchanged
    assert str(legacy) == "old style - as before" and legacy.remedy is None


@pytest.mark.slow  # the meeting app driven by the pilot
async def test_the_form_names_the_field_to_fill_and_goes_there(tmp_path: Path) -> None:
    config: Config = build_config(tmp_path)
    app = RiskboardApp(config)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await type_text(pilot, "14/09/2022")
        await pilot.press("tab", "tab")
        await type_text(pilot, "Helen Marsh")
        await pilot.press("ctrl+s")
        await wait_for_agenda(app, pilot)
        assert app.meeting is not None
        make_quorate(read(config), app.meeting.id)  # recorded by the minute-taker's CLI
        await take_item(pilot, "flagged")
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("s")
        await pilot.pause()
        await choose(pilot, "tol")
        await pilot.press("tab")
        await type_text(pilot, "No date given")
        await pilot.press("ctrl+s")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, FormDialog)
        shown = str(form.query_one("#form-error").render())
        assert shown.endswith("needs a review-by date - fill in Review by")
        assert "--" not in shown and "hint" not in shown
        assert app.focused is form.query_one("#field-review_by")
    assert list(read(config).query("SELECT * FROM reviews")) == []
