"""Schedule maths: the nightly trigger from config, the next run, and catch-up.

Pure functions over APScheduler's ``CronTrigger``; tests check them with
``get_next_fire_time`` and a frozen clock instead of waiting for the schedule.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from apscheduler.triggers.cron import CronTrigger

from riskboard.config import Config
from riskboard.errors import ConfigError

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


def iso(dt: datetime) -> str:
    """An aware datetime as the UTC ISO text stored in the database."""
    return dt.astimezone(UTC).isoformat(timespec="seconds")


_HHMM = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*$")
_DOW_NAMES = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"]


def cron_weekdays(field: str) -> str:
    """A crontab day-of-week field (0 or 7 = Sunday) as APScheduler 3 day names.

    APScheduler 3's ``from_crontab`` counts 0 as Monday; cron counts it as Sunday, so
    "1-5" would silently mean Tuesday to Saturday. Expanding to names avoids that."""
    if field == "*":
        return field
    days: set[int] = set()
    for part in field.lower().split(","):
        rng, _, step_text = part.partition("/")
        step = int(step_text) if step_text else 1
        if step < 1:
            raise ValueError(f"bad step in day of week {part!r}")
        if rng == "*":
            lo, hi = 0, 6
        else:
            a, _, b = rng.partition("-")
            lo = _weekday(a)
            hi = _weekday(b) if b else (6 if step_text else lo)
            if b and hi == 0 and b.strip() == "7":
                hi = 7
        if hi < lo:
            raise ValueError(f"day of week range {rng!r} runs backwards")
        days.update(d % 7 for d in range(lo, hi + 1, step))
    return ",".join(_DOW_NAMES[d] for d in sorted(days))


def _weekday(text: str) -> int:
    text = text.strip()
    if text.isdigit() and 0 <= int(text) <= 7:
        return int(text) % 7 if int(text) != 7 else 0
    if text[:3] in _DOW_NAMES:
        return _DOW_NAMES.index(text[:3])
    raise ValueError(f"unknown day of week {text!r}")


def parse_schedule(expr: str, timezone: str) -> CronTrigger:
    """``"HH:MM"`` (every day) or a five-field cron expression, in ``timezone``."""
    tz = ZoneInfo(timezone)
    m = _HHMM.match(expr)
    if m:
        hour, minute = int(m.group(1)), int(m.group(2))
        if hour < 24 and minute < 60:
            return CronTrigger(hour=hour, minute=minute, timezone=tz)
    else:
        fields = expr.split()
        if len(fields) == 5:
            try:
                minute_f, hour_f, day_f, month_f, dow_f = fields
                return CronTrigger(
                    minute=minute_f,
                    hour=hour_f,
                    day=day_f,
                    month=month_f,
                    day_of_week=cron_weekdays(dow_f),
                    timezone=tz,
                )
            except ValueError as exc:
                reason = str(exc)
            else:  # pragma: no cover
                reason = ""
        else:
            reason = f"it has {len(fields)} fields"
        raise ConfigError(
            f"config key schedule.nightly: {expr!r} is not a valid cron expression ({reason})",
            hint='use "HH:MM" such as "02:00", or five cron fields such as "0 2 * * 1-5"',
        )
    raise ConfigError(
        f"config key schedule.nightly: {expr!r} is not a time of day",
        hint='use "HH:MM" from "00:00" to "23:59", or five cron fields',
    )


def trigger_for(config: Config) -> CronTrigger:
    return parse_schedule(config.schedule.nightly, config.schedule.timezone)


def next_fire(trigger: CronTrigger, now: datetime) -> datetime | None:
    nxt: datetime | None = trigger.get_next_fire_time(None, now)
    return nxt


def catch_up_due(trigger: CronTrigger, last_success: datetime | None, now: datetime) -> bool:
    """True if a scheduled run fell between the last successful run and ``now``.

    That is "the last successful run is older than the schedule's period" measured on
    the schedule itself: for a daily 02:00 it is due when the last good run started
    before today's 02:00 and it is now past 02:00, including after a manual run in the
    afternoon followed by a night the machine was off; for weekdays only, a weekend
    does not count as missed. Never run at all: due."""
    if last_success is None:
        return True
    following = trigger.get_next_fire_time(None, last_success)
    return following is not None and following <= now
