"""`survey-rag bench query` measures what it says it measures."""

from __future__ import annotations

import pytest

from rag.bench import benchmark_questions, measure, percentile
from rag.settings import Settings


def test_percentile_is_nearest_rank() -> None:
    assert percentile([5.0, 1.0, 3.0, 2.0, 4.0], 50) == 3.0
    assert percentile(list(map(float, range(1, 101))), 95) == 95.0


@pytest.mark.model
def test_bench_runs_warm_and_floor(indexed_settings: Settings) -> None:
    result = measure(indexed_settings, rounds=1, cold=False)
    questions = benchmark_questions()
    assert result.questions == len(questions) == len(set(questions)) == 100
    assert 0 < result.floor_p50 and 0 < result.p50 <= result.p95
    assert result.ratio == pytest.approx(result.p50 / result.floor_p50)
