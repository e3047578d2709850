"""Where a follow-up's evidence sits against what the conversation just discussed.

A report develops a topic over neighbouring sentences: the reason, the example, the
consequence of what one sentence states usually comes in the next few. A follow-up ("why do
they care so much?", "got an example?", "is that going to happen?") is asked of the answer
just given, so evidence beside the sentences that answer rested on is far likelier to answer
it than the same words elsewhere. The conversation keeps those sentences (its anchors); the
answerability decision reads how near a follow-up's best sentence lies to them
(``sentence_follows``), with a weight fitted by ``python -m evals.calibrate``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from rag.answering.knowledge import Knowledge, Scored
from rag.errors import ModelError
from rag.types import Sentence

# "[1]", "[2][3]": an answer's citation marks are not words of what it said
_MARKS = re.compile(r"\[\d+\]")


def anchors_of(reply: str, knowledge: Knowledge, report_ids: Sequence[str]) -> list[Sentence]:
    """The report sentence a reply rests on: the one nearest in meaning to what it said (an
    answer quotes or restates its evidence; a user's history may paraphrase it). A reply that
    cites nothing ("The report does not say ...") rested on no sentence."""
    said = _MARKS.sub(" ", reply).strip()
    if not said or not report_ids or not _MARKS.search(reply):
        return []
    ranked = knowledge.rank_sentences(said, knowledge.vector(said), report_ids)
    return [ranked[0].item] if ranked else []


def nearness(sentence: Sentence, anchors: Sequence[Sentence], knowledge: Knowledge) -> float:
    """1 for an anchor itself, 1/2 for the sentence beside it, 1/(1+d) at d sentences away in
    the same section; 0 in another section or report, or without anchors."""
    best = 0.0
    for anchor in anchors:
        if anchor.report != sentence.report or anchor.section != sentence.section:
            continue
        report = knowledge.reports.get(anchor.report)
        if report is None:
            continue
        apart = report.position(sentence) - report.position(anchor)
        if apart < 0:
            continue  # what a report says of a point it says after making it
        best = max(best, 1.0 / (1.0 + apart))
    return best


# Where the weight of nearness in a follow-up's sentence ranking is kept: fitted by
# ``python -m evals.fit_locality`` on the tuning sets' conversations, with its curve.
LOCALITY = Path(__file__).resolve().parent / "data" / "locality.json"


@dataclass(frozen=True)
class Nearby:
    """A candidate sentence for a follow-up: ``scored.dense`` is the mean of its nearness in
    meaning to the follow-up's own words and to the follow-up read with the question before
    it; ``near`` is its nearness in the text to the last answer's sentences, those left out
    (a follow-up seldom asks for what was just said)."""

    scored: Scored
    near: float


def nearby(
    ranked: Sequence[Scored],
    own_vector: Any,
    context_vector: Any,
    query: str,
    anchors: Sequence[Sentence],
    knowledge: Knowledge,
) -> list[Nearby]:
    """The sentences ``ranked`` found and those of the anchors' sections, each scored as a
    candidate answer to a follow-up (``query``: the follow-up as its reading was searched)."""
    index = knowledge.word_index("sentences")
    lexical = knowledge.coverages(knowledge.terms(query), index)
    seen = {s.item for s in ranked}
    pool = [s.item for s in ranked]
    for anchor in anchors:
        report = knowledge.reports.get(anchor.report)
        if report is not None:
            pool += [s for s in report.in_section(anchor.section) if s not in seen]
            seen |= set(pool)
    out = []
    for sentence in pool:
        report = knowledge.reports[sentence.report]
        at = report.position(sentence)
        vector = report.sentence_vectors[at]
        dense = (float(vector @ own_vector) + float(vector @ context_vector)) / 2
        words = float(lexical[index.starts[sentence.report] + at])
        near = 0.0 if sentence in anchors else nearness(sentence, anchors, knowledge)
        out.append(Nearby(Scored(sentence, dense, words), near))
    return out


def ordered(candidates: Sequence[Nearby], weight: float) -> list[Scored]:
    """The candidates, best first: their match plus ``weight`` times their nearness."""
    ranked = sorted(candidates, key=lambda c: -(c.scored.score + weight * c.near))
    return [c.scored for c in ranked]


@cache
def load_weight(path: Path = LOCALITY) -> float:
    """The fitted weight of nearness; ModelError saying how to make it when it is missing."""
    try:
        return float(json.loads(path.read_text(encoding="utf-8"))["weight"])
    except (OSError, ValueError, KeyError) as exc:
        raise ModelError(
            f"no locality weight at {path} ({exc}): run `python -m evals.fit_locality`"
        ) from exc
