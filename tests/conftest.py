"""Shared fixtures. Each yields what it opens and closes it afterwards.

- ``fresh_db``: an empty riskboard database (schema migrated, nothing imported).
- ``db``: the meeting-service database of ``board_helpers.seeded_db`` - two imported
  months, 2022-07 (HM-001, SL-002) and 2022-08 (+ WS-003).

Slow tests (the meeting app driven by Textual's pilot, child processes, whole-demo
builds) carry the ``slow`` marker: ``pytest -m "not slow"`` is the quick loop.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlite_utils

from board_helpers import seeded_db
from riskboard.store import open_db


@pytest.fixture
def fresh_db(tmp_path: Path) -> Iterator[sqlite_utils.Database]:
    """An empty database at ``tmp_path / "rb.db"``, closed after the test."""
    database = open_db(tmp_path / "rb.db")
    yield database
    database.conn.close()


@pytest.fixture
def db(tmp_path: Path) -> Iterator[sqlite_utils.Database]:
    """The seeded meeting-service database (see the module docstring), closed after."""
    database = seeded_db(tmp_path / "rb.db")
    yield database
    database.conn.close()
