"""One writer at a time: the lock an ingest holds while it validates, writes and cleans up.

Two ingests writing to one index would each take the other's half-built collection for the
orphan of a killed run and drop it. So an ingest first takes the index's writer lock:

- embedded index: ``<data dir>/ingest.lock``, held with ``flock``. The kernel releases it when
  the holder exits, even by ``kill -9``, so a lock is stale exactly when its process is dead.
  The file names the holder (pid, host, start time) for the message the next writer prints.
- Chroma server: a lock record in the meta collection with a lease the holder renews after
  each batch it writes; a lease older than ``LEASE_SECONDS`` is stale (its holder died).
  Chroma has no compare-and-set, so the taker writes its claim, waits a moment and reads it
  back: of two writers racing, only the one whose claim stuck goes on.

While the lock is held no other build can be under way, so every collection no pointer names
is an orphan the holder may drop.
"""

from __future__ import annotations

import json
import os
import secrets
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from rag.errors import IngestBusy, StoreUnavailable
from rag.settings import Settings

if TYPE_CHECKING:
    from chromadb.api import ClientAPI

LOCK_FILE = "ingest.lock"
LOCK_RECORD = "lock:ingest"
LEASE_SECONDS = 60.0
CLAIM_SETTLE = 0.3  # seconds between writing a server claim and reading it back


@dataclass(frozen=True)
class Holder:
    """Who holds (or last held) the writer lock."""

    pid: int
    host: str
    started: float
    token: str = ""
    expires: float = 0.0

    def describe(self) -> str:
        when = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(self.started))
        where = "" if self.host == socket.gethostname() else f" on {self.host}"
        return f"pid {self.pid}{where}, started {when}"


def _me() -> Holder:
    return Holder(pid=os.getpid(), host=socket.gethostname(), started=time.time())


def _busy(holder: Holder | None, where: str, how: str) -> IngestBusy:
    who = holder.describe() if holder else "pid unknown"
    return IngestBusy(
        f"another ingest is running ({who}) on the index at {where}: wait for it to finish "
        f"and run 'survey-rag ingest' again{how}"
    )


class WriterLock:
    """The held lock; ``renew()`` after each write keeps a server lease alive."""

    def renew(self) -> None:
        """Extend the lease (a no-op for a file lock, which lives as long as its process)."""

    def release(self) -> None:
        """Let the next writer in."""


class _FileLock(WriterLock):
    def __init__(self, handle: IO[str]) -> None:
        self._handle = handle

    def release(self) -> None:
        import fcntl

        # empty the file before unlocking, so nobody reads a finished writer as the holder
        self._handle.truncate(0)
        fcntl.flock(self._handle, fcntl.LOCK_UN)
        self._handle.close()


def lock_path(settings: Settings) -> Path:
    """The lock file of the embedded index the settings point at."""
    return Path(settings.data_dir) / LOCK_FILE


def read_holder(path: Path) -> Holder | None:
    """The holder a lock file names, or None if it names nobody (free, or being written)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8") or "null")
        return Holder(**data) if isinstance(data, dict) else None
    except (OSError, ValueError, TypeError):
        return None


def _lock_file(settings: Settings) -> WriterLock:
    import fcntl

    path = lock_path(settings)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle = path.open("a+", encoding="utf-8")
    except OSError as exc:
        raise StoreUnavailable(
            f"cannot create the ingest lock {path} ({exc.strerror}): check that "
            f"{path.parent} is writable, or point --data-dir / SURVEY_RAG_DATA_DIR elsewhere"
        ) from exc
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        raise _busy(read_holder(path), str(settings.chroma_path), "") from None
    handle.seek(0)
    handle.truncate(0)
    json.dump(_me().__dict__, handle)
    handle.flush()
    return _FileLock(handle)


class _LeaseLock(WriterLock):
    def __init__(self, meta: Any, holder: Holder) -> None:
        self._meta = meta
        self._holder = holder
        self._renewed = time.monotonic()

    def renew(self) -> None:
        # at most every few seconds: a renewal is one small upsert on the server
        if time.monotonic() - self._renewed > LEASE_SECONDS / 6:
            _write_claim(self._meta, self._holder)
            self._renewed = time.monotonic()

    def release(self) -> None:
        current = _read_claim(self._meta)
        if current is not None and current.token == self._holder.token:
            self._meta.delete(ids=[LOCK_RECORD])


def _write_claim(meta: Any, holder: Holder) -> None:
    claim = Holder(holder.pid, holder.host, holder.started, holder.token)
    meta.upsert(
        ids=[LOCK_RECORD],
        embeddings=[[1.0]],
        documents=[json.dumps({**claim.__dict__, "expires": time.time() + LEASE_SECONDS})],
        metadatas=[{"kind": "lock"}],
    )


def _read_claim(meta: Any) -> Holder | None:
    got = meta.get(ids=[LOCK_RECORD], include=["documents"])
    docs = got["documents"] or []
    if not docs or not docs[0]:
        return None
    try:
        return Holder(**json.loads(docs[0]))
    except (ValueError, TypeError):
        return None


def _lease(client: ClientAPI, settings: Settings) -> WriterLock:
    from rag.index.store import meta_collection

    meta = meta_collection(client)
    how = f" (a lease left by a killed ingest expires within {LEASE_SECONDS:.0f} s)"
    current = _read_claim(meta)
    if current is not None and current.expires > time.time():
        raise _busy(current, settings.where, how)
    me = Holder(**{**_me().__dict__, "token": secrets.token_hex(8)})
    _write_claim(meta, me)
    time.sleep(CLAIM_SETTLE)  # a rival who read "free" at the same moment writes meanwhile
    current = _read_claim(meta)
    if current is None or current.token != me.token:
        raise _busy(current, settings.where, how)
    return _LeaseLock(meta, me)


@contextmanager
def writer_lock(settings: Settings, client: ClientAPI | None = None) -> Iterator[WriterLock]:
    """Hold the index's writer lock for the block; IngestBusy if another ingest holds it."""
    if settings.chroma_url:
        if client is None:
            raise ValueError("a Chroma server lock needs the client")
        lock = _lease(client, settings)
    else:
        lock = _lock_file(settings)
    try:
        yield lock
    finally:
        lock.release()
