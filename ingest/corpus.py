"""Read a report folder: the report text, its metadata, and its validated result tables.

A report folder holds ``report.txt`` (or ``report.md`` or ``report.pdf``), an optional
``report.toml`` and optional ``tables/*.csv``. Every table row must trace to a sentence of the
report: the sentence is quoted verbatim, lies inside the row's section, and states the row's
value. Anything else is a CorpusError naming the file and the line, so a typo in a table can
never turn into a figure the product states.
"""

from __future__ import annotations

import csv
import errno
import hashlib
import io
import math
import os
import re
import string
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from ingest.metadata import METADATA_FILE, read_metadata, report_file
from ingest.sections import load_sections, markdown_title, section_at, section_span
from rag.errors import CorpusError
from rag.text.numbers import QUALIFIERS, UNITS, close, contains_figure, extract_figures, units_agree
from rag.types import ReportInfo, Section, TableRow

COLUMNS = ("caption", "label", "value", "unit", "qualifier", "section", "statement", "source")
# Bump when section splitting or table validation changes what an unchanged folder produces.
FORMAT_VERSION = "corpus-1"
_FOLDER_YEAR = re.compile(r"(?:^|[-_ ])((?:19|20)\d\d)$")


def _shown(path: Path) -> Path:
    """The path as a user would type it: relative to the working folder when inside it."""
    try:
        return path.resolve().relative_to(Path.cwd().resolve())
    except (ValueError, RuntimeError, OSError):  # outside it, or a link loop
        return path


def _decode(path: Path, data: bytes) -> str:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = data[: e.start].count(b"\n") + 1
        raise CorpusError(
            _shown(path), f"not valid UTF-8 at byte {e.start}: save the file as UTF-8", line
        ) from e
    return text.replace("\r\n", "\n")


def _read_pdf(path: Path) -> str:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(path)
        return "\n".join((page.extract_text() or "").strip() for page in reader.pages)
    except (PdfReadError, OSError, ValueError) as e:
        raise CorpusError(_shown(path), f"cannot read the PDF: {e}") from e


def read_report_text(folder: Path) -> tuple[Path, str]:
    """The report file of ``folder`` and its text as loaded (UTF-8, LF line ends)."""
    path = report_file(folder)
    text = _read_pdf(path) if path.suffix == ".pdf" else _decode(path, path.read_bytes())
    if not text.strip():
        raise CorpusError(_shown(path), "the report is empty: it has no text to answer from")
    return path, text


def _field(meta: dict[str, Any], name: str, kind: type, folder: Path) -> Any:
    value = meta.get(name)
    if value is not None and (not isinstance(value, kind) or isinstance(value, bool)):
        wanted = "a whole number" if kind is int else "a quoted string"
        raise CorpusError(_shown(folder / METADATA_FILE), f"{name} must be {wanted}, not {value!r}")
    return value


def load_report(folder: Path) -> tuple[ReportInfo, str]:
    """The report in ``folder`` as (info, text); info.text is text and info.sections its titles."""
    folder = Path(folder)
    path, text = read_report_text(folder)
    meta = read_metadata(folder)
    title = _field(meta, "title", str, folder) or (
        markdown_title(text) if path.suffix == ".md" else None
    )
    year_match = _FOLDER_YEAR.search(folder.name)
    info = ReportInfo(
        id=_field(meta, "id", str, folder) or folder.name,
        title=title or folder.name.replace("-", " ").replace("_", " ").strip().capitalize(),
        publisher=_field(meta, "publisher", str, folder) or "",
        year=_field(meta, "year", int, folder) or (int(year_match.group(1)) if year_match else 0),
        surveyed=" ".join((_field(meta, "surveyed", str, folder) or "").split()),
        sections=(),
        text=text,
        source_url=source_url(meta, folder),
        short=_field(meta, "short", str, folder) or "",
        vocabulary=read_vocabulary(meta, folder / METADATA_FILE),
    )
    sections = load_sections(info, text, folder)
    return replace(info, sections=tuple(s.title for s in sections)), text


