"""The one decision whether the evidence answers a part: a logistic score over named features.

The weights and the threshold are fitted by ``python -m evals.calibrate`` on the tuning sets
(evals/cases.yaml and evals/dev.yaml, never evals/test.yaml), which also saves the precision/
recall curve (rag/answering/data/answerability.png) and the chosen point. No other constant in
the engine decides whether to answer.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from rag.errors import ModelError

DATA = Path(__file__).resolve().parent / "data"
CALIBRATION = DATA / "answerability.json"
FEATURES = (
    "statistic_missing",
    "fact_uncovered",
    "fact_outworded",
    "sentence_uncovered",
    "fact_margin",
    "sentence_margin",
    "fact_dense",
    "fact_lexical",
    "fact_selector",
    "fact_label",
    "measure_missing",
    "sentence_dense",
    "sentence_lexical",
    "sentence_follows",
    "unknown_words",
    "intent_confidence",
    "about_fit",
    "about_dense",
    "about_lexical",
    "about_margin",
    "about_measure_missing",
)
# Each kind of evidence is judged on its own signals (and how much of the question's wording
# the reports know at all): few tuning cases, so no cross-signals to overfit.
KIND_FEATURES = {
    "fact": (
        "fact_dense",
        "fact_lexical",
        "fact_selector",
        "fact_label",
        "fact_margin",
        "fact_uncovered",
        "fact_outworded",
        "statistic_missing",
        "measure_missing",
        "unknown_words",
    ),
    "sentence": (
        "sentence_dense",
        "sentence_lexical",
        "sentence_margin",
        "sentence_uncovered",
        "statistic_missing",
        "unknown_words",
    ),
    # a follow-up's best sentence, and how near it lies to what the answer before rested on
    "followup": (
        "sentence_dense",
        "sentence_lexical",
        "sentence_margin",
        "sentence_uncovered",
        "sentence_follows",
        "statistic_missing",
        "unknown_words",
    ),
    # a sentence or fact stating how the survey was done: near the facet's example statements
    # (rag/answering/data/survey_facets.yaml) and near the question
    "about": (
        "about_fit",
        "about_dense",
        "about_lexical",
        "about_margin",
        "about_measure_missing",
    ),
}


# The way each signal may push the decision, held in the fit: nearer, better-covered evidence
# can only raise the score; a question word no evidence or no report holds can only lower it.
# A free fit on a few hundred questions gives some signals the wrong sign (more unknown words,
# more likely to answer), and a question unlike any tuning case then gets a figure. A
# sentence's margin over the next stays free: a topic told over several sentences has none.
RAISES = frozenset(
    {"fact_dense", "fact_lexical", "fact_selector", "fact_label", "fact_margin"}
    | {"sentence_dense", "sentence_follows"}
    | {"sentence_lexical", "about_fit", "about_dense", "about_lexical", "about_margin"}
)
LOWERS = frozenset(
    {"fact_uncovered", "fact_outworded", "sentence_uncovered", "statistic_missing"}
    | {"unknown_words", "measure_missing", "about_measure_missing"}
)


@dataclass(frozen=True)
class Calibration:
    """Weights per evidence kind ("fact", "sentence"), a bias and the chosen threshold."""

    weights: dict[str, dict[str, float]]
    bias: dict[str, float]
    threshold: dict[str, float]

    def score(self, kind: str, features: dict[str, float]) -> float:
        """The probability that evidence of ``kind`` with these features answers the part."""
        w = self.weights[kind]
        z = self.bias[kind] + sum(w.get(name, 0.0) * features.get(name, 0.0) for name in w)
        return 1.0 / (1.0 + math.exp(-z))

    def answers(self, kind: str, features: dict[str, float]) -> tuple[bool, float]:
        """(whether to answer, the score) for evidence of ``kind``."""
        s = self.score(kind, features)
        return s >= self.threshold[kind], s


@cache
def load_calibration(path: Path = CALIBRATION) -> Calibration:
    """The fitted calibration; ModelError saying how to make it when it is missing."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return Calibration(data["weights"], data["bias"], data["threshold"])
    except (OSError, ValueError, KeyError) as exc:
        raise ModelError(
            f"no answerability calibration at {path} ({exc}): run `python -m evals.calibrate`"
        ) from exc
