"""Split a report's text into titled sections, in text order, with spans into the text as loaded.

Plain-text reports exported from a designed PDF lose their heading layout: a heading ends up
glued to the first word after it ("DemographyTo start with"). We find such glued headings, and
headings standing on their own line, generically, so a user's report in the same style splits
too; report.toml, when present, names the headings to expect and adds topics inside a section,
each starting at a verbatim snippet. Markdown reports split at their ``#`` headings.

Section spans never include heading text or the surrounding whitespace, and the web-address
block a report ends with (``ai-infrastructure.org...``) belongs to no section.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ingest.metadata import METADATA_FILE, read_metadata, report_file
from rag.errors import CorpusError
from rag.types import ReportInfo, Section

SEP = " › "
DEFAULT_FIRST = "Introduction"
WHOLE_REPORT = "Report"

# A title-case run of words at a line start or right after a sentence end, whose last word is
# glued to the capitalised first word of the next sentence: ".DemographyTo start".
_SMALL = r"(?:of|and|the|to|in|for|on|at|a|an|&)"
_GLUED = re.compile(
    rf"(?:^|(?<=[.!?])|(?<=[.!?][”\"’)]))[ \t]*"
    rf"(?P<title>(?:[A-Z][a-z]+[ ](?:{_SMALL}[ ])*){{0,5}}[A-Z][a-z]+)"
    r"(?P<next>[A-Z][a-z]*)(?=[ \t,’'])",
    re.M,
)
# A short title-case line with no closing punctuation, between blank or finished lines.
_LINE = re.compile(r"^[ \t]*(?P<title>[A-Z][^\n]{0,70}?)[ \t]*$", re.M)
_MD = re.compile(r"^(?P<hashes>#{1,6})[ \t]+(?P<title>.+?)[ \t#]*$", re.M)
_URLISH = re.compile(
    r"^(?:https?://\S+|www\.\S+|[\w.-]+\.[a-z]{2,}(?:/\S*)?|[|•·–—-])$",
    re.I,
)


@dataclass(frozen=True)
class _Heading:
    title: str
    start: int  # where the heading text starts
    end: int  # where the section body starts


def body_end(text: str) -> int:
    """Where the report's body ends: before a trailing block of web-address lines, if any."""
    pos = len(text)
    found = False
    for line in reversed(text.splitlines(keepends=True)):
        tokens = line.split()
        if tokens and not (
            all(_URLISH.match(t) for t in tokens) and any("." in t or "/" in t for t in tokens)
        ):
            break
        found = found or bool(tokens)
        pos -= len(line)
    return len(text[:pos].rstrip()) if found else len(text)


def glued_headings(text: str, limit: int | None = None) -> list[_Heading]:
    """Headings glued to the next sentence ("QuestionsNow let’s dive"), in text order."""
    limit = len(text) if limit is None else limit
    candidates = []
    for m in _GLUED.finditer(text, 0, limit):
        title = m.group("title")
        candidates.append((title.rsplit(" ", 1)[-1] + m.group("next"), m))
    # A name such as "YouTube" recurs in the text; a glued heading occurs once. One pass over
    # the text counts every candidate, so a long report is not scanned once per match.
    seen = _word_prefix_counts(text, {glued for glued, _ in candidates})
    return [
        _Heading(m.group("title"), m.start("title"), m.end("title"))
        for glued, m in candidates
        if seen[glued] <= 1
    ]


# every candidate starts with a capital, so only words that do can start with one
_CAPITALISED_WORD = re.compile(r"(?<!\w)[A-Z]\w*")


def _word_prefix_counts(text: str, prefixes: set[str]) -> dict[str, int]:
    """How often each of ``prefixes`` (capitalised) starts a word of ``text``, as ``\\bPREFIX``."""
    counts = dict.fromkeys(prefixes, 0)
    lengths = sorted({len(p) for p in prefixes})
    if not lengths:
        return counts
    for m in _CAPITALISED_WORD.finditer(text):
        word = m.group()
        for n in lengths:
            if n > len(word):
                break
            head = word[:n]
            if head in counts:
                counts[head] += 1
    return counts


