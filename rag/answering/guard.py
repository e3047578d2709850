"""The numeric guard: every figure an answer states must stand in a source it cites.

A figure passes if a cited source states it (same value, agreeing unit, an honest qualifier:
"over 80%" may not become "80%"), or if it is a derivation of cited figures: a sum or a
difference of two or three of them, or the complement 100 - x of a percentage; or the result
of working the answer shows over cited figures ("41.2% + 58.8% = 100%", "49 ÷ 67.2 × 100 =
72.9%", "3.5 × 365 = 1277.5 days; 1277.5 ÷ 5 = 255.5"), which must compute.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import combinations

from rag.text.numbers import TIME_FACTORS, Figure, close, extract_figures, units_agree
from rag.types import Fact

# Which qualifiers an answer may use for a source figure with a given qualifier.
_HONEST = {
    "exact": {"exact", "about"},
    "about": {"about"},
    "over": {"over", "at_least"},
    "at_least": {"at_least", "over"},
    "under": {"under", "at_most"},
    "at_most": {"at_most", "under"},
}


@dataclass(frozen=True)
class GuardResult:
    """Whether an answer's figures are all supported, and the ones that are not."""

    ok: bool
    unsupported: list[Figure] = field(default_factory=list)


def source_figures(sources: Sequence[str | Fact]) -> list[Figure]:
    """The figures the cited sources state; a fact adds its own value, unit and qualifier."""
    figures: list[Figure] = []
    for source in sources:
        if isinstance(source, Fact):
            figures.append(Figure(source.value, source.unit, source.qualifier, 0, 0, source.row))
            figures.extend(_figures_of(source.text))
            figures.extend(_figures_of(source.source))
        else:
            figures.extend(_figures_of(source))
    return figures


@lru_cache(maxsize=16384)
def _figures_of(text: str) -> tuple[Figure, ...]:
    # each part of an answer, then the whole, is checked against sources the parts share
    return tuple(extract_figures(text))


def _stated(figure: Figure, known: Sequence[Figure]) -> bool:
    for k in known:
        if close(figure.value, k.value) and units_agree(figure.unit, k.unit):
            if figure.qualifier in _HONEST.get(k.qualifier, {k.qualifier}):
                return True
            if k.qualifier == "exact" and figure.unit != "%":
                return True  # an amount used as a bound: "$10M or more" from "$10M to $40M"
    return False


_FLIP = {"over": "under", "under": "over", "at_least": "at_most", "at_most": "at_least"}


def _derived(figure: Figure, known: Sequence[Figure]) -> bool:
    if figure.qualifier in _FLIP:
        # The complement of "over 80%" is "under 20%".
        return figure.unit == "%" and any(
            k.unit == "%"
            and _FLIP.get(k.qualifier) == figure.qualifier
            and close(figure.value, 100 - k.value)
            for k in known
        )
    if figure.qualifier not in ("exact", "about"):
        return False
    exact = [k for k in known if k.qualifier == "exact" and units_agree(figure.unit, k.unit)]
    values = sorted({round(k.value, 6) for k in exact})
    if figure.unit == "%" and any(close(figure.value, 100 - v) for v in values):
        return True
    if figure.unit == "%" and close(figure.value, 100.0) and any(k.unit == "%" for k in known):
        return True  # "100% - 34.2% = 65.8%" shows the whole as part of the working
    for n in (2, 3):
        for combo in combinations(values, n):
            if close(figure.value, sum(combo)):
                return True
    return any(close(figure.value, abs(a - b)) for a, b in combinations(values, 2))


# Shown working: "100% − 34.2% = 65.8%", "12% ($20M to $40M) [1][2] + 8% [3] = 20%",
# "49 ÷ 67.2 × 100 = 72.9%", "3.5 × 365 = 1277.5 days".
_NUM = r"\d[\d,]*(?:\.\d+)?%?"
_OPERATOR = r"[+−×÷-]"
_WORKING = re.compile(rf"(?P<lhs>{_NUM}(?:\s*{_OPERATOR}\s*{_NUM})+)\s*=\s*(?P<rhs>{_NUM})")
_ASIDE = re.compile(r"\[\d+(?:\s*,\s*\d+)*\]|\([^()=+−×÷]*\)")
# What a figure may be multiplied or divided by without a source: unit conversions (days in a
# week and a year, months in a year...) and 100, which turns a quotient into a percentage.
FACTORS = (*(float(k) for k in TIME_FACTORS.values()), 100.0)


def _number(text: str) -> float:
    return float(text.rstrip("%").replace(",", ""))


def _evaluate(values: Sequence[float], operators: Sequence[str]) -> float | None:
    """``values`` joined by ``operators``, × and ÷ before + and −; None on division by zero."""
    terms = [values[0]]
    signs: list[str] = []
    for op, v in zip(operators, values[1:], strict=True):
        if op == "×":
            terms[-1] *= v
        elif op == "÷":
            if v == 0:
                return None
            terms[-1] /= v
        else:
            signs.append(op)
            terms.append(v)
    total = terms[0]
    for sign, v in zip(signs, terms[1:], strict=True):
        total = total + v if sign == "+" else total - v
    return total


