"""Flag rules: each code, its edge cases, and closed risks never flagged."""

from __future__ import annotations

from datetime import date

import pytest

from riskboard.config import Config
from riskboard.domain import Action, FlagCode, Risk
from riskboard.flag_text import suggested_target
from riskboard.flags import compute_flags

MONTH = "2022-08"
CFG = Config()


def risk(ref: str = "R1", **kw: object) -> Risk:
    base: dict[str, object] = {
        "title": f"Risk {ref}",
        "strategy": "treat",
        "strategy_text": "Treat",
        "current_likelihood": 2,
        "current_impact": 2,
        "current_score": 4,
        "status": "Open",
        "actions": [action(ref)],
    }
    base.update(kw)
    return Risk(ref=ref, **base)  # type: ignore[arg-type]


def action(ref: str = "R1", **kw: object) -> Action:
    base: dict[str, object] = {
        "action_ref": f"{ref}-A1",
        "text": "Inspect gullies",
        "progress": "On track",
        "last_updated": date(2022, 8, 10),
        "due": date(2022, 12, 31),
        "status": "In progress",
    }
    base.update(kw)
    return Action(risk_ref=ref, **base)  # type: ignore[arg-type]


def codes(current: list[Risk], previous: list[Risk] | None = None, **kw: object) -> dict:
    flags = compute_flags(
        current,
        previous,
        month=MONTH,
        report_date=kw.pop("report_date", None),  # type: ignore[arg-type]
        config=kw.pop("config", CFG),  # type: ignore[arg-type]
        previous_month="2022-07" if previous is not None else None,
    )
    return {f.ref: f for f in flags}


def test_a_healthy_risk_has_no_flags() -> None:
    assert codes([risk()], [risk()]) == {}


def test_stale_when_no_action_updated_inside_the_month() -> None:
    r = risk(
        actions=[
            action(last_updated=date(2022, 7, 31)),
            action(action_ref="A2", last_updated=date(2022, 6, 1)),
        ]
    )
    flag = codes([r])["R1"]
    assert flag.flags == [FlagCode.STALE_ACTION]
    assert flag.details["stale_action"].model_dump(mode="json")["last_update"] == "2022-07-31"


def test_one_updated_action_is_enough() -> None:
    r = risk(
        actions=[
            action(last_updated=date(2022, 7, 1)),
            action(action_ref="A2", last_updated=date(2022, 8, 1)),
        ]
    )
    assert "R1" not in codes([r])


def test_update_after_month_end_before_report_counts() -> None:
    r = risk(actions=[action(last_updated=date(2022, 9, 2))])
    assert "R1" not in codes([r], report_date=date(2022, 9, 5))


def test_without_last_updated_unchanged_progress_is_stale() -> None:
    before = risk(actions=[action(last_updated=None, progress="Survey booked")])
    same = risk(actions=[action(last_updated=None, progress="Survey booked")])
    moved = risk(actions=[action(last_updated=None, progress="Survey done")])
    assert codes([same], [before])["R1"].flags == [FlagCode.STALE_ACTION]
    assert "R1" not in codes([moved], [before])


def test_without_last_updated_a_new_action_counts_as_updated() -> None:
    before = risk(actions=[action(last_updated=None)])
    now = risk(
        actions=[
            action(last_updated=None),
            action(action_ref="R1-A2", text="New", last_updated=None),
        ]
    )
    assert "R1" not in codes([now], [before])


def test_all_actions_complete_is_not_stale() -> None:
    r = risk(actions=[action(last_updated=date(2022, 1, 1), status="Complete")])
    assert "R1" not in codes([r])


def test_no_action() -> None:
    assert codes([risk(actions=[])])["R1"].flags == [FlagCode.NO_ACTION]


@pytest.mark.parametrize(
    ("strategy", "text", "expected"),
    [
        (None, None, FlagCode.NO_STRATEGY),
        (None, "  ", FlagCode.NO_STRATEGY),
        (None, "Monitor", FlagCode.UNKNOWN_STRATEGY),
    ],
)
def test_strategy_flags(strategy: str | None, text: str | None, expected: FlagCode) -> None:
    assert codes([risk(strategy=strategy, strategy_text=text)])["R1"].flags == [expected]


