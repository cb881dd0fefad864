"""Owner emails, the review of issue 15: two people with one name in different
organisations are never merged, two actions written with one reference stay two, and a
register name holding control or bidi characters, or far too long, is made safe in the
terminal and in the message headers."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

import riskboard.cli.chase
from riskboard.cli import main
from riskboard.config import load_config
from riskboard.domain import Risk
from riskboard.reports.owner_emails import (
    draft_owner_emails,
    preview_owner_emails,
    send_owner_emails,
)
from riskboard.store import open_db
from riskboard.store.register import ImportRecord, save_import
from smtp_server import smtp_server
from test_chase_mail import BOARD, TODAY, _act, _save, parse

APRIL = date(2024, 4, 10)


def _register(root: Path, config_text: str, risks: list[tuple[str, str, str]]):
    """A register whose May risks (ref, owner, action text) each have an action not
    updated since April."""
    (root / "config.toml").write_text(config_text, encoding="utf-8")
    config = load_config(root / "config.toml")
    db = open_db(config.paths.database)
    for month, report in (("2024-04", "2024-04-30"), ("2024-05", "2024-05-31")):
        _save(db, month, report, [
            Risk(ref=ref, title=f"Risk {ref}", owner=owner, strategy="treat", current_score=6,
                 actions=[_act(ref, "A1", text, last_updated=APRIL)])
            for ref, owner, text in risks
        ])  # fmt: skip
    return config, db


SMITHS = [("TB-001", "J. Smith (BBLP)", "Survey"), ("TB-002", "J. Smith (Council)", "Budget")]


def test_one_name_in_two_organisations_is_two_people_unless_config_says_otherwise(tmp_path):
    # an address given for the bare name could be either's: neither gets it, both listed
    config, db = _register(tmp_path, '[chase.owners]\n"J. Smith" = "js@council.example"\n',
                           SMITHS)  # fmt: skip
    plan = preview_owner_emails(db, config, month="2024-05", board_date=BOARD, today=TODAY)
    smiths = {m.owner: m for m in plan.mails if "Smith" in m.owner}
    assert sorted(smiths) == ["J. Smith (BBLP)", "J. Smith (Council)"]  # two emails
    assert [e.item.ref for e in smiths["J. Smith (BBLP)"].entries] == ["TB-001"]
    assert [e.item.ref for e in smiths["J. Smith (Council)"].entries] == ["TB-002"]
    for mail in smiths.values():
        assert mail.address.address is None
        assert "the same name with a different organisation" in (mail.address.problem or "")
    assert '"J. Smith (Council)" = "name@example.org"' in (
        smiths["J. Smith (BBLP)"].address.problem or ""
    ).replace("(BBLP)", "(Council)")
    db.conn.close()

    # keyed with the organisation: each their own address
    (tmp_path / "b").mkdir()
    config, db = _register(
        tmp_path / "b",
        '[chase.owners]\n"J. Smith (BBLP)" = "j.smith@bblp.example"\n'
        '"J. Smith (Council)" = "j.smith@council.example"\n',
        SMITHS,
    )
    plan = preview_owner_emails(db, config, month="2024-05", board_date=BOARD, today=TODAY)
    got = {m.owner: m.address.address for m in plan.mails if "Smith" in m.owner}
    assert got == {
        "J. Smith (BBLP)": "j.smith@bblp.example",
        "J. Smith (Council)": "j.smith@council.example",
    }
    # --owner with the organisation picks that one only
    plan = preview_owner_emails(db, config, month="2024-05", board_date=BOARD, today=TODAY,
                                owners=["j smith (council)"])  # fmt: skip
    assert [m.owner for m in plan.mails] == ["J. Smith (Council)"]
    db.conn.close()


def test_config_giving_both_one_address_sends_them_one_email(tmp_path):
    config, db = _register(
        tmp_path,
        '[chase.owners]\n"J. Smith (BBLP)" = "smiths@example.org"\n'
        '"J. Smith (Council)" = "smiths@example.org"\n',
        SMITHS,
    )
    plan = preview_owner_emails(db, config, month="2024-05", board_date=BOARD, today=TODAY)
    (both,) = [m for m in plan.mails if m.address.address == "smiths@example.org"]
    assert sorted(e.item.ref for e in both.entries) == ["TB-001", "TB-002"]
    db.conn.close()


def test_two_actions_with_one_reference_are_two_lines_of_the_email(tmp_path):
    (tmp_path / "config.toml").write_text('[chase.owners]\n"Ann Lee" = "ann@council.example"\n')
    config = load_config(tmp_path / "config.toml")
    db = open_db(config.paths.database)
    for month, report in (("2024-04", "2024-04-30"), ("2024-05", "2024-05-31")):
        _save(db, month, report, [
            Risk(ref="DR-007", title="Drainage", owner="Ann Lee", strategy="treat",
                 current_score=8,
                 actions=[_act("DR-007", "A1", "Jet the culvert", last_updated=APRIL),
                          _act("DR-007", "A1", "Replace the grille", last_updated=APRIL)])
        ])  # fmt: skip
    plan = preview_owner_emails(db, config, month="2024-05", board_date=BOARD, today=TODAY,
                                owners=["Ann Lee"])  # fmt: skip
    (mail,) = plan.mails
    (entry,) = mail.entries
    assert [(a.label, a.text) for a in entry.actions] == [
        ("A1", "Jet the culvert"),
        ("A1", "Replace the grille"),
    ]
    assert mail.subject.startswith("Risk register: 2 actions need an update")
    _, written = draft_owner_emails(db, config, tmp_path / "d", month="2024-05",
                                    board_date=BOARD, today=TODAY, owners=["Ann Lee"])  # fmt: skip
    text = parse(written.files[0]).get_body(("plain",)).get_content()
    assert "A1 Jet the culvert" in text and "A1 Replace the grille" in text
    db.conn.close()


EVIL = "Eve \u202eLIAME\u202c Evans\x1b]0;pwned\x07"
LONG = "Dr " + "Bartholomew-" * 30 + "Jones"


@pytest.mark.parametrize("owner", [EVIL, LONG, "Mal Lory\nBcc: everyone@example.org"])
def test_a_hostile_or_very_long_owner_name_is_safe_on_screen_and_in_headers(
    tmp_path, capsys, monkeypatch, owner
):
    # a JSON string is a TOML basic string: the name reaches [chase.owners] as it is
    key = json.dumps(owner)
    config, db = _register(tmp_path, f'[chase.owners]\n{key} = "eve@example.org"\n',
                           [("EV-001", owner, "Check")])  # fmt: skip
    _, written = draft_owner_emails(db, config, tmp_path / "d", month="2024-05",
                                    board_date=BOARD, today=TODAY)  # fmt: skip
    db.conn.close()
    path = next(p for p in written.files if b"eve@example.org" in p.read_bytes())
    raw = path.read_bytes()
    assert b"\x1b" not in raw and b"\x07" not in raw
    # the name never became a header of its own, nor a second recipient
    assert not any(line.lower().startswith(b"bcc") for line in raw.split(b"\r\n"))
    assert all(len(line) <= 998 for line in raw.split(b"\r\n"))
    msg = parse(path)
    assert msg["Bcc"] is None
    (to,) = msg["To"].addresses
    assert to.addr_spec == "eve@example.org"  # the address is never cut
    assert len(to.display_name) <= 64
    assert "\u202e" not in to.display_name and "\x1b" not in to.display_name
    if owner == LONG:
        assert to.display_name.endswith("...")
    assert "\u202e" not in msg.get_body(("plain",)).get_content()

    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(riskboard.cli.chase, "local_today", lambda tz: TODAY)
    capsys.readouterr()
    assert main(["chase", "--month", "2024-05", "--board-date", "12/06/2024"]) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\x07" not in out and "\u202e" not in out
    assert not any(line.startswith("Bcc:") for line in out.splitlines())
    (line,) = [x for x in out.splitlines() if "eve@example.org" in x]
    if owner == EVIL:
        assert "\\u202e" in line or "\\x1b" in line  # shown escaped, never raw


def test_a_config_entry_that_is_not_text_or_has_no_name_is_said_never_fatal(
    tmp_path, capsys, monkeypatch
):
    """``"Ann Lee" = 5`` (no quotes) and ``"" = "..."`` under [chase.owners]: every
    command still runs; chase lists Ann Lee with the reason and warns of the entry that
    can never be used."""
    config, db = _register(
        tmp_path,
        '[chase.owners]\n"Ann Lee" = 5\n"" = "x@example.org"\n',
        [("DR-007", "Ann Lee", "Jet the culvert")],
    )
    db.conn.close()
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(riskboard.cli.chase, "local_today", lambda tz: TODAY)
    assert main(["flags", "--month", "2024-05"]) == 0
    capsys.readouterr()
    assert main(["chase", "--month", "2024-05", "--board-date", "12/06/2024"]) == 0
    out = capsys.readouterr().out
    assert (
        "  Ann Lee: the address from the [chase.owners] 'Ann Lee' is not text (5): write it"
        ' in quotes, "name@example.org"\n'
    ) in out
    assert (
        "warning: [chase.owners] has an entry with no name (for 'x@example.org'): it is never"
        " used - key it with the owner's name as the register writes it\n"
    ) in out


def test_a_risk_passed_to_the_other_j_smith_is_sent_to_them(tmp_path):
    """What was sent is recorded per person: TB-001 sent to J. Smith (BBLP), then the
    register gives it to J. Smith (Council) - they get it, never "already sent"."""
    with smtp_server() as server:
        text = (
            '[chase]\nfrom = "rb@council.example"\n[chase.owners]\n'
            '"J. Smith (BBLP)" = "j.smith@bblp.example"\n'
            '"J. Smith (Council)" = "j.smith@council.example"\n'
            f'[chase.smtp]\nhost = "127.0.0.1"\nport = {server.port}\nsecurity = "none"\n'
        )
        config, db = _register(tmp_path, text, [("TB-001", "J. Smith (BBLP)", "Survey")])
        kw = {"month": "2024-05", "board_date": BOARD, "today": TODAY}
        _, first = send_owner_emails(db, config, **kw)
        assert [r.status for r in first.results] == ["sent"]
        passed = Risk(ref="TB-001", title="Risk TB-001", owner="J. Smith (Council)",
                      strategy="treat", current_score=6,
                      actions=[_act("TB-001", "A1", "Survey", last_updated=APRIL)])  # fmt: skip
        with db.atomic():
            save_import(db, ImportRecord(file_name="r2.xlsx", sha256="again", month="2024-05",
                                         report_date="2024-05-31"), [passed])  # fmt: skip
        _, second = send_owner_emails(db, config, **kw)
        db.conn.close()
        assert [(r.owner, r.status) for r in second.results] == [("J. Smith (Council)", "sent")]
        assert [r.rcpt_tos for r in server.received] == [
            ["j.smith@bblp.example"],
            ["j.smith@council.example"],
        ]
