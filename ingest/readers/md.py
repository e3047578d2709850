"""Markdown reports: front matter read, markup stripped, every plain character mapped to the file.

What is indexed is what a reader sees: emphasis markers, link URLs, heading anchors
(``{#devenv}``), HTML tags and ``<style>``/``<script>`` blocks go; links keep their text and
images become their alt text, as a block of their own (the figure it describes). Headings,
list items and table rows are kept as structure (``Document.headings`` and ``blocks``) so
sections come from the headings and a list under a question can become one table.
"""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Any

from ingest.readers import adoc
from ingest.readers.base import BlockKind, Document, PlainBuilder
from rag.errors import CorpusError

# YAML front matter between "---" lines; TOML (Hugo, Zola) between "+++" lines
_FENCE_OPEN = re.compile(r"\A(?P<fence>---|\+\+\+)[ \t]*\n")
_FENCE_CLOSE = {
    "---": re.compile(r"^(?:---|\.\.\.)[ \t]*$", re.M),
    "+++": re.compile(r"^\+\+\+[ \t]*$", re.M),
}
# blocks that are not prose: masked with spaces so offsets do not move
_HIDDEN = re.compile(
    r"<(?P<tag>style|script|noscript|svg)\b.*?</(?P=tag)\s*>|<!--.*?-->", re.S | re.I
)
_HEADING = re.compile(r"^ {0,3}(?P<hashes>#{1,6})(?:[ \t]+(?P<title>.*?))?[ \t#]*$")
# "- item", "1. item"; AsciiDoc's nested "** item" and ordered ". item" too
_ITEM = re.compile(
    r"^(?P<indent>[ \t]*)(?P<marker>[-*+]|\d{1,3}[.)]|\*{2,5}|\.{1,5})[ \t]+(?P<body>\S.*)$"
)
_TABLE_SEPARATOR = re.compile(r"^[ \t]*\|?[ \t]*:?-+:?[ \t]*(?:\|[ \t]*:?-+:?[ \t]*)*\|?[ \t]*$")
_RULE = re.compile(r"^[ \t]*(?:(?:-[ \t]*){3,}|(?:\*[ \t]*){3,}|(?:_[ \t]*){3,}|=+|-+)[ \t]*$")
# a one-line paragraph underlined by "=" is a heading of level 1, by "-" of level 2 (setext)
_UNDERLINE = re.compile(r"^ {0,3}(?:(?P<one>=+)|-+)[ \t]*$")
_CODE_FENCE = re.compile(r"^[ \t]*(```|~~~)")
_QUOTE = re.compile(r"^[ \t]*(?:>[ \t]?)+")
# "[report]: https://..." defines where a [text][report] link points: no text of the report
_LINK_DEFINITION = re.compile(
    r"^ {0,3}\[[^\]]+\]:[ \t]*\S+(?:[ \t]+(?:\"[^\"]*\"|'[^']*'|\([^)]*\)))?[ \t]*$"
)
_IMAGE_LINE = re.compile(r"^[ \t]*(?:!\[[^\]]*\]\([^)]*\)|<img\b[^>]*>)[ \t]*$", re.I)
_INLINE = re.compile(
    r"""
    (?P<xref><<[^<>,\n]+(?:,(?P<xtext>[^<>\n]+))?>>)
    |(?P<macro>(?:https?://|link:|mailto:)[^\s\[\]]+\[(?P<mtext>[^\]\n]*)\])
    |(?P<img>!\[(?P<alt>[^\]]*)\]\((?:[^()\s]|\([^)]*\))*(?:[ \t]+"[^"]*")?\))
    |(?P<link>\[(?P<text>[^\]]+)\]\((?:[^()\s]|\([^)]*\))*(?:[ \t]+"[^"]*")?\))
    |(?P<ref>\[(?P<reftext>[^\]]+)\]\[[^\]]*\])
    |(?P<auto><(?:https?://|mailto:)[^>\s]+>)
    |(?P<htmlimg><img\b[^>]*>)
    |(?P<tag></?[A-Za-z][^>]*>)
    |(?P<anchor>[ \t]*\{[#:.][^}]*\})
    |(?P<esc>\\[\\`*_{}\[\]()#+\-.!|<>])
    |(?P<ent>&(?:[A-Za-z][A-Za-z0-9]*|\#\d+|\#x[0-9A-Fa-f]+);)
    |(?P<code>`+)
    |(?P<emph>\*{1,3}|~~|(?<![A-Za-z0-9])_{1,3}|_{1,3}(?![A-Za-z0-9]))
    """,
    re.X | re.I,
)
_ALT = re.compile(r"""\balt\s*=\s*(?:"(?P<d>[^"]*)"|'(?P<s>[^']*)')""", re.I)


