"""The nightly import job and its APScheduler wiring."""
