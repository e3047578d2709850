"""What a question asks for (a figure, a breakdown, a comparison...), learned from examples.

The labelled questions live in ``data/intents.yaml``; ``python -m evals.train_intents`` fits a
logistic regression over their MiniLM embeddings and saves its weights to
``data/intent_model.npz``. Here the weights are applied with numpy alone, so answering never
needs scikit-learn. A model fitted on another version of the examples is refused.
"""

from __future__ import annotations

import hashlib
import threading
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import numpy as np

from rag.errors import CorpusError, ModelError

DATA_DIR = Path(__file__).resolve().parent / "data"
EXAMPLES_PATH = DATA_DIR / "intents.yaml"
MODEL_PATH = DATA_DIR / "intent_model.npz"
REPORT_PATH = DATA_DIR / "intent_report.json"
RETRAIN = "run python -m evals.train_intents"
# The meaning of a question is in its MiniLM vector; what it asks to *do* often sits in small
# words a sentence vector blurs ("combined", "gap", "for every", "among those"). So the model
# reads both: the vector, and the question's words and word pairs hashed into a fixed space.
WORD_FEATURES = 2048


def word_features(text: str) -> np.ndarray:
    """The question's words and word pairs, hashed, as one L2-normalised vector."""
    from rag.text.tokens import tokenize

    tokens = tokenize(text, keep_stopwords=True)
    grams = [f"w:{t}" for t in tokens] + [
        f"b:{a} {b}" for a, b in zip(tokens, tokens[1:], strict=False)
    ]
    if tokens:
        grams.append(f"first:{tokens[0]}")
    x = np.zeros(WORD_FEATURES, dtype=np.float32)
    for g in grams:
        x[zlib.crc32(g.encode("utf-8")) % WORD_FEATURES] = 1.0
    norm = float(np.linalg.norm(x))
    return x / norm if norm else x


def features(vector: Sequence[float] | np.ndarray, text: str) -> np.ndarray:
    """What the classifier reads: the question's vector, then its hashed words."""
    return np.concatenate([np.asarray(vector, dtype=np.float32), word_features(text)])


INTENTS: tuple[str, ...] = (
    "figure",
    "breakdown",
    "compare",
    "extreme",
    "sum",
    "difference",
    "complement",
    "ratio",
    "share_of_share",
    "overview",
    "conclusion",
    "recommendation",
    "emphasis",
    "about",
    "section",
    "describe",
    "trend",
)


@dataclass(frozen=True)
class IntentExample:
    """One labelled question of the training set, with its line in the data file."""

    text: str
    intent: str
    line: int


def examples_sha256(path: Path = EXAMPLES_PATH) -> str:
    """The sha256 of the examples file, which ties a fitted model to the data it saw."""
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError as exc:
        raise ModelError(f"cannot read the intent examples {path}: {exc.strerror}") from exc


def load_examples(path: Path = EXAMPLES_PATH) -> list[IntentExample]:
    """The labelled questions of ``path``; a malformed entry is named by file and line."""
    import yaml

    try:
        root = yaml.compose(path.read_text(encoding="utf-8"), Loader=yaml.SafeLoader)
    except OSError as exc:
        raise CorpusError(path, f"cannot read the intent examples: {exc.strerror}") from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        raise CorpusError(path, f"not valid YAML: {exc}", line) from exc
    if not isinstance(root, yaml.SequenceNode):
        raise CorpusError(path, "expected a list of {text: ..., intent: ...} entries")
    examples = []
    for node in root.value:
        line = node.start_mark.line + 1
        fields = (
            {k.value: v.value for k, v in node.value if isinstance(v, yaml.ScalarNode)}
            if isinstance(node, yaml.MappingNode)
            else {}
        )
        text, intent = str(fields.get("text", "")).strip(), fields.get("intent")
        if not text:
            raise CorpusError(path, "an entry needs a non-empty text", line)
        if intent not in INTENTS:
            known = ", ".join(INTENTS)
            raise CorpusError(path, f"intent {intent!r} is not one of {known}", line)
        examples.append(IntentExample(text, intent, line))
    if not examples:
        raise CorpusError(path, "no labelled questions")
    return examples


_LOCK = threading.Lock()
_PREDICTED = 512  # questions whose intents are kept (a conversation's turns, a few users')


@dataclass(frozen=True, eq=False)
class IntentModel:
    """A fitted softmax classifier over normalised question embeddings."""

    labels: tuple[str, ...]
    weights: np.ndarray  # [labels x dimension]
    bias: np.ndarray  # [labels]
    examples_sha256: str
    _predicted: dict[tuple[str, bytes], tuple[tuple[str, float], ...]] = field(
        default_factory=dict, repr=False
    )

    @classmethod
    def load(cls, path: Path = MODEL_PATH, examples: Path = EXAMPLES_PATH) -> IntentModel:
        """The model saved at ``path``, refused unless it was fitted on ``examples`` as they are."""
        if not path.is_file():
            raise ModelError(f"no intent model at {path}: {RETRAIN}")
        try:
            with np.load(path, allow_pickle=False) as saved:
                model = cls(
                    labels=tuple(str(label) for label in saved["labels"]),
                    weights=saved["W"].astype(np.float32),
                    bias=saved["b"].astype(np.float32),
                    examples_sha256=str(saved["sha256"]),
                )
        except (OSError, KeyError, ValueError) as exc:
            raise ModelError(f"the intent model {path} is unreadable ({exc}): {RETRAIN}") from exc
        rows = len(model.labels)
        if model.weights.ndim != 2 or model.weights.shape[0] != rows or model.bias.shape != (rows,):
            raise ModelError(f"the intent model {path} has mismatched shapes: {RETRAIN}")
        if model.examples_sha256 != examples_sha256(examples):
            raise ModelError(
                f"the intent model {path} was fitted on another version of {examples}: {RETRAIN}"
            )
        return model

    @property
    def dimension(self) -> int:
        """The length of the vectors the model reads."""
        return int(self.weights.shape[1])

    def predict(self, vector: Sequence[float] | np.ndarray, text: str) -> list[tuple[str, float]]:
        """Every label with its probability for the question, most likely first. Kept per
        question: choosing the report and reading the question both ask it."""
        key = (text, np.asarray(vector, dtype=np.float32).tobytes())
        found = self._predicted.get(key)
        if found is None:
            found = self._predict(vector, text)
            with _LOCK:
                self._predicted[key] = found
                while len(self._predicted) > _PREDICTED:
                    self._predicted.pop(next(iter(self._predicted)))
        return list(found)

    def _predict(
        self, vector: Sequence[float] | np.ndarray, text: str
    ) -> tuple[tuple[str, float], ...]:
        x = features(vector, text)
        if x.shape != (self.dimension,):
            raise ModelError(
                f"the intent model reads {self.dimension}-dimensional vectors, got shape "
                f"{x.shape}: embed the question with the model it was trained with"
            )
        logits = self.weights @ x + self.bias
        probs = np.exp(logits - logits.max())
        probs /= probs.sum()
        order = np.argsort(-probs, kind="stable")
        return tuple((self.labels[i], float(probs[i])) for i in order)


@cache
def load_intent_model(path: Path = MODEL_PATH, examples: Path = EXAMPLES_PATH) -> IntentModel:
    """The shipped intent model, loaded once per process."""
    return IntentModel.load(path, examples)
