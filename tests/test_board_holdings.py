"""Rule 3 (issue 11): de-escalation is offered and accepted only from a register the risk
is on (an accepted escalation not since returned); escalating and de-escalating the same
risk at one meeting is refused with a message naming the other proposal."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlite_utils

from board_helpers import audit_count, start
from riskboard import board
from riskboard.cli import main
from riskboard.config import Config
from riskboard.errors import RiskboardError
from riskboard.reports.minutes import export_minutes


def _on_corporate(db: sqlite_utils.Database, target: str = "corporate") -> int:
    """HM-001 escalated to the Corporate register (or ``target``) and accepted at meeting
    1 (closed); returns meeting 2, open."""
    m1 = start(db)
    up = board.escalate(db, m1.id, "HM-001", target=target, reason="score 16")
    board.decide_escalation(db, m1.id, up.id, accept=True)
    board.close_meeting(db, m1.id)
    return start(db, "2022-10-12").id


def test_deescalating_a_risk_never_escalated_is_refused(db: sqlite_utils.Database) -> None:
    m = start(db).id
    before = audit_count(db)
    with pytest.raises(RiskboardError) as err:
        board.deescalate(db, m, "HM-001", from_target="corporate", reason="low")
    assert str(err.value) == (
        "risk HM-001 is not on the Directorate or Corporate register (no accepted escalation"
        " that was not since returned): there is nothing to de-escalate"
    )
    # proposed but not accepted is not "on the register" either
    board.escalate(db, m, "SL-002", target="directorate", reason="12")
    with pytest.raises(RiskboardError, match="SL-002 is not on the Directorate or Corporate"):
        board.deescalate(db, m, "SL-002", reason="low")
    assert audit_count(db) == before + 1
    assert [e.direction for e in board.list_escalations(db)] == ["escalate"]


def test_deescalation_only_from_the_register_it_is_on(db: sqlite_utils.Database) -> None:
    m2 = _on_corporate(db)
    assert board.registers_held(db, "HM-001") == ["corporate"]
    with pytest.raises(RiskboardError, match="HM-001 is not on the Directorate risk register: it"
                       " is on the Corporate risk register"):  # fmt: skip
        board.deescalate(db, m2, "HM-001", from_target="directorate", reason="low")
    down = board.deescalate(db, m2, "HM-001", reason="below 16 for 3 months")
    assert down.source == "corporate"
    with pytest.raises(RiskboardError, match="already proposed for return: de-escalation #2"):
        board.deescalate(db, m2, "HM-001", reason="again")
    board.decide_escalation(db, m2, down.id, accept=True)
    assert board.registers_held(db, "HM-001") == []


def test_accepting_a_return_needs_the_risk_still_on_the_register(
    db: sqlite_utils.Database,
) -> None:
    m2 = _on_corporate(db)
    down = board.deescalate(db, m2, "HM-001", reason="below 16")
    # a second return proposed before this rule existed (as an older riskboard allowed)
    with db.conn:
        db.execute(
            "INSERT INTO escalations (meeting_id, ref, target, direction, source, reason, status,"
            " created_at) VALUES (?, 'HM-001', 'contract', 'de-escalate', 'corporate', 'dup',"
            " 'proposed', 'x')",
            [m2],
        )
    board.decide_escalation(db, m2, down.id, accept=True)
    with pytest.raises(
        RiskboardError,
        match="cannot accept de-escalation #3 from the Corporate"
        r" risk register .*: risk HM-001 is not on the Corporate risk register now",
    ):
        board.decide_escalation(db, m2, 3, accept=True)  # fmt: skip
    assert board.get_escalation(db, 3).status == "proposed"


def test_escalate_and_deescalate_at_one_meeting_is_refused_naming_the_other(
    db: sqlite_utils.Database,
) -> None:
    m2 = _on_corporate(db, "directorate")
    up = board.escalate(db, m2, "HM-001", target="corporate", reason="now corporate")
    with pytest.raises(RiskboardError) as err:
        board.deescalate(db, m2, "HM-001", from_target="directorate", reason="low")
    assert str(err.value).startswith(
        f"cannot de-escalate HM-001: that contradicts escalation #{up.id} to the Corporate"
        ' risk register (proposed at meeting 2, reason "now corporate") at this meeting'
    )
    assert f"escalation decide {up.id} --decline" in str(err.value)
    # and the other way round
    board.decide_escalation(db, m2, up.id, accept=False)
    down = board.deescalate(db, m2, "HM-001", from_target="directorate", reason="low")
    with pytest.raises(RiskboardError, match=f"contradicts de-escalation #{down.id} from the"
                       " Directorate risk register"):  # fmt: skip
        board.escalate(db, m2, "HM-001", target="corporate", reason="up again")
    # a board (not a register) is not the opposite of a return
    board.escalate(db, m2, "HM-001", target="operations-board", reason="cost")


def test_escalating_to_a_register_it_is_on_is_refused(db: sqlite_utils.Database) -> None:
    m2 = _on_corporate(db)
    with pytest.raises(RiskboardError, match="already on the Corporate risk register: escalation"
                       " #1"):  # fmt: skip
        board.escalate(db, m2, "HM-001", target="corporate", reason="again")


def test_minutes_show_only_what_was_allowed(db: sqlite_utils.Database, tmp_path: Path) -> None:
    m2 = _on_corporate(db, "directorate")
    board.escalate(db, m2, "HM-001", target="corporate", reason="also")
    with pytest.raises(RiskboardError):
        board.deescalate(db, m2, "HM-001", reason="low")
    text = export_minutes(
        db, Config().resolve(tmp_path), meeting_id=m2, fmt="md", out_dir=tmp_path
    ).read_text(encoding="utf-8")
    assert "De-escalated" not in text and "Corporate risk register" in text


def test_cli_deescalate_refusals(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from board_helpers import seeded_db

    (tmp_path / "config.toml").write_text('[paths]\ndatabase = "rb.db"\n')
    monkeypatch.chdir(tmp_path)
    db = seeded_db(tmp_path / "rb.db")
    start(db)
    db.conn.close()
    assert main(["deescalate", "HM-001", "--from", "corporate", "--reason", "low"]) == 1
    err = capsys.readouterr().err
    assert "HM-001 is not on the Directorate or Corporate register" in err
    assert main(["escalate", "HM-001", "--to", "corporate", "--reason", "16"]) == 0
    assert main(["escalation", "decide", "1", "--accept"]) == 0
    capsys.readouterr()
    assert main(["deescalate", "HM-001", "--reason", "low"]) == 1  # same meeting
    err = capsys.readouterr().err
    assert "contradicts escalation #1 to the Corporate risk register" in err
    # #1 is accepted: declining it is impossible, so the hint never suggests it
    assert "--decline" not in err and "propose the return at a later meeting" in err
    assert main(["escalation", "decide", "1", "--decline"]) == 1  # indeed a dead end
    capsys.readouterr()
    assert main(["escalate", "HM-001", "--to", "directorate", "--reason", "also"]) == 1
    err = capsys.readouterr().err
    assert "cannot escalate HM-001 to the Directorate risk register: it is on the Corporate" in err
    assert main(["escalation", "list", "--json"]) == 0
    assert '"de-escalate"' not in capsys.readouterr().out


def test_one_risk_is_not_put_to_two_registers_at_one_meeting(db: sqlite_utils.Database) -> None:
    m = start(db).id
    first = board.escalate(db, m, "HM-001", target="corporate", reason="16")
    before = audit_count(db)
    with pytest.raises(RiskboardError) as err:
        board.escalate(db, m, "HM-001", target="directorate", reason="12")
    assert str(err.value).startswith(
        "cannot escalate HM-001 to the Directorate risk register: escalation #1 to the"
        ' Corporate risk register (proposed at meeting 1, reason "16") is still undecided - a'
        " risk goes to one register above the contract's at a time"
    )
    assert err.value.hint is not None and "escalation decide 1 --decline" in err.value.hint
    assert audit_count(db) == before
    # the hint works: decline the first, then the other register is accepted
    board.decide_escalation(db, m, first.id, accept=False, note="Directorate instead")
    assert board.escalate(db, m, "HM-001", target="directorate", reason="12").id == 2
    # a board above the contract is not a register: no conflict
    board.escalate(db, m, "HM-001", target="operations-board", reason="cost")


def test_escalating_below_the_register_a_risk_is_on_is_refused_with_a_way_that_works(
    db: sqlite_utils.Database,
) -> None:
    m2 = _on_corporate(db)
    with pytest.raises(RiskboardError) as err:
        board.escalate(db, m2, "HM-001", target="directorate", reason="down a level")
    assert str(err.value).startswith(
        "cannot escalate HM-001 to the Directorate risk register: it is on the Corporate risk"
        " register (escalation #1 to the Corporate risk register (proposed at meeting 1,"
        ' accepted at meeting 1, reason "score 16")), which is above it.'
    )
    hint = err.value.hint or ""
    assert "`riskboard deescalate HM-001 --from corporate --reason ...`" in hint
    assert hint.endswith("escalate HM-001 to the Directorate risk register at a later meeting")
    # follow the hint: return it, accepted ...
    down = board.deescalate(db, m2, "HM-001", from_target="corporate", reason="score 9")
    board.decide_escalation(db, m2, down.id, accept=True)
    with pytest.raises(RiskboardError) as err:  # ... not at the same meeting, as it said
        board.escalate(db, m2, "HM-001", target="directorate", reason="9")
    assert "--decline" not in (err.value.hint or "")
    board.close_meeting(db, m2)
    m3 = start(db, "2022-11-09").id
    assert board.escalate(db, m3, "HM-001", target="directorate", reason="9").status.value == (
        "proposed"
    )


def test_escalating_above_the_register_a_risk_is_on_is_allowed(db: sqlite_utils.Database) -> None:
    m2 = _on_corporate(db, "directorate")
    up = board.escalate(db, m2, "HM-001", target="corporate", reason="now 20")
    assert up.target.value == "corporate"


def test_a_risk_on_a_register_is_no_candidate_for_it_or_one_below(
    db: sqlite_utils.Database, tmp_path: Path
) -> None:
    """Issue 12b: WS-003 (score 9) accepted onto the Directorate register at meeting 1 is
    no longer an escalation candidate at meeting 2 - the register says where it is
    instead; HM-001 (score 16) on the Directorate register is still a candidate for the
    Corporate one. As meeting 1 saw them, both were candidates."""
    from riskboard.register import register_rows
    from riskboard.reports.chase import chase_items

    m1 = start(db)
    for ref in ("WS-003", "HM-001"):
        up = board.escalate(db, m1.id, ref, target="directorate", reason="over 9")
        board.decide_escalation(db, m1.id, up.id, accept=True)
    board.close_meeting(db, m1.id)
    m2 = start(db, "2022-10-12").id
    config = Config().resolve(tmp_path)
    rows = {r.ref: r for r in register_rows(db, "2022-08", config, meeting_id=m2)}
    assert "escalation_candidate" not in rows["WS-003"].flags
    assert [h.text() for h in rows["WS-003"].holdings] == [
        "on the Directorate risk register since meeting 1 (14/09/2022)"
    ]
    assert rows["HM-001"].flag_details["escalation_candidate"].register == "corporate"
    before = {r.ref: r for r in register_rows(db, "2022-08", config, meeting_id=m1.id)}
    assert "escalation_candidate" in before["WS-003"].flags and not before["WS-003"].holdings
    needs = {i.ref: i.needs for i in chase_items(db, "2022-08", config)}
    assert not any("escalation" in n for n in needs.get("WS-003", []))
