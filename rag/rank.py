"""Ranking a report's facts against a question: which table row answers it, and how surely.

Each candidate fact is scored on what the question's words cover (its statement fully, its
table's caption half), the row it names ("rated 5", "$200M or more"), its polarity
("understaffed" vs "fully staffed"), the kind of figure asked for ("how many employees") and
the embedding's similarity. Pure functions of the question, the facts and the corpus weights.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from rag.derive import row_figures
from rag.evidence import Corpus, coverage, term_matches, tokens_of
from rag.question import NEGATION, Query
from rag.retrieval.hybrid import fact_search_text
from rag.text.numbers import Figure, close, extract_figures, units_agree
from rag.text.tokens import synonyms
from rag.types import Fact


@dataclass(frozen=True)
class ScoredFact:
    """A candidate fact with the signals that ranked it."""

    fact: Fact
    coverage: float
    row_match: float
    selector: bool  # a figure in the question names this row ("rated 5", "$200M or more")
    similarity: float
    score: float


def fact_tokens(fact: Fact) -> frozenset[str]:
    """Everything a fact offers the question's words: statement, caption, row, source, section."""
    return tokens_of(fact_search_text(fact) + " " + fact.section)


def stated_tokens(fact: Fact) -> frozenset[str]:
    """What a fact itself is about. A caption that is a table title ("ChatGPT's growth")
    counts; one that is the survey's question does not, as it may list options ("GPT 3.5/4,
    Cohere's Claude or ...") that the row says nothing about."""
    caption = "" if fact.caption.rstrip().endswith("?") else fact.caption
    return tokens_of(f"{fact.text} {fact.row} {fact.source} {fact.section} {caption}")


def is_selector(figure: Figure, fact: Fact) -> bool:
    """Whether a figure of the question names a row of a table (a band or a rating)."""
    for f in row_figures(fact):
        if close(f.value, figure.value) and (
            units_agree(f.unit, figure.unit) or {f.unit, figure.unit} <= {"", "USD"}
        ):
            return True
    return False


def score_facts(
    query: Query, candidates: Iterable[Fact], similarity: dict[str, float], corpus: Corpus
) -> list[ScoredFact]:
    """Candidate facts ranked by how well they answer ``query``."""
    counted = counted_units(query.text)
    scored = []
    for fact in candidates:
        tokens = fact_tokens(fact)
        # What the fact states counts fully; its table's caption (the survey question, which
        # may list options the row is not about) counts half.
        stated = coverage(query, tokens_of(f"{fact.text} {fact.row} {fact.source}"), corpus)
        cov = stated + 0.5 * (coverage(query, tokens, corpus) - stated)
        row_tokens = tokens_of(fact.row)
        row_terms = [
            t
            for t in query.terms
            if term_matches(t, row_tokens) or any(x in row_tokens for x in synonyms(t))
        ]
        row_match = sum(corpus.weight(t) for t in row_terms) / (
            sum(corpus.weight(t) for t in query.terms) or 1
        )
        selector = any(is_selector(f, fact) for f in query.figures)
        sim = similarity.get(fact.id, 0.0)
        score = cov + 0.5 * row_match + (0.5 if selector else 0.0) + 0.3 * sim
        if counted and fact.unit in counted:
            score += 0.3  # "how many employees" wants a count of employees
        if query.negated == states_negation(fact):
            # "understaffed" and "fully staffed" share their words; polarity tells them apart
            score += 0.25
        scored.append(ScoredFact(fact, cov, row_match, selector, sim, score))
    scored.sort(key=lambda s: -s.score)
    return scored


TYPED_MIN = 0.55  # dense similarity a fact needs when only its unit ties it to the question


def only_of_its_kind(query: Query, best: ScoredFact, corpus: Corpus) -> bool:
    """The question counts something ("how many companies ...") that exactly one fact of the
    report counts, and the embedding agrees it is about that fact.

    A paraphrase ("took part" for "polled") shares no word with the fact, but the kind of
    figure asked for pins the fact down; the similarity floor keeps "how many companies use
    X" from being answered with the size of the sample.
    """
    counted = counted_units(query.text)
    if not counted or best.fact.unit not in counted or best.similarity < TYPED_MIN:
        return False
    kind = [f for f in corpus.facts if f.report == best.fact.report and f.unit in counted]
    return len(kind) == 1


_HOW_MANY = re.compile(r"\bhow\s+many\s+(?:of\s+the\s+)?([a-z]+)", re.I)
_COUNTED = {
    "companies": {"companies", "respondents"},
    "respondents": {"companies", "respondents"},
    "employees": {"employees"},
    "users": {"users"},
    "days": {"days"},
    "months": {"months"},
    "years": {"years"},
}


# A survey's sample is counted in the units its respondents are counted in.
_SAMPLE_SIZE = re.compile(
    r"\bsample\s+size\b|\bsize\s+of\s+the\s+sample\b|\bhow\s+(?:big|large)\s+(?:was|is)\s+the\s+sample\b",
    re.I,
)


def counted_units(question: str) -> set[str]:
    """The units a 'how many X' question counts in: companies, employees, users, days..."""
    if _SAMPLE_SIZE.search(question):
        return set(_COUNTED["respondents"])
    m = _HOW_MANY.search(question)
    if not m:
        return set()
    unit = next((f.unit for f in extract_figures(f"2 {m.group(1)}") if f.unit), "")
    return _COUNTED.get(unit, set())


def states_negation(fact: Fact) -> bool:
    """Whether a fact is about those who did not ('understaffed', 'lacked the funding')."""
    return bool(NEGATION.search(f"{fact.row} {fact.text}"))
