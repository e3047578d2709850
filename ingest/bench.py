"""``survey-rag bench ingest [PATH]``: indexing time against floors timed in the same run.

Absolute seconds depend on the machine and on what else it is doing, so each figure is set
beside a floor timed in the same process a moment earlier: embedding the same texts alone
plus a bare Chroma add of precomputed vectors (for a full ingest), and hashing the report
folder plus one read of the pointers (for a no-op re-ingest).

``--size 1MB,10MB,50MB`` instead times every step before embedding on the bundled report
repeated to each size, beside a floor of one linear pass over the same text (read, hash, one
regex scan), so the table shows whether each step grows linearly. Embedding is timed on a
sample and extrapolated: at these sizes it is hours of CPU, which is why ingest refuses a report
over ``MAX_REPORT_BYTES`` unless ``--max-size`` raises the limit.
"""

from __future__ import annotations

import argparse
import gc
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from rag.settings import Settings

TARGET_FULL = 3.0  # seconds for a full ingest of the bundled report, model already loaded
TARGET_NOOP = 0.5  # seconds for a re-ingest that finds nothing changed
TARGET_EMBED_RATIO = 1.3  # a full ingest against embedding its texts alone


def _timed(fn: Callable[[], object]) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def _rounds(fn: Callable[[], object], repeat: int) -> list[float]:
    return [_timed(fn) for _ in range(max(1, repeat))]


def run_bench_ingest(args: argparse.Namespace, settings: Settings) -> int:
    """Time model load, a full ingest, a no-op re-ingest and their floors; print a table."""
    if getattr(args, "size", None):
        return run_bench_sizes(args, settings)
    from ingest.pipeline import (
        build_fingerprint,
        build_records,
        ingest,
        plan_report,
        report_folders,
    )
    from ingest.report import fingerprint
    from rag.index.embeddings import get_embedder
    from rag.index.store import (
        create_build,
        open_client,
        read_pointers,
    )

    repeat = int(getattr(args, "repeat", 5) or 5)
    paths = [Path(args.path)] if getattr(args, "path", None) else None
    folders = report_folders(settings, paths)
    plans = [plan_report(folder, build_fingerprint(settings, folder)) for folder in folders]
    records = [r for p in plans for r in build_records(p)]
    texts = list(dict.fromkeys(text for _, text, _ in records))  # ingest embeds each text once
    row_of = {text: i for i, text in enumerate(texts)}

    load = _timed(lambda: get_embedder(settings))
    embedder = get_embedder(settings)
    embedder.embed_documents(texts[:8])  # torch's first call pays one-off set-up costs
    rounds = max(1, repeat)

    embed_floor: list[float] = []
    add_floor: list[float] = []
    full: list[float] = []
    with tempfile.TemporaryDirectory(prefix="survey-rag-bench-") as tmp:
        root = Path(tmp)
        floor_client = open_client(Settings(data_dir=root / "floor"))
        stores = [
            Settings(data_dir=root / f"full-{i}", corpus_dir=settings.corpus_dir)
            for i in range(rounds)
        ]
        # floor and real ingest alternate, so a busy moment on the machine hits both alike
        for store in stores:
            vectors: list[list[float]] = []

            def embed_only(vectors: list[list[float]] = vectors) -> None:
                vectors.extend(embedder.embed_documents(texts))

            embed_floor.append(_timed(embed_only))

            def bare_add(vectors: list[list[float]] = vectors) -> None:
                build = create_build(floor_client, "floor", f"{time.time_ns():x}", "floor", 384)
                build.add(
                    ids=[r[0] for r in records],
                    embeddings=[vectors[row_of[r[1]]] for r in records],  # type: ignore[arg-type]
                    documents=[r[1] for r in records],
                    metadatas=[r[2] for r in records],
                )

            add_floor.append(_timed(bare_add))
            full.append(_timed(lambda s=store: ingest(s, paths)))  # type: ignore[misc]

        target = stores[0]
        noop: list[float] = []
        noop_floors: list[float] = []

        def noop_floor() -> None:
            for folder in folders:
                fingerprint(folder)
            read_pointers(open_client(target))

        for _ in range(rounds):
            noop.append(_timed(lambda: ingest(target, paths)))
            noop_floors.append(_timed(noop_floor))
        assert ingest(target, paths).skipped

    med = statistics.median
    full_floor = med(embed_floor) + med(add_floor)
    full_ratio = med(f / (e + a) for f, e, a in zip(full, embed_floor, add_floor, strict=True))
    embed_ratio = med(f / e for f, e in zip(full, embed_floor, strict=True))
    words = sum(len(p.info.plain.split() or p.info.text.split()) for p in plans)
    noop_ratio = med(n / f for n, f in zip(noop, noop_floors, strict=True))
    chunks = sum(len(p.chunks) for p in plans)
    facts = sum(len(p.facts) for p in plans)
    sentences = sum(len(p.sentences) for p in plans)
    print(
        f"survey-rag bench ingest: {len(plans)} report(s) "
        f"({', '.join(str(f) for f in folders)}; {words:,} words), "
        f"{chunks} chunks + {facts} facts + {sentences} sentences = {len(records)} records, "
        f"{len(texts)} distinct texts; "
        f"median (min) of {rounds} rounds; ratio = median of per-round ratios"
    )
    rows = [
        ("model load (import + weights)", f"{load:.2f}", "", "", ""),
        (
            "full ingest, model loaded",
            f"{med(full):.2f} ({min(full):.2f})",
            f"{full_floor:.2f}",
            f"{full_ratio:.2f}x",
            _verdict(med(full), TARGET_FULL) if paths is None else "",
        ),
        (
            "  vs embedding the texts alone",
            "",
            f"{med(embed_floor):.2f} ({min(embed_floor):.2f})",
            f"{embed_ratio:.2f}x",
            f"<= {TARGET_EMBED_RATIO:g}x {'ok' if embed_ratio <= TARGET_EMBED_RATIO else 'MISSED'}",
        ),
        ("  floor: bare Chroma add", f"{med(add_floor):.3f} ({min(add_floor):.3f})", "", "", ""),
        (
            "no-op re-ingest",
            f"{med(noop):.3f} ({min(noop):.3f})",
            f"{med(noop_floors):.3f}",
            f"{noop_ratio:.2f}x",
            _verdict(med(noop), TARGET_NOOP),
        ),
    ]
    header = ("step", "seconds", "floor", "ratio", "target")
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    for row in [header, *rows]:
        print("  ".join(str(cell).ljust(width) for cell, width in zip(row, widths, strict=True)))
    return 0


