"""What every embedder shares: documents in one call, questions through a small LRU cache."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence
from typing import Any


class CachedQueries:
    """Mixin for an embedder with an ``_encode(texts) -> numpy array`` of normalised rows.

    Recent questions are served from a cache (the UI and the evals repeat them); the lock also
    keeps two threads from oversubscribing the two cores in ``_encode``.
    """

    def _init_cache(self, size: int) -> None:
        self._lock = threading.Lock()
        self._queries: OrderedDict[str, tuple[float, ...]] = OrderedDict()
        self._query_cache_size = size

    def _encode(self, texts: list[str]) -> Any:
        raise NotImplementedError

    def embed_documents(self, texts: Sequence[str]) -> list[list[float]]:
        """One normalised vector per text, in order."""
        if not texts:
            return []
        return self._encode(list(texts)).tolist()  # type: ignore[no-any-return]

    def embed_query(self, text: str) -> list[float]:
        """The normalised vector of a question; recent questions are served from a cache."""
        with self._lock:
            cached = self._queries.get(text)
            if cached is not None:
                self._queries.move_to_end(text)
                return list(cached)
        vector = self._encode([text])[0].tolist()
        with self._lock:
            self._queries[text] = tuple(vector)
            if len(self._queries) > self._query_cache_size:
                self._queries.popitem(last=False)
        return list(vector)
