"""A report's digest, built at ingest: its central sentences, the ones it stresses, its advice,
what it expects, and one headline figure per result table.

Centrality is LexRank-style over the sentence vectors ingest already computed: a sentence is
central when it is close in meaning to the rest of its scope (the report, or one section).
The headline of a table is the row the report stresses most (emphasis words such as
"worrying" or "unexpected" in its sentence or the ones around it), else the row whose
sentence is most central; tables are ordered the same way, shares of respondents first.
Stored with the build (in the report's pointer record) and rebuilt whenever the report is.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rag.text.lexicon import (
    ADVICE,
    AHEAD,
    AS_EXPECTED,
    EMPHASIS,
    FORESEE,
    READING,
    REMARKED,
    WILL_COME,
    affirmed,
)
from rag.text.numbers import extract_figures
from rag.text.sentences import signposts
from rag.text.tokens import tokenize
from rag.types import Fact, Sentence

DIGEST_VERSION = 8
TOP_SENTENCES = 8
PER_SECTION = 5
_MIN_CHARS = 40  # shorter sentences are headings or fragments, not findings


def centrality(vectors: Any) -> Any:
    """Each row's mean cosine similarity to the other rows (vectors are normalised)."""
    import numpy as np

    n = vectors.shape[0]
    if n < 2:
        return np.ones(n, dtype=np.float32)
    sims = vectors @ vectors.T
    return (sims.sum(axis=1) - 1.0) / (n - 1)


def emphasis(text: str) -> int:
    """How many emphasis words a sentence stresses with (none that a negation denies)."""
    return len(affirmed(text, EMPHASIS))


def _stressed(i: int, sentences: Sequence[Sentence]) -> float:
    """Emphasis of a sentence, with half of its neighbours' in the same section."""
    score = float(emphasis(sentences[i].text))
    for j in (i - 1, i + 1):
        if 0 <= j < len(sentences) and sentences[j].section == sentences[i].section:
            score += 0.5 * emphasis(sentences[j].text)
    return score


def build_digest(sentences: Sequence[Sentence], vectors: Any, facts: Sequence[Fact]) -> dict:
    """The digest of one report as plain data: sentence spans and fact ids."""
    import numpy as np

    if len(sentences) == 0 or vectors is None or len(vectors) != len(sentences):
        return {"version": DIGEST_VERSION}
    matrix = np.asarray(vectors, dtype=np.float32)
    usable = [i for i, s in enumerate(sentences) if _findable(s)]
    report_rank = _ranked(usable, matrix, TOP_SENTENCES)
    by_section: dict[str, list[int]] = {}
    for i in usable:
        by_section.setdefault(sentences[i].section, []).append(i)
    sections = {
        title: [_span(sentences[i]) for i in _ranked(idx, matrix, PER_SECTION)]
        for title, idx in by_section.items()
    }
    stressed = sorted(
        (i for i in usable if emphasis(sentences[i].text)),
        key=lambda i: (-emphasis(sentences[i].text), i),
    )
    advice = [i for i in usable if _advises(sentences[i].text)]
    outlook = _ranked([i for i in usable if _foresees(sentences[i].text)], matrix, TOP_SENTENCES)
    score = dict(zip(usable, centrality(matrix[usable]).tolist(), strict=True)) if usable else {}
    return {
        "version": DIGEST_VERSION,
        "central": [_span(sentences[i]) for i in report_rank[:TOP_SENTENCES]],
        "sections": sections,
        "emphasis": [_span(sentences[i]) for i in stressed[:TOP_SENTENCES]],
        "advice": [_span(sentences[i]) for i in advice[:TOP_SENTENCES]],
        "outlook": [_span(sentences[i]) for i in outlook],
        "headlines": headlines(sentences, facts, score),
    }


def headlines(
    sentences: Sequence[Sentence], facts: Sequence[Fact], central: dict[int, float]
) -> list[str]:
    """One fact id per table, the tables the report stresses first, shares before counts."""
    starts = {s.start: i for i, s in enumerate(sentences)}
    tables: dict[str, list[Fact]] = {}
    for f in facts:
        tables.setdefault(f.table, []).append(f)

    def weight(f: Fact) -> tuple[float, float, float]:
        i = _sentence_index(f, sentences, starts)
        stressed = _stressed(i, sentences) if i is not None else 0.0
        return (stressed, central.get(i, 0.0) if i is not None else 0.0, f.value)

    best = [max(rows, key=weight) for rows in tables.values()]
    best.sort(key=lambda f: (f.unit != "%", tuple(-x for x in weight(f))))
    return [f.id for f in best]


def _sentence_index(f: Fact, sentences: Sequence[Sentence], starts: dict[int, int]) -> int | None:
    if f.start in starts:
        return starts[f.start]
    for i, s in enumerate(sentences):
        if s.start <= f.start < s.end:
            return i
    return None


def _ranked(indices: Sequence[int], matrix: Any, limit: int, diversity: float = 0.5) -> list[int]:
    """Central sentences first, each next one also unlike those already chosen (maximal
    marginal relevance), so a long section's digest covers more than one of its points."""
    import numpy as np

    if not indices:
        return []
    rows = matrix[list(indices)]
    scores = np.asarray(centrality(rows), dtype=np.float64)
    sims = rows @ rows.T
    overlap = np.zeros(len(indices))
    free = np.ones(len(indices), dtype=bool)
    chosen: list[int] = []
    while free.any() and len(chosen) < limit:
        gain = np.where(free, scores - diversity * overlap, -np.inf)
        best = int(np.argmax(gain))  # ties: the earlier sentence
        chosen.append(best)
        free[best] = False
        overlap = np.maximum(overlap, sims[:, best])
    return [indices[k] for k in chosen]


def _advises(text: str) -> bool:
    """Whether a sentence gives advice: an advice word, and no share stated (a finding such
    as "74% of respondents have recommended the workshop" reports, it does not advise)."""
    words = set(tokenize(text, keep_stopwords=True))
    if not words & ADVICE:
        return False
    if words & READING:
        return False  # "we recommend you browse the full report": a pointer, not advice
    if not set(tokenize(REMARKED.sub(" ", text), keep_stopwords=True)) & ADVICE:
        return False  # "it should be noted that ...": a remark, not advice
    return not any(f.unit == "%" for f in extract_figures(text))


def _foresees(text: str) -> bool:
    """Whether a sentence says what the authors expect ("we expect this to grow", "in the
    coming years, most firms will ..."): a forecast word or a time ahead, and no share
    stated ("45% expect to adopt it" is what respondents said, not the authors' outlook)."""
    forecast = bool(affirmed(AS_EXPECTED.sub(" ", text), FORESEE)) and bool(WILL_COME.search(text))
    if not (forecast or AHEAD.search(text)):
        return False
    return not any(f.unit == "%" for f in extract_figures(text))


def _findable(s: Sentence) -> bool:
    """A sentence a digest may hold: long enough, no question, and no signpost ("let's look
    at who answered" states nothing)."""
    text = s.text
    return len(text) >= _MIN_CHARS and not text.rstrip().endswith("?") and not signposts(text)


def _span(s: Sentence) -> list[int]:
    return [s.start, s.end]
