"""Fit the question-intent classifier: ``python -m evals.train_intents``.

Embeds every labelled question of ``rag/answering/data/intents.yaml`` with the project's
embedder, holds out a stratified 20%, picks the regularisation C by cross-validation on the
rest, reports held-out accuracy and the confusions, then refits on everything and saves the
weights (``intent_model.npz``) and the figures (``intent_report.json``) beside the data.
Needs scikit-learn (the ``dev`` extras); the runtime reads the weights with numpy alone.
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from rag.answering.intents import (
    EXAMPLES_PATH,
    INTENTS,
    MODEL_PATH,
    REPORT_PATH,
    IntentModel,
    examples_sha256,
    features,
    load_examples,
)
from rag.settings import Settings

SEED = 20261201
HELD_OUT = 0.2
FOLDS = 5
C_GRID = (1.0, 10.0, 100.0, 1000.0)


def _classifier(c: float) -> Any:
    from sklearn.linear_model import LogisticRegression

    # lbfgs fits the multinomial (softmax) model for several classes, which is what
    # IntentModel.predict applies; scikit-learn >= 1.5 deprecates spelling it out
    return LogisticRegression(C=c, max_iter=5000)


def cv_curve(x: np.ndarray, y: np.ndarray) -> dict[float, float]:
    """Mean cross-validated accuracy for each C of the grid, on the training part only."""
    from sklearn.model_selection import StratifiedKFold, cross_val_score

    folds = StratifiedKFold(n_splits=FOLDS, shuffle=True, random_state=SEED)
    return {c: float(cross_val_score(_classifier(c), x, y, cv=folds).mean()) for c in C_GRID}


def confusions(truth: np.ndarray, predicted: np.ndarray) -> dict[str, dict[str, int]]:
    """For each true label, how often it was mistaken for which other label."""
    mistakes: dict[str, Counter[str]] = {label: Counter() for label in INTENTS}
    for t, p in zip(truth, predicted, strict=True):
        if t != p:
            mistakes[str(t)][str(p)] += 1
    return {label: dict(c.most_common()) for label, c in mistakes.items() if c}


def train(
    examples_path: Path = EXAMPLES_PATH,
    model_path: Path = MODEL_PATH,
    report_path: Path = REPORT_PATH,
    settings: Settings | None = None,
) -> dict[str, Any]:
    """Fit, evaluate and save the intent model; returns the report it writes."""
    from sklearn.metrics import accuracy_score, precision_recall_fscore_support
    from sklearn.model_selection import train_test_split

    from rag.index.embeddings import get_embedder

    settings = settings or Settings()
    digest = examples_sha256(examples_path)
    examples = load_examples(examples_path)
    texts = [e.text for e in examples]
    y = np.array([e.intent for e in examples])
    counts = Counter(y.tolist())
    print(f"{len(examples)} labelled questions in {examples_path}")

    embedder = get_embedder(settings)
    vectors = np.asarray(embedder.embed_documents(texts), dtype=np.float32)
    x = np.stack([features(v, t) for v, t in zip(vectors, texts, strict=True)])

    train_rows, test_rows = train_test_split(
        np.arange(len(y)), test_size=HELD_OUT, stratify=y, random_state=SEED
    )
    x_train, y_train, x_test, y_test = x[train_rows], y[train_rows], x[test_rows], y[test_rows]
    curve = cv_curve(x_train, y_train)
    # the smallest C within a hair of the best: the simpler model when the fit is a tie
    best = max(curve.values())
    chosen = min(c for c, acc in curve.items() if acc >= best - 1e-9)
    print(f"\n{FOLDS}-fold cross-validation on {len(y_train)} training questions:")
    for c, acc in curve.items():
        print(f"  C={c:<6g} accuracy {acc:.3f}{'  <- chosen' if c == chosen else ''}")

    held = _classifier(chosen).fit(x_train, y_train)
    predicted = held.predict(x_test)
    accuracy = float(accuracy_score(y_test, predicted))
    precision, recall, _, support = precision_recall_fscore_support(
        y_test, predicted, labels=list(INTENTS), zero_division=0
    )
    per_label = {
        label: {
            "precision": round(float(precision[i]), 3),
            "recall": round(float(recall[i]), 3),
            "held_out": int(support[i]),
            "examples": counts[label],
        }
        for i, label in enumerate(INTENTS)
    }
    mistaken = confusions(y_test, predicted)
    print(f"\nheld-out accuracy {accuracy:.3f} on {len(y_test)} questions (C={chosen:g})")
    print(f"{'label':<15} {'prec':>5} {'recall':>6} {'n':>4}  mistaken for")
    for label, row in per_label.items():
        wrong = ", ".join(f"{p} x{n}" for p, n in mistaken.get(label, {}).items())
        print(
            f"{label:<15} {row['precision']:>5.2f} {row['recall']:>6.2f} "
            f"{row['examples']:>4}  {wrong}"
        )
    misread = [
        f"  {text!r}: {truth} read as {guess}"
        for text, truth, guess in zip([texts[i] for i in test_rows], y_test, predicted, strict=True)
        if truth != guess
    ]
    if misread:
        print("\nmisread held-out questions:\n" + "\n".join(misread))

    final = _classifier(chosen).fit(x, y)
    labels = [str(label) for label in final.classes_]
    model_path.parent.mkdir(parents=True, exist_ok=True)
    with model_path.open("wb") as out:
        np.savez(
            out,
            W=final.coef_.astype(np.float32),
            b=final.intercept_.astype(np.float32),
            labels=np.array(labels),
            sha256=np.array(digest),
        )
    # the saved weights must give what scikit-learn gives, or the runtime would drift
    saved = IntentModel.load(model_path, examples_path)
    agree = np.mean(
        [
            saved.predict(v, t)[0][0] == p
            for v, t, p in zip(vectors, texts, final.predict(x), strict=True)
        ]
    )
    if agree < 1.0:
        raise SystemExit(f"saved model disagrees with scikit-learn on {1 - agree:.1%} of examples")

    report = {
        "held_out_accuracy": round(accuracy, 4),
        "held_out": len(y_test),
        "train": len(y_train),
        "chosen_C": chosen,
        "cv_curve": {f"{c:g}": round(acc, 4) for c, acc in curve.items()},
        "per_label": per_label,
        "confusions": mistaken,
        "examples": len(examples),
        "examples_sha256": digest,
        "embedder": embedder.name,
        "seed": SEED,
        "date": datetime.now(UTC).date().isoformat(),
    }
    report_path.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(f"\nwrote {model_path} and {report_path}")
    return report


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(
        prog="python -m evals.train_intents",
        description="Fit the question-intent classifier on rag/answering/data/intents.yaml.",
    )
    parser.parse_args(argv)
    train()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
