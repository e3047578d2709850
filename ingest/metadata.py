"""Which file in a report folder is the report, and what its optional report.toml says."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

from rag.errors import CorpusError

# First match wins, so a folder holding both a PDF and its text extraction uses the text.
REPORT_FILES = ("report.txt", "report.md", "report.pdf")
METADATA_FILE = "report.toml"
_TOML_LINE = re.compile(r"at line (\d+)")


def report_file(folder: Path) -> Path:
    """The report file inside ``folder``; CorpusError if the folder or the file is missing."""
    if not folder.is_dir():
        raise CorpusError(folder, "no such report folder: check the path or SURVEY_RAG_CORPUS_DIR")
    for name in REPORT_FILES:
        path = folder / name
        if path.is_file():
            return path
    raise CorpusError(folder, f"no report file: add one of {', '.join(REPORT_FILES)}")


def read_metadata(folder: Path) -> dict[str, Any]:
    """The parsed report.toml of ``folder``, or {} when the report has none."""
    path = folder / METADATA_FILE
    if not path.is_file():
        return {}
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as e:
        raise CorpusError(path, f"not valid UTF-8 at byte {e.start}: save it as UTF-8") from e
    except tomllib.TOMLDecodeError as e:
        m = _TOML_LINE.search(str(e))
        raise CorpusError(path, f"not valid TOML: {e}", int(m.group(1)) if m else None) from e
