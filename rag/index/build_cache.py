"""A local copy of the builds read from a Chroma server, so a process starts without them.

Reading a report's records with their vectors from a server costs round trips and a JSON
parse of every float (most of a 100-report library's start-up). A build never changes once
its pointer names it (a re-ingest writes a new collection), so what was read once is kept
under the data dir, one file pair per read, named by the collection's name and id, and read
back on the next start. A copy that cannot be read is read from the server again; copies of a
report's earlier builds are removed when an index is opened.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

FORMAT = 1  # bump when what a copy holds changes


def cache_dir(data_dir: Path) -> Path:
    """Where the copies of a server's builds live (a collection's id is unique to it)."""
    return data_dir / "server-cache"


class BuildCache:
    """Copies of ``collection.get`` results, per build and per query."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def _stem(self, collection: Any, label: str) -> Path:
        return self.folder / f"{collection.name}.{collection.id}.{label}"

    def get(self, collection: Any, label: str, read: Callable[[], dict[str, Any]]) -> Any:
        """``read()``'s result for this build, from the copy if there is a good one."""
        stem = self._stem(collection, label)
        kept = _load(stem)
        if kept is not None:
            return kept
        got = read()
        try:
            _save(stem, got)
        except OSError:
            pass  # a read-only or full disk: the server is still there to read from
        return got

    def prune(self, collections: Iterable[Any]) -> None:
        """Remove the copies of the reports' earlier builds: those of a report one of
        ``collections`` is a build of, not that build (another server's stay)."""
        current = list(collections)
        keep = {f"{c.name}.{c.id}." for c in current}
        reports = {c.name.rsplit("__", 2)[0] + "__" for c in current}
        if not self.folder.is_dir():
            return
        for path in self.folder.iterdir():
            name = path.name
            if any(name.startswith(r) for r in reports) and not any(
                name.startswith(k) for k in keep
            ):
                path.unlink(missing_ok=True)


def _path(stem: Path, suffix: str) -> Path:
    return stem.with_name(f"{stem.name}.{suffix}")  # the stem's own dots are not a suffix


def _load(stem: Path) -> dict[str, Any] | None:
    import numpy as np

    try:
        head = json.loads(_path(stem, "json").read_text(encoding="utf-8"))
        if head.get("format") != FORMAT:
            return None
        vectors = None
        if head.get("vectors"):
            vectors = np.load(_path(stem, "npy"), allow_pickle=False)
            if len(vectors) != len(head["ids"]):
                return None
    except (OSError, ValueError, KeyError):
        return None
    return {
        "ids": head["ids"],
        "documents": head.get("documents"),
        "metadatas": head.get("metadatas"),
        "embeddings": vectors,
    }


def _save(stem: Path, got: dict[str, Any]) -> None:
    import numpy as np

    stem.parent.mkdir(parents=True, exist_ok=True)
    embedded = got.get("embeddings")
    vectors = embedded is not None and len(got["ids"]) > 0
    if vectors:  # the vectors first: a copy whose head is missing is never read
        _atomic(_path(stem, "npy"), lambda f: np.save(f, np.asarray(embedded)))
    head = {
        "format": FORMAT,
        "ids": list(got["ids"]),
        "documents": got.get("documents"),
        "metadatas": got.get("metadatas"),
        "vectors": vectors,
    }
    _atomic(_path(stem, "json"), lambda f: f.write(json.dumps(head).encode("utf-8")))


def _atomic(path: Path, write: Callable[[Any], None]) -> None:
    """Write ``path`` whole or not at all (a killed process leaves no half file)."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as f:
            write(f)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
