"""Many reports: made-up variants that validate, lazy per-report reads, a new report alone.

The small scale benchmark runs here against a real `chroma run` server; its figures are only
printed by `survey-rag bench scale`, never asserted.
"""

from __future__ import annotations

import re
import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from ingest.pipeline import build_fingerprint, ingest, plan_report
from ingest.variants import make_variants
from rag.index.store import (
    create_build,
    drop_collections,
    open_client,
    open_index,
    read_pointers,
    search_collection,
    share_build,
    write_pointer,
)
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


@pytest.fixture
def two_reports(indexed_settings: Settings, tmp_path: Path) -> Settings:
    """A copy of the session index plus a tiny second report."""
    data_dir = tmp_path / "index"
    shutil.copytree(indexed_settings.data_dir, data_dir)
    corpus = tmp_path / "corpus"
    shutil.copytree(BUNDLED_REPORT, corpus / BUNDLED_REPORT.name)
    (corpus / "remote-work").mkdir()
    (corpus / "remote-work" / "report.txt").write_text(TINY, encoding="utf-8")
    settings = Settings(data_dir=data_dir, corpus_dir=corpus)
    ingest(settings)
    return settings


def _best(settings: Settings, question: str, k: int, report: str | None = None) -> list[str]:
    from rag.index.embeddings import get_query_embedder

    vector = get_query_embedder(settings).embed_query(question)
    return [rid for rid, _ in open_index(settings).query(vector, k, report=report)]


QUESTIONS = ("Who wanted a full return to the office?", "What share felt understaffed?")


def _per_report(settings: Settings, question: str, k: int) -> list[str]:
    """The best ``k`` of each report's own search, merged: what one search must find."""
    from rag.index.embeddings import get_query_embedder

    reader = open_index(settings)
    vector = get_query_embedder(settings).embed_query(question)
    hits = [h for r in ("remote-work", BUNDLED_REPORT.name) for h in reader.query(vector, k, r)]
    return [rid for rid, _ in sorted(hits, key=lambda h: -h[1])[:k]]


@pytest.mark.model
def test_one_search_across_reports_finds_what_each_report_finds(two_reports: Settings) -> None:
    client = open_client(two_reports)
    pointers = read_pointers(client)
    assert all(p.searchable for p in pointers.values())
    shared = search_collection(client)
    assert shared is not None
    assert shared.count() == sum(p.chunks + p.facts for p in pointers.values())
    for question in QUESTIONS:
        assert _best(two_reports, question, 12) == _per_report(two_reports, question, 12)
    reader = open_index(two_reports)
    hits = _best(two_reports, QUESTIONS[0], 40)
    # each hit names its report, read on demand
    assert {reader.get(rid).report for rid in hits} == {"remote-work", BUNDLED_REPORT.name}


@pytest.mark.model
def test_a_library_larger_than_the_route_answers_each_question_from_the_report_it_finds(
    two_reports: Settings,
) -> None:
    from rag.engine import Engine

    # a library of two read one report a question: the reports retrieval finds decide which
    engine = Engine(two_reports.model_copy(update={"route_reports": 1}), chat_model=None)
    office = engine.answer("What share of managers wanted a full return to the office?")
    assert "12%" in office.text and {c.report for c in office.citations} == {"remote-work"}
    roi = engine.answer("What share of companies could fully measure ROI?")
    assert {c.report for c in roi.citations} == {BUNDLED_REPORT.name}
    # a follow-up is read in the report of the question it follows, wherever its words lead
    history = [
        {"role": "user", "content": "What share of managers wanted a full return to the office?"},
        {"role": "assistant", "content": office.text},
    ]
    rest = engine.answer("and the rest?", history)
    assert "88%" in rest.text and {c.report for c in rest.citations} == {"remote-work"}


def test_a_build_no_pointer_names_is_never_searched_and_the_next_ingest_removes_it(
    two_reports: Settings,
) -> None:
    client = open_client(two_reports)
    before = {q: _best(two_reports, q, 12) for q in QUESTIONS}
    # what an ingest killed between copying its build and switching the pointer leaves:
    # a full build of the bundled report, copied into the search collection, named by nothing
    pointer = read_pointers(client)[BUNDLED_REPORT.name]
    active = client.get_collection(pointer.collection)
    got = active.get(include=["embeddings", "documents", "metadatas"])
    ghost = create_build(client, pointer.report, "0" * 64, pointer.embedder, pointer.dimension)
    ghost.add(
        ids=[f"ghost-{rid}" for rid in got["ids"]],
        embeddings=got["embeddings"],
        documents=got["documents"],
        metadatas=got["metadatas"],
    )
    share_build(client, ghost)

    assert {q: _best(two_reports, q, 12) for q in QUESTIONS} == before

    summary = ingest(two_reports)

    assert summary.skipped and summary.embedded == 0
    shared = search_collection(client)
    assert shared is not None
    pointers = read_pointers(client)
    assert shared.count() == sum(p.chunks + p.facts for p in pointers.values())
    assert ghost.name not in {c.name for c in client.list_collections()}


@pytest.mark.model
def test_an_index_without_the_search_collection_answers_and_is_upgraded_without_embedding(
    two_reports: Settings,
) -> None:
    client = open_client(two_reports)
    expected = {q: _best(two_reports, q, 12) for q in QUESTIONS}
    # as an index written before the search collection existed
    drop_collections(client, ["survey-rag__search"])
    for pointer in read_pointers(client).values():
        write_pointer(client, replace(pointer, searchable=False))

    assert {q: _best(two_reports, q, 12) for q in QUESTIONS} == expected  # one query per report

    summary = ingest(two_reports)

    assert summary.embedded == 0 and summary.reused == 0
    assert all(p.searchable for p in read_pointers(client).values())
    assert {q: _best(two_reports, q, 12) for q in QUESTIONS} == expected


@pytest.mark.model
def test_reingesting_one_report_replaces_only_its_copies(two_reports: Settings) -> None:
    client = open_client(two_reports)
    bundled = read_pointers(client)[BUNDLED_REPORT.name]
    tiny = Path(two_reports.corpus_dir) / "remote-work" / "report.txt"
    tiny.write_text(TINY.replace("once a month", "once a week"), encoding="utf-8")

    summary = ingest(two_reports)

    assert summary.embedded <= 4  # the edited passage and sentence; the rest is reused
    pointers = read_pointers(client)
    assert pointers[BUNDLED_REPORT.name] == bundled  # the other report is untouched
    shared = search_collection(client)
    assert shared is not None
    assert shared.count() == sum(p.chunks + p.facts for p in pointers.values())
    hits = _best(two_reports, "How often did teams meet in person?", 3, "remote-work")
    assert "once a week" in open_index(two_reports).get(hits[0]).text


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
