"""Ranking across a library: the array shortcuts pick the same evidence as scoring every text.

A library is stood in for by the bundled report twice under two ids, so every sentence has an
exact twin: ties must still come out in report order, as one-by-one scoring puts them.
"""

from __future__ import annotations

from dataclasses import fields, replace
from typing import Any

import pytest

from rag.answering.knowledge import (
    Knowledge,
    Scored,
    fact_words,
    scored,
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


REMOTE_WORK = (
    "We surveyed 400 office managers about remote work in 2024.",
    "Over 60% of managers said their teams preferred remote work.",
    "Only 12% of managers wanted a full return to the office.",
    "Most teams met in person once a month.",
)


def remote_work_report(library: Knowledge) -> Any:
    """A second, unrelated report held in memory: four sentences and their vectors."""
    import numpy as np

    from rag.answering.knowledge import ReportKnowledge
    from rag.types import ReportInfo, Section, Sentence

    text = " ".join(REMOTE_WORK)
    sentences, at = [], 0
    for s in REMOTE_WORK:
        sentences.append(Sentence("remote-work", "Results", at, at + len(s), s))
        at += len(s) + 1
    info = ReportInfo(
        id="remote-work",
        title="Remote Work Pulse",
        publisher="Office Panel",
        year=2024,
        surveyed="400 office managers",
        sections=("Results",),
        text=text,
    )
    vectors = np.stack([library.vector(s) for s in REMOTE_WORK])
    empty = np.zeros((0, vectors.shape[1]), dtype=np.float32)
    return ReportKnowledge(
        info=info,
        sections=[Section("Results", 0, len(text))],
        facts=[],
        fact_vectors=empty,
        form_vectors=empty,
        sentences=sentences,
        sentence_vectors=vectors,
    )


def test_a_large_library_answers_from_the_reports_nearest_the_question(
    library: Knowledge,
) -> None:
    from rag.answering.answerability import load_calibration
    from rag.answering.answerer import Answerer

    bundled = next(iter(library.reports.values()))
    remote = remote_work_report(library)
    knowledge = Knowledge([bundled, remote], library.embed_query)
    # a library larger than the reports a question reads: each question is routed
    answerer = Answerer(knowledge, load_calibration(), route_reports=1)

    assert knowledge.route(knowledge.vector("Do managers want a return to the office?"), 1) == [
        "remote-work"
    ]
    first = "What share saw LLM adoption as a top priority?"
    asked = answerer.answer(first)
    assert "34.2%" not in asked.text and {c.report for c in asked.citations} == {bundled.info.id}

    # "and ...?" names nothing the first report lacks: it is read in the first question's report
    history = [{"role": "user", "content": first}, {"role": "assistant", "content": asked.text}]
    after = answerer.answer("and what share could fully show ROI?", history)
    assert "34.2%" in after.text and {c.report for c in after.citations} == {bundled.info.id}

    managers = answerer.answer("What share of managers wanted a full return to the office?")
    assert "12%" in managers.text and {c.report for c in managers.citations} == {"remote-work"}


def test_a_misspelling_is_corrected_as_a_scan_of_every_word_corrects_it(
    library: Knowledge,
) -> None:
    import difflib

    long_words = [w for w in library.vocabulary if len(w) >= 7][::40]
    typos = [w[:2] + w[3] + w[2] + w[4:] for w in long_words]  # two letters swapped
    typos += [w[:3] + w[4:] for w in long_words]  # one dropped
    typos += [w[:4] + "x" + w[4:] for w in long_words]  # one added
    assert len(typos) > 30
    for typo in typos:
        every = difflib.get_close_matches(typo, library.vocabulary, n=3, cutoff=0.8)
        assert difflib.get_close_matches(typo, library._near_letters(typo), n=3, cutoff=0.8) == (
            every
        ), typo


def test_scored_makes_the_value_the_dataclass_makes() -> None:
    made = scored("item", 0.5, 0.25, 1.0, True)
    assert set(vars(made)) == {f.name for f in fields(Scored)}
    assert made == Scored("item", 0.5, 0.25, 1.0, True)
    assert hash(made) == hash(Scored("item", 0.5, 0.25, 1.0, True))
    assert scored("item", 0.5, 0.25) == Scored("item", 0.5, 0.25)
    assert made.score == Scored("item", 0.5, 0.25, 1.0, True).score


def test_a_makers_acronym_is_read_by_its_name_and_a_field_term_as_written(
    library: Knowledge,
) -> None:
    import numpy as np

    from rag.answering.knowledge import ReportKnowledge
    from rag.types import ReportInfo, Section, Sentence

    texts = (
        "When we founded the Northern Cycling Welfare Association in 2015, few towns had lanes.",
        "The NCWA asked 500 riders how they commute to work.",
        "Most riders who use an LLM chatbot asked it about routes.",
        "Large Language Model tools were new to most riders.",
    )
    sentences, at = [], 0
    for t in texts:
        sentences.append(Sentence("bikes", "Results", at, at + len(t), t))
        at += len(t) + 1
    embed = library.embed_query
    vectors = np.stack([np.asarray(embed(t), dtype=np.float32) for t in texts])
    empty = np.zeros((0, vectors.shape[1]), dtype=np.float32)
    info = ReportInfo("bikes", "NCWA rider survey", "Northern Cycling Welfare Association", 2024,
                      "500 riders", ("Results",), " ".join(texts))  # fmt: skip
    report = ReportKnowledge(info, [Section("Results", 0, at)], [], empty, empty, sentences,
                             vectors)  # fmt: skip
    knowledge = Knowledge([report], embed)

    question = "when was the ncwa set up?"
    assert knowledge.embedded_text(question) == (
        "when was the ncwa (Northern Cycling Welfare Association) set up?"
    )
    # the sentence that names the maker in full is the one nearest the question
    assert int(np.argmax(vectors @ knowledge.vector(question))) == 0
    # a term of the field the report also writes short stays as the question writes it
    assert knowledge.embedded_text("how many use an LLM?") == "how many use an LLM?"
