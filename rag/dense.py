"""Sentence-level dense similarity: how close each report sentence is to a question in meaning.

The index holds one vector per ~400-character chunk, which blurs a one-sentence answer into
its neighbours ("Where were the firms headquartered?" scores the regions sentence's chunk no
higher than the ones around it). A vector per report sentence lets a paraphrase find the
sentence it paraphrases. The vectors are computed once per corpus and embedding model and
kept on disk next to the index, so only the first start pays for them.
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rag.evidence import Sentence

SentenceKey = tuple[str, int]  # (report id, start offset): a sentence's identity


def key_of(sentence: Sentence) -> SentenceKey:
    """The identity of a report sentence in a similarity map."""
    return sentence.report, sentence.start


@dataclass(frozen=True)
class SentenceVectors:
    """One normalised vector per report sentence, and the question embedder that matches them."""

    keys: tuple[SentenceKey, ...]
    matrix: Any  # numpy array, one row per key
    embed_query: Callable[[str], list[float]]

    def similarities(self, question: str) -> dict[SentenceKey, float]:
        """Cosine similarity of ``question`` to every report sentence."""
        import numpy as np

        if not self.keys:
            return {}
        vector = np.asarray(self.embed_query(question), dtype=np.float32)
        if self.matrix.shape[1] != vector.shape[0]:
            return {}  # vectors of another model: no meaning signal rather than a wrong one
        sims = self.matrix @ vector
        return {k: float(s) for k, s in zip(self.keys, sims, strict=True)}


_MEMO: dict[str, Any] = {}
_LOCK = threading.Lock()


def _digest(model: str, sentences: Sequence[Sentence]) -> str:
    h = hashlib.sha256(model.encode())
    for s in sentences:
        h.update(f"\x00{s.report}\x00{s.start}\x00{s.text}".encode())
    return h.hexdigest()[:20]


def sentence_vectors(
    sentences: Sequence[Sentence],
    model: str,
    embed_documents: Callable[[Sequence[str]], list[list[float]]],
    embed_query: Callable[[str], list[float]],
    cache_dir: Path | None = None,
) -> SentenceVectors:
    """The vectors of ``sentences``: from memory, from ``cache_dir``, or computed (and saved)."""
    import numpy as np

    digest = _digest(model, sentences)
    keys = tuple(key_of(s) for s in sentences)
    with _LOCK:
        matrix = _MEMO.get(digest)
    path = cache_dir / f"sentences-{digest}.npy" if cache_dir is not None else None
    if matrix is None and path is not None and path.is_file():
        try:
            loaded = np.load(path)
            if loaded.shape[0] == len(keys):
                matrix = loaded
        except (OSError, ValueError):
            matrix = None  # a damaged cache is rebuilt below
    if matrix is None:
        vectors = embed_documents([s.text for s in sentences]) if sentences else []
        matrix = np.asarray(vectors, dtype=np.float32).reshape(len(keys), -1)
        if path is not None:
            _save(path, matrix)
    with _LOCK:
        _MEMO[digest] = matrix
    return SentenceVectors(keys, matrix, embed_query)


def _save(path: Path, matrix: Any) -> None:
    """Write the cache atomically; a read-only data folder just means no cache."""
    import numpy as np

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.{threading.get_ident()}.tmp")
        with tmp.open("wb") as fh:
            np.save(fh, matrix)
        tmp.replace(path)
    except OSError:
        pass
