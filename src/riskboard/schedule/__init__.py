"""The unattended nightly import: the job, its APScheduler wiring and its status.

- ``job.run_nightly(config)``: one pass over ``imports/`` (settle check, import each
  file in its own transaction, archive / failed with a reason, chase list, run record).
- ``runner.run_scheduler(config)``: ``riskboard scheduler``, a ``BlockingScheduler`` in
  its own process (never inside the TUI); ``runner.run_once(config)``: ``--once``.
- ``timing``: the trigger from ``schedule.nightly`` and the catch-up rule.
- ``lock.SchedulerLock``: one scheduler per database, released by the OS on death.
- ``status.scheduler_status(config)``: next run, holder, waiting files, last runs.
"""

from riskboard.schedule.job import FileOutcome, RunSummary, run_nightly
from riskboard.schedule.lock import SchedulerLock, lock_holder
from riskboard.schedule.runner import run_once, run_scheduler
from riskboard.schedule.status import scheduler_status
from riskboard.schedule.timing import catch_up_due, parse_schedule

__all__ = [
    "FileOutcome",
    "RunSummary",
    "SchedulerLock",
    "catch_up_due",
    "lock_holder",
    "parse_schedule",
    "run_nightly",
    "run_once",
    "run_scheduler",
    "scheduler_status",
]
