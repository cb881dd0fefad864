"""The owner emails as drafts: addresses from the people list and config, one .eml per
owner parsed back as a mail client would, the same sentences as the chase list, text
from the register escaped, the attachment formula-safe, safe file names, the board
date, and every owner without an address listed."""

from __future__ import annotations

import io
import json
import re
import zipfile
from datetime import UTC, date, datetime
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path

import openpyxl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from riskboard import board
from riskboard.cli import main
from riskboard.config import Config, load_config
from riskboard.domain import Action, Risk
from riskboard.email_address import InvalidAddress, check_address, owner_key
from riskboard.errors import ConfigError, NotFound, RiskboardError
from riskboard.reports.chase import chase_items
from riskboard.reports.chase_plan import board_date_for, subject_line
from riskboard.reports.owner_emails import draft_owner_emails, preview_owner_emails
from riskboard.store import open_db
from riskboard.store.register import ImportRecord, save_import

BOARD = date(2024, 6, 12)
TODAY = date(2024, 6, 3)
NOW = datetime(2024, 6, 3, 9, 30, tzinfo=UTC)
EVIL_TITLE = '<script>alert("x")</script> & =HYPERLINK("http://evil.example","click")'
PRITCHARD = "J. Pritchard (BBLP)"


def _save(db, month: str, report: str, risks: list[Risk]) -> None:
    with db.atomic():
        save_import(
            db,
            ImportRecord(file_name=f"r-{month}.xlsx", sha256=f"sha-{month}", month=month,
                         report_date=report),
            risks,
        )  # fmt: skip


def _act(ref: str, aref: str, text: str, **kw) -> Action:
    return Action(risk_ref=ref, action_ref=aref, text=text, **kw)


def build(root: Path, config_text: str = "") -> tuple[Config, object]:
    (root / "config.toml").write_text(config_text, encoding="utf-8")
    config = load_config(root / "config.toml")
    db = open_db(config.paths.database)
    april = date(2024, 4, 10)
    _save(db, "2024-04", "2024-04-30", [
        Risk(ref="SL-004", title="Column failures", owner="Tom Okafor", strategy="treat",
             current_score=16, actions=[_act("SL-004", "A1", "Test", last_updated=april)]),
        Risk(ref="HM-001", title="Pothole backlog", owner=PRITCHARD, strategy="treat",
             current_score=9, actions=[_act("HM-001", "A1", "Extra gang", last_updated=april,
                                            due=date(2024, 5, 15), owner="Dan Lee")]),
        Risk(ref="HM-002", title="Gully cleansing", owner="Siân Hughes", strategy="treat",
             current_score=6, actions=[_act("HM-002", "A1", "Survey", last_updated=april)]),
    ])  # fmt: skip
    _save(db, "2024-05", "2024-05-31", [
        # two actions not updated this month, one of them overdue; score up 9 -> 12
        Risk(ref="HM-001", title="Pothole backlog", owner=PRITCHARD, strategy="treat",
             current_likelihood=3, current_impact=4, current_score=12,
             actions=[_act("HM-001", "A1", "Extra gang", last_updated=april,
                           due=date(2024, 5, 15), owner="Dan Lee", status="Open"),
                      _act("HM-001", "A2", "Weekly report", last_updated=date(2024, 4, 2))]),
        # no strategy, hostile title; its action was updated this month
        Risk(ref="HM-003", title=EVIL_TITLE, owner="j pritchard", current_score=4,
             actions=[_act("HM-003", "A1", "=cmd|' /C calc'!A0", last_updated=date(2024, 5, 20))]),
        # one stale action: one action needs an update
        Risk(ref="HM-002", title="Gully cleansing", owner="Siân Hughes", strategy="treat",
             current_score=6, actions=[_act("HM-002", "A1", "Survey", last_updated=april)]),
        # an escalation candidate only: to discuss, nothing to update
        Risk(ref="SL-004", title="Column failures", owner="Tom Okafor", strategy="treat",
             current_score=16, actions=[_act("SL-004", "A1", "Test", last_updated=date(2024, 5, 2))]),
        # no owner recorded
        Risk(ref="WS-005", title="Salt stock", strategy="treat", current_score=4),
    ])  # fmt: skip
    return config, db


