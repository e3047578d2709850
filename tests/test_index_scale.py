"""Many reports: made-up variants that validate, lazy per-report reads, a new report alone.

The small scale benchmark runs here against a real `chroma run` server; its figures are only
printed by `survey-rag bench scale`, never asserted.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from ingest.pipeline import build_fingerprint, ingest, plan_report
from ingest.variants import make_variants
from rag.index.store import open_index, read_pointers
from rag.settings import Settings
from tests.conftest import BUNDLED_REPORT

TINY = (
    "Over 60% of managers liked remote work.Only 12% wanted a full return. The rest did not "
    "say. Most teams met in person once a month."
)


def test_variants_are_valid_reports_with_their_own_figures(tmp_path: Path) -> None:
    original = plan_report(BUNDLED_REPORT, "x")
    folders = make_variants(BUNDLED_REPORT, tmp_path, 3)
    plans = [plan_report(folder, "x") for folder in folders]  # raises on any invalid row

    assert len({p.info.id for p in plans}) == 3
    assert [p.info.id for p in plans] == [f.name for f in folders]
    for plan in plans:
        # at least as many passages as the original, so 100 variants hold >= 10,000 chunks
        assert len(plan.chunks) >= len(original.chunks)
        hand = [f for f in plan.facts if f.origin == "table"]
        assert len(hand) == len([f for f in original.facts if f.origin == "table"])
        text = (plan.folder / "report.txt").read_text(encoding="utf-8")
        for fact in plan.facts:  # every fact's figure is in its sentence of the variant text
            assert text[fact.start : fact.end] == fact.source
    changed = [
        (a.row, a.value, b.value)
        for a, b in zip(
            [f for f in original.facts if f.origin == "table"],
            [f for f in plans[0].facts if f.origin == "table"],
            strict=True,
        )
        if a.value != b.value
    ]
    assert len(changed) >= 10
    # the topics moved
    titles = [[s.title for s in p.sections] for p in (original, *plans)]
    assert len({tuple(t) for t in titles}) > 1


@pytest.mark.model
def test_a_new_report_is_embedded_alone_and_read_only_when_asked(
    indexed_settings: Settings, tmp_path: Path
) -> None:
    data_dir = tmp_path / "index"
    shutil.copytree(indexed_settings.data_dir, data_dir)
    corpus = tmp_path / "corpus"
    shutil.copytree(BUNDLED_REPORT, corpus / BUNDLED_REPORT.name)
    settings = Settings(data_dir=data_dir, corpus_dir=corpus)
    ingest(settings)  # the copied folder has a new path: rebuilt from the copied vectors
    before = read_pointers(open_index(settings)._client)  # type: ignore[arg-type]
    assert ingest(settings).skipped
    tiny = corpus / "remote-work"
    tiny.mkdir()
    (tiny / "report.txt").write_text(TINY, encoding="utf-8")
    plan = plan_report(tiny, build_fingerprint(settings, tiny))

    summary = ingest(settings)

    from ingest.facts import question_form

    texts = {c.text for c in plan.chunks} | {s.text for s in plan.sentences}
    texts |= {f.text for f in plan.facts} | {question_form(f) for f in plan.facts}
    assert summary.embedded == len(texts) and summary.reused == 0
    reader = open_index(settings)
    after = read_pointers(reader._client)  # type: ignore[arg-type]
    assert after[BUNDLED_REPORT.name] == before[BUNDLED_REPORT.name]  # same build, untouched
    assert reader.loaded() == []  # opening reads pointers only
    data = reader.report_data("remote-work")
    assert reader.loaded() == ["remote-work"]
    assert [c.text for c in data.chunks] == [c.text for c in plan.chunks]
    assert data.sentence_vectors.shape == (len(plan.sentences), 384)
    # a search across reports names records of both; get() reads the other report on demand
    from rag.index.embeddings import get_query_embedder

    vector = get_query_embedder(settings).embed_query("Who wanted a full return to the office?")
    hits = reader.query(vector, 200)
    assert {reader.get(rid).report for rid, _ in hits} == {"remote-work", BUNDLED_REPORT.name}
    assert sorted(reader.loaded()) == sorted(["remote-work", BUNDLED_REPORT.name])
    only = reader.query(vector, 5, report="remote-work")
    assert only and all(reader.get(rid).report == "remote-work" for rid, _ in only)


@pytest.mark.server
@pytest.mark.model
def test_the_scale_benchmark_runs_on_a_real_server(tmp_path: Path) -> None:
    from ingest.bench_scale import bench_scale, format_result

    result = bench_scale(5, 5, tmp_path, floor_sample=1)

    ingest_figures = result["ingest"]
    assert ingest_figures["reports"] == 5 and ingest_figures["chunks"] >= 500
    for mode in ("one report", "all reports"):
        assert result[mode]["errors"] == 0
        assert result[mode]["torch"] is False  # answers embed questions without torch
    printed = format_result(result)
    assert re.search(r"ingest: [\d.]+ s, [\d.]+ chunks/s; floor", printed)
    assert "one report" in printed and "all reports" in printed
