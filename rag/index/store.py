"""The Chroma index: build a new collection aside, then switch a pointer to it.

Layout inside Chroma (embedded folder or server alike)::

    survey-rag__meta                        one record per report: the active pointer
    survey-rag__<report>__<fp12>__<nonce>   passages, facts and sentences of one build of one report
    survey-rag__search                      every build's passages and facts again, tagged with
                                            their build: one query searches every report

Records carry a ``kind`` in their metadata: "passage" and "fact" are what retrieval searches;
"sentence" records hold one vector per report sentence (rag.text.sentences) for the answerer's
sentence-level similarity, and every search leaves them out.

An ingest writes a whole new collection, copies its passages and facts (vectors included,
nothing re-embedded) into the search collection, then upserts the report's pointer, then
removes the previous build from both. Readers only open what a pointer names, and search the
shared collection only for the builds pointers name, so an ingest killed half-way leaves the
previous build serving; the next ingest, even one with nothing to do, drops the orphan and
its copies. Only one ingest writes at a time (ingest.lock), so an orphan is never a live build.
A store whose files are damaged raises IndexBroken; ``survey-rag ingest --rebuild`` moves the
embedded folder aside (``move_aside``) and builds a new one.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import SplitResult, urlsplit

from rag.errors import IndexBroken, IndexMissing, StoreUnavailable, SurveyRagError
from rag.index.build_cache import BuildCache, cache_dir
from rag.settings import Settings
from rag.types import Chunk, Fact, ReportInfo, Section, Sentence

if TYPE_CHECKING:
    from chromadb.api import ClientAPI
    from chromadb.api.models.Collection import Collection

T = TypeVar("T")

PREFIX = "survey-rag__"
META_COLLECTION = f"{PREFIX}meta"
SEARCH_COLLECTION = f"{PREFIX}search"  # no build name is this: builds end in __<fp12>__<nonce>
SHARE_BATCH = 1000  # records per request when copying a build into the search collection
STORE_SCHEMA = 3  # bump when the record layout changes: it is part of every fingerprint
HEARTBEAT_TIMEOUT = 3.0
BROKEN_PREFIX = "chroma.broken-"  # a damaged embedded index, moved aside by --rebuild


def _chroma_settings() -> Any:
    from chromadb.config import Settings as ChromaSettings

    return ChromaSettings(anonymized_telemetry=False)


def open_client(settings: Settings) -> ClientAPI:
    """A Chroma client for the embedded folder, or for ``settings.chroma_url`` if set."""
    if settings.chroma_url:
        return _http_client(settings.chroma_url)
    import chromadb

    path = settings.chroma_path
    try:
        path.mkdir(parents=True, exist_ok=True)
        return chromadb.PersistentClient(path=str(path), settings=_chroma_settings())
    except Exception as exc:  # a locked, unreadable or corrupt folder: one line to the user
        raise StoreUnavailable(
            f"cannot open the index folder {path}: {_reason(exc)}; check that it is readable "
            "and writable, or point --data-dir / SURVEY_RAG_DATA_DIR elsewhere; if it is "
            "damaged, 'survey-rag ingest --rebuild' moves it aside and builds it again"
        ) from exc


def _http_client(url: str) -> ClientAPI:
    import chromadb
    import httpx

    parts, host, port = parse_chroma_url(url)
    ssl = parts.scheme == "https"
    hint = (
        f"start one with `chroma run --path .survey-rag/chroma --host {host} --port {port}`, "
        "or drop --chroma-url / SURVEY_RAG_CHROMA_URL to use the embedded index"
    )
    base = f"{parts.scheme or 'http'}://{parts.netloc}"
    try:
        # our own short probe: the chromadb HTTP client waits forever on a silent host
        httpx.get(f"{base}/api/v2/heartbeat", timeout=HEARTBEAT_TIMEOUT).raise_for_status()
        client = chromadb.HttpClient(host=host, port=port, ssl=ssl, settings=_chroma_settings())
        client.heartbeat()
    except Exception as exc:
        reason = _reason(exc)
        raise StoreUnavailable(
            f"cannot reach the Chroma server at {url} ({reason}): {hint}"
        ) from exc
    return client


def parse_chroma_url(url: str) -> tuple[SplitResult, str, int]:
    """``(parts, host, port)`` of a Chroma server URL; StoreUnavailable if it does not parse."""
    fix = "write it like http://127.0.0.1:8000 (--chroma-url / SURVEY_RAG_CHROMA_URL)"
    try:
        parts = urlsplit(url if "://" in url else f"http://{url}")
        port = parts.port  # reading it validates it
    except ValueError as exc:
        raise StoreUnavailable(
            f"the Chroma URL {url!r} is not a valid URL ({exc}): {fix}"
        ) from None
    if parts.scheme not in ("http", "https"):
        raise StoreUnavailable(f"the Chroma URL {url!r} must start with http:// or https://: {fix}")
    ssl = parts.scheme == "https"
    return parts, parts.hostname or "localhost", port or (443 if ssl else 80)


def broken_error(exc: BaseException, settings: Settings) -> IndexBroken | None:
    """IndexBroken, saying how to recover, if ``exc`` means the store's data is damaged."""
    import sqlite3

    from chromadb.errors import ChromaError, NotFoundError

    damaged = (
        isinstance(exc, sqlite3.DatabaseError)
        or (isinstance(exc, ChromaError) and not isinstance(exc, NotFoundError))
        or type(exc).__name__ == "PanicException"  # a Rust panic inside chromadb
    )
    if not damaged:
        return None
    if settings.chroma_url:
        return IndexBroken(
            f"the Chroma server at {settings.chroma_url} cannot read its index "
            f"({_reason(exc)}): stop it, move its --path folder aside, start it on an empty "
            "folder and run 'survey-rag ingest'"
        )
    return IndexBroken(
        f"the index at {settings.chroma_path} is damaged and cannot be read ({_reason(exc)}): "
        "run 'survey-rag ingest --rebuild' to move it aside (kept, renamed "
        f"{BROKEN_PREFIX}<time>) and build it again from the corpus"
    )


