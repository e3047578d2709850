"""The one type every reader returns, and the builder that keeps plain text mapped to the file."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from rag.text.offsets import compress

BlockKind = Literal["paragraph", "item", "row", "header", "figure"]


@dataclass(frozen=True)
class Heading:
    """A heading of the document: its level (1-6), title, and plain span of its text."""

    level: int
    title: str
    start: int
    end: int


@dataclass(frozen=True)
class Block:
    """A structural block of the plain text: a paragraph, list item, table row or image text."""

    kind: BlockKind
    start: int
    end: int
    group: int = 0  # blocks of one list or one table share a group number


@dataclass(frozen=True)
class Document:
    """A report file read: the file's text, the plain text indexed, and the map between them.

    ``offsets[i]`` is the index in ``raw`` of ``plain[i]`` (len(plain) + 1 entries, the last one
    is the file's end). ``headings`` is None for formats without heading markup (plain text,
    PDF), whose sections are found by layout heuristics instead.
    """

    path: Path
    raw: str
    plain: str
    offsets: tuple[int, ...]
    headings: tuple[Heading, ...] | None = None
    blocks: tuple[Block, ...] = ()
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def identity(self) -> bool:
        """The plain text is the file's text, character for character."""
        return self.plain == self.raw

    def raw_span(self, start: int, end: int) -> tuple[int, int]:
        """The file span of the plain span ``[start, end)``."""
        if end <= start:
            at = self.offsets[start]
            return at, at
        return self.offsets[start], self.offsets[end - 1] + 1

    def runs(self) -> tuple[tuple[int, int], ...]:
        """The plain-to-file map as runs (see rag.text.offsets); empty when plain is the file."""
        return () if self.identity else compress(self.offsets[: len(self.plain)])


def identity_document(path: Path, text: str, meta: dict[str, Any] | None = None) -> Document:
    """A document whose plain text is its file text."""
    return Document(path, text, text, tuple(range(len(text) + 1)), None, (), meta or {})


class PlainBuilder:
    """Appends plain text while recording, for each character, where it came from in the file."""

    def __init__(self, raw: str) -> None:
        self.raw = raw
        self.chars: list[str] = []
        self.offsets: list[int] = []
        self.headings: list[Heading] = []
        self.blocks: list[Block] = []
        self._block_start: int | None = None
        self._block_kind: BlockKind = "paragraph"
        self._group = 0

    @property
    def pos(self) -> int:
        return len(self.chars)

    def copy(self, start: int, end: int) -> None:
        """Append ``raw[start:end]`` verbatim."""
        self.chars.extend(self.raw[start:end])
        self.offsets.extend(range(start, end))

    def put(self, text: str, at: int) -> None:
        """Append ``text`` (decoded, or a separator) standing for file index ``at``."""
        self.chars.extend(text)
        self.offsets.extend([at] * len(text))

    def ends_with_space(self) -> bool:
        return not self.chars or self.chars[-1].isspace()

    def trim_end(self) -> None:
        while self.chars and self.chars[-1] in " \t":
            self.chars.pop()
            self.offsets.pop()

    def start_block(self, kind: BlockKind = "paragraph", group: int = 0) -> None:
        """Open a block; text appended until end_block belongs to it."""
        self.end_block()
        self._block_start, self._block_kind, self._group = self.pos, kind, group

    def end_block(self) -> None:
        """Close the open block and separate it from the next by a blank line."""
        self.trim_end()
        if self._block_start is not None and self.pos > self._block_start:
            self.blocks.append(Block(self._block_kind, self._block_start, self.pos, self._group))
        self._block_start = None
        self.paragraph_break()

    def paragraph_break(self) -> None:
        """A blank line, unless the text already ends with one (or is empty)."""
        self.trim_end()
        if not self.chars:
            return
        at = self.offsets[-1] + 1
        while not "".join(self.chars[-2:]) == "\n\n":
            self.put("\n", at)

    def block_to_heading(self, level: int) -> None:
        """The open block is a heading: a title underlined by "===" or "---" (setext)."""
        start, self._block_start = self._block_start, None
        self.trim_end()
        if start is not None:
            self.heading(level, start, self.pos)
        self.end_block()

    def heading(self, level: int, start: int, end: int) -> None:
        """Record the plain span ``[start, end)`` as a heading."""
        title = " ".join("".join(self.chars[start:end]).split())
        if title:
            self.headings.append(Heading(level, title, start, end))

    def build(self, path: Path, meta: dict[str, Any] | None = None) -> Document:
        self.end_block()
        while self.chars and self.chars[-1].isspace():
            self.chars.pop()
            self.offsets.pop()
        plain = "".join(self.chars)
        offsets = (*self.offsets, len(self.raw))
        return Document(
            path, self.raw, plain, offsets, tuple(self.headings), tuple(self.blocks), meta or {}
        )
