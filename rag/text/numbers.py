"""Find the figures in a piece of text: value, unit and qualifier.

One parser serves the corpus check (a table value must stand in its source sentence), the
numeric guard (every figure in an answer must stand in a cited source) and the eval scorer
(an expected figure must be in the answer, with its unit and qualifier). Sharing it keeps the
three in agreement about what "the same figure" means.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import get_args

from rag.types import Qualifier

_SCALE = {
    "k": 1e3,
    "thousand": 1e3,
    "m": 1e6,
    "mm": 1e6,
    "mn": 1e6,
    "million": 1e6,
    "millions": 1e6,
    "b": 1e9,
    "bn": 1e9,
    "billion": 1e9,
    "billions": 1e9,
    "thousands": 1e3,
}

_WORDS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "eighteen": 18,
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
    "hundred": 100,
    "thousand": 1000,
    "million": 1e6,
    "billion": 1e9,
}

# Nouns that give a bare number its unit; the first match after the number wins.
_NOUN_UNITS = {
    "employee": "employees",
    "employees": "employees",
    "company": "companies",
    "companies": "companies",
    "business": "companies",
    "businesses": "companies",
    "enterprise": "companies",
    "enterprises": "companies",
    "organization": "companies",
    "organizations": "companies",
    "firm": "companies",
    "firms": "companies",
    "respondent": "respondents",
    "respondents": "respondents",
    "people": "respondents",
    # what a survey counts its answers in: "4,005 responses", "476 observations"
    "response": "respondents",
    "responses": "respondents",
    "participant": "respondents",
    "participants": "respondents",
    "observations": "respondents",
    # a community survey speaking to its readers: "1,800 of you took the time"
    "you": "respondents",
    "user": "users",
    "users": "users",
    "year": "years",
    "years": "years",
    "month": "months",
    "months": "months",
    "week": "weeks",
    "weeks": "weeks",
    "day": "days",
    "days": "days",
    "hour": "hours",
    "hours": "hours",
    "minute": "minutes",
    "minutes": "minutes",
    "usd": "USD",
    "dollar": "USD",
    "dollars": "USD",
}

_BEFORE = [
    (
        re.compile(
            r"(?:well|far|just|slightly)\s+over\s*$|over\s*$|more\s+than\s*$|above\s*$|"
            r"greater\s+than\s*$|exceed(?:ing|ed)?\s*$|in\s+excess\s+of\s*$|upwards\s+of\s*$|"
            r"(?<![-=<])>\s*$",
            re.I,
        ),
        "over",
    ),
    (re.compile(r"(?:less|fewer)\s+than\s*$|under\s*$|below\s*$|<\s*$", re.I), "under"),
    (re.compile(r"at\s+least\s*$|no\s+(?:less|fewer)\s+than\s*$|(?:>=|≥)\s*$", re.I), "at_least"),
    (
        re.compile(
            r"at\s+most\s*$|up\s+to\s*$|no\s+more\s+than\s*$|not\s+more\s+than\s*$|(?:<=|≤)\s*$",
            re.I,
        ),
        "at_most",
    ),
    (re.compile(r"(?:about|around|approximately|roughly|nearly|almost|some|~)\s*$", re.I), "about"),
]
_AFTER = [
    (re.compile(r"^\s*(?:or|and)\s+(?:more|above|over|higher)\b", re.I), "at_least"),
    (re.compile(r"^\s*(?:or|and)\s+(?:less|fewer|below|under)\b", re.I), "at_most"),
    # "200+" is a floor, but "24% + 10%" is a sum.
    (re.compile(r"^\s*\+(?!\s*\$?\d)", re.I), "at_least"),
]

_NUM = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_WORD_NUM = "|".join(sorted(_WORDS, key=len, reverse=True))
_FIGURE = re.compile(
    rf"""
    (?P<cur>\$\s?|USD\s?)?
    (?:(?P<num>{_NUM})|(?P<word>\b(?:{_WORD_NUM})\b)|(?P<half>\bhalf\b))
    (?:\s?(?P<scale>thousand|millions?|billions?)\b|(?P<short>k|mm|mn|m|bn|b)\b
       |s\s+of\s+(?P<ofscale>thousands|millions|billions)\b)?  # "100s of millions": a floor
    (?P<pct>\s?(?:%|percent\b|per\s+cent\b))?
    """,
    re.I | re.X,
)
# Digits glued to letters are names, not figures: GPT-4, Gen1, L6, v2, [3]; but the letter of
# an amount ("30M-90M") ends the low end of a range.
_NAME_BEFORE = re.compile(r"(?:(?<!\d)[A-Za-z]-?|(?<=\d)[ac-jln-z]-?|\d[kmb]|\[)\Z", re.I)
_MONEY_CONTEXT = re.compile(r"loss|cost|revenue|spend|budget|\$|dollar|USD", re.I)
# "is up to 46%", "climbs up to 61%": a figure that rose to its value, said exactly.
_ROSE_TO = re.compile(
    r"\b(?:is|was|are|were|gone|went|moved|rose|risen|climbed|jumped|grew|grown|"
    r"accelerate[sd]?|increase[sd]?|climbs|jumps|grows|rises)\s+up\s+to\s*$",
    re.I,
)
# "no vertical surveyed represented more than 8%" sets a ceiling, not a floor.
_NEGATED_OVER = re.compile(
    r"\bno\s+(?:[a-z]+\s+){1,3}(?:represented|accounted\s+for|made\s+up|had|was|were|"
    r"exceeded|reached)\s+(?:more\s+than|over|above)\s*$",
    re.I,
)
_CITATION = re.compile(r"\[\d+(?:\s*,\s*\d+)*\]")
_NEXT_WORDS = re.compile(r"^\W{0,3}((?:[A-Za-z$]+(?:\W+|$)){0,3})")


@dataclass(frozen=True)
class Figure:
    """A figure found in text."""

    value: float
    unit: str  # "%", "USD", a noun unit like "employees", "year" for calendar years, or ""
    qualifier: Qualifier
    start: int
    end: int
    raw: str

    def describe(self) -> str:
        """The figure as a reader would write it, e.g. 'over 80%'."""
        return format_figure(self.value, self.unit, self.qualifier)


def _qualifier(text: str, start: int, end: int) -> Qualifier:
    # "at least a hundred million": the article sits between the qualifier and the number.
    before = re.sub(r"\b(?:a|an)\s*$", "", text[max(0, start - 24) : start], flags=re.I)
    after = text[end : end + 16]
    for pattern, name in _AFTER:
        if pattern.search(after):
            return name  # type: ignore[return-value]
    if _NEGATED_OVER.search(text[max(0, start - 80) : start]):
        return "at_most"
    if _ROSE_TO.search(before):
        return "exact"  # "that number is up to 46%": it rose to 46%, not at most 46%
    for pattern, name in _BEFORE:
        if pattern.search(before):
            return name  # type: ignore[return-value]
    return "exact"


def _unit_after(text: str, end: int) -> str:
    window = text[end : end + 40]
    m = _NEXT_WORDS.match(window)
    if not m:
        return ""
    for word in re.findall(r"[A-Za-z]+", m.group(1))[:2]:
        unit = _NOUN_UNITS.get(word.lower())
        if unit:
            return unit
    return ""


# "three out of every four respondents", "1 in 5 developers": a share, said as a ratio of people
_RATIO = re.compile(
    rf"\b(?P<a>\d+|{_WORD_NUM})\s+(?:out\s+of|in)\s+(?:every\s+)?(?P<b>\d+|{_WORD_NUM})\s+"
    r"(?=(?:respondents|people|participants|developers|users|companies|businesses|firms|"
    r"organi[sz]ations|enterprises|teams|employees|workers|adults|members|customers|voters|"
    r"students|engineers|professionals|individuals)\b)",
    re.I,
)


def _ratios(masked: str, text: str) -> tuple[list[Figure], str]:
    """The shares ``masked`` states as ratios, and ``masked`` with those ratios blanked."""
    found: list[Figure] = []
    for m in _RATIO.finditer(masked):
        a, b = (_number_of(m.group(k)) for k in ("a", "b"))
        if not 0 < a < b <= 100:
            continue
        start, end = m.start(), m.end("b")
        found.append(
            Figure(
                round(100 * a / b, 1),
                "%",
                _qualifier(masked, start, end),
                start,
                end,
                text[start:end],
            )
        )
        masked = masked[:start] + " " * (end - start) + masked[end:]
    return found, masked


# "Git (n = 362)", "(n=361)": the statistician's count of the respondents a figure rests on
_SAMPLE_SIZE = re.compile(r"(?<![\w=])[nN]\s*=\s*(?P<n>\d{1,3}(?:,\d{3})+|\d+)(?![\d.,]*\d)")


def _sample_sizes(masked: str, text: str) -> tuple[list[Figure], str]:
    """The counts ``masked`` states as "n = 362", and ``masked`` with them blanked."""
    found = []
    for m in _SAMPLE_SIZE.finditer(masked):
        value = float(m.group("n").replace(",", ""))
        found.append(
            Figure(value, "respondents", "exact", m.start(), m.end(), text[m.start() : m.end()])
        )
        masked = masked[: m.start()] + " " * (m.end() - m.start()) + masked[m.end() :]
    return found, masked


def _number_of(token: str) -> float:
    return float(token) if token.isdigit() else float(_WORDS[token.lower()])


def extract_figures(text: str) -> list[Figure]:
    """Every figure stated in ``text``, in order. Citation markers like [2] are skipped."""
    return list(_figures(text))


@functools.lru_cache(maxsize=8192)
def _figures(text: str) -> tuple[Figure, ...]:
    # the same sentences and rows are read for every question that finds them
    masked = _CITATION.sub(lambda m: " " * len(m.group(0)), text)
    figures, masked = _ratios(masked, text)
    counted, masked = _sample_sizes(masked, text)
    figures += counted
    for m in _FIGURE.finditer(masked):
        if m.group("num") and _NAME_BEFORE.search(masked[: m.start("num")]) and not m.group("cur"):
            continue
        if m.group("num"):
            value = float(m.group("num").replace(",", ""))
        elif m.group("word"):
            value = float(_WORDS[m.group("word").lower()])
            if value == 1 and not m.group("scale"):
                continue  # "one of the biggest" is not a figure
        else:
            value = 50.0
        scale = (m.group("scale") or m.group("short") or m.group("ofscale") or "").lower()
        if scale:
            value *= _SCALE[scale]
        end = m.end()
        if m.group("pct") or m.group("half"):
            unit = "%"
        elif m.group("cur"):
            unit = "USD"
        else:
            unit = _unit_after(masked, end)
            if not unit and scale:
                money = _MONEY_CONTEXT.search(masked[max(0, m.start() - 60) : end + 40])
                unit = "USD" if money else ""
            if not unit and m.group("num") and re.fullmatch(r"(19|20)\d\d", m.group("num")):
                unit = "year"
        if m.group("word") and not unit and not scale:
            continue  # a bare number word ("two ways") without a unit is prose, not a figure
        figures.append(
            Figure(
                value=value,
                unit=unit,
                qualifier="at_least" if m.group("ofscale") else _qualifier(masked, m.start(), end),
                start=m.start(),
                end=end,
                raw=text[m.start() : end].strip(),
            )
        )
    return tuple(sorted(figures, key=lambda f: f.start))


def close(a: float, b: float, tolerance: float = 0.05) -> bool:
    """Equal to within an absolute tolerance (relative for large values)."""
    return math.isclose(a, b, abs_tol=tolerance, rel_tol=1e-9) or (
        max(abs(a), abs(b)) >= 1000 and math.isclose(a, b, rel_tol=1e-6)
    )


def units_agree(a: str, b: str) -> bool:
    """Whether two units could name the same figure (an unknown unit agrees with any but %)."""
    if a == b:
        return True
    if "%" in (a, b):
        return False
    return a == "" or b == ""


def contains_figure(
    figures: Iterable[Figure],
    value: float,
    unit: str,
    qualifier: str | None = None,
    tolerance: float = 0.05,
) -> bool:
    """Whether ``figures`` hold ``value`` with a compatible unit (and this qualifier, if given)."""
    for f in figures:
        if not close(f.value, value, tolerance) or not units_agree(f.unit, unit):
            continue
        if qualifier is not None and f.qualifier != qualifier:
            continue
        return True
    return False


# How many of the second unit make one of the first: the only factors a figure may be
# converted by without a source (the answer engine converts, the numeric guard checks).
TIME_FACTORS = {
    ("years", "days"): 365,
    ("years", "months"): 12,
    ("years", "weeks"): 52,
    ("weeks", "days"): 7,
    ("weeks", "hours"): 168,
    ("days", "hours"): 24,
    ("hours", "minutes"): 60,
}

# Every unit a table row or an expected figure may carry.
UNITS = (
    "%",
    "USD",
    "employees",
    "companies",
    "respondents",
    "users",
    "years",
    "months",
    "weeks",
    "days",
    "hours",
    "minutes",
    "year",
    "",
)
QUALIFIERS: tuple[str, ...] = get_args(Qualifier)
QUALIFIER_WORDS = {
    "exact": "",
    "over": "over ",
    "under": "under ",
    "about": "about ",
    "at_least": "at least ",
    "at_most": "at most ",
}


def format_value(value: float, unit: str) -> str:
    """67.2 % -> '67.2%'; 2e8 USD -> '$200M'; 10000 employees -> '10,000 employees'."""
    if unit == "%":
        return f"{value:g}%"
    if unit == "USD":
        for scale, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "K")):
            if value >= scale:
                return f"${value / scale:g}{suffix}"
        return f"${value:g}"
    if unit not in ("", "year") and value >= 1e6:
        # "100 million users" reads better than "100,000,000 users" and parses back the same.
        for scale, word in ((1e9, "billion"), (1e6, "million")):
            if value >= scale:
                return f"{value / scale:g} {word} {unit}"
    if unit == "year":
        return f"{value:.0f}"
    number = f"{value:,.0f}" if value == int(value) else f"{value:g}"
    return f"{number} {unit}".strip()


def format_figure(value: float, unit: str, qualifier: str = "exact") -> str:
    """A figure with its qualifier, e.g. 'over 80%' or 'more than 10,000 employees'."""
    return f"{QUALIFIER_WORDS.get(qualifier, '')}{format_value(value, unit)}"


# "dropped by 5pp", "up 3 percentage points": what follows a figure stated as a change in points
IN_POINTS = re.compile(r"\s*(?:pp\b|p\.p\.|percentage[- ]points?\b)", re.I)


def unit_named(word: str) -> str | None:
    """The unit a word names ("businesses" -> companies, "hours", "USD"), else None."""
    found = extract_figures(f"2 {word}")
    return found[0].unit if found and found[0].unit else None


# "Tutorials - from 31% to 27%", "moving from 12% usage to 19% usage": a figure that moved; not a
# range ("responses ranged from 10% to 20%", "from 15 to 23%": the first has no unit)
_FROM = re.compile(r"\bfrom\s+$", re.I)
_TO = re.compile(r"\s*(?:[^\W\d]+\s+){0,2}to\s+", re.I)
_RANGE = re.compile(r"\b(?:rang\w*|between|spann?\w*|varie\w*)\b", re.I)


def moved_between(text: str, a: Figure, b: Figure) -> bool:
    """Whether two figures of one unit stand as "from A to B" in ``text``, outside a range."""
    if not a.unit or a.unit != b.unit or a.unit == "year":
        return False
    if not _FROM.search(text, 0, a.start) or not _TO.fullmatch(text, a.end, b.start):
        return False
    return not _RANGE.search(text, max(0, a.start - 40), a.start)


_UP_FROM = re.compile(r"\b(?:up|down)\s+from\s*$", re.I)
# the last edition of a survey, in the words a report names it by
LAST_EDITION = (
    r"(?:last\s+year|a\s+year\s+ago|the\s+year\s+before|the\s+(?:previous|prior)\s+year|"
    r"(?:the\s+)?(?:last|previous|prior)\s+(?:survey|edition))"
)
_LAST_EDITION_AFTER = re.compile(rf"\s*(?:from\s+|in\s+)?{LAST_EDITION}\b", re.I)


def moves(text: str, figures: Sequence[Figure]) -> list[tuple[Figure, Figure]]:
    """(the last edition's figure, this one's) for each figure ``text`` sets against an
    earlier one: "Docs - from 25% to 22%", "76%, up from 71% last year", "38% vs 34% from
    last year"."""
    found = []
    for a, b in zip(figures, figures[1:], strict=False):
        if moved_between(text, a, b):
            found.append((a, b))
        elif a.unit == b.unit and a.unit and a.unit != "year":
            if _UP_FROM.search(text, 0, b.start) or _LAST_EDITION_AFTER.match(text, b.end):
                found.append((b, a))
    return found


def moved_from(text: str, a: Figure) -> int:
    """Where the "from" before a figure that moved begins (its subject is the words before)."""
    m = _FROM.search(text, 0, a.start)
    return m.start() if m else a.start
