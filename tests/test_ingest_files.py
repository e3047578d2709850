"""One report file in, for real: ingest a Markdown and an HTML report, cite, show in context.

The index is real (MiniLM on disk, Chroma under tmp_path) and shared by the module: both files
are ingested once into a private data dir, then every test reads from it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from rag.cli import main
from rag.index.store import open_client, open_index, read_pointers
from rag.settings import Settings
from rag.types import Citation
from tests.test_ingest_readers import HTML, MARKDOWN
from ui.render import context_html

pytestmark = pytest.mark.model


@pytest.fixture(scope="module")
def two_reports(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Settings, Path]]:
    """A private data dir holding a Markdown and an HTML report, ingested by the CLI."""
    import os

    root = tmp_path_factory.mktemp("files")
    (root / "gopher-2024.md").write_text(MARKDOWN, encoding="utf-8")
    (root / "pulse.html").write_text(HTML, encoding="utf-8")
    data = root / "data"
    old = os.environ.get("SURVEY_RAG_DATA_DIR")
    os.environ["SURVEY_RAG_DATA_DIR"] = str(data)
    try:
        args = ["ingest", "--quiet", str(root / "gopher-2024.md")]
        assert main(args) == 0
        assert main(["ingest", "--quiet", "--id", "pulse", str(root / "pulse.html")]) == 0
    finally:
        if old is None:
            os.environ.pop("SURVEY_RAG_DATA_DIR", None)
        else:
            os.environ["SURVEY_RAG_DATA_DIR"] = old
    yield Settings(data_dir=data), root


def _cite(fact_id: str, settings: Settings) -> tuple[Citation, str]:
    index = open_index(settings)
    fact = index.get(fact_id)
    report = index.report(fact.report)
    citation = Citation(1, fact.report, fact.section, fact.text, "fact", fact.start, fact.end)
    return citation, report.text


def test_markdown_file_facts_cite_the_right_span_of_the_file(
    two_reports: tuple[Settings, Path],
) -> None:
    settings, _ = two_reports
    index = open_index(settings)
    assert {r.id for r in index.reports} == {"gopher-2024", "pulse"}
    gopher = index.report("gopher-2024")
    assert (gopher.title, gopher.year) == ("Gopher Survey 2024 Results", 2024)
    facts = [f for f in index.facts if f.report == "gopher-2024"]
    satisfied = next(f for f in facts if f.value == 93 and f.origin == "text")
    assert satisfied.subject.startswith("were satisfied with the language")
    raw = gopher.text[satisfied.start : satisfied.end]
    assert raw.startswith("Overall, **93%** of respondents") and "[language](" in raw
    assert "**" not in satisfied.source and "https" not in satisfied.source
    linux = next(f for f in facts if f.subject == "Linux")
    assert gopher.text[linux.start : linux.end] == "Linux (96%)"
    # no passage or sentence carries markup, and every passage's first word is in its span
    for chunk in (c for c in index.chunks if c.report == "gopher-2024"):
        assert "**" not in chunk.text and "{#" not in chunk.text and "<style" not in chunk.text
        assert chunk.text.split()[0].rstrip(":,") in gopher.text[chunk.start : chunk.end]


def test_passage_in_context_shows_clean_text_with_the_span_marked(
    two_reports: tuple[Settings, Path],
) -> None:
    settings, _ = two_reports
    index = open_index(settings)
    fact = next(f for f in index.facts if f.report == "gopher-2024" and f.value == 93)
    citation = Citation(1, fact.report, fact.section, fact.source, "fact", fact.start, fact.end)
    html = context_html(citation, index.report(fact.report))
    marked = html.split("<mark>")[1].split("</mark>")[0]
    assert marked.startswith("Overall, 93% of respondents were satisfied with the language")
    assert "**" not in html and "go.dev" not in html


def test_html_file_facts_and_context(two_reports: tuple[Settings, Path]) -> None:
    settings, _ = two_reports
    index = open_index(settings)
    pulse = index.report("pulse")
    assert pulse.title == "Cloud Pulse 2025" and pulse.year == 2025
    facts = {f.subject: f for f in index.facts if f.report == "pulse"}
    aws, azure = facts["AWS"], facts["Azure"]
    assert aws.table == azure.table and aws.caption == "Which cloud do you use most?"
    assert pulse.text[aws.start : aws.end] == "AWS (51%)"
    share = next(f for f in facts.values() if f.value == 72)
    assert "72%</b> of respondents" in pulse.text[share.start : share.end]
    chart = next(f for f in facts.values() if f.value == 18)
    assert pulse.text[chart.start : chart.end] == "Chart: 18% use a single cloud"
    citation = Citation(1, "pulse", share.section, share.source, "fact", share.start, share.end)
    html = context_html(citation, pulse)
    assert "<mark>In total, 72% of respondents use more than one cloud &amp; most" in html


def test_status_of_a_private_data_dir_lists_only_what_it_holds(
    two_reports: tuple[Settings, Path],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    settings, _ = two_reports
    monkeypatch.setenv("SURVEY_RAG_DATA_DIR", str(settings.data_dir))
    assert main(["status", "--json"]) == 0
    reports = json.loads(capsys.readouterr().out)["reports"]
    assert sorted(r["id"] for r in reports) == ["gopher-2024", "pulse"]
    assert all(r["indexed"] and not r["stale"] for r in reports)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("blank.html", "<html><body><nav>Home</nav></body></html>", "blank.html: the page has"),
        ("bad.md", "---\ntitle: [x\n---\nText 5%.\n", "bad.md line 3: front matter is not"),
        ("empty.pdf", "", "empty.pdf: "),
    ],
)
def test_bad_file_exits_2_with_one_line_and_the_index_untouched(
    two_reports: tuple[Settings, Path],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    name: str,
    content: str,
    message: str,
) -> None:
    settings, _ = two_reports
    monkeypatch.setenv("SURVEY_RAG_DATA_DIR", str(settings.data_dir))
    before = {r: p.collection for r, p in read_pointers(open_client(settings)).items()}
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    assert main(["ingest", "--quiet", str(path)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("survey-rag ingest: error: ") and message in err and "\n" not in err
    after = {r: p.collection for r, p in read_pointers(open_client(settings)).items()}
    assert after == before


def test_ask_for_an_unknown_report_is_refused_before_loading_anything(
    two_reports: tuple[Settings, Path],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    settings, _ = two_reports
    monkeypatch.setenv("SURVEY_RAG_DATA_DIR", str(settings.data_dir))
    assert main(["ask", "--report", "nope", "What share use AWS?"]) == 2
    err = capsys.readouterr().err
    assert "no report 'nope'" in err and "gopher-2024, pulse" in err
    # the bundled corpus was not mixed into this data dir
    assert sorted(read_pointers(open_client(settings))) == ["gopher-2024", "pulse"]


def test_ask_with_report_answers_from_that_report(
    two_reports: tuple[Settings, Path],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    settings, _ = two_reports
    monkeypatch.setenv("SURVEY_RAG_DATA_DIR", str(settings.data_dir))
    assert main(["ask", "--report", "pulse", "--json", "What share use AWS most?"]) == 0
    answer = json.loads(capsys.readouterr().out)
    assert answer["citations"] and {c["report"] for c in answer["citations"]} == {"pulse"}
