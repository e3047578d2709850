"""Score one answer against one case, and a set of scored cases as a whole.

The scorer reads figures with rag.text.numbers, the same parser the corpus check and the answer
guard use, so "the same figure" means the same thing everywhere: a percentage is not a count,
and "over 80%" is not "80%".

Per answer it measures
  numeric accuracy  every expected figure is in the answer text, with its unit and qualifier;
  required terms    every required term (or one of its "a|b" alternatives) is in the text;
  forbidden         no false-premise or injected figure is stated;
  unsupported       figures in the text that neither a cited source (the citation's quote or
                    the report span it points at) nor a derivation shown in the text supports;
  citation accuracy an expected figure's citation holds that figure;
  refusal           grounded=False counts as a refusal;
  retrieval hit     every gold sentence is among Answer.retrieved (by text or span overlap).
"""

from __future__ import annotations

import ast
import operator
import re
import statistics
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from evals.cases import CATEGORIES, Case, ExpectedFigure
from rag.text.numbers import Figure, close, contains_figure, extract_figures, format_figure
from rag.types import Answer

# Numbers a shown derivation may use without a source: the whole (100%), days in a year; and,
# as a multiplier only, the factors that convert time units (as the numeric guard allows).
CONSTANTS = (100.0, 365.0)
FACTORS = (7.0, 12.0, 52.0, 365.0, 100.0)

_TERM = r"\$?\d[\d,]*(?:\.\d+)?(?:\s?(?:%|[MBK]\b))?"
_OP = r"[-−–+×*/÷]"
_EXPR = rf"\(?\s*{_TERM}(?:\s*\)?\s*{_OP}\s*\(?\s*{_TERM})+\s*\)?"
_DERIVATIONS = (
    re.compile(rf"(?P<lhs>{_EXPR})\s*=\s*(?P<rhs>{_TERM})"),
    re.compile(rf"(?P<rhs>{_TERM})\s*\(?\s*=\s*(?P<lhs>{_EXPR})"),
)
_NUMBER = re.compile(r"\d[\d,]*(?:\.\d+)?")
_MARKER = re.compile(r"\[(\d+(?:\s*,\s*\d+)*)\]")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n+")
_OPS: dict[type, Callable[[float, float], float]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
}


@dataclass
class CaseScore:
    """How one answer did on one case."""

    id: str
    category: str
    question: str
    answer: str
    refuse_expected: bool
    refused: bool
    correct: bool
    expected: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # expected figures not in the answer
    numeric_ok: bool | None = None  # None: the case expects no figure
    terms_missing: list[str] = field(default_factory=list)
    terms_ok: bool | None = None
    forbidden_stated: list[str] = field(default_factory=list)
    unsupported: list[str] = field(default_factory=list)
    citations_checked: int = 0
    citations_correct: int = 0
    retrieval_hit: bool | None = None  # None: the case has no gold sentence
    retrieved: int = 0
    latency: float = 0.0
    error: str | None = None


@dataclass
class CategoryScore:
    """The cases of one category, summed up."""

    category: str
    n: int
    accuracy: float
    numeric_accuracy: float | None
    unsupported: int
    hit_at_k: float | None


@dataclass
class Summary:
    """One system's scores over the whole set."""

    system: str
    n: int
    accuracy: float
    direct_numeric_accuracy: float | None
    numeric_accuracy: float | None
    unsupported: int
    citation_accuracy: float | None
    refusal_precision: float | None
    refusal_recall: float | None
    hit_at_k: float | None
    k: int
    latency_p50: float
    latency_p95: float
    errors: int
    categories: list[CategoryScore]


# ---------------------------------------------------------------- sources and derivations


def citation_sources(answer: Answer, report_texts: Mapping[str, str]) -> dict[int, list[str]]:
    """Per citation id, the texts it vouches for: its quote and the report span it points at."""
    sources: dict[int, list[str]] = {}
    for c in answer.citations:
        texts = [c.quote]
        report = report_texts.get(c.report)
        if report is not None and c.start is not None and c.end is not None:
            texts.append(report[c.start : c.end])
        sources.setdefault(c.id, []).extend(texts)
    return sources


