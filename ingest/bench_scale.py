"""``survey-rag bench scale``: many reports on a real ``chroma run`` server, each against a floor.

1. Corpus: ``--reports`` made-up variants of the bundled report (ingest.variants: topics
   shuffled, percentages altered alike in text and tables, some paragraphs repeated).
2. Ingest into a ``chroma run`` server the benchmark starts on a free loopback port, with the
   model loaded, in ``FLOOR_SAMPLE`` slices of reports (each one ``ingest(paths)`` call, as a
   team adding reports would); floor = embedding the same texts alone, measured on one report
   per slice, just before or just after it, as a rate: texts per second. The machine is
   shared, so a floor timed only at the start and the end of a 15-minute ingest compared it
   with whatever else ran in between; interleaved, both sides see the same machine.
3. Answers: a fresh process per mode (one report named, none named) answers ``--questions``
   distinct questions with ``Engine(settings).answer``; floor per question = one query
   embedding + one Chroma query of the collection that mode searches (the named report's, or
   the search collection of every report). Each process reports its start-up time
   (interpreter start to engine warm) and its peak RSS.

With ``--keep DIR`` the corpus, the server's data and the ingest figures stay in DIR, and a
later run with the same DIR and ``--reports`` answers on that index without ingesting again
(a 100-report ingest takes a quarter of an hour; the answering half is what changes most).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from rag.settings import PROJECT_ROOT, Settings

DEFAULT_QUESTIONS = PROJECT_ROOT / "evals" / "cases.yaml"
FLOOR_SAMPLE = 10  # reports whose texts are embedded alone for the ingest floor, one per slice
TARGETS = {"ingest": 0.8, "p50": 1.5, "p95": 3.0, "rss_mb": 1536.0}


def questions_from(path: Path, count: int) -> list[str]:
    """The first ``count`` distinct single-turn questions of an evaluation cases file."""
    import yaml

    cases = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    found = dict.fromkeys(
        str(c["question"]).strip() for c in cases if c.get("question") and not c.get("history")
    )
    return list(found)[:count]


@contextmanager
def chroma_server(path: Path, timeout: float = 60.0) -> Iterator[str]:
    """``chroma run --path PATH`` on a free loopback port; yields its URL, stops it on exit."""
    import socket
    import urllib.request

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    url = f"http://127.0.0.1:{port}"
    chroma = Path(sys.executable).parent / "chroma"
    log = path.parent / "chroma.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [str(chroma), "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                with urllib.request.urlopen(f"{url}/api/v2/heartbeat", timeout=1):
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(
                        f"chroma run did not start at {url}: {log.read_text()[-500:]}"
                    ) from None
                time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def distinct_texts(plan: Any) -> list[str]:
    """What ingest embeds for one report: each distinct text of its records once."""
    from ingest.pipeline import build_records

    return list(dict.fromkeys(text for _, text, _ in build_records(plan)))


def measure_ingest(
    settings: Settings, folders: list[Path], floor_sample: int = FLOOR_SAMPLE
) -> dict[str, float]:
    """Ingest every folder (model loaded) and embed a sample's texts alone; rates per second."""
    from ingest.pipeline import build_fingerprint, ingest, plan_report
    from rag.index.embeddings import ensure_query_model, get_embedder

    plans = [plan_report(f, build_fingerprint(settings, f)) for f in folders]
    embedder = get_embedder(settings)
    ensure_query_model(settings)  # the one-off ONNX export is not part of the ingest
    embedder.embed_documents(distinct_texts(plans[0])[:8])  # torch's one-off set-up
    slices = max(1, min(floor_sample, len(plans)))
    size = -(-len(plans) // slices)
    floor_texts = 0
    floor_seconds = 0.0

    def floor(plan: Any) -> None:
        nonlocal floor_texts, floor_seconds
        texts = distinct_texts(plan)
        started = time.perf_counter()
        embedder.embed_documents(texts)
        floor_seconds += time.perf_counter() - started
        floor_texts += len(texts)

    seconds = 0.0
    reports = 0
    for n, first in enumerate(range(0, len(plans), size)):
        part = plans[first : first + size]
        # the floor just before one slice and just after the next, so a machine getting busier
        # or quieter weighs on both sides of the ratio alike
        if n % 2 == 0:
            floor(part[len(part) // 2])
        started = time.perf_counter()
        reports += ingest(settings, [p.folder for p in part]).reports
        seconds += time.perf_counter() - started
        if n % 2 == 1:
            floor(part[len(part) // 2])
    total = sum(len(distinct_texts(p)) for p in plans)
    chunks = sum(len(p.chunks) for p in plans)
    floor_rate = floor_texts / floor_seconds
    return {
        "reports": float(reports),
        "chunks": float(chunks),
        "facts": float(sum(len(p.facts) for p in plans)),
        "sentences": float(sum(len(p.sentences) for p in plans)),
        "texts": float(total),
        "seconds": seconds,
        "chunks_per_s": chunks / seconds,
        "floor_chunks_per_s": chunks / (total / floor_rate),
        "ratio": (total / seconds) / floor_rate,
    }


def peak_rss_kb() -> int:
    """This process's peak resident memory in KiB.

    /proc's VmHWM, not getrusage: ru_maxrss survives exec, so a child of the (torch-loaded)
    benchmark would report the parent's peak.
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)


def answer_worker(spec: dict[str, Any]) -> dict[str, Any]:
    """Inside a fresh process: warm an Engine, answer every question, time each against a floor."""
    from rag.engine import Engine
    from rag.errors import SurveyRagError
    from rag.index.embeddings import get_query_embedder
    from rag.retrieval.hybrid import dense_depth

    settings = Settings(chroma_url=spec["url"], data_dir=spec["data_dir"], report=spec["report"])
    engine = Engine(settings)
    engine.warm()
    startup = time.time() - spec["spawned"]
    warm_kb = peak_rss_kb()
    embedder = get_query_embedder(settings)
    index = engine.index
    depth = dense_depth(settings.top_k)
    answers: list[float] = []
    floors: list[float] = []
    errors = 0
    for question in spec["questions"]:
        started = time.perf_counter()
        try:
            engine.answer(question)
        except SurveyRagError:
            errors += 1
        answers.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        # a zero-width space: a new key for the embedder's cache, the same tokens
        index.query(embedder.embed_query(question + "\u200b"), depth, report=settings.report)
        floors.append((time.perf_counter() - started) * 1000)
    peak_kb = peak_rss_kb()
    return {
        "startup": startup,
        "answers": answers,
        "floors": floors,
        "errors": errors,
        "rss_mb": peak_kb / 1024,
        "rss_warm_mb": warm_kb / 1024,
        "loaded_reports": len(getattr(index, "loaded", lambda: [])()),
        "torch": "torch" in sys.modules,
    }


def run_answers(
    url: str, data_dir: Path, report: str | None, questions: list[str]
) -> dict[str, Any]:
    """Run :func:`answer_worker` in a fresh interpreter and return what it measured."""
    spec = {
        "url": url,
        "data_dir": str(data_dir),
        "report": report,
        "questions": questions,
        "spawned": time.time(),
    }
    code = (
        "import json, sys\n"
        "from ingest.bench_scale import answer_worker\n"
        "print(json.dumps(answer_worker(json.loads(sys.stdin.read()))))\n"
    )
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "ANONYMIZED_TELEMETRY": "False"}
    env = {k: v for k, v in env.items() if not k.startswith("SURVEY_RAG_")}
    done = subprocess.run(
        [sys.executable, "-c", code],
        input=json.dumps(spec),
        capture_output=True,
        text=True,
        env=env,
        cwd=PROJECT_ROOT,
    )
    if done.returncode != 0:
        raise RuntimeError(f"the answering process failed: {done.stderr.strip()[-800:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def bench_scale(
    reports: int,
    questions: int,
    work: Path,
    questions_file: Path = DEFAULT_QUESTIONS,
    floor_sample: int = FLOOR_SAMPLE,
) -> dict[str, Any]:
    """Build the corpus, start the server, ingest, answer; everything measured, as a dict."""
    from ingest.variants import make_variants
    from rag.bench import percentile

    source = PROJECT_ROOT / "corpus" / "aiia-2023"
    corpus = work / "corpus"
    kept = work / "ingest.json"
    previous = json.loads(kept.read_text()) if kept.is_file() else None
    if previous is not None and previous.get("reports") != reports:
        raise ValueError(
            f"{work} holds an index of {previous.get('reports'):.0f} reports, not {reports}: "
            "use another --keep folder or the same --reports"
        )
    folders = make_variants(source, corpus, reports)
    asked = questions_from(questions_file, questions)
    result: dict[str, Any] = {"questions": len(asked)}
    with chroma_server(work / "chroma") as url:
        settings = Settings(chroma_url=url, corpus_dir=corpus, data_dir=work / "data")
        if previous is None:
            result["ingest"] = measure_ingest(settings, folders, floor_sample)
            kept.write_text(json.dumps(result["ingest"]))
        else:
            result["ingest"] = previous
        print(format_ingest(result["ingest"]), file=sys.stderr, flush=True)
        named = folders[len(folders) // 2].name
        for mode, report in (("one report", named), ("all reports", None)):
            got = run_answers(url, settings.data_dir, report, asked)
            p50, f50 = percentile(got["answers"], 50), percentile(got["floors"], 50)
            p95, f95 = percentile(got["answers"], 95), percentile(got["floors"], 95)
            result[mode] = {
                **{k: v for k, v in got.items() if k not in {"answers", "floors"}},
                "p50": p50,
                "p95": p95,
                "floor_p50": f50,
                "floor_p95": f95,
                "ratio_p50": p50 / f50,
                "ratio_p95": p95 / f50,
            }
    return result


def _ok(value: float, target: float, higher: bool = False) -> str:
    good = value >= target if higher else value <= target
    return f"{'>=' if higher else '<='} {target:g} {'ok' if good else 'MISSED'}"


def format_ingest(ing: dict[str, float]) -> str:
    """The ingest half of the report: what was indexed, how fast, against its floor."""
    return (
        f"survey-rag bench scale: {ing['reports']:.0f} reports on a `chroma run` server, "
        f"{ing['chunks']:.0f} chunks + {ing['facts']:.0f} facts + {ing['sentences']:.0f} "
        f"sentences ({ing['texts']:.0f} texts embedded)\n"
        f"ingest: {ing['seconds']:.1f} s, {ing['chunks_per_s']:.1f} chunks/s; floor (embedding "
        f"the same texts alone) {ing['floor_chunks_per_s']:.1f} chunks/s; "
        f"ratio {ing['ratio']:.2f}x (target {_ok(ing['ratio'], TARGETS['ingest'], True)})"
    )


def format_result(result: dict[str, Any]) -> str:
    """The benchmark's printed report."""
    lines = [
        format_ingest(result["ingest"]),
        f"answers: {result['questions']} distinct questions per mode, one fresh process each; "
        "floor = 1 query embedding + 1 Chroma query of the collection the mode searches",
    ]
    header = (
        "mode",
        "p50 ms",
        "p95 ms",
        "floor p50",
        "p50/floor",
        "p95/floor",
        "start s",
        "RSS MB",
    )
    rows = [header]
    for mode in ("one report", "all reports"):
        r = result[mode]
        rows.append(
            (
                mode,
                f"{r['p50']:.1f}",
                f"{r['p95']:.1f}",
                f"{r['floor_p50']:.1f}",
                f"{r['ratio_p50']:.2f}x",
                f"{r['ratio_p95']:.2f}x",
                f"{r['startup']:.2f}",
                f"{r['rss_mb']:.0f}",
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines += ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) for row in rows]
    for mode in ("one report", "all reports"):
        r = result[mode]
        lines.append(
            f"{mode}: p50 {_ok(r['ratio_p50'], TARGETS['p50'])}, p95 "
            f"{_ok(r['ratio_p95'], TARGETS['p95'])}, RSS {_ok(r['rss_mb'], TARGETS['rss_mb'])}; "
            f"reports read: {r['loaded_reports']}; torch imported: {r['torch']}; "
            f"errors: {r['errors']}"
        )
    return "\n".join(lines)


def run_bench_scale(args: argparse.Namespace, settings: Settings) -> int:
    """Print the scale benchmark; exit 0 (it measures, it does not judge)."""
    reports = int(getattr(args, "reports", 100) or 100)
    questions = int(getattr(args, "questions", 100) or 100)
    keep = getattr(args, "keep", None)
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        result = bench_scale(reports, questions, Path(keep))
    else:
        with tempfile.TemporaryDirectory(prefix="survey-rag-scale-") as tmp:
            result = bench_scale(reports, questions, Path(tmp))
    print(format_result(result))
    if getattr(args, "json", False):
        print(json.dumps(result))
    return 0
