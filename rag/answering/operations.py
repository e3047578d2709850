"""Arithmetic on a report's figures, run on pandas frames: each returns value, rows, working.

Every input is a fact's value; every result comes with the working the answer writes out and
the numeric guard checks ("100% − 41.2% = 58.8%"). Two figures combine only where their units
agree (time units convert by whole factors, shown); where they do not, the operation says why
not instead of computing. Qualified figures ("over 80%") keep an honest bound in the result.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from rag.answering.knowledge import figures_of
from rag.text.numbers import TIME_FACTORS, close, format_figure, format_value
from rag.types import Fact

_TIME = {
    "minute": "minutes",
    "hour": "hours",
    "day": "days",
    "week": "weeks",
    "month": "months",
    "year": "years",
}
_FACTORS = TIME_FACTORS
_UP = {"over", "at_least"}
_DOWN = {"under", "at_most"}
_FLIP = {"over": "under", "under": "over", "at_least": "at_most", "at_most": "at_least"}


@dataclass(frozen=True)
class Result:
    """What an operation computed, from which rows, and the working to show."""

    value: float | None
    unit: str
    rows: tuple[Fact, ...]
    working: str = ""
    qualifier: str = "exact"
    problem: str | None = None  # why it could not be computed, in words
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def figure(self) -> str:
        assert self.value is not None
        return format_figure(self.value, self.unit, self.qualifier)


def frame_of(facts: Sequence[Fact]) -> Any:
    """The facts as a pandas DataFrame (value, unit, qualifier, row, table, id)."""
    import pandas as pd

    return pd.DataFrame(
        {
            "id": [f.id for f in facts],
            "table": [f.table for f in facts],
            "row": [f.row for f in facts],
            "value": [float(f.value) for f in facts],
            "unit": [f.unit for f in facts],
            "qualifier": [f.qualifier for f in facts],
        }
    )


def _v(value: float, unit: str) -> str:
    """A number as the working writes it: '41.2%', '1277.5', '$200M'."""
    if unit == "%":
        return f"{round(value, 6):g}%"
    if unit == "USD":
        return format_value(value, unit)
    return f"{round(value, 6):g}"


def time_unit(unit: str) -> str | None:
    """'years' -> 'years'; None for a unit that is not a duration."""
    return _TIME.get(unit.lower().rstrip("s"))


def _bound(qualifiers: Sequence[str]) -> str | None:
    """The qualifier of a sum of figures with these qualifiers, or None if it has no bound."""
    if all(q in ("exact", "about") for q in qualifiers):
        return "about" if "about" in qualifiers else "exact"
    if all(q in _UP | {"exact"} for q in qualifiers):
        return "over"
    if all(q in _DOWN | {"exact"} for q in qualifiers):
        return "under"
    return None


def total(facts: Sequence[Fact]) -> Result:
    """The sum of several figures of one unit: '24% + 10% = 34%'."""
    frame = frame_of(facts)
    units = set(frame["unit"])
    if len(units) != 1:
        return Result(None, "", tuple(facts), problem="their units differ, so they do not add up")
    unit = units.pop()
    qualifier = _bound(list(frame["qualifier"]))
    if qualifier is None:
        return Result(None, unit, tuple(facts), problem="one is a floor and another a ceiling")
    value = round(float(frame["value"].sum()), 6)
    working = " + ".join(_v(v, unit) for v in frame["value"]) + f" = {_v(value, unit)}"
    return Result(value, unit, tuple(facts), working, qualifier)


def difference(a: Fact, b: Fact) -> Result:
    """How far apart two figures are: '67.2% − 34.2% = 33%'."""
    converted = _same_unit(a, b)
    if converted is None:
        return Result(None, "", (a, b), problem=f"{a.unit or 'counts'} and {b.unit} do not compare")
    (va, vb, unit, shown) = converted
    high, low = (va, vb) if va >= vb else (vb, va)
    qualifier = "exact"
    qa, qb = (a.qualifier, b.qualifier) if va >= vb else (b.qualifier, a.qualifier)
    if qa in _UP and qb in ("exact", *_DOWN) or qb in _DOWN and qa == "exact":
        qualifier = "over"
    elif qa != "exact" or qb != "exact":
        return Result(None, unit, (a, b), problem="a bound cannot be subtracted from a bound")
    value = round(high - low, 6)
    working = f"{shown}{_v(high, unit)} − {_v(low, unit)} = {_v(value, unit)}"
    return Result(value, unit, (a, b), working, qualifier, extra={"larger": va >= vb})


def complement(fact: Fact) -> Result:
    """Everyone the figure does not count: '100% − 41.2% = 58.8%' ('over 80%' -> 'under 20%')."""
    if fact.unit != "%":
        return Result(None, fact.unit, (fact,), problem="only a share has a rest")
    value = round(100 - fact.value, 6)
    qualifier = _FLIP.get(fact.qualifier, fact.qualifier)
    working = f"100% − {_v(fact.value, '%')} = {_v(value, '%')}"
    return Result(value, "%", (fact,), working, qualifier)


def complement_of(facts: Sequence[Fact]) -> Result:
    """Everyone outside several rows: '100% − 24% − 10% = 66%'."""
    if len(facts) == 1:
        return complement(facts[0])
    summed = total(facts)
    if summed.value is None or summed.unit != "%" or summed.qualifier != "exact":
        return Result(None, summed.unit, tuple(facts), problem="only exact shares have a rest")
    value = round(100 - summed.value, 6)
    taken = " − ".join(_v(f.value, "%") for f in facts)
    working = f"100% − {taken} = {_v(value, '%')}"
    return Result(value, "%", tuple(facts), working)


def ratio(numerator: Fact, denominator: Fact) -> Result:
    """How many of one for each of the other: '58.8 ÷ 41.2 = 1.43'."""
    converted = _same_unit(numerator, denominator)
    if converted is None:
        return Result(None, "", (numerator, denominator), problem="their units do not compare")
    va, vb, unit, shown = converted
    if {numerator.qualifier, denominator.qualifier} != {"exact"} or vb <= 0:
        return Result(None, unit, (numerator, denominator), problem="one figure is only a bound")
    value = round(va / vb, 2)
    working = f"{shown}{_v(va, '')} ÷ {_v(vb, '')} = {value:g}"
    return Result(value, "", (numerator, denominator), working)


def converted(fact: Fact, unit: str) -> Result:
    """A duration in another unit: '3.5 × 12 = 42 months', '48 ÷ 12 = 4 years'."""
    have, want = time_unit(fact.unit), time_unit(unit)
    if have is None or want is None or have == want:
        return Result(None, unit, (fact,), problem="it is not a duration in another unit")
    if (have, want) in _FACTORS:
        k = _FACTORS[(have, want)]
        value, sign = round(fact.value * k, 6), "×"
    elif (want, have) in _FACTORS:
        k = _FACTORS[(want, have)]
        value, sign = round(fact.value / k, 2), "÷"
    else:
        return Result(None, want, (fact,), problem=f"{have} do not convert to {want}")
    working = f"{_v(fact.value, '')} {sign} {k} = {_v(value, '')} {want}"
    return Result(value, want, (fact,), working, fact.qualifier)


def count_of(share: Fact | Result, sample: Fact) -> Result:
    """How many a share of the whole sample is: '58.8% × 1000 ÷ 100 = 588' companies ("over
    1,000 companies" makes it over 588). The share is a fact, or a result worked out before
    (whose own rows its answer states already: the result's rows are then the sample alone)."""
    rows = (share, sample) if isinstance(share, Fact) else (sample,)
    if share.value is None or share.unit != "%" or sample.unit in ("%", ""):
        return Result(None, sample.unit, rows, problem="it is not a share of a count")
    qualifier = _bound([share.qualifier, sample.qualifier])
    if qualifier is None:
        return Result(None, sample.unit, rows, problem="one figure is only a bound")
    exact = share.value * sample.value / 100
    value = float(round(exact))
    if qualifier == "exact" and value != round(exact, 6):
        qualifier = "about"  # a whole number of people or firms, rounded
    working = f"{_v(share.value, '%')} × {_v(sample.value, '')} ÷ 100 = {value:g}"
    return Result(value, sample.unit, rows, working, qualifier)


def share_of_share(part: Fact, whole: Fact) -> Result:
    """A share within a subgroup: '18.2 ÷ 67.2 × 100 = 27.1%'."""
    if part.unit != "%" or whole.unit != "%" or part.value > whole.value or whole.value <= 0:
        return Result(None, "%", (part, whole), problem="the first is not part of the second")
    if {part.qualifier, whole.qualifier} != {"exact"}:
        return Result(None, "%", (part, whole), problem="one figure is only a bound")
    value = round(part.value / whole.value * 100, 1)
    working = f"{_v(part.value, '')} ÷ {_v(whole.value, '')} × 100 = {value:g}%"
    return Result(value, "%", (part, whole), working)


def extreme(facts: Sequence[Fact], direction: str, place: int = 1) -> Result:
    """The most (or least) common row of one table, among rows of its main unit; or the row
    at ``place`` of that ranking ("the second most common"), with those ahead of it and any
    row of the same figure (a tie)."""
    frame = frame_of(facts)
    if frame.empty:
        return Result(None, "", (), problem="no rows")
    unit = frame["unit"].mode().iloc[0]
    rows = frame[frame["unit"] == unit]
    if len(rows) < 2:
        return Result(None, unit, tuple(facts), problem="the report gives only one option")
    ranked = [
        int(i)
        for i in rows.sort_values("value", ascending=direction == "least", kind="stable").index
    ]
    # places by figure, rows of one figure sharing a place: "third" after a tie for first is
    # the third figure, not the third row
    values = list(dict.fromkeys(float(facts[i].value) for i in ranked))
    if place > len(values):
        return Result(
            None, unit, tuple(facts), problem=f"the report ranks only {len(values)} figures"
        )
    at = values[place - 1]
    pick = next(i for i in ranked if float(facts[i].value) == at)
    chosen = facts[pick]
    others = [facts[int(i)] for i in rows.index if int(i) != pick]
    shown = sum(float(v) for v in rows["value"])
    remainder = round(100 - shown, 6) if unit == "%" else None
    return Result(
        chosen.value,
        unit,
        (chosen, *others),
        qualifier=chosen.qualifier,
        extra={
            "remainder": remainder,
            "complete": remainder is not None and remainder <= 0.05,
            "place": place,
            "ahead": [facts[i] for i in ranked if float(facts[i].value) in values[: place - 1]],
            "tied": [facts[i] for i in ranked if i != pick and float(facts[i].value) == at],
        },
    )


def _same_unit(a: Fact, b: Fact) -> tuple[float, float, str, str] | None:
    """Both values in one unit, converting time units by a whole factor (working shown)."""
    if a.unit == b.unit:
        return a.value, b.value, a.unit, ""
    ta, tb = time_unit(a.unit), time_unit(b.unit)
    if ta is None or tb is None:
        return None
    if (ta, tb) in _FACTORS:
        k = _FACTORS[(ta, tb)]
        converted = round(a.value * k, 6)
        return converted, b.value, tb, f"{_v(a.value, '')} × {k} = {_v(converted, '')} {tb}; "
    if (tb, ta) in _FACTORS:
        k = _FACTORS[(tb, ta)]
        converted = round(b.value * k, 6)
        return a.value, converted, ta, f"{_v(b.value, '')} × {k} = {_v(converted, '')} {ta}; "
    return None


def bands(table: Sequence[Fact]) -> dict[str, tuple[float, float]] | None:
    """Each row's [low, high) when a table's rows are bands ('$50M to $100M', '$200M or more')."""
    out: dict[str, tuple[float, float]] = {}
    for fact in table:
        figures = figures_of(fact.row)
        if len(figures) >= 2:
            out[fact.id] = (min(f.value for f in figures[:2]), max(f.value for f in figures[:2]))
        elif len(figures) == 1 and figures[0].qualifier in _UP:
            out[fact.id] = (figures[0].value, float("inf"))
        elif len(figures) == 1 and figures[0].qualifier in _DOWN:
            out[fact.id] = (0.0, figures[0].value)
        else:
            return None
    return out if len(out) >= 2 else None


def bands_within(table: Sequence[Fact], low: float, high: float) -> list[Fact]:
    """The bands that make up [low, high], if the bands split exactly at both ends."""
    ranges = bands(table)
    if not ranges:
        return []
    lows, highs = [lo for lo, _ in ranges.values()], [hi for _, hi in ranges.values()]
    if not any(close(lo, low) for lo in lows) or not any(close(hi, high) for hi in highs):
        return []
    return [f for f in table if ranges[f.id][0] >= low - 1e-9 and ranges[f.id][1] <= high + 1e-9]


def bands_from(table: Sequence[Fact], threshold: float) -> list[Fact]:
    """The bands at or above ``threshold``, if the bands split exactly there."""
    ranges = bands(table)
    if not ranges:
        return []
    if not any(close(low, threshold) for low, _ in ranges.values()):
        return []
    return [f for f in table if ranges[f.id][0] >= threshold - 1e-9]
