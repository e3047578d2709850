"""Plan one report's build: read, split, find facts, then map every offset back to the file.

Sections, sentences, chunks and facts are found in the plain text (markup stripped); what is
stored keeps that plain ``text`` but ``start``/``end`` index the report file, so a citation
highlights the span the user can find in the file they gave.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from rag.errors import CorpusError
from rag.types import Chunk, Fact, ReportInfo, Section, Sentence


@dataclass(frozen=True)
class ReportPlan:
    """A validated report, ready to write; offsets index the report file."""

    folder: Path  # the report's path as ingested (file or folder): the index's key for it
    fingerprint: str
    info: ReportInfo
    sections: list[Section]
    chunks: list[Chunk]
    facts: list[Fact]
    sentences: list[Sentence]
    warnings: tuple[str, ...] = ()
    overrides: tuple[tuple[str, Any], ...] = ()  # id/title/year given instead of the file's


def plan_report(
    path: Path, fingerprint: str, overrides: Mapping[str, Any] | None = None
) -> ReportPlan:
    """Read and validate one report (file or folder) into what will be written (no writes)."""
    from ingest.chunking import chunk_id, chunk_text
    from ingest.corpus import load_tables
    from ingest.extract import extract_facts, merge_facts
    from ingest.facts import row_to_fact
    from ingest.report import load
    from rag.text.numbers import extract_figures
    from rag.text.sentences import report_sentences

    loaded = load(path, overrides)
    doc, info, sections = loaded.doc, loaded.info, loaded.sections
    plain = doc.plain
    rows = load_tables(loaded.source.folder, plain, sections)
    hand = [row_to_fact(row, info, plain) for row in rows]
    seen: dict[str, str] = {}
    for row, fact in zip(rows, hand, strict=True):
        if fact.id in seen:
            raise CorpusError(
                loaded.source.folder / "tables" / f"{row.table}.csv",
                f"row {row.label!r} repeats the fact of {seen[fact.id]}: remove one of them",
                row.line,
            )
        seen[fact.id] = f"{row.table}.csv line {row.line}"
    sentences = report_sentences(info.id, plain, sections)
    found = extract_facts(info, plain, sentences, doc.blocks)
    # a chart's alt text with no figure ("Chart of editors respondents use") is a caption:
    # it names a finding without stating it, so it is never quoted as an answer; nor is a
    # table's header row ("Survey, Started, Completed, Views"), which names columns (its
    # facts carry the names, its chunk the words)
    captions = [(b.start, b.end) for b in doc.blocks if b.kind == "figure"]
    headers = [(b.start, b.end) for b in doc.blocks if b.kind == "header"]
    sentences = [
        s
        for s in sentences
        if (extract_figures(s.text) or not any(a <= s.start < z for a, z in captions))
        and not any(a <= s.start < z for a, z in headers)
    ]
    facts, warnings = merge_facts(hand, found)
    chunks = chunk_text(plain, sections, info.id)

    span = doc.raw_span
    if not doc.identity:
        sections = [replace(s, start=a, end=b) for s in sections for a, b in [span(s.start, s.end)]]
        sentences = [
            replace(s, start=a, end=b) for s in sentences for a, b in [span(s.start, s.end)]
        ]
        chunks = [
            replace(c, id=chunk_id(info.id, a, b, c.text), start=a, end=b)
            for c in chunks
            for a, b in [span(c.start, c.end)]
        ]
        facts = [replace(f, start=a, end=b) for f in facts for a, b in [span(f.start, f.end)]]
    return ReportPlan(
        Path(path).expanduser().resolve(),
        fingerprint,
        info,
        list(sections),
        list(chunks),
        list(facts),
        list(sentences),
        tuple(warnings),
        tuple(sorted((k, v) for k, v in (overrides or {}).items() if v not in (None, ""))),
    )


def unique_paths(paths: Sequence[Path]) -> list[Path]:
    """Resolved paths, first occurrence kept."""
    return list(dict.fromkeys(Path(p).expanduser().resolve() for p in paths))
