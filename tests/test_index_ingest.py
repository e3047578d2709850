"""Ingest and the index, for real: MiniLM on disk, Chroma under tmp_path, `survey-rag` CLI.

One real index of the bundled corpus is built per session (``indexed_settings``). Tests that
change things work on a fork: a copy of that index plus a copy of the corpus folder, so only
the passages they edit get embedded again.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from ingest.pipeline import build_fingerprint, index_status, ingest
from rag.cli import main
from rag.errors import IndexMissing
from rag.index.store import builds, open_client, open_index, read_pointers
from rag.settings import PROJECT_ROOT, Settings
from rag.types import Chunk
from tests.conftest import BUNDLED_REPORT

pytestmark = pytest.mark.model

REPORT_ID = "aiia-2023"
# a sentence no table quotes, so editing it keeps every table valid
EDITED = "The experience is raw, visceral and direct."
ADDED = "The pace continues to speed up."


@dataclass(frozen=True)
class Fork:
    settings: Settings
    folder: Path  # a copy of the bundled report folder, safe to edit

    @property
    def report(self) -> Path:
        return self.folder / "report.txt"

    def edit(self, old: str, new: str) -> None:
        text = self.report.read_text(encoding="utf-8")
        assert text.count(old) == 1
        self.report.write_text(text.replace(old, new), encoding="utf-8")


@pytest.fixture
def fork(indexed_settings: Settings, tmp_path: Path) -> Fork:
    """A private copy of the session index and of the bundled report folder."""
    data_dir = tmp_path / "index"
    shutil.copytree(indexed_settings.data_dir, data_dir)
    folder = tmp_path / "corpus" / REPORT_ID
    shutil.copytree(BUNDLED_REPORT, folder)
    return Fork(Settings(data_dir=data_dir, corpus_dir=folder.parent), folder)


def snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    return {
        str(p.relative_to(folder)): (p.stat().st_size, p.stat().st_mtime_ns)
        for p in folder.rglob("*")
        if p.is_file()
    }


def test_bundled_index_holds_the_report_its_passages_and_facts(indexed_settings) -> None:
    index = open_index(indexed_settings)
    text = (BUNDLED_REPORT / "report.txt").read_text(encoding="utf-8")
    assert [r.id for r in index.reports] == [REPORT_ID]
    assert index.reports[0].text == text
    assert len(index.chunks) > 20 and len(index.facts) > 5
    for item in [*index.chunks, *index.facts]:
        assert index.get(item.id) == item
    for chunk in index.chunks:
        assert text[chunk.start : chunk.end] == chunk.text
    for fact in index.facts:
        assert text[fact.start : fact.end] == fact.source
        assert fact.section in index.reports[0].sections


def test_query_finds_a_record_by_its_own_vector_with_cosine_similarity(indexed_settings) -> None:
    from rag.index.embeddings import get_embedder

    index = open_index(indexed_settings)
    embedder = get_embedder(indexed_settings)
    fact = index.facts[0]
    hits = index.query(embedder.embed_query(fact.text), 5)
    assert hits[0][0] == fact.id
    assert hits[0][1] == pytest.approx(1.0, abs=1e-3)
    assert [s for _, s in hits] == sorted((s for _, s in hits), reverse=True)
    only_passages = index.query(embedder.embed_query(fact.text), 5, kind="passage")
    assert all(isinstance(index.get(rid), Chunk) for rid, _ in only_passages)
    assert len(index.query(embedder.embed_query("anything"), 1000)) == len(index.chunks) + len(
        index.facts
    )


def test_index_holds_every_report_sentence_with_its_vector(indexed_settings) -> None:
    from rag.index.embeddings import get_embedder
    from rag.text.sentences import report_sentences

    index = open_index(indexed_settings)
    [report] = index.reports
    assert index.sentences == report_sentences(report.id, report.text, index.sections(report.id))
    assert index.sentence_vectors.shape == (len(index.sentences), 384)
    sentence = next(s for s in index.sentences if "US, UK and Canada" in s.text)
    row = index.sentences.index(sentence)
    [fresh] = get_embedder(indexed_settings).embed_documents([sentence.text])
    assert index.sentence_vectors[row] == pytest.approx(fresh, abs=1e-5)
    # sentences feed similarity only: no search returns them
    hits = index.query(fresh, 1000)
    assert all(rid in index for rid, _ in hits) and hits[0][1] < 0.99


def test_reingesting_an_unchanged_corpus_writes_nothing(indexed_settings) -> None:
    before_index = open_index(indexed_settings)
    client = open_client(indexed_settings)
    before_builds = builds(client)
    before_files = snapshot(indexed_settings.chroma_path)

    summary = ingest(indexed_settings)

    assert summary.skipped and summary.embedded == 0 and summary.reused == 0
    assert summary.chunks == len(before_index.chunks)
    assert builds(client) == before_builds
    assert snapshot(indexed_settings.chroma_path) == before_files
    assert open_index(indexed_settings).fingerprint == before_index.fingerprint


def test_a_changed_report_replaces_its_passages_without_stale_ids(fork: Fork, capsys) -> None:
    before = open_index(fork.settings)
    before_ids = {c.id for c in before.chunks}  # a reader reads a report on first use
    fork.edit(EDITED, "The experience is raw, visceral and immediate.")
    fork.edit(ADDED, f"{ADDED} Nobody expects it to slow down soon.")

    code = main(["--data-dir", str(fork.settings.data_dir), "ingest", "--quiet", str(fork.folder)])

    out = capsys.readouterr().out
    assert code == 0
    assert re.fullmatch(
        r"indexed 1 report: \d+ sections, \d+ chunks, \d+ facts in [\d.]+ s "
        r"\((\d+) embedded, (\d+) reused; store: .+\)\n",
        out,
    ), out
    embedded, reused = map(int, re.search(r"\((\d+) embedded, (\d+) reused", out).groups())  # type: ignore[union-attr]
    # only the edited passages (two each, by overlap) and sentences (one each) met the model
    assert 0 < embedded <= 6 and reused > 50

    after = open_index(fork.settings)
    assert after.fingerprint != before.fingerprint
    text = fork.report.read_text(encoding="utf-8")
    assert after.reports[0].text == text
    assert not any(EDITED in c.text for c in after.chunks)
    assert any("raw, visceral and immediate." in c.text for c in after.chunks)
    assert any("Nobody expects it to slow down soon." in c.text for c in after.chunks)
    for chunk in after.chunks:
        assert text[chunk.start : chunk.end] == chunk.text
    ids = [item.id for item in [*after.chunks, *after.facts]]
    assert len(ids) == len(set(ids))
    gone = before_ids - set(ids)
    assert gone and not any(rid in after for rid in gone)
    # the previous build is gone: one collection serves the report
    client = open_client(fork.settings)
    assert list(builds(client)) == [read_pointers(client)[REPORT_ID].collection]


def test_an_index_of_an_older_layout_is_rebuilt_not_misread(fork: Fork) -> None:
    from dataclasses import replace

    from rag.index.store import write_pointer

    client = open_client(fork.settings)
    pointer = read_pointers(client)[REPORT_ID]
    assert pointer.fingerprint == build_fingerprint(fork.settings, fork.folder)
    # as an older survey-rag left it: same report and fingerprint, another record layout
    write_pointer(client, replace(pointer, schema=1, folder=str(fork.folder.resolve())))
    with pytest.raises(IndexMissing, match="built by another version of survey-rag: run"):
        open_index(fork.settings)

    summary = ingest(fork.settings, [fork.folder])

    assert not summary.skipped and summary.embedded == 0  # every vector reused
    assert len(open_index(fork.settings).sentences) > 150


def test_killing_an_ingest_midway_keeps_the_previous_index_serving(fork: Fork) -> None:
    before = open_index(fork.settings)
    fork.edit(EDITED, "The experience is raw, visceral and immediate.")
    log = fork.folder.parent / "ingest.log"
    env = {
        **os.environ,
        "SURVEY_RAG_DATA_DIR": str(fork.settings.data_dir),
        "SURVEY_RAG_TEST_PAUSE_AFTER_WRITE": "120",
    }
    script = (
        "from pathlib import Path; from ingest.pipeline import ingest; "
        "from rag.settings import Settings; "
        f"ingest(Settings(), [Path({str(fork.folder)!r})])"
    )
    with log.open("w") as err:
        process = subprocess.Popen(
            [sys.executable, "-c", script], cwd=PROJECT_ROOT, env=env, stderr=err
        )
    try:
        deadline = time.monotonic() + 120
        while "paused after the first write" not in log.read_text():
            assert process.poll() is None, log.read_text()
            assert time.monotonic() < deadline, "the ingest never reached its first write"
            time.sleep(0.05)
        client = open_client(fork.settings)
        assert len(builds(client)) == 2  # the half-built collection exists
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()

    after_kill = open_index(fork.settings)
    assert after_kill.fingerprint == before.fingerprint
    assert [c.id for c in after_kill.chunks] == [c.id for c in before.chunks]
    assert any(EDITED in c.text for c in after_kill.chunks)

    summary = ingest(fork.settings, [fork.folder])

    assert not summary.skipped
    client = open_client(fork.settings)
    assert list(builds(client)) == [read_pointers(client)[REPORT_ID].collection]  # orphan gone
    assert open_index(fork.settings).fingerprint != before.fingerprint


def test_a_write_failing_while_the_next_batch_embeds_fails_the_ingest_and_loses_nothing(
    fork: Fork, monkeypatch: pytest.MonkeyPatch
) -> None:
    from chromadb.api.models.Collection import Collection

    from rag.errors import StoreUnavailable

    before = open_index(fork.settings)
    fork.edit(EDITED, "The experience is raw, visceral and immediate.")
    calls = {"n": 0}
    add = Collection.add

    def failing_add(self: Collection, *args: object, **kwargs: object) -> None:
        calls["n"] += 1
        if calls["n"] == 2:  # the writes run beside the embedding: the second one fails
            raise ConnectionError("server went away")
        add(self, *args, **kwargs)

    monkeypatch.setattr(Collection, "add", failing_add)
    with pytest.raises(StoreUnavailable, match="previous index is still active"):
        ingest(fork.settings, [fork.folder], force=True)
    monkeypatch.undo()

    after = open_index(fork.settings)
    assert after.fingerprint == before.fingerprint
    assert any(EDITED in c.text for c in after.chunks)


def test_status_says_what_is_indexed_and_when_it_goes_stale(fork: Fork, capsys) -> None:
    ingest(fork.settings, [fork.folder])
    [status] = [s for s in index_status(fork.settings) if s.indexed]
    assert (status.id, status.stale) == (REPORT_ID, False)
    assert status.chunks > 20 and status.facts > 5

    fork.edit(EDITED, "The experience is raw, visceral and immediate.")
    args = ["--data-dir", str(fork.settings.data_dir), "--corpus-dir", str(fork.folder.parent)]
    assert main([*args, "status", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)["reports"][0]
    assert (report["id"], report["stale"], report["chunks"]) == (REPORT_ID, True, status.chunks)

    assert main([*args, "status"]) == 0
    assert f"{REPORT_ID}: " in capsys.readouterr().out


def test_open_index_without_an_index_says_how_to_build_one(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "nothing-here")
    with pytest.raises(
        IndexMissing, match=r"no index at .*nothing-here.*: run 'survey-rag ingest'"
    ):
        open_index(settings)
    assert not settings.data_dir.exists()  # looking did not create anything


def _break_report_encoding(folder: Path) -> str:
    (folder / "report.txt").write_bytes(b"Caf\xe9 au lait. " + (folder / "report.txt").read_bytes())
    return "report.txt"


def _drop_a_table_column(folder: Path) -> str:
    path = sorted((folder / "tables").glob("*.csv"))[0]
    lines = path.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    column = header.index("unit")
    rows = [",".join(h for i, h in enumerate(header) if i != column), *lines[1:]]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path.name


def _missing_folder(folder: Path) -> str:
    shutil.rmtree(folder)
    return folder.name


@pytest.mark.parametrize(
    "breakage",
    [_break_report_encoding, _drop_a_table_column, _missing_folder],
    ids=["non-utf8-report", "csv-missing-column", "missing-folder"],
)
def test_bad_input_exits_2_naming_the_file_and_leaves_the_index_alone(
    fork: Fork, breakage, capsys
) -> None:
    before = open_index(fork.settings)
    files_before = snapshot(fork.settings.chroma_path)
    named = breakage(fork.folder)

    code = main(["--data-dir", str(fork.settings.data_dir), "ingest", "--quiet", str(fork.folder)])

    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("survey-rag ingest: error: ") and err.count("\n") == 1, err
    assert named in err and "Traceback" not in err
    assert snapshot(fork.settings.chroma_path) == files_before
    assert open_index(fork.settings).fingerprint == before.fingerprint


def test_a_missing_corpus_folder_exits_2_naming_it(tmp_path: Path, capsys) -> None:
    missing = tmp_path / "no-corpus-here"
    assert main(["--corpus-dir", str(missing), "ingest"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "no-corpus-here: no such corpus folder" in err


def test_bad_input_anywhere_in_the_corpus_stops_before_any_write(
    fork: Fork, tmp_path, capsys
) -> None:
    """A broken second report keeps the first, changed one from being written too."""
    fork.edit(EDITED, "The experience is raw, visceral and immediate.")
    second = fork.folder.parent / "zz-broken"
    second.mkdir()
    (second / "report.txt").write_bytes(b"\xff\xfe not text")
    open_index(fork.settings)  # Chroma may touch its files the first time a process opens them
    files_before = snapshot(fork.settings.chroma_path)

    code = main(
        [
            "--data-dir",
            str(fork.settings.data_dir),
            "--corpus-dir",
            str(fork.folder.parent),
            "ingest",
        ]
    )

    assert code == 2 and "zz-broken" in capsys.readouterr().err
    assert snapshot(fork.settings.chroma_path) == files_before


def test_force_rebuilds_and_reembeds(tmp_path: Path) -> None:
    folder = tmp_path / "tiny"
    folder.mkdir()
    (folder / "report.txt").write_text(
        "Over 60% of managers liked remote work.Only 12% wanted a full return. The rest did not "
        "say.",
        encoding="utf-8",
    )
    settings = Settings(data_dir=tmp_path / "index")
    first = ingest(settings, [folder])
    before = open_index(settings)

    again = ingest(settings, [folder], force=True)

    assert not again.skipped and again.reused == 0 and again.embedded == first.embedded > 0
    after = open_index(settings)
    assert after.fingerprint == before.fingerprint
    assert [c.id for c in after.chunks] == [c.id for c in before.chunks]
    client = open_client(settings)
    assert list(builds(client)) == [read_pointers(client)[after.reports[0].id].collection]