@contextmanager
def broken_guard(settings: Settings) -> Iterator[None]:
    """Turn an error that means a damaged store into IndexBroken; others pass through."""
    try:
        yield
    except SurveyRagError:
        raise
    except BaseException as exc:
        broken = broken_error(exc, settings)
        if broken is None:
            raise
        raise broken from exc


def move_aside(settings: Settings) -> Path | None:
    """Rename the embedded index folder to ``chroma.broken-<time>`` (never deleted)."""
    path = Path(settings.chroma_path)
    if not path.exists():
        return None
    stamp = time.strftime("%Y%m%d-%H%M%S")
    target = path.with_name(f"{BROKEN_PREFIX}{stamp}")
    n = 1
    while target.exists():
        n += 1
        target = path.with_name(f"{BROKEN_PREFIX}{stamp}-{n}")
    try:
        path.rename(target)
    except OSError as exc:
        raise StoreUnavailable(
            f"cannot move the index {path} aside to {target} ({exc.strerror}): move or remove "
            "it by hand, then run 'survey-rag ingest'"
        ) from exc
    # chromadb keeps one open system per path: a client opened before would write to the
    # renamed folder
    from chromadb.api.client import SharedSystemClient

    SharedSystemClient.clear_system_cache()
    return target


def _reason(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:120]


def collection_name(report_id: str, fingerprint: str) -> str:
    """A fresh, valid Chroma collection name for a new build of ``report_id``."""
    safe = re.sub(r"[^A-Za-z0-9_-]+", "-", report_id).strip("-_")[:80] or "report"
    return f"{PREFIX}{safe}__{fingerprint[:12]}__{secrets.token_hex(3)}"


@dataclass(frozen=True)
class Pointer:
    """The active build of one report, as recorded in ``survey-rag__meta``."""

    report: str
    collection: str
    fingerprint: str
    embedder: str
    dimension: int
    chunks: int
    facts: int
    folder: str  # where the report was read from, for staleness checks
    info: ReportInfo
    sections: tuple[Section, ...]
    updated: float = 0.0
    sentences: int = 0
    schema: int = STORE_SCHEMA  # the record layout of the build
    digest: dict[str, Any] = field(default_factory=dict)  # ingest.digest: central sentences...
    warnings: tuple[str, ...] = ()  # what ingest found doubtful (unconfirmed hand table rows)
    overrides: tuple[tuple[str, Any], ...] = ()  # id/title/year given on the command line
    searchable: bool = False  # its passages and facts are in the search collection


def _meta(client: ClientAPI, create: bool) -> Collection | None:
    if create:
        return client.get_or_create_collection(
            META_COLLECTION,
            embedding_function=None,
            metadata={"survey_rag_schema": STORE_SCHEMA},
        )
    try:
        return client.get_collection(META_COLLECTION, embedding_function=None)
    except Exception as exc:
        if _is_not_found(exc):
            return None
        raise


def meta_collection(client: ClientAPI) -> Collection:
    """The meta collection (pointers, and the writer lock of a server), created if missing."""
    meta = _meta(client, create=True)
    assert meta is not None
    return meta


def _is_not_found(exc: Exception) -> bool:
    from chromadb.errors import NotFoundError

    return isinstance(exc, NotFoundError | ValueError) and "does not exist" in str(exc)


def _build(cls: type[T], values: dict[str, Any]) -> T:
    # an index written by an older or newer survey-rag may carry other fields
    known = {f.name for f in fields(cls)}  # type: ignore[arg-type]
    return cls(**{k: v for k, v in values.items() if k in known})


