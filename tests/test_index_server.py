"""Server mode: the same index in a real `chroma run` server, and a clear error without one."""

from __future__ import annotations

from pathlib import Path

import pytest

from rag.cli import main
from rag.index.embeddings import get_embedder
from rag.index.store import open_index
from rag.settings import Settings
from tests.chroma_server import ChromaServer, chroma_server, free_port  # noqa: F401

USER_REPORT = """# Remote work survey 2024

## Who answered

We asked 250 managers at mid-sized firms.Most of them run teams of ten to fifty people.

## Results

Over 60% said their teams were more productive at home. Only 12% wanted everyone back in the \
office full time.The rest preferred a hybrid week. Managers in the U.S. were the most positive.
"""


@pytest.fixture
def user_report(tmp_path: Path) -> Path:
    folder = tmp_path / "remote-work-2024"
    folder.mkdir()
    (folder / "report.md").write_text(USER_REPORT, encoding="utf-8")
    return folder


@pytest.mark.server
@pytest.mark.model
def test_ingest_into_a_chroma_server_and_read_it_back(
    chroma_server: ChromaServer,  # noqa: F811
    user_report: Path,
    capsys,
) -> None:
    args = ["--chroma-url", chroma_server.url, "ingest", "--quiet", str(user_report)]
    assert main(args) == 0
    assert capsys.readouterr().out.startswith("indexed 1 report: ")

    settings = Settings(chroma_url=chroma_server.url)
    index = open_index(settings)
    [report] = index.reports
    assert report.text == USER_REPORT
    assert index.where == chroma_server.url
    assert any("Over 60% said" in c.text for c in index.chunks)
    for chunk in index.chunks:
        assert USER_REPORT[chunk.start : chunk.end] == chunk.text
    [(best, _)] = index.query(
        get_embedder(settings).embed_query("Who wanted to go back to the office?"), 1
    )
    assert "12% wanted everyone back" in index.get(best).text

    assert main(args) == 0  # unchanged: nothing to do
    assert capsys.readouterr().out.startswith("up to date: 1 report")
    assert open_index(settings).fingerprint == index.fingerprint


@pytest.mark.parametrize("command", [["ingest"], ["status"]])
def test_an_unreachable_server_is_one_line_naming_the_url(command: list[str], capsys) -> None:
    url = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    assert main(["--chroma-url", url, *command]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert f"cannot reach the Chroma server at {url}" in err
    assert "chroma run --path" in err


@pytest.mark.server
@pytest.mark.model
def test_a_servers_builds_are_read_once_then_from_a_local_copy(
    chroma_server: ChromaServer,  # noqa: F811
    user_report: Path,
    tmp_path: Path,
) -> None:
    data_dir = tmp_path / "data"
    settings = Settings(chroma_url=chroma_server.url, data_dir=data_dir)
    assert main(["--chroma-url", chroma_server.url, "ingest", "--quiet", str(user_report)]) == 0
    copies = data_dir / "server-cache"

    first = open_index(settings)
    read = first.report_data("remote-work-2024")
    assert {p.suffix for p in copies.iterdir()} == {".json", ".npy"}

    # the next process reads the copy: the same records and vectors, in the same order
    again = open_index(settings).report_data("remote-work-2024")
    assert again.chunks == read.chunks and again.facts == read.facts
    assert again.sentences == read.sentences
    assert (again.sentence_vectors == read.sentence_vectors).all()
    assert (again.form_vectors == read.form_vectors).all()

    # a damaged copy is read from the server again
    for path in copies.glob("*.npy"):
        path.write_bytes(b"not an array")
    assert (
        open_index(settings).report_data("remote-work-2024").sentence_vectors
        == (read.sentence_vectors)
    ).all()

    # a new build of the report: the old build's copies go when an index is next opened
    old = {p.name for p in copies.iterdir()}
    (user_report / "report.md").write_text(USER_REPORT + "\nA late note.\n", encoding="utf-8")
    assert main(["--chroma-url", chroma_server.url, "ingest", "--quiet", str(user_report)]) == 0
    fresh = open_index(settings).report_data("remote-work-2024")
    assert any("A late note." in s.text for s in fresh.sentences)
    assert old.isdisjoint(p.name for p in copies.iterdir())


@pytest.mark.server
@pytest.mark.model
def test_a_report_read_is_searched_without_a_filter_and_ranks_as_the_filtered_search(
    chroma_server: ChromaServer,  # noqa: F811
    user_report: Path,
) -> None:
    # a server answers a query filtered on the kind of record far slower than one unfiltered:
    # once a report is read, its passages and facts are picked from the unfiltered ranking
    from rag.index.store import _SEARCHED

    assert main(["--chroma-url", chroma_server.url, "ingest", "--quiet", str(user_report)]) == 0
    settings = Settings(chroma_url=chroma_server.url)
    index = open_index(settings)
    data = index.report_data("remote-work-2024")
    searched = {c.id for c in data.chunks} | {f.id for f in data.facts}
    embed = get_embedder(settings).embed_query
    for question in ("Who wanted to go back to the office?", "How many managers answered?"):
        vector = embed(question)
        got = index.query(vector, 4, report="remote-work-2024")
        filtered = index._collections["remote-work-2024"].query(
            query_embeddings=[vector], n_results=4, where=_SEARCHED, include=["distances"]
        )
        assert [rid for rid, _ in got] == filtered["ids"][0]
        assert {rid for rid, _ in got} <= searched  # never a sentence or a question form
        assert got[0][1] == pytest.approx(1.0 - filtered["distances"][0][0])
