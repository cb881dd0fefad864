"""Cell values as the register needs them: scores, money, statuses, strategies, refs."""

from __future__ import annotations

import contextlib
from datetime import date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from riskboard.config import ScoringConfig
from riskboard.ingest.cells import RISK_CONVERTERS
from riskboard.ingest.scores import AxisReader, ScoreReader
from riskboard.ingest.values import (
    action_status,
    classify_status_column,
    risk_status,
    strategy,
    to_money,
    to_ref,
    to_text,
)

SCORE = ScoreReader({})
LIKELIHOOD = AxisReader(
    "likelihood", ScoringConfig().likelihood_scale(), "scoring.likelihood_words"
)


@pytest.mark.parametrize(
    ("cell", "expected"),
    [(3.0, 3), ("3", 3), (" 4 ", 4), ("3 - Low", 3), ("High (16)", 16), ("", None),
     (12, 12), ("16 (Red)", 16), ("4x4", 16), ("4 x 4 = 16", 16), ("16.0", 16),
     ("16 Red/Amber", 16), ("Red (16)", 16), ("4X4 (Red)", 16), ("4 x 4 - Red", 16)],
)  # fmt: skip
def test_scores(cell: object, expected: int | None) -> None:
    assert SCORE(cell) == expected


@pytest.mark.parametrize("cell", ["High", 2.5, True, "3 or 4", 1e20, "123456", 0.0, 26, "6x5"])
def test_unreadable_scores(cell: object) -> None:
    with pytest.raises(ValueError):
        SCORE(cell)


# review of issue 9: each of these was read as a number it does not give (a guess)
@pytest.mark.parametrize(
    ("cell", "why"),
    [("-16", "negative"), ("-4", "negative"), ("20%", "percentage"), (">15", "bound"),
     ("16+", "bound"), ("c.16", "bound"), ("16?", "question"), ("£16k", "money"),
     ("Down from 20", "not a score"), ("Q3", "not a score"), ("was 12 now 16", "not a score"),
     ("Likely (4)", "not a band"), ("3 - Possible", "not a band"), ("16 label", "not a band"),
     ("N/A", "no score"), ("TBC", "no score"), ("-", "no score"), ("?", "no score"),
     ("Unknown", "no score"), ("Not scored", "no score")],
)  # fmt: skip
def test_a_score_that_is_not_certain_is_not_read(cell: str, why: str) -> None:
    with pytest.raises(ValueError, match=why):
        SCORE(cell)


IMPACT = AxisReader("impact", ScoringConfig().impact_scale(), "scoring.impact_words")


@pytest.mark.parametrize(
    ("reader", "cell", "why"),
    [(LIKELIHOOD, "5%", "percentage"), (LIKELIHOOD, "£5m", "money"),
     (IMPACT, "£2m", "money"), (LIKELIHOOD, "-4", "negative"),
     (LIKELIHOOD, "Unlikely/Likely", "two values"), (LIKELIHOOD, "Possible - Likely", "two values"),
     (IMPACT, "Major/Catastrophic", "two values"), (IMPACT, "Minor-Moderate", "two values"),
     (LIKELIHOOD, "Likely?", "question"), (IMPACT, "Major?", "question"),
     (LIKELIHOOD, "TBC", "no likelihood"), (IMPACT, "?", "no impact"),
     (IMPACT, "4 - Likely", "not an impact word"), (LIKELIHOOD, "5 (£1m+)", "money")],
)  # fmt: skip
def test_a_likelihood_or_impact_that_is_not_certain_is_not_read(
    reader: AxisReader, cell: str, why: str
) -> None:
    with pytest.raises(ValueError, match=why):
        reader(cell)


@pytest.mark.parametrize(
    ("reader", "cell", "expected"),
    [(LIKELIHOOD, "4 - Likely", 4), (LIKELIHOOD, "Likely (4)", 4), (LIKELIHOOD, "Rare - 1", 1),
     (LIKELIHOOD, "almost-certain", 5), (LIKELIHOOD, "L4", 4), (LIKELIHOOD, "3 (Medium)", 3),
     (IMPACT, "4 - Major", 4), (IMPACT, "I4", 4), (IMPACT, "Very low", 1)],
)  # fmt: skip
def test_likelihood_and_impact_forms_that_are_read(
    reader: AxisReader, cell: str, expected: int
) -> None:
    assert reader(cell) == expected


def test_reasons_are_worded_for_a_risk_officer() -> None:
    with pytest.raises(ValueError) as caught:
        LIKELIHOOD(date(1900, 1, 4))
    assert str(caught.value) == "the date 04/01/1900 is not a likelihood"
    with pytest.raises(ValueError, match="'Significant' is not an impact word"):
        IMPACT("Significant")


@pytest.mark.parametrize(
    ("cell", "expected"),
    [(250000.0, 250000.0), ("£250,000", 250000.0), ("£1.2m", 1_200_000.0), ("250k", 250000.0),
     ("GBP 5,000", 5000.0), ("(5,000)", -5000.0), ("TBC", None), ("", None)],
)  # fmt: skip
def test_money(cell: object, expected: float | None) -> None:
    assert to_money(cell) == expected


