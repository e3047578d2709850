"""Answering by meaning when the words do not match: the embedding's pick among report sentences.

A question can share no content word with the sentence that answers it ("Where were the firms
headquartered?" / "The survey primarily focused on companies in the US, UK and Canada").
Lexical coverage then says nothing, and fixed similarity cut-offs either let everything in or
nothing. What does tell is a *margin*: when one sentence is clearly closer to the question
than every other sentence of the report, the embedding has found what the question is about;
when several are about as close, it has not, and we refuse. Specific terms (names, years,
statistics) must still stand in the chosen sentence, so a near miss is never answered.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from rag.evidence import Corpus, Sentence, missing_specific, tokens_of
from rag.question import Query

# A sentence this close to the question (cosine, MiniLM) may answer it on meaning alone ...
DENSE_MIN = 0.5
# ... if the next-closest sentence of the report is at least this much further away.
DENSE_MARGIN = 0.06
# Down to ``DENSE_MIN - FLOOR_SPAN`` a sentence may still be picked, needing a margin that grows
# by ``MARGIN_SLOPE`` per unit of similarity below DENSE_MIN.
FLOOR_SPAN = 0.1
MARGIN_SLOPE = 0.5
# A sentence opening with one of these qualifies the one before it ("However, we did have
# respondents from Japan ..."), so it is quoted with it.
_QUALIFIES = re.compile(
    r"(?:however|but|though|although|also|they|it|this|these|those|that|such)\b", re.I
)


def quotable(sentence: Sentence) -> bool:
    """Whether a sentence says something by itself (not a heading or the survey's question)."""
    return len(sentence.text) >= 25 and not sentence.text.rstrip().endswith("?")


def decisive(
    ranked: Sequence[tuple[float, Sentence]],
    minimum: float = DENSE_MIN,
    margin: float = DENSE_MARGIN,
) -> Sentence | None:
    """The best sentence if it is close enough and clearly ahead of the runner-up."""
    if not ranked:
        return None
    best_sim, best = ranked[0]
    runner_up = ranked[1][0] if len(ranked) > 1 else 0.0
    if best_sim < minimum - FLOOR_SPAN:
        return None
    # Below ``minimum`` the embedding is less sure of itself, so its lead must be clearer.
    needed = margin + MARGIN_SLOPE * max(0.0, minimum - best_sim)
    return best if best_sim - runner_up >= needed else None


def dense_pick(
    query: Query,
    corpus: Corpus,
    similarity: dict[tuple[str, int], float],
    accept: Callable[[Sentence], bool] = quotable,
) -> list[Sentence]:
    """The report sentence(s) the embedding decisively points at, or [] if it does not.

    ``accept`` narrows the candidates (a figure question only wants sentences with a figure of
    the right kind); the margin is measured among accepted sentences.
    """
    if not similarity:
        return []
    ranked = sorted(
        (
            (similarity.get((s.report, s.start), 0.0), s)
            for s in corpus.all_sentences()
            if accept(s)
        ),
        key=lambda pair: -pair[0],
    )
    best = decisive(ranked)
    if best is None:
        return []
    if missing_specific(query, tokens_of(best.text), corpus.reports.get(best.report)):
        return []
    picked = [best]
    after = corpus.next_sentence(best.report, best.end)
    if after is not None and quotable(after) and _QUALIFIES.match(after.text):
        picked.append(after)
    return picked
