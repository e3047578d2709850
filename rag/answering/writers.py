"""Writing a part's answer: the figure first, then what it measures, each source cited.

Every figure written comes from a cited fact or from an operation's working over cited facts,
so the numeric guard can check it. Quotation marks hold the report's own words only.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from rag.answering.knowledge import Knowledge, ReportKnowledge, figures_of, list_label
from rag.answering.operations import Result
from rag.answering.sources import Sources, marks
from rag.text.lexicon import ORDINALS
from rag.text.numbers import format_figure
from rag.types import Fact, Sentence

_TAIL = re.compile(r"\s*\([^()]*\)\s*\.?\s*$")
_LINK = re.compile(
    r"^(?:but|and|so|also|though|however|still|yet|then|now|again|even\s+worse|worst\s+of\s+all)"
    r"\b[\s,]*",
    re.I,
)


def capital(text: str) -> str:
    return text[:1].upper() + text[1:] if text else text


def verbatim(text: str) -> str:
    """A report sentence to put inside quotation marks: its words, only spacing evened."""
    return " ".join(text.split())


def condensed(text: str) -> str:
    """A report sentence restated: linking words dropped, capitalised, spacing evened."""
    return capital(_LINK.sub("", verbatim(text))).rstrip()


_HALF = {
    "over": "more than half",
    "under": "less than half",
    "exact": "half",
    "about": "about half",
}


def fact_sentence(fact: Fact) -> str:
    """The fact's own sentence, without the '(Short title, Section)' tail; where the report
    says "more than half", so does the answer."""
    label = list_label(fact)
    if label:
        # one item of a list sentence ("United States (22%), Germany (14%), ..."): the
        # whole sentence would leave the reader to find the figure
        return f"{capital(label)}: {format_figure(fact.value, fact.unit, fact.qualifier)}"
    text = verbatim(_TAIL.sub("", fact.text)).rstrip(".")
    if fact.unit == "%" and fact.value == 50 and "half" in fact.source.lower():
        words = _HALF.get(fact.qualifier)
        figure = format_figure(fact.value, fact.unit, fact.qualifier)
        if words and figure in text:
            text = text.replace(figure, words, 1)
    return text


def state(fact: Fact, report: ReportKnowledge, sources: Sources) -> str:
    """'58.8% of respondents felt they were understaffed ... [1][2].'"""
    n = marks(sources.cite(fact), sources.cite(report.source_of(fact)))
    return f"{capital(fact_sentence(fact))} {n}."


def cite_rows(facts: Sequence[Fact], knowledge: Knowledge, sources: Sources) -> str:
    """The citation marks of several facts and their source sentences."""
    numbers: list[int] = []
    for f in facts:
        numbers.append(sources.cite(f))
        numbers.append(sources.cite(knowledge.reports[f.report].source_of(f)))
    return marks(*numbers)


def label(fact: Fact) -> str:
    """A row as a reader names it: its label, or its subject for a figure found in the text."""
    return fact.row or fact.subject or fact.caption


def breakdown(facts: Sequence[Fact], knowledge: Knowledge, sources: Sources) -> str:
    """Every row of one question as a short list, each cited."""
    caption = facts[0].caption
    head = caption.rstrip(" ?.")
    asked = [s for s in knowledge.reports[facts[0].report].sentences if s.text == caption.strip()]
    if asked:  # the survey question as the report words it, cited like any figure it holds
        head = f"{head} [{sources.cite(asked[0])}]"
    elif figures_of(head):
        head = ""  # a caption's own figures would be traceable to no sentence
    lines = [f"{capital(head)}:"] if head else []
    for f in facts:
        figure = format_figure(f.value, f.unit, f.qualifier)
        lines.append(f"- {label(f)}: {figure} {cite_rows([f], knowledge, sources)}")
    return "\n".join(lines)


def extreme(result: Result, direction: str, knowledge: Knowledge, sources: Sources) -> str:
    """'The most common answer: $100M to $200M, 24% [1][2] (against ...)'; at a place after
    the first, those ahead of it too, and a tie said as one."""
    chosen, *others = result.rows
    word = "least" if direction == "least" else "most"
    place = int(result.extra.get("place", 1))
    ahead: list[Fact] = result.extra.get("ahead", [])
    tied: list[Fact] = result.extra.get("tied", []) if place > 1 else []

    def stated(facts: Sequence[Fact]) -> str:
        return "; ".join(
            f"{label(f)} {format_figure(f.value, f.unit, f.qualifier)} "
            f"{cite_rows([f], knowledge, sources)}"
            for f in facts
        )

    figure = format_figure(chosen.value, chosen.unit, chosen.qualifier)
    if tied:
        labels = [label(f) for f in (chosen, *tied)]
        names = f"{', '.join(labels[:-1])} and {labels[-1]}"
        lead = (
            f"{names} tie for {ORDINALS[place - 1]} place at {figure} "
            f"{cite_rows([chosen, *tied], knowledge, sources)}."
        )
    else:
        which = f"{ORDINALS[place - 1]} {word}" if place > 1 else word
        lead = (
            f"The {which} common answer was {label(chosen)}: {figure} "
            f"{cite_rows([chosen], knowledge, sources)}."
        )
    if ahead:
        lead += f" Ranked before {'them' if tied else 'it'}: {stated(ahead)}."
    shown = {f.id for f in (chosen, *ahead, *tied)}
    rest = stated([f for f in others if f.id not in shown])
    text = f"{lead} The other answers the report gives: {rest}." if rest else lead
    remainder = result.extra.get("remainder")
    if remainder is not None and not result.extra.get("complete") and remainder > 0:
        text += (
            " The report gives no figure for the remaining answers, so this ranks only the "
            "answers it states."
        )
    return text


def compared(a: Fact, b: Fact, result: Result, knowledge: Knowledge, sources: Sources) -> str:
    """Both figures, then which is larger and by how much."""
    ra, rb = knowledge.reports[a.report], knowledge.reports[b.report]
    parts = [state(a, ra, sources)]
    if b.text != a.text:  # two figures of one sentence stated by it once
        parts.append(state(b, rb, sources))
    if result.value is None:
        parts.append(f"They cannot be set against each other: {result.problem}.")
        return " ".join(parts)
    fa = format_figure(a.value, a.unit, a.qualifier)
    fb = format_figure(b.value, b.unit, b.qualifier)
    if result.value == 0:
        parts.append(f"The two are the same: {fa}.")
    else:
        first = "higher" if result.extra.get("larger", True) else "lower"
        parts.append(
            # quoted: a label is an answer option ("Yes, with a dedicated team")
            f"So “{label(a)}” is {first}: {fa} against {fb} for “{label(b)}” "
            f"({result.working}{_points(result)})."
        )
    return " ".join(parts)


def _points(result: Result) -> str:
    if result.unit != "%" or result.value is None:
        return ""
    return f", a gap of {result.value:g} percentage points"


def worked(result: Result, what: str, knowledge: Knowledge, sources: Sources) -> str:
    """An operation's result, its working and every input cited."""
    inputs = " ".join(
        state(f, knowledge.reports[f.report], sources) for f in dict.fromkeys(result.rows)
    )
    if result.value is None:
        return f"{inputs} The report's figures do not give {what}: {result.problem}."
    qualifier = {"over": "more than ", "under": "less than ", "about": "about "}.get(
        result.qualifier, ""
    )
    figure = _figure_words(result)
    lead = f"{capital(what)}: {qualifier}{figure} ({result.working}{_points_if(result)})."
    return f"{lead} {inputs}"


