"""Sending the owner emails to a real SMTP server started by the test on 127.0.0.1
(aiosmtpd), reading what it received: each owner once a month (again only when told),
one refused recipient reported while the others go, STARTTLS and implicit TLS with a
self-signed certificate, the login, and the refusals before anything is sent."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

import riskboard.cli.chase
from riskboard import board
from riskboard.cli import main
from riskboard.config import load_config
from riskboard.errors import ConfigError, RiskboardError, StoreUnavailable
from riskboard.reports.owner_emails import send_owner_emails
from riskboard.store import chase_mail as store
from riskboard.store import open_db
from smtp_server import PASSWORD, USER, free_port, self_signed, smtp_server
from test_chase_mail import PRITCHARD, build

# the test server takes a login over plain text on 127.0.0.1 (as a relay on the same
# machine would); aiosmtpd warns about that
pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")

TODAY = date(2024, 6, 3)
BOARD = "12/06/2024"
ADDRESSES = {
    PRITCHARD: "jane.pritchard@bblp.example",
    "Siân Hughes": "sian.hughes@bblp.example",
    "Tom Okafor": "tom.okafor@council.example",
}


def smtp_config(port: int, *, security: str = "none", login: bool = False, extra: str = "") -> str:
    owners = "".join(f'"{o}" = "{a}"\n' for o, a in ADDRESSES.items())
    text = (
        '[chase]\nfrom = "Risk Board <risk.board@council.example>"\n'
        f"[chase.owners]\n{owners}"
        f'[chase.smtp]\nhost = "127.0.0.1"\nport = {port}\nsecurity = "{security}"\n'
        "timeout_seconds = 10\n"
    )
    if login:
        text += f'user = "{USER}"\npassword_env = "RB_TEST_SMTP_PASSWORD"\n'
    return text + extra


@pytest.fixture
def workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """A register (see test_chase_mail.build) whose three owners all have addresses,
    and a function to write config.toml for a server's port."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("RB_TEST_SMTP_PASSWORD", PASSWORD)
    monkeypatch.setattr(riskboard.cli.chase, "local_today", lambda tz: TODAY)
    _, db = build(tmp_path)
    db.conn.close()

    def configure(text: str):
        (tmp_path / "config.toml").write_text(text, encoding="utf-8")
        return load_config(tmp_path / "config.toml")

    return tmp_path, configure


def send(config, **kw):
    db = open_db(config.paths.database)
    try:
        kw.setdefault("board_date", BOARD)
        kw.setdefault("today", TODAY)
        return send_owner_emails(db, config, **kw)
    finally:
        db.conn.close()


def sends_recorded(config) -> list[dict]:
    db = open_db(config.paths.database)
    try:
        return list(db.query("SELECT * FROM chase_mail_sends ORDER BY id"))
    finally:
        db.conn.close()


def test_each_owner_receives_one_message_through_the_mail_server(workspace):
    _, configure = workspace
    with smtp_server(login=True) as server:
        config = configure(smtp_config(server.port, login=True))
        plan, report = send(config)
        assert [r.status for r in report.results] == ["sent", "sent", "sent"]
        assert server.recorder.logins == [USER]  # one connection, one login
        got = {r.rcpt_tos[0]: r for r in server.received}
    assert sorted(got) == sorted(ADDRESSES.values())
    for received in got.values():
        assert received.mail_from == "risk.board@council.example"
        assert len(received.rcpt_tos) == 1
    msg = got["jane.pritchard@bblp.example"].message()
    assert msg["Subject"] == (
        "Risk register: 2 actions and 2 risks need an update before the board on 12/06/2024"
    )
    assert msg["X-Unsent"] is None  # only drafts are marked unsent
    (to,) = msg["To"].addresses
    assert (to.display_name, to.addr_spec) == ("J. Pritchard", "jane.pritchard@bblp.example")
    assert "Dear J. Pritchard," in msg.get_body(("plain",)).get_content()
    assert [a.get_filename() for a in msg.iter_attachments()] == [
        "chase-2024-05-j-pritchard-bblp.xlsx"
    ]
    rows = sends_recorded(config)
    assert [(r["owner"], r["status"], r["origin"]) for r in rows] == [
        (PRITCHARD, "sent", "command line"),
        ("Siân Hughes", "sent", "command line"),
        ("Tom Okafor", "sent", "command line"),
    ]
    assert rows[0]["message_id"] == msg["Message-ID"]
    assert plan.board.when == date(2024, 6, 12)


