"""Ingest: read and validate report folders, chunk, split, embed, and switch the index over.

Every input is read and validated before anything is written, so a bad table leaves the
index as it was. One ingest writes at a time: each holds the index's writer lock
(ingest.lock) from its first read of the pointers to its last write. A report whose
fingerprint (its files, plus the chunking rules, the ingest code and the embedder) matches
its active build is skipped without a write; a changed report gets a new build that reuses
the vectors of passages, facts and sentences whose text is unchanged. Each report sentence
is stored with its vector, so the answerer's sentence-level similarity needs no embedding
at run time.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import json
import logging
import math
import os
import re
import sys
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ingest.chunking import CHUNK_OVERLAP, CHUNK_SIZE, CHUNKER_VERSION
from ingest.facts import question_form
from ingest.plan import ReportPlan, plan_report
from rag.errors import CorpusError, InputError, ModelError, StoreUnavailable
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
    broken_guard,
    chunk_record,
    create_build,
    drop_collections,
    fact_record,
    form_record,
    get_collection,
    move_aside,
    open_client,
    orphans,
    prune_search,
    read_pointers,
    sentence_record,
    share_build,
    unshare,
    write_pointer,
)
from rag.settings import Settings

if TYPE_CHECKING:
    from chromadb.api import ClientAPI

    from ingest.lock import WriterLock

EMBED_BATCH = 32
# records per write: each request to a Chroma server costs a round trip and a commit, so
# fewer, larger writes (measured: 1,024 records in 32s took twice as long as in 256s)
WRITE_BATCH = 256
MB = 1024 * 1024
# Embedding dominates ingest time and grows with the text: a report this large is refused
# unless --max-size says otherwise (measured: `survey-rag bench ingest --size ...`).
MAX_REPORT_BYTES = 5 * MB
_SIZE = re.compile(r"(?P<number>\d+(?:\.\d+)?)\s*(?P<unit>[kKmMgG]?[bB]?)")
_UNITS = {"B": 1, "K": 1024, "M": MB, "G": 1024 * MB}
logger = logging.getLogger(__name__)
# modules whose rules shape what gets indexed: editing one makes every index stale
_INGEST_MODULES = (
    "ingest.corpus",
    "ingest.metadata",
    "ingest.report",
    "ingest.plan",
    "ingest.extract",
    "ingest.readers",
    "ingest.readers.base",
    "ingest.readers.txt",
    "ingest.readers.md",
    "ingest.readers.html",
    "ingest.readers.pdf",
    "rag.text.lexicon",
    "rag.text.offsets",
    "ingest.sections",
    "ingest.facts",
    "ingest.chunking",
    "ingest.digest",
    "rag.text.sentences",
    "rag.text.numbers",
    "rag.text.tokens",
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
    moved_aside: str = ""  # where --rebuild moved the previous index folder


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
    warnings: tuple[str, ...] = ()  # hand table rows the figure extractor did not confirm


def report_folders(settings: Settings, paths: Sequence[Path] | None = None) -> list[Path]:
    """The reports to ingest: ``paths`` (report files or folders), or every corpus report."""
    from ingest.report import is_report_folder, locate

    if paths:
        return list(dict.fromkeys(locate(Path(p)).path for p in paths))
    corpus = Path(settings.corpus_dir)
    if not corpus.is_dir():
        raise CorpusError(
            corpus, "no such corpus folder: set SURVEY_RAG_CORPUS_DIR or pass a report file"
        )
    folders = sorted(p.resolve() for p in corpus.iterdir() if p.is_dir() and is_report_folder(p))
    if not folders:
        raise CorpusError(
            corpus, "no report folders here: each needs a report.txt, report.md or report.pdf"
        )
    return folders


def _code_version() -> str:
    digest = hashlib.sha256()
    for module in _INGEST_MODULES:
        spec = importlib.util.find_spec(module)
        if spec is not None and spec.origin and os.path.isfile(spec.origin):
            digest.update(Path(spec.origin).read_bytes())
    return digest.hexdigest()


def build_fingerprint(
    settings: Settings, folder: Path, overrides: Mapping[str, Any] | None = None
) -> str:
    """The fingerprint a build of ``folder`` (a report file or folder) gets: its files, the
    metadata overrides, the ingest rules, the embedder."""
    from ingest.report import fingerprint

    parts = {
        "files": fingerprint(folder),
        "overrides": {k: v for k, v in (overrides or {}).items() if v not in (None, "")},
        "chunker": [CHUNKER_VERSION, CHUNK_SIZE, CHUNK_OVERLAP],
        "code": _code_version(),
        "embedder": embedder_identity(settings),
        "schema": STORE_SCHEMA,
    }
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()


def ingest(
    settings: Settings,
    paths: Sequence[Path] | None = None,
    force: bool = False,
    progress: bool = False,
    *,
    rebuild: bool = False,
    max_bytes: int | None = MAX_REPORT_BYTES,
    overrides: Mapping[str, Any] | None = None,
) -> IngestSummary:
    """Index reports into the store the settings point at.

    Args:
        settings: where the corpus and the index are.
        paths: report files or folders; None means every report folder under
            ``settings.corpus_dir``.
        force: rebuild and re-embed even when a report's fingerprint matches its active build.
        progress: show a progress bar on stderr while embedding.
        rebuild: first move the embedded index folder aside (renamed, never deleted), e.g.
            when it is damaged, and build a new one from the corpus.
        max_bytes: refuse a report file larger than this (None: no limit).
        overrides: ``id``, ``title`` or ``year`` to use instead of what the report says
            (one report only).

    Returns:
        An IngestSummary; ``skipped`` is True when nothing needed writing.

    Raises:
        CorpusError: an input is missing, malformed or too large (nothing was written).
        IngestBusy: another ingest is writing to the same index.
        IndexBroken: the index is damaged; ``rebuild=True`` recovers.
        StoreUnavailable: the Chroma folder or server cannot be used.
        ModelError: the embedding model cannot be loaded.
    """
    summary = _ingest(settings, paths, force, progress, rebuild, max_bytes, overrides)
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
    rebuild: bool,
    max_bytes: int | None,
    overrides: Mapping[str, Any] | None,
) -> IngestSummary:
    from ingest.lock import writer_lock

    started = time.perf_counter()
    folders = report_folders(settings, paths)
    check_sizes(folders, max_bytes)
    if rebuild and settings.chroma_url:
        raise InputError(
            "--rebuild moves an embedded index folder aside; a Chroma server keeps its own: "
            "stop it, start it on an empty --path, and run 'survey-rag ingest'"
        )
    overrides = {k: v for k, v in (overrides or {}).items() if v not in (None, "")}
    if overrides and len(folders) != 1:
        raise CorpusError(
            ", ".join(str(f) for f in folders),
            f"--{sorted(overrides)[0]} names one report: ingest these reports one at a time",
        )
    fingerprints = {folder: build_fingerprint(settings, folder, overrides) for folder in folders}
    server = open_client(settings) if settings.chroma_url else None
    with writer_lock(settings, server) as lock:
        moved = move_aside(settings) if rebuild else None
        client = server or open_client(settings)
        with broken_guard(settings):
            summary = _ingest_locked(
                client, settings, folders, fingerprints, force, progress, lock, overrides
            )
    return replace(
        summary,
        seconds=time.perf_counter() - started,
        moved_aside=str(moved) if moved else "",
    )


def _ingest_locked(
    client: ClientAPI,
    settings: Settings,
    folders: list[Path],
    fingerprints: dict[Path, str],
    force: bool,
    progress: bool,
    lock: WriterLock,
    overrides: Mapping[str, Any],
) -> IngestSummary:
    """The ingest itself, run while this process holds the index's writer lock."""
    with _store_errors(settings):
        pointers = read_pointers(client)
        # no other writer can be building now: every collection no pointer names is an orphan
        # (a killed ingest's half-built build), whichever report it belongs to
        stale = orphans(client)
        if stale:
            # the copies in the search collection first: one never outlives its build, so with
            # no orphan there is nothing to prune (and reading it can make Chroma write files)
            prune_search(client, (p.collection for p in pointers.values()))
            drop_collections(client, stale)
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
    # validate everything before the first write
    plans = [plan_report(folder, fingerprints[folder], overrides) for folder in todo]
    _check_unique_ids(plans, current)
    with _store_errors(settings):
        current = [_make_searchable(client, p, lock.renew) for p in current]
    if not todo:
        return IngestSummary(
            reports=len(current),
            sections=sum(len(p.sections) for p in current),
            chunks=sum(p.chunks for p in current),
            facts=sum(p.facts for p in current),
            embedded=0,
            reused=0,
            seconds=0.0,
            skipped=True,
            where=settings.where,
            report_ids=tuple(p.report for p in current),
        )
    embedded = reused = 0
    with _store_errors(settings):
        for plan in plans:
            previous = pointers.get(plan.info.id)
            e, r = _write_build(
                client, settings, plan, previous, progress, reuse=not force, renew=lock.renew
            )
            embedded += e
            reused += r
    return IngestSummary(
        reports=len(current) + len(plans),
        sections=sum(len(p.sections) for p in current) + sum(len(p.sections) for p in plans),
        chunks=sum(p.chunks for p in current) + sum(len(p.chunks) for p in plans),
        facts=sum(p.facts for p in current) + sum(len(p.facts) for p in plans),
        embedded=embedded,
        reused=reused,
        seconds=0.0,
        skipped=False,
        where=settings.where,
        report_ids=tuple(p.report for p in current) + tuple(p.info.id for p in plans),
    )


