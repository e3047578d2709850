"""Ranking across a library: the array shortcuts pick the same evidence as scoring every text.

A library is stood in for by the bundled report twice under two ids, so every sentence has an
exact twin: ties must still come out in report order, as one-by-one scoring puts them.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from rag.answering.knowledge import (
    Knowledge,
    fact_words,
    sentence_words,
    tokens_of,
)
from rag.answering.survey_facets import EVIDENCE, SIGNPOST, Facet, matches, says
from rag.engine import Engine
from rag.settings import Settings
from rag.types import Fact

pytestmark = pytest.mark.model


@pytest.fixture(scope="module")
def library(indexed_settings: Settings) -> Knowledge:
    knowledge = Engine(indexed_settings, chat_model=None).knowledge
    (report,) = knowledge.reports.values()
    name = f"{report.info.id}-twin"
    twin = replace(
        report,
        info=replace(report.info, id=name),
        facts=[replace(f, report=name) for f in report.facts],
        sentences=[replace(s, report=name) for s in report.sentences],
    )
    return Knowledge([report, twin], knowledge.embed_query)


def every_match(
    knowledge: Knowledge, text: str, vector: Any, facet: Facet
) -> list[tuple[Any, float, float, float, str]]:
    """Every sentence (and fact) scored one at a time, best first: what ``matches`` ranks."""
    names, centroids = knowledge.facets.centroids()
    own, signpost = names.index(facet.name), names.index(SIGNPOST)
    terms = knowledge.terms(text)
    out = []
    for r in knowledge.reports.values():
        pools: list[tuple[Any, Any, Any]] = [(r.sentences, r.sentence_vectors, sentence_words)]
        if facet.figure:
            pools.append((r.facts, r.fact_vectors, fact_words))
        for items, vectors, words in pools:
            fits, dense = vectors @ centroids.T, vectors @ vector
            for item, row, sim in zip(items, fits, dense, strict=True):
                if row[signpost] >= row[own]:
                    continue
                if facet.units and isinstance(item, Fact) and item.unit not in facet.units:
                    continue
                if not says(facet, item):  # a margin of error is stated in words that name it
                    continue
                whole_row = isinstance(item, Fact) and item.origin == "text"
                if facet.whole and whole_row and len(r.tables.get(item.table, ())) > 1:
                    continue
                nearest = max((i for i in range(len(names)) if i != signpost), key=lambda i: row[i])
                lexical = knowledge.coverage(terms, tokens_of(words(item)))
                out.append((item, float(row[own]), float(sim), lexical, names[nearest]))
    out.sort(key=lambda m: -(m[1] + m[2] + m[3]))
    return out


def test_facet_evidence_is_the_best_of_every_sentence_scored_alone(library: Knowledge) -> None:
    model = library.facets
    for facet in model.facets:
        if facet.name == SIGNPOST or facet.parts:  # a facet of parts is sought part by part
            continue
        text, vector = facet.asks[0], model.question(facet.name)
        found = [
            (m.item, m.fit, m.dense, m.lexical, m.nearest)
            for m in matches(library, text, vector, list(library.reports), facet)
        ]
        expected = every_match(library, text, vector, facet)
        assert found[:EVIDENCE] == expected[:EVIDENCE], facet.name
        # what a part of "who was surveyed?" reads: the evidence nearest to the facet itself
        mine = [m for m in expected if m[4] == facet.name][:EVIDENCE]
        assert [m for m in found if m[4] == facet.name][:EVIDENCE] == mine, facet.name


def test_rows_a_sum_names_come_from_one_report(library: Knowledge) -> None:
    # two reports with the same rating scale: "a 4 and a 5" adds one report's two rows
    from rag.answering.answerability import load_calibration
    from rag.answering.answerer import Answerer

    answer = Answerer(library, load_calibration()).answer(
        "What share rated LLM adoption a 4 or a 5, added up?"
    )
    assert "67.2%" in answer.text
    assert len({c.report for c in answer.citations}) == 1


def test_a_generic_word_inside_a_capitalised_name_is_a_term(library: Knowledge) -> None:
    # "share" says how to answer; "States" in "the United States" is what the question is about
    assert "state" in library.terms("What share of respondents live in the United States?")
    assert "state" not in library.terms("What share do the tables state?")
    assert "share" not in library.terms("What share live in the United States?")


def test_a_report_the_question_names_is_the_one_answered(library: Knowledge) -> None:
    from rag.answering.answerability import load_calibration
    from rag.answering.answerer import Answerer

    first, twin = library.reports.values()
    harbour = replace(
        twin, info=replace(twin.info, title="Harbour Poll", short="Harbour poll", publisher="")
    )
    answerer = Answerer(Knowledge([first, harbour], library.embed_query), load_calibration())
    question = "In the Harbour survey, what share saw LLM adoption as a top priority?"

    named = answerer.answer(question)
    # a follow-up that names no report stays with the one the conversation named
    history = [{"role": "user", "content": question}, {"role": "assistant", "content": named.text}]
    after = answerer.answer("and what share could fully show ROI?", history)

    assert "67.2%" in named.text and {c.report for c in named.citations} == {harbour.info.id}
    assert "34.2%" in after.text and {c.report for c in after.citations} == {harbour.info.id}
    assert answerer.knowledge.named_reports("What share saw it as a top priority?") == []