def read_pointers(client: ClientAPI) -> dict[str, Pointer]:
    """Every report's active pointer, keyed by report id."""
    meta = _meta(client, create=False)
    if meta is None:
        return {}
    records = meta.get(include=["documents", "metadatas"])
    pointers = {}
    for doc, md in zip(records["documents"] or [], records["metadatas"] or [], strict=True):
        if md is None or doc is None or "collection" not in md:
            continue  # not a pointer: the writer lock of a server, say
        payload = json.loads(doc)
        raw_info = payload["info"]
        info = _build(
            ReportInfo,
            {
                **raw_info,
                "sections": tuple(raw_info["sections"]),
                "vocabulary": tuple(tuple(g) for g in raw_info.get("vocabulary") or ()),
                "offsets": tuple(tuple(run) for run in raw_info.get("offsets", ())),
            },
        )
        pointers[info.id] = Pointer(
            report=info.id,
            collection=str(md["collection"]),
            fingerprint=str(md["fingerprint"]),
            embedder=str(md["embedder"]),
            dimension=int(md["dimension"]),  # type: ignore[arg-type]
            chunks=int(md["chunks"]),  # type: ignore[arg-type]
            facts=int(md["facts"]),  # type: ignore[arg-type]
            folder=str(md.get("folder", "")),
            info=info,
            sections=tuple(_build(Section, s) for s in payload["sections"]),
            updated=float(md.get("updated", 0.0)),  # type: ignore[arg-type]
            sentences=int(md.get("sentences", 0)),  # type: ignore[arg-type]
            schema=int(md.get("schema", 1)),  # type: ignore[arg-type]
            digest=dict(payload.get("digest") or {}),
            warnings=tuple(payload.get("warnings", ())),
            overrides=tuple((str(k), v) for k, v in payload.get("overrides", {}).items()),
            searchable=bool(md.get("searchable", False)),
        )
    return pointers


def write_pointer(client: ClientAPI, pointer: Pointer) -> None:
    """Make ``pointer.collection`` the build readers see for ``pointer.report`` (one upsert)."""
    meta = _meta(client, create=True)
    assert meta is not None
    payload = {
        "info": asdict(pointer.info),
        "sections": [asdict(s) for s in pointer.sections],
        "digest": pointer.digest,
        "warnings": list(pointer.warnings),
        "overrides": dict(pointer.overrides),
    }
    meta.upsert(
        ids=[pointer.report],
        # the meta collection is never searched; Chroma still wants a vector per record
        embeddings=[[1.0]],  # type: ignore[arg-type]
        documents=[json.dumps(payload, ensure_ascii=False)],
        metadatas=[
            {
                "collection": pointer.collection,
                "fingerprint": pointer.fingerprint,
                "embedder": pointer.embedder,
                "dimension": pointer.dimension,
                "chunks": pointer.chunks,
                "facts": pointer.facts,
                "sections": len(pointer.sections),
                "sentences": pointer.sentences,
                "schema": pointer.schema,
                "folder": pointer.folder,
                "updated": pointer.updated or time.time(),
                "searchable": pointer.searchable,
            }
        ],
    )


def create_build(
    client: ClientAPI, report_id: str, fingerprint: str, embedder: str, dimension: int
) -> Collection:
    """A new, empty collection (cosine space) for one build of one report."""
    return client.create_collection(
        collection_name(report_id, fingerprint),
        configuration={"hnsw": {"space": "cosine"}},
        metadata={
            "survey_rag_schema": STORE_SCHEMA,
            "report": report_id,
            "fingerprint": fingerprint,
            "embedder": embedder,
            "dimension": dimension,
            "created": time.time(),
        },
        embedding_function=None,
    )


def get_collection(client: ClientAPI, name: str) -> Collection | None:
    """The collection called ``name``, or None if it does not exist."""
    try:
        return client.get_collection(name, embedding_function=None)
    except Exception as exc:
        if _is_not_found(exc):
            return None
        raise


def builds(client: ClientAPI) -> dict[str, str]:
    """Every build collection in the store: name -> report id."""
    found = {}
    for collection in client.list_collections():
        name = collection.name
        if name.startswith(PREFIX) and name not in (META_COLLECTION, SEARCH_COLLECTION):
            found[name] = str((collection.metadata or {}).get("report", ""))
    return found


def drop_collections(client: ClientAPI, names: Iterable[str]) -> list[str]:
    """Delete the named collections, ignoring ones already gone; returns those deleted."""
    dropped = []
    for name in names:
        try:
            client.delete_collection(name)
        except Exception as exc:
            if not _is_not_found(exc):
                raise
        else:
            dropped.append(name)
    return dropped