def line_headings(text: str, limit: int | None = None) -> list[_Heading]:
    """Short title-case lines standing on their own between paragraphs, in text order."""
    limit = len(text) if limit is None else limit
    found = []
    for m in _LINE.finditer(text, 0, limit):
        title = m.group("title")
        words = title.split()
        if len(words) > 8 or title[-1] in ".,;:!?" or not _title_case(words):
            continue
        # look only at the neighbouring characters: slicing the text before and after each
        # candidate would copy the whole report per line
        before = m.start()
        while before > 0 and text[before - 1] in " \t":
            before -= 1
        if before and not (
            text[before - 2 : before] == "\n\n" or _last_visible(text, before - 1) in ".!?:"
        ):
            continue
        after = m.end()
        while after < len(text) and text[after].isspace():
            after += 1
        if after == len(text) or not text[after].isupper():
            continue
        found.append(_Heading(title, m.start("title"), m.end("title")))
    return found


def _last_visible(text: str, end: int) -> str:
    """The last non-whitespace character of ``text[:end]``, or "" if there is none."""
    while end > 0 and text[end - 1].isspace():
        end -= 1
    return text[end - 1] if end else ""


def _title_case(words: Sequence[str]) -> bool:
    small = re.compile(rf"^{_SMALL}$")
    return all(w[0].isupper() or w[0].isdigit() or small.match(w) for w in words)


def _explicit_heading(text: str, heading: str, after: int, limit: int) -> _Heading | None:
    pattern = re.compile(
        rf"(?:^|(?<=[.!?])|(?<=[.!?][”\"’)]))[ \t]*(?P<h>{re.escape(heading)})(?=[A-Z]|[ \t]*\n)",
        re.M,
    )
    m = pattern.search(text, after, limit)
    return _Heading(heading, m.start("h"), m.end("h")) if m else None


