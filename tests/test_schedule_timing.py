"""Schedule maths: the nightly trigger from config, DST, cron weekdays and catch-up.

Checked with CronTrigger.get_next_fire_time and a frozen clock - nothing waits.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from apscheduler.events import EVENT_JOB_EXECUTED, EVENT_JOB_MISSED, JobExecutionEvent

from riskboard.config import Config
from riskboard.errors import RiskboardError
from riskboard.schedule.job import RunSummary
from riskboard.schedule.runner import (
    CATCH_UP_JOB_ID,
    JOB_ID,
    MAX_RECHECKS,
    RECHECK_JOB_ID,
    NightlyScheduler,
    build_scheduler,
)
from riskboard.schedule.timing import catch_up_due, cron_weekdays, parse_schedule

LONDON = ZoneInfo("Europe/London")


def fires(trigger, start: datetime, count: int) -> list[datetime]:
    """The next ``count`` fire times after ``start``, as a running scheduler sees them."""
    out: list[datetime] = []
    previous, now = None, start
    for _ in range(count):
        nxt = trigger.get_next_fire_time(previous, now)
        out.append(nxt)
        previous = now = nxt
    return out


def test_hhmm_runs_every_day_at_that_local_time():
    trigger = parse_schedule("02:00", "Europe/London")
    times = fires(trigger, datetime(2024, 6, 3, 12, 0, tzinfo=LONDON), 3)
    assert [t.strftime("%Y-%m-%d %H:%M") for t in times] == [
        "2024-06-04 02:00",
        "2024-06-05 02:00",
        "2024-06-06 02:00",
    ]


def test_nightly_stays_at_two_am_local_across_spring_forward():
    # 31 Mar 2024: clocks go from 01:00 GMT to 02:00 BST; 02:00 BST exists once
    trigger = parse_schedule("02:00", "Europe/London")
    times = fires(trigger, datetime(2024, 3, 29, 12, 0, tzinfo=LONDON), 3)
    assert [t.astimezone(UTC).strftime("%m-%d %H:%M") for t in times] == [
        "03-30 02:00",  # GMT
        "03-31 01:00",  # BST: same wall-clock time, one hour earlier in UTC
        "04-01 01:00",
    ]
    assert all(t.astimezone(LONDON).hour == 2 for t in times)
    assert times[1].astimezone(UTC) - times[0].astimezone(UTC) == timedelta(hours=23)


def test_nightly_runs_once_across_fall_back():
    # 27 Oct 2024: 02:00 BST becomes 01:00 GMT; 02:00 comes once, a 25-hour night
    trigger = parse_schedule("02:00", "Europe/London")
    times = fires(trigger, datetime(2024, 10, 25, 12, 0, tzinfo=LONDON), 3)
    assert [t.astimezone(UTC).strftime("%m-%d %H:%M") for t in times] == [
        "10-26 01:00",  # BST
        "10-27 02:00",  # GMT
        "10-28 02:00",
    ]
    assert times[1].astimezone(UTC) - times[0].astimezone(UTC) == timedelta(hours=25)


def test_a_time_in_the_skipped_hour_still_runs_that_night():
    # 01:30 does not exist on 31 Mar 2024 in London: the run happens (an hour later), not skipped
    trigger = parse_schedule("01:30", "Europe/London")
    times = fires(trigger, datetime(2024, 3, 30, 12, 0, tzinfo=LONDON), 2)
    assert times[0].astimezone(UTC) == datetime(2024, 3, 31, 1, 30, tzinfo=UTC)
    assert times[1].astimezone(UTC) == datetime(2024, 4, 1, 0, 30, tzinfo=UTC)


def test_cron_weekdays_use_cron_numbering_not_apscheduler3s():
    # cron: 0 and 7 are Sunday, 1-5 Monday to Friday (APScheduler 3 would read 1-5 as Tue-Sat)
    assert cron_weekdays("1-5") == "mon,tue,wed,thu,fri"
    assert cron_weekdays("0") == "sun"
    assert cron_weekdays("7") == "sun"
    assert cron_weekdays("6,7") == "sun,sat"
    assert cron_weekdays("*/2") == "sun,tue,thu,sat"
    assert cron_weekdays("mon-wed") == "mon,tue,wed"
    assert cron_weekdays("*") == "*"


def test_weekday_cron_expression_skips_the_weekend():
    trigger = parse_schedule("30 1 * * 1-5", "Europe/London")
    # Friday 7 June 2024 midday -> Mon, Tue
    times = fires(trigger, datetime(2024, 6, 7, 12, 0, tzinfo=LONDON), 2)
    assert [t.strftime("%a %H:%M") for t in times] == ["Mon 01:30", "Tue 01:30"]
    sunday_only = parse_schedule("0 3 * * 0", "Europe/London")
    assert sunday_only.get_next_fire_time(None, datetime(2024, 6, 7, tzinfo=LONDON)).strftime(
        "%a %d"
    ) == ("Sun 09")


@pytest.mark.parametrize(
    ("expr", "words"),
    [
        ("25:00", "not a time of day"),
        ("2am", "not a valid cron expression"),
        ("0 2 * *", "4 fields"),
        ("0 27 * * *", "not a valid cron expression"),
        ("0 2 * * 8", "unknown day of week"),
    ],
)
def test_bad_schedule_names_the_config_key(expr, words):
    with pytest.raises(RiskboardError) as err:
        parse_schedule(expr, "Europe/London")
    assert "schedule.nightly" in str(err.value)
    assert words in str(err.value)


def test_scheduler_job_has_explicit_id_and_safe_defaults(tmp_path):
    config = Config.model_validate({"schedule": {"misfire_grace_hours": 6}}).resolve(tmp_path)
    scheduler = build_scheduler(config, threading.Event(), threading.Lock())
    # job defaults are applied when the scheduler starts: start it paused in a thread
    runner = threading.Thread(target=scheduler.start, kwargs={"paused": True})
    runner.start()
    try:
        for _ in range(200):
            if scheduler.running:
                break
            threading.Event().wait(0.01)
        job = scheduler.get_job(JOB_ID)
        assert job is not None
        assert job.coalesce is True
        assert job.max_instances == 1
        assert job.misfire_grace_time == 6 * 3600
        assert str(job.trigger.timezone) == "Europe/London"
        assert job.next_run_time.astimezone(LONDON).strftime("%H:%M") == "02:00"
        # adding it again replaces it rather than failing or doubling it
        scheduler.add_job(
            job.func, job.trigger, id=JOB_ID, replace_existing=True, kwargs=job.kwargs
        )
        assert len(scheduler.get_jobs()) == 1
    finally:
        scheduler.shutdown(wait=False)
        runner.join(5)
    assert not runner.is_alive()


# --------------------------------------------------------------------------- catch-up


NIGHTLY = parse_schedule("02:00", "Europe/London")


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=LONDON)


def test_catch_up_when_never_run():
    assert catch_up_due(NIGHTLY, None, at("2024-06-05 10:00"))


def test_no_catch_up_when_last_night_ran():
    assert not catch_up_due(NIGHTLY, at("2024-06-05 02:00:03"), at("2024-06-05 10:00"))


def test_no_catch_up_before_tonights_time():
    # ran at 02:00 yesterday; restarted at 01:00 today: tonight's run is still ahead
    assert not catch_up_due(NIGHTLY, at("2024-06-04 02:00:01"), at("2024-06-05 01:00"))


def test_catch_up_after_a_night_the_machine_was_off():
    assert catch_up_due(NIGHTLY, at("2024-06-03 02:00:01"), at("2024-06-05 08:30"))


def test_catch_up_after_a_manual_afternoon_run_then_a_missed_night():
    # a --once run at 15:00 does not cover the 02:00 run that was then missed
    assert catch_up_due(NIGHTLY, at("2024-06-04 15:00"), at("2024-06-05 03:00"))


def test_weekend_is_not_a_missed_run_for_a_weekday_schedule():
    weekdays = parse_schedule("0 2 * * 1-5", "Europe/London")
    friday = at("2024-06-07 02:00:05")
    assert not catch_up_due(weekdays, friday, at("2024-06-10 01:00"))  # Monday before 02:00
    assert catch_up_due(weekdays, friday, at("2024-06-10 02:30"))  # Monday's run missed


# --------------------------------------------------------- reacting to the job's events


def _events_scheduler(tmp_path, settle: int = 60):
    config = Config.model_validate({"schedule": {"settle_seconds": settle}}).resolve(tmp_path)
    now = datetime(2024, 6, 2, 1, 0, tzinfo=UTC)
    return NightlyScheduler(config, clock=lambda: now), now


def _executed(summary):
    return JobExecutionEvent(EVENT_JOB_EXECUTED, JOB_ID, "default", summary.started_at, summary)


def _summary(unsettled: int):
    return RunSummary(
        run_id=1, trigger="nightly", started_at="x", unsettled=unsettled, outcome="ok"
    )


def _one_offs(nightly) -> list[tuple[str, datetime]]:
    return [(j.id, j.trigger.run_date) for j in nightly.scheduler.get_jobs() if j.id != JOB_ID]


def test_files_still_being_written_are_looked_at_again_settle_seconds_later(tmp_path):
    nightly, now = _events_scheduler(tmp_path, settle=60)
    seen = []
    nightly.on_run = seen.append
    nightly.on_event(_executed(_summary(unsettled=0)))
    assert _one_offs(nightly) == []  # nothing waiting: nothing until tomorrow
    nightly.on_event(_executed(_summary(unsettled=2)))
    assert _one_offs(nightly) == [(RECHECK_JOB_ID, now + timedelta(seconds=60))]
    assert [s.unsettled for s in seen] == [0, 2]  # each run is reported


def test_rechecks_stop_after_a_limit_and_when_stopping(tmp_path):
    nightly, _ = _events_scheduler(tmp_path)
    for _ in range(MAX_RECHECKS + 1):
        nightly.on_event(_executed(_summary(unsettled=1)))
    assert len(_one_offs(nightly)) == MAX_RECHECKS  # a file that never settles waits for tomorrow

    nightly, _ = _events_scheduler(tmp_path)
    nightly.stop.set()
    nightly.on_event(_executed(_summary(unsettled=1)))
    assert _one_offs(nightly) == []


def test_a_run_missed_beyond_the_grace_is_caught_up_at_once(tmp_path):
    nightly, now = _events_scheduler(tmp_path)
    nightly.on_event(JobExecutionEvent(EVENT_JOB_MISSED, JOB_ID, "default", now))
    assert _one_offs(nightly) == [(CATCH_UP_JOB_ID, now)]