@pytest.fixture
def ws(tmp_path: Path):
    config, db = build(
        tmp_path,
        '[chase]\nfrom = "Risk Board <risk.board@council.example>"\n'
        'reply_to = "risk.team@council.example"\n'
        '[chase.owners]\n"siân hughes" = "sian.hughes@bblp.example"\n',
    )
    board.save_person(db, "J Pritchard", organisation="contractor",
                      email="jane.pritchard@bblp.example")  # fmt: skip
    yield config, db
    db.conn.close()


def parse(path: Path) -> EmailMessage:
    with path.open("rb") as fh:
        msg = BytesParser(policy=policy.default).parse(fh)
    assert isinstance(msg, EmailMessage)
    return msg


# ----------------------------------------------------------------------- addresses


@pytest.mark.parametrize(
    "name",
    ["J. Pritchard (BBLP)", "j pritchard", "J.Pritchard", "J PRITCHARD [BBLP]", "J. Pritchard "],
)
def test_owner_names_match_ignoring_case_punctuation_and_organisation(name):
    assert owner_key(name) == "j pritchard"


def test_accents_and_apostrophes_are_ignored_but_names_stay_apart():
    assert owner_key("Seán O'Brien (Council)") == owner_key("Sean OBrien") == "sean obrien"
    assert owner_key("Smith-Jones") == owner_key("smith jones")
    assert owner_key("J. Pritchard") != owner_key("J. Pritchett")


@given(
    st.text(alphabet="abcdefghij .-'", min_size=1, max_size=20).filter(lambda s: s.strip(" .-'")),
    st.text(alphabet="ABCDEFGH &", min_size=1, max_size=8).filter(str.strip),
)
def test_a_trailing_organisation_and_case_never_change_the_match(name, org):
    assert owner_key(f"{name} ({org})") == owner_key(name.upper()) == owner_key(name)


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("jane.pritchard", "has no @"),
        ("jane@bblp", "has no full domain"),
        ("jane@@bblp.example", "more than one @"),
        ("jane pritchard@bblp.example", "holds a space"),
        ("a@b.example, c@d.example", "not one address"),
        ("jane@bblp.example\nBcc: all@council.example", "line break"),
        ("jané@bblp.example", "plain ASCII"),
        ("Jane <jane@bblp.example>", "is written with a name: give the address alone"),
        ("", "is empty"),
        # the domain: labels of letters, digits and hyphens; an IP address only in brackets
        ("jane@-x.example", "starts or ends with a hyphen ('-x' in '-x.example')"),
        ("jane@x-.example", "starts or ends with a hyphen"),
        ("jane@x_y.example", "other than letters, digits, hyphens and dots in its domain"),
        ("jane@1.2.3.4", "has an IP address after the @ ('1.2.3.4'): write it in brackets"),
        ("jane@[1.2.3]", "no valid IP address in brackets"),
        ("jane@bblp.123", "ending in digits"),
        # a space the parser would drop, dots, characters no address holds: in words
        ("jane@ bblp.example", "holds a space"),
        ("jane.@bblp.example", "a dot at the start or end of the part before the @"),
        ("ja..ne@bblp.example", "or two dots together"),
        ("jane@bblp..example", "has no full domain after the @ ('bblp..example')"),
        ("jane@bblp.example.", "has no full domain after the @ ('bblp.example.')"),
        ("ja(ne@bblp.example", "it holds a character no address can"),
        ("jane@" + "x" * 64 + ".example", "longer than 63 characters"),
    ],
)
def test_bad_addresses_are_refused_saying_why(text, why):
    with pytest.raises(InvalidAddress, match=re.escape(why)) as caught:
        check_address(text)
    # each reason reads on from "the email address 'x' for Tom Okafor ..."
    assert str(caught.value).split()[0] in {"is", "has", "holds", "needs"}


