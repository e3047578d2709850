"""Okapi BM25 over a fixed list of token lists: finds the exact things vectors blur.

Figures ("34.2%"), money bands ("$40M") and acronyms ("ROI") match here by token.
"""

from __future__ import annotations

import math
import threading
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any


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
        self._arrays: dict[str, tuple[Any, Any, Any]] | None = None
        self._lock = threading.Lock()

    def _columns(self) -> dict[str, tuple[Any, Any, Any]]:
        """Each term's postings as arrays: documents, term counts, and those documents'
        length norms (what :meth:`scores` computes per posting, computed once)."""
        import numpy as np

        with self._lock:
            if self._arrays is None:
                norms = [
                    self.k1 * (1 - self.b + self.b * length / (self.avgdl or 1))
                    for length in self.lengths
                ]
                arrays = {}
                for term, postings in self.postings.items():
                    ids = np.fromiter((i for i, _ in postings), dtype=np.intp, count=len(postings))
                    tfs = np.fromiter((t for _, t in postings), dtype=np.int64, count=len(postings))
                    arrays[term] = (ids, tfs, np.asarray([norms[i] for i in ids], dtype=np.float64))
                self._arrays = arrays
            return self._arrays

    def prepare(self) -> None:
        """Build the postings arrays now rather than on the first query."""
        self._columns()

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
        """The ``k`` best documents as (index, score), best first (by index among equals).

        :meth:`scores` with arrays: a library of reports has thousands of documents a common
        word is in. Each document's score adds the same terms' parts in the same order, so
        scores and ranks are equal to it."""
        import numpy as np

        columns = self._columns()
        total = np.zeros(self.n, dtype=np.float64)
        seen = np.zeros(self.n, dtype=bool)
        for term in set(query):
            found = columns.get(term)
            if found is None:
                continue
            ids, tfs, norms = found
            total[ids] += self.idf(term) * tfs * (self.k1 + 1) / (tfs + norms)
            seen[ids] = True
        docs = np.flatnonzero(seen)
        scores = total[docs]
        if len(docs) > k > 0:
            # only documents scoring at least the k-th best can be among the k best: sorting
            # them alone (ties at the k-th score included) gives the same first k, in order
            kth = np.partition(scores, len(docs) - k)[len(docs) - k]
            docs, scores = docs[scores >= kth], scores[scores >= kth]
        best = docs[np.argsort(-scores, kind="stable")[:k]]
        return [(int(i), float(total[i])) for i in best]
