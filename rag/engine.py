"""Placeholder until the answer engine lands (issue 3)."""

from __future__ import annotations

from rag.types import Answer


def answer(question: str, history: list[dict[str, str]] | None = None) -> Answer:
    raise NotImplementedError
