"""Header matching and header-row detection: what a user sees in --dry-run's mapping."""

from __future__ import annotations

import string

import pytest
from hypothesis import given
from hypothesis import strategies as st

from riskboard.errors import RiskboardError
from riskboard.ingest.headers import (
    _GENERIC,
    _SPECIFIC,
    HEADER_FIELDS,
    build_matcher,
    header_key,
)
from riskboard.ingest.layout import detect_layout, fill_merged, resolve_columns
from riskboard.ingest.reader import Sheet

MATCHER = build_matcher()


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("Risk Ref", "ref"),
        ("Risk No.", "ref"),
        ("ID", "ref"),
        ("Risk Title", "title"),
        ("Risk statement", "description"),
        ("Cause(s)", "cause"),
        ("Consequence", "effect"),
        ("Potential impact", "effect"),
        ("Service Area", "annex"),
        ("Bearer of risk", "owner"),
        ("Gross Likelihood", "inherent_likelihood"),
        ("Pre-mitigation Severity", "inherent_impact"),
        ("Unmitigated Score", "inherent_score"),
        ("Residual Risk Rating", "current_score"),
        ("Net P", "current_likelihood"),
        ("Post-control Consequence", "current_impact"),
        ("Post-mitigation forecast Total", "target_score"),
        ("Expected Probability", "target_likelihood"),
        ("Likelihood", "current_likelihood"),
        ("Impact", "current_impact"),
        ("Score", "current_score"),
        ("Risk level", "current_score"),
        ("4T", "strategy"),
        ("Risk Response", "strategy"),
        ("Treatment", "strategy"),
        ("Treatment plan", "action"),
        ("Direction of travel", "trend"),
        ("DoT", "trend"),
        ("GBP impact", "exposure"),
        ("Estimated Cost (£)", "exposure"),
        ("EWN no.", "early_warning_ref"),
        ("CE ref", "compensation_event_ref"),
        ("Mitigating action(s)", "action"),
        ("Further actions", "action"),
        ("Assigned to", "action_owner"),
        ("Responsible officer", "action_owner"),
        ("Deadline", "due"),
        ("Action Target Date", "due"),
        ("Action Last Updated", "last_updated"),
        ("Action Progress", "progress"),
        ("Action Status", "action_status"),
        ("Action Owner", "action_owner"),
        ("Action ID", "action_ref"),
        ("Update", "progress"),
        ("Updated", "last_updated"),
        ("Last Reviewed", "last_updated"),
        ("Likelihood (1-5)", "current_likelihood"),
        ("Risk\nRef", "ref"),
        ("RISK_TITLE", "title"),
    ],
)
def test_domain_variants_map_to_their_field(header: str, field: str) -> None:
    hit = MATCHER.match(header)
    assert hit is not None, header
    assert hit.field == field


@pytest.mark.parametrize("header", ["Initials", "Comments by Finance", "Notes", "RAG", ""])
def test_unrelated_headers_are_not_mapped(header: str) -> None:
    assert MATCHER.match(header) is None


BUILT_IN = sorted(
    (variant, field)
    for table in (_SPECIFIC, _GENERIC)
    for field, variants in table.items()
    for variant in variants
)
SEPARATORS = st.text(alphabet=" \n\t.-_/:()&*'\"", max_size=3)


@st.composite
def disguised(draw: st.DrawFn) -> tuple[str, str, str]:
    """A built-in variant with random case and random separators between its characters."""
    variant, field = draw(st.sampled_from(BUILT_IN))
    chars = []
    for ch in variant:
        chars.append(ch.upper() if draw(st.booleans()) else ch.lower())
        chars.append(draw(SEPARATORS))
    return variant, "".join(chars), field


@given(disguised())
def test_case_punctuation_spacing_and_line_breaks_never_matter(
    case: tuple[str, str, str],
) -> None:
    variant, disguised_text, _field = case
    original = MATCHER.match(variant)
    assert original is not None
    assert MATCHER.match(disguised_text) == original


@given(st.text(max_size=40))
def test_any_text_maps_to_a_known_field_or_nothing(text: str) -> None:
    hit = MATCHER.match(text)
    assert hit is None or hit.field in HEADER_FIELDS
    assert header_key(header_key(text)) == header_key(text)


@given(
    st.text(alphabet=string.ascii_letters + " ", min_size=3, max_size=30).filter(
        lambda t: len(header_key(t)) >= 3
    ),
    st.sampled_from(sorted(HEADER_FIELDS)),
)
def test_config_aliases_win_over_built_in_variants(alias: str, field: str) -> None:
    matcher = build_matcher({field: [alias]})
    hit = matcher.match(alias.upper())
    assert hit is not None
    assert hit.field == field
    assert hit.priority == 0


