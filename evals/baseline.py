"""The baseline: plain LangChain over the same report, scored by the same scorer.

It is what a first attempt looks like: RecursiveCharacterTextSplitter chunks, the same
embeddings in a throwaway Chroma collection, top-4 similarity search, and for an answer the
first sentence of the top chunk that holds a number. It never refuses. Putting it next to the
engine in every eval run shows what the engine's extra work buys.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from rag.settings import Settings
from rag.text.numbers import extract_figures
from rag.types import Answer, Citation, Hit

NAME = "baseline"
# Sentences in this report are often glued together ("(LLM).To say"), so a capital letter
# right after the stop also ends a sentence; "3.5" and "67.2%" do not.
_BOUNDARY = re.compile(r"(?<=[.!?])(?:\s+|(?=[A-Z“\"]))|\n+")


def sentences(text: str) -> list[tuple[int, int]]:
    """[start, end) spans of the sentences in ``text``, stripped of surrounding spaces."""
    spans, start = [], 0
    for m in [*_BOUNDARY.finditer(text), None]:
        end = m.start() if m else len(text)
        piece = text[start:end]
        lead = len(piece) - len(piece.lstrip())
        trail = len(piece) - len(piece.rstrip())
        if end - trail > start + lead:
            spans.append((start + lead, end - trail))
        if m:
            start = m.end()
    return spans


def first_number_sentence(text: str) -> tuple[int, int] | None:
    """The span of the first sentence in ``text`` that states a figure."""
    for start, end in sentences(text):
        if extract_figures(text[start:end]):
            return start, end
    return None


class LangChainBaseline:
    """Split, embed into Chroma in a temp dir, retrieve top-k, answer with a number sentence."""

    def __init__(
        self,
        report_texts: Mapping[str, str],
        embeddings: Any,
        k: int = 4,
        chunk_size: int = 500,
        chunk_overlap: int = 50,
    ) -> None:
        import chromadb
        from langchain_chroma import Chroma
        from langchain_text_splitters import RecursiveCharacterTextSplitter

        self.k = k
        self._dir = Path(tempfile.mkdtemp(prefix="survey-rag-baseline-"))
        splitter = RecursiveCharacterTextSplitter(
            chunk_size=chunk_size, chunk_overlap=chunk_overlap, add_start_index=True
        )
        docs = splitter.create_documents(
            list(report_texts.values()), metadatas=[{"report": r} for r in report_texts]
        )
        client = chromadb.PersistentClient(
            path=str(self._dir), settings=chromadb.config.Settings(anonymized_telemetry=False)
        )
        self._store = Chroma(
            collection_name="baseline", embedding_function=embeddings, client=client
        )
        self._store.add_documents(docs, ids=[f"chunk-{i}" for i in range(len(docs))])
        self.chunks = len(docs)

    def answer(self, question: str, history: list[dict[str, str]] | None = None) -> Answer:
        """The first sentence with a number in the top chunk (or the next chunk that has one)."""
        found = self._store.similarity_search_with_score(question, k=self.k)
        hits = [
            Hit(
                kind="passage",
                id=f"baseline-{rank}",
                report=str(doc.metadata.get("report", "")),
                section="",
                text=doc.page_content,
                start=int(doc.metadata.get("start_index", -1)),
                end=int(doc.metadata.get("start_index", -1)) + len(doc.page_content),
                score=float(score),
            )
            for rank, (doc, score) in enumerate(found)
        ]
        chosen: tuple[Hit, int, int] | None = None
        for hit in hits:
            span = first_number_sentence(hit.text)
            if span:
                chosen = (hit, *span)
                break
        if chosen is None and hits:
            chosen = (hits[0], *(sentences(hits[0].text) or [(0, len(hits[0].text))])[0])
        if chosen is None:
            return Answer(text="", citations=[], grounded=True, model=NAME, question=question)
        hit, start, end = chosen
        quote = hit.text[start:end]
        offset = hit.start if hit.start >= 0 else None
        citation = Citation(
            id=1,
            report=hit.report,
            section=hit.section,
            quote=quote,
            kind="passage",
            start=None if offset is None else offset + start,
            end=None if offset is None else offset + end,
        )
        return Answer(
            text=f"{quote} [1]",
            citations=[citation],
            grounded=True,
            model=NAME,
            question=question,
            retrieved=hits,
        )

    def close(self) -> None:
        """Drop the temporary collection."""
        shutil.rmtree(self._dir, ignore_errors=True)

    def __enter__(self) -> LangChainBaseline:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def build_baseline(settings: Settings, report_texts: Mapping[str, str]) -> LangChainBaseline:
    """The baseline over these reports, with the engine's own embedding model."""
    from rag.index.embeddings import as_langchain, get_embedder

    return LangChainBaseline(report_texts, as_langchain(get_embedder(settings)))
