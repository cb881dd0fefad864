"""Rule 9 (issue 11), the service side: drafts of open forms are kept as typed, never
go backwards, survive the process, and are not part of the record."""

from __future__ import annotations

from pathlib import Path

import sqlite_utils

from board_helpers import audit_count, start
from riskboard import board
from riskboard.config import Config, PathsConfig
from riskboard.store import open_db
from riskboard.tui.drafts import DraftKeeper, DraftSpec


def test_drafts_keep_the_newest_text_and_are_not_audited(db: sqlite_utils.Database) -> None:
    m = start(db)
    key = board.draft_key(m.id, "note:HM-001")
    before = audit_count(db)
    board.save_draft(db, key, meeting_id=m.id, form="Discussion note - HM-001",
                     fields={"note": "Claims ris"}, base={"note": ""}, seq=2)  # fmt: skip
    board.save_draft(
        db,
        key,
        meeting_id=m.id,
        form="Discussion note - HM-001",
        fields={"note": "Clai"},
        base={"note": ""},
        seq=1,
    )  # a late, older write
    draft = board.get_draft(db, key)
    assert draft is not None and draft.fields == {"note": "Claims ris"}
    assert draft.base == {"note": ""} and draft.meeting_id == m.id
    assert audit_count(db) == before
    board.discard_draft(db, key)
    assert board.get_draft(db, key) is None
    assert board.content_hash(db, m.id)  # the record does not depend on drafts


def test_keeper_writes_in_the_background_and_survives_a_new_connection(tmp_path: Path) -> None:
    config = Config(paths=PathsConfig(database=tmp_path / "rb.db"))
    open_db(config.paths.database).conn.close()
    keeper = DraftKeeper(config)
    spec = DraftSpec("1:note:HM-001", 1, "Discussion note - HM-001")
    for text in ("C", "Cl", "Cla", "Claims rising"):
        keeper.keep(spec, {"note": text}, {"note": ""})
    assert keeper.flush()
    keeper.close()
    assert keeper.failed is None
    db = open_db(config.paths.database)
    draft = board.get_draft(db, spec.key)
    assert draft is not None and draft.fields == {"note": "Claims rising"}


def test_a_killed_app_not_yet_reaped_is_not_running(db: sqlite_utils.Database) -> None:
    """kill -9 leaves a zombie until its parent reaps it: its drafts are offered at once."""
    import subprocess
    import sys
    import time

    child = subprocess.Popen([sys.executable, "-c", "pass"])
    try:
        for _ in range(100):  # exited, never waited for: a zombie
            if (
                Path(f"/proc/{child.pid}/stat").exists()
                and " Z " in Path(f"/proc/{child.pid}/stat").read_text()
            ):
                break
            time.sleep(0.02)
        board.begin_session(db, "gone")
        with db.conn:
            db.execute("UPDATE app_sessions SET pid = ? WHERE session = 'gone'", [child.pid])
        assert not board.session_running(db, "gone")
        board.begin_session(db, "me")
        assert board.session_running(db, "me")  # this very process
    finally:
        child.wait()
