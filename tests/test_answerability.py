"""The answerability decision: its fit keeps each signal's direction, and the shipped fit does."""

from __future__ import annotations

import numpy as np
import pytest

from evals.calibrate import _signed_logistic
from rag.answering.answerability import LOWERS, RAISES, load_calibration
from rag.answering.knowledge import Scored
from rag.answering.plan import _measure_missing
from rag.types import Fact


def test_a_signal_whose_data_points_the_wrong_way_gets_no_weight() -> None:
    # the second signal rises with the answer in this sample, but is declared one that lowers it
    rng = np.random.default_rng(0)
    y = np.array([0, 1] * 40)
    z = np.column_stack([y + rng.normal(0, 0.5, y.size), y + rng.normal(0, 0.5, y.size)])
    free, _ = _signed_logistic(z, y, [1, 0])
    held, _ = _signed_logistic(z, y, [1, -1])
    assert free[1] > 0.1
    assert held[1] == 0.0 and held[0] > 0


def test_the_shipped_calibration_keeps_every_signals_direction() -> None:
    weights = load_calibration().weights
    for kind in weights.values():
        for name, w in kind.items():
            assert not (name in RAISES and w < 0), name
            assert not (name in LOWERS and w > 0), name


def _scored(unit: str) -> Scored:
    fact = Fact("f", "r", "t", "How often?", "weekly", 42.0, unit, "exact", "Use", "", "", 0, 1)
    return Scored(fact, 0.8, 0.5)


@pytest.mark.parametrize(
    ("question", "unit", "missing"),
    [
        ("How many hours a week do respondents spend coding?", "%", 1.0),
        ("How many hours a week do respondents spend coding?", "hours", 0.0),
        ("How long did it take to reach a million users?", "%", 1.0),
        ("How long did it take to reach a million users?", "days", 0.0),
        ("What is the average number of employees?", "%", 1.0),
        # a count of people is answered by a share of them
        ("How many respondents use the tool weekly?", "%", 0.0),
        ("What share use the tool weekly?", "%", 0.0),
    ],
)
def test_a_question_that_counts_a_measure_is_not_answered_by_another_kind_of_figure(
    question: str, unit: str, missing: float
) -> None:
    assert _measure_missing(question, _scored(unit)) == missing