def orphans(client: ClientAPI, report_ids: Iterable[str] | None = None) -> list[str]:
    """Build collections no pointer names (half-built or left over), for ``report_ids`` or all."""
    active = {p.collection for p in read_pointers(client).values()}
    wanted = None if report_ids is None else set(report_ids)
    return sorted(
        name
        for name, report in builds(client).items()
        if name not in active and (wanted is None or report in wanted or not report)
    )


def search_collection(client: ClientAPI, create: bool = False) -> Collection | None:
    """The collection every build's passages and facts are copied into (None if missing)."""
    if create:
        return client.get_or_create_collection(
            SEARCH_COLLECTION,
            configuration={"hnsw": {"space": "cosine"}},
            metadata={"survey_rag_schema": STORE_SCHEMA},
            embedding_function=None,
        )
    return get_collection(client, SEARCH_COLLECTION)


def share_build(
    client: ClientAPI, build: Collection, renew: Callable[[], None] = lambda: None
) -> int:
    """Copy a build's passages and facts, vectors included, into the search collection.

    Each copy's id is ``<build>/<record id>`` and its metadata names its build, so readers
    search only the builds their pointers name. Read and written a page at a time (``renew``
    after each, to keep the writer lock). Returns the number of records copied.
    """
    shared = search_collection(client, create=True)
    assert shared is not None
    copied = 0
    while True:
        got = build.get(
            where=_SEARCHED,  # type: ignore[arg-type]
            include=["embeddings", "metadatas"],  # type: ignore[list-item]
            limit=SHARE_BATCH,
            offset=copied,
        )
        if not got["ids"]:
            return copied
        vectors = got["embeddings"] if got["embeddings"] is not None else []
        shared.add(
            ids=[f"{build.name}/{rid}" for rid in got["ids"]],
            embeddings=list(vectors),
            metadatas=[
                {
                    "build": build.name,
                    "kind": str((md or {}).get("kind", "")),
                    "report": str((md or {}).get("report", "")),
                }
                for md in (got["metadatas"] or [])
            ],
        )
        copied += len(got["ids"])
        renew()


def unshare(client: ClientAPI, names: Iterable[str]) -> None:
    """Remove the copies of these builds from the search collection."""
    dropped = sorted(names)
    shared = search_collection(client) if dropped else None
    if shared is not None:
        shared.delete(where=_builds_filter("$in", dropped))


def prune_search(client: ClientAPI, active: Iterable[str]) -> None:
    """Remove the copies of every build no pointer names (a killed ingest's, a replaced one's)."""
    shared = search_collection(client)
    kept = sorted(active)
    if shared is None:
        return
    if not kept:
        drop_collections(client, [SEARCH_COLLECTION])
        return
    stale = _builds_filter("$nin", kept)
    if shared.get(where=stale, limit=1, include=[])["ids"]:  # write only when there is any
        shared.delete(where=stale)


def _builds_filter(op: str, names: list[str]) -> Any:
    """A Chroma ``where`` on the search collection's ``build`` field."""
    return {"build": {op: names}}


def chunk_record(chunk: Chunk, seq: int) -> tuple[str, str, dict[str, Any]]:
    """``(id, document, metadata)`` of a passage as stored in Chroma."""
    return (
        chunk.id,
        chunk.text,
        {
            "kind": "passage",
            "report": chunk.report,
            "section": chunk.section,
            "start": chunk.start,
            "end": chunk.end,
            "seq": seq,
        },
    )


def fact_record(fact: Fact, seq: int) -> tuple[str, str, dict[str, Any]]:
    """``(id, document, metadata)`` of a fact as stored in Chroma."""
    return (
        fact.id,
        fact.text,
        {
            "kind": "fact",
            "report": fact.report,
            "section": fact.section,
            "start": fact.start,
            "end": fact.end,
            "table": fact.table,
            "row": fact.row,
            "caption": fact.caption,
            "value": float(fact.value),
            "unit": fact.unit,
            "qualifier": fact.qualifier,
            "source": fact.source,
            "origin": fact.origin,
            "subject": fact.subject,
            "seq": seq,
        },
    )


def form_record(fact: Fact, form: str, seq: int) -> tuple[str, str, dict[str, Any]]:
    """``(id, document, metadata)`` of a fact asked as a question, embedded to match questions."""
    return (
        hashlib.sha256(f"form|{fact.id}|{form}".encode()).hexdigest()[:16],
        form,
        {"kind": "form", "report": fact.report, "fact": fact.id, "seq": seq},
    )


def sentence_record(sentence: Sentence, seq: int) -> tuple[str, str, dict[str, Any]]:
    """``(id, document, metadata)`` of a report sentence as stored in Chroma."""
    key = f"sentence|{sentence.report}|{sentence.start}|{sentence.end}|{sentence.text}"
    return (
        hashlib.sha256(key.encode()).hexdigest()[:16],
        sentence.text,
        {
            "kind": "sentence",
            "report": sentence.report,
            "section": sentence.section,
            "start": sentence.start,
            "end": sentence.end,
            "seq": seq,
        },
    )