def parse_size(text: str) -> int:
    """Bytes in a size such as ``50MB``, ``1.5 GB``, ``500kB`` or ``1048576``; ValueError if not."""
    m = _SIZE.fullmatch(text.strip())
    if m is None:
        raise ValueError(f"not a size: {text!r} (write e.g. 20MB, 500KB or 1GB)")
    unit = (m.group("unit") or "B").upper().rstrip("B") or "B"
    return int(float(m.group("number")) * _UNITS[unit])


def check_sizes(folders: Sequence[Path], max_bytes: int | None) -> None:
    """CorpusError for a report file larger than ``max_bytes``, before anything reads it."""
    if max_bytes is None:
        return
    from ingest.report import locate

    for folder in folders:
        path = locate(folder).file
        if path.suffix == ".pdf":
            continue  # a PDF's size is mostly layout and images, not text to embed
        size = path.stat().st_size
        if size > max_bytes:
            raise CorpusError(
                path,
                f"the report is {size / MB:,.1f} MB; the limit is {max_bytes / MB:,.1f} MB, "
                "because embedding takes minutes per MB of distinct text on a CPU "
                "('survey-rag bench ingest --size 1MB' measures it here): raise it with "
                f"'survey-rag ingest --max-size {math.ceil(size / MB)}MB'",
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
                "id (--id, or id in its report.toml or <name>.toml)",
            )
        owners[plan.info.id] = plan.folder