def read_vocabulary(meta: dict[str, Any], where: Path) -> tuple[tuple[str, ...], ...]:
    """report.toml's ``vocabulary``: groups of words this report means the same by."""
    raw = meta.get("vocabulary", [])
    ok = isinstance(raw, list) and all(
        isinstance(g, list) and len(g) >= 2 and all(isinstance(w, str) and w for w in g)
        for g in raw
    )
    if not ok:
        raise CorpusError(
            _shown(where),
            'vocabulary must be a list of word groups, e.g. [["gen AI", "generative AI"]]',
        )
    return tuple(tuple(g) for g in raw)


def _table_text(path: Path) -> str:
    return _decode(path, path.read_bytes())


def _statement_error(statement: str, source: str) -> str | None:
    try:
        fields = {name for _, name, _, _ in string.Formatter().parse(statement) if name is not None}
    except ValueError as e:
        return f"statement has a stray brace ({e}): write {{value}} where the figure goes"
    if "value" not in fields:
        return "statement has no {value} placeholder: write {value} where the figure goes"
    unknown = fields - {"value", "label"}
    if unknown:
        name = sorted(unknown)[0]
        return f"statement has unknown placeholder {{{name}}}: use {{value}} or {{label}}"
    own = statement.replace("{value}", "").replace("{label}", "")
    if re.search(r"\d", own):
        return "statement has digits of its own: only {value} (and {label}) may carry figures"
    stray = [
        f
        for f in extract_figures(own)
        if not contains_figure(extract_figures(source), f.value, f.unit)
    ]
    if stray:
        return f"statement states {stray[0].raw!r}, which its source sentence does not"
    return None


def _check_row(
    cells: dict[str, str], text: str, sections: Sequence[Section], titles: set[str]
) -> tuple[float, str | None]:
    """The row's value, and the first thing wrong with the row (None if nothing)."""
    for name in ("caption", "label", "section", "statement", "source"):
        if not cells[name]:
            return math.nan, f"{name} is empty"
    raw = cells["value"]
    try:
        value = float(raw)
    except ValueError:
        return math.nan, f"value {raw!r} is not a plain number: write 58.8, not 58.8% or 10,000"
    if not math.isfinite(value):
        return value, f"value {raw!r} is not a plain number"
    unit, qualifier, section, source = (
        cells["unit"],
        cells["qualifier"],
        cells["section"],
        cells["source"],
    )
    if unit not in UNITS:
        return value, f"unit {unit!r} is not one of: {', '.join(repr(u) for u in UNITS)}"
    if qualifier not in QUALIFIERS:
        return value, f"qualifier {qualifier!r} is not one of: {', '.join(QUALIFIERS)}"
    if section not in titles:
        return value, f"unknown section {section!r}: use one of {', '.join(sorted(titles))}"
    at = text.find(source)
    if at < 0:
        return value, "source sentence not found verbatim in the report: copy it exactly"
    span = section_span(sections, section)
    if span is None or not (span[0] <= at and at + len(source) <= span[1]):
        actual = section_at(sections, at).title
        return value, f"source sentence lies in section {actual!r}, not in {section!r}"
    figures = extract_figures(source)
    if not contains_figure(figures, value, unit):
        stated = ", ".join(f.raw for f in figures) or "no figures"
        same = [f for f in figures if close(f.value, value) and not units_agree(f.unit, unit)]
        hint = f" with unit {unit!r} (it reads {same[0].unit!r})" if same else ""
        return value, f"value {raw} not found in its source sentence{hint} (it states: {stated})"
    if not contains_figure(figures, value, unit, qualifier):
        said = [f.describe() for f in figures if close(f.value, value)]
        return value, f"qualifier {qualifier!r} disagrees with its source sentence ({said[0]!r})"
    for f in extract_figures(cells["label"]):
        if not contains_figure(figures, f.value, f.unit):
            return value, f"label states {f.raw!r}, which its source sentence does not"
    return value, _statement_error(cells["statement"], source)