# what retrieval searches; sentence records only feed sentence-level similarity
_SEARCHED = {"kind": {"$in": ["passage", "fact"]}}


def _from_record(record_id: str, text: str, md: dict[str, Any]) -> Chunk | Fact:
    if md["kind"] == "fact":
        return Fact(
            id=record_id,
            report=str(md["report"]),
            table=str(md["table"]),
            caption=str(md["caption"]),
            row=str(md["row"]),
            value=float(md["value"]),
            unit=str(md["unit"]),
            qualifier=md["qualifier"],
            section=str(md["section"]),
            text=text,
            source=str(md["source"]),
            start=int(md["start"]),
            end=int(md["end"]),
            origin=str(md.get("origin", "table")),
            subject=str(md.get("subject", "")),
        )
    return Chunk(
        id=record_id,
        report=str(md["report"]),
        section=str(md["section"]),
        text=text,
        start=int(md["start"]),
        end=int(md["end"]),
    )


def combined_fingerprint(fingerprints: dict[str, str]) -> str:
    """One fingerprint for a set of reports: it changes when any report's build changes."""
    if len(fingerprints) == 1:
        return next(iter(fingerprints.values()))
    joined = "\n".join(f"{rid}={fp}" for rid, fp in sorted(fingerprints.items()))
    return hashlib.sha256(joined.encode()).hexdigest()


@dataclass(frozen=True)
class ReportData:
    """One report's records as stored: passages and facts in text order, and its sentences.

    Row ``i`` of ``sentence_vectors`` (a float32 numpy matrix) is the vector of ``sentences[i]``.
    """

    chunks: tuple[Chunk, ...]
    facts: tuple[Fact, ...]
    sentences: tuple[Sentence, ...]
    sentence_vectors: Any
    fact_vectors: Any = None  # row i: the vector of facts[i]'s sentence
    form_vectors: Any = None  # row i: the vector of facts[i] asked as a question


