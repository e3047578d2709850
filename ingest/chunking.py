"""Sentence-aligned chunks that never cross a section boundary.

Sentences come from rag.text.sentences, the splitter the answerer quotes with. A chunk is a run of
whole sentences of about ``size`` characters; the next chunk repeats the last ``overlap``
sentences so a figure and its context stay together.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from rag.text.sentences import leaf_spans, split_sentences
from rag.types import Chunk, Section

CHUNK_SIZE = 400
CHUNK_OVERLAP = 1  # sentences repeated at the start of the next chunk
CHUNKER_VERSION = "sentences-v2"  # bump when the chunking rules change: it is in the fingerprint


def chunk_id(report_id: str, start: int, end: int, text: str) -> str:
    """A stable id for a passage: the same text at the same place keeps its id."""
    digest = hashlib.sha256(f"{report_id}|{start}|{end}|{text}".encode())
    return digest.hexdigest()[:16]


def chunk_text(
    text: str,
    sections: Sequence[Section],
    report_id: str,
    size: int = CHUNK_SIZE,
    overlap: int = CHUNK_OVERLAP,
) -> list[Chunk]:
    """Sentence-aligned chunks of about ``size`` characters inside each section, in text order.

    A sentence longer than ``size`` becomes a chunk of its own; no sentence is ever cut.
    Without sections the whole text is one untitled section.
    """
    if size <= 0 or overlap < 0:
        raise ValueError(f"chunk size must be positive and overlap non-negative: {size}, {overlap}")
    pieces = leaf_spans(sections, len(text)) if sections else [("", 0, len(text))]
    chunks: list[Chunk] = []
    for title, start, end in pieces:
        sentences = split_sentences(text, start, end)
        for first, last in _group(sentences, size, overlap):
            c_start, c_end = sentences[first][0], sentences[last][1]
            body = text[c_start:c_end]
            chunks.append(
                Chunk(
                    id=chunk_id(report_id, c_start, c_end, body),
                    report=report_id,
                    section=title,
                    text=body,
                    start=c_start,
                    end=c_end,
                )
            )
    return chunks


def _group(sentences: list[tuple[int, int]], size: int, overlap: int) -> list[tuple[int, int]]:
    """Index ranges ``[first, last]`` of sentences per chunk."""
    groups: list[tuple[int, int]] = []
    first = fresh = 0  # fresh: the first sentence no earlier chunk holds
    while fresh < len(sentences):
        last = fresh  # every chunk brings at least one new sentence
        while last + 1 < len(sentences) and sentences[last + 1][1] - sentences[first][0] <= size:
            last += 1
        groups.append((first, last))
        fresh = last + 1
        # repeat the tail sentences in the next chunk, unless that leaves no room for new ones
        repeat = min(overlap, last - first)
        while repeat and (
            fresh >= len(sentences) or sentences[fresh][1] - sentences[fresh - repeat][0] > size
        ):
            repeat -= 1
        first = fresh - repeat
    return groups
