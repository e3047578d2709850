"""PDF reports, through pypdf: the extracted text is the file's text, with words that a line end
hyphenated rejoined in the plain text ("infra-\\nstructure" reads "infrastructure")."""

from __future__ import annotations

import re
from pathlib import Path

from ingest.readers.base import Document, PlainBuilder
from rag.errors import CorpusError

# a lower-case word broken at a line end by a hyphen, continued in lower case on the next line
_HYPHENATED = re.compile(r"(?<=[a-z])-[ \t]*\n[ \t]*(?=[a-z])")


def extract_pdf(path: Path, shown: Path | str) -> str:
    """The text of every page of the PDF, pages separated by a blank line."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(path)
        if reader.is_encrypted:
            try:
                opened = bool(reader.decrypt(""))
            except Exception:  # pypdf raises several types for unsupported encryption
                opened = False
            if not opened:
                raise CorpusError(
                    shown,
                    "the PDF is encrypted: save an unlocked copy (or its text) and ingest that",
                )
        if not reader.pages:
            raise CorpusError(shown, "the PDF has no pages: export the report again")
        pages = [(page.extract_text() or "").strip() for page in reader.pages]
    except CorpusError:
        raise
    except Exception as e:  # pypdf's errors for a broken file are many and not one tree
        kind = "cannot read the PDF" if not isinstance(e, PdfReadError) else "not a readable PDF"
        raise CorpusError(shown, f"{kind}: {e}") from e
    text = "\n\n".join(p for p in pages if p)
    if not text.strip():
        raise CorpusError(
            shown,
            f"the PDF's {len(pages)} page(s) hold no text (scanned images?): run OCR on it first, "
            "or ingest a text export",
        )
    return text


def read_pdf_text(path: Path, raw: str) -> Document:
    """The extracted text ``raw`` of the PDF ``path`` as a Document."""
    b = PlainBuilder(raw)
    pos = 0
    for m in _HYPHENATED.finditer(raw):
        b.copy(pos, m.start())
        pos = m.end()
    b.copy(pos, len(raw))
    plain = "".join(b.chars)
    return Document(path, raw, plain, (*b.offsets, len(raw)), None, (), {})
