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

from rag.errors import IndexMissing, InputError, StoreUnavailable, SurveyRagError
from rag.inputs import check_question
from rag.settings import PROJECT_ROOT, Settings
from rag.types import Answer

_UNSET: Any = object()


@dataclass
class _Loaded:
    index: Any  # rag.index.store.IndexReader
    knowledge: Any  # rag.answering.knowledge.Knowledge
    answerer: Any  # rag.answering.answerer.Answerer
    chain: Any  # DirectChain, or a Runnable[{question, history, report}, Answer]
    model: str
    search: Any  # rag.retrieval.hybrid.HybridRetriever


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
        from rag.answering.answerability import load_calibration
        from rag.answering.answerer import Answerer
        from rag.answering.knowledge import from_index
        from rag.chain import (
            DirectChain,
            build_chain,
            extractive_answerer,
            llm_answerer,
            make_retriever,
        )
        from rag.index.embeddings import get_query_embedder
        from rag.llm import get_chat_model, model_name
        from rag.retrieval.hybrid import HybridRetriever

        settings = self.settings
        index = load_index(settings)
        embedder = get_query_embedder(settings)
        wanted = [settings.report] if settings.report is not None else None

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

        # with a report named, only that report's records are read from the store
        if settings.report is not None:
            data = index.report_data(settings.report)
            own_chunks, own_facts = list(data.chunks), list(data.facts)
        else:
            own_chunks, own_facts = index.chunks, index.facts

        class _Index:
            chunks = own_chunks
            facts = own_facts

            def query(self, embedding: list[float], k: int) -> list[tuple[str, float]]:
                return dense(embedding, k)

        knowledge = from_index(index, embedder.embed_query, wanted)

        def embed(text: str) -> list[float]:
            return embedder.embed_query(knowledge.embedded_text(text))

        search = HybridRetriever(_Index(), embed, settings.top_k, settings.report)
        answerer = Answerer(knowledge, load_calibration(), settings.route_reports)
        model = get_chat_model(settings) if self._chat_model is _UNSET else self._chat_model
        if model is None and self._retriever is None:
            # our retriever into our answerer: no LangChain to import on a cold `ask`
            direct = DirectChain(search.retrieve, answerer)
            return _Loaded(index, knowledge, answerer, direct, "extractive", search)
        retriever = self._retriever or make_retriever(search.retrieve)
        if model is None:
            runnable, name = extractive_answerer(answerer), "extractive"
        else:
            runnable, name = llm_answerer(model, answerer), model_name(model)
        return _Loaded(index, knowledge, answerer, build_chain(retriever, runnable), name, search)

    def warm(self) -> None:
        """Load the index, the model and the chain, and build what answers read, now instead
        of on the first questions (a one-off ``ask`` skips this and builds only what it reads).
        What is loaded then is kept out of the garbage collector's sight (``gc.freeze``)."""
        import gc

        loaded = self._load()
        loaded.search.prepare()
        loaded.answerer.prepare()
        # a server reads a collection's vector index into memory on its first query
        loaded.search.retrieve("survey results")
        # What was loaded lives as long as the process; left to the cyclic collector, every
        # full collection walks it all (~250 ms on 100 reports, during some question) and the
        # young collections right after loading take ms each.
        gc.collect()
        gc.freeze()

    @property
    def index(self) -> Any:
        """The loaded IndexReader."""
        return self._load().index

    @property
    def model(self) -> str:
        """Which answerer writes the answers: 'extractive' or the chat model's name."""
        return self._load().model

    @property
    def knowledge(self) -> Any:
        """What the answerer knows of each report (facts, sentences, vectors, digests)."""
        return self._load().knowledge

    @property
    def reports(self) -> list[Any]:
        """The ReportInfo of every report this engine answers from."""
        return [r.info for r in self._load().knowledge.reports.values()]

    def answer(
        self,
        question: str,
        history: Sequence[dict[str, Any]] | None = None,
        report: str | None = None,
    ) -> Answer:
        """Answer ``question`` after ``history``, from ``report`` or every indexed report."""
        from rag.text.instructions import sanitize
        from rag.text.shorthand import in_full

        text = check_question(question, self.settings.max_question_chars)
        loaded = self._load()
        if report is not None and report not in loaded.knowledge.reports:
            known = ", ".join(sorted(loaded.knowledge.reports)) or "none"
            raise InputError(f"no report {report!r} is indexed (indexed: {known})")
        # Orders aimed at the answerer ("ignore previous instructions...") are removed before
        # anything reads the question, retrieval included.
        cleaned = sanitize(text) or text
        # chat shorthand ("abt", "b4") is read in full, in the question and the turns before it
        turns = [
            {**t, "content": in_full(t["content"])}
            if isinstance(t, dict) and t.get("role") == "user" and isinstance(t.get("content"), str)
            else t
            for t in history or []
        ]
        payload = {"question": in_full(cleaned), "history": turns, "report": report}
        result: Answer = loaded.chain.invoke(payload)
        return replace(result, question=cleaned)


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


def answer(
    question: str,
    history: list[dict[str, Any]] | None = None,
    report: str | None = None,
) -> Answer:
    """Answer a question about the indexed survey reports, citing every figure.

    Args:
        question: the user's question (1 to 2,000 characters).
        history: the conversation so far as ``[{"role": "user"|"assistant", "content": str}]``
            (Gradio's messages format); a follow-up such as "and the higher band?" is read
            against the earlier questions' plans.
        report: answer from this report id only (default: every indexed report).

    Returns:
        An Answer: ``text`` with inline markers [1], [2] matching ``citations``;
        ``grounded`` is False when the report does not answer the question; ``plan`` shows
        how the question was read.

    Raises:
        EmptyQuestion, QuestionTooLong: the question is unusable (both are ValueErrors).
        IndexMissing: nothing is indexed and the corpus is not the bundled one.
        StoreUnavailable: the Chroma server cannot be reached.
    """
    return get_engine(_env_settings()).answer(question, history, report)
