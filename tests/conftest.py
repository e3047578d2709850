"""Shared fixtures: a clean environment for every test, and one real index per session."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from rag.settings import PROJECT_ROOT, Settings

BUNDLED_CORPUS = PROJECT_ROOT / "corpus"
BUNDLED_REPORT = BUNDLED_CORPUS / "aiia-2023"


@pytest.fixture(autouse=True)
def clean_environ(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No test sees the developer's settings, keys or index, and none may reach a hub."""
    for name in list(os.environ):
        if name.startswith("SURVEY_RAG_") or name.endswith("_API_KEY"):
            monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("TRANSFORMERS_OFFLINE", "1")
    monkeypatch.setenv("ANONYMIZED_TELEMETRY", "False")
    monkeypatch.setenv("SURVEY_RAG_DATA_DIR", str(tmp_path / "index"))


@pytest.fixture(scope="session")
def indexed_settings(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    """Settings pointing at a real embedded index of the bundled corpus, built once."""
    from ingest.pipeline import ingest

    os.environ["HF_HUB_OFFLINE"] = "1"
    settings = Settings(data_dir=tmp_path_factory.mktemp("bundled-index"))
    ingest(settings)
    yield settings
