"""AsciiDoc read by the Markdown reader: its markup rewritten, character for character, into
the Markdown the reader knows.

Blogs built with Asciidoctor or JBake (many language and project sites) publish survey results
as AsciiDoc, often saved with a ``.md`` name. Its headings (``== Title``), header lines (author,
date, ``:attribute:`` entries), anchors (``[[id]]``), directives (``ifdef::...[]``) and block
delimiters have no Markdown meaning; left alone they make one section of the whole report and
read dates in the header as figures. Every rewrite keeps the text's length, so each character
of the plain text still maps to its place in the file.
"""

from __future__ import annotations

import re
from typing import Any

# "= Title" opens a document; "== Section" to "====== Sub" are its headings
_TITLE = re.compile(r"\A\s*=[ \t]+(?P<title>\S[^\n]*)\n")
_HEADING = re.compile(r"^(?P<marks>={1,6})(?=[ \t]+\S)", re.M)
_MARKDOWN_HEADING = re.compile(r"^ {0,3}#{1,6}[ \t]+\S", re.M)
# lines that are markup alone: attribute entries, preprocessor directives, block anchors and
# attribute lists, comments, and the delimiters of listing, example, sidebar and quote blocks
_MARKUP_LINE = re.compile(
    r"^(?::!?[\w-]+!?:.*"
    r"|(?:ifdef|ifndef|ifeval|endif|include)::.*"
    r"|\[\[?[^\]\n]*\]\]?"
    r"|//.*"
    r"|(?:-{4,}|\.{4,}|={4,}|\*{4,}|_{4,}|\+{4,})"
    r")[ \t]*$",
    re.M,
)
# "image::/images/use.jpg[Language use]": a chart, shown by its alt text
IMAGE_LINE = re.compile(r"^[ \t]*image::?[^\[\s]*\[(?P<alt>[^\],\]]*)[^\]\n]*\][ \t]*$")
# a revision line of the header: "2017-01-31", "v1.2, 2017-01-31: draft"
_DATE = re.compile(r"(?:^v?[\d.]+,\s*)?(?P<date>\d{4}-\d{2}-\d{2}|\d{4})\b")


def is_asciidoc(text: str) -> bool:
    """Whether ``text`` is AsciiDoc: a "= Title" first line, or "==" headings and no "#" one."""
    if _TITLE.match(text):
        return True
    return len(_HEADING.findall(text)) >= 2 and not _MARKDOWN_HEADING.search(text)


def _masked(text: str, start: int, end: int) -> str:
    return text[:start] + re.sub(r"[^\n]", " ", text[start:end]) + text[end:]


def read_header(text: str) -> tuple[dict[str, Any], str]:
    """The header's title, author and date, and ``text`` with the header lines after the
    title masked (the title stays, as the document's top heading)."""
    opened = _TITLE.match(text)
    if not opened:
        return {}, text
    meta: dict[str, Any] = {"title": opened.group("title").strip()}
    end = text.find("\n\n", opened.end())
    end = len(text) if end < 0 else end
    lines = text[opened.end() : end].split("\n")
    for i, line in enumerate(lines):
        line = line.strip()
        if not line or line.startswith(":"):
            continue
        date = _DATE.match(line)
        if date and "date" not in meta:
            meta["date"] = date.group("date")
        elif i == 0 and "author" not in meta:
            meta["author"] = line.split("<")[0].strip()  # "Name <mail@host>"
    return meta, _masked(text, opened.end(), end)


def as_markdown(text: str) -> str:
    """``text`` with AsciiDoc headings made Markdown ones and its markup-only lines masked;
    the same length, line for line."""
    text = _HEADING.sub(lambda m: "#" * len(m.group("marks")), text)
    for m in reversed(list(_MARKUP_LINE.finditer(text))):
        text = _masked(text, m.start(), m.end())
    return text
