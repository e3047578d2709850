"""Fit how much a follow-up's sentence ranking leans on nearness: ``python -m evals.fit_locality``.

A follow-up's candidate sentences (rag.answering.locality) are ordered by their match plus a
weight times their nearness in the text to what the answer before rested on. For every
conversation of the tuning sets (evals/cases.yaml, evals/dev.yaml, evals/dialogue_tuning.yaml;
never evals/test.yaml) whose answer is a report sentence, each weight of a grid is scored by
how many follow-ups get one of their source sentences first. The weight chosen is the
smallest with the most; the curve is kept beside it (rag/answering/data/locality.png).
"""

from __future__ import annotations

import argparse
import json
import re
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from evals.calibrate import TUNING, read_case
from evals.cases import Case, load_cases
from rag.answering.locality import LOCALITY, Nearby, ordered
from rag.settings import PROJECT_ROOT, Settings

GRID = tuple(round(0.05 * i, 2) for i in range(21))  # 0 .. 1


def _plain(text: str) -> str:
    return re.sub(r"\W+", " ", text.lower()).strip()


def _is_source(text: str, sources: Sequence[str]) -> bool:
    said = _plain(text)
    return any(_plain(s)[:60] in said or said[:60] in _plain(s) for s in sources)


def collect(
    settings: Settings, cases: Sequence[Case]
) -> list[tuple[list[Nearby], tuple[str, ...]]]:
    """(candidates, source sentences) of every follow-up answered by a report sentence."""
    from rag.answering.knowledge import from_index
    from rag.engine import load_index
    from rag.index.embeddings import get_embedder

    knowledge = from_index(load_index(settings), get_embedder(settings).embed_query)
    rows = []
    for case in cases:
        if not case.history or case.refuse or not case.sentences:
            continue
        readings = read_case(case, knowledge)
        if readings is not None and len(readings) == 1 and readings[0].nearby:
            rows.append((readings[0].nearby, case.sentences))
    return rows


def fit(rows: Sequence[tuple[list[Nearby], tuple[str, ...]]]) -> dict[str, Any]:
    curve = []
    for weight in GRID:
        hits = sum(_is_source(ordered(c, weight)[0].item.text, s) for c, s in rows if c)
        curve.append((weight, hits))
    best = max(hits for _, hits in curve)
    weight = next(w for w, hits in curve if hits == best)
    return {"weight": weight, "cases": len(rows), "first_is_source": best, "curve": curve}


def plot(curve: Sequence[tuple[float, int]], cases: int, weight: float, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 4))
    ax.plot([w for w, _ in curve], [h for _, h in curve], marker="o")
    ax.axvline(weight, linestyle="--", color="grey")
    ax.set_xlabel("weight of nearness to the last answer's sentences")
    ax.set_ylabel(f"follow-ups whose first sentence is a source (of {cases})")
    ax.set_title("Follow-up sentence ranking on the tuning sets (chosen weight dashed)")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evals.fit_locality", description=__doc__)
    parser.add_argument("--out", default=str(LOCALITY), help="where to write the JSON")
    args = parser.parse_args(argv)
    cases = [c for path in TUNING for c in load_cases(path)]
    fitted = fit(collect(Settings(), cases))
    out = Path(args.out)
    plot(fitted["curve"], fitted["cases"], fitted["weight"], out.with_suffix(".png"))
    fitted["fitted_on"] = [str(p.relative_to(PROJECT_ROOT)) for p in TUNING]
    fitted["date"] = time.strftime("%Y-%m-%d")
    out.write_text(json.dumps(fitted, indent=2) + "\n", encoding="utf-8")
    print(f"weight {fitted['weight']}: {fitted['first_is_source']} of {fitted['cases']} follow-ups")
    print(f"wrote {out} and {out.with_suffix('.png')}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
