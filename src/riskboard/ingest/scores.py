"""Likelihood, impact and score cells as councils write them - read only when the cell
can mean one thing.

- likelihood / impact: 4, "4", "4 - Likely", "Likely (4)", "3 (Medium)", a word alone
  ("Likely", "Major") read through the scale words (``[scoring.likelihood_words]`` and
  ``[scoring.impact_words]`` over the defaults in ``config``), or the axis letter glued
  to the number ("L4", "I3"). A letter ("B") is read only when the council's letters are
  configured there: their direction differs between councils, so it is never guessed.
  A number and a word that disagree ("2 - Likely") are not read.
- score: 16, "16", "16 (Red)", "High (16)", "16 Red/Amber", the product "4x4", "4 x 4",
  "4*4", "4 x 4 = 16". A band alone ("High", "Red") carries no number and is not read,
  unless ``[scoring.score_words]`` maps it.

Anything else is not read, however close it looks: a negative number ("-16"), a
percentage ("20%"), money ("£16k"), a bound (">15", "16+"), a question ("16?"), a
range or two words ("Unlikely/Likely", "Minor-Moderate"), a sentence ("Down from 20"),
another axis's word ("Likely (4)" in a score column). A cell that says there is no value
("TBC", "N/A", "-", "?", "Unknown") is not blank either: the risk is not scored, and the
board must see that rather than a risk that quietly drops off the escalation list.

Each reader takes a raw cell and gives 1-5 (1-25 for a score), None for a blank cell, or
raises ValueError saying why in a risk officer's words - the import turns that into
``unreadable_value``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import date, datetime, time, timedelta
from typing import Any

from riskboard.domain import strip_invisible
from riskboard.ingest.values import BLANK_WORDS

_WORDS_ONLY = re.compile(r"[^\w]+|_")
# words and the joins a phrase has ("Almost certain", "almost-certain", "Very likely.")
_PHRASE = re.compile(r"[^\W\d_]+(?:(?:\s*[-–]\s*|\s+|['’])[^\W\d_]+)*\.?")
_NUMBER = r"(?P<n>\d{1,3})(?:\.0+)?"
_LABEL = r"(?P<label>[^\W\d_]+(?:(?:\s*[-–/&]\s*|\s+|['’])[^\W\d_]+)*)"
# "16 (Red)", "16 - Red", "16: Red", "16 Red"  /  "Red (16)", "Red - 16", "Red: 16"
_NUMBER_LABEL = re.compile(rf"{_NUMBER}\s*(?:(?:(?P<o>\()|[-–—:])?\s*{_LABEL}\s*(?(o)\)))?\s*")
_LABEL_NUMBER = re.compile(rf"{_LABEL}\s*(?:(?P<o>\()|[-–—:])\s*{_NUMBER}\s*(?(o)\))\s*")
_PRODUCT = re.compile(
    r"(\d{1,2})(?:\.0+)?\s*[x×*]\s*(\d{1,2})(?:\.0+)?"
    r"\s*(?:=\s*(\d{1,3})(?:\.0+)?|\(\s*(\d{1,3})\s*\))?"
    rf"(?:\s*(?:(?P<o>\()|[-–—])\s*{_LABEL}\s*(?(o)\)))?\s*"
)
BAND_WORDS = frozenset(
    {"low", "medium", "med", "high", "very high", "extreme", "red", "amber", "green",
     "very low", "critical", "significant", "moderate", "minor", "major", "severe",
     "tolerable", "acceptable", "unacceptable", "intolerable", "black", "medium high",
     "medium low", "low medium", "high medium", "yellow", "orange"}
)  # fmt: skip
# band words that say high or low whatever the council's bands: "High (4)" and
# "Green (20)" cannot both be right, so neither figure is trusted
_HIGH_BANDS = frozenset(
    {"high", "very high", "red", "extreme", "critical", "severe", "intolerable",
     "unacceptable", "black", "major"}
)  # fmt: skip
_LOW_BANDS = frozenset(
    {"low", "very low", "green", "minor", "tolerable", "acceptable", "insignificant"}
)  # fmt: skip
# single words a band label may be built from ("Red/Amber", "Very high")
_BAND_PARTS = frozenset(w for band in BAND_WORDS for w in band.split()) | {"very"}
# the letter that may be glued to an axis's number ("L4", "I3")
_AXIS_LETTERS = {"likelihood": "lp", "impact": "isc"}
_SHAPE_OF_TEXT = (
    "only a number (4), a number with its word (4 - Likely) or a word of the scale is read"
)
_SHAPE_OF_SCORE = (
    "only a number (16), a number with its band (16 (Red)) or a product (4 x 4) is read"
)


def word_key(text: str) -> str:
    """Text compared as words: case-folded, punctuation and runs of space made one space."""
    return " ".join(_WORDS_ONLY.sub(" ", text.casefold()).split())


def _article(word: str) -> str:
    return "an" if word[:1] in "aeiou" else "a"


def _describe(value: Any) -> str:
    """A cell that is not text or a number, as a risk officer would read it."""
    if isinstance(value, datetime | date):
        return f"the date {value:%d/%m/%Y}"
    if isinstance(value, time):
        return f"the time {value:%H:%M}"
    if isinstance(value, timedelta):
        return "a length of time"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    return f"'{value}'"


def _whole(value: float) -> int:
    if type(value) is not int and not value.is_integer():  # 2.5, inf, nan
        raise ValueError(f"{value:g} is not a whole number")
    return int(value)


# what a register writes for "no value given", beyond the blank words of every column
NOT_GIVEN = BLANK_WORDS | {"n.a", "n/k", "tba", "not scored", "not assessed", "not known yet"}


def _plain_reason(text: str, what: str) -> str | None:
    """Why ``text`` is not read, for the shapes that are never a value."""
    t = text.strip()
    if t.casefold() in NOT_GIVEN:
        return f"{t!r} gives no {what}: the risk is not scored"
    if "?" in t:
        return f"{t!r} is a question, not {_article(what)} {what}"
    if "%" in t:
        return f"{t!r} is a percentage, not {_article(what)} {what}"
    if "£" in t or "$" in t or "€" in t:
        return f"{t!r} is an amount of money, not {_article(what)} {what}"
    if re.match(r"[-–−]\s*\d", t):
        return f"{t!r} is a negative number, not {_article(what)} {what}"
    if t[:1] in "<>≤≥~" or t.endswith("+") or t.casefold().startswith(("c.", "circa", "approx")):
        return f"{t!r} is a bound or an estimate, not {_article(what)} {what}"
    return None


class AxisReader:
    """Reads a likelihood or impact cell on a 1-5 scale."""

    def __init__(self, axis: str, words: Mapping[str, int], config_key: str) -> None:
        self.axis = axis
        self.a_axis = f"{_article(axis)} {axis}"
        self.config_key = config_key
        self.words = {word_key(w): n for w, n in words.items()}
        self._glued = re.compile(rf"[{_AXIS_LETTERS.get(axis, '')}]\s*(\d)", re.IGNORECASE)

    def _number(self, n: int, shown: str) -> int:
        if not 1 <= n <= 5:
            raise ValueError(f"{shown} is not {self.a_axis} on the 1-5 scale")
        return n

    def __call__(self, value: Any) -> int | None:
        tv = type(value)
        if tv is float or tv is int:
            return self._number(_whole(value), f"{value:g}")
        if tv is not str:
            if value is None:
                return None
            raise ValueError(f"{_describe(value)} is not {self.a_axis}")
        text: str = strip_invisible(value).strip()
        if not text:
            return None
        if text.isdigit() and len(text) <= 3:
            return self._number(int(text), text)
        if text.casefold() in NOT_GIVEN:
            raise ValueError(f"{text!r} gives no {self.axis}: the risk is not scored")
        if _PHRASE.fullmatch(text):
            key = word_key(text)
            if key in self.words:
                return self.words[key]
            raise ValueError(self._unknown_words(text, key))
        if (glued := self._glued.fullmatch(text)) is not None:
            return self._number(int(glued.group(1)), text)
        for pattern in (_NUMBER_LABEL, _LABEL_NUMBER):
            m = pattern.fullmatch(text)
            if m is not None:
                return self._labelled(text, int(m.group("n")), m.group("label"))
        raise ValueError(_plain_reason(text, self.axis) or self._not_read(text))

    def _labelled(self, text: str, n: int, label: str | None) -> int:
        """A number with a word beside it: the word must be the number's own scale word
        (or a plain band word such as "High"), never another value."""
        n = self._number(n, text)
        if not label:
            return n
        key = word_key(label)
        said = self.words.get(key)
        if said is not None:
            if said != n:
                raise ValueError(
                    f"{text!r} says {n}, but {label.strip()!r} is {said} on the {self.axis} scale"
                )
            return n
        if key in BAND_WORDS:
            _band_against(text, key, n, low_top=2, high_bottom=4)
            return n
        raise ValueError(
            f"{text!r}: {label.strip()!r} is not {self.a_axis} word, so the number cannot be"
            f" trusted; {_SHAPE_OF_TEXT}"
        )

    def _two_values(self, text: str, key: str) -> str | None:
        words, found, i = key.split(), [], 0
        while i < len(words):  # the scale's words and phrases in it, longest first
            for size in (3, 2, 1):
                phrase = " ".join(words[i : i + size])
                if len(words) - i >= size and phrase in self.words:
                    found.append((phrase, self.words[phrase]))
                    i += size
                    break
            else:
                i += 1
        if len(found) < 2:
            return None
        named = " and ".join(f"{w!r} ({n})" for w, n in found)
        return f"{text!r} names two values - {named}: {self.a_axis} must be one"

    def _unknown_words(self, text: str, key: str) -> str:
        two = self._two_values(text, key)
        if two is not None:
            return two
        if len(key) == 1:
            return (
                f"{text!r} is a letter: a letter scale is read only when its letters are set"
                f" under [{self.config_key}] in config.toml"
            )
        return (
            f"{text!r} is not {self.a_axis} word riskboard knows; if the council's scale uses it,"
            f" add it under [{self.config_key}] in config.toml"
        )

    def _not_read(self, text: str) -> str:
        two = self._two_values(text, word_key(text))
        if two is not None:
            return two
        return f"{text!r} is not {self.a_axis} that can be read for certain: {_SHAPE_OF_TEXT}"


def _band_against(text: str, key: str, n: int, low_top: int, high_bottom: int) -> None:
    """A number beside a band word that says the opposite ("High (4)", "Low (20)")."""
    if key in _HIGH_BANDS and n <= low_top:
        raise ValueError(f"{text!r}: {n} is low, but the word says high - which is meant?")
    if key in _LOW_BANDS and n >= high_bottom:
        raise ValueError(f"{text!r}: {n} is high, but the word says low - which is meant?")


class ScoreReader:
    """Reads a score cell (1-25). ``bands`` (name, lowest, highest score): the
    council's bands, against which a score written with its band is checked."""

    def __init__(
        self, words: Mapping[str, int], bands: Sequence[tuple[str, int, int]] = ()
    ) -> None:
        self.words = {word_key(w): n for w, n in words.items()}
        self.bands = {word_key(name): (low, high) for name, low, high in bands}

    @staticmethod
    def _number(n: int, shown: str) -> int:
        if not 1 <= n <= 25:
            raise ValueError(f"{shown} is not a score from 1 to 25")
        return n

    def __call__(self, value: Any) -> int | None:
        tv = type(value)
        if tv is float or tv is int:
            return self._number(_whole(value), f"{value:g}")
        if tv is not str:
            if value is None:
                return None
            raise ValueError(f"{_describe(value)} is not a score")
        text: str = strip_invisible(value).strip()
        if not text:
            return None
        if text.isdigit() and len(text) <= 3:
            return self._number(int(text), text)
        if text.casefold() in NOT_GIVEN:
            raise ValueError(f"{text!r} gives no score: the risk is not scored")
        if _PHRASE.fullmatch(text):
            key = word_key(text)
            if key in self.words:
                return self.words[key]
            if key in BAND_WORDS or all(w in _BAND_PARTS for w in key.split()):
                raise ValueError(
                    f"{text!r} is a band, not a score: map it under [scoring.score_words]"
                    " in config.toml to read it"
                )
            raise ValueError(f"{text!r} is not a score: {_SHAPE_OF_SCORE}")
        product = _PRODUCT.fullmatch(text.casefold())
        if product:
            likelihood, impact = int(product.group(1)), int(product.group(2))
            if not (1 <= likelihood <= 5 and 1 <= impact <= 5):
                raise ValueError(f"{text!r}: likelihood and impact must each be 1-5")
            total = likelihood * impact
            stated = product.group(3) or product.group(4)
            if stated is not None and int(stated) != total:
                raise ValueError(f"{text!r} does not add up ({likelihood} x {impact} = {total})")
            self._band(text, product.group("label"), total)
            return total
        for pattern in (_NUMBER_LABEL, _LABEL_NUMBER):
            m = pattern.fullmatch(text)
            if m is not None:
                n = self._number(int(m.group("n")), text)
                self._band(text, m.group("label"), n)
                return n
        raise ValueError(
            _plain_reason(text, "score") or f"{text!r} is not a score: {_SHAPE_OF_SCORE}"
        )

    def _band(self, text: str, label: str | None, n: int | None) -> None:
        """The words beside a score must be a band ("Red", "Very high", "Red/Amber")."""
        if not label:
            return
        key = word_key(label)
        mapped = self.words.get(key)
        if mapped is not None:
            if n is not None and mapped != n:
                raise ValueError(
                    f"{text!r} says {n}, but {label.strip()!r} is {mapped} under"
                    " [scoring.score_words]"
                )
            return
        if all(w in _BAND_PARTS for w in key.split()):
            if n is None:
                return
            band = self.bands.get(key)
            if band is not None and not band[0] <= n <= band[1]:
                raise ValueError(
                    f"{text!r} says {n}, but {label.strip()!r} is {band[0]}-{band[1]} in the"
                    " council's bands - which is meant?"
                )
            _band_against(text, key, n, low_top=4, high_bottom=15)
            return
        raise ValueError(
            f"{text!r}: {label.strip()!r} is not a band, so the number cannot be trusted"
            f" as a score; {_SHAPE_OF_SCORE}"
        )
