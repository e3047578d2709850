"""Report sentences: the one splitter behind chunks, quoted passages and sentence vectors.

Reports extracted from PDFs glue sentences together ("users.Regular people", "?Are
companies"), so a sentence ends at ``.``, ``?`` or ``!`` followed by a capital letter or an
opening quote, with or without a space, but not inside numbers ("3.5") or after an
abbreviation ("e.g.", "U.S.", "Dr."). Closing quotes and brackets stay with the sentence they
close. A figure after a full stop ("staggering. 20% saw losses") does not start a sentence, so
figures keep the words that introduce them. A blank line always ends a sentence, and so does
the line break after a heading line ("## Results", "Key Findings"), but a line break inside a
sentence ("open source\nwork") does not.

``report_sentences`` splits a whole report: never across a section boundary, nothing outside
every section, and a heading glued to the sentence after it ("DemographyTo start with") cut off.
Ingest stores these sentences with their vectors; the answerer quotes them.
"""

from __future__ import annotations

import heapq
import re
from collections.abc import Sequence

from rag.text.numbers import LAST_EDITION
from rag.types import Section, Sentence

# a run of terminators, then closing quotes/brackets that belong to the sentence
_END = re.compile(r"[.?!]+[”’)\]]*")
_OPENERS = "“‘\"'("
_CLOSERS_AMBIGUOUS = "\"'"
# words that end with a period without ending a sentence
_ABBREVIATIONS = frozenset(
    "mr mrs ms dr prof sr jr st vs approx fig figs no nos vol pp dept est ca cf al".split()
)
_PARAGRAPH = re.compile(r"\n[ \t]*\n")
# A heading line ends a sentence at its line break: a Markdown heading, or a short title-case
# line without closing punctuation ("Key Findings"), as ingest.sections recognises them.
_MARKDOWN_HEADING = re.compile(r"[ \t]*#{1,6}[ \t]")
_SMALL_WORDS = frozenset("of and the to in for on at a an &".split())
# a list item's marker at a line start: "- ", "* ", "• ", "1. ", "2) "
_LIST_MARKER = re.compile(r"[ \t]*(?:[-*+•·▪◦–]|\d{1,3}[.)])[ \t]+(?=\S)")
_HEADING_WORDS = 8


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
    cuts = sorted(set(_heading_line_ends(text, start, end)) | set(_item_starts(text, start, end)))
    for cut in cuts:
        spans.extend(_split_lines(text, sentence_start, cut))
        sentence_start = cut
    spans.extend(_split_lines(text, sentence_start, end))
    return [trimmed for span in spans if (trimmed := _trim(text, *span))]


def _item_starts(text: str, start: int, end: int) -> list[int]:
    """Where the list items of ``text[start:end]`` start, past their markers."""
    starts = []
    line_start = start
    while line_start < end:
        if line_start == 0 or text[line_start - 1] == "\n":
            m = _LIST_MARKER.match(text, line_start, end)
            if m:
                starts.append(line_start)
        newline = text.find("\n", line_start, end)
        if newline < 0:
            break
        line_start = newline + 1
    return starts


def _heading_line_ends(text: str, start: int, end: int) -> list[int]:
    """Ends of the heading lines in ``text[start:end]`` that a capitalised line follows."""
    ends = []
    line_start = start
    while (newline := text.find("\n", line_start, end)) >= 0:
        nxt = newline + 1
        while nxt < end and text[nxt] in " \t":
            nxt += 1
        whole_line = line_start == 0 or text[line_start - 1] == "\n"
        opens = nxt < end and (text[nxt].isupper() or text[nxt] in _OPENERS + "#")
        if whole_line and opens and _is_heading(text[line_start:newline]):
            ends.append(newline)
        line_start = newline + 1
    return ends


def _is_heading(line: str) -> bool:
    if _MARKDOWN_HEADING.match(line):
        return True
    words = line.split()
    return (
        0 < len(words) <= _HEADING_WORDS
        and words[0][0].isupper()
        and words[-1][-1] not in ".,;:?!"
        and all(w[0].isupper() or w[0].isdigit() or w in _SMALL_WORDS for w in words)
    )


