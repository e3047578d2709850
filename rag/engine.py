"""The answer engine: question (+ history) -> Answer with cited figures.

``answer(question, history)`` is the public API. It reads Settings() from the environment,
loads the index, the embedding model and the chain once per process, and may be called from
many threads at once. ``Engine`` is the same thing for a given Settings (what the UI, the evals
and the bench use), and accepts a LangChain chat model for the optional LLM path.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from rag.errors import (
    EmptyQuestion,
    IndexMissing,
    QuestionTooLong,
    StoreUnavailable,
    SurveyRagError,
)
from rag.settings import PROJECT_ROOT, Settings
from rag.types import Answer

_UNSET: Any = object()


@dataclass
class _Loaded:
    index: Any  # rag.store.IndexReader
    corpus: Any  # rag.compose.Corpus
    search: Any  # rag.retrieval.hybrid.HybridRetriever
    chain: Any  # Runnable[str, Answer]
    model: str


def check_question(question: object, limit: int) -> str:
    """The question stripped, or EmptyQuestion / QuestionTooLong."""
    if not isinstance(question, str) or not question.strip():
        raise EmptyQuestion()
    if len(question) > limit:
        raise QuestionTooLong(len(question), limit)
    return question.strip()


def _bundled(settings: Settings) -> bool:
    try:
        return settings.corpus_dir.resolve() == (PROJECT_ROOT / "corpus").resolve()
    except OSError:
        return False


def load_index(settings: Settings) -> Any:
    """The IndexReader; builds the bundled corpus's index if it is missing."""
    from rag.index.store import open_index

    try:
        return open_index(settings)
    except IndexMissing:
        if not _bundled(settings) or not settings.corpus_dir.is_dir():
            raise
    from ingest.pipeline import ingest  # only to build the bundled index on first use

    ingest(settings)
    return open_index(settings)


class Engine:
    """Answers questions from one index; thread-safe, loads lazily on the first question."""

    def __init__(
        self,
        settings: Settings | None = None,
        chat_model: Any = _UNSET,
        *,
        retriever: Any = None,
    ) -> None:
        self.settings = settings or Settings()
        self._chat_model = chat_model
        self._retriever = retriever  # a LangChain retriever to use instead of the hybrid one
        self._lock = threading.Lock()
        self._loaded: _Loaded | None = None

    def _load(self) -> _Loaded:
        if self._loaded is not None:
            return self._loaded
        with self._lock:
            if self._loaded is None:
                self._loaded = self._build()
        return self._loaded

    def _build(self) -> _Loaded:
        from rag.chain import build_chain, extractive_answerer, llm_answerer, make_retriever
        from rag.compose import Corpus
        from rag.index.embeddings import get_query_embedder
        from rag.llm import get_chat_model, model_name
        from rag.retrieval.dense import sentence_vectors
        from rag.retrieval.hybrid import HybridRetriever

        settings = self.settings
        index = load_index(settings)
        embedder = get_query_embedder(settings)
        reports = index.reports
        if settings.report is not None:
            reports = [r for r in reports if r.id == settings.report]

        def dense(embedding: list[float], k: int) -> list[tuple[str, float]]:
            try:
                return list(index.query(embedding, k, report=settings.report))
            except SurveyRagError:
                raise
            except Exception as exc:  # chromadb raises its own types for a lost server
                raise StoreUnavailable(
                    f"cannot query the index at {settings.where}: {exc}; "
                    "is the Chroma server running?"
                ) from exc

        class _Index:
            chunks = index.chunks
            facts = index.facts

            def query(self, embedding: list[float], k: int) -> list[tuple[str, float]]:
                return dense(embedding, k)

        search = HybridRetriever(_Index(), embedder.embed_query, settings.top_k, settings.report)
        sections = {r.id: index.sections(r.id) for r in reports}
        # sentences and their vectors were split and embedded at ingest: nothing is redone here
        corpus = Corpus(
            reports,
            search_items(search, "chunks"),
            search_items(search, "facts"),
            sections,
            index.sentences,
        )
        vectors = sentence_vectors(
            index.sentences, index.sentence_vectors, embedder.embed_query, corpus.reports
        )
        corpus.sentence_dense = vectors.similarities
        model = get_chat_model(settings) if self._chat_model is _UNSET else self._chat_model
        retriever = self._retriever or make_retriever(search.retrieve)
        if model is None:
            answerer, name = extractive_answerer(corpus), "extractive"
        else:
            answerer, name = llm_answerer(model, corpus), model_name(model)
        return _Loaded(index, corpus, search, build_chain(retriever, answerer), name)

    def warm(self) -> None:
        """Load the index, the model and the chain now instead of on the first question."""
        self._load()

    @property
    def index(self) -> Any:
        """The loaded IndexReader."""
        return self._load().index

    @property
    def model(self) -> str:
        """Which answerer writes the answers: 'extractive' or the chat model's name."""
        return self._load().model

    @property
    def corpus(self) -> Any:
        """The loaded corpus view (reports, facts, sentences)."""
        return self._load().corpus

    @property
    def reports(self) -> list[Any]:
        """The ReportInfo of every report this engine answers from."""
        return list(self._load().corpus.reports.values())

    def answer(self, question: str, history: Sequence[dict[str, Any]] | None = None) -> Answer:
        """Answer ``question``, resolving a follow-up against ``history`` first."""
        from rag.compose import sanitize
        from rag.followup import resolve_followup
        from rag.question import expand_shorthand

        text = check_question(question, self.settings.max_question_chars)
        # Orders aimed at the answerer ("ignore previous instructions...") are removed before
        # anything reads the question, retrieval included.
        standalone = expand_shorthand(resolve_followup(sanitize(text) or text, list(history or [])))
        loaded = self._load()
        result: Answer = loaded.chain.invoke(standalone)
        return replace(result, question=standalone)