def _write_build(
    client: ClientAPI,
    settings: Settings,
    plan: ReportPlan,
    previous: Pointer | None,
    progress: bool,
    reuse: bool = True,
    renew: Callable[[], None] = lambda: None,
) -> tuple[int, int]:
    """Build a new collection for one report, switch its pointer, drop the old build."""
    report_id = plan.info.id
    identity = embedder_identity(settings)
    records = build_records(plan)

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

    def write(rows: list[tuple[tuple[str, str, dict[str, Any]], Any]]) -> None:
        for i in range(0, len(rows), WRITE_BATCH):
            part = rows[i : i + WRITE_BATCH]
            build.add(
                ids=[r[0] for r, _ in part],
                embeddings=[vector for _, vector in part],
                documents=[r[1] for r, _ in part],
                metadatas=[r[2] for r, _ in part],
            )
            renew()
            pause()

    if reused:
        write([(r, old_vectors[r[0]]) for r in reused])
    if missing:
        from concurrent.futures import ThreadPoolExecutor

        from tqdm import tqdm

        embedder = embedder or get_embedder(settings)
        # a one-sentence passage and its sentence are one text: embed it once
        by_text: dict[str, list[tuple[str, str, dict[str, Any]]]] = {}
        for r in missing:
            by_text.setdefault(r[1], []).append(r)
        texts = sorted(by_text, key=len)  # similar lengths per batch pad less
        with (
            tqdm(
                total=len(texts),
                desc=f"embedding {report_id}",
                unit="text",
                file=sys.stderr,
                disable=not progress,
                leave=False,
            ) as bar,
            ThreadPoolExecutor(max_workers=1) as writer,
        ):
            # the store writes the last batch while the next one is embedded: a write is a
            # round trip the embedder need not wait for (one writer: batches land in order)
            writes: list[Any] = []
            pending: list[tuple[tuple[str, str, dict[str, Any]], Any]] = []
            for i in range(0, len(texts), EMBED_BATCH):
                batch_texts = texts[i : i + EMBED_BATCH]
                vectors = embedder.embed_documents(batch_texts)
                pending += [
                    (r, vector)
                    for text, vector in zip(batch_texts, vectors, strict=True)
                    for r in by_text[text]
                ]
                bar.update(len(batch_texts))
                renew()
                if len(pending) >= WRITE_BATCH:
                    _raise_failed(writes)
                    writes.append(writer.submit(write, pending))
                    pending = []
            writes.append(writer.submit(write, pending))
            for future in writes:
                future.result()  # a failed write raises here, before the build is counted

    count = build.count()
    if count != len(records):
        raise StoreUnavailable(
            f"the new index of {report_id} at {settings.where} holds {count} of "
            f"{len(records)} records; the previous index is still active: run 'survey-rag ingest'"
        )
    digest = _digest(build, plan)
    share_build(client, build, renew)
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
            digest=digest,
            warnings=plan.warnings,
            overrides=plan.overrides,
            searchable=True,
        ),
    )
    if previous is not None and previous.collection != build.name:
        unshare(client, [previous.collection])
        drop_collections(client, [previous.collection])
    return len({r[1] for r in missing}), len(reused)


