"""Ingest: read and validate report folders, chunk, split, embed, and switch the index over.

Every input is read and validated before anything is written, so a bad table leaves the
index as it was. A report whose fingerprint (its files, plus the chunking rules, the
ingest code and the embedder) matches its active build is skipped without a write; a
changed report gets a new build that reuses the vectors of passages, facts and sentences
whose text is unchanged. Each report sentence is stored with its vector, so the answerer's
sentence-level similarity needs no embedding at run time.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import json
import logging
import os
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ingest.chunking import CHUNK_OVERLAP, CHUNK_SIZE, CHUNKER_VERSION, chunk_text
from rag.errors import CorpusError, ModelError, StoreUnavailable
from rag.index.embeddings import (
    Embedder,
    embedder_identity,
    ensure_query_model,
    get_embedder,
    onnx_export_file,
)
from rag.index.store import (
    STORE_SCHEMA,
    Pointer,
    chunk_record,
    create_build,
    drop_collections,
    fact_record,
    get_collection,
    open_client,
    orphans,
    read_pointers,
    sentence_record,
    write_pointer,
)
from rag.settings import Settings
from rag.types import Chunk, Fact, ReportInfo, Section, Sentence

if TYPE_CHECKING:
    from chromadb.api import ClientAPI

EMBED_BATCH = 32
logger = logging.getLogger(__name__)
# modules whose rules shape what gets indexed: editing one makes every index stale
_INGEST_MODULES = (
    "ingest.corpus",
    "ingest.metadata",
    "ingest.sections",
    "ingest.facts",
    "ingest.chunking",
    "rag.text.sentences",
    "rag.text.numbers",
)
# test hook: seconds to sleep after the first batch of a new build is written
_PAUSE_ENV = "SURVEY_RAG_TEST_PAUSE_AFTER_WRITE"


@dataclass(frozen=True)
class IngestSummary:
    """What one ingest did."""

    reports: int
    sections: int
    chunks: int
    facts: int
    embedded: int  # vectors computed by the model in this run
    reused: int  # vectors copied from the previous build
    seconds: float
    skipped: bool  # nothing changed, nothing written
    where: str = ""
    report_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class ReportStatus:
    """One report as the index sees it, compared with its folder on disk."""

    id: str
    where: str
    chunks: int
    facts: int
    fingerprint: str
    stale: bool
    indexed: bool = True
    sections: int = 0
    title: str = ""
    folder: str = ""
    collection: str = ""
    reason: str = ""  # why it is stale, in words


@dataclass(frozen=True)
class ReportPlan:
    """A validated report, ready to write."""

    folder: Path
    fingerprint: str
    info: ReportInfo
    sections: list[Section]
    chunks: list[Chunk]
    facts: list[Fact]
    sentences: list[Sentence]


def report_folders(settings: Settings, paths: Sequence[Path] | None = None) -> list[Path]:
    """The report folders to ingest: ``paths``, or every report folder in the corpus."""
    if paths:
        folders = []
        for path in paths:
            path = Path(path).expanduser()
            # a report file names its folder
            folder = path.parent if path.is_file() else path
            if not folder.is_dir():
                raise CorpusError(path, "no such report folder: check the path")
            folders.append(folder.resolve())
        return list(dict.fromkeys(folders))
    corpus = Path(settings.corpus_dir)
    if not corpus.is_dir():
        raise CorpusError(
            corpus, "no such corpus folder: set SURVEY_RAG_CORPUS_DIR or pass a report folder"
        )
    folders = sorted(p.resolve() for p in corpus.iterdir() if p.is_dir() and _has_report(p))
    if not folders:
        raise CorpusError(
            corpus, "no report folders here: each needs a report.txt, report.md or report.pdf"
        )
    return folders


def _has_report(folder: Path) -> bool:
    from ingest.metadata import REPORT_FILES

    return any((folder / name).is_file() for name in REPORT_FILES)


def _code_version() -> str:
    digest = hashlib.sha256()
    for module in _INGEST_MODULES:
        spec = importlib.util.find_spec(module)
        if spec is not None and spec.origin and os.path.isfile(spec.origin):
            digest.update(Path(spec.origin).read_bytes())
    return digest.hexdigest()


def build_fingerprint(settings: Settings, folder: Path) -> str:
    """The fingerprint a build of ``folder`` gets: its files, the ingest rules, the embedder."""
    from ingest.corpus import report_fingerprint

    parts = {
        "files": report_fingerprint(folder),
        "chunker": [CHUNKER_VERSION, CHUNK_SIZE, CHUNK_OVERLAP],
        "code": _code_version(),
        "embedder": embedder_identity(settings),
        "schema": STORE_SCHEMA,
    }
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()


def plan_report(folder: Path, fingerprint: str) -> ReportPlan:
    """Read and validate one report folder into what will be written (no writes)."""
    from ingest.corpus import load_report, load_tables
    from ingest.facts import row_to_fact
    from ingest.sections import load_sections
    from rag.text.sentences import report_sentences

    info, text = load_report(folder)
    sections = load_sections(info, text, folder)
    rows = load_tables(folder, text, sections)
    facts = [row_to_fact(row, info, text) for row in rows]
    seen: dict[str, Any] = {}
    for row, fact in zip(rows, facts, strict=True):
        if fact.id in seen:
            raise CorpusError(
                folder / "tables" / f"{row.table}.csv",
                f"row {row.label!r} repeats the fact of {seen[fact.id]}: remove one of them",
                row.line,
            )
        seen[fact.id] = f"{row.table}.csv line {row.line}"
    chunks = chunk_text(text, sections, info.id)
    sentences = report_sentences(info.id, text, sections)
    return ReportPlan(folder, fingerprint, info, sections, chunks, facts, sentences)


def ingest(
    settings: Settings,
    paths: Sequence[Path] | None = None,
    force: bool = False,
    progress: bool = False,
) -> IngestSummary:
    """Index report folders into the store the settings point at.

    Args:
        settings: where the corpus and the index are.
        paths: report folders; None means every report folder under ``settings.corpus_dir``.
        force: rebuild and re-embed even when a report's fingerprint matches its active build.
        progress: show a progress bar on stderr while embedding.

    Returns:
        An IngestSummary; ``skipped`` is True when nothing needed writing.

    Raises:
        CorpusError: an input is missing or malformed (nothing was written).
        StoreUnavailable: the Chroma folder or server cannot be used.
        ModelError: the embedding model cannot be loaded.
    """
    started = time.perf_counter()
    summary = _ingest(settings, paths, force, progress, started)
    _ensure_query_model(settings)
    return summary


def _ensure_query_model(settings: Settings) -> None:
    """Export the model for torch-free questions once; without it questions use torch."""
    try:
        if not onnx_export_file(settings).is_file():
            ensure_query_model(settings)
    except ModelError as exc:
        logger.warning("questions will be embedded with torch: %s", exc)


def _ingest(
    settings: Settings,
    paths: Sequence[Path] | None,
    force: bool,
    progress: bool,
    started: float,
) -> IngestSummary:
    folders = report_folders(settings, paths)
    fingerprints = {folder: build_fingerprint(settings, folder) for folder in folders}
    client = open_client(settings)
    with _store_errors(settings):
        pointers = read_pointers(client)
        current: list[Pointer] = []
        todo: list[Path] = []
        by_folder = {p.folder: p for p in pointers.values()}
        for folder in folders:
            pointer = by_folder.get(str(folder))
            if (
                not force
                and pointer is not None
                and pointer.fingerprint == fingerprints[folder]
                and pointer.schema == STORE_SCHEMA
                and get_collection(client, pointer.collection) is not None
            ):
                current.append(pointer)
            else:
                todo.append(folder)
    if not todo:
        return IngestSummary(
            reports=len(current),
            sections=sum(len(p.sections) for p in current),
            chunks=sum(p.chunks for p in current),
            facts=sum(p.facts for p in current),
            embedded=0,
            reused=0,
            seconds=time.perf_counter() - started,
            skipped=True,
            where=settings.where,
            report_ids=tuple(p.report for p in current),
        )
    # validate everything before the first write
    plans = [plan_report(folder, fingerprints[folder]) for folder in todo]
    _check_unique_ids(plans, current)
    embedded = reused = 0
    with _store_errors(settings):
        for plan in plans:
            previous = pointers.get(plan.info.id)
            e, r = _write_build(client, settings, plan, previous, progress, reuse=not force)
            embedded += e
            reused += r
    return IngestSummary(
        reports=len(current) + len(plans),
        sections=sum(len(p.sections) for p in current) + sum(len(p.sections) for p in plans),
        chunks=sum(p.chunks for p in current) + sum(len(p.chunks) for p in plans),
        facts=sum(p.facts for p in current) + sum(len(p.facts) for p in plans),
        embedded=embedded,
        reused=reused,
        seconds=time.perf_counter() - started,
        skipped=False,
        where=settings.where,
        report_ids=tuple(p.report for p in current) + tuple(p.info.id for p in plans),
    )


@contextmanager
def _store_errors(settings: Settings) -> Iterator[None]:
    """Turn a store that fails mid-way into StoreUnavailable; the previous build still serves."""
    try:
        yield
    except StoreUnavailable:
        raise
    except Exception as exc:
        if isinstance(exc, OSError | ConnectionError) or type(exc).__module__.startswith(
            ("httpx", "httpcore")
        ):
            raise StoreUnavailable(
                f"lost the index at {settings.where} ({exc}); the previous index is still "
                "active: check the store and run 'survey-rag ingest' again"
            ) from exc
        raise


def _check_unique_ids(plans: list[ReportPlan], current: list[Pointer]) -> None:
    owners = {p.report: Path(p.folder) for p in current}
    for plan in plans:
        other = owners.get(plan.info.id)
        if other is not None and other != plan.folder:
            raise CorpusError(
                plan.folder,
                f"report id {plan.info.id!r} is also used by {other}: give one of them another "
                "id in its report.toml",
            )
        owners[plan.info.id] = plan.folder


def _write_build(
    client: ClientAPI,
    settings: Settings,
    plan: ReportPlan,
    previous: Pointer | None,
    progress: bool,
    reuse: bool = True,
) -> tuple[int, int]:
    """Build a new collection for one report, switch its pointer, drop the old build."""
    report_id = plan.info.id
    identity = embedder_identity(settings)
    records = [chunk_record(c, i) for i, c in enumerate(plan.chunks)]
    records += [fact_record(f, i) for i, f in enumerate(plan.facts)]
    records += [sentence_record(s, i) for i, s in enumerate(plan.sentences)]

    # leftovers of a killed ingest of this report go first, so they never pile up
    drop_collections(client, orphans(client, [report_id]))

    old_vectors = _reusable_vectors(client, previous, identity, records) if reuse else {}
    missing = [r for r in records if r[0] not in old_vectors]
    reused = [r for r in records if r[0] in old_vectors]
    # the model loads only when something needs embedding, and after the reused vectors are in
    embedder: Embedder | None = None
    if reused and previous is not None:
        dimension = previous.dimension
    else:
        embedder = get_embedder(settings)
        dimension = embedder.dimension

    build = create_build(client, report_id, plan.fingerprint, identity, dimension)
    pause = _pause_once()
    if reused:
        build.add(
            ids=[r[0] for r in reused],
            embeddings=[old_vectors[r[0]] for r in reused],
            documents=[r[1] for r in reused],
            metadatas=[r[2] for r in reused],
        )
        pause()
    if missing:
        from tqdm import tqdm

        embedder = embedder or get_embedder(settings)
        # a one-sentence passage and its sentence are one text: embed it once
        by_text: dict[str, list[tuple[str, str, dict[str, Any]]]] = {}
        for r in missing:
            by_text.setdefault(r[1], []).append(r)
        texts = sorted(by_text, key=len)  # similar lengths per batch pad less
        with tqdm(
            total=len(texts),
            desc=f"embedding {report_id}",
            unit="text",
            file=sys.stderr,
            disable=not progress,
            leave=False,
        ) as bar:
            for i in range(0, len(texts), EMBED_BATCH):
                batch_texts = texts[i : i + EMBED_BATCH]
                vectors = embedder.embed_documents(batch_texts)
                batch = [
                    (r, vector)
                    for text, vector in zip(batch_texts, vectors, strict=True)
                    for r in by_text[text]
                ]
                build.add(
                    ids=[r[0] for r, _ in batch],
                    embeddings=[vector for _, vector in batch],  # type: ignore[arg-type]
                    documents=[r[1] for r, _ in batch],
                    metadatas=[r[2] for r, _ in batch],
                )
                bar.update(len(batch_texts))
                pause()

    count = build.count()
    if count != len(records):
        raise StoreUnavailable(
            f"the new index of {report_id} at {settings.where} holds {count} of "
            f"{len(records)} records; the previous index is still active: run 'survey-rag ingest'"
        )
    write_pointer(
        client,
        Pointer(
            report=report_id,
            collection=build.name,
            fingerprint=plan.fingerprint,
            embedder=identity,
            dimension=dimension,
            chunks=len(plan.chunks),
            facts=len(plan.facts),
            folder=str(plan.folder),
            info=plan.info,
            sections=tuple(plan.sections),
            updated=time.time(),
            sentences=len(plan.sentences),
        ),
    )
    if previous is not None and previous.collection != build.name:
        drop_collections(client, [previous.collection])
    return len({r[1] for r in missing}), len(reused)


def _reusable_vectors(
    client: ClientAPI,
    previous: Pointer | None,
    identity: str,
    records: list[tuple[str, str, dict[str, Any]]],
) -> dict[str, Any]:
    """Vectors of the previous build for records whose text it already embedded, by record id.

    Matched on the text, not the id: an edit early in a report shifts every later passage's
    offsets (so their ids), but not what they say.
    """
    if previous is None or previous.embedder != identity:
        return {}
    old = get_collection(client, previous.collection)
    if old is None:
        return {}
    got = old.get(include=["embeddings", "documents"])
    embeddings = got["embeddings"]
    if embeddings is None:
        return {}
    by_text = dict(zip(got["documents"] or [], embeddings, strict=True))
    return {rid: by_text[text] for rid, text, _ in records if text in by_text}


def _pause_once() -> Any:
    seconds = float(os.environ.get(_PAUSE_ENV) or 0)
    done = False

    def pause() -> None:
        nonlocal done
        if seconds and not done:
            done = True
            print(f"paused after the first write ({_PAUSE_ENV})", file=sys.stderr, flush=True)
            time.sleep(seconds)

    return pause


def index_status(settings: Settings) -> list[ReportStatus]:
    """Every indexed report and every corpus report, with counts and whether it is stale."""
    pointers: dict[str, Pointer] = {}
    if settings.chroma_url or Path(settings.chroma_path).exists():
        pointers = read_pointers(open_client(settings))
    statuses = []
    seen_folders = set()
    for pointer in sorted(pointers.values(), key=lambda p: p.report):
        folder = Path(pointer.folder) if pointer.folder else None
        if folder is not None and folder.is_dir():
            seen_folders.add(folder)
            try:
                on_disk = build_fingerprint(settings, folder)
                stale = on_disk != pointer.fingerprint
                reason = "the report, its tables or the ingest rules changed" if stale else ""
            except CorpusError as exc:
                stale, reason = True, f"its folder no longer reads: {exc}"
        else:
            stale, reason = True, f"its folder {pointer.folder or '?'} is gone"
        statuses.append(
            ReportStatus(
                id=pointer.report,
                where=settings.where,
                chunks=pointer.chunks,
                facts=pointer.facts,
                fingerprint=pointer.fingerprint,
                stale=stale,
                sections=len(pointer.sections),
                title=pointer.info.title,
                folder=pointer.folder,
                collection=pointer.collection,
                reason=reason,
            )
        )
    try:
        corpus_folders = report_folders(settings)
    except CorpusError:
        corpus_folders = []
    for folder in corpus_folders:
        if folder not in seen_folders:
            statuses.append(
                ReportStatus(
                    id=folder.name,
                    where=settings.where,
                    chunks=0,
                    facts=0,
                    fingerprint="",
                    stale=True,
                    indexed=False,
                    folder=str(folder),
                    reason="not indexed yet",
                )
            )
    return statuses


def run_ingest_command(args: argparse.Namespace, settings: Settings) -> int:
    """``survey-rag ingest [PATH ...]``: index, then print a one-line summary."""
    paths = [Path(p) for p in args.paths] if args.paths else None
    summary = ingest(settings, paths, force=args.force, progress=not args.quiet)
    print(format_summary(summary))
    return 0


def format_summary(summary: IngestSummary) -> str:
    """The one line ``survey-rag ingest`` prints."""
    reports = f"{summary.reports} report{'s' if summary.reports != 1 else ''}"
    counts = f"{summary.sections} sections, {summary.chunks} chunks, {summary.facts} facts"
    if summary.skipped:
        return (
            f"up to date: {reports}, {counts}, checked in {summary.seconds:.1f} s "
            f"(store: {summary.where}); use --force to rebuild"
        )
    return (
        f"indexed {reports}: {counts} in {summary.seconds:.1f} s "
        f"({summary.embedded} embedded, {summary.reused} reused; store: {summary.where})"
    )


def run_status_command(args: argparse.Namespace, settings: Settings) -> int:
    """``survey-rag status``: what is indexed, where, and whether it is stale."""
    statuses = index_status(settings)
    if getattr(args, "json", False):
        print(
            json.dumps(
                {"where": settings.where, "reports": [asdict(s) for s in statuses]}, indent=2
            )
        )
        return 0
    kind = "Chroma server" if settings.chroma_url else "embedded"
    print(f"index: {settings.where} ({kind})")
    if not any(s.indexed for s in statuses):
        print("  nothing indexed: run 'survey-rag ingest'")
    for s in statuses:
        if not s.indexed:
            print(f"  {s.id}: not indexed ({s.folder}): run 'survey-rag ingest'")
            continue
        state = f"stale: {s.reason}; run 'survey-rag ingest'" if s.stale else "fresh"
        print(
            f"  {s.id}: {s.sections} sections, {s.chunks} chunks, {s.facts} facts, "
            f"fingerprint {s.fingerprint[:12]}, {state}"
        )
    return 0
