"""``survey-rag bench query``: how fast a warm answer is, against the floor it cannot beat.

The floor is one query embedding plus one Chroma query: the work any dense RAG must do per
question. A warm ``answer()`` adds BM25, fusion, the answerer and LangChain's plumbing; the
ratio p50(answer) / p50(floor) says how much that costs. Cold start is ``survey-rag ask`` run
as a fresh process (imports, model load, index load, one answer).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass

from rag.settings import Settings

# Varied on purpose: figures, derived figures, descriptions, refusals, a false premise.
QUESTIONS = [
    "What share of companies felt understaffed?",
    "What share could not fully show ROI?",
    "What share saw losses of $100M or more?",
    "How many businesses were surveyed?",
    "What are the biggest blockers to adopting LLMs?",
    "How do enterprises feel about fine-tuning models?",
    "What is LoRA?",
    "Who controls the AI budget in these companies?",
    "What share wanted to standardize on a single AI platform?",
    "How many companies had major financial losses from AI?",
    "What share of respondents came from Japan?",
    "What is the average AI budget?",
    "Why did 90% say they could prove ROI?",
    "When do businesses expect more value from AI?",
    "How fast did ChatGPT reach 100 million users?",
    "What share rated LLM adoption a 5?",
    "What kinds of models do enterprises want to use?",
    "What does the report say about regulation and the EU?",
    "What is the weather in Paris tomorrow?",
    "How expensive is it to train a foundation model?",
]


COLD_RUNS = 7


@dataclass(frozen=True)
class BenchResult:
    """Milliseconds, except the counts."""

    questions: int
    rounds: int
    p50: float
    p95: float
    floor_p50: float
    ratio: float
    cold_ask: float | None  # the median of ``cold_runs``
    cold_runs: tuple[float, ...] = ()


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0..100), nearest-rank."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    rank = max(1, round(q / 100 * len(ordered) + 0.5 - 1e-9))
    return ordered[min(rank, len(ordered)) - 1]


def benchmark_questions(limit: int = 100) -> list[str]:
    """Distinct single-turn questions: the fixed set above, then the tuning set's, up to
    ``limit`` (so no answer is served from a cache)."""
    import yaml

    from rag.settings import PROJECT_ROOT

    questions = list(QUESTIONS)
    path = PROJECT_ROOT / "evals" / "cases.yaml"
    if path.is_file():
        for case in yaml.safe_load(path.read_text(encoding="utf-8")) or []:
            if not case.get("history") and case.get("question") not in questions:
                questions.append(str(case["question"]))
    return questions[:limit]


def measure(settings: Settings, rounds: int = 5, cold: bool = True) -> BenchResult:
    """Warm p50/p95 of Engine.answer, the embedding+Chroma floor, and a cold ``ask``."""
    from rag.engine import get_engine
    from rag.index.embeddings import get_query_embedder
    from rag.retrieval.hybrid import dense_depth

    engine = get_engine(settings)
    engine.warm()
    embedder = get_query_embedder(settings)  # the one the engine embeds questions with
    index = engine.index
    questions = benchmark_questions()
    depth = dense_depth(settings.top_k)
    for q in questions[:20]:  # an untimed round so lazy imports and allocators settle
        engine.answer(q)
    warm: list[float] = []
    floor: list[float] = []
    for r in range(rounds):
        for q in questions:
            # The embedder caches recent questions; an invisible suffix is a new cache key
            # but the same tokens, so every timed call pays for a real query embedding.
            t = time.perf_counter()
            engine.answer(_respace(q, 2 * r + 1))
            warm.append((time.perf_counter() - t) * 1000)
            t = time.perf_counter()
            index.query(embedder.embed_query(_respace(q, 2 * r + 2)), depth)
            floor.append((time.perf_counter() - t) * 1000)
    p50, floor_p50 = percentile(warm, 50), percentile(floor, 50)
    # a cold start on a shared 2-core machine varies by a fifth from run to run
    runs = tuple(cold_ask(settings) for _ in range(COLD_RUNS)) if cold else ()
    return BenchResult(
        questions=len(questions),
        rounds=rounds,
        p50=p50,
        p95=percentile(warm, 95),
        floor_p50=floor_p50,
        ratio=p50 / floor_p50 if floor_p50 else float("nan"),
        cold_ask=percentile(runs, 50) if runs else None,
        cold_runs=runs,
    )


def _respace(question: str, extra: int) -> str:
    # Zero-width spaces: a new cache key for the embedder, the same tokens for every reader
    # (the BERT tokenizer drops format characters; the engine's parsers ignore them).
    return question + "\u200b" * extra


def cold_ask(settings: Settings, question: str = QUESTIONS[0]) -> float:
    """Wall time in ms of ``survey-rag ask`` as a fresh process against the same index."""
    env = dict(os.environ)
    env["SURVEY_RAG_DATA_DIR"] = str(settings.data_dir)
    env["SURVEY_RAG_CORPUS_DIR"] = str(settings.corpus_dir)
    if settings.chroma_url:
        env["SURVEY_RAG_CHROMA_URL"] = settings.chroma_url
    env.setdefault("HF_HUB_OFFLINE", "1")
    t = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "rag", "ask", question],
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return (time.perf_counter() - t) * 1000


def run_bench_query(args: argparse.Namespace, settings: Settings) -> int:
    """Print the query benchmark; exit 0 (it measures, it does not judge)."""
    result = measure(settings, rounds=max(1, int(getattr(args, "repeat", 5))))
    print(f"questions: {result.questions} x {result.rounds} rounds (warm, one thread)")
    print(f"answer p50: {result.p50:.1f} ms   p95: {result.p95:.1f} ms")
    print(f"floor p50 (1 query embedding + 1 Chroma query): {result.floor_p50:.1f} ms")
    tail = result.p95 / result.floor_p50
    print(f"ratio p50/floor: {result.ratio:.2f}x   p95/floor p50: {tail:.2f}x")
    if result.cold_ask is not None:
        low, high = min(result.cold_runs) / 1000, max(result.cold_runs) / 1000
        print(
            f"cold `survey-rag ask`: {result.cold_ask / 1000:.2f} s (median of "
            f"{len(result.cold_runs)} runs, {low:.2f}-{high:.2f} s)"
        )
    if getattr(args, "json", False):
        print(json.dumps(result.__dict__))
    return 0