def _make_searchable(client: ClientAPI, pointer: Pointer, renew: Callable[[], None]) -> Pointer:
    """Copy a build an older survey-rag wrote into the search collection (no re-embedding)."""
    if pointer.searchable:
        return pointer
    build = get_collection(client, pointer.collection)
    if build is None:
        return pointer
    share_build(client, build, renew)
    searchable = replace(pointer, searchable=True)
    write_pointer(client, searchable)
    return searchable


def build_records(plan: ReportPlan) -> list[tuple[str, str, dict[str, Any]]]:
    """Every record one build of a report stores: passages, facts, sentences, question forms."""
    records = [chunk_record(c, i) for i, c in enumerate(plan.chunks)]
    records += [fact_record(f, i) for i, f in enumerate(plan.facts)]
    records += [sentence_record(s, i) for i, s in enumerate(plan.sentences)]
    records += [form_record(f, question_form(f), i) for i, f in enumerate(plan.facts)]
    return records


def _digest(build: Any, plan: ReportPlan) -> dict[str, Any]:
    """The report's digest (ingest.digest) from the sentence vectors just written."""
    from ingest.digest import build_digest

    got = build.get(where={"kind": "sentence"}, include=["metadatas", "embeddings"])
    by_seq = {
        int((md or {}).get("seq", 0)): vector
        for md, vector in zip(got["metadatas"] or [], got["embeddings"], strict=True)
    }
    vectors = [by_seq[i] for i in range(len(plan.sentences)) if i in by_seq]
    if len(vectors) != len(plan.sentences):
        return {}
    return build_digest(plan.sentences, vectors, plan.facts)


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


def _raise_failed(writes: Sequence[Any]) -> None:
    """Raise the error of a background write that failed: no more embedding for a lost build."""
    for future in writes:
        if future.done():
            future.result()


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
        with broken_guard(settings):
            pointers = read_pointers(open_client(settings))
    statuses = []
    seen_folders = set()
    for pointer in sorted(pointers.values(), key=lambda p: p.report):
        folder = Path(pointer.folder) if pointer.folder else None
        if folder is not None and folder.exists():
            seen_folders.add(folder)
            try:
                on_disk = build_fingerprint(settings, folder, dict(pointer.overrides))
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
                warnings=pointer.warnings,
            )
        )
    try:
        corpus_folders = report_folders(settings) if _lists_corpus(settings, pointers) else []
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


def _lists_corpus(settings: Settings, pointers: Mapping[str, Pointer]) -> bool:
    """Whether status should list the corpus's reports that are not indexed.

    Only when the corpus is the one this index is for: the corpus dir was set explicitly, the
    index is the default one, or the index already holds a corpus report. A private data dir
    holding one's own reports does not ask for the bundled corpus.
    """
    from rag.settings import Settings as Defaults

    if "corpus_dir" in settings.model_fields_set:
        return True
    default = Defaults.model_fields["data_dir"].default
    if not settings.chroma_url and Path(settings.data_dir).resolve() == Path(default).resolve():
        return True
    corpus = Path(settings.corpus_dir).resolve()
    return any(Path(p.folder).resolve().parent == corpus for p in pointers.values() if p.folder)


def run_ingest_command(args: argparse.Namespace, settings: Settings) -> int:
    """``survey-rag ingest [PATH ...]``: index, then print a one-line summary."""
    paths = [Path(p) for p in args.paths] if args.paths else None
    max_bytes: int | None = MAX_REPORT_BYTES
    if getattr(args, "max_size", None):
        try:
            max_bytes = parse_size(args.max_size)
        except ValueError as exc:
            raise InputError(f"--max-size: {exc}") from None
    rebuild = bool(getattr(args, "rebuild", False))
    overrides = {
        "id": getattr(args, "id", None),
        "title": getattr(args, "title", None),
        "year": getattr(args, "year", None),
    }
    summary = ingest(
        settings,
        paths,
        force=args.force,
        progress=not args.quiet,
        rebuild=rebuild,
        max_bytes=max_bytes,
        overrides=overrides,
    )
    if summary.moved_aside:
        print(f"moved the previous index aside to {summary.moved_aside} (delete it when done)")
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
        for warning in s.warnings:
            print(f"    warning: {warning}")
    return 0
