"""Arithmetic on a report's tables: band sums, differences between rows.

Pure functions of facts (and of the figures a question states); the answerer writes the
working they return, and the numeric guard checks it. Nothing here invents an input: every
figure used is a fact's value, and every result is shown with its working.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from rag.evidence import figures_of
from rag.question import Query
from rag.text.numbers import Figure, close, format_value
from rag.types import Fact


def row_figures(fact: Fact) -> tuple[Figure, ...]:
    """The figures that name a row ('$50M to $100M', 'Rated 4')."""
    return figures_of(fact.row)


def bands(table: list[Fact]) -> dict[str, tuple[float, float]] | None:
    """Each row's [low, high) range when a table's rows are bands ('$50M to $100M', '$200M+')."""
    out: dict[str, tuple[float, float]] = {}
    for fact in table:
        figures = row_figures(fact)
        if len(figures) >= 2:
            out[fact.id] = (min(f.value for f in figures[:2]), max(f.value for f in figures[:2]))
        elif len(figures) == 1 and figures[0].qualifier in ("over", "at_least"):
            out[fact.id] = (figures[0].value, float("inf"))
        elif len(figures) == 1 and figures[0].qualifier in ("under", "at_most"):
            out[fact.id] = (0.0, figures[0].value)
        else:
            return None
    return out if len(out) >= 2 else None


@dataclass(frozen=True)
class Derivation:
    """A figure the report gives in parts: the band rows it adds up, or the band it falls in."""

    facts: tuple[Fact, ...]
    kind: str  # "sum" of bands, or "within" the open top band
    value: float
    below: float | None = None  # the bands start here; the report says nothing under it


def band_sum(query: Query, table: list[Fact]) -> Derivation | None | bool:
    """The rows a band question covers ('$100M or more' = '$100M-$200M' + '$200M+').

    None when the question names no threshold; False when the bands do not split there.
    """
    ranges = bands(table)
    if not ranges:
        return None
    thresholds = [
        f for f in query.figures if f.unit in ("USD", "") and f.value >= 1000 or f.unit == "USD"
    ]
    if not thresholds or len(thresholds) > 2:
        return None
    if len(thresholds) == 2:
        low, high = thresholds[0].value, thresholds[1].value
    elif thresholds[0].qualifier in ("over", "at_least"):
        low, high = thresholds[0].value, float("inf")
    elif thresholds[0].qualifier in ("under", "at_most"):
        low, high = 0.0, thresholds[0].value
    else:
        return None
    chosen = [
        f for f in table if f.id in ranges and ranges[f.id][0] >= low and ranges[f.id][1] <= high
    ]
    if high == float("inf") and not chosen:
        top = [f for f in table if ranges[f.id][1] == high and ranges[f.id][0] < low]
        if top:
            # "$500M or more" inside the open top band "$200M or more": all we can give.
            return Derivation((top[0],), "within", top[0].value)
    covered_low = min((ranges[f.id][0] for f in chosen), default=None)
    covered_high = max((ranges[f.id][1] for f in chosen), default=None)
    if not chosen or covered_low is None or covered_high is None:
        return False
    if not close(covered_low, low) and low > 0:
        return False
    if high != float("inf") and not close(covered_high, high):
        return False
    # "Under $100M" when the lowest band starts at $50M: say what the sum leaves out.
    gap = covered_low if low == 0 and covered_low > 0 else None
    return Derivation(tuple(chosen), "sum", sum(f.value for f in chosen), gap)


def below(amount: float, fact: Fact) -> str:
    unit = "USD" if any(f.unit == "USD" or "$" in f.raw for f in row_figures(fact)) else ""
    return f"The report gives no band below {format_value(amount, unit)}."


# "By how many points did X outnumber Y", "what is the gap between X and Y".
DIFFERENCE_CUE = re.compile(
    r"\b(?:difference|gap|outnumber(?:ed|s)?|how\s+(?:many|much)\s+(?:more|fewer|less|higher|"
    r"lower)|by\s+how\s+(?:many|much)|(?:percentage\s+)?points?\s+(?:more|higher|lower|ahead))\b",
    re.I,
)
COMPARED_MIN = 0.3  # coverage the second row of a comparison needs of its own


def compared(
    ranked: Sequence[tuple[Fact, float]], selectors: Sequence[Fact]
) -> tuple[Fact, Fact] | None:
    """The two rows a comparison question is about, larger first; both exact, in one unit.

    ``ranked`` is the candidate facts with their coverage of the question, best first. Two
    rows the question names by figures ("rated 4" and "rated 5"), or else the best fact and
    the best other row of its table that the question also covers.
    """
    if len(selectors) == 2:
        first, second = selectors
    elif selectors or not ranked:
        return None
    else:
        best = ranked[0][0]
        other = next(
            (
                fact
                for fact, cov in ranked[1:]
                if fact.table == best.table and fact.unit == best.unit and cov >= COMPARED_MIN
            ),
            None,
        )
        if other is None:
            return None
        first, second = best, other
    if first.unit != second.unit or {first.qualifier, second.qualifier} != {"exact"}:
        return None
    a, b = sorted((first, second), key=lambda f: -f.value)
    return a, b


def difference(pair: tuple[Fact, Fact], total: float) -> str:
    """'The difference: 58.8% − 41.2% = 17.6%.' (the inputs are stated and cited just before)."""
    a, b = pair
    unit = a.unit
    working = f"{format_value(a.value, unit)} − {format_value(b.value, unit)}"
    return f"The difference: {working} = {format_value(total, unit)}."


# Units a question's claim about the sample comes in ("firms with under 100 employees"). Money
# and durations are left out: a question's "$1M" or "2 years" may be about anything, while a
# count of employees or companies can only be about who was surveyed.
_SAMPLE_UNITS = ("employees", "companies", "respondents")


def interval(figure: Figure) -> tuple[float, float]:
    """The values a stated figure allows: '$50M' -> [50M, 50M], 'over 80%' -> (80, inf)."""
    v = figure.value
    if figure.qualifier in ("over", "at_least"):
        return v, float("inf")
    if figure.qualifier in ("under", "at_most"):
        return 0.0, v
    if figure.qualifier == "about":
        return 0.8 * v, 1.2 * v
    return v, v


def contradicted(figures: Sequence[Figure], facts: Sequence[Fact]) -> Fact | None:
    """A fact the question's own figure cannot be true beside: 'under 100 employees' against
    'every respondent had over 10,000 employees'. Only counts of the sample, same unit."""
    for figure in figures:
        if figure.unit not in _SAMPLE_UNITS:
            continue
        low, high = interval(figure)
        for fact in facts:
            if fact.unit != figure.unit:
                continue
            f_low, f_high = interval(Figure(fact.value, fact.unit, fact.qualifier, 0, 0, ""))
            if high < f_low or f_high < low:
                return fact
    return None


# --------------------------------------------------------------------------- ratios

# "Among those who rated it a top priority, what share rated it 4": a share of a share.
SHARE_OF_SHARE_CUE = re.compile(
    r"\b(?:among|of)\s+(?:those|the\s+(?:ones|respondents|companies|people|firms)|"
    r"respondents|companies|people|firms)\s+(?:who|that|which)\b",
    re.I,
)
# "How many times faster / larger / more".
# "How many times did it happen" counts occurrences, so a comparative must follow.
TIMES_CUE = re.compile(
    r"\bhow\s+many\s+times\s+(?:\w+er|more|less|as)\b|\b(?:what|which)\s+multiple\b", re.I
)
# "Do the X and Y shares add up to the whole sample?": a yes/no question about a sum.
ADDS_UP_CUE = re.compile(
    r"^\s*(?:do|does|did|is|are|will|would)\b.*\b(?:add\s+up|sum|total)\s+to\b",
    re.I,
)

_TIME_UNITS = {"day": "days", "week": "weeks", "month": "months", "year": "years"}
# (from, to): the factor that turns an amount in ``from`` into ``to``, as the working shows it.
_FACTORS = {
    ("years", "days"): 365,
    ("weeks", "days"): 7,
    ("years", "months"): 12,
}


def time_unit(unit: str) -> str | None:
    """'years' -> 'years', 'day' -> 'days'; None for a unit that is not a duration."""
    plain = unit.lower().rstrip("s")
    return _TIME_UNITS.get(plain)


def conversion(unit: str, into: str) -> int | None:
    """The whole-number factor that converts an amount in ``unit`` into ``into`` (1 if same)."""
    a, b = time_unit(unit) or unit, time_unit(into) or into
    if a == b:
        return 1
    return _FACTORS.get((a, b))


@dataclass(frozen=True)
class Ratio:
    """How many times one figure is another, with the unit conversion it needed shown."""

    larger: Fact
    smaller: Fact
    value: float
    factor: int  # what the larger figure was multiplied by to share the smaller's unit
    converted: float  # the larger figure in the smaller's unit


def times(a: Fact, b: Fact) -> Ratio | None:
    """'3.5 years' against '5 days': 3.5 × 365 = 1,277.5 days; 1,277.5 ÷ 5 = 255.5.

    Both figures exact and in one unit, or in two time units with a whole-number factor
    between them (years to days, weeks to days, years to months).
    """
    if {a.qualifier, b.qualifier} != {"exact"} or a.value <= 0 or b.value <= 0:
        return None
    for big, small in ((a, b), (b, a)):
        factor = conversion(big.unit, small.unit)
        if factor is None:
            continue
        converted = round(big.value * factor, 6)
        if converted >= small.value:
            return Ratio(big, small, round(converted / small.value, 1), factor, converted)
    return None


def times_working(ratio: Ratio) -> str:
    """'3.5 × 365 = 1,277.5 days; 1,277.5 ÷ 5 = 255.5' (plain numbers, so it can be checked)."""
    unit = ratio.smaller.unit
    steps = []
    big = format_value(ratio.larger.value, "")
    if ratio.factor != 1:
        converted = format_value(ratio.converted, "")
        steps.append(f"{big} × {ratio.factor} = {converted} {unit}")
        big = converted
    steps.append(
        f"{big} ÷ {format_value(ratio.smaller.value, '')} = {format_value(ratio.value, '')}"
    )
    return "; ".join(steps)


def share_of_share(part: Fact, whole: Fact) -> float | None:
    """The part's share of the whole, in percent, when both are exact shares of one base."""
    if part.unit != "%" or whole.unit != "%" or {part.qualifier, whole.qualifier} != {"exact"}:
        return None
    if not 0 < part.value < whole.value:
        return None
    return round(part.value / whole.value * 100, 1)


def share_working(part: Fact, whole: Fact, value: float) -> str:
    """'49 ÷ 67.2 × 100 = 72.9%'."""
    return (
        f"{format_value(part.value, '')} ÷ {format_value(whole.value, '')} × 100 = "
        f"{format_value(value, '%')}"
    )


def whole_of(part: Fact, ranked: Sequence[tuple[Fact, float]]) -> Fact | None:
    """The row a share-of-a-share question divides by: the best-covered other row of the
    part's table that is a larger exact share."""
    for fact, _cov in ranked:
        if (
            fact.table == part.table
            and fact.id != part.id
            and share_of_share(part, fact) is not None
        ):
            return fact
    return None
