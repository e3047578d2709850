"""Sentence-level dense similarity: how close each report sentence is to a question in meaning.

The index holds one vector per ~400-character chunk, which blurs a one-sentence answer into
its neighbours ("Where were the firms headquartered?" scores the regions sentence's chunk no
higher than the ones around it). A vector per report sentence lets a paraphrase find the
sentence it paraphrases. Ingest stores those vectors in the index next to the passages
(rag.index.store), so answering only embeds the question.
"""

from __future__ import annotations

from collections.abc import Callable, Container, Sequence
from dataclasses import dataclass
from typing import Any

from rag.types import Sentence

SentenceKey = tuple[str, int]  # (report id, start offset): a sentence's identity


def key_of(sentence: Sentence) -> SentenceKey:
    """The identity of a report sentence in a similarity map."""
    return sentence.report, sentence.start


@dataclass(frozen=True)
class SentenceVectors:
    """One normalised vector per report sentence, and the question embedder that matches them."""

    keys: tuple[SentenceKey, ...]
    matrix: Any  # numpy array, one row per key
    embed_query: Callable[[str], list[float]]

    def similarities(self, question: str) -> dict[SentenceKey, float]:
        """Cosine similarity of ``question`` to every report sentence."""
        import numpy as np

        if not self.keys:
            return {}
        vector = np.asarray(self.embed_query(question), dtype=np.float32)
        if self.matrix.shape[1] != vector.shape[0]:
            return {}  # vectors of another model: no meaning signal rather than a wrong one
        sims = self.matrix @ vector
        return {k: float(s) for k, s in zip(self.keys, sims, strict=True)}


def sentence_vectors(
    sentences: Sequence[Sentence],
    matrix: Any,
    embed_query: Callable[[str], list[float]],
    reports: Container[str] | None = None,
) -> SentenceVectors:
    """The stored vectors of ``sentences`` (row ``i`` of ``matrix``), narrowed to ``reports``."""
    rows = [i for i, s in enumerate(sentences) if reports is None or s.report in reports]
    keys = tuple(key_of(sentences[i]) for i in rows)
    if len(rows) != len(sentences):
        matrix = matrix[rows]
    return SentenceVectors(keys, matrix, embed_query)
