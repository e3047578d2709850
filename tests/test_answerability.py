"""The answerability decision: its fit keeps each signal's direction, and the shipped fit does."""

from __future__ import annotations

import numpy as np

from evals.calibrate import _signed_logistic
from rag.answering.answerability import LOWERS, RAISES, load_calibration


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