def _verdict(seconds: float, target: float) -> str:
    return f"< {target:g} s {'ok' if seconds < target else 'MISSED'}"


EMBED_SAMPLE = 128  # distinct texts embedded to estimate the embedding time of a size


def parse_sizes(text: str) -> list[int]:
    """Byte counts of ``1MB,10MB,50MB``; InputError naming the bad one."""
    from ingest.pipeline import parse_size
    from rag.errors import InputError

    sizes = []
    for part in text.split(","):
        try:
            sizes.append(parse_size(part))
        except ValueError as exc:
            raise InputError(f"--size: {exc}") from None
    if not sizes or min(sizes) <= 0:
        raise InputError("--size needs positive sizes, e.g. --size 1MB,10MB,50MB")
    return sizes


def repeated_report(source: str, size: int) -> str:
    """``source`` repeated (a blank line between copies) and cut to ``size`` characters."""
    unit = source.rstrip() + "\n\n"
    return (unit * (size // len(unit) + 1))[:size]


def _cpu(fn: Callable[[], object]) -> float:
    # CPU seconds of this process: other work on a shared machine does not skew per-MB figures
    started = time.process_time()
    fn()
    return time.process_time() - started


def _floor_pass(path: Path) -> None:
    import hashlib
    import re

    text = path.read_text(encoding="utf-8")
    hashlib.sha256(text.encode()).hexdigest()
    len(re.findall(r"\w+", text))


def run_bench_sizes(args: argparse.Namespace, settings: Settings) -> int:
    """Time each ingest step before embedding at each ``--size``; print a table per MB."""
    from ingest.chunking import chunk_text
    from ingest.corpus import load_report, load_tables
    from ingest.pipeline import MB, build_fingerprint, plan_report
    from ingest.sections import load_sections
    from rag.index.embeddings import get_embedder
    from rag.index.store import chunk_record, sentence_record
    from rag.text.sentences import report_sentences

    sizes = parse_sizes(str(args.size))
    source_folder = Path(settings.corpus_dir) / "aiia-2023"
    if not (source_folder / "report.txt").is_file():
        source_folder = next(Path(settings.corpus_dir).glob("*/report.txt")).parent
    source = (source_folder / "report.txt").read_text(encoding="utf-8")

    # embedding rate, on distinct texts of the real report (repeats would be embedded once)
    plan = plan_report(source_folder, "bench")
    distinct = list(dict.fromkeys([c.text for c in plan.chunks] + [s.text for s in plan.sentences]))
    texts_per_byte = len(distinct) / len(source.encode())
    embedder = get_embedder(settings)
    embedder.embed_documents(distinct[:8])  # one-off set-up costs
    sample = distinct[:EMBED_SAMPLE]
    rate = len(sample) / _timed(lambda: embedder.embed_documents(sample))

    print(
        f"survey-rag bench ingest --size: {source_folder.name}/report.txt "
        f"({len(source.encode()) / 1024:.0f} KB) repeated to each size, one round each, "
        "CPU seconds; "
        "floor = read + sha256 + one regex pass over the same text; "
        f"embedding estimated from {len(sample)} texts at {rate:.0f} texts/s "
        f"({texts_per_byte * MB:,.0f} distinct texts per MB of report)"
    )
    header = (
        "size",
        "sections",
        "chunks",
        "sentences",
        "steps before embedding (s)",
        "s/MB",
        "floor (s)",
        "ratio",
        "embedding, est. (s)",
    )
    rows: list[tuple[str, ...]] = []
    step_rows: list[tuple[str, ...]] = []
    with tempfile.TemporaryDirectory(prefix="survey-rag-bench-size-") as tmp:
        for size in sizes:
            folder = Path(tmp) / f"big-{size}"
            folder.mkdir()
            path = folder / "report.txt"
            path.write_text(repeated_report(source, size), encoding="utf-8")
            gc.collect()  # the previous size's garbage is not this size's cost
            floor = _cpu(lambda p=path: _floor_pass(p))  # type: ignore[misc]
            steps: dict[str, float] = {}
            started = time.process_time()
            fingerprint = build_fingerprint(settings, folder)
            steps["fingerprint"] = time.process_time() - started
            mark = time.process_time()
            info, text = load_report(folder)
            steps["read"] = time.process_time() - mark
            mark = time.process_time()
            sections = load_sections(info, text, folder)
            steps["sections"] = time.process_time() - mark
            mark = time.process_time()
            load_tables(folder, text, sections)
            steps["tables"] = time.process_time() - mark
            mark = time.process_time()
            chunks = chunk_text(text, sections, info.id)
            steps["chunks"] = time.process_time() - mark
            mark = time.process_time()
            sentences = report_sentences(info.id, text, sections)
            steps["sentences"] = time.process_time() - mark
            mark = time.process_time()
            records = [chunk_record(c, i) for i, c in enumerate(chunks)]
            records += [sentence_record(s, i) for i, s in enumerate(sentences)]
            steps["records"] = time.process_time() - mark
            total = time.process_time() - started
            del fingerprint, records, text
            mb = size / MB
            embed_estimate = texts_per_byte * size / rate
            rows.append(
                (
                    _size_label(size),
                    f"{len(sections)}",
                    f"{len(chunks):,}",
                    f"{len(sentences):,}",
                    f"{total:.2f}",
                    f"{total / mb:.2f}",
                    f"{floor:.2f}",
                    f"{total / floor:.1f}x",
                    f"{embed_estimate:,.0f}",
                )
            )
            step_rows.append((_size_label(size), *(f"{v / mb:.3f}" for v in steps.values())))
            path.unlink()
            step_names = tuple(steps)
    _table(header, rows)
    print("\nseconds per MB of each step (constant down a column = linear):")
    _table(("size", *step_names), step_rows)
    return 0


def _size_label(size: int) -> str:
    return f"{size / 1024:g} KB" if size < 1024 * 1024 else f"{size / (1024 * 1024):g} MB"


def _table(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> None:
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    for row in [header, *rows]:
        print("  ".join(str(cell).ljust(width) for cell, width in zip(row, widths, strict=True)))