def _evaluate(expression: str) -> float | None:
    """The value of a plain arithmetic expression, or None if it is not one."""
    cleaned = re.sub(r"(\d),(\d{3})", r"\1\2", expression)
    cleaned = re.sub(r"[$%MBK]", "", cleaned)
    cleaned = cleaned.replace("−", "-").replace("–", "-").replace("×", "*").replace("÷", "/")
    cleaned = cleaned.strip()
    # The pattern may catch a bracket that belongs to the prose around the expression.
    while cleaned.endswith(")") and cleaned.count(")") > cleaned.count("("):
        cleaned = cleaned[:-1].rstrip()
    while cleaned.startswith("(") and cleaned.count("(") > cleaned.count(")"):
        cleaned = cleaned[1:].lstrip()
    try:
        tree = ast.parse(cleaned.strip(), mode="eval")
    except SyntaxError:
        return None

    def walk(node: ast.AST) -> float:
        if isinstance(node, ast.Expression):
            return walk(node.body)
        if isinstance(node, ast.Constant) and isinstance(node.value, int | float):
            return float(node.value)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            return -walk(node.operand)
        if isinstance(node, ast.BinOp) and type(node.op) in _OPS:
            return _OPS[type(node.op)](walk(node.left), walk(node.right))
        raise ValueError(f"not arithmetic: {ast.dump(node)}")

    try:
        return walk(tree)
    except (ValueError, ZeroDivisionError):
        return None


def evaluate_arithmetic(text: str) -> tuple[float, float] | None:
    """``"100 - 34.2 = 65.8"`` -> (computed left side, stated right side), or None."""
    if text.count("=") != 1:
        return None
    lhs, rhs = text.split("=")
    left, right = _evaluate(lhs), _evaluate(rhs)
    if left is None or right is None:
        return None
    return left, right


def arithmetic_holds(computed: float, stated: float) -> bool:
    """Whether a stated result is the computed one, allowing rounding to one decimal."""
    return abs(computed - stated) <= 0.051 or abs(computed - stated) <= 0.005 * abs(stated)


def _operands_with_role(expression: str) -> list[tuple[float, bool]]:
    """Each number of an expression, and whether it is a multiplier (follows × or *)."""
    out = []
    for n in _NUMBER.finditer(expression):
        before = expression[: n.start()].rstrip()
        out.append((float(n.group(0).replace(",", "")), before.endswith(("×", "*"))))
    return out


@dataclass(frozen=True)
class ShownDerivation:
    """An arithmetic derivation written out in an answer, e.g. '100 − 34.2 = 65.8%'."""

    start: int
    end: int
    result: float
    numbers: tuple[tuple[int, int], ...] = ()  # spans of its operands and result


_ASIDE = re.compile(r"\[\d+(?:\s*,\s*\d+)*\]|\((?![^()]*(?:[=+×*/÷−]|\s-\s))[^()]*\)")


def _math_view(text: str) -> str:
    """``text`` with citation markers and non-arithmetic asides blanked out, same length.

    "24% ($100M to $200M) [1] + 10% [3] = 34%" then reads as the sum it is.
    """
    return _ASIDE.sub(lambda m: " " * len(m.group(0)), text)


def shown_derivations(text: str, known: Iterable[float]) -> list[ShownDerivation]:
    """Derivations in ``text`` that compute correctly from known values (or constants)."""
    allowed = [*known, *CONSTANTS]
    view = _math_view(text)
    found: list[ShownDerivation] = []
    for pattern in _DERIVATIONS:
        for m in pattern.finditer(view):
            if any(m.start() < d.end and d.start < m.end() for d in found):
                continue
            left, right = _evaluate(m.group("lhs")), _evaluate(m.group("rhs"))
            if left is None or right is None or not arithmetic_holds(left, right):
                continue
            lhs = m.group("lhs")
            if not all(
                any(close(v, a) for a in allowed) or (factor and v in FACTORS)
                for v, factor in _operands_with_role(lhs)
            ):
                continue
            numbers = tuple(
                (m.start() + n.start(), m.start() + n.end()) for n in _NUMBER.finditer(m.group(0))
            )
            found.append(ShownDerivation(m.start(), m.end(), right, numbers))
            allowed.append(right)  # a later step may build on this result
    return found