def test_a_refused_address_reads_as_one_sentence_with_the_person(ws):
    _, db = ws
    with pytest.raises(RiskboardError) as caught:
        board.save_person(db, "Tom Okafor", organisation="council", email="Tom <t@o.example>")
    assert str(caught.value) == (
        "the email address 'Tom <t@o.example>' for Tom Okafor is written with a name: give"
        " the address alone (name@example.org); nothing was recorded"
    )


def test_good_addresses_are_taken():
    assert check_address(" jane.pritchard@bblp.example ").addr_spec == "jane.pritchard@bblp.example"
    for good in ("jane@[192.0.2.1]", "jane@[IPv6:2001:db8::1]", "j@xn--bcher-kva.example",
                 "j@a-b.c9.example"):  # fmt: skip
        assert check_address(good).addr_spec == good
    sender = check_address("Risk Board <risk.board@council.example>", display_name=True)
    assert (sender.display_name, sender.domain) == ("Risk Board", "council.example")


def test_each_owner_gets_the_address_from_the_people_list_or_config(ws):
    config, db = ws
    plan = preview_owner_emails(db, config, board_date=BOARD, today=TODAY)
    got = {m.owner: (m.address.address, m.address.source) for m in plan.mails}
    assert got == {
        PRITCHARD: ("jane.pritchard@bblp.example", "people list (J Pritchard)"),
        "Siân Hughes": ("sian.hughes@bblp.example", "[chase.owners] 'siân hughes'"),
        "Tom Okafor": (None, None),
    }
    # "J. Pritchard (BBLP)" and "j pritchard" are one person: one email with both risks
    pritchard = plan.mails[0]
    assert [e.item.ref for e in pritchard.entries] == ["HM-001", "HM-003"]
    tom = next(m for m in plan.mails if m.owner == "Tom Okafor")
    assert tom.address.problem == "no email address"
    assert [i.ref for i in plan.no_owner] == ["WS-005"]


def test_two_addresses_for_one_owner_are_listed_never_chosen(ws):
    config, db = ws
    board.save_person(db, "Siân Hughes", organisation="contractor", email="s.hughes@bblp.example")
    plan = preview_owner_emails(db, config, board_date=BOARD, today=TODAY)
    sian = next(m for m in plan.mails if m.owner == "Siân Hughes")
    assert sian.address.address is None
    assert "two addresses" in (sian.address.problem or "")
    assert "s.hughes@bblp.example" in sian.address.problem
    assert "sian.hughes@bblp.example" in sian.address.problem


def test_a_person_email_is_checked_recorded_and_audited(ws):
    _, db = ws
    before = len(board.audit_entries(db))
    with pytest.raises(RiskboardError, match="'tom@okafor' for Tom Okafor has no full domain"):
        board.save_person(db, "Tom Okafor", organisation="contractor", email="tom@okafor")
    assert board.find_person(db, "Tom Okafor") is None
    assert len(board.audit_entries(db)) == before
    p = board.save_person(db, "Tom Okafor", organisation="contractor", email="Tom@Okafor.example")
    assert p.email == "Tom@Okafor.example"
    p = board.save_person(db, "tom okafor", email="t.okafor@bblp.example")
    entry = board.audit_entries(db)[-1]
    assert entry.change == "person updated"
    assert (entry.before or {})["email"] == "Tom@Okafor.example"
    assert (entry.after or {})["email"] == "t.okafor@bblp.example"
    assert board.save_person(db, "Tom Okafor", email="").email is None