def test_sending_twice_sends_nothing_twice_unless_again(workspace, capsys):
    _, configure = workspace
    with smtp_server() as server:
        config = configure(smtp_config(server.port))
        send(config, clock=lambda: datetime(2024, 6, 3, 9, 30, tzinfo=UTC))
        assert len(server.received) == 3
        _, second = send(config)
        assert len(server.received) == 3
        assert [r.status for r in second.results] == ["already_sent"] * 3
        assert second.results[0].message == (
            "already sent to jane.pritchard@bblp.example on 03/06/2024 10:30 BST;"
            ' --again --owner "J. Pritchard (BBLP)" sends it again'
        )
        assert main(["chase", "--send", "--board-date", BOARD, "--owner", "Tom Okafor"]) == 0
        assert "skipped    Tom Okafor <tom.okafor@council.example>" in capsys.readouterr().out
        assert len(server.received) == 3
        _, third = send(config, again=True, owners=["tom okafor"])  # one owner again
        assert [r.status for r in third.results] == ["sent"]
        assert [r.rcpt_tos for r in server.received[3:]] == [["tom.okafor@council.example"]]
        _, blanket = send(config, again=True)  # --again alone: the month's emails again
        assert [r.status for r in blanket.results] == ["sent"] * 3
        assert len(server.received) == 7
    assert [r["status"] for r in sends_recorded(config)] == ["sent"] * 7


def test_a_refused_recipient_is_reported_and_the_others_still_go(workspace, capsys):
    _, configure = workspace
    with smtp_server(refuse={"sian.hughes@bblp.example"}) as server:
        config = configure(smtp_config(server.port))
        code = main(["chase", "--send", "--board-date", BOARD])
        out = capsys.readouterr().out
        assert code == 3  # not every owner was chased
        assert sorted(r.rcpt_tos[0] for r in server.received) == [
            "jane.pritchard@bblp.example",
            "tom.okafor@council.example",
        ]
        assert (
            "FAILED     Siân Hughes <sian.hughes@bblp.example>: Risk register: 1 action needs"
            " an update before the board on 12/06/2024 - not sent: the mail server refused"
            " the address (550 5.1.1 <sian.hughes@bblp.example>: no such mailbox here)"
        ) in out
        assert "2 sent, 1 failed." in out
        # the next run tries only the one that failed
        server.recorder.refuse.clear()
        assert main(["chase", "--send", "--board-date", BOARD]) == 0
        assert [r.rcpt_tos for r in server.received[2:]] == [["sian.hughes@bblp.example"]]
        assert "1 sent, 2 already sent before." in capsys.readouterr().out
    statuses = [(r["owner"], r["status"]) for r in sends_recorded(config)]
    assert ("Siân Hughes", "failed") in statuses and ("Siân Hughes", "sent") in statuses


def test_starttls_with_the_councils_own_certificate(workspace, tmp_path):
    _, configure = workspace
    cert, context = self_signed(tmp_path)
    with smtp_server(starttls=context, login=True) as server:
        untrusted = configure(smtp_config(server.port, security="starttls", login=True))
        _, report = send(untrusted)
        assert server.received == []
        assert {r.status for r in report.results} == {"not_sent"} and report.nothing_sent
        assert "certificate of the mail server at 127.0.0.1" in report.results[0].message
        assert "ca_file" in report.results[0].message
        trusted = configure(
            smtp_config(server.port, security="starttls", login=True, extra=f'ca_file = "{cert}"\n')
        )
        _, report = send(trusted)
        assert [r.status for r in report.results] == ["sent"] * 3
        assert len(server.received) == 3 and server.recorder.logins == [USER]


