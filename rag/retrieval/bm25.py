"""Okapi BM25 over a fixed list of token lists: finds the exact things vectors blur.

Figures ("34.2%"), money bands ("$40M") and acronyms ("ROI") match here by token.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence


class BM25:
    """Okapi BM25 over a fixed list of documents, built once and read by many threads."""

    def __init__(self, docs: Sequence[Sequence[str]], k1: float = 1.4, b: float = 0.75) -> None:
        self.k1 = k1
        self.b = b
        self.n = len(docs)
        self.lengths = [len(d) for d in docs]
        self.avgdl = (sum(self.lengths) / self.n) if self.n else 0.0
        self.df: Counter[str] = Counter()
        self.postings: dict[str, list[tuple[int, int]]] = {}
        for i, doc in enumerate(docs):
            for term, tf in Counter(doc).items():
                self.df[term] += 1
                self.postings.setdefault(term, []).append((i, tf))

    def idf(self, term: str) -> float:
        """Inverse document frequency (BM25+ style, never negative); 0 for unseen terms."""
        df = self.df.get(term, 0)
        if not df:
            return 0.0
        return math.log(1 + (self.n - df + 0.5) / (df + 0.5))

    def scores(self, query: Iterable[str]) -> dict[int, float]:
        """BM25 score of every document that shares a term with ``query``."""
        out: dict[int, float] = {}
        for term in set(query):
            idf = self.idf(term)
            for i, tf in self.postings.get(term, ()):
                norm = self.k1 * (1 - self.b + self.b * self.lengths[i] / (self.avgdl or 1))
                out[i] = out.get(i, 0.0) + idf * tf * (self.k1 + 1) / (tf + norm)
        return out

    def top(self, query: Iterable[str], k: int) -> list[tuple[int, float]]:
        """The ``k`` best documents as (index, score), best first."""
        ranked = sorted(self.scores(query).items(), key=lambda item: (-item[1], item[0]))
        return ranked[:k]
