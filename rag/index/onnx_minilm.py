"""The query embedder without torch: the same MiniLM weights as an ONNX graph run by onnxruntime.

``survey-rag ask`` embeds one question; importing torch for that costs ~5 s of a cold start.
Ingest loads torch anyway, so it exports the model folder's transformer to ONNX once
(:func:`ensure_onnx_export`, torch's TorchScript exporter, offline), next to the index under
``<data dir>/models/``. Queries then run that graph through onnxruntime (a chromadb dependency),
tokenise with the folder's ``tokenizer.json`` (the ``tokenizers`` library, no torch) and pool
and normalise as the folder's sentence-transformers modules say. Nothing is ever downloaded.
"""

from __future__ import annotations

import json
import os
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rag.errors import ModelError
from rag.index.query_cache import CachedQueries

EXPORT_VERSION = 2  # bump when the exported graph changes: it is part of the file name
OPSET = 17
_INPUTS = ("input_ids", "attention_mask", "token_type_ids")
_TRANSFORMER = "sentence_transformers.models.Transformer"
_POOLING = "sentence_transformers.models.Pooling"
_NORMALIZE = "sentence_transformers.models.Normalize"


@dataclass(frozen=True)
class Pipeline:
    """What sentence-transformers does around the transformer, read from the model folder."""

    transformer: Path  # the folder holding config.json, the weights and tokenizer.json
    pooling: str  # "mean" or "cls"
    normalize: bool
    max_length: int


def read_pipeline(folder: Path) -> Pipeline:
    """The folder's module list as a Pipeline; ModelError if it is not one we can reproduce."""
    modules_file = folder / "modules.json"
    if not modules_file.is_file():
        raise ModelError(f"{folder} has no modules.json: not a sentence-transformers folder")
    modules = json.loads(modules_file.read_text())
    types = [m.get("type", "") for m in modules]
    if not types or types[0] != _TRANSFORMER or not set(types[1:]) <= {_POOLING, _NORMALIZE}:
        raise ModelError(f"{modules_file}: modules {types} are not transformer + pooling")
    transformer = folder / (modules[0].get("path") or "")
    pooling = "mean"
    for module in modules:
        if module.get("type") == _POOLING:
            config = json.loads((folder / module["path"] / "config.json").read_text())
            modes = [k for k, v in config.items() if k.startswith("pooling_mode_") and v]
            pooling = {
                "pooling_mode_mean_tokens": "mean",
                "pooling_mode_cls_token": "cls",
            }.get(modes[0] if len(modes) == 1 else "", "")
            if not pooling:
                raise ModelError(f"{folder / module['path']}: pooling {modes} is not supported")
    max_length = 512
    bert_config = transformer / "sentence_bert_config.json"
    if bert_config.is_file():
        max_length = int(json.loads(bert_config.read_text()).get("max_seq_length") or 512)
    if not (transformer / "tokenizer.json").is_file():
        raise ModelError(f"{transformer} has no tokenizer.json: the fast tokenizer is needed")
    return Pipeline(transformer, pooling, _NORMALIZE in types, max_length)


def _weights(folder: Path) -> Path:
    for name in ("model.safetensors", "pytorch_model.bin"):
        if (folder / name).is_file():
            return folder / name
    raise ModelError(f"{folder} holds no model.safetensors or pytorch_model.bin")


def export_path(models_dir: Path, folder: Path, name: str) -> Path:
    """Where the ONNX export of ``folder`` lives: named by the weights file's size and mtime.

    A stat, not a hash of the 90 MB weights, so a cold ``ask`` finds it in microseconds; a
    reinstalled model gets a new file name and so a new export.
    """
    import hashlib

    pipeline = read_pipeline(folder)
    weights = _weights(pipeline.transformer)
    stat = weights.stat()
    key = f"{weights.resolve()}|{stat.st_size}|{stat.st_mtime_ns}|{EXPORT_VERSION}|{OPSET}"
    safe = "".join(ch if ch.isalnum() or ch in "-_." else "-" for ch in name)[-60:]
    return models_dir / f"{safe}-{hashlib.sha256(key.encode()).hexdigest()[:12]}.onnx"


def ensure_onnx_export(models_dir: Path, folder: Path, name: str) -> Path:
    """Export ``folder``'s transformer to ONNX under ``models_dir`` unless already there.

    Loads torch (so call it where torch is loaded anyway, e.g. in ingest). The file appears
    atomically, so a reader never sees half an export.
    """
    target = export_path(models_dir, folder, name)
    if target.is_file():
        return target
    pipeline = read_pipeline(folder)
    models_dir.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.{os.getpid()}.partial")
    raw = target.with_name(f".{target.name}.{os.getpid()}.raw")
    try:
        _export(pipeline, raw)
        _optimise(raw, partial)
        os.replace(partial, target)
        # exports of older weights or an older exporter: each is 90 MB nobody reads any more
        for stale in models_dir.glob(f"{target.name.rsplit('-', 1)[0]}-*.onnx"):
            if stale != target:
                stale.unlink(missing_ok=True)
    except ModelError:
        raise
    except Exception as exc:  # an exporter failure is one line to the user
        raise ModelError(f"cannot export {folder} to ONNX at {target}: {exc}") from exc
    finally:
        partial.unlink(missing_ok=True)
        raw.unlink(missing_ok=True)
    return target


