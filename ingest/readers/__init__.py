"""Readers by format: each turns a report file into one ``Document`` (see ``base``)."""

from __future__ import annotations

from pathlib import Path

from ingest.readers.base import Block, Document, Heading
from rag.errors import CorpusError

__all__ = ["READERS", "Block", "Document", "Heading", "read_document"]

READERS = (".md", ".markdown", ".adoc", ".asciidoc", ".txt", ".text", ".html", ".htm", ".pdf")


def _decode(path: Path, shown: Path | str, data: bytes) -> str:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = data[: e.start].count(b"\n") + 1
        raise CorpusError(
            shown, f"not valid UTF-8 at byte {e.start}: save the file as UTF-8", line
        ) from e
    return text.replace("\r\n", "\n").replace("\r", "\n")


def read_document(path: Path, shown: Path | str | None = None) -> Document:
    """The report file ``path`` read by the reader for its format; CorpusError names the file."""
    shown = shown if shown is not None else path
    suffix = path.suffix.lower()
    if suffix not in READERS:
        raise CorpusError(
            shown, f"unknown report format {suffix!r}: use one of {', '.join(READERS)}"
        )
    if suffix == ".pdf":
        from ingest.readers.pdf import extract_pdf, read_pdf_text

        doc = read_pdf_text(path, extract_pdf(path, shown))
    else:
        raw = _decode(path, shown, path.read_bytes())
        if suffix in (".md", ".markdown", ".adoc", ".asciidoc"):
            from ingest.readers.md import read_markdown

            doc = read_markdown(Path(shown), raw)
        elif suffix in (".html", ".htm"):
            from ingest.readers.html import read_html

            doc = read_html(Path(shown), raw)
        else:
            from ingest.readers.txt import read_text

            doc = read_text(path, raw)
    if not doc.plain.strip():
        what = (
            "the page has no text outside markup"
            if suffix in (".html", ".htm")
            else ("the report is empty")
        )
        raise CorpusError(shown, f"{what}: it has no text to answer from")
    return doc
