"""Questions without torch: the ONNX export gives the torch model's vectors, and `ask` uses it."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest

from rag.index.embeddings import (
    embedder_identity,
    get_embedder,
    get_query_embedder,
    onnx_export_file,
)
from rag.index.onnx_minilm import OnnxEmbedder, read_pipeline
from rag.settings import PROJECT_ROOT, Settings
from rag.text.sentences import split_sentences
from tests.conftest import BUNDLED_REPORT

pytestmark = pytest.mark.model


def test_ingest_exports_the_query_model_beside_the_index(indexed_settings: Settings) -> None:
    path = onnx_export_file(indexed_settings)
    assert path.is_file() and path.parent == indexed_settings.data_dir / "models"
    embedder = get_query_embedder(indexed_settings)
    assert isinstance(embedder, OnnxEmbedder)
    # the same model's vectors: an index built with torch is served by ONNX questions
    assert embedder.name == embedder_identity(indexed_settings) == "all-MiniLM-L6-v2"
    assert embedder.dimension == 384


def test_onnx_and_torch_vectors_agree_on_every_sentence_of_the_report(
    indexed_settings: Settings,
) -> None:
    import numpy as np

    text = (BUNDLED_REPORT / "report.txt").read_text(encoding="utf-8")
    sentences = [text[a:b] for a, b in split_sentences(text)]
    assert len(sentences) > 100
    onnx = np.asarray(get_query_embedder(indexed_settings).embed_documents(sentences))
    torch = np.asarray(get_embedder(indexed_settings).embed_documents(sentences))
    cosines = (onnx * torch).sum(axis=1)
    worst = int(cosines.argmin())
    assert cosines[worst] >= 0.999, sentences[worst]
    # one question at a time (no padding) and one longer than the model's 256 tokens
    long = " ".join(sentences[:40])
    for question in [sentences[3], "What share of companies felt understaffed?", long]:
        a = get_query_embedder(indexed_settings).embed_query(question)
        b = get_embedder(indexed_settings).embed_query(question)
        assert float(np.dot(a, b)) >= 0.999


def test_without_an_export_questions_fall_back_to_torch_and_say_so(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    settings = Settings(data_dir=tmp_path / "fresh")
    with caplog.at_level(logging.INFO, logger="rag.index.embeddings"):
        embedder = get_query_embedder(settings)
    assert not isinstance(embedder, OnnxEmbedder)
    assert embedder is get_embedder(settings)
    assert "no ONNX export yet" in caplog.text


def test_the_pipeline_is_read_from_the_model_folder() -> None:
    from rag.index.embeddings import minilm_folder

    pipeline = read_pipeline(minilm_folder())
    assert (pipeline.pooling, pipeline.normalize, pipeline.max_length) == ("mean", True, 256)


def test_ask_answers_without_importing_torch_or_langchain(indexed_settings: Settings) -> None:
    # each of these costs a cold `survey-rag ask` from half a second (LangChain) to five (torch)
    script = (
        "import json, sys\n"
        "from rag.cli import main\n"
        "code = main(['ask', '--json', sys.argv[1]])\n"
        "heavy = sorted(m for m in ('torch', 'sentence_transformers', 'transformers', 'gradio',"
        " 'langchain_core') if m in sys.modules)\n"
        "print(json.dumps({'code': code, 'heavy': heavy}))\n"
    )
    env = {**os.environ, "SURVEY_RAG_DATA_DIR": str(indexed_settings.data_dir)}
    done = subprocess.run(
        [sys.executable, "-c", script, "What share of companies felt understaffed?"],
        capture_output=True,
        text=True,
        env=env,
        cwd=PROJECT_ROOT,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    *answer_lines, last = done.stdout.strip().splitlines()
    assert json.loads(last) == {"code": 0, "heavy": []}
    answer = json.loads("\n".join(answer_lines))
    assert answer["grounded"] and answer["citations"]