def unsupported_figures(answer: Answer, report_texts: Mapping[str, str]) -> list[Figure]:
    """Figures in the answer text that no cited source holds and no shown derivation makes."""
    source_figures = [
        f
        for texts in citation_sources(answer, report_texts).values()
        for text in texts
        for f in extract_figures(text)
    ]
    derivations = shown_derivations(answer.text, (f.value for f in source_figures))
    results = [d.result for d in derivations]
    out = []
    for f in extract_figures(answer.text):
        if any(s <= f.start < e for d in derivations for s, e in d.numbers):
            continue  # an operand or the result of shown work
        if contains_figure(source_figures, f.value, f.unit):
            continue
        if any(close(f.value, r) for r in results):
            continue  # the result of working the answer shows, in whatever unit it names
        out.append(f)
    return out


# ---------------------------------------------------------------- per-case checks


def _norm(s: str) -> str:
    return re.sub(r"[\s\-‐–]+", " ", s.lower().replace("’", "'"))


def has_term(text: str, term: str) -> bool:
    """Whether ``text`` uses ``term`` (or one of its "a|b" alternatives).

    An all-capitals term (IT, US, EU, IP, CIO) must appear in capitals as a word, so "it" or
    "us" in ordinary prose does not count; other terms match case-insensitively.
    """
    for option in (o.strip() for o in term.split("|")):
        if option.isupper():
            if re.search(rf"(?<![A-Za-z]){re.escape(option)}(?![a-z])", text):
                return True
        elif re.search(rf"(?<![a-z]){re.escape(_norm(option))}", _norm(text)):
            return True
    return False


def figure_found(figures: Sequence[Figure], expected: ExpectedFigure) -> bool:
    """Whether the expected figure is among ``figures``, to tolerance, unit and qualifier."""
    return contains_figure(
        figures, expected.value, expected.unit, expected.qualifier, expected.tolerance
    )


def describe(expected: ExpectedFigure) -> str:
    """An expected figure as a reader would write it."""
    if expected.unit == "year":  # format_value would print 2023 as "2,023"
        return f"{expected.value:.0f}"
    return format_figure(expected.value, expected.unit, expected.qualifier)


def _sentence_span(text: str, pos: int) -> tuple[int, int]:
    starts = [0] + [m.end() for m in _SENTENCE_END.finditer(text) if m.end() <= pos]
    start = starts[-1]
    nxt = _SENTENCE_END.search(text, pos)
    return start, (nxt.start() if nxt else len(text))


def _markers(text: str) -> set[int]:
    return {int(n) for m in _MARKER.finditer(text) for n in m.group(1).split(",")}


def check_citations(
    case: Case, answer: Answer, figures: Sequence[Figure], report_texts: Mapping[str, str]
) -> tuple[int, int]:
    """(checked, correct): does the citation marked next to each expected figure hold it?"""
    if case.derivation is not None or answer.grounded is False:
        return 0, 0  # a derived figure is in no source by design
    sources = citation_sources(answer, report_texts)
    all_marked = _markers(answer.text) & set(sources) or set(sources)
    checked = correct = 0
    for exp in case.expected:
        hits = [
            f
            for f in figures
            if contains_figure([f], exp.value, exp.unit, exp.qualifier, exp.tolerance)
        ]
        if not hits:
            continue
        checked += 1
        for f in hits:
            start, end = _sentence_span(answer.text, f.start)
            marked = _markers(answer.text[start:end]) & set(sources) or all_marked
            held = [g for cid in marked for text in sources[cid] for g in extract_figures(text)]
            if contains_figure(held, exp.value, exp.unit, None, exp.tolerance):
                correct += 1
                break
    return checked, correct


def _spans(report: str, sentence: str) -> list[tuple[int, int]]:
    spans, at = [], report.find(sentence)
    while at >= 0:
        spans.append((at, at + len(sentence)))
        at = report.find(sentence, at + 1)
    return spans


def retrieval_hit(case: Case, answer: Answer, report_texts: Mapping[str, str]) -> bool | None:
    """Whether every gold sentence of the case is among the retrieved hits."""
    gold = case.gold_sentences()
    if not gold:
        return None
    for sentence in gold:
        found = False
        for hit in answer.retrieved:
            if sentence in hit.text:
                found = True
                break
            report = report_texts.get(hit.report, "")
            if any(hit.start < e and s < hit.end for s, e in _spans(report, sentence)):
                found = True
                break
        if not found:
            return False
    return True


