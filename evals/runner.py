"""Run the evaluation set through an answer function and score it: ``survey-rag eval``.

``run_eval`` takes any ``answer_fn(question, history) -> Answer``, so tests hand it a fake and
the command hands it the engine and the plain-LangChain baseline in turn. The command prints a
table, writes results.json, report.md and accuracy_by_category.png, and exits 1 when a gate is
missed (so ``make test`` fails on a regression).
"""

from __future__ import annotations

import argparse
import sys
import time
import tomllib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from evals.cases import Case, load_cases, select
from evals.scoring import CaseScore, Summary, error_score, score_answer, summarize
from rag.errors import InputError, SurveyRagError
from rag.settings import Settings
from rag.types import Answer

AnswerFn = Callable[[str, list[dict[str, str]] | None], Answer]
REPORT_FILES = ("report.txt", "report.md")


@dataclass
class SystemRun:
    """One system's answers to the set, scored."""

    name: str
    scores: list[CaseScore]
    summary: Summary


def load_report_texts(corpus_dir: Path) -> dict[str, str]:
    """Report id -> text for every text report folder under ``corpus_dir``."""
    texts: dict[str, str] = {}
    folders = [corpus_dir] if any((corpus_dir / f).is_file() for f in REPORT_FILES) else []
    folders += sorted(p for p in corpus_dir.glob("*") if p.is_dir()) if corpus_dir.is_dir() else []
    for folder in folders:
        path = next((folder / f for f in REPORT_FILES if (folder / f).is_file()), None)
        if path is None:
            continue
        report_id = folder.name
        meta = folder / "report.toml"
        if meta.is_file():
            report_id = str(tomllib.loads(meta.read_text(encoding="utf-8")).get("id", report_id))
        texts[report_id] = path.read_bytes().decode("utf-8-sig").replace("\r\n", "\n")
    return texts


def run_eval(
    answer_fn: AnswerFn,
    cases: Sequence[Case],
    report_texts: Mapping[str, str],
    *,
    name: str = "engine",
    warmup: bool = True,
    progress: Callable[[str, int, int], None] | None = None,
) -> SystemRun:
    """Answer every case with ``answer_fn`` and score it; one warm-up call keeps load time
    out of the latency figures."""
    if warmup and cases:
        answer_fn(cases[0].question, None)
    scores = []
    for n, case in enumerate(cases, 1):
        history = [dict(turn) for turn in case.history] or None
        started = time.perf_counter()
        try:
            answer = answer_fn(case.question, history)
        except InputError as exc:
            scores.append(error_score(case, str(exc), time.perf_counter() - started))
        except SurveyRagError:
            raise  # a missing index or an unreachable store stops the whole run
        except Exception as exc:  # one broken answer must not hide the other scores
            scores.append(error_score(case, f"{type(exc).__name__}: {exc}"))
        else:
            scores.append(score_answer(case, answer, report_texts, time.perf_counter() - started))
        if progress:
            progress(name, n, len(cases))
    return SystemRun(name, scores, summarize(name, scores))


def check_gates(
    summary: Summary,
    min_accuracy: float | None,
    max_unsupported: int | None,
    min_overall: float | None = None,
) -> list[str]:
    """The gates ``summary`` misses, each as a sentence; empty when all pass."""
    missed = []
    if min_overall is not None and summary.accuracy < min_overall:
        missed.append(
            f"accuracy over all cases is {summary.accuracy:.3f}, below --min-overall "
            f"{min_overall:.3f}"
        )
    if min_accuracy is not None:
        got = summary.direct_numeric_accuracy
        if got is None or got < min_accuracy:
            shown = "n/a" if got is None else f"{got:.3f}"
            missed.append(
                f"numeric accuracy on direct figures is {shown}, below --min-accuracy "
                f"{min_accuracy:.3f}"
            )
    if max_unsupported is not None and summary.unsupported > max_unsupported:
        missed.append(
            f"answers state {summary.unsupported} unsupported figures, more than "
            f"--max-unsupported {max_unsupported}"
        )
    return missed


def _progress(name: str, n: int, total: int) -> None:
    if sys.stderr.isatty():
        end = "\n" if n == total else ""
        print(f"\r{name}: {n}/{total} cases", end=end, file=sys.stderr, flush=True)


def evaluate(
    engine_fn: AnswerFn,
    cases: Sequence[Case],
    report_texts: Mapping[str, str],
    out: Path,
    *,
    baseline_fn: AnswerFn | None = None,
    min_accuracy: float | None = None,
    max_unsupported: int | None = None,
    min_overall: float | None = None,
    cases_file: str = "",
    warmup: bool = True,
    echo: Callable[[str], None] = print,
) -> int:
    """Run, score, print, write the three reports, and return the exit code of the gates."""
    from evals.report import format_table, write_reports

    runs = [run_eval(engine_fn, cases, report_texts, warmup=warmup, progress=_progress)]
    if baseline_fn is not None:
        runs.append(
            run_eval(
                baseline_fn, cases, report_texts, name="baseline", warmup=warmup, progress=_progress
            )
        )
    missed = check_gates(runs[0].summary, min_accuracy, max_unsupported, min_overall)
    paths = write_reports(
        out,
        runs,
        missed,
        cases_file=cases_file,
        gates={
            "min_accuracy": min_accuracy,
            "max_unsupported": max_unsupported,
            "min_overall": min_overall,
        },
    )
    echo(format_table(runs))
    echo("wrote " + ", ".join(str(p) for p in paths))
    for line in missed:
        echo(f"gate missed: {line}")
    return 1 if missed else 0


def run_eval_command(args: argparse.Namespace, settings: Settings) -> int:
    """``survey-rag eval``: the engine and the baseline on the set, reports, gates."""
    from rag.engine import get_engine

    if getattr(args, "reports", None):
        from evals.reports import run_reports_command

        return run_reports_command(args, settings)

    cases = select(
        load_cases(args.cases),
        categories=getattr(args, "category", None),
        limit=getattr(args, "limit", None),
    )
    if not cases:
        raise InputError("no cases selected: check --category and --limit")
    engine = get_engine(settings)
    report_texts = load_report_texts(settings.corpus_dir)
    # The index's own copy is what citation offsets point into; prefer it where it exists.
    report_texts.update({r.id: r.text for r in engine.reports if getattr(r, "text", "")})
    if not report_texts:
        raise InputError(
            f"no report text under {settings.corpus_dir} or in the index at {settings.where}: "
            "run 'survey-rag ingest' first"
        )
    baseline = None
    if not args.no_baseline:
        from evals.baseline import build_baseline

        baseline = build_baseline(settings, report_texts)
    try:
        return evaluate(
            engine.answer,
            cases,
            report_texts,
            Path(args.out),
            baseline_fn=baseline.answer if baseline else None,
            min_accuracy=args.min_accuracy,
            min_overall=getattr(args, "min_overall", None),
            max_unsupported=args.max_unsupported,
            cases_file=str(args.cases or "evals/cases.yaml"),
        )
    finally:
        if baseline is not None:
            baseline.close()
