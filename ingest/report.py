"""One report, from a file or a folder: its document, metadata, identity and sections.

A report is a file (``results.md``, ``survey.html``, ``report.pdf``) or a folder holding
``report.txt|md|html|pdf``. Its metadata comes, strongest first, from command-line overrides,
a sidecar ``<name>.toml`` (or the folder's ``report.toml``), the file itself (Markdown front
matter, HTML ``<title>``/meta tags, the first heading), and its file or folder name. Result
tables live in ``tables/*.csv`` beside the file.

Sections are found in the plain text: from the reader's headings where the format has them,
by the layout heuristics of ``ingest.sections`` otherwise.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ingest.readers import READERS, Document, Heading, read_document
from ingest.sections import DEFAULT_FIRST, SEP, WHOLE_REPORT, body_end, split_sections
from rag.errors import CorpusError
from rag.types import ReportInfo, Section

REPORT_NAMES = ("report.txt", "report.md", "report.html", "report.htm", "report.pdf")
FOLDER_METADATA = "report.toml"
_YEAR = re.compile(r"(?:^|[-_ ])((?:19|20)\d\d)(?:$|[-_ .])")
_TOML_LINE = re.compile(r"at line (\d+)")
_SLUG = re.compile(r"[^a-z0-9]+")


@dataclass(frozen=True)
class Source:
    """Where a report is: its file, the folder its tables live in, its metadata file if any."""

    path: Path  # what the user named: the report file or its folder (the index's key)
    file: Path
    folder: Path
    metadata: Path | None


def shown(path: Path) -> Path:
    """The path as a user would type it: relative to the working folder when inside it."""
    try:
        return path.resolve().relative_to(Path.cwd().resolve())
    except ValueError:
        return path


def is_report_folder(folder: Path) -> bool:
    """The folder holds a report.* file."""
    return any((folder / name).is_file() for name in REPORT_NAMES)


def locate(path: Path) -> Source:
    """The report at ``path`` (a report file or a folder holding one)."""
    path = Path(path).expanduser()
    if path.is_dir():
        file = next((path / n for n in REPORT_NAMES if (path / n).is_file()), None)
        if file is None:
            raise CorpusError(shown(path), f"no report file: add one of {', '.join(REPORT_NAMES)}")
        toml = path / FOLDER_METADATA
        return Source(
            path.resolve(), file.resolve(), path.resolve(), toml if toml.is_file() else None
        )
    if not path.is_file():
        raise CorpusError(shown(path), "no such report file or folder: check the path")
    if path.suffix.lower() not in READERS:
        raise CorpusError(
            shown(path), f"unknown report format {path.suffix!r}: use one of {', '.join(READERS)}"
        )
    folder = path.parent.resolve()
    sidecar = path.with_suffix(".toml")
    meta: Path | None = sidecar if sidecar.is_file() else None
    if meta is None and path.name in REPORT_NAMES and (folder / FOLDER_METADATA).is_file():
        meta = folder / FOLDER_METADATA
    return Source(path.resolve(), path.resolve(), folder, meta)


def read_toml(path: Path | None) -> dict[str, Any]:
    """The parsed metadata file, or {} without one."""
    if path is None:
        return {}
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as e:
        raise CorpusError(
            shown(path), f"not valid UTF-8 at byte {e.start}: save it as UTF-8"
        ) from e
    except tomllib.TOMLDecodeError as e:
        m = _TOML_LINE.search(str(e))
        raise CorpusError(
            shown(path), f"not valid TOML: {e}", int(m.group(1)) if m else None
        ) from e


def _field(meta: Mapping[str, Any], name: str, kind: type, where: Path) -> Any:
    value = meta.get(name)
    if value is not None and (not isinstance(value, kind) or isinstance(value, bool)):
        wanted = "a whole number" if kind is int else "a quoted string"
        raise CorpusError(shown(where), f"{name} must be {wanted}, not {value!r}")
    return value


def _year_of(value: Any) -> int | None:
    if isinstance(value, dt.date):
        return value.year
    if isinstance(value, int) and not isinstance(value, bool) and 1900 <= value <= 2100:
        return value
    if isinstance(value, str):
        m = re.search(r"\b((?:19|20)\d\d)\b", value)
        return int(m.group(1)) if m else None
    return None


def _authors(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(str(v) for v in value if v)
    return str(value) if value else ""


def slug(name: str) -> str:
    """A report id made from a name: lower case words joined by hyphens."""
    return _SLUG.sub("-", name.lower()).strip("-") or "report"


def _title_heading(doc: Document) -> Heading | None:
    """The heading that titles the document: its lone h1, or its first heading at the top."""
    heads = doc.headings or ()
    h1 = [h for h in heads if h.level == 1]
    if len(h1) == 1:
        return h1[0]
    return None


def report_info(
    source: Source, doc: Document, overrides: Mapping[str, Any] | None = None
) -> ReportInfo:
    """Who the report is: id, title, year and the rest, from the strongest source that says."""
    from ingest.corpus import read_vocabulary

    toml = read_toml(source.metadata)
    where = source.metadata or source.file
    front = doc.meta
    over = {k: v for k, v in (overrides or {}).items() if v not in (None, "")}
    named_by_folder = source.file.name in REPORT_NAMES
    name = source.folder.name if named_by_folder else source.file.stem
    title_head = _title_heading(doc)
    first_head = (doc.headings or (None,))[0] if doc.headings else None
    title = (
        over.get("title")
        or _field(toml, "title", str, where)
        or (front.get("title") if isinstance(front.get("title"), str) else None)
        or (title_head.title if title_head else None)
        or front.get("html_title")
        or front.get("og_title")
        or (first_head.title if first_head is not None and first_head.level <= 2 else None)
        or name.replace("-", " ").replace("_", " ").strip().capitalize()
    )
    year_match = _YEAR.search(name) or _YEAR.search(source.folder.name)
    year = (
        over.get("year")
        or _field(toml, "year", int, where)
        or _year_of(front.get("year"))
        or _year_of(front.get("date"))
        or (int(year_match.group(1)) if year_match else 0)
        or _year_of(str(title))
        or 0
    )
    report_id = (
        over.get("id")
        or _field(toml, "id", str, where)
        or (front.get("id") if isinstance(front.get("id"), str) else None)
        or (source.folder.name if named_by_folder else slug(name))
    )
    publisher = _field(toml, "publisher", str, where) or _authors(
        front.get("publisher") or front.get("authors") or front.get("author") or front.get("by")
    )
    return ReportInfo(
        id=str(report_id),
        title=str(title),
        publisher=publisher,
        year=int(year),
        surveyed=" ".join((_field(toml, "surveyed", str, where) or "").split()),
        sections=(),
        text=doc.raw,
        source_url=_field(toml, "source_url", str, where) or front.get("source_url"),
        short=_field(toml, "short", str, where) or "",
        vocabulary=read_vocabulary(toml, where),
    )


def outline(doc: Document) -> list[tuple[str, str | None, int, int]] | None:
    """Top sections ``(title, parent, start, end)`` from the document's headings, if it has any.

    A lone h1 that titles the document is not a section: the text before the first section
    heading is the Introduction. Nested headings make paths ("Results › Costs").
    """
    if doc.headings is None:
        return None
    text = doc.plain
    limit = body_end(text)
    heads = [h for h in doc.headings if h.start < limit]
    title = _title_heading(doc)
    intro_start = 0
    if title is not None and heads and heads[0] is title:
        heads, intro_start = heads[1:], title.end
    tops: list[tuple[str, str | None, int, int]] = []
    intro_end = heads[0].start if heads else limit
    if text[intro_start:intro_end].strip():
        tops.append((DEFAULT_FIRST if heads else WHOLE_REPORT, None, intro_start, intro_end))
    stack: list[tuple[int, str]] = []
    for i, h in enumerate(heads):
        end = heads[i + 1].start if i + 1 < len(heads) else limit
        while stack and stack[-1][0] >= h.level:
            stack.pop()
        parent = SEP.join(t for _, t in stack) or None
        stack.append((h.level, h.title))
        tops.append((SEP.join(t for _, t in stack), parent, h.end, end))
    return tops


@dataclass(frozen=True)
class LoadedReport:
    """A report read and split, everything in plain-text coordinates."""

    source: Source
    doc: Document
    info: ReportInfo
    sections: list[Section]  # spans in doc.plain


def load(path: Path, overrides: Mapping[str, Any] | None = None) -> LoadedReport:
    """Read the report at ``path`` (file or folder) and split it into sections."""
    source = locate(path)
    doc = read_document(source.file, shown(source.file))
    info = report_info(source, doc, overrides)
    toml = read_toml(source.metadata)
    sections = split_sections(
        doc.plain,
        metadata=toml,
        metadata_path=source.metadata or source.folder / FOLDER_METADATA,
        report_name=source.file.name,
        outline=outline(doc),
    )
    from dataclasses import replace

    info = replace(
        info,
        sections=tuple(s.title for s in sections),
        plain="" if doc.identity else doc.plain,
        offsets=doc.runs(),
    )
    return LoadedReport(source, doc, info, sections)


FORMAT_VERSION = "report-2"  # bump when reading or splitting changes what an unchanged file gives


def fingerprint(path: Path) -> str:
    """sha256 over the report file, its metadata and its tables: changes when any of them does."""
    import hashlib

    from ingest.corpus import table_files

    source = locate(path)
    files = [source.file]
    if source.metadata is not None:
        files.append(source.metadata)
    files.extend(table_files(source.folder))
    digest = hashlib.sha256(FORMAT_VERSION.encode())
    for file in files:
        digest.update(b"\0" + file.relative_to(source.folder).as_posix().encode() + b"\0")
        digest.update(file.read_bytes())
    return digest.hexdigest()
