"""The nightly job prepares the owner emails ``[chase] days_before_board`` days before
the next board - drafts by default, sent when configured - once for the month."""

from __future__ import annotations

from datetime import UTC, datetime
from email import policy
from email.parser import BytesParser
from pathlib import Path

import pytest

from riskboard import board
from riskboard.reports.chase_lock import SendLock
from riskboard.schedule.job import run_nightly
from riskboard.store import open_db
from smtp_server import smtp_server
from test_chase_mail import build
from test_chase_send import ADDRESSES, smtp_config

# the board reviewing May 2024 sits on Wednesday 12/06/2024 (set at the April meeting)
NIGHT_BEFORE_WINDOW = datetime(2024, 6, 4, 1, 0, tzinfo=UTC)  # 02:00 BST, 8 days before
FIRST_NIGHT = datetime(2024, 6, 5, 1, 0, tzinfo=UTC)  # 7 days before
NEXT_NIGHT = datetime(2024, 6, 6, 1, 0, tzinfo=UTC)
BOARD_DAY = datetime(2024, 6, 12, 1, 0, tzinfo=UTC)


def workspace(root: Path, config_text: str):
    root.mkdir(parents=True, exist_ok=True)
    config, db = build(root, config_text)
    april = board.new_meeting(db, meeting_date="2024-05-15", month="2024-04", chair="Chair")
    board.set_next_meeting_date(db, april.id, "12/06/2024")
    db.conn.close()
    return config


def night(config, at: datetime):
    summary = run_nightly(config, clock=lambda: at)
    return [d for d in summary.details if "owner emails" in d.file], summary


def test_drafts_are_written_seven_days_before_the_board_once(tmp_path):
    config = workspace(tmp_path, '[chase.owners]\n"Tom Okafor" = "tom.okafor@council.example"\n')
    folder = config.paths.exports / "chase-2024-05-emails"

    assert night(config, NIGHT_BEFORE_WINDOW)[0] == []
    assert not folder.exists()

    (detail,), summary = night(config, FIRST_NIGHT)
    assert detail.result == "owner_emails" and summary.outcome == "ok"
    assert detail.moved_to == str(folder)
    files = sorted(p.name for p in folder.glob("*.eml"))
    assert files == [
        "chase-2024-05-j-pritchard-bblp.eml",
        "chase-2024-05-sian-hughes.eml",
        "chase-2024-05-tom-okafor.eml",
    ]
    assert detail.message == (
        f"3 owner email drafts for the board on 12/06/2024 in {folder}; no address for"
        " J. Pritchard (BBLP), Siân Hughes; flagged risks with no owner: WS-005"
    )
    with (folder / "chase-2024-05-tom-okafor.eml").open("rb") as fh:
        msg = BytesParser(policy=policy.default).parse(fh)
    assert msg["To"].addresses[0].addr_spec == "tom.okafor@council.example"
    assert msg["X-Unsent"] == "1"

    (folder / "chase-2024-05-tom-okafor.eml").unlink()  # sent by hand, say
    assert night(config, NEXT_NIGHT)[0] == []  # once for the month
    assert not (folder / "chase-2024-05-tom-okafor.eml").exists()
    db = open_db(config.paths.database)
    (row,) = db.query("SELECT * FROM chase_mail_runs")
    db.conn.close()
    assert (row["month"], row["board_date"], row["mode"], row["outcome"]) == (
        "2024-05", "2024-06-12", "drafts", "done")  # fmt: skip


def test_nothing_is_prepared_on_or_after_the_board_day_or_when_off(tmp_path):
    config = workspace(tmp_path, "")
    assert night(config, BOARD_DAY)[0] == []
    off = workspace(tmp_path / "off", '[chase]\nscheduled = "off"\n')
    assert night(off, FIRST_NIGHT)[0] == []
    assert not (off.paths.exports / "chase-2024-05-emails").exists()


def test_the_window_is_configurable(tmp_path):
    config = workspace(tmp_path, "[chase]\ndays_before_board = 10\n")
    (detail,), _ = night(config, datetime(2024, 6, 2, 1, 0, tzinfo=UTC))
    assert detail.result == "owner_emails"


def test_no_board_date_recorded_means_nothing_is_sent_or_guessed(tmp_path):
    config, db = build(tmp_path, "")
    db.conn.close()
    assert night(config, FIRST_NIGHT)[0] == []
    assert not (config.paths.exports / "chase-2024-05-emails").exists()


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
def test_sent_when_configured_and_failures_tried_again_the_next_night(tmp_path):
    with smtp_server(refuse={ADDRESSES["Tom Okafor"]}) as server:
        text = smtp_config(server.port).replace("[chase]\n", '[chase]\nscheduled = "send"\n')
        config = workspace(tmp_path, text)

        (detail,), summary = night(config, FIRST_NIGHT)
        assert detail.result == "error" and summary.outcome == "partial"
        assert detail.message.startswith("owner emails for the board on 12/06/2024: 2 sent; Tom")
        assert "the mail server refused the address (550" in detail.message
        assert sorted(r.rcpt_tos[0] for r in server.received) == [
            ADDRESSES["J. Pritchard (BBLP)"],
            ADDRESSES["Siân Hughes"],
        ]

        server.recorder.refuse.clear()
        (detail,), summary = night(config, NEXT_NIGHT)
        assert detail.result == "owner_emails" and summary.outcome == "ok"
        assert detail.message == "owner emails for the board on 12/06/2024: 1 sent; 2 sent before"
        assert [r.rcpt_tos for r in server.received[2:]] == [[ADDRESSES["Tom Okafor"]]]

        assert night(config, datetime(2024, 6, 7, 1, 0, tzinfo=UTC))[0] == []
        assert len(server.received) == 3
    db = open_db(config.paths.database)
    origins = {r["origin"] for r in db.query("SELECT origin FROM chase_mail_sends")}
    db.conn.close()
    assert origins == {"scheduler"}


def test_the_systemd_unit_says_where_the_mail_password_comes_from(tmp_path):
    from riskboard.cli.scheduler import systemd_unit

    config = workspace(
        tmp_path,
        '[chase.smtp]\nhost = "smtp.council.example"\nuser = "rb"\n'
        'password_env = "RISKBOARD_SMTP_PASSWORD"\n',
    )
    unit = systemd_unit(config, python="/usr/bin/python3", cwd=tmp_path)
    assert "# RISKBOARD_SMTP_PASSWORD=... - uncomment:\n# EnvironmentFile=" in unit
    assert "EnvironmentFile" not in systemd_unit(workspace(tmp_path / "plain", ""), cwd=tmp_path)


def test_the_nightly_send_waits_for_a_send_running_by_hand(tmp_path):
    """A `chase --send` by hand is running when the nightly job's send is due: the job
    sends nothing, says who is sending, and the next night sends what is left - no
    owner gets two emails."""
    with smtp_server() as server:
        text = smtp_config(server.port).replace("[chase]\n", '[chase]\nscheduled = "send"\n')
        config = workspace(tmp_path, text)
        with SendLock(config.paths.database, purpose="command line"):
            (detail,), summary = night(config, FIRST_NIGHT)
        assert detail.result == "error" and summary.outcome != "ok"
        assert detail.message.startswith(
            "owner emails not prepared: another chase --send is running for database"
        )
        assert "(riskboard chase --send, pid " in detail.message
        assert server.received == []
        (detail,), summary = night(config, NEXT_NIGHT)
        assert detail.message == "owner emails for the board on 12/06/2024: 3 sent"
        assert len(server.received) == 3
