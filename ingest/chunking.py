"""Sentence-aligned chunks that never cross a section boundary.

Reports extracted from PDFs glue sentences together ("users.Regular people", "?Are
companies"), so a sentence ends at ``.``, ``?`` or ``!`` followed by a capital letter or an
opening quote even without a space, but not inside numbers ("3.5") or after an abbreviation
("e.g.", "U.S.", "Dr."). A chunk is a run of whole sentences of about ``size`` characters;
the next chunk repeats the last ``overlap`` sentences so a figure and its context stay together.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence

from rag.types import Chunk, Section

CHUNK_SIZE = 400
CHUNK_OVERLAP = 1  # sentences repeated at the start of the next chunk
CHUNKER_VERSION = "sentences-v1"  # bump when the splitting rules change: it is in the fingerprint

# a run of terminators, then closing quotes/brackets that belong to the sentence
_END = re.compile(r"[.?!]+[”’)\]]*")
_OPENERS = "“‘\"'("
_CLOSERS_AMBIGUOUS = "\"'"
# words that end with a period without ending a sentence
_ABBREVIATIONS = frozenset(
    "mr mrs ms dr prof sr jr st vs approx fig figs no nos vol pp dept est ca cf al".split()
)
_PARAGRAPH = re.compile(r"\n[ \t]*\n")


def split_sentences(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """The ``(start, end)`` spans of the sentences in ``text[start:end]``, whitespace trimmed."""
    end = len(text) if end is None else end
    spans: list[tuple[int, int]] = []
    # a blank line always ends a sentence, even one without a terminator (a heading, a list)
    cursor = start
    for match in _PARAGRAPH.finditer(text, start, end):
        spans.extend(_split_paragraph(text, cursor, match.start()))
        cursor = match.end()
    spans.extend(_split_paragraph(text, cursor, end))
    return spans


def _split_paragraph(text: str, start: int, end: int) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    sentence_start = start
    for match in _END.finditer(text, start, end):
        stop = match.end()
        # a straight quote right after the terminator closes the sentence only if a space follows
        while (
            stop < end
            and text[stop] in _CLOSERS_AMBIGUOUS
            and _is_space_or_end(text, stop + 1, end)
        ):
            stop += 1
        if _is_boundary(text, match.start(), stop, end):
            spans.append((sentence_start, stop))
            sentence_start = stop
    spans.append((sentence_start, end))
    return [trimmed for span in spans if (trimmed := _trim(text, *span))]


def _is_space_or_end(text: str, index: int, end: int) -> bool:
    return index >= end or text[index].isspace()


def _is_boundary(text: str, mark: int, stop: int, end: int) -> bool:
    if stop >= end:
        return True
    following = text[stop]
    if following.isspace():
        nxt = stop
        while nxt < end and text[nxt].isspace():
            nxt += 1
        if nxt < end and text[nxt].islower():
            return False  # "e.g. the", "approx. ten": the sentence goes on
    elif not (following.isupper() or following in _OPENERS):
        return False  # "3.5", "clear.ml", "GPT-3.5/4"
    if text[mark] == "." and _is_abbreviation(text, mark):
        return False
    return True


def _is_abbreviation(text: str, period: int) -> bool:
    word_start = period
    while word_start > 0 and text[word_start - 1].isalpha():
        word_start -= 1
    word = text[word_start:period]
    if len(word) == 1:
        return True  # initials and dotted acronyms: "U.S.", "J. Smith", "e.g."
    return word.lower() in _ABBREVIATIONS


def _trim(text: str, start: int, end: int) -> tuple[int, int] | None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return (start, end) if start < end else None


def chunk_id(report_id: str, start: int, end: int, text: str) -> str:
    """A stable id for a passage: the same text at the same place keeps its id."""
    digest = hashlib.sha256(f"{report_id}|{start}|{end}|{text}".encode())
    return digest.hexdigest()[:16]


def leaf_spans(sections: Sequence[Section], text_length: int) -> list[tuple[str, int, int]]:
    """``(title, start, end)`` pieces of text, each owned by the innermost section covering it."""
    cuts = sorted({0, text_length} | {s.start for s in sections} | {s.end for s in sections})
    pieces: list[tuple[str, int, int]] = []
    for start, end in zip(cuts, cuts[1:], strict=False):
        owners = [s for s in sections if s.start <= start and end <= s.end]
        if not owners or start >= end:
            continue  # text outside every section (e.g. a trailing block of web addresses)
        owner = min(owners, key=lambda s: s.end - s.start)
        if pieces and pieces[-1][0] == owner.title and pieces[-1][2] == start:
            pieces[-1] = (owner.title, pieces[-1][1], end)
        else:
            pieces.append((owner.title, start, end))
    return pieces


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
