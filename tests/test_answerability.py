"""The answerability decision: its fit keeps each signal's direction, and the shipped fit does."""

from __future__ import annotations

import numpy as np

from evals.calibrate import _signed_logistic, with_saved
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


def test_refitting_one_kind_keeps_the_others_fits() -> None:
    saved = {
        "weights": {"fact": {"fact_dense": 1.0}, "followup": {"sentence_dense": 0.5}},
        "bias": {"fact": -1.0, "followup": 0.0},
        "threshold": {"fact": 0.4, "followup": 0.5},
        "fit": {"fact": {"cases": 10}, "followup": {"cases": 5}},
        "fitted_on": {"fact": ["evals/cases.yaml"], "followup": ["evals/cases.yaml"]},
        "date": {"fact": "2026-12-01", "followup": "2026-12-01"},
    }
    fitted = {
        "weights": {"followup": {"sentence_dense": 2.0}},
        "bias": {"followup": 0.3},
        "threshold": {"followup": 0.6},
        "fit": {"followup": {"cases": 30}},
        "fitted_on": {"followup": ["evals/dialogue_tuning.yaml"]},
        "date": {"followup": "2026-12-02"},
    }
    merged = with_saved(fitted, saved)
    assert merged["threshold"] == {"fact": 0.4, "followup": 0.6}
    assert merged["weights"]["fact"] == {"fact_dense": 1.0}
    assert merged["fitted_on"]["followup"] == ["evals/dialogue_tuning.yaml"]
    assert merged["date"] == {"fact": "2026-12-01", "followup": "2026-12-02"}