def _split_lines(text: str, start: int, end: int) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    sentence_start = start
    marker = _LIST_MARKER.match(text, start, end)
    if marker and (start == 0 or text[start - 1] == "\n"):
        # "1. Linux" is a list item, not the sentence "1."
        sentence_start = start = marker.end()
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
    return spans


def _is_space_or_end(text: str, index: int, end: int) -> bool:
    return index >= end or text[index].isspace()


def _is_boundary(text: str, mark: int, stop: int, end: int) -> bool:
    if stop >= end:
        return True
    nxt = stop
    while nxt < end and text[nxt].isspace():
        nxt += 1
    heading = text[nxt : nxt + 1] == "#" and "\n" in text[stop:nxt]
    # "exceed 100%. 87% of": a figure after a sentence end and a space starts a sentence
    figure = nxt > stop and text[mark] in ".?!" and _starts_figure(text, nxt, end)
    if nxt < end and not (text[nxt].isupper() or text[nxt] in _OPENERS or heading or figure):
        # "e.g. the", "3.5", "clear.ml", "GPT-3.5/4": the sentence goes on
        return False
    if text[mark] == "." and _is_abbreviation(text, mark):
        return False
    return True


def _starts_figure(text: str, index: int, end: int) -> bool:
    """A figure starts at ``index``: "87%", "$50M", "1,000 firms"."""
    if text[index : index + 1] == "$":
        index += 1
    return index < end and text[index].isdigit()


def _is_abbreviation(text: str, period: int) -> bool:
    word_start = period
    while word_start > 0 and text[word_start - 1].isalpha():
        word_start -= 1
    word = text[word_start:period]
    if len(word) == 1:
        # initials and dotted acronyms ("U.S.", "J. Smith", "e.g."), not a unit ("$40M.")
        return not (word_start > 0 and text[word_start - 1].isdigit())
    return word.lower() in _ABBREVIATIONS


def _trim(text: str, start: int, end: int) -> tuple[int, int] | None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return (start, end) if start < end else None


def leaf_spans(sections: Sequence[Section], text_length: int) -> list[tuple[str, int, int]]:
    """``(title, start, end)`` pieces of text, each owned by the innermost section covering it."""
    cuts = sorted({0, text_length} | {s.start for s in sections} | {s.end for s in sections})
    # One sweep over the cuts with a heap of the sections opened so far, smallest first, so a
    # report with thousands of sections is not scanned once per cut.
    opening = sorted(range(len(sections)), key=lambda i: sections[i].start)
    heap: list[tuple[int, int]] = []  # (length, position in ``sections``)
    next_open = 0
    pieces: list[tuple[str, int, int]] = []
    for start, end in zip(cuts, cuts[1:], strict=False):
        while next_open < len(opening) and sections[opening[next_open]].start <= start:
            i = opening[next_open]
            heapq.heappush(heap, (sections[i].end - sections[i].start, i))
            next_open += 1
        # a section ending before this piece ends covers no later piece either
        while heap and sections[heap[0][1]].end < end:
            heapq.heappop(heap)
        if not heap or start >= end:
            continue  # text outside every section (e.g. a trailing block of web addresses)
        owner = sections[heap[0][1]]
        if pieces and pieces[-1][0] == owner.title and pieces[-1][2] == start:
            pieces[-1] = (owner.title, pieces[-1][1], end)
        else:
            pieces.append((owner.title, start, end))
    return pieces


def report_sentences(report_id: str, text: str, sections: Sequence[Section]) -> list[Sentence]:
    """The quotable sentences of a report, in text order, each inside one section.

    Without sections the whole text is one untitled section. Markdown heading lines are
    titles, not statements, so they are left out.
    """
    pieces = leaf_spans(sections, len(text)) if sections else [("", 0, len(text))]
    leaves = {leaf for s in sections if (leaf := s.title.split("›")[-1].strip())}
    lengths = sorted({len(leaf) for leaf in leaves}, reverse=True)
    sentences = []
    for title, lo, hi in pieces:
        for start, end in split_sentences(text, lo, hi):
            start = _after_glued_heading(text, start, end, leaves, lengths)
            if start < end and not text.startswith("#", start):
                sentences.append(Sentence(report_id, title, start, end, text[start:end]))
    return sentences


