"""Plain-text reports: the plain text is the file's text."""

from __future__ import annotations

from pathlib import Path

from ingest.readers.base import Document, identity_document


def read_text(path: Path, raw: str) -> Document:
    """The text file ``path`` (its text ``raw``) as a Document."""
    return identity_document(path, raw)
