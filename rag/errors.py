"""The exceptions survey-rag raises, in one tree.

    SurveyRagError
    ├── InputError          a question or a file the user gave is not usable
    │   ├── EmptyQuestion   (also a ValueError)
    │   ├── QuestionTooLong (also a ValueError)
    │   └── CorpusError     a report, metadata or table file is malformed; names file and line
    ├── IndexMissing        nothing is indexed where we looked; says how to build it
    ├── StoreUnavailable    the Chroma server (or folder) cannot be reached
    │   └── IndexBroken     the store answers, but its files are damaged; says how to rebuild
    ├── IngestBusy          another ingest is writing to the same index right now
    └── ModelError          the embedding model or the chat model failed to load or answer

The CLI turns each into a one-line message and exit code 2; the UI shows the message.
"""

from __future__ import annotations

from pathlib import Path


class SurveyRagError(Exception):
    """Base of every error survey-rag raises on purpose."""

    exit_code = 2


class InputError(SurveyRagError):
    """Something the user handed us cannot be used as it is."""


class EmptyQuestion(InputError, ValueError):
    def __init__(self) -> None:
        super().__init__("the question is empty: type a question about the report")


class QuestionTooLong(InputError, ValueError):
    def __init__(self, length: int, limit: int) -> None:
        super().__init__(
            f"the question is {length:,} characters long; the limit is {limit:,} characters"
        )
        self.length = length
        self.limit = limit


class CorpusError(InputError):
    """A corpus file is malformed. The message names the file and, where known, the line."""

    def __init__(self, path: Path | str, message: str, line: int | None = None) -> None:
        where = f"{path} line {line}" if line is not None else f"{path}"
        super().__init__(f"{where}: {message}")
        self.path = Path(path)
        self.line = line


class IndexMissing(SurveyRagError):
    """No usable index where the settings point."""


class StoreUnavailable(SurveyRagError):
    """The vector store cannot be reached."""


class IndexBroken(StoreUnavailable):
    """The index is there but cannot be read: damaged files, or a store that rejects reads."""


class IngestBusy(SurveyRagError):
    """Another ingest holds the writer lock of this index."""


class ModelError(SurveyRagError):
    """A model (embedding or chat) could not be loaded or did not answer."""