class IndexReader:
    """What is indexed: reports and their pointers at once, each report's records on first use.

    A process answering about one report of a hundred reads only that report's passages, facts
    and sentence vectors (:meth:`report_data`); a search across reports is one query of the
    search collection. ``chunks``, ``facts``, ``sentences`` and
    ``sentence_vectors`` span every report and load them all on first access; row ``i`` of
    ``sentence_vectors`` is the stored vector of ``sentences[i]``.
    """

    def __init__(
        self,
        where: str,
        pointers: dict[str, Pointer],
        collections: dict[str, Any],
        client: ClientAPI | None = None,
        search: Any = None,
        cache: BuildCache | None = None,
        served: bool = False,
    ):
        self.where = where
        self._cache = cache  # local copies of a server's builds
        self._served = served  # by a Chroma server (not an embedded client)
        self._client = client
        self._search = search  # the search collection, if any build is copied into it
        self._pointers = pointers
        self._collections = collections
        self._data: dict[str, ReportData] = {}
        self._items: dict[str, Chunk | Fact] = {}
        self._owner: dict[str, str] = {}  # record id -> report id, for hits not yet loaded
        self._sizes: dict[str, int] = {}  # collection name -> records it holds
        self._all: dict[str, Any] = {}
        self._lock = threading.RLock()
        self._report_locks: dict[str, threading.Lock] = {}  # one reader of each report at once
        self.reports: list[ReportInfo] = [pointers[r].info for r in collections]
        self.fingerprints: dict[str, str] = {r: pointers[r].fingerprint for r in collections}
        self.fingerprint: str = combined_fingerprint(self.fingerprints)
        self.embedder: str = next(iter(pointers.values())).embedder

    def report_data(self, report_id: str) -> ReportData:
        """One report's passages, facts, sentences and sentence vectors, read once."""
        data = self._data.get(report_id)
        if data is not None:
            return data
        if report_id not in self._collections:
            known = ", ".join(self._collections) or "none"
            raise IndexMissing(
                f"report {report_id!r} is not indexed at {self.where} (indexed: {known}): "
                "run 'survey-rag ingest PATH'"
            )
        with self._lock:
            report_lock = self._report_locks.setdefault(report_id, threading.Lock())
        # a lock per report: reading several at once overlaps their round trips to a server
        with report_lock:
            data = self._data.get(report_id)
            if data is None:
                try:
                    data = self._load(report_id)
                except Exception as exc:
                    # an ingest since we opened replaced this report's build: read the new one
                    if not (_is_not_found(exc) and self._follow(report_id)):
                        raise
                    data = self._load(report_id)
                with self._lock:
                    for chunk in data.chunks:
                        self._items[chunk.id] = chunk
                    for fact in data.facts:
                        self._items[fact.id] = fact
                    self._data[report_id] = data
        return data

    def _load(self, report_id: str) -> ReportData:
        collection = self._collections[report_id]
        records = self._get(
            collection,
            "records",
            where=_SEARCHED,
            include=["documents", "metadatas", "embeddings"],
        )
        embedded = records["embeddings"] if records["embeddings"] is not None else []
        chunks: list[tuple[int, Chunk]] = []
        facts: list[tuple[int, Fact, Any]] = []
        for rid, doc, md, vector in zip(
            records["ids"],
            records["documents"] or [],
            records["metadatas"] or [],
            embedded,
            strict=True,
        ):
            item = _from_record(rid, doc or "", dict(md or {}))
            seq = int((md or {}).get("seq", 0))
            if isinstance(item, Fact):
                facts.append((seq, item, vector))
            else:
                chunks.append((seq, item))
        got_forms = self._get(
            collection, "forms", where={"kind": "form"}, include=["metadatas", "embeddings"]
        )
        form_vectors = got_forms["embeddings"] if got_forms["embeddings"] is not None else []
        forms = {
            str((md or {}).get("fact", "")): vector
            for md, vector in zip(got_forms["metadatas"] or [], form_vectors, strict=True)
        }
        got = self._get(
            collection,
            "sentences",
            where={"kind": "sentence"},
            include=["documents", "metadatas", "embeddings"],
        )
        vectors = got["embeddings"] if got["embeddings"] is not None else []
        sentences: list[tuple[int, Sentence, Any]] = []
        for doc, md, vector in zip(
            got["documents"] or [], got["metadatas"] or [], vectors, strict=True
        ):
            md = md or {}
            sentence = Sentence(
                report=str(md["report"]),
                section=str(md["section"]),
                start=int(md["start"]),  # type: ignore[arg-type]
                end=int(md["end"]),  # type: ignore[arg-type]
                text=doc or "",
            )
            sentences.append((int(md.get("seq", 0)), sentence, vector))  # type: ignore[arg-type]
        pointer = self._pointers[report_id]
        expected = pointer.chunks + pointer.facts + pointer.sentences
        found = len(records["ids"]) + len(got["ids"])
        if found != expected:
            raise IndexMissing(
                f"the index of {report_id} at {self.where} is incomplete ({found} of "
                f"{expected} records): run 'survey-rag ingest --force'"
            )
        chunks.sort(key=lambda t: t[0])
        facts.sort(key=lambda t: t[0])
        sentences.sort(key=lambda t: t[0])
        fact_vectors = _matrix([v for _, _, v in facts])
        ordered = [f for _, f, _ in facts]
        return ReportData(
            chunks=tuple(c for _, c in chunks),
            facts=tuple(ordered),
            sentences=tuple(s for _, s, _ in sentences),
            sentence_vectors=_matrix([v for _, _, v in sentences]),
            fact_vectors=fact_vectors,
            form_vectors=_form_matrix(ordered, forms, fact_vectors),
        )

    def _get(self, collection: Any, label: str, **query: Any) -> Any:
        """``collection.get(**query)``, through the local copy of a server's builds if any."""
        if self._cache is None:
            return collection.get(**query)
        return self._cache.get(collection, label, lambda: collection.get(**query))

    def _follow(self, report_id: str) -> bool:
        """Point at ``report_id``'s current build after a re-ingest; False if there is none."""
        if self._client is None:
            return False
        pointer = read_pointers(self._client).get(report_id)
        if pointer is None or pointer.collection == self._pointers[report_id].collection:
            return False
        collection = get_collection(self._client, pointer.collection)
        if collection is None:
            return False
        self._pointers[report_id] = pointer
        self._collections[report_id] = collection
        return True

    def loaded(self) -> list[str]:
        """The reports whose records this reader has read so far."""
        return list(self._data)

    def _every(self, field: str) -> Any:
        value = self._all.get(field)
        if value is None:
            unread = [r for r in self._collections if r not in self._data]
            if len(unread) > 1:  # all at once: over a server the round trips overlap
                list(_pool().map(self.report_data, unread))
            parts = [getattr(self.report_data(r), field) for r in self._collections]
            if field == "sentence_vectors":
                value = _stack([p for p in parts if len(p)])
            else:
                value = [x for part in parts for x in part]
            self._all[field] = value
        return value

    @property
    def chunks(self) -> list[Chunk]:
        """Every report's passages, report by report in text order (loads every report)."""
        return self._every("chunks")  # type: ignore[no-any-return]

    @property
    def facts(self) -> list[Fact]:
        """Every report's facts, report by report (loads every report)."""
        return self._every("facts")  # type: ignore[no-any-return]

    @property
    def sentences(self) -> list[Sentence]:
        """Every report's sentences in text order (loads every report)."""
        return self._every("sentences")  # type: ignore[no-any-return]

    @property
    def sentence_vectors(self) -> Any:
        """The vectors of ``sentences``, one float32 row each (loads every report)."""
        return self._every("sentence_vectors")

    def sections(self, report_id: str) -> list[Section]:
        """The sections of one report, with their spans in its text."""
        return list(self._pointers[report_id].sections)

    def digest(self, report_id: str) -> dict[str, Any]:
        """The digest ingest built for one report (ingest.digest), empty if none."""
        return dict(self._pointers[report_id].digest)

    def report(self, report_id: str) -> ReportInfo:
        """The indexed report called ``report_id``."""
        return self._pointers[report_id].info

    def get(self, record_id: str) -> Chunk | Fact:
        """The passage or fact stored under ``record_id`` (loading its report if need be)."""
        item = self._items.get(record_id)
        if item is None:
            owner = self._owner.get(record_id)
            reports = [owner] if owner is not None else list(self._collections)
            for report_id in reports:
                self.report_data(report_id)
                item = self._items.get(record_id)
                if item is not None:
                    break
        if item is None:
            raise KeyError(record_id)
        return item

    def __contains__(self, record_id: object) -> bool:
        if not isinstance(record_id, str):
            return False
        try:
            self.get(record_id)
        except KeyError:
            return False
        return True

    def query(
        self,
        embedding: Sequence[float],
        k: int,
        report: str | None = None,
        kind: str | None = None,
    ) -> list[tuple[str, float]]:
        """The ``k`` nearest records as ``(id, cosine similarity)``, best first.

        One Chroma query: of the report's collection, or of the search collection for every
        report (builds an older survey-rag wrote, not copied there, are queried one by one, in
        parallel). ``report`` and ``kind`` ("passage" or "fact") narrow the search.
        """
        if k <= 0:
            return []
        targets = [r for r in self._collections if report is None or r == report]
        shared = [r for r in targets if self._search is not None and self._pointers[r].searchable]
        if len(shared) < 2:
            shared = []  # one report's own collection is the smaller one to search
        alone = [r for r in targets if r not in shared]
        parts: list[list[tuple[str, float]]] = []
        if shared:
            parts.append(self._query_shared(embedding, k, shared, kind))
        if len(alone) == 1:
            parts.append(self._query_one(embedding, k, alone[0], kind))
        elif alone:
            # each report is its own collection: over a server the round trips overlap
            parts.extend(_pool().map(lambda r: self._query_one(embedding, k, r, kind), alone))
        hits = [hit for part in parts for hit in part]
        hits.sort(key=lambda hit: -hit[1])
        return hits[:k]

    def _available(self, report_id: str, kind: str | None) -> int:
        pointer = self._pointers[report_id]
        if kind == "fact":
            return pointer.facts
        return pointer.chunks if kind else pointer.chunks + pointer.facts

    def _query_one(
        self, embedding: Sequence[float], k: int, report_id: str, kind: str | None
    ) -> list[tuple[str, float]]:
        n = min(k, self._available(report_id, kind))
        if n <= 0:
            return []
        collection = self._collections[report_id]
        if kind is None and report_id in self._data and self._served:
            found = self._ranked_unfiltered(collection, embedding, report_id, n)
            if found is not None:
                return found
        result = collection.query(
            query_embeddings=[list(embedding)],
            n_results=n,
            where={"kind": kind} if kind else _SEARCHED,  # type: ignore[arg-type]
            include=["distances"],
        )
        distances = (result["distances"] or [[]])[0]
        ids = result["ids"][0]
        for rid in ids:
            self._owner[rid] = report_id
        return [(rid, 1.0 - float(d)) for rid, d in zip(ids, distances, strict=True)]

    def _ranked_unfiltered(
        self, collection: Any, embedding: Sequence[float], report_id: str, n: int
    ) -> list[tuple[str, float]] | None:
        """The ``n`` nearest passages and facts of a report already read, from a query of its
        whole collection, unfiltered, kept here by id: a Chroma server answers a query
        filtered on the kind of record in ~35 ms, one unfiltered in ~5 (a build is a few
        hundred records), with the same ranking (ties at the last place aside). None if the
        ranking did not reach ``n`` of them."""
        data = self._data[report_id]
        ours = {c.id for c in data.chunks} | {f.id for f in data.facts}
        size = self._sizes.get(collection.name)
        if size is None:
            size = self._sizes[collection.name] = int(collection.count())
        result = collection.query(
            query_embeddings=[list(embedding)], n_results=size, include=["distances"]
        )
        distances = (result["distances"] or [[]])[0]
        hits = [
            (rid, 1.0 - float(d))
            for rid, d in zip(result["ids"][0], distances, strict=True)
            if rid in ours
        ][:n]
        if len(hits) < n:
            return None
        for rid, _ in hits:
            self._owner[rid] = report_id
        return hits

    def _query_shared(
        self, embedding: Sequence[float], k: int, report_ids: list[str], kind: str | None
    ) -> list[tuple[str, float]]:
        n = min(k, sum(self._available(r, kind) for r in report_ids))
        if n <= 0:
            return []
        owners = {self._pointers[r].collection: r for r in report_ids}
        by_kind: dict[str, Any] | None = {"kind": kind} if kind else None
        # Unfiltered first: the search collection normally holds exactly the builds pointers
        # name, and a filter on 100 build names costs more than the search. If a copy of a
        # build we do not serve comes back (an ingest under way or killed, a report we do not
        # read), search again among ours only.
        hits = self._shared_hits(embedding, n, by_kind, owners)
        if hits is None:
            only_ours = _builds_filter("$in", sorted(owners))
            where = only_ours if by_kind is None else {"$and": [only_ours, by_kind]}
            hits = self._shared_hits(embedding, n, where, owners) or []
        return hits

    def _shared_hits(
        self, embedding: Sequence[float], n: int, where: Any, owners: dict[str, str]
    ) -> list[tuple[str, float]] | None:
        """The search collection's ``n`` nearest as (record id, similarity); None if one of
        them belongs to a build not in ``owners``."""
        result = self._search.query(
            query_embeddings=[list(embedding)], n_results=n, where=where, include=["distances"]
        )
        distances = (result["distances"] or [[]])[0]
        hits = []
        for shared_id, d in zip(result["ids"][0], distances, strict=True):
            build, _, rid = shared_id.partition("/")
            if build not in owners:
                return None
            self._owner[rid] = owners[build]
            hits.append((rid, 1.0 - float(d)))
        return hits