def test_the_mail_server_settings_are_checked_when_loaded(tmp_path):
    cases = {
        '[chase.smtp]\nhost = "mail.council.example"\npassword = "hunter2"\n':
            "never put the password in config.toml",
        '[chase.smtp]\nhost = "mail.council.example"\nuser = "rb"\npassword_env = "X"\n'
        'security = "none"\n': "send the password unencrypted",
        '[chase]\nscheduled = "send"\n': 'scheduled = "send" needs [chase.smtp]',
    }  # fmt: skip
    for text, expected in cases.items():
        (tmp_path / "config.toml").write_text(text, encoding="utf-8")
        with pytest.raises(ConfigError, match=re.escape(expected)):
            load_config(tmp_path / "config.toml")


BAD_OWNERS = (
    '[chase.owners]\n"Tom Okafor" = "tom@okafor"\n'  # a typo
    '"J. Pritchard (BBLP)" = "a@bblp.example"\n"j pritchard" = "c@bblp.example"\n'  # two
    '"Siân Hughes" = "sian.hughes@bblp.example"\n'
)


def test_a_bad_owner_address_stops_no_other_command_and_that_owner_is_listed(
    tmp_path, capsys, monkeypatch
):
    """A typo under [chase.owners], or two spellings of one owner with two addresses,
    leaves the flags, the scheduler and every other command working; chase lists the
    owner with the reason and never emails them."""
    _, db = build(tmp_path, BAD_OWNERS)
    db.conn.close()
    monkeypatch.chdir(tmp_path)
    assert main(["flags", "--month", "2024-05"]) == 0
    assert main(["scheduler", "status"]) == 0
    capsys.readouterr()
    assert main(["chase", "--board-date", "12/06/2024"]) == 0
    out = capsys.readouterr().out
    assert (
        "  Tom Okafor: the address 'tom@okafor' from the [chase.owners] 'Tom Okafor' has no full"
        " domain after the @ ('okafor')\n"
    ) in out
    assert (
        "  J. Pritchard (BBLP): two addresses for one owner (a@bblp.example from the"
        " [chase.owners] 'J. Pritchard (BBLP)'; c@bblp.example from the [chase.owners]"
        " 'j pritchard')"
    ) in out
    assert "  Siân Hughes <sian.hughes@bblp.example>: Risk register: 1 action" in out
    # drafts for them have no To; a bad from refuses drafts and sending, naming the key
    (tmp_path / "config.toml").write_text('[chase]\nfrom = "risk board"\n' + BAD_OWNERS)
    assert main(["flags", "--month", "2024-05"]) == 0
    capsys.readouterr()
    assert main(["chase", "--board-date", "12/06/2024", "--eml", "d"]) == 1
    assert capsys.readouterr().err.strip() == (
        "riskboard: error: key chase.from: the address 'risk board' has no @ (name@example.org)"
        " - correct it in config.toml"
    )


# --------------------------------------------------------------------------- subject


@pytest.mark.parametrize(
    ("counts", "expected"),
    [
        ((3, 0, 0), "3 actions need an update before the board on 12/06/2024"),
        ((1, 0, 2), "1 action needs an update before the board on 12/06/2024"),
        ((2, 1, 0), "2 actions and 1 risk need an update before the board on 12/06/2024"),
        ((0, 1, 0), "1 risk needs an update before the board on 12/06/2024"),
        ((0, 0, 2), "2 risks to discuss at the board on 12/06/2024"),
    ],
)
def test_subject_says_how_many_in_words_with_the_board_date(counts, expected):
    assert subject_line(*counts, BOARD) == "Risk register: " + expected


# ---------------------------------------------------------------------------- drafts