def front_matter(path: Path, raw: str) -> tuple[dict[str, Any], int]:
    """The parsed YAML front matter of ``raw`` and where the body starts (0 without one)."""
    import yaml

    opened = _FENCE_OPEN.match(raw)
    if not opened:
        return {}, 0
    fence = opened.group("fence")
    closed = _FENCE_CLOSE[fence].search(raw, opened.end())
    if closed is None:
        raise CorpusError(
            path, f"front matter has no closing '{fence}' line: close it or remove it", 1
        )
    body = raw[opened.end() : closed.start()]
    if fence == "+++":
        import tomllib

        try:
            meta = tomllib.loads(body)
        except tomllib.TOMLDecodeError as exc:
            m = re.search(r"at line (\d+)", str(exc))
            line = int(m.group(1)) + 1 if m else 1
            problem = f"front matter is not valid TOML ({exc}): fix it"
            raise CorpusError(path, problem, line) from exc
        end = closed.end()
        return meta, end + 1 if raw[end : end + 1] == "\n" else end
    try:
        meta = yaml.safe_load(body)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 2 if mark is not None else 1
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise CorpusError(
            path, f"front matter is not valid YAML ({problem}): fix it", line
        ) from exc
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        raise CorpusError(path, "front matter must be 'key: value' lines, not a list or text", 2)
    end = closed.end()
    return meta, end + 1 if raw[end : end + 1] == "\n" else end


def _mask(raw: str, start: int, end: int) -> str:
    return raw[:start] + re.sub(r"[^\n]", " ", raw[start:end]) + raw[end:]


_WRAPPING = ("img", "link", "ref", "htmlimg", "tag")


def _unwrapped(work: str) -> str:
    """``work`` with the line breaks inside a link, image or tag made spaces: hard-wrapped
    Markdown breaks a link's text or an <img> tag over lines, and the reader strips markup
    line by line. Same length, so every offset still holds."""
    chars: list[str] | None = None
    for m in _INLINE.finditer(work):
        span = m.group(0)
        if "\n" not in span or m.lastgroup not in _WRAPPING:
            continue
        if any(not line.strip() for line in span.split("\n")[1:-1]) or "\n\n" in span:
            continue  # a blank line ends a paragraph: no link or tag runs across one
        chars = chars if chars is not None else list(work)
        for i in range(m.start(), m.end()):
            if chars[i] == "\n":
                chars[i] = " "
    return work if chars is None else "".join(chars)


def inline(b: PlainBuilder, work: str, start: int, end: int) -> None:
    """Append ``work[start:end]`` with its inline markup stripped."""
    pos = start
    for m in _INLINE.finditer(work, start, end):
        b.copy(pos, m.start())
        pos = m.end()
        if m.group("xref") is not None:  # AsciiDoc's <<id,text>>: its text, if it has one
            if m.group("xtext") is not None:
                inline(b, work, m.start("xtext"), m.end("xtext"))
        elif m.group("macro") is not None:  # AsciiDoc's https://host/page[text]
            inline(b, work, m.start("mtext"), m.end("mtext"))
        elif m.group("img") is not None:
            inline(b, work, m.start("alt"), m.end("alt"))
        elif m.group("link") is not None:
            inline(b, work, m.start("text"), m.end("text"))
        elif m.group("ref") is not None:
            inline(b, work, m.start("reftext"), m.end("reftext"))
        elif m.group("htmlimg") is not None:
            alt = _ALT.search(m.group("htmlimg"))
            if alt:
                group = "d" if alt.group("d") is not None else "s"
                a, z = m.start() + alt.start(group), m.start() + alt.end(group)
                if "&" in work[a:z]:
                    b.put(html.unescape(work[a:z]), a)
                else:
                    b.copy(a, z)
        elif m.group("esc") is not None:
            b.copy(m.start() + 1, m.end())
        elif m.group("ent") is not None:
            b.put(html.unescape(m.group("ent")), m.start())
        # auto links, tags, anchors, code ticks and emphasis markers are dropped
    b.copy(pos, end)


def _cells(line: str, offset: int) -> list[tuple[int, int]]:
    """Spans (in the file) of the cells of a table row, trimmed."""
    spans = []
    body_start = offset + len(line) - len(line.lstrip())
    body_end = offset + len(line.rstrip())
    text = line.strip()
    if text.startswith("|"):
        body_start += 1
        text = text[1:]
    if text.endswith("|") and not text.endswith("\\|"):
        body_end -= 1
    cell_start = body_start
    i = body_start
    full = line
    while i <= body_end:
        ch = full[i - offset] if i < body_end else "|"
        if ch == "|" and (i == body_start or full[i - offset - 1] != "\\"):
            a, z = cell_start, i
            while a < z and full[a - offset].isspace():
                a += 1
            while z > a and full[z - offset - 1].isspace():
                z -= 1
            spans.append((a, z))
            cell_start = i + 1
        i += 1
    return spans