def score_answer(
    case: Case,
    answer: Answer,
    report_texts: Mapping[str, str],
    latency: float = 0.0,
) -> CaseScore:
    """Score one answer against its case."""
    figures = extract_figures(answer.text)
    refused = answer.grounded is False
    missing = [describe(e) for e in case.expected if not figure_found(figures, e)]
    terms_missing = [t for t in case.required_terms if not has_term(answer.text, t)]
    forbidden = [
        describe(e)
        for e in case.forbidden_figures
        if contains_figure(figures, e.value, e.unit, None, e.tolerance)
    ]
    numeric_ok = None if not case.expected else (not missing and not refused)
    terms_ok = None if not case.required_terms else (not terms_missing and not refused)
    if case.refuse:
        correct = refused
    else:
        correct = not refused and numeric_ok is not False and terms_ok is not False
        correct = correct and not forbidden
    checked, cited = check_citations(case, answer, figures, report_texts)
    return CaseScore(
        id=case.id,
        category=case.category,
        question=case.question,
        answer=answer.text,
        refuse_expected=case.refuse,
        refused=refused,
        correct=correct,
        expected=[describe(e) for e in case.expected],
        missing=missing,
        numeric_ok=numeric_ok,
        terms_missing=terms_missing,
        terms_ok=terms_ok,
        forbidden_stated=forbidden,
        unsupported=[f.raw for f in unsupported_figures(answer, report_texts)],
        citations_checked=checked,
        citations_correct=cited,
        retrieval_hit=retrieval_hit(case, answer, report_texts),
        retrieved=len(answer.retrieved),
        latency=latency,
    )


def error_score(case: Case, error: str, latency: float = 0.0) -> CaseScore:
    """The score of a case whose answer raised: wrong on every count."""
    return CaseScore(
        id=case.id,
        category=case.category,
        question=case.question,
        answer="",
        refuse_expected=case.refuse,
        refused=False,
        correct=False,
        expected=[describe(e) for e in case.expected],
        missing=[describe(e) for e in case.expected],
        numeric_ok=False if case.expected else None,
        terms_missing=list(case.required_terms),
        terms_ok=False if case.required_terms else None,
        retrieval_hit=False if case.gold_sentences() else None,
        latency=latency,
        error=error,
    )


# ---------------------------------------------------------------- summaries


def _ratio(good: int, total: int) -> float | None:
    return good / total if total else None


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0..100) by linear interpolation; 0 for no values."""
    if not values:
        return 0.0
    if len(values) == 1:
        return float(values[0])
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


def _numeric(scores: Sequence[CaseScore]) -> float | None:
    judged = [s for s in scores if s.numeric_ok is not None]
    return _ratio(sum(bool(s.numeric_ok) for s in judged), len(judged))


def _hits(scores: Sequence[CaseScore]) -> float | None:
    judged = [s for s in scores if s.retrieval_hit is not None]
    return _ratio(sum(bool(s.retrieval_hit) for s in judged), len(judged))


def summarize(system: str, scores: Sequence[CaseScore]) -> Summary:
    """Sum up one system's case scores, overall and per category."""
    categories = []
    for name in CATEGORIES:
        group = [s for s in scores if s.category == name]
        if not group:
            continue
        categories.append(
            CategoryScore(
                category=name,
                n=len(group),
                accuracy=sum(s.correct for s in group) / len(group),
                numeric_accuracy=_numeric(group),
                unsupported=sum(len(s.unsupported) for s in group),
                hit_at_k=_hits(group),
            )
        )
    refused = [s for s in scores if s.refused]
    should = [s for s in scores if s.refuse_expected]
    latencies = [s.latency for s in scores if s.error is None]
    return Summary(
        system=system,
        n=len(scores),
        accuracy=sum(s.correct for s in scores) / len(scores) if scores else 0.0,
        direct_numeric_accuracy=_numeric([s for s in scores if s.category == "direct"]),
        numeric_accuracy=_numeric(scores),
        unsupported=sum(len(s.unsupported) for s in scores),
        citation_accuracy=_ratio(
            sum(s.citations_correct for s in scores), sum(s.citations_checked for s in scores)
        ),
        refusal_precision=_ratio(sum(s.refuse_expected for s in refused), len(refused)),
        refusal_recall=_ratio(sum(s.refused for s in should), len(should)),
        hit_at_k=_hits(scores),
        k=max((s.retrieved for s in scores), default=0),
        latency_p50=percentile(latencies, 50),
        latency_p95=percentile(latencies, 95),
        errors=sum(s.error is not None for s in scores),
        categories=categories,
    )