def test_drafts_open_as_ready_to_send_messages_with_everything_the_owner_needs(ws, tmp_path):
    config, db = ws
    folder = tmp_path / "drafts"
    plan, written = draft_owner_emails(
        db, config, folder, board_date="12/06/2024", today=TODAY, now=NOW
    )
    assert sorted(p.name for p in folder.glob("*.eml")) == [
        "chase-2024-05-j-pritchard-bblp.eml",
        "chase-2024-05-sian-hughes.eml",
        "chase-2024-05-tom-okafor.eml",
    ]
    assert written.files == [folder / f"chase-2024-05-{m.slug}.eml" for m in plan.mails]
    needs = {i.ref: i.needs for i in chase_items(db, "2024-05", config)}

    msg = parse(folder / "chase-2024-05-j-pritchard-bblp.eml")
    assert msg["X-Unsent"] == "1"  # Outlook opens it as an unsent draft
    assert msg["Subject"] == (
        "Risk register: 2 actions and 2 risks need an update before the board on 12/06/2024"
    )
    assert msg["To"].addresses[0].addr_spec == "jane.pritchard@bblp.example"
    assert msg["To"].addresses[0].display_name == "J. Pritchard"
    assert str(msg["From"]) == "Risk Board <risk.board@council.example>"
    assert str(msg["Reply-To"]) == "risk.team@council.example"
    assert msg["Date"].datetime == NOW
    assert re.fullmatch(r"<[^@>]+@council\.example>", msg["Message-ID"])
    assert msg.get_content_type() == "multipart/mixed"
    text = msg.get_body(("plain",)).get_content()
    html_part = msg.get_body(("html",)).get_content()
    assert "Dear J. Pritchard," in text
    assert "meets on Wednesday 12/06/2024" in text
    assert "In the May 2024 risk register, 2 actions and 2 risks of yours need an update" in text
    for line in needs["HM-001"] + needs["HM-003"]:  # the chase list's sentences, word for word
        assert f"   - {line}\n" in text
    assert (
        "     * A1 Extra gang (action owner Dan Lee, due 15/05/2024, last updated 10/04/2024):"
        " No action update this month: last updated 10/04/2024; Overdue action: due 15/05/2024"
    ) in text
    assert "     * A2 Weekly report (last updated 02/04/2024)" in text
    assert "Score 12 (was 9), amber; strategy treat." in text
    assert "How to reply" in text and "even if there has been no progress" in text
    assert "(chase-2024-05-j-pritchard-bblp.xlsx)" in text
    assert text.rstrip().endswith("Contract Risk Management Board")

    attachments = list(msg.iter_attachments())
    assert [a.get_filename() for a in attachments] == ["chase-2024-05-j-pritchard-bblp.xlsx"]
    assert attachments[0].get_content_type() == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    wb = openpyxl.load_workbook(io.BytesIO(attachments[0].get_content()))
    assert wb.sheetnames == ["Chase list", "Actions to update"]
    rows = [[c.value for c in r] for r in wb["Chase list"].iter_rows(min_row=5)]
    assert [r[1] for r in rows] == ["HM-001", "HM-003"]
    assert rows[0][4] == "\n".join(needs["HM-001"])
    actions = [[c.value for c in r] for r in wb["Actions to update"].iter_rows(min_row=2)]
    assert [a[:3] for a in actions] == [
        ["HM-001", "A1", "Extra gang"],
        ["HM-001", "A2", "Weekly report"],
    ]
    assert "http" not in html_part.split("<body", 1)[0]  # nothing fetched from outside


