"""HTML reports, read with the standard library's HTML parser (not patterns over the markup).

Scripts, styles and navigation are skipped; h1-h6 become headings; paragraphs, list items and
table rows become blocks (a row's cells joined as "label: value; value"); an image's alt text
is kept as a block of its own, the figure it describes. Every plain character maps back to the
file, so a citation highlights the right span of the page.
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from ingest.readers.base import BlockKind, Document, PlainBuilder

_SKIP = frozenset("script style nav noscript template svg head button select form iframe".split())
_VOID = frozenset("area base br col embed hr img input link meta source track wbr".split())
_HEADINGS = {f"h{i}": i for i in range(1, 7)}
_BLOCKS = frozenset(
    """p div section article main aside header footer blockquote figure figcaption ul ol dl dd
    dt table thead tbody tfoot caption pre address details summary center""".split()
)
_SPACE = re.compile(r"\s+")


class _Reader(HTMLParser):
    def __init__(self, raw: str) -> None:
        super().__init__(convert_charrefs=False)
        self.raw = raw
        self.b = PlainBuilder(raw)
        self.line_starts = [0] + [m.end() for m in re.finditer("\n", raw)]
        self.skip_depth = 0
        self.skip_stack: list[str] = []
        self.heading: tuple[int, int] | None = None  # (level, plain start)
        self.cell = 0
        self.group = 0
        self.kind: BlockKind | None = None
        self.meta: dict[str, Any] = {}
        self.in_title = False
        self.title_parts: list[str] = []

    def _at(self) -> int:
        line, col = self.getpos()
        return self.line_starts[line - 1] + col

    def _open(self, kind: BlockKind, group: int = 0) -> None:
        self.b.start_block(kind, group)
        self.kind = kind

    def _close(self) -> None:
        self.b.end_block()
        self.kind = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "title":
            self.in_title = True
        if tag == "meta":
            self._meta(dict(attrs))
        if self.skip_stack:
            if tag == self.skip_stack[-1] and tag not in _VOID:
                self.skip_stack.append(tag)
            return
        if tag in _SKIP and tag not in _VOID:
            self.skip_stack.append(tag)
            return
        at = self._at()
        if tag in _HEADINGS:
            self._close()
            self.heading = (_HEADINGS[tag], self.b.pos)
        elif tag in ("ul", "ol", "table"):
            self._close()
            self.group += 1
        elif tag == "li":
            self._open("item", self.group)
        elif tag == "tr":
            self._open("row", self.group)
            self.cell = 0
        elif tag in ("td", "th"):
            if self.kind not in ("row", "header"):
                self._open("row", self.group)
            if tag == "th" and self.cell == 0:
                self.kind = "header"
                self.b._block_kind = "header"
            if self.cell:
                self.b.trim_end()
                # column names are a list; a data row reads "label: value; value"
                header = self.kind == "header" or tag == "th"
                self.b.put(", " if header else ": " if self.cell == 1 else "; ", at)
            self.cell += 1
        elif tag == "img":
            alt = (dict(attrs).get("alt") or "").strip()
            if alt:
                kind = self.kind
                if kind is None and self.heading is None:
                    self._open("figure")
                elif not self.b.ends_with_space():
                    self.b.put(" ", at)
                self._text(alt, self._attr_start(at, alt))
                if kind is None and self.heading is None:
                    self._close()
        elif tag == "br":
            if not self.b.ends_with_space():
                self.b.put("\n", at)
        elif tag in _BLOCKS or tag == "hr":
            if self.kind in ("row", "header") and tag not in ("table",):
                return  # a paragraph inside a table cell stays in its row
            self._close()

    def _attr_start(self, tag_start: int, value: str) -> int | None:
        """Where an attribute's value starts in the file, if it is written there verbatim."""
        tag_end = self.raw.find(">", tag_start)
        found = self.raw.find(value, tag_start, tag_end if tag_end > 0 else None)
        return found if found >= 0 else None

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self.in_title = False
        if self.skip_stack:
            if tag == self.skip_stack[-1]:
                self.skip_stack.pop()
            return
        if tag in _HEADINGS and self.heading is not None:
            level, start = self.heading
            self.b.trim_end()
            self.b.heading(level, start, self.b.pos)
            self.heading = None
            self._close()
        elif tag in ("li", "tr"):
            self._close()
        elif tag in _BLOCKS and self.kind not in ("row", "header", "item"):
            self._close()
        elif tag in ("ul", "ol", "table"):
            self._close()

    def handle_data(self, data: str) -> None:
        if self.in_title:
            self.title_parts.append(data)
        if self.skip_stack:
            return
        self._text(data, self._at())

    def _text(self, data: str, at: int | None) -> None:
        """Append text with its whitespace collapsed; ``at`` is where it starts in the file."""
        if self.kind is None and self.heading is None and data.strip():
            self._open("paragraph")
        pos = 0
        for m in _SPACE.finditer(data):
            self._chunk(data, pos, m.start(), at)
            if not self.b.ends_with_space():
                self.b.put(" ", (at or 0) + m.start() if at is not None else self.b.offsets[-1])
            pos = m.end()
        self._chunk(data, pos, len(data), at)

    def _chunk(self, data: str, a: int, z: int, at: int | None) -> None:
        if z <= a:
            return
        if at is None:
            self.b.put(data[a:z], self.b.offsets[-1] if self.b.offsets else 0)
        else:
            self.b.copy(at + a, at + z)

    def _entity(self, text: str) -> None:
        if self.in_title:
            self.title_parts.append(html.unescape(text))
        if self.skip_stack:
            return
        if self.kind is None and self.heading is None:
            self._open("paragraph")
        self.b.put(html.unescape(text), self._at())

    def handle_entityref(self, name: str) -> None:
        self._entity(f"&{name};")

    def handle_charref(self, name: str) -> None:
        self._entity(f"&#{name};")

    def _meta(self, attrs: dict[str, str | None]) -> None:
        name = (attrs.get("name") or attrs.get("property") or "").lower()
        content = attrs.get("content")
        if not content:
            return
        if name in ("author", "dc.creator"):
            self.meta.setdefault("authors", content)
        elif name in ("date", "dc.date", "article:published_time", "citation_publication_date"):
            self.meta.setdefault("date", content)
        elif name in ("og:title", "dc.title"):
            self.meta.setdefault("og_title", content)


def read_html(path: Path, raw: str) -> Document:
    """The HTML file ``path`` (its text ``raw``) as a Document."""
    reader = _Reader(raw)
    reader.feed(raw)
    reader.close()
    meta = dict(reader.meta)
    title = " ".join("".join(reader.title_parts).split())
    if title:
        meta.setdefault("html_title", title)
    return reader.b.build(path, meta)