def _after_glued_heading(
    text: str, start: int, end: int, leaves: set[str], lengths: Sequence[int]
) -> int:
    """Where a sentence starts once a heading glued to it ("DemographyTo start") is cut off.

    ``lengths`` are the distinct lengths of ``leaves``, longest first: the longest title wins,
    with one set lookup per length rather than one comparison per title.
    """
    for n in lengths:
        cut = start + n
        if cut < end and text[start:cut] in leaves and text[cut].isupper():
            return cut
    return start


# A sentence that reports what respondents were asked ("We asked whether ...", "we asked our
# respondents in which country they live"), whose answers the next sentence gives.
_ASKED = re.compile(
    r"\b(?:asked|asking|ask)\b[^.?!]*?\b(?:whether|if|which|what|how|who|where|why|about)\b",
    re.I,
)


def asks_respondents(text: str) -> bool:
    """Whether a sentence puts a question to the respondents (a question, or "we asked
    whether ..."): what they answered stands in the sentence after it."""
    return text.rstrip().endswith("?") or _ASKED.search(text) is not None


# "Last year, 38% of respondents ...": a figure of an earlier edition of the survey
_EARLIER_EDITION = re.compile(rf"\b{LAST_EDITION}\b", re.I)
# "This year, that number is up to 46%": the figure's subject is in the sentence before
_BACK_REFERENCE = re.compile(
    r"\b(?:that|this|the\s+same)\s+(?:number|figure|share|proportion|percentage|rate)\b", re.I
)


def of_earlier_edition(sentence: str, at: int) -> bool:
    """Whether the words before position ``at`` (a figure's) put it in an earlier edition."""
    return bool(_EARLIER_EDITION.search(sentence, 0, at))


def refers_back(sentence: str, at: int | None = None) -> bool:
    """Whether the figure at ``at`` (or any in the sentence) is of a subject the sentence
    before names ("that number")."""
    return bool(_BACK_REFERENCE.search(sentence, 0, len(sentence) if at is None else at))


# "While X stays popular, Y rose to 22%", "X led, but no Y was over 8%": a clause set against
# another; its figures count what that clause names, not what the other names
_CONTRAST = re.compile(r",\s*(?:but|while|whereas|although|though|yet)\b|;", re.I)
_CONTRAST_LEAD = re.compile(r"^\W*(?:while|whereas|although|though)\b[^,]*,", re.I)
# "its share dropped": the figure's clause speaks of what the other clause names
_BACK_TO_OTHER = re.compile(r"\b(?:its|their|it|they)\b", re.I)


def own_clause(sentence: str, at: int) -> str | None:
    """The clause of ``sentence`` holding position ``at`` (a figure's) where the sentence sets
    two clauses against each other and that one does not point back to the other; else None."""
    cuts = [0]
    lead = _CONTRAST_LEAD.match(sentence)
    if lead is not None:
        cuts.append(lead.end())
    cuts += [m.start() for m in _CONTRAST.finditer(sentence)]
    cuts = sorted(set(cuts)) + [len(sentence)]
    if len(cuts) < 3:
        return None
    start = max(c for c in cuts[:-1] if c <= at)
    end = min(c for c in cuts[1:] if c > start)
    clause = sentence[start:end]
    return None if _BACK_TO_OTHER.search(clause) else clause


# "To start with, let's understand who we talked with", "Now let us turn to the results": the
# writer tells the reader where the text goes next and states nothing itself
_SIGNPOST = re.compile(
    r"\blet(?:['’]s|\s+us)\s+(?:\w+\s+){0,2}?(?:look|dive|turn|start|begin|understand|explore"
    r"|see|examine|review|move|get|go|walk|take)\b",
    re.I,
)


def signposts(text: str) -> bool:
    """Whether a sentence only announces what comes next ("let's look at who answered")."""
    return _SIGNPOST.search(text) is not None
