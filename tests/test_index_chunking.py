"""Chunking: pure functions, no model, no store (the splitter is tested in test_sentences)."""

from __future__ import annotations

import hashlib

import pytest

from ingest.chunking import CHUNK_SIZE, chunk_text
from ingest.corpus import load_report
from ingest.sections import load_sections
from rag.text.sentences import split_sentences
from rag.types import Chunk, Section
from tests.conftest import BUNDLED_REPORT


@pytest.fixture(scope="module")
def bundled() -> tuple[str, list[Section], list[Chunk]]:
    info, text = load_report(BUNDLED_REPORT)
    sections = load_sections(info, text, BUNDLED_REPORT)
    return text, sections, chunk_text(text, sections, info.id)


def test_chunk_spans_are_exact_and_ids_are_content_hashes(bundled) -> None:
    text, _, chunks = bundled
    assert len(chunks) > 20
    for chunk in chunks:
        assert text[chunk.start : chunk.end] == chunk.text
        key = f"{chunk.report}|{chunk.start}|{chunk.end}|{chunk.text}".encode()
        assert chunk.id == hashlib.sha256(key).hexdigest()[:16]
    assert len({c.id for c in chunks}) == len(chunks)


def test_chunks_are_whole_sentences_inside_one_section(bundled) -> None:
    text, sections, chunks = bundled
    titles = {s.title: s for s in sections}
    boundaries = sorted({b for s in sections for b in (s.start, s.end)})
    for chunk in chunks:
        owner = titles[chunk.section]
        assert owner.start <= chunk.start and chunk.end <= owner.end
        crossed = [b for b in boundaries if chunk.start < b < chunk.end]
        assert not crossed, f"chunk crosses a section boundary: {chunk.text[:60]!r}"
        lo = max(b for b in boundaries if b <= chunk.start)
        hi = min(b for b in boundaries if b >= chunk.end)
        spans = split_sentences(text, lo, hi)
        assert chunk.start in {s for s, _ in spans}, chunk.text[:60]
        assert chunk.end in {e for _, e in spans}, chunk.text[-60:]
        one_sentence = sum(1 for s, e in spans if chunk.start <= s and e <= chunk.end) == 1
        assert len(chunk.text) <= CHUNK_SIZE or one_sentence


def test_every_sentence_of_every_section_is_in_a_chunk(bundled) -> None:
    text, sections, chunks = bundled
    covered = [(c.start, c.end) for c in chunks]
    for section in sections:
        for s, e in split_sentences(text, section.start, section.end):
            assert any(cs <= s and e <= ce for cs, ce in covered), text[s:e]


def test_next_chunk_repeats_the_last_sentence() -> None:
    text = " ".join(
        f"Sentence number {i} says something about enterprise AI adoption." for i in range(12)
    )
    chunks = chunk_text(text, [Section("Body", 0, len(text))], "r", size=200)
    assert len(chunks) > 2
    for before, after in zip(chunks, chunks[1:], strict=False):
        last = split_sentences(text, before.start, before.end)[-1]
        assert after.start == last[0]  # overlap: exactly the previous chunk's last sentence
        assert after.end > before.end


def test_a_sentence_longer_than_the_size_is_one_chunk_and_never_cut() -> None:
    long = "This sentence " + "goes on and on " * 40 + "until it stops."
    text = f"Short one. {long} Short two."
    chunks = chunk_text(text, [Section("Body", 0, len(text))], "r", size=100)
    assert long in [c.text for c in chunks]
    for chunk in chunks:
        assert text[chunk.start : chunk.end] == chunk.text


def test_chunks_stop_at_section_boundaries_and_nested_sections_own_their_text() -> None:
    text = "Intro one. Intro two.Part A starts. Part A ends.Topic text here. More topic text."
    a = text.index("Part A")
    topic = text.index("Topic")
    sections = [
        Section("Intro", 0, a - 0),
        Section("Part", a, len(text)),
        Section("Part › Topic", topic, len(text), parent="Part"),
    ]
    chunks = chunk_text(text, sections, "r", size=1000)
    assert [(c.section, c.text) for c in chunks] == [
        ("Intro", "Intro one. Intro two."),
        ("Part", "Part A starts. Part A ends."),
        ("Part › Topic", "Topic text here. More topic text."),
    ]


def test_text_outside_every_section_is_not_chunked() -> None:
    text = "The body. It ends.\n\nexample.org linkedin.com/company/x"
    body_end = text.index("\n")
    chunks = chunk_text(text, [Section("Body", 0, body_end)], "r")
    assert [c.text for c in chunks] == ["The body. It ends."]