def search_items(search: Any, kind: str) -> list[Any]:
    """The chunks or facts a HybridRetriever searches (already narrowed to one report)."""
    from rag.types import Fact

    items = search.items
    return [it for it in items if isinstance(it, Fact) == (kind == "facts")]


_ENGINES: dict[str, Engine] = {}
_ENGINES_LOCK = threading.Lock()


def get_engine(settings: Settings | None = None) -> Engine:
    """The process-wide Engine for these settings (one per distinct configuration)."""
    settings = settings or Settings()
    key = settings.model_dump_json()
    with _ENGINES_LOCK:
        engine = _ENGINES.get(key)
        if engine is None:
            engine = _ENGINES[key] = Engine(settings)
    return engine


_SETTINGS: dict[tuple[tuple[str, str], ...], Settings] = {}


def _env_settings() -> Settings:
    """Settings() from the environment, rebuilt only when a SURVEY_RAG_ variable changes."""
    key = tuple(
        sorted(
            (k, v)
            for k, v in os.environ.items()
            if k.startswith("SURVEY_RAG_") or k == "OPENAI_API_KEY"
        )
    )
    settings = _SETTINGS.get(key)
    if settings is None:
        settings = _SETTINGS[key] = Settings()
    return settings


def answer(question: str, history: list[dict[str, Any]] | None = None) -> Answer:
    """Answer a question about the indexed survey reports, citing every figure.

    Args:
        question: the user's question (1 to 2,000 characters).
        history: the conversation so far as ``[{"role": "user"|"assistant", "content": str}]``
            (Gradio's messages format); a short follow-up such as "And 200M or more?" is
            resolved against the previous question.

    Returns:
        An Answer: ``text`` with inline markers [1], [2] matching ``citations``;
        ``grounded`` is False when the report does not answer the question.

    Raises:
        EmptyQuestion, QuestionTooLong: the question is unusable (both are ValueErrors).
        IndexMissing: nothing is indexed and the corpus is not the bundled one.
        StoreUnavailable: the Chroma server cannot be reached.
    """
    return get_engine(_env_settings()).answer(question, history)
