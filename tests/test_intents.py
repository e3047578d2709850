"""The question-intent classifier: shipped model in step with its data, accurate, clear errors."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from rag.answering.intents import (
    EXAMPLES_PATH,
    INTENTS,
    MODEL_PATH,
    REPORT_PATH,
    WORD_FEATURES,
    IntentModel,
    examples_sha256,
    load_examples,
    load_intent_model,
)
from rag.errors import CorpusError, ModelError

# under the level the shipped model reaches on its held-out fifth (0.939, see
# intent_report.json). That fifth is drawn again whenever the examples change, so its accuracy
# moves by a few points between fits of like quality (0.892 to 0.939 in the retrains of
# 2026-12-02; cross-validation on the other four fifths gave 0.896 for the shipped fit)
MIN_HELD_OUT_ACCURACY = 0.89
MIN_EXAMPLES_PER_LABEL = 40


def test_the_shipped_model_was_fitted_on_the_shipped_examples() -> None:
    model = load_intent_model()
    assert model.examples_sha256 == examples_sha256(EXAMPLES_PATH)
    assert sorted(model.labels) == sorted(INTENTS)
    assert model.weights.shape == (len(INTENTS), 384 + WORD_FEATURES)
    report = json.loads(REPORT_PATH.read_text(encoding="utf-8"))
    assert report["examples_sha256"] == model.examples_sha256


def test_every_label_has_enough_examples_and_the_report_counts_them() -> None:
    examples = load_examples()
    counts = {label: sum(e.intent == label for e in examples) for label in INTENTS}
    assert min(counts.values()) >= MIN_EXAMPLES_PER_LABEL, counts
    assert len({e.text.lower() for e in examples}) == len(examples), "duplicate questions"
    report = json.loads(REPORT_PATH.read_text(encoding="utf-8"))
    assert {label: row["examples"] for label, row in report["per_label"].items()} == counts


def test_held_out_accuracy_is_at_the_level_we_ship() -> None:
    report = json.loads(REPORT_PATH.read_text(encoding="utf-8"))
    assert report["held_out_accuracy"] >= MIN_HELD_OUT_ACCURACY
    assert f"{report['chosen_C']:g}" in report["cv_curve"]


def test_predict_gives_every_label_with_probabilities_best_first() -> None:
    model = load_intent_model()
    ranked = model.predict(np.full(384, 1 / np.sqrt(384)), "What share of nurses work nights?")
    assert sorted(label for label, _ in ranked) == sorted(INTENTS)
    probs = [p for _, p in ranked]
    assert probs == sorted(probs, reverse=True)
    assert sum(probs) == pytest.approx(1.0, abs=1e-5)
    with pytest.raises(ModelError, match="dimensional"):
        model.predict([0.1, 0.2], "too short a vector")
    # asked again (choosing the report, then reading the question): the same reading, kept
    # per question and vector, and a caller changing its copy changes nothing kept
    ranked.clear()
    again = model.predict(np.full(384, 1 / np.sqrt(384)), "What share of nurses work nights?")
    assert len(again) == len(INTENTS) and [p for _, p in again] == probs
    other = model.predict(np.full(384, -1 / np.sqrt(384)), "What share of nurses work nights?")
    assert [p for _, p in other] != probs


# Written for this test: none of these is in intents.yaml, and none is about the bundled report.
NEW_QUESTIONS = [
    ("What percentage of pharmacists work weekends?", "figure"),
    ("Show how people answered the question on pension contributions, every option.", "breakdown"),
    ("Which lunch option was the least popular with pupils?", "extreme"),
    ("How many times more common is asthma in cities than in villages?", "ratio"),
    ("What share of gardeners do not use pesticides?", "complement"),
    ("Give me a short summary of the main findings.", "overview"),
    ("What do the authors advise local councils to do?", "recommendation"),
    ("Which result did the researchers find most alarming?", "emphasis"),
    ("Who carried out this poll, and how many adults were interviewed?", "about"),
    ("What does the chapter on transport say?", "section"),
    ("Has the share of cyclists gone up since 2019?", "trend"),
]


@pytest.mark.model
@pytest.mark.parametrize(("question", "intent"), NEW_QUESTIONS)
def test_new_questions_get_the_right_intent(question: str, intent: str) -> None:
    from rag.index.embeddings import get_embedder
    from rag.settings import Settings

    vector = get_embedder(Settings()).embed_query(question)
    ranked = load_intent_model().predict(vector, question)
    assert ranked[0][0] == intent, ranked[:3]


def test_a_missing_model_says_how_to_make_one(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match=r"no intent model at .*run python -m evals.train_intents"):
        IntentModel.load(tmp_path / "intent_model.npz", EXAMPLES_PATH)


def test_a_model_fitted_on_other_examples_is_refused(tmp_path: Path) -> None:
    examples = tmp_path / "intents.yaml"
    shutil.copy(EXAMPLES_PATH, examples)
    assert IntentModel.load(MODEL_PATH, examples).labels  # same bytes: accepted
    with examples.open("a", encoding="utf-8") as out:
        out.write('- {text: "How many owls were counted?", intent: figure}\n')
    with pytest.raises(
        ModelError, match=r"fitted on another version .*run python -m evals.train_intents"
    ):
        IntentModel.load(MODEL_PATH, examples)


def test_an_unreadable_model_says_how_to_rebuild_it(tmp_path: Path) -> None:
    broken = tmp_path / "intent_model.npz"
    broken.write_bytes(b"not a numpy archive")
    with pytest.raises(ModelError, match="unreadable .*run python -m evals.train_intents"):
        IntentModel.load(broken, EXAMPLES_PATH)


def test_a_bad_label_in_the_examples_is_named_with_its_line(tmp_path: Path) -> None:
    examples = tmp_path / "intents.yaml"
    examples.write_text(
        '- {text: "How many owls?", intent: figure}\n- {text: "Why owls?", intent: owls}\n',
        encoding="utf-8",
    )
    with pytest.raises(CorpusError, match=r"intents.yaml line 2: intent 'owls' is not one of"):
        load_examples(examples)
    examples.write_text('- {text: "", intent: figure}\n', encoding="utf-8")
    with pytest.raises(CorpusError, match="line 1: an entry needs a non-empty text"):
        load_examples(examples)
