"""What kind of figure a question counts, and whether a piece of evidence counts it.

"How many hours a week ...?" is not answered by a share, "what share use X?" not by a
headcount, and "how long did the survey take?" not by a sentence that states no duration.
The answerability decision reads this as a signal (``measure_missing``) for facts and for
statements about the survey alike.
"""

from __future__ import annotations

import re
from functools import lru_cache

from rag.text.lexicon import TIME_UNITS
from rag.text.numbers import extract_figures, unit_named
from rag.types import Fact, Sentence

# "how many hours", "the number of employees", "how long": the question names what it counts
_COUNTED = re.compile(r"\b(?:how\s+many|how\s+much|number\s+of|amount\s+of)\s+([a-z$]+)", re.I)
_HOW_LONG = re.compile(r"\bhow\s+long\b", re.I)
# "what share", "which percentage", "how many percent": a part of a whole is asked
_SHARE = re.compile(
    r"\b(?:what|which)\s+(?:share|percentage|proportion|fraction|percent)\b"
    r"|\bhow\s+many\s+percent\b|\bwhat\s+%",
    re.I,
)
# what a count of people or firms is in ("how many companies is that?")
COUNTED_UNITS = frozenset({"respondents", "companies", "users"})
# measures that are never a share of respondents
MEASURES = TIME_UNITS | {"USD", "employees"}
# a year, or a count of people or firms, does not answer "what share?" either
_NOT_SHARES = MEASURES | {"year"} | COUNTED_UNITS


@lru_cache(maxsize=1024)
def measures_asked(question: str) -> frozenset[str]:
    """The measures a question counts (hours, money, headcount, any duration), if any."""
    asked: set[str] = set(TIME_UNITS) if _HOW_LONG.search(question) else set()
    for m in _COUNTED.finditer(question):
        unit = unit_named(m.group(1))
        if unit in MEASURES:
            asked |= TIME_UNITS if unit in TIME_UNITS else {unit}
    return frozenset(asked)


def asks_share(question: str) -> bool:
    """Whether a question asks for a share ("what percentage", "how many percent")."""
    return _SHARE.search(question) is not None


def count_asked(question: str) -> str | None:
    """The unit of people or firms a question counts ("how many companies", "in actual
    companies, how many is that?"), unless it asks a share; None otherwise."""
    if not _HOW_MANY.search(question) or asks_share(question):
        return None
    for word in re.findall(r"[A-Za-z]+", question):
        unit = unit_named(word.lower())
        if unit in COUNTED_UNITS:
            return unit
    return None


_HOW_MANY = re.compile(r"\bhow\s+many\b", re.I)


def measure_missing(question: str, item: Fact | Sentence | None) -> float:
    """1 when the question counts a measure the evidence does not state in it: a duration or
    an amount asked and none given, or a share asked and only a measure of another kind
    given (a headcount, a sum of money, a year). 0 otherwise, and for no evidence."""
    if item is None:
        return 0.0
    if isinstance(item, Fact):
        units = {item.unit}
    else:
        units = {f.unit for f in extract_figures(item.text)}
    asked = measures_asked(question)
    if asked:
        return 0.0 if units & asked else 1.0
    if _SHARE.search(question) and units and units <= _NOT_SHARES:
        return 1.0
    return 0.0