def _trimmed(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _markdown_tops(text: str, limit: int) -> list[tuple[str, str | None, int, int]]:
    heads = [m for m in _MD.finditer(text, 0, limit)]
    levels = [len(m.group("hashes")) for m in heads]
    # A lone H1 at the top is the document's title, not a section to prefix every path with.
    skip_first = bool(heads) and levels.count(1) == 1 and levels[0] == 1
    tops: list[tuple[str, str | None, int, int]] = []
    # The text before the first section heading (after the title heading, if skipped).
    intro_start = heads[0].end() if skip_first else 0
    intro_end = (
        (heads[1].start() if len(heads) > 1 else limit)
        if skip_first
        else (heads[0].start() if heads else limit)
    )
    if text[intro_start:intro_end].strip():
        title = DEFAULT_FIRST if len(heads) > int(skip_first) else WHOLE_REPORT
        tops.append((title, None, intro_start, intro_end))
    stack: list[tuple[int, str]] = []
    for i, m in enumerate(heads):
        level, title = levels[i], m.group("title").strip()
        end = heads[i + 1].start() if i + 1 < len(heads) else limit
        if i == 0 and skip_first:
            continue
        while stack and stack[-1][0] >= level:
            stack.pop()
        parent = SEP.join(t for _, t in stack) or None
        stack.append((level, title))
        tops.append((SEP.join(t for _, t in stack), parent, m.end(), end))
    return tops


def markdown_title(text: str) -> str | None:
    """The text of a Markdown report's lone top-level heading, if it has exactly one."""
    h1 = [m.group("title").strip() for m in _MD.finditer(text) if len(m.group("hashes")) == 1]
    return h1[0] if len(h1) == 1 else None


def _plain_tops(
    text: str, limit: int, meta_sections: list[dict[str, Any]], meta_path: Path, name: str
) -> list[tuple[str, str | None, int, int]]:
    detected = sorted(
        glued_headings(text, limit) + line_headings(text, limit), key=lambda h: h.start
    )
    if meta_sections:
        heads: list[_Heading] = []
        first_title = DEFAULT_FIRST
        pos = 0
        for i, sec in enumerate(meta_sections):
            title = str(sec.get("title", "")).strip()
            if not title:
                raise CorpusError(meta_path, f"section {i + 1} has no title")
            heading = sec.get("heading")
            if heading is None:
                if i != 0:
                    raise CorpusError(
                        meta_path, f"section {title!r} needs a heading (only the first may omit it)"
                    )
                first_title = title
                continue
            match = next((h for h in detected if h.title == heading and h.start >= pos), None)
            match = match or _explicit_heading(text, str(heading), pos, limit)
            if match is None:
                raise CorpusError(
                    meta_path, f"heading {heading!r} of section {title!r} not found in {name}"
                )
            heads.append(_Heading(title, match.start, match.end))
            pos = match.end
    else:
        heads, first_title = detected, DEFAULT_FIRST
    tops: list[tuple[str, str | None, int, int]] = []
    first_end = heads[0].start if heads else limit
    if text[:first_end].strip():
        tops.append((first_title if heads else WHOLE_REPORT, None, 0, first_end))
    for i, h in enumerate(heads):
        end = heads[i + 1].start if i + 1 < len(heads) else limit
        tops.append((h.title, None, h.end, end))
    return tops


def _topics(meta_sections: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    return {
        str(sec.get("title", "")).strip(): list(sec.get("topics", []))
        for sec in meta_sections
        if sec.get("topics")
    }


def split_sections(
    text: str,
    *,
    markdown: bool = False,
    metadata: dict[str, Any] | None = None,
    metadata_path: Path | str = METADATA_FILE,
    report_name: str = "the report",
    outline: list[tuple[str, str | None, int, int]] | None = None,
) -> list[Section]:
    """Sections of ``text`` in order; pure, so a test can hand it any text and metadata.

    ``outline`` gives the top sections ``(title, parent, start, end)`` when a reader found them
    in the file's markup (Markdown, HTML headings); report.toml topics still apply inside them.
    """
    meta_path = Path(metadata_path)
    meta_sections = list((metadata or {}).get("sections", []))
    limit = body_end(text)
    if outline is not None:
        tops = outline
    elif markdown:
        tops = _markdown_tops(text, limit)
    else:
        tops = _plain_tops(text, limit, meta_sections, meta_path, report_name)
    topics = _topics(meta_sections)
    sections: list[Section] = []
    for title, parent, start, end in tops:
        start, end = _trimmed(text, start, end)
        marks: list[tuple[str, int]] = []
        for topic in topics.get(title, []):
            name, anchor = str(topic.get("title", "")).strip(), topic.get("starts_at")
            if not name or not anchor:
                raise CorpusError(meta_path, f"a topic of {title!r} needs a title and starts_at")
            at = text.find(anchor, start, end)
            if at < 0:
                raise CorpusError(
                    meta_path,
                    f"topic {name!r}: starts_at {anchor!r} not found inside section {title!r}",
                )
            if text.find(anchor, at + 1, end) >= 0:
                raise CorpusError(
                    meta_path, f"topic {name!r}: starts_at {anchor!r} occurs twice; quote more"
                )
            if marks and at <= marks[-1][1]:
                raise CorpusError(meta_path, f"topic {name!r} is listed out of text order")
            marks.append((name, at))
        head_end = marks[0][1] if marks else end
        s, e = _trimmed(text, start, head_end)
        if e > s:
            sections.append(Section(title, s, e, parent))
        for i, (name, at) in enumerate(marks):
            stop = marks[i + 1][1] if i + 1 < len(marks) else end
            s, e = _trimmed(text, at, stop)
            sections.append(Section(f"{title}{SEP}{name}", s, e, title))
    return sections


def load_sections(info: ReportInfo, text: str, folder: Path) -> list[Section]:
    """The sections of the report in ``folder`` (its text as loaded), in text order."""
    path = report_file(folder)
    metadata = read_metadata(folder)
    return split_sections(
        text,
        markdown=path.suffix == ".md",
        metadata=metadata,
        metadata_path=folder / METADATA_FILE,
        report_name=path.name,
    )


def section_at(sections: Sequence[Section], offset: int) -> Section:
    """The section holding ``offset``; a heading or gap belongs to the section after it."""
    if not sections:
        raise ValueError("no sections")
    for section in sections:
        if offset < section.end:
            return section
    return sections[-1]


def section_span(sections: Sequence[Section], title: str) -> tuple[int, int] | None:
    """The span of ``title`` with every section nested inside it, or None if there is none."""
    inside = [s for s in sections if s.title == title or s.title.startswith(title + SEP)]
    if not inside:
        return None
    return min(s.start for s in inside), max(s.end for s in inside)