def test_overdue_uses_report_date_else_month_end() -> None:
    r = risk(actions=[action(due=date(2022, 9, 3))])
    assert "R1" not in codes([r])  # month end 31 Aug is before the due date
    flag = codes([r], report_date=date(2022, 9, 5))["R1"]
    assert flag.flags == [FlagCode.OVERDUE_ACTION]
    assert (
        flag.details["overdue_action"].model_dump(mode="json")["actions"][0]["due"] == "2022-09-03"
    )


def test_complete_action_is_never_overdue() -> None:
    r = risk(
        actions=[action(due=date(2022, 1, 1), status="Completed", last_updated=date(2022, 8, 2))]
    )
    assert "R1" not in codes([r])


def test_score_increased_against_previous_month() -> None:
    before = risk(current_score=4)
    now = risk(current_likelihood=3, current_impact=2, current_score=6)
    flag = codes([now], [before])["R1"]
    assert flag.flags == [FlagCode.SCORE_INCREASED]
    assert flag.details["score_increased"].model_dump() == {
        "previous_score": 4,
        "current_score": 6,
        "previous_month": "2022-07",
    }
    assert "R1" not in codes([before], [now])  # a fall is not flagged


def test_new_risk_only_when_last_month_has_data() -> None:
    assert codes([risk("R2")], [risk("R1")])["R2"].flags == [FlagCode.NEW_RISK]
    assert "R2" not in codes([risk("R2")], None)


def test_missing_from_export_unless_closed_last_month() -> None:
    result = codes([risk("R1")], [risk("R1"), risk("R9"), risk("R8", status="Closed")])
    assert result["R9"].flags == [FlagCode.MISSING_FROM_EXPORT]
    assert "R8" not in result


def test_escalation_candidate_names_the_register() -> None:
    result = codes(
        [risk("D", current_score=9), risk("C", current_score=16), risk("N", current_score=8)]
    )
    assert suggested_target(result["D"].details) == "directorate"
    assert suggested_target(result["C"].details) == "corporate"
    assert "N" not in result


def test_thresholds_come_from_config() -> None:
    cfg = Config.model_validate({"escalation": {"directorate": 12, "corporate": 20}})
    result = codes([risk("A", current_score=9), risk("B", current_score=16)], config=cfg)
    assert "A" not in result
    assert suggested_target(result["B"].details) == "directorate"


def test_closed_risk_is_never_flagged() -> None:
    closed = risk(
        status="Closed",
        strategy=None,
        strategy_text=None,
        current_score=25,
        actions=[action(last_updated=date(2020, 1, 1), due=date(2020, 1, 1))],
    )
    assert codes([closed], [risk(current_score=4)]) == {}


def test_flags_are_listed_stale_first() -> None:
    r = risk(
        strategy=None,
        strategy_text=None,
        current_score=16,
        actions=[action(last_updated=date(2022, 1, 1), due=date(2022, 2, 1))],
    )
    assert codes([r])["R1"].flags == [
        FlagCode.STALE_ACTION,
        FlagCode.NO_STRATEGY,
        FlagCode.OVERDUE_ACTION,
        FlagCode.ESCALATION_CANDIDATE,
    ]


def test_escalation_routes_by_score_and_exposure() -> None:
    from riskboard.flags import escalation_routes

    assert escalation_routes(risk(current_score=4), CFG) == []
    assert escalation_routes(risk(current_score=9), CFG) == ["directorate"]
    assert escalation_routes(risk(current_score=20, exposure=300_000), CFG) == [
        "corporate",
        "operations-board",
        "strategic-board",
        "fc-cluster",
    ]
    assert escalation_routes(risk(category="Financial"), CFG) == ["operations-board"]
    assert escalation_routes(risk(exposure=150_000), CFG) == ["operations-board", "fc-cluster"]
    off = Config.model_validate({"escalation": {"financial": {"fc_cluster_min_gbp": None}}})
    assert escalation_routes(risk(exposure=150_000), off) == ["operations-board"]
