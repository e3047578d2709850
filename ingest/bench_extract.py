"""``survey-rag bench extract``: figures found in the prose, scored against hand-made tables.

A report's ``tables/*.csv`` were written by hand from its sentences, so they are a gold set
for the extractor: a hand row is found when the extractor reports the same value (and a unit
that agrees) from the row's source sentence with a subject that shares at least half its
content words with the row's label and statement. Recall is over hand rows; precision is over
the figures found in the sentences the hand rows quote (the tables do not cover the rest).
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path

from rag.settings import Settings
from rag.types import Fact

MIN_OVERLAP = 0.5  # share of the subject's content words found in the row's label/statement


@dataclass(frozen=True)
class ExtractScore:
    """How the extractor did against one report's hand tables."""

    report: str
    rows: int  # hand rows
    found: int  # hand rows the extractor found (value + subject)
    values: int  # hand rows whose value the extractor found, subject aside
    candidates: int  # figures found in the hand rows' sentences
    correct: int  # of those, the ones that match a hand row
    misses: tuple[str, ...] = ()

    @property
    def recall(self) -> float:
        return self.found / self.rows if self.rows else 0.0

    @property
    def precision(self) -> float:
        return self.correct / self.candidates if self.candidates else 0.0


def _root(token: str) -> str:
    """A crude root so "rating" meets "rated" and "deploys" meets "deployed"."""
    for suffix in ("ing", "ed", "es", "e", "s"):
        if len(token) > len(suffix) + 2 and token.endswith(suffix):
            return token[: -len(suffix)]
    return token


def _words(text: str) -> set[str]:
    from rag.text.tokens import tokenize

    return {_root(t) for t in tokenize(text)}


def subject_matches(subject: str, reference: str) -> bool:
    """The subject shares at least MIN_OVERLAP of its content words with the reference."""
    mine = _words(subject)
    return bool(mine) and len(mine & _words(reference)) / len(mine) >= MIN_OVERLAP


def _matches(hand: Fact, found: Fact, statement: str) -> bool:
    from rag.text.numbers import close, units_agree

    same_place = hand.start < found.end and found.start < hand.end
    return (
        same_place
        and close(hand.value, found.value)
        and units_agree(hand.unit, found.unit)
        and subject_matches(found.subject, f"{hand.row} {statement}")
    )


def score_report(path: Path) -> ExtractScore:
    """Extract figures from the report at ``path`` and score them against its hand tables."""
    from ingest.corpus import load_tables
    from ingest.extract import extract_facts
    from ingest.facts import row_to_fact
    from ingest.report import load
    from rag.text.numbers import close, units_agree
    from rag.text.sentences import report_sentences

    loaded = load(path)
    plain = loaded.doc.plain
    rows = load_tables(loaded.source.folder, plain, loaded.sections)
    hand = [(row_to_fact(r, loaded.info, plain), r.statement) for r in rows]
    sentences = report_sentences(loaded.info.id, plain, loaded.sections)
    found = extract_facts(loaded.info, plain, sentences, loaded.doc.blocks)
    spans = {(h.start, h.end) for h, _ in hand}
    candidates = [f for f in found if any(a < f.end and f.start < b for a, b in spans)]
    hits = [h for h, st in hand if any(_matches(h, f, st) for f in found)]
    values = [
        h
        for h, _ in hand
        if any(
            h.start < f.end
            and f.start < h.end
            and close(h.value, f.value)
            and units_agree(h.unit, f.unit)
            for f in found
        )
    ]
    correct = [f for f in candidates if any(_matches(h, f, st) for h, st in hand)]
    misses = tuple(
        f"{h.table}: {h.row} = {h.value:g} {h.unit}".strip() for h, _ in hand if h not in hits
    )
    return ExtractScore(
        loaded.info.id, len(hand), len(hits), len(values), len(candidates), len(correct), misses
    )


def run_bench_extract(args: argparse.Namespace, settings: Settings) -> int:
    """Print precision and recall of value + subject per report with hand tables."""
    from ingest.pipeline import report_folders

    paths = [Path(args.path)] if getattr(args, "path", None) else None
    scores = [score_report(p) for p in report_folders(settings, paths)]
    scores = [s for s in scores if s.rows]
    if not scores:
        print("survey-rag bench extract: no report here has hand tables (tables/*.csv) to score")
        return 0
    print("survey-rag bench extract: figures found in the prose vs hand tables (value + subject)")
    header = ("report", "hand rows", "recall", "values found", "precision")
    rows = [
        (
            s.report,
            str(s.rows),
            f"{s.recall:.0%} ({s.found}/{s.rows})",
            f"{s.values / s.rows:.0%} ({s.values}/{s.rows})",
            f"{s.precision:.0%} ({s.correct}/{s.candidates})",
        )
        for s in scores
    ]
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    for row in [header, *rows]:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)))
    for s in scores:
        for miss in s.misses:
            print(f"  {s.report} missed: {miss}")
    return 0
