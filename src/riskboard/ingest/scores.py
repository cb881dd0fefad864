"""Likelihood, impact and score cells as councils write them.

- likelihood / impact: 4, "4", "4 - Likely", "Likely (4)", or a word alone ("Likely",
  "Major") read through the scale words (``[scoring.likelihood_words]`` and
  ``[scoring.impact_words]`` over the defaults in ``config``). A letter ("B") is read
  only when the council's letters are configured there: their direction differs
  between councils, so it is never guessed. A number and a word that disagree
  ("2 - Likely") are not read.
- score: 16, "16", "16 (Red)", "High (16)", the product "4x4", "4 x 4", "4*4",
  "4 x 4 = 16". A band alone ("High", "Red") carries no number and is not read, unless
  ``[scoring.score_words]`` maps it.

Each reader takes a raw cell and gives 1-5 (1-25 for a score), None for a blank, or
raises ValueError saying why - the import turns that into ``unreadable_value``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from riskboard.ingest.values import BLANK_WORDS

_WORDS_ONLY = re.compile(r"[^\w]+|_")
_ONE_NUMBER = re.compile(r"(?<![\d.])(\d{1,3})(?:\.0+)?(?![\d.])")
_PRODUCT = re.compile(
    r"(\d{1,2})(?:\.0+)?\s*[x×X*]\s*(\d{1,2})(?:\.0+)?\s*(?:=\s*(\d{1,3})(?:\.0+)?)?"
    r"\s*(?:\(([^)]*)\)|-\s*[a-z ]+)?"
)
BAND_WORDS = frozenset(
    {"low", "medium", "med", "high", "very high", "extreme", "red", "amber", "green",
     "very low", "critical", "significant", "moderate", "minor", "major", "severe",
     "tolerable", "acceptable", "unacceptable", "intolerable", "black"}
)  # fmt: skip


def word_key(text: str) -> str:
    """Text compared as words: case-folded, punctuation and runs of space made one space."""
    return " ".join(_WORDS_ONLY.sub(" ", text.casefold()).split())


class AxisReader:
    """Reads a likelihood or impact cell on a 1-5 scale."""

    def __init__(self, axis: str, words: Mapping[str, int], config_key: str) -> None:
        self.axis = axis
        self.config_key = config_key
        self.words = {word_key(w): n for w, n in words.items()}

    def _number(self, n: int, shown: str) -> int:
        if not 1 <= n <= 5:
            raise ValueError(f"{shown} is not a {self.axis} on the 1-5 scale")
        return n

    def __call__(self, value: Any) -> int | None:
        tv = type(value)
        if tv is float or tv is int:
            if tv is float and not value.is_integer():  # 2.5, inf, nan
                raise ValueError(f"{value:g} is not a whole number")
            return self._number(int(value), f"{value:g}")
        if tv is not str:
            if value is None:
                return None
            raise ValueError(f"{value!r} is not a {self.axis}")
        text: str = value.strip()
        if not text or text.casefold() in BLANK_WORDS:
            return None
        if text.isdigit() and len(text) <= 3:
            return self._number(int(text), text)
        key = word_key(text)
        if key in self.words:
            return self.words[key]
        numbers = _ONE_NUMBER.findall(text)
        if len(numbers) == 1:
            n = self._number(int(numbers[0]), text)
            rest = word_key(_ONE_NUMBER.sub(" ", text))
            said = self.words.get(rest)
            if said is not None and said != n:
                raise ValueError(
                    f"{text!r} gives {n} but {rest!r} is {said} on the {self.axis} scale"
                )
            return n
        if not numbers:
            for part in re.split(r"[-/(),:]", text):
                part_key = word_key(part)
                if part_key in self.words:
                    return self.words[part_key]
            if len(key) == 1 and key.isalpha():
                raise ValueError(
                    f"{text!r} is a letter: a letter scale is read only when its letters are"
                    f" set under [{self.config_key}] in config.toml"
                )
            raise ValueError(
                f"{text!r} is not a {self.axis} word riskboard knows; add it under"
                f" [{self.config_key}] in config.toml"
            )
        raise ValueError(f"{text!r} holds more than one number")


class ScoreReader:
    """Reads a score cell (1-25)."""

    def __init__(self, words: Mapping[str, int]) -> None:
        self.words = {word_key(w): n for w, n in words.items()}

    @staticmethod
    def _number(n: int, shown: str) -> int:
        if not 1 <= n <= 25:
            raise ValueError(f"{shown} is not a score from 1 to 25")
        return n

    def __call__(self, value: Any) -> int | None:
        tv = type(value)
        if tv is float or tv is int:
            if tv is float and not value.is_integer():  # 2.5, inf, nan
                raise ValueError(f"{value:g} is not a whole number")
            return self._number(int(value), f"{value:g}")
        if tv is not str:
            if value is None:
                return None
            raise ValueError(f"{value!r} is not a score")
        text: str = value.strip()
        if not text or text.casefold() in BLANK_WORDS:
            return None
        if text.isdigit() and len(text) <= 3:
            return self._number(int(text), text)
        key = word_key(text)
        if key in self.words:
            return self.words[key]
        product = _PRODUCT.fullmatch(text.casefold())
        if product:
            likelihood, impact = int(product.group(1)), int(product.group(2))
            if not (1 <= likelihood <= 5 and 1 <= impact <= 5):
                raise ValueError(f"{text!r}: likelihood and impact must each be 1-5")
            total = likelihood * impact
            stated = product.group(3)
            if stated is not None and int(stated) != total:
                raise ValueError(f"{text!r} does not add up ({likelihood} x {impact} = {total})")
            return total
        numbers = _ONE_NUMBER.findall(text)
        if len(numbers) == 1:
            return self._number(int(numbers[0]), text)
        if not numbers and (key in BAND_WORDS or any(w in BAND_WORDS for w in key.split())):
            raise ValueError(
                f"{text!r} is a band, not a score: map it under [scoring.score_words]"
                " in config.toml to read it"
            )
        raise ValueError(f"{text!r} is not a score")
