"""The owner emails for the demo board, end to end: drafts written by the command line
and opened (parsed) as a mail client would, then sent to a real SMTP server - every
flagged risk with an owner in exactly one email, with the chase list's sentences."""

from __future__ import annotations

from datetime import date
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path

import pytest

import riskboard.cli.chase
from riskboard import board, flag_text
from riskboard.cli import main
from riskboard.config import load_config
from riskboard.reports.chase import NO_OWNER, chase_items
from riskboard.sample.demo import DEMO_MONTHS, install_demo
from riskboard.store import open_db
from smtp_server import smtp_server

pytestmark = pytest.mark.slow  # a whole demo workspace built and imported

ON_PEOPLE_LIST = {
    "Gareth Price": "gareth.price@bblp.example",
    "Siân Hughes": "sian.hughes@bblp.example",
}
IN_CONFIG = {"anil mistry": "anil.mistry@bblp.example", "Zoe Clarke": "zoe.clarke@council.example"}


def test_the_demo_boards_owner_emails(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys):
    install_demo(tmp_path)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(riskboard.cli.chase, "local_today", lambda tz: date(2022, 9, 5))
    config = load_config(tmp_path / "config.toml")
    db = open_db(config.paths.database)
    for name, address in ON_PEOPLE_LIST.items():
        board.save_person(db, name, email=address)
    items = chase_items(db, DEMO_MONTHS[-1], config)
    db.conn.close()
    owners = {i.owner for i in items if i.owner != NO_OWNER}

    with smtp_server() as server:
        text = (tmp_path / "config.toml").read_text(encoding="utf-8")
        text = text.replace(
            '# "J. Pritchard" = "j.pritchard@bblp.example"',
            "\n".join(f'"{o}" = "{a}"' for o, a in IN_CONFIG.items()),
        ).replace(
            '# from = "Risk Board Secretary <risk.board@council.gov.uk>"',
            'from = "Risk Board Secretary <risk.board@council.example>"',
        )
        text += f'\n[chase.smtp]\nhost = "127.0.0.1"\nport = {server.port}\nsecurity = "none"\n'
        (tmp_path / "config.toml").write_text(text, encoding="utf-8")

        assert main(["chase", "--eml", "drafts"]) == 0
        out = capsys.readouterr().out
        assert "for the board on 14/09/2022 (the next meeting date set at meeting 1" in out
        drafts = {}
        for path in sorted((tmp_path / "drafts").glob("*.eml")):
            with path.open("rb") as fh:
                msg = BytesParser(policy=policy.default).parse(fh)
            assert isinstance(msg, EmailMessage) and msg["X-Unsent"] == "1"
            assert msg["Subject"].startswith("Risk register: ")
            assert msg["Subject"].endswith(" the board on 14/09/2022")
            assert [a.get_content_type() for a in msg.iter_attachments()] == [
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            ]
            drafts[path.name] = msg.get_body(("plain",)).get_content()
        assert len(drafts) == len(owners)
        for item in items:  # every flagged risk with an owner, in exactly one email
            if item.owner == NO_OWNER:
                continue
            holding = [n for n, body in drafts.items() if f". {item.ref} " in body]
            assert len(holding) == 1, item.ref
            said = [flag_text.chase(c, item.details.get(c), to_owner=True) for c in item.flags]
            for line in said:  # the chase list's sentences, as said to the owner
                assert line in drafts[holding[0]]
        assert not any("ask the contractor" in body for body in drafts.values())
        gareth = drafts["chase-2022-08-gareth-price.eml"]
        assert "Value that could not be read: please correct the register: Score: could not" in (
            gareth
        )
        assert "Score could not be read in the export" in gareth  # never a number beside it

        code = main(["chase", "--send"])
        out = capsys.readouterr().out
        assert code == 3  # the demo's other owners have no address: listed, not sent
        addressed = {*ON_PEOPLE_LIST.values(), *IN_CONFIG.values()}
        assert sorted(r.rcpt_tos[0] for r in server.received) == sorted(addressed)
        assert f"{len(addressed)} sent, {len(owners) - len(addressed)} without an address." in out
        assert main(["chase", "--send"]) == 3
        assert len(server.received) == len(addressed)  # the second run sends nothing twice