def _working_spans(text: str, known: Sequence[Figure]) -> list[tuple[int, int, float, str]]:
    """Spans of arithmetic that holds and starts from cited figures (or the whole, 100%),
    each with its result and the bound it carries ("over" when a cited input is "over 1,000"
    and none is bounded the other way; "" for none). A factor after × may also be a unit
    conversion (7, 12, 365) or 100; a division must hold to the precision its result is
    written in."""
    view = _ASIDE.sub(lambda m: " " * len(m.group(0)), text)
    allowed = [k.value for k in known] + [100.0]
    spans: list[tuple[int, int, float, str]] = []
    pending = list(_WORKING.finditer(view))
    # until nothing more holds: a working may start from a result the answer works out
    # after it ("As a count: 340 (34% × 1000 ÷ 100 = 340). Together: 34% (24% + 10% = 34%)")
    while pending:
        held = [m for m in pending if _holds(m, allowed, known, spans)]
        if not held:
            break
        pending = [m for m in pending if m not in held]
    spans.sort()
    return spans


def _holds(
    m: re.Match[str],
    allowed: list[float],
    known: Sequence[Figure],
    spans: list[tuple[int, int, float, str]],
) -> bool:
    """Whether the working ``m`` starts from allowed figures and computes what it states; if
    so its span is added to ``spans`` and its result to ``allowed``."""
    lhs = m.group("lhs")
    numbers = re.findall(_NUM, lhs)
    operators = re.findall(rf"(?<=[\d%])\s*({_OPERATOR})\s*(?=\d)", lhs)
    if len(operators) != len(numbers) - 1:
        return False
    values = [_number(n) for n in numbers]
    factors = [False] + [op in ("×", "÷") for op in operators]
    if not all(
        any(close(v, a) for a in allowed) or (factor and v in FACTORS)
        for v, factor in zip(values, factors, strict=True)
    ):
        return False
    total = _evaluate(values, operators)
    rhs = m.group("rhs")
    stated = _number(rhs)
    if total is None:
        return False
    if "÷" in operators:
        # A quotient is rounded: it must round to what is written, to its own decimals.
        decimals = len(rhs.rstrip("%").partition(".")[2])
        percent = rhs.endswith("%") and not any(n.endswith("%") for n in numbers)
        hundred = any(op == "×" and v == 100 for op, v in zip(operators, values[1:], strict=True))
        if percent and not hundred:
            total *= 100  # "49 ÷ 67.2 = 72.9%": the quotient 0.729 written as a percentage
        holds = abs(total - stated) <= 0.5 * 10**-decimals + 1e-9
    else:
        holds = close(total, stated)
    if holds:
        spans.append((m.start(), m.end(), stated, _carried(values, operators, known)))
        allowed.append(stated)
    return holds


def _carried(values: Sequence[float], operators: Sequence[str], known: Sequence[Figure]) -> str:
    """The bound a product of cited figures carries: a share of "over 1,000 companies" is
    over its product, as long as every bounded input bounds it the same way. Only products:
    a difference or a quotient of a floor is no floor."""
    if any(op not in ("×", "÷") for op in operators):
        return ""
    divisors = {i + 1 for i, op in enumerate(operators) if op == "÷"}
    bounds = set()
    for i, v in enumerate(values):
        matched = [k.qualifier for k in known if close(k.value, v)]
        if not matched or all(q in ("exact", "about") for q in matched):
            continue
        if i in divisors or len(set(matched)) > 1:
            return ""
        bounds.add(matched[0])
    up, down = bounds <= {"over", "at_least"}, bounds <= {"under", "at_most"}
    return "over" if bounds and up else "under" if bounds and down else ""


def _shown(figure: Figure, working: Sequence[tuple[int, int, float, str]]) -> bool:
    """A figure that is the result of arithmetic the same answer shows and checks ("66% did
    not (100% − 34% = 66%)"): the working is its source. Exact, or bounded as the working's
    inputs bound it ("more than 588 companies" from 58.8% of over 1,000)."""
    # a working computes plain numbers; the answer may name the result's unit ("6 months")
    return any(
        close(figure.value, result)
        and (
            figure.qualifier in ("exact", "about")
            or bool(bound)
            and figure.qualifier in _HONEST[bound]
        )
        for _, _, result, bound in working
    )


def check(text: str, sources: Sequence[str | Fact]) -> GuardResult:
    """Check every figure in ``text`` against the cited ``sources``."""
    known = source_figures(sources)
    working = _working_spans(text, known)
    bad = [
        f
        for f in extract_figures(text)
        if not (
            any(a <= f.start < b for a, b, _, _ in working)
            or _shown(f, working)
            or _stated(f, known)
            or _derived(f, known)
        )
    ]
    return GuardResult(not bad, bad)