def _form_matrix(facts: Sequence[Fact], forms: dict[str, Any], fallback: Any) -> Any:
    """Each fact's question-form vector, row for row (its own vector where it has none)."""
    if not facts:
        return fallback
    return _matrix([forms[f.id] if f.id in forms else fallback[i] for i, f in enumerate(facts)])


_POOL: list[Any] = []


def _pool() -> Any:
    """The threads that run one report's query each (made on first use, shared)."""
    from concurrent.futures import ThreadPoolExecutor

    with _POOL_LOCK:
        if not _POOL:
            _POOL.append(ThreadPoolExecutor(max_workers=8, thread_name_prefix="survey-rag-query"))
        return _POOL[0]


_POOL_LOCK = threading.Lock()


def _stack(matrices: Sequence[Any]) -> Any:
    """Row-wise concatenation of float32 matrices (0 x 0 when there are none)."""
    import numpy as np

    if not matrices:
        return np.zeros((0, 0), dtype=np.float32)
    return np.concatenate(matrices, axis=0)


def _matrix(vectors: Sequence[Any]) -> Any:
    """The vectors as one float32 matrix, a row each (0 x 0 when there are none)."""
    import numpy as np

    if not len(vectors):
        return np.zeros((0, 0), dtype=np.float32)
    return np.asarray(np.stack([np.asarray(v, dtype=np.float32) for v in vectors]))


