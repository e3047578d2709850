"""``survey-rag eval --reports all|ID[,ID]``: every report in evals/reports/, one row each.

Each ``evals/reports/<id>/`` holds a report file as published (``report.md|html|txt|pdf``),
``SOURCE.md`` and ``cases.yaml``. The report files are ingested into a temporary data dir (the
configured index is left alone), each report's cases are answered with answers restricted to
that report, and the bundled report's set runs beside them on the configured index. One table
prints a row per report; the gates apply to every row.
"""

from __future__ import annotations

import argparse
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rag.errors import InputError
from rag.settings import PROJECT_ROOT, Settings
from rag.types import Answer

REPORTS_DIR = PROJECT_ROOT / "evals" / "reports"
GATES_FILE = "gates.toml"
CASES_FILE = "cases.yaml"


@dataclass(frozen=True)
class EvalReport:
    """A report of the multi-report set: its folder, report file (if restored) and cases."""

    id: str
    folder: Path
    file: Path | None

    @property
    def cases(self) -> Path:
        return self.folder / CASES_FILE

    def gates(self) -> dict[str, float]:
        """The report's own gates (``gates.toml``: min_overall, min_accuracy), if it has any."""
        import tomllib

        path = self.folder / GATES_FILE
        if not path.is_file():
            return {}
        try:
            raw = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise InputError(f"{path}: cannot read the report's gates ({exc})") from exc
        return {k: float(v) for k, v in raw.items() if k in ("min_overall", "min_accuracy")}


def find_reports(root: Path = REPORTS_DIR, wanted: str = "all") -> list[EvalReport]:
    """The reports under ``root`` named by ``wanted`` ("all" or "id1,id2")."""
    from ingest.report import REPORT_NAMES

    found = {}
    for folder in sorted(p for p in root.glob("*") if (p / CASES_FILE).is_file()):
        file = next((folder / n for n in REPORT_NAMES if (folder / n).is_file()), None)
        found[folder.name] = EvalReport(folder.name, folder, file)
    if wanted.strip() in ("", "all"):
        return list(found.values())
    ids = [w.strip() for w in wanted.split(",") if w.strip()]
    unknown = [i for i in ids if i not in found]
    if unknown:
        raise InputError(
            f"no report {unknown[0]!r} under {root}: use 'all' or one of {', '.join(found)}"
        )
    return [found[i] for i in ids]


def report_answer_fn(settings: Settings, report: str) -> Callable[..., Answer]:
    """Answers restricted to ``report``: the engine's ``report=`` keyword, or Settings.report."""
    from rag.choice import accepts_report
    from rag.engine import get_engine

    engine = get_engine(settings)
    if accepts_report(engine.answer):

        def answer(question: str, history: list[dict[str, str]] | None = None) -> Answer:
            return engine.answer(question, history, report=report)  # type: ignore[no-any-return,call-arg]

        return answer
    return get_engine(settings.model_copy(update={"report": report})).answer


@dataclass(frozen=True)
class Row:
    """One report's line of the table."""

    report: str
    run: Any  # evals.runner.SystemRun
    missed: tuple[str, ...]


def format_rows(rows: Sequence[Row]) -> str:
    """The table: a row per report."""

    def pct(value: float | None) -> str:
        return "n/a" if value is None else f"{value:.1%}"

    header = (
        "report",
        "cases",
        "accuracy",
        "figures (direct)",
        "unsupported",
        "refusal recall",
        "errors",
        "p50 ms",
        "gates",
    )
    lines = [header]
    for row in rows:
        s = row.run.summary
        lines.append(
            (
                row.report,
                str(s.n),
                pct(s.accuracy),
                pct(s.direct_numeric_accuracy),
                str(s.unsupported),
                pct(s.refusal_recall),
                str(s.errors),
                f"{s.latency_p50 * 1000:.0f}",
                "MISSED" if row.missed else "ok",
            )
        )
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    out = ["  ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=True)) for line in lines]
    out.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(out)


def run_reports_command(args: argparse.Namespace, settings: Settings) -> int:
    """Ingest and score every chosen report, beside the bundled set; exit 1 on a missed gate."""
    from evals.cases import load_cases, select
    from evals.runner import check_gates, load_report_texts, run_eval
    from ingest.pipeline import ingest
    from rag.engine import get_engine

    chosen = find_reports(Path(getattr(args, "reports_dir", None) or REPORTS_DIR), args.reports)
    missing = [r for r in chosen if r.file is None]
    for r in missing:
        print(
            f"skipped {r.id}: no report file in {r.folder}: restore it with the git show line "
            "in its SOURCE.md"
        )
    chosen = [r for r in chosen if r.file is not None]
    categories = getattr(args, "category", None)
    limit = getattr(args, "limit", None)
    rows: list[Row] = []

    out = Path(getattr(args, "out", None) or "evals/out") / "reports"

    def gate(name: str, run: Any, cases_file: str, own: dict[str, float] | None = None) -> None:
        from evals.report import write_reports

        # a report's gates.toml holds the level its own cases reached; the options the rest
        levels = {
            "min_accuracy": args.min_accuracy,
            "min_overall": getattr(args, "min_overall", None),
            **(own or {}),
        }
        missed = tuple(
            check_gates(
                run.summary,
                levels["min_accuracy"],
                args.max_unsupported,
                levels["min_overall"],
            )
        )
        rows.append(Row(name, run, missed))
        gates = {"min_accuracy": levels["min_accuracy"], "max_unsupported": args.max_unsupported}
        write_reports(out / name, [run], missed, cases_file=cases_file, gates=gates)

    if not getattr(args, "no_bundled", False):
        engine = get_engine(settings)
        texts = load_report_texts(settings.corpus_dir)
        texts.update({r.id: r.text for r in engine.reports if getattr(r, "text", "")})
        cases = select(load_cases(args.cases), categories=categories, limit=limit)
        gate(
            "bundled", run_eval(engine.answer, cases, texts), str(args.cases or "evals/cases.yaml")
        )
    with tempfile.TemporaryDirectory(prefix="survey-rag-eval-reports-") as tmp:
        own = settings.model_copy(update={"data_dir": Path(tmp), "chroma_url": None})
        if chosen:
            ingest(own, [r.file for r in chosen if r.file is not None])
        for r in chosen:
            cases = select(load_cases(r.cases), categories=categories, limit=limit)
            if not cases:
                continue
            engine = get_engine(own)
            texts = {info.id: info.text for info in engine.reports}
            ids = {c.report for c in cases if c.report}
            if ids - set(texts):
                raise InputError(
                    f"{r.cases}: cases name report {sorted(ids - set(texts))[0]!r}, but its file "
                    f"was indexed as {', '.join(sorted(texts))}: give the report that id"
                )
            run = run_eval(report_answer_fn(own, r.id), cases, texts, name=r.id)
            gate(r.id, run, str(r.cases), r.gates())
    print(format_rows(rows))
    if rows:
        print(f"wrote {out}/<report>/results.json, report.md")
    missed = [f"{row.report}: {line}" for row in rows for line in row.missed]
    for line in missed:
        print(f"gate missed: {line}")
    return 1 if missed else 0
