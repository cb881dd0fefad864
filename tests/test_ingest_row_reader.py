"""The unrolled row reader (a speed trick, ``cells._compile``) against its plain
reference (``cells._plain_reader``): the same values, blanks and unreadable cells for
the same row; and a traceback through it shows its source."""

from __future__ import annotations

import traceback
from datetime import date, datetime
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from riskboard.config import Config
from riskboard.ingest.cells import (
    _PLAIN_TEXT,
    Slot,
    _compile,
    _plain_reader,
    action_converters,
    risk_converters,
)
from riskboard.ingest.cellscan import CellError

FIELDS = [
    "title", "current_score", "current_likelihood", "status", "early_warning_ref",
    "action_ref", "due", "progress", "owner", "strategy",
]  # fmt: skip


def _slots() -> list[Slot]:
    converters = {**risk_converters(Config().scoring), **action_converters(False)}
    return [
        Slot(f, f, f in _PLAIN_TEXT, converters[f], {"": None}, f.replace("_", " ").title())
        for f in FIELDS
    ]


CELLS = st.one_of(
    st.none(),
    st.sampled_from(["", "  ", "High", "5", "12", "R - 001", "r\u2013001 ", "n/a", "Open", "=A1"]),
    st.text(max_size=12),
    st.integers(-5, 30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.dates(min_value=date(1990, 1, 1), max_value=date(2040, 1, 1)),
    st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2040, 1, 1)),
    st.builds(CellError, st.sampled_from(["#REF!", "#N/A", "=D8*E8"]), st.booleans()),
)


def _read(reader: Any, rows: list[list[Any]]) -> list[tuple[dict[str, Any], list[Any]]]:
    out = []
    for row in rows:
        values: dict[str, Any] = {}
        bad: list[Any] = []
        reader(row, values, bad)
        out.append((values, [(f, h, b.reason, b.text, b.formula) for f, h, b in bad]))
    return out


@given(st.lists(st.lists(CELLS, min_size=len(FIELDS), max_size=len(FIELDS)), max_size=6))
def test_the_unrolled_reader_reads_as_the_plain_one(rows: list[list[Any]]) -> None:
    # each with its own caches, as each sheet has
    assert _read(_compile(_slots()), rows) == _read(_plain_reader(_slots()), rows)


def test_a_traceback_through_the_unrolled_reader_shows_its_source() -> None:
    slots = _slots()

    def boom(cell: Any) -> Any:
        raise RuntimeError("a converter fault")

    slots[1] = slots[1]._replace(conv=boom, cache={})
    reader = _compile(slots)
    try:
        reader(["t", 7, *[None] * (len(FIELDS) - 2)], {}, [])
    except RuntimeError:
        text = traceback.format_exc()
    else:  # pragma: no cover - the converter always raises
        raise AssertionError("no error")
    assert "riskboard row reader" in text and "_convert(conv1, c1)" in text