def _read_table(path: Path, text: str, sections: Sequence[Section]) -> list[TableRow]:
    shown = _shown(path)
    reader = csv.reader(io.StringIO(_table_text(path), newline=""))
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        message = f"the table is empty: its header must be {','.join(COLUMNS)}"
        raise CorpusError(shown, message, 1) from None
    for name in COLUMNS:
        if name not in header:
            raise CorpusError(
                shown, f"missing column {name!r}: the header must be {','.join(COLUMNS)}", 1
            )
    titles = {s.title for s in sections} | {s.parent for s in sections if s.parent}
    rows: list[TableRow] = []
    seen: dict[tuple[str, float, str], int] = {}
    while True:
        line = reader.line_num + 1
        try:
            record = next(reader)
        except StopIteration:
            break
        except csv.Error as e:
            raise CorpusError(shown, f"not valid CSV: {e}", reader.line_num) from e
        if not any(cell.strip() for cell in record):
            continue
        if len(record) != len(header):
            raise CorpusError(shown, f"{len(record)} cells, but the header has {len(header)}", line)
        cells = {h: cell.strip() for h, cell in zip(header, record, strict=True)}
        value, problem = _check_row(cells, text, sections, titles)
        if problem:
            raise CorpusError(shown, problem, line)
        key = (cells["label"], value, cells["source"])
        if key in seen:
            raise CorpusError(shown, f"duplicate of line {seen[key]}", line)
        seen[key] = line
        rows.append(
            TableRow(
                table=path.stem,
                caption=cells["caption"],
                label=cells["label"],
                value=value,
                unit=cells["unit"],
                qualifier=cells["qualifier"],  # type: ignore[arg-type]
                section=cells["section"],
                source=cells["source"],
                line=line,
                statement=cells["statement"],
            )
        )
    return rows


def table_files(folder: Path) -> list[Path]:
    """The result tables of a report folder, sorted by name; CorpusError for one that is no file."""
    paths = sorted((Path(folder) / "tables").glob("*.csv"))
    for path in paths:
        _check_table_file(path)
    return paths


def _check_table_file(path: Path) -> None:
    """CorpusError unless ``path`` is a readable regular file (not a folder, loop or dead link)."""
    try:
        path.stat()  # follows links: a loop or a dangling link fails here
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            what = "a symlink loop"
        else:
            what = "a broken link" if path.is_symlink() else "unreadable"
        raise CorpusError(
            _shown(path), f"{what} ({exc.strerror}): remove it or put a CSV table there"
        ) from None
    if not path.is_file():
        raise CorpusError(
            _shown(path), "is a folder, not a CSV table: remove it or rename it without .csv"
        )
    if not os.access(path, os.R_OK):
        raise CorpusError(_shown(path), "cannot be read (permission denied): check its mode")


def source_url(meta: dict[str, Any], folder: Path) -> str | None:
    """report.toml's ``source_url``, which must be an http(s) link: the UI makes it clickable."""
    url = _field(meta, "source_url", str, folder)
    if url is None:
        return None
    try:
        parts = urlsplit(url.strip())
        valid = parts.scheme.lower() in ("http", "https") and bool(parts.hostname)
    except ValueError:
        valid = False
    if not valid:
        raise CorpusError(
            _shown(folder / METADATA_FILE),
            f"source_url {url!r} is not an http(s) link: write it like https://example.org/report",
        )
    return url.strip()


def load_tables(folder: Path, text: str, sections: list[Section]) -> list[TableRow]:
    """Every row of ``folder/tables/*.csv``, validated against the report text and sections."""
    rows: list[TableRow] = []
    for path in table_files(folder):
        rows.extend(_read_table(path, text, sections))
    return rows


def report_fingerprint(folder: Path) -> str:
    """sha256 over the report file, its metadata and its tables: changes when any of them does."""
    folder = Path(folder)
    files = [report_file(folder)]
    if (folder / METADATA_FILE).is_file():
        files.append(folder / METADATA_FILE)
    files.extend(table_files(folder))
    digest = hashlib.sha256(FORMAT_VERSION.encode())
    for path in files:
        digest.update(b"\0" + path.relative_to(folder).as_posix().encode() + b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()
