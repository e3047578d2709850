"""A follow-up is answered from beside what the answer before it rested on."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from rag.answering.knowledge import Knowledge
from rag.answering.locality import anchors_of, load_weight, nearness
from rag.engine import Engine
from rag.errors import ModelError
from rag.settings import Settings
from rag.types import ReportInfo, Section, Sentence

# A made-up report: the example of the security worry comes right after it; a sentence in
# another section speaks of examples in general
RESULTS = (
    "Most firms moved their payroll systems to the cloud last year.",
    "Security teams worried about where employee records are stored.",
    "For instance, one retailer kept its staff files on its own servers for two more years.",
    "Budgets for cloud services grew at most firms.",
)
TOOLS = (
    "Examples of cloud tools the firms use include shared drives and video calls.",
    "Few firms track how often those tools are used.",
)


@pytest.fixture(scope="module")
def knowledge(indexed_settings: Settings) -> Knowledge:
    embed = Engine(indexed_settings, chat_model=None).knowledge.embed_query
    return Knowledge([cloud_report(embed)], embed)


def cloud_report(embed: Any) -> Any:
    import numpy as np

    from rag.answering.knowledge import ReportKnowledge

    sentences, sections, at = [], [], 0
    for title, texts in (("Results", RESULTS), ("Tools", TOOLS)):
        start = at
        for s in texts:
            sentences.append(Sentence("cloud", title, at, at + len(s), s))
            at += len(s) + 1
        sections.append(Section(title, start, at))
    text = " ".join(RESULTS + TOOLS)
    vectors = np.stack([np.asarray(embed(s.text), dtype=np.float32) for s in sentences])
    empty = np.zeros((0, vectors.shape[1]), dtype=np.float32)
    info = ReportInfo(
        id="cloud",
        title="Cloud Pulse",
        publisher="Panel",
        year=2024,
        surveyed="300 firms",
        sections=("Results", "Tools"),
        text=text,
    )
    return ReportKnowledge(
        info=info,
        sections=sections,
        facts=[],
        fact_vectors=empty,
        form_vectors=empty,
        sentences=sentences,
        sentence_vectors=vectors,
    )


def test_nearness_falls_with_distance_and_stops_at_the_section(knowledge: Knowledge) -> None:
    s = knowledge.reports["cloud"].sentences
    assert nearness(s[1], [s[1]], knowledge) == 1.0
    # a report says more of a point after making it: the sentence before it is not near
    assert nearness(s[0], [s[1]], knowledge) == 0.0
    assert nearness(s[2], [s[1]], knowledge) == 0.5
    assert nearness(s[3], [s[1]], knowledge) == pytest.approx(1 / 3)
    assert nearness(s[4], [s[3]], knowledge) == 0.0  # the next sentence opens another section
    assert nearness(s[2], [], knowledge) == 0.0


def test_a_reply_is_anchored_on_the_sentence_it_restates(knowledge: Knowledge) -> None:
    reply = "Security teams were worried about where employee records are kept [1]."
    (anchor,) = anchors_of(reply, knowledge, ["cloud"])
    assert anchor.text == RESULTS[1]
    # a reply that cites nothing (a refusal) rested on no sentence: nothing to stay near
    assert (
        anchors_of("The report does not say anything that answers this.", knowledge, ["cloud"])
        == []
    )


def test_got_an_example_ranks_the_example_beside_the_last_answer_first(
    knowledge: Knowledge,
) -> None:
    from rag.answering.conversation import as_answered
    from rag.answering.plan import Context, read_parts

    context = Context()
    first = read_parts("What were the IT staff concerned about?", knowledge, ["cloud"], context)
    as_answered(context, first, "Where employee records are stored [1].", knowledge)
    (reading,) = read_parts("got an example of that?", knowledge, ["cloud"], context)
    assert reading.follows and reading.sentences[0].item.text == RESULTS[2]
    assert reading.features["sentence_follows"] == 0.5
    # asked alone, the same words find the sentence about examples in general
    (alone,) = read_parts("got an example of that?", knowledge, ["cloud"], Context())
    assert not alone.follows and alone.sentences[0].item.text == TOOLS[0]


def test_a_missing_locality_fit_says_how_to_make_it(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="evals.fit_locality"):
        load_weight.__wrapped__(tmp_path / "locality.json")