def read_markdown(path: Path, raw: str) -> Document:
    """The Markdown file ``path`` (its text ``raw``) as a Document."""
    meta, body = front_matter(path, raw)
    work = _mask(raw, 0, body)
    if adoc.is_asciidoc(work[body:]):
        header, rest = adoc.read_header(work[body:])
        meta = {**header, **meta}
        work = work[:body] + adoc.as_markdown(rest)
    for m in _HIDDEN.finditer(work):
        work = _mask(work, m.start(), m.end())
    work = _unwrapped(work)
    b = PlainBuilder(raw)
    group = 0
    row_seps: list[int] = []  # where the last table row's cell separators are
    open_kind: BlockKind | None = None
    fenced = False
    paragraph_lines = 0  # lines of the open paragraph: only a one-line one can be a title
    offset = 0
    lines = work.split("\n")
    for line in lines:
        at = offset
        offset += len(line) + 1
        if _CODE_FENCE.match(line):
            fenced = not fenced
            b.end_block()
            open_kind = None
            continue
        if fenced:
            if line.strip():
                b.start_block("paragraph")
                b.copy(at + len(line) - len(line.lstrip()), at + len(line.rstrip()))
                b.end_block()
            continue
        quote = _QUOTE.match(line)
        if quote:
            line, at = line[quote.end() :], at + quote.end()
        if not line.strip():
            b.end_block()
            open_kind = None
            continue
        heading = _HEADING.match(line)
        if heading:
            b.end_block()
            open_kind = None
            if heading.group("title"):
                start = b.pos
                inline(b, work, at + heading.start("title"), at + heading.end("title"))
                b.heading(len(heading.group("hashes")), start, b.pos)
                b.end_block()
            continue
        if _TABLE_SEPARATOR.match(line) and "-" in line and open_kind == "row":
            if "|" in line:  # the row above is the table's header
                last = b.blocks[-1] if b.blocks else None
                if last is not None and last.kind == "row" and last.group == group:
                    from dataclasses import replace

                    b.blocks[-1] = replace(last, kind="header")
                    for at_sep in row_seps:  # column names are a list, not "label: value"
                        b.chars[at_sep] = ","
                continue
        underline = _UNDERLINE.match(line)
        if underline and open_kind == "paragraph" and paragraph_lines == 1:
            b.block_to_heading(1 if underline.group("one") else 2)
            open_kind = None
            continue
        if _RULE.match(line) or _LINK_DEFINITION.match(line):
            b.end_block()
            open_kind = None
            continue
        if line.lstrip().startswith("|"):
            if open_kind != "row":
                group += 1
            b.start_block("row", group)
            open_kind = "row"
            cells = _cells(line, at)
            row_seps = []
            for i, (a, z) in enumerate(cells):
                if i:
                    row_seps.append(b.pos)
                    b.put(": " if i == 1 else "; ", a)
                inline(b, work, a, z)
            b.end_block()
            continue
        item = _ITEM.match(line)
        if item:
            if open_kind != "item":
                group += 1
            b.start_block("item", group)
            open_kind = "item"
            inline(b, work, at + item.start("body"), at + len(line.rstrip()))
            continue
        adoc_image = adoc.IMAGE_LINE.match(line)
        if adoc_image:
            b.start_block("figure")
            inline(b, work, at + adoc_image.start("alt"), at + adoc_image.end("alt"))
            b.end_block()
            open_kind = None if open_kind != "item" else open_kind
            continue
        if _IMAGE_LINE.match(line):
            b.start_block("figure")
            inline(b, work, at + len(line) - len(line.lstrip()), at + len(line.rstrip()))
            b.end_block()
            open_kind = None if open_kind != "item" else open_kind
            continue
        lead = len(line) - len(line.lstrip())
        if open_kind in ("paragraph", "item") and not b.ends_with_space():
            b.put("\n", at - 1)  # the line break inside a paragraph or list item
            paragraph_lines += 1
        elif open_kind not in ("paragraph", "item"):
            b.start_block("paragraph")
            open_kind = "paragraph"
            paragraph_lines = 1
        else:
            paragraph_lines += 1
        inline(b, work, at + lead, at + len(line.rstrip()))
    return b.build(path, meta)