def test_implicit_tls(workspace, tmp_path):
    _, configure = workspace
    cert, context = self_signed(tmp_path)
    with smtp_server(implicit_tls=context) as server:
        config = configure(smtp_config(server.port, security="tls", extra=f'ca_file = "{cert}"\n'))
        _, report = send(config)
        assert [r.status for r in report.results] == ["sent"] * 3
        assert len(server.received) == 3


def test_starttls_asked_of_a_server_without_it_stops_before_sending(workspace):
    _, configure = workspace
    with smtp_server() as server:
        config = configure(smtp_config(server.port, security="starttls"))
        _, report = send(config)
        assert server.received == []
    assert "does not offer STARTTLS" in report.results[0].message
    assert all(r.message.startswith("not sent:") for r in report.results)


def test_a_refused_login_and_no_server_are_one_reason_each(workspace, monkeypatch):
    _, configure = workspace
    monkeypatch.setenv("RB_TEST_SMTP_PASSWORD", "wrong")
    with smtp_server(login=True) as server:
        config = configure(smtp_config(server.port, login=True))
        _, report = send(config)
        assert server.received == []
    assert "refused the login of user 'riskboard' (535" in report.results[0].message
    assert "$RB_TEST_SMTP_PASSWORD" in report.results[0].message
    with socket.socket() as s:  # a port with nothing listening
        s.bind(("127.0.0.1", 0))
        closed = s.getsockname()[1]
    _, report = send(configure(smtp_config(closed)))
    assert {r.status for r in report.results} == {"not_sent"}
    assert f"could not connect to the mail server at 127.0.0.1:{closed}" in (
        report.results[0].message
    )


def test_refusals_before_anything_is_sent(workspace, monkeypatch):
    _, configure = workspace
    port = free_port()
    with pytest.raises(ConfigError, match=r"no mail server configured: add \[chase.smtp\]"):
        send(configure('[chase]\nfrom = "a@council.example"\n'))
    with pytest.raises(ConfigError, match=r"\[chase\] from is not set"):
        send(configure(f'[chase.smtp]\nhost = "127.0.0.1"\nport = {port}\nsecurity = "none"\n'))
    monkeypatch.delenv("RB_TEST_SMTP_PASSWORD")
    with pytest.raises(ConfigError, match="RB_TEST_SMTP_PASSWORD .* is not set or empty"):
        send(configure(smtp_config(port, login=True)))
    monkeypatch.setenv("RB_TEST_SMTP_PASSWORD", PASSWORD)
    with pytest.raises(RiskboardError, match="the board date 01/06/2024 .* is in the past"):
        send(configure(smtp_config(port)), board_date="01/06/2024")


def test_dry_run_says_who_would_get_what_and_sends_nothing(workspace, capsys):
    root, configure = workspace
    with smtp_server() as server:
        config = configure(smtp_config(server.port))
        db = open_db(config.paths.database)
        board.save_person(db, "Tom Okafor", organisation="council", email="t.o@council.example")
        db.conn.close()
        send(config, owners=["Siân Hughes"])
        code = main(["chase", "--send", "--dry-run", "--board-date", BOARD])
        out = capsys.readouterr().out
        assert len(server.received) == 1
    assert code == 0
    assert (
        "would send J. Pritchard (BBLP) <jane.pritchard@bblp.example>: Risk register: 2 actions"
        " and 2 risks need an update before the board on 12/06/2024 - would be sent (2 risks)"
    ) in out
    assert "skipped    Siân Hughes <sian.hughes@bblp.example>" in out
    assert "NOT SENT   Tom Okafor: Risk register: 1 risk to discuss" in out
    assert "two addresses for one owner" in out
    assert (
        "Dry run, nothing sent: 1 would be sent, 1 already sent before, 1 without an address."
        in out
    )