def test_config_alias_for_unknown_field_names_the_key() -> None:
    with pytest.raises(RiskboardError, match=r"import\.aliases\.riskiness: unknown field"):
        build_matcher({"riskiness": ["Risk-o-meter"]})


def test_alias_field_synonyms_are_accepted() -> None:
    matcher = build_matcher({"due_date": ["When by"], "Last Updated": ["Touched"]})
    assert matcher.match("when by").field == "due"  # type: ignore[union-attr]
    assert matcher.match("TOUCHED").field == "last_updated"  # type: ignore[union-attr]


# ----------------------------------------------------------------------------- header row


def _layout(rows: list[list[object]], merged: list | None = None, role: str = "risks"):  # type: ignore[no-untyped-def]
    width = max(len(r) for r in rows)
    grid = [list(r) + [""] * (width - len(r)) for r in rows]
    grid = [["" if v is None else v for v in r] for r in grid]
    sheet = Sheet("Register", grid, merged or [])
    fill_merged(sheet)
    layout = detect_layout(sheet, MATCHER)
    assert layout is not None
    resolve_columns(layout, role, MATCHER, sheet.rows)  # type: ignore[arg-type]
    return layout


def test_header_row_found_below_a_title_block() -> None:
    layout = _layout(
        [
            ["Highways Contract - Joint Risk Register"],
            ["Report run: 31/08/2022", "", "Page 1 of 3"],
            [],
            ["Risk Ref", "Risk Title", "Owner", "Notes"],
            ["R1", "Flooding", "Ann", ""],
        ]
    )
    assert layout.header_row == 3
    assert layout.mapping() == {
        "Risk Ref": "ref",
        "Risk Title": "title",
        "Owner": "owner",
        "Notes": None,
    }


def test_two_row_header_with_merged_group_cells() -> None:
    rows = [
        ["Risk Ref", "Title", "Current", "", "", "Target", "", "Action", ""],
        ["", "", "L", "I", "Score", "L", "I", "Owner", "Target Date"],
        ["R1", "Flooding", 3, 4, 12, 2, 2, "Bob", "01/09/2022"],
    ]
    # "Risk Ref" and "Title" merged down over both header rows
    merged = [((0, 0), (1, 0)), ((0, 1), (1, 1)), ((0, 2), (0, 4)), ((0, 5), (0, 6)),
              ((0, 7), (0, 8))]  # fmt: skip
    layout = _layout(rows, merged)
    assert layout.header_row == 1
    assert layout.first_header_row == 0
    assert [c.field for c in layout.columns] == [
        "ref", "title", "current_likelihood", "current_impact", "current_score",
        "target_likelihood", "target_impact", "action_owner", "due",
    ]  # fmt: skip


def test_line_breaks_in_headers() -> None:
    layout = _layout(
        [["Risk\nRef", "Inherent\nRisk\nScore", "Action\nLast\nUpdated"], ["R1", 9, ""]]
    )
    assert [c.field for c in layout.columns] == ["ref", "inherent_score", "last_updated"]


def test_more_specific_header_wins_a_field() -> None:
    layout = _layout([["ID", "Risk Ref", "Risk Title"], [1, "R1", "Flooding"]])
    assert layout.index()["ref"].header == "Risk Ref"
    assert layout.mapping()["ID"] is None
    assert any("'ID' also looks like ref" in n for n in layout.notes)


def test_risk_status_column_holding_4t_values_is_the_strategy() -> None:
    layout = _layout(
        [
            ["Ref", "Title", "Risk status"],
            ["R1", "a", "Treat"],
            ["R2", "b", "Tolerate"],
            ["R3", "c", "Transfer"],
        ]  # fmt: skip
    )
    assert layout.mapping()["Risk status"] == "strategy"


def test_status_column_with_open_closed_stays_status() -> None:
    layout = _layout([["Ref", "Title", "Status"], ["R1", "a", "Open"], ["R2", "b", "Closed"]])
    assert layout.mapping()["Status"] == "status"


def test_bare_owner_and_status_on_an_actions_sheet_are_the_actions() -> None:
    layout = _layout(
        [["Risk Ref", "Ref", "Description", "Owner", "Due", "Status"],
         ["R1", "A1", "Do it", "Bob", "01/09/2022", "Open"]],
        role="actions",
    )  # fmt: skip
    assert layout.mapping() == {
        "Risk Ref": "ref",
        "Ref": "action_ref",
        "Description": "action",
        "Owner": "action_owner",
        "Due": "due",
        "Status": "action_status",
    }