def _figure_words(result: Result) -> str:
    assert result.value is not None
    if result.unit in ("%", ""):
        return f"{result.value:g}{result.unit}"
    return format_figure(result.value, result.unit)


def _points_if(result: Result) -> str:
    # a difference of shares is a gap in points; the rest of everyone ("100% − x") is not
    if "−" not in result.working or result.unit != "%" or result.working.startswith("100% −"):
        return ""
    return _points(result)


def quoted(sentences: Sequence[Sentence], sources: Sources) -> str:
    """The report's sentences in text order, each cited."""
    ordered = sorted(sentences, key=lambda s: (s.report, s.start))
    return " ".join(f"{condensed(s.text).rstrip('.')} [{sources.cite(s)}]." for s in ordered)


def listed(head: Sentence, items: Sequence[Sentence], sources: Sources) -> str:
    """A sentence that opens a list ("The top three were:") and the list's items, as bullets."""
    lines = [f"{condensed(head.text).rstrip(' :')} [{sources.cite(head)}]:"]
    lines += [f"- {condensed(s.text).rstrip('.')} [{sources.cite(s)}]" for s in items]
    return "\n".join(lines)


def quote(sentence: Sentence, sources: Sources) -> str:
    """One sentence inside quotation marks, cited."""
    return f"“{verbatim(sentence.text)}” [{sources.cite(sentence)}]"