def _optimise(source: Path, dest: Path) -> None:
    """Save onnxruntime's graph optimisations once, so a cold question skips them (~0.2 s)."""
    import onnxruntime

    options = onnxruntime.SessionOptions()
    # "extended", not "all": the saved graph then holds no layout tied to this CPU
    options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_EXTENDED
    options.optimized_model_filepath = str(dest)
    options.log_severity_level = 3
    onnxruntime.InferenceSession(str(source), options, providers=["CPUExecutionProvider"])


def _export(pipeline: Pipeline, dest: Path) -> None:
    import torch
    from transformers import AutoModel
    from transformers.utils import logging as hf_logging

    bars = hf_logging.is_progress_bar_enabled()
    hf_logging.disable_progress_bar()  # stderr is for one-line messages
    try:
        model = AutoModel.from_pretrained(str(pipeline.transformer), local_files_only=True)
    finally:
        if bars:
            hf_logging.enable_progress_bar()
    model.eval()

    class LastHidden(torch.nn.Module):
        def __init__(self, inner: Any) -> None:
            super().__init__()
            self.inner = inner

        def forward(self, input_ids: Any, attention_mask: Any, token_type_ids: Any) -> Any:
            return self.inner(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            ).last_hidden_state

    sample = torch.ones((2, 8), dtype=torch.int64)
    axes = {0: "batch", 1: "tokens"}
    with torch.no_grad(), warnings.catch_warnings():
        # the tracer's notes on constant-folded Python branches; the agreement test checks
        # the graph against the torch model on every sentence of a report
        warnings.simplefilter("ignore")
        # the TorchScript exporter: torch 2.13's default (dynamo) one needs onnxscript, which
        # we do not install, and gains nothing for a plain BERT
        torch.onnx.export(
            LastHidden(model),
            (sample, sample, torch.zeros_like(sample)),
            str(dest),
            input_names=list(_INPUTS),
            output_names=["last_hidden_state"],
            dynamic_axes={**{n: axes for n in _INPUTS}, "last_hidden_state": axes},
            opset_version=OPSET,
            dynamo=False,
        )


class OnnxEmbedder(CachedQueries):
    """A sentence-transformers model run as ONNX on the CPU; same vectors, no torch."""

    def __init__(
        self, folder: Path, onnx_file: Path, name: str, query_cache_size: int = 256
    ) -> None:
        import onnxruntime
        from tokenizers import Tokenizer

        self.name = name
        self.folder = folder
        self._pipeline = read_pipeline(folder)
        tokenizer = Tokenizer.from_file(str(self._pipeline.transformer / "tokenizer.json"))
        tokenizer.enable_truncation(self._pipeline.max_length)
        tokenizer.enable_padding()
        self._tokenizer = tokenizer
        options = onnxruntime.SessionOptions()
        options.log_severity_level = 3  # no warnings about unused initialisers on stderr
        # the export was optimised once when it was made (_optimise)
        options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_DISABLE_ALL
        try:
            self._session = onnxruntime.InferenceSession(
                str(onnx_file), options, providers=["CPUExecutionProvider"]
            )
        except Exception as exc:
            raise ModelError(
                f"cannot load the ONNX model {onnx_file}: {exc}; delete it and run "
                "'survey-rag ingest' to export it again"
            ) from exc
        self._inputs = {i.name for i in self._session.get_inputs()}
        self.dimension = int(self._session.get_outputs()[0].shape[-1])
        self._init_cache(query_cache_size)

    def _encode(self, texts: list[str]) -> Any:
        import numpy as np

        encodings = self._tokenizer.encode_batch(texts)
        ids = np.asarray([e.ids for e in encodings], dtype=np.int64)
        mask = np.asarray([e.attention_mask for e in encodings], dtype=np.int64)
        feed = {
            "input_ids": ids,
            "attention_mask": mask,
            "token_type_ids": np.asarray([e.type_ids for e in encodings], dtype=np.int64),
        }
        try:
            (hidden,) = self._session.run(
                None, {k: v for k, v in feed.items() if k in self._inputs}
            )
        except Exception as exc:  # any model failure reaches the user as one line
            raise ModelError(f"the embedding model {self.name} (ONNX) failed: {exc}") from exc
        if self._pipeline.pooling == "cls":
            pooled = hidden[:, 0]
        else:
            weights = mask[:, :, None].astype(hidden.dtype)
            pooled = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
        # sentence-transformers normalises in its Normalize module, and we always ask it to
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        return (pooled / np.clip(norms, 1e-12, None)).astype(np.float32)
