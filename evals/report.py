"""The eval's outputs: a terminal table, results.json, report.md and a bar chart PNG."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from evals.cases import CATEGORIES
from evals.scoring import CaseScore, Summary

if TYPE_CHECKING:
    from evals.runner import SystemRun

CHART = "accuracy_by_category.png"


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{100 * value:.1f}%"


def _metrics(s: Summary) -> list[tuple[str, str]]:
    return [
        ("cases", str(s.n)),
        ("accuracy (all cases)", _pct(s.accuracy)),
        ("numeric accuracy, direct figures", _pct(s.direct_numeric_accuracy)),
        ("numeric accuracy, all figures", _pct(s.numeric_accuracy)),
        ("unsupported figures (total)", str(s.unsupported)),
        ("citation accuracy", _pct(s.citation_accuracy)),
        ("refusal precision", _pct(s.refusal_precision)),
        ("refusal recall", _pct(s.refusal_recall)),
        ("retrieval hit@k", f"{_pct(s.hit_at_k)} (k={s.k})"),
        ("latency p50", f"{1000 * s.latency_p50:.0f} ms"),
        ("latency p95", f"{1000 * s.latency_p95:.0f} ms"),
        ("errors", str(s.errors)),
    ]


def _category(s: Summary, name: str, field: str) -> str:
    for c in s.categories:
        if c.category == name:
            return _pct(getattr(c, field))
    return "—"


def _rows(runs: Sequence[SystemRun]) -> tuple[list[str], list[list[str]], list[list[str]]]:
    header = ["metric", *(r.name for r in runs)]
    metrics = [
        [label, *(dict(_metrics(r.summary))[label] for r in runs)]
        for label, _ in _metrics(runs[0].summary)
    ]
    counts = {c.category: c.n for c in runs[0].summary.categories}
    by_category = [
        [f"{name} (n={counts[name]})", *(_category(r.summary, name, "accuracy") for r in runs)]
        for name in CATEGORIES
        if name in counts
    ]
    return header, metrics, by_category


def format_table(runs: Sequence[SystemRun]) -> str:
    """The summary and per-category accuracy as an aligned plain-text table."""
    header, metrics, by_category = _rows(runs)
    rows = [header, *metrics, ["accuracy by category", *([""] * len(runs))], *by_category]
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = []
    for n, row in enumerate(rows):
        cells = [
            row[0].ljust(widths[0]),
            *(c.rjust(w) for c, w in zip(row[1:], widths[1:], strict=True)),
        ]
        lines.append("  ".join(cells).rstrip())
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def _md_table(
    header: Sequence[str], rows: Sequence[Sequence[str]], numeric: bool = True
) -> list[str]:
    def esc(cell: str) -> str:
        return cell.replace("|", "\\|").replace("\n", " ")

    out = ["| " + " | ".join(esc(h) for h in header) + " |"]
    out.append("|" + "|".join(["---"] + ["---:" if numeric else "---"] * (len(header) - 1)) + "|")
    out += ["| " + " | ".join(esc(c) for c in row) + " |" for row in rows]
    return out


def _why(s: CaseScore) -> str:
    reasons = []
    if s.error:
        reasons.append(f"error: {s.error}")
    if s.refuse_expected and not s.refused:
        reasons.append("answered instead of refusing")
    if not s.refuse_expected and s.refused:
        reasons.append("refused")
    if s.missing and not s.refused:
        reasons.append("missing " + ", ".join(s.missing))
    if s.terms_missing and not s.refused:
        reasons.append("missing terms " + ", ".join(s.terms_missing))
    if s.forbidden_stated:
        reasons.append("stated " + ", ".join(s.forbidden_stated))
    return "; ".join(reasons)


def _snippet(text: str, limit: int = 160) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def render_markdown(
    runs: Sequence[SystemRun], missed: Sequence[str], cases_file: str, generated: str
) -> str:
    """report.md: both systems side by side, the gates, and every case the engine got wrong."""
    header, metrics, _ = _rows(runs)
    lines = [
        "# survey-rag evaluation",
        "",
        f"{runs[0].summary.n} cases from `{cases_file}`, run {generated}. "
        "Systems: " + ", ".join(f"`{r.name}`" for r in runs) + ". "
        "The baseline is plain LangChain (RecursiveCharacterTextSplitter, Chroma, the same "
        "MiniLM embeddings, top-4) answering with the top chunk's first sentence that holds "
        "a number; it never refuses.",
        "",
        "## Summary",
        "",
        *_md_table(header, metrics),
        "",
        "Numeric accuracy: every expected figure is in the answer with its unit and qualifier "
        '(a percentage is not a count; "over 80%" is not "80%"). Unsupported: figures in '
        "an answer that no cited quote or cited report span holds and no arithmetic shown in "
        "the answer derives. Citation accuracy: the citation next to an expected figure holds "
        "it. A refusal is an answer with grounded=False. Hit@k: every gold sentence is among "
        "the retrieved passages. Latency is per answer after one warm-up call; the systems "
        "share the embedder's query cache, so the second system (the baseline) mostly gets "
        "cached query vectors.",
        "",
        "## By category",
        "",
    ]
    cat_header = ["category", "n"]
    for r in runs:
        cat_header += [f"{r.name} accuracy", f"{r.name} numeric", f"{r.name} hit@k"]
    cat_rows = []
    for c in runs[0].summary.categories:
        row = [c.category, str(c.n)]
        for r in runs:
            row += [
                _category(r.summary, c.category, "accuracy"),
                _category(r.summary, c.category, "numeric_accuracy"),
                _category(r.summary, c.category, "hit_at_k"),
            ]
        cat_rows.append(row)
    lines += [*_md_table(cat_header, cat_rows), "", f"![accuracy by category]({CHART})", ""]
    lines += ["## Gates", ""]
    lines += [f"- missed: {m}" for m in missed] or ["- all gates passed"]
    for run in runs:
        wrong = [s for s in run.scores if not s.correct]
        unsupported = [s for s in run.scores if s.unsupported]
        lines += ["", f"## `{run.name}`: {len(wrong)} cases wrong", ""]
        if wrong:
            lines += _md_table(
                ["case", "question", "why", "answer"],
                [[s.id, s.question, _why(s), _snippet(s.answer)] for s in wrong],
                numeric=False,
            )
        if unsupported:
            lines += ["", f"Unsupported figures in `{run.name}` answers:", ""]
            lines += [f"- `{s.id}`: {', '.join(s.unsupported)}" for s in unsupported]
    return "\n".join(lines) + "\n"


def plot_accuracy(runs: Sequence[SystemRun], path: Path) -> None:
    """A grouped bar chart of accuracy per category, one bar per system."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = [c.category for c in runs[0].summary.categories]
    width = 0.8 / len(runs)
    fig, ax = plt.subplots(figsize=(9, 4.2), dpi=120)
    for i, run in enumerate(runs):
        by_name = {c.category: c.accuracy for c in run.summary.categories}
        xs = [n + (i - (len(runs) - 1) / 2) * width for n in range(len(names))]
        values = [100 * by_name.get(name, 0.0) for name in names]
        bars = ax.bar(xs, values, width, label=run.name)
        ax.bar_label(bars, fmt="%.0f", fontsize=7, padding=2)
    ax.set_xticks(range(len(names)), [n.replace("_", " ") for n in names])
    ax.set_ylabel("cases answered right (%)")
    ax.set_ylim(0, 110)
    ax.set_title("Accuracy by category")
    ax.legend(loc="upper right", fontsize=8)
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def results_json(
    runs: Sequence[SystemRun],
    missed: Sequence[str],
    cases_file: str,
    generated: str,
    gates: Mapping[str, Any],
) -> dict[str, Any]:
    """Everything the run measured, per system and per case."""
    return {
        "generated": generated,
        "cases_file": cases_file,
        "gates": {**gates, "missed": list(missed), "passed": not missed},
        "systems": {
            r.name: {"summary": asdict(r.summary), "cases": [asdict(s) for s in r.scores]}
            for r in runs
        },
    }


def write_reports(
    out: Path,
    runs: Sequence[SystemRun],
    missed: Sequence[str],
    *,
    cases_file: str = "",
    gates: Mapping[str, Any] | None = None,
) -> list[Path]:
    """Write results.json, report.md and the chart into ``out``; return their paths."""
    out.mkdir(parents=True, exist_ok=True)
    generated = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    data = results_json(runs, missed, cases_file, generated, gates or {})
    paths = [out / "results.json", out / "report.md", out / CHART]
    paths[0].write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    paths[1].write_text(render_markdown(runs, missed, cases_file, generated), encoding="utf-8")
    plot_accuracy(runs, paths[2])
    return paths