def test_unreadable_money() -> None:
    with pytest.raises(ValueError, match="'about a million' is not an amount"):
        to_money("about a million")


def test_text_and_refs() -> None:
    assert to_text("  Flooding \n") == "Flooding"
    assert to_text(12.0) == "12"
    assert to_text(0.5) == "0.5"
    assert to_text(date(2022, 8, 4)) == "2022-08-04"
    assert to_text(datetime(2022, 8, 4)) == "2022-08-04"
    assert to_text("   ") is None
    assert to_ref(" HM  001 ") == "HM 001"
    assert to_ref(101.0) == "101"


def test_statuses_and_strategies() -> None:
    assert risk_status("Live") == "open"
    assert risk_status("ARCHIVED") == "closed"
    with pytest.raises(ValueError, match="not a risk status"):
        risk_status("Under review")
    assert action_status("Completed") == "complete"
    assert action_status("On track") == "in progress"
    assert strategy("Reduce") == ("treat", "Reduce")
    assert strategy("Insured via contractor") == ("transfer", "Insured via contractor")
    assert strategy("Watch and wait") == (None, "Watch and wait")
    assert strategy("  ") == (None, None)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("Closed - transferred", "closed"), ("Closed (merged)", "closed"), ("Closed.", "closed"),
     ("CLOSED", "closed"), ("Open - escalated", "open"), ("Live", "open")],
)  # fmt: skip
def test_closed_and_open_with_a_note_are_read(text: str, expected: str) -> None:
    assert risk_status(text) == expected


@pytest.mark.parametrize(
    ("text", "why"),
    [("N/A", "not a risk status"), ("Treat", "a strategy, not a risk status"),
     ("Not closed", "not a risk status"), ("Dormant", "not a risk status")],
)  # fmt: skip
def test_a_status_that_is_not_open_or_closed_is_not_read(text: str, why: str) -> None:
    with pytest.raises(ValueError, match=why):
        risk_status(text)


@pytest.mark.parametrize(
    "text",
    ["Not accepted", "Do not tolerate", "Transfer not possible", "Treat/Transfer",
     "Tolerate/Treat", "Treat & Tolerate", "Cannot transfer - treat"],
)  # fmt: skip
def test_a_negated_or_double_strategy_is_kept_as_written_and_not_guessed(text: str) -> None:
    assert strategy(text) == (None, text)


def test_one_strategy_in_several_words_is_read() -> None:
    assert strategy("Treat - mitigate") == ("treat", "Treat - mitigate")
    assert strategy("4T: Treat") == ("treat", "4T: Treat")
    assert strategy("Tolerate (accept)") == ("tolerate", "Tolerate (accept)")


def test_status_column_decided_by_values() -> None:
    assert classify_status_column(["Open", "Closed", "Open"], has_actions=False) == "status"
    assert classify_status_column(["Treat", "Tolerate", "Open"], has_actions=False) == "strategy"
    assert (
        classify_status_column(["Open", "In progress", "Complete"], has_actions=True)
        == "action_status"
    )
    assert classify_status_column(["Open", "In progress"], has_actions=False) == "status"


@given(st.integers(min_value=1, max_value=25))
def test_any_whole_score_reads_back(n: int) -> None:
    assert SCORE(float(n)) == n
    assert SCORE(str(n)) == n
    rag = RISK_CONVERTERS["current_score"]  # the default RAG bands
    if (band := ScoringConfig().rag(n)) is not None:  # 13 and 14 are no L x I
        assert rag(f"{n} - {band}") == n  # its own band
    if n < 15:
        with pytest.raises(ValueError, match="which is meant"):
            rag(f"{n} - Red")  # a band it does not fall in: not read


@given(
    st.integers(min_value=1, max_value=5),
    st.integers(min_value=1, max_value=5),
    st.sampled_from(["{a}x{b}", "{a} x {b}", "{a}*{b}", "{a} X {b} = {p}", "{a}x{b} ({p})"]),
)
def test_any_product_form_reads_as_likelihood_times_impact(a: int, b: int, form: str) -> None:
    assert SCORE(form.format(a=a, b=b, p=a * b)) == a * b


@given(
    st.integers(min_value=1, max_value=5), st.sampled_from(["{n}", "{n} - Medium", "Medium ({n})"])
)
def test_any_likelihood_number_reads_back(n: int, form: str) -> None:
    assert LIKELIHOOD(form.format(n=n)) == n


@given(st.integers(min_value=1, max_value=5))
def test_a_likelihood_beside_a_band_word_that_says_the_opposite_is_not_read(n: int) -> None:
    for text, against in ((f"{n} - High", n <= 2), (f"Low ({n})", n >= 4)):
        if against:
            with pytest.raises(ValueError, match="which is meant"):
                LIKELIHOOD(text)
        else:
            assert LIKELIHOOD(text) == n


@given(st.one_of(st.text(max_size=20), st.floats(allow_nan=True), st.booleans()))
def test_converters_raise_only_value_error(cell: object) -> None:
    for conv in (SCORE, LIKELIHOOD, to_money):
        with contextlib.suppress(ValueError):  # anything else would be a crash
            conv(cell)