def test_register_text_is_escaped_in_html_and_never_a_formula_in_the_attachment(ws, tmp_path):
    config, db = ws
    draft_owner_emails(db, config, tmp_path, board_date=BOARD, today=TODAY, now=NOW)
    msg = parse(tmp_path / "chase-2024-05-j-pritchard-bblp.eml")
    html_part = msg.get_body(("html",)).get_content()
    assert "<script>" not in html_part
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; =HYPERLINK(" in html_part
    assert EVIL_TITLE in msg.get_body(("plain",)).get_content()
    (xlsx,) = [a.get_content() for a in msg.iter_attachments()]
    with zipfile.ZipFile(io.BytesIO(xlsx)) as z:
        sheets = [z.read(n).decode() for n in z.namelist() if n.startswith("xl/worksheets/")]
    assert sheets and not any("<f>" in s or "<f " in s for s in sheets)
    wb = openpyxl.load_workbook(io.BytesIO(xlsx))
    title = wb["Chase list"].cell(6, 3)
    assert title.value == EVIL_TITLE and title.data_type == "s"


def test_a_draft_for_an_owner_without_an_address_has_no_to_and_is_listed(ws, tmp_path, capsys,
                                                                         monkeypatch):  # fmt: skip
    config, db = ws
    db.conn.close()
    monkeypatch.chdir(tmp_path)
    code = main(["chase", "--eml", "out", "--board-date", "12/06/2024", "--month", "2024-05"])
    out = capsys.readouterr().out
    assert code == 0
    assert "Wrote 3 drafts to out" in out
    assert (
        "  Tom Okafor NO ADDRESS: Risk register: 1 risk to discuss at the board on 12/06/2024"
        " -> chase-2024-05-tom-okafor.eml\n"
    ) in out
    assert (
        "1 owner without an email address:\n  Tom Okafor: no email address\n  To fix: add one"
        " with `riskboard meeting person NAME --email ADDRESS` or under [chase.owners]"
    ) in out
    assert "Flagged risks with no owner in the register, in no email: WS-005" in out
    msg = parse(tmp_path / "out" / "chase-2024-05-tom-okafor.eml")
    assert msg["To"] is None and msg["X-Unsent"] == "1"
    assert "Escalation candidate: score 16 reaches the corporate register threshold (16)" in (
        msg.get_body(("plain",)).get_content()
    )


def test_file_names_are_safe_and_unique_whatever_the_owner_is_called(tmp_path):
    config = Config().resolve(tmp_path)
    db = open_db(config.paths.database)
    owners = ["../../etc/passwd", "CON", "Siân Hughes: \x1b[2J", "siân hughes?", "",
              "Иван Петров", "Пётр Иванов"]  # fmt: skip
    _save(db, "2024-06", "2024-06-30", [
        Risk(ref=f"R-{n}", title="t", owner=o or None, strategy="treat", current_score=4)
        for n, o in enumerate(owners)
    ])  # fmt: skip
    _, written = draft_owner_emails(db, config, tmp_path / "d", board_date=BOARD, today=TODAY)
    names = sorted(p.name for p in written.files)
    assert names == [
        "chase-2024-06-con.eml",
        "chase-2024-06-etc-passwd.eml",
        "chase-2024-06-owner-2.eml",  # no ASCII letter in either name: numbered
        "chase-2024-06-owner.eml",
        "chase-2024-06-sian-hughes-2j.eml",
        "chase-2024-06-sian-hughes.eml",
    ]
    assert all(p.parent == tmp_path / "d" for p in written.files)
    db.conn.close()


def _sian_updates_her_action(db) -> None:
    """A corrected May export: Siân Hughes's action updated in May, so nothing of hers
    is flagged any more."""
    gully = Risk(ref="HM-002", title="Gully cleansing", owner="Siân Hughes", strategy="treat",
                 current_score=6,
                 actions=[_act("HM-002", "A1", "Survey", last_updated=date(2024, 5, 20))])  # fmt: skip
    with db.atomic():
        save_import(db, ImportRecord(file_name="r2.xlsx", sha256="sha-2", month="2024-05",
                                     report_date="2024-05-31"), [gully])  # fmt: skip


def test_rewriting_the_month_removes_only_unedited_drafts_riskboard_wrote(ws, tmp_path):
    config, db = ws
    folder = tmp_path / "d"
    draft_owner_emails(db, config, folder, board_date=BOARD, today=TODAY)
    sian = folder / "chase-2024-05-sian-hughes.eml"
    assert sian.exists()
    # the officer's own file, named like a draft, and a notes file
    notes = folder / "chase-2024-05-my-notes-for-board.eml"
    notes.write_text("my notes")
    (folder / "notes.eml").write_text("mine")
    _, only = draft_owner_emails(db, config, folder, board_date=BOARD, today=TODAY,
                                 owners=["TOM OKAFOR"])  # fmt: skip
    assert [p.name for p in only.files] == ["chase-2024-05-tom-okafor.eml"]
    assert only.removed == []  # one owner asked for: the others' drafts are kept
    _sian_updates_her_action(db)
    _, whole = draft_owner_emails(db, config, folder, board_date=BOARD, today=TODAY)
    assert whole.removed == [sian]  # riskboard wrote it, unedited, for an owner no longer flagged
    assert notes.read_text() == "my notes" and (folder / "notes.eml").exists()
    assert whole.kept == []


def test_an_edited_draft_is_never_removed_or_overwritten(ws, tmp_path, capsys, monkeypatch):
    config, db = ws
    folder = tmp_path / "d"
    draft_owner_emails(db, config, folder, board_date=BOARD, today=TODAY)
    tom = folder / "chase-2024-05-tom-okafor.eml"
    sian = folder / "chase-2024-05-sian-hughes.eml"
    edited = tom.read_bytes().replace(b"Dear Tom Okafor,", b"Dear Tom, see my note,")
    tom.write_bytes(edited)
    with pytest.raises(RiskboardError, match=r"chase-2024-05-tom-okafor.eml in .* was not written"
                       r" by riskboard, or edited since it wrote them; nothing was written"):  # fmt: skip
        draft_owner_emails(db, config, folder, board_date=BOARD, today=TODAY)
    assert tom.read_bytes() == edited
    # an edited draft of an owner no longer flagged is kept, and said so
    tom.unlink()
    draft_owner_emails(db, config, folder, board_date=BOARD, today=TODAY)
    sian.write_bytes(sian.read_bytes() + b"\r\n(my postscript)\r\n")
    _sian_updates_her_action(db)
    db.conn.close()
    monkeypatch.chdir(tmp_path)
    assert main(["chase", "--eml", "d", "--board-date", "12/06/2024", "--month", "2024-05"]) == 0
    out = capsys.readouterr().out
    assert sian.exists() and sian.read_bytes().endswith(b"(my postscript)\r\n")
    assert (
        "Kept chase-2024-05-sian-hughes.eml: riskboard wrote it for an owner with nothing"
        " flagged now, but it was edited since - delete it yourself if it is not needed"
    ) in out
    assert "Removed" not in out


def test_a_file_where_the_drafts_folder_should_be_is_named(ws, tmp_path, capsys, monkeypatch):
    _, db = ws
    db.conn.close()
    monkeypatch.chdir(tmp_path)
    (tmp_path / "afile").write_text("not a folder")
    assert main(["chase", "--eml", "afile", "--board-date", "12/06/2024"]) == 1
    err = capsys.readouterr().err
    assert err == (
        "riskboard: error: afile is a file, not a folder; nothing was written - give a folder"
        " (it is created if missing)\n"
    )
    assert main(["chase", "--eml", "afile/sub", "--board-date", "12/06/2024"]) == 1
    assert "cannot write to folder afile/sub: afile is a file, not a folder" in (
        capsys.readouterr().err
    )
    assert (tmp_path / "afile").read_text() == "not a folder"


def test_an_unknown_owner_is_refused_naming_those_with_flagged_risks(ws, tmp_path):
    config, db = ws
    with pytest.raises(NotFound, match="no flagged risk of 'Nobody' in May 2024; owners"):
        preview_owner_emails(db, config, board_date=BOARD, today=TODAY, owners=["Nobody"])


# ------------------------------------------------------------------------ board date


def test_the_board_date_is_the_one_recorded_never_guessed(ws):
    _, db = ws
    with pytest.raises(NotFound, match="no meeting is recorded .* give --board-date DATE"):
        board_date_for(db, "2024-05")
    april = board.new_meeting(db, meeting_date="2024-05-15", month="2024-04", chair="Chair")
    with pytest.raises(RiskboardError, match="set no date for the next one"):
        board_date_for(db, "2024-05")
    board.set_next_meeting_date(db, april.id, "12/06/2024")
    got = board_date_for(db, "2024-05")
    assert got.when == BOARD and "set at meeting 1 (15/05/2024)" in got.source
    board.close_meeting(db, april.id, force_reason="test")
    board.new_meeting(db, meeting_date="2024-06-19", month="2024-05", chair="Chair", start=False)
    got = board_date_for(db, "2024-05")
    assert (
        got.when == date(2024, 6, 19) and "meeting 2 (draft), which reviews May 2024" in got.source
    )
    assert board_date_for(db, "2024-05", date(2024, 6, 26)).when == date(2024, 6, 26)


def test_a_board_date_in_the_past_is_warned_about_on_drafts(ws, tmp_path, capsys, monkeypatch):
    config, db = ws
    plan = preview_owner_emails(db, config, board_date="01/06/2024", today=TODAY)
    assert plan.warnings == [
        "the board date 01/06/2024 (given with --board-date) is in the past: give"
        " --board-date for the next meeting"
    ]


def test_json_preview_lists_owners_addresses_and_counts(ws, tmp_path, capsys, monkeypatch):
    _, db = ws
    db.conn.close()
    monkeypatch.chdir(tmp_path)
    assert main(["chase", "--board-date", "2024-06-12", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["board_date"] == "2024-06-12"
    first = data["owners"][0]
    assert (first["owner"], first["actions"], first["risks"], first["refs"]) == (
        PRITCHARD, 2, 2, ["HM-001", "HM-003"])  # fmt: skip
    assert data["no_owner"] == ["WS-005"]


def test_meeting_person_email_on_the_command_line(ws, tmp_path, capsys, monkeypatch):
    _, db = ws
    db.conn.close()
    monkeypatch.chdir(tmp_path)
    assert main(["meeting", "person", "Tom Okafor", "--org", "contractor",
                 "--email", "tom.okafor@council"]) == 1  # fmt: skip
    err = capsys.readouterr().err
    assert err.strip() == (
        "riskboard: error: the email address 'tom.okafor@council' for Tom Okafor has no full"
        " domain after the @ ('council'); nothing was recorded - give --email ADDRESS"
    )
    assert main(["meeting", "person", "Tom Okafor", "--org", "contractor",
                 "--email", "tom.okafor@council.example"]) == 0  # fmt: skip
    assert "Tom Okafor: contractor, no role, lead officer, tom.okafor@council.example" in (
        capsys.readouterr().out
    )
    assert main(["meeting", "people"]) == 0
    assert "<tom.okafor@council.example>" in capsys.readouterr().out
    assert main(["chase", "--board-date", "12/06/2024", "--owner", "tom okafor"]) == 0
    assert "  Tom Okafor <tom.okafor@council.example>: Risk register: 1 risk to discuss" in (
        capsys.readouterr().out
    )


def test_owners_sharing_one_address_get_one_email_naming_each(tmp_path):
    config, db = build(
        tmp_path,
        '[chase.owners]\n"Siân Hughes" = "highways.team@bblp.example"\n'
        '"Tom Okafor" = "Highways.Team@bblp.example"\n',
    )
    _, written = draft_owner_emails(db, config, tmp_path / "d", board_date=BOARD, today=TODAY,
                                    owners=["Siân Hughes", "Tom Okafor"])  # fmt: skip
    (path,) = written.files
    msg = parse(path)
    (to,) = msg["To"].addresses
    assert (to.display_name, to.addr_spec) == (
        "Siân Hughes and Tom Okafor", "highways.team@bblp.example")  # fmt: skip
    assert msg["Subject"] == (
        "Risk register: 1 action needs an update before the board on 12/06/2024"
    )
    text = msg.get_body(("plain",)).get_content()
    assert text.startswith("Dear Siân Hughes and Tom Okafor,\n")
    assert "1. HM-002 Gully cleansing - owner Siân Hughes\n" in text
    assert "2. SL-004 Column failures - owner Tom Okafor\n" in text
    db.conn.close()
