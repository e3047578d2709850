"""What earlier turns of a conversation leave for a follow-up to lean on.

A history is the user's questions, each with the reply that followed it. The engine reads
each question as it read it then; the reply says which figure the user actually saw, so a
follow-up ("and the rest?") leans on that figure's fact.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rag.answering.knowledge import Knowledge
from rag.answering.locality import anchors_of
from rag.answering.plan import Context, Reading
from rag.text.numbers import close, extract_figures, units_agree


def turns_of(history: Sequence[dict[str, Any]] | None) -> tuple[tuple[str, str], ...]:
    """Each user question of the history with the reply that followed it ("" for none)."""
    turns: list[list[str]] = []
    for message in history or []:
        if not isinstance(message, dict):
            continue
        content = message.get("content")
        if not isinstance(content, str) or not content.strip():
            continue
        if message.get("role") == "user":
            turns.append([content.strip(), ""])
        elif message.get("role") == "assistant" and turns and not turns[-1][1]:
            turns[-1][1] = content.strip()
    return tuple((asked, reply) for asked, reply in turns)


# facts of an earlier question's ranking searched for the figure its reply gave
ANSWERED_POOL = 12


def as_answered(
    context: Context, readings: Sequence[Reading], reply: str, knowledge: Knowledge
) -> None:
    """Lean on what the reply to an earlier question stated: the sentence it rests on is
    where a follow-up's evidence is likeliest to be (rag.answering.locality), and when it
    gives a figure the question's own reading did not target ("78% had a programme" where
    the reading chose 57%), the fact of the question's ranking that holds that figure is what
    "the rest of them" refers to."""
    if not readings or not context.facts:
        return
    if context.anchors:
        last = readings[-1]
        # without the reply, what the question's own reading found best
        found = [s.item for s in last.sentences[:1]]
        context.anchors[-1] = anchors_of(reply, knowledge, last.report_ids) if reply else found
    said = [f for f in extract_figures(reply) if f.unit and f.unit != "year"]
    if not said:
        return
    targeted = context.facts[-1]

    def holds(facts: Sequence[Any], f: Any) -> bool:
        return any(close(f.value, x.value) and units_agree(f.unit, x.unit) for x in facts)

    pool = [s.item for s in readings[-1].ranked[:ANSWERED_POOL]]
    if any(holds(targeted, f) for f in said):
        # the reply gave the figure targeted and more of its table ("24% ... and 10% ..."):
        # those rows are what "any of those bands" counts too
        tables = {(x.report, x.table) for x in targeted}
        more = [
            fact
            for f in said
            if not holds(targeted, f)
            for fact in pool
            if (fact.report, fact.table) in tables and holds([fact], f)
        ]
        # the rows targeted that the reply left out were not given ("24%" of a reading that
        # targeted 24% and 10%): "those two groups" are the figures the user saw
        given = [x for x in targeted if any(holds([x], f) for f in said)]
        context.facts[-1] = list(dict.fromkeys([*given, *more]))
        return
    found = [fact for f in said for fact in pool if holds([fact], f)]
    if found:
        context.facts[-1] = list(dict.fromkeys(found))[: len(said)]


def copied(context: Context) -> Context:
    """A copy a later turn may grow without changing the cached one."""
    return Context(
        list(context.texts),
        [list(f) for f in context.facts],
        [list(a) for a in context.anchors],
        list(context.intents),
    )