def _send_in_a_process(root: Path) -> subprocess.Popen[bytes]:
    """``riskboard chase --send`` in its own process (killed by the test)."""
    code = "import sys; from riskboard.cli import main; sys.exit(main(sys.argv[1:]))"
    return subprocess.Popen(
        [sys.executable, "-c", code, "chase", "--send", "--board-date", "14/12/2099"],
        cwd=root,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


@pytest.mark.slow  # a riskboard process started and killed: about 3 s
def test_a_send_killed_mid_way_may_have_arrived_and_again_sends_it_at_once(workspace, capsys):
    """The process is killed while the server has Tom's message: the next run says it
    may have arrived and what to check; --again straight after sends it, saying the
    earlier one may also have arrived - never "wait", never a refusal."""
    root, configure = workspace
    tom = ADDRESSES["Tom Okafor"]
    with smtp_server(hold={tom}) as server:
        configure(smtp_config(server.port))
        proc = _send_in_a_process(root)
        try:
            assert server.recorder.held.wait(60), "the send never reached Tom's message"
        finally:
            proc.kill()
            proc.wait(30)
        assert sorted(r.rcpt_tos[0] for r in server.received) == sorted(
            [ADDRESSES[PRITCHARD], ADDRESSES["Siân Hughes"]]
        )
        server.recorder.hold.clear()
        assert main(["chase", "--send", "--board-date", BOARD]) == 3
        out = capsys.readouterr().out
        line = next(x for x in out.splitlines() if "Tom Okafor" in x)
        assert line.startswith("  NOT SENT   Tom Okafor <tom.okafor@council.example>: ")
        assert line.endswith(
            " never finished (the process stopped while sending): it may have arrived - check"
            " the mail server's log, or ask the recipient, whether it did;"
            ' --again --owner "Tom Okafor" sends it again'
        )
        assert "skipped    Siân Hughes" in out and "1 unfinished earlier" in out
        assert len(server.received) == 2  # nothing sent twice, Tom's not resent blindly
        # --again at once: sent, saying the earlier one may also have arrived
        assert main(["chase", "--send", "--again", "--board-date", BOARD,
                     "--owner", "Tom Okafor"]) == 0  # fmt: skip
        out = capsys.readouterr().out
        assert "  sent       Tom Okafor <tom.okafor@council.example>: " in out
        assert "- sent again (1 risk); an earlier send started on " in out
        assert "never finished, and may also have arrived" in out
        assert [r.rcpt_tos for r in server.received[2:]] == [[tom]]
    rows = [r for r in sends_recorded(configure(smtp_config(1))) if r["owner"] == "Tom Okafor"]
    assert [r["status"] for r in rows] == ["failed", "sent"]
    assert "the process stopped while sending" in rows[0]["error"]


def test_two_sends_at_once_one_refuses_naming_the_other(workspace):
    """One send at a time per database: while one is sending, another refuses (saying
    who is sending) and a dry run says the message is being sent now - neither calls a
    live send "never finished"."""
    _, configure = workspace
    tom = ADDRESSES["Tom Okafor"]
    with smtp_server(hold={tom}) as server:
        config = configure(smtp_config(server.port))
        first: dict[str, object] = {}
        thread = threading.Thread(target=lambda: first.update(report=send(config)[1]))
        thread.start()
        try:
            assert server.recorder.held.wait(30)
            with pytest.raises(StoreUnavailable) as refused:
                send(config)
            assert str(refused.value).startswith("another chase --send is running for database")
            assert f"(riskboard chase --send, pid {os.getpid()} on " in str(refused.value)
            assert "nothing was sent - wait for it to finish" in str(refused.value)
            _, dry = send(config, dry_run=True)
            tom_now = dry.results[2]
            assert tom_now.status == "unanswered"
            assert tom_now.message.startswith("being sent now by another chase --send (")
        finally:
            server.recorder.release.set()
            thread.join(30)
        assert len(server.received) == 2  # the second run sent nothing
    report = first["report"]
    assert [r.status for r in report.results] == ["sent", "sent", "failed"]  # 451 from the test


def test_a_server_closing_on_one_message_does_not_stop_the_next(workspace):
    _, configure = workspace
    with smtp_server(close_on={ADDRESSES[PRITCHARD]}) as server:
        config = configure(smtp_config(server.port))
        _, report = send(config)
        assert [r.status for r in report.results] == ["failed", "sent", "sent"]
        assert "(421 4.3.2 Service shutting down" in report.results[0].message
        assert sorted(r.rcpt_tos[0] for r in server.received) == [
            ADDRESSES["Siân Hughes"],
            ADDRESSES["Tom Okafor"],
        ]


def test_a_server_that_never_answers_times_out(workspace):
    _, configure = workspace
    with socket.socket() as silent:  # accepts connections (backlog), never says a word
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        port = silent.getsockname()[1]
        config = configure(
            smtp_config(port).replace("timeout_seconds = 10", "timeout_seconds = 0.5")
        )
        _, report = send(config)
    assert {r.status for r in report.results} == {"not_sent"}
    assert report.results[0].message == (
        f"not sent: could not connect to the mail server at 127.0.0.1:{port}: no answer from"
        " the mail server in time (timeout_seconds) - if this port expects encryption from"
        ' the start (usually 465), set security = "tls"'
    )
    assert report.results[1].message == report.results[0].message  # not tried: same reason


def team_config(port: int) -> str:
    """Siân Hughes and Tom Okafor share one mailbox (a team address)."""
    return (
        '[chase]\nfrom = "Risk Board <risk.board@council.example>"\n'
        f'[chase.owners]\n"{PRITCHARD}" = "{ADDRESSES[PRITCHARD]}"\n'
        '"Siân Hughes" = "highways.team@bblp.example"\n'
        '"Tom Okafor" = "Highways.Team@bblp.example"\n'
        f'[chase.smtp]\nhost = "127.0.0.1"\nport = {port}\nsecurity = "none"\n'
    )


def test_a_shared_mailbox_sent_for_one_owner_still_gets_the_others_risks(workspace, capsys):
    """--owner sends one owner's risks to a team mailbox; the full run then sends the
    team's other owner's risks (only those), saying which went before - never
    "already sent" for risks that never were."""
    _, configure = workspace
    team = "highways.team@bblp.example"
    with smtp_server() as server:
        config = configure(team_config(server.port))
        assert main(["chase", "--send", "--board-date", BOARD, "--owner", "tom okafor"]) == 0
        capsys.readouterr()
        (first,) = server.received
        assert [a.lower() for a in first.rcpt_tos] == [team]
        assert "SL-004" in first.message().get_body(("plain",)).get_content()

        assert main(["chase", "--send", "--board-date", BOARD]) == 0
        out = capsys.readouterr().out
        assert [r.rcpt_tos[0].lower() for r in server.received[1:]] == [ADDRESSES[PRITCHARD], team]
        second = server.received[2].message()
        text = second.get_body(("plain",)).get_content().replace("\r\n", "\n")
        assert text.startswith("Dear Siân Hughes,\n")
        assert "HM-002 Gully cleansing" in text and "SL-004" not in text
        assert second["Subject"] == (
            "Risk register: 1 action needs an update before the board on 12/06/2024"
        )
        line = next(x for x in out.splitlines() if team in x)
        assert line.startswith(
            f"  sent       Siân Hughes and Tom Okafor <{team}>: Risk register: 1 action needs an"
            " update before the board on 12/06/2024 - sent (1 risk: HM-002; already sent"
            " before: SL-004 on "
        )
        assert main(["chase", "--send", "--board-date", BOARD]) == 0
        assert len(server.received) == 3  # everything went once
        out = capsys.readouterr().out
        assert "0 sent" not in out
        # how to send the mailbox's email again names each of its owners
        assert '; --again --owner "Siân Hughes" --owner "Tom Okafor" sends it again' in out
    db = open_db(config.paths.database)
    items = list(db.query("SELECT owner, ref FROM chase_mail_items ORDER BY id"))
    db.conn.close()
    assert [(i["owner"], i["ref"]) for i in items] == [
        ("Tom Okafor", "SL-004"),
        (PRITCHARD, "HM-001"),
        ("j pritchard", "HM-003"),
        ("Siân Hughes", "HM-002"),
    ]


def test_with_the_server_down_owners_already_emailed_stay_already_sent(workspace, capsys):
    """Server unreachable: those emailed before are "skipped (already sent)", only the
    others "not sent: could not connect"; nothing could be done: exit 1, as the README
    says."""
    _, configure = workspace
    with smtp_server() as server:
        configure(smtp_config(server.port))
        assert main(["chase", "--send", "--board-date", BOARD, "--owner", "Tom Okafor"]) == 0
        port = server.port
    capsys.readouterr()
    # the server has gone: nothing listens on its port
    code = main(["chase", "--send", "--board-date", BOARD])
    out = capsys.readouterr().out
    assert code == 1
    assert "  skipped    Tom Okafor <tom.okafor@council.example>: " in out
    assert "already sent to tom.okafor@council.example on " in out
    assert (
        f"  NOT SENT   Siân Hughes <sian.hughes@bblp.example>: Risk register: 1 action needs an"
        f" update before the board on 12/06/2024 - not sent: could not connect to the mail"
        f" server at 127.0.0.1:{port}: "
    ) in out
    assert "FAILED" not in out
    assert "1 already sent before, 2 not sent (the mail server could not be used)." in out
    assert f"Nothing was sent: could not connect to the mail server at 127.0.0.1:{port}" in out
    # nothing recorded as sent: the one tried is "failed", the others never claimed
    assert [r["status"] for r in sends_recorded(configure(smtp_config(port)))] == [
        "sent",
        "failed",
    ]
    # the server is back: the next run sends those not sent, and Tom's not again
    with smtp_server() as server:
        configure(smtp_config(server.port))
        assert main(["chase", "--send", "--board-date", BOARD]) == 0
        assert sorted(r.rcpt_tos[0] for r in server.received) == [
            ADDRESSES[PRITCHARD],
            ADDRESSES["Siân Hughes"],
        ]
    assert "2 sent, 1 already sent before." in capsys.readouterr().out


def test_after_a_killed_send_a_rerun_sends_only_what_never_began(workspace, capsys):
    """A run killed while sending Tom's email (its row left "sending", its lock gone
    with it), after Pritchard's went and before Siân's: a plain re-run sends Siân's,
    never a second copy of Pritchard's, and names Tom's as maybe arrived with the
    options that resend it alone; ``--again --owner "Tom Okafor"`` does."""
    _, configure = workspace
    with smtp_server() as server:
        config = configure(smtp_config(server.port))
        assert main(["chase", "--send", "--board-date", BOARD, "--owner", PRITCHARD]) == 0
        db = open_db(config.paths.database)
        try:  # what a process killed mid-send leaves: a claim never finished
            store.claim(
                db,
                {"month": "2024-05", "owner_key": "tom okafor", "owner": "Tom Okafor",
                 "address": ADDRESSES["Tom Okafor"], "subject": "s", "board_date": "2024-06-12",
                 "risks": 1, "message_id": "<m@x>", "origin": "command line",
                 "started_at": "2024-06-03T08:00:00+00:00"},
                [("tom okafor", "Tom Okafor", "SL-004", [])],
            )  # fmt: skip
        finally:
            db.conn.close()
        capsys.readouterr()
        assert main(["chase", "--send", "--board-date", BOARD]) == 3  # Tom's not sure
        out = capsys.readouterr().out
        assert [r.rcpt_tos[0] for r in server.received] == [
            ADDRESSES[PRITCHARD],
            ADDRESSES["Siân Hughes"],
        ]
        assert "  skipped    J. Pritchard (BBLP) <jane.pritchard@bblp.example>: " in out
        assert "may have arrived" in out and '--again --owner "Tom Okafor"' in out
        assert main(["chase", "--send", "--again", "--board-date", BOARD,
                     "--owner", "tom okafor"]) == 0  # fmt: skip
        out = capsys.readouterr().out
        assert [r.rcpt_tos[0] for r in server.received[2:]] == [ADDRESSES["Tom Okafor"]]
        assert (
            "- sent again (1 risk); an earlier send started on 03/06/2024 09:00 BST never"
            " finished, and may also have arrived"
        ) in out
    statuses = [(r["owner"], r["status"]) for r in sends_recorded(config)]
    assert statuses == [
        (PRITCHARD, "sent"),
        ("Tom Okafor", "failed"),  # released: the process stopped while sending
        ("Siân Hughes", "sent"),
        ("Tom Okafor", "sent"),
    ]


def test_exit_codes_and_options_agree_with_the_readme(workspace, capsys):
    _, configure = workspace
    with smtp_server(refuse={ADDRESSES["Tom Okafor"]}) as server:
        configure(smtp_config(server.port))
        for options in (["--dry-run"], ["--again"], ["--dry-run", "--again"]):
            assert main(["chase", *options, "--board-date", BOARD]) == 1
            err = capsys.readouterr().err
            assert "with --send only: `riskboard chase --send --dry-run` says what would" in err
        assert server.received == []
        assert main(["chase", "--send", "--dry-run", "--board-date", BOARD]) == 0
        assert main(["chase", "--send", "--board-date", BOARD]) == 3  # one refused, two sent
        assert main(["chase", "--send", "--board-date", BOARD]) == 3  # still one not emailed
        server.recorder.refuse.clear()
        assert main(["chase", "--send", "--board-date", BOARD]) == 0  # every owner emailed
    readme = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
    assert "--dry-run` and `--again` go with `--send` only" in readme
    assert "1 nothing could be sent (refused before sending, or the mail server could not" in readme


def test_each_connection_failure_is_diagnosed_from_its_own_step(workspace, tmp_path):
    """A server offering no login is not "no STARTTLS"; a TLS setting on a plain-text
    port and a plain setting on a TLS port each say which setting to try."""
    _, configure = workspace
    with smtp_server() as plain:  # no AUTH offered, no STARTTLS
        config = configure(smtp_config(plain.port, login=True))
        _, report = send(config)
        assert report.results[0].message == (
            f"not sent: the mail server at 127.0.0.1:{plain.port} does not offer a login (AUTH)"
            " on this connection: many servers offer it only on an encrypted connection - set"
            ' security = "starttls"'
        )
        _, report = send(configure(smtp_config(plain.port, security="tls")))
        assert report.results[0].message == (
            f"not sent: the mail server at 127.0.0.1:{plain.port} did not start TLS: it"
            " answered in plain text, as a STARTTLS port (587, or 25) does - is it one? try"
            ' security = "starttls"'
        )
        assert plain.received == []
    cert, context = self_signed(tmp_path)
    with smtp_server(implicit_tls=context) as tls:
        config = configure(
            smtp_config(tls.port, security="starttls", extra=f'ca_file = "{cert}"\n').replace(
                "timeout_seconds = 10", "timeout_seconds = 1"
            )
        )
        _, report = send(config)
    assert report.results[0].message.endswith(
        "no answer from the mail server in time (timeout_seconds) - if this port expects"
        ' encryption from the start (usually 465), set security = "tls"'
    )
    assert report.nothing_sent