def open_index(settings: Settings) -> IndexReader:
    """The index the settings point at, loaded once; IndexMissing if nothing is indexed there."""
    with broken_guard(settings):
        return _open_index(settings)


def _open_index(settings: Settings) -> IndexReader:
    missing = f"no index at {settings.where}: run 'survey-rag ingest'"
    if not settings.chroma_url and not Path(settings.chroma_path).exists():
        raise IndexMissing(missing)
    client = open_client(settings)
    pointers = read_pointers(client)
    if settings.report is not None:
        if settings.report not in pointers:
            known = ", ".join(sorted(pointers)) or "none"
            raise IndexMissing(
                f"report {settings.report!r} is not indexed at {settings.where} "
                f"(indexed: {known}): run 'survey-rag ingest PATH'"
            )
    outdated = sorted(r for r, p in pointers.items() if p.schema != STORE_SCHEMA)
    if outdated:
        raise IndexMissing(
            f"the index of {', '.join(outdated)} at {settings.where} was built by another "
            "version of survey-rag: run 'survey-rag ingest'"
        )
    collections = {}
    for report_id, pointer in sorted(pointers.items()):
        collection = get_collection(client, pointer.collection)
        if collection is not None:
            collections[report_id] = collection
    if not collections:
        raise IndexMissing(missing)
    shared = search_collection(client) if any(p.searchable for p in pointers.values()) else None
    cache = None
    if settings.chroma_url:  # an embedded index is on this disk already
        cache = BuildCache(cache_dir(settings.data_dir))
        cache.prune(collections.values())
    served = settings.chroma_url is not None
    return IndexReader(settings.where, pointers, collections, client, shared, cache, served)
