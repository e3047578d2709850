"""Hybrid retrieval: BM25 over every chunk and fact, fused with dense search by RRF.

Vectors find paraphrases; BM25 finds the exact things vectors blur: figures ("34.2%"),
money bands ("$40M", "40M or more"), acronyms ("ROI", "LoRA"). Reciprocal rank fusion
merges the two rankings without having to calibrate their scores against each other.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from rag.retrieval.bm25 import BM25
from rag.retrieval.fusion import rrf
from rag.text.tokens import acronyms, expand, tokenize
from rag.types import Chunk, Fact, Hit

MIN_FACTS = 3


def dense_depth(k: int) -> int:
    """How many neighbours one dense query asks for: enough to fuse and to judge relevance."""
    return max(4 * k, 32)


class IndexLike(Protocol):
    """What retrieval needs from ``rag.store.IndexReader``."""

    @property
    def chunks(self) -> list[Chunk]: ...

    @property
    def facts(self) -> list[Fact]: ...

    def query(self, embedding: list[float], k: int) -> list[tuple[str, float]]: ...


def fact_search_text(fact: Fact) -> str:
    """What BM25 sees of a fact: its sentence, the survey question, the row and the source."""
    return f"{fact.text} {fact.caption} {fact.row} {fact.source}"


def hit_of(item: Chunk | Fact, score: float) -> Hit:
    """A Chunk or Fact as a Hit with ``score``."""
    if isinstance(item, Fact):
        return Hit(
            "fact", item.id, item.report, item.section, item.text, item.start, item.end, score, item
        )
    return Hit(
        "passage", item.id, item.report, item.section, item.text, item.start, item.end, score
    )


@dataclass
class Retrieved:
    """The fused hits, plus each dense similarity (the answerer uses it as a relevance signal)."""

    hits: list[Hit]
    similarity: dict[str, float]


class HybridRetriever:
    """BM25 + dense search over one index, fused by RRF. Thread-safe once built."""

    def __init__(
        self,
        index: IndexLike,
        embed_query: Callable[[str], list[float]],
        k: int = 8,
        report: str | None = None,
        rrf_k: int = 60,
    ) -> None:
        self.index = index
        self.embed_query = embed_query
        self.k = k
        self.rrf_k = rrf_k
        items: list[Chunk | Fact] = [*index.chunks, *index.facts]
        if report is not None:
            items = [it for it in items if it.report == report]
        self.report = report
        self.items = items
        self.by_id = {it.id: it for it in items}
        self.bm25 = BM25(
            [tokenize(fact_search_text(it) if isinstance(it, Fact) else it.text) for it in items]
        )
        # "WHO" in a question also looks for "World Health Organization".
        self.acronyms = acronyms(it.text for it in items if isinstance(it, Chunk))

    def prepare(self) -> None:
        """Build what the first query would otherwise build (BM25's postings arrays)."""
        self.bm25.prepare()

    def retrieve(self, question: str, k: int | None = None) -> Retrieved:
        """The ``k`` best passages and facts for ``question`` (at least ``MIN_FACTS`` facts)."""
        k = k or self.k
        depth = dense_depth(k)
        tokens = tokenize(question)
        tokens += [t for a in tokens if a in self.acronyms for t in sorted(self.acronyms[a])]
        lexical = [self.items[i].id for i, _ in self.bm25.top(expand(tokens), depth)]
        dense_pairs = self.index.query(self.embed_query(question), depth)
        similarity = {rid: sim for rid, sim in dense_pairs if rid in self.by_id}
        dense = list(similarity)
        fused = rrf([lexical, dense], self.rrf_k)
        top = fused[:k]
        # Passages outnumber facts; keep the best few facts in view so a figure question
        # can always be checked against the tables.
        facts = sum(1 for rid, _ in top if isinstance(self.by_id[rid], Fact))
        for rid, score in fused[k:]:
            if facts >= MIN_FACTS:
                break
            if isinstance(self.by_id[rid], Fact):
                top.append((rid, score))
                facts += 1
        hits = [hit_of(self.by_id[rid], score) for rid, score in top]
        return Retrieved(hits, similarity)

    def __call__(self, question: str) -> list[Hit]:
        return self.retrieve(question).hits
