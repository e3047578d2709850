"""Robustness to wording: paraphrases answered by meaning, totals and caption options refused,
comparisons and dated figures derived from cited facts. Pure parts first, then the real engine."""

from __future__ import annotations

import numpy as np
import pytest

from rag.answering.guard import check
from rag.derive import compared, contradicted, difference, interval
from rag.engine import Engine
from rag.evidence import Corpus, Sentence
from rag.followup import negate, resolve_followup
from rag.meaning import decisive, dense_pick
from rag.question import asks_total, expand_shorthand, read_question
from rag.retrieval.dense import SentenceVectors, sentence_vectors
from rag.settings import Settings
from rag.text.numbers import extract_figures
from rag.types import Answer, Fact
from tests.test_engine_units import CHUNKS, FACTS, REPORT, SECTIONS

# --------------------------------------------------------------------------- pure parts


@pytest.fixture(scope="module")
def corpus() -> Corpus:
    return Corpus([REPORT], CHUNKS, FACTS, SECTIONS)


def sentence(corpus: Corpus, snippet: str) -> Sentence:
    return next(s for s in corpus.all_sentences() if snippet in s.text)


def test_a_decisive_sentence_needs_a_clear_lead(corpus: Corpus) -> None:
    a, b = corpus.all_sentences()[:2]
    assert decisive([(0.62, a), (0.50, b)]) is a
    assert decisive([(0.62, a), (0.59, b)]) is None  # two sentences about as close: unsure
    assert decisive([(0.35, a), (0.0, b)]) is None  # too far from the question at all
    # below the usual floor the lead must be wider than above it
    assert decisive([(0.45, a), (0.38, b)]) is None
    assert decisive([(0.45, a), (0.34, b)]) is a


def test_dense_pick_quotes_the_sentence_and_the_one_that_qualifies_it(corpus: Corpus) -> None:
    talent = sentence(corpus, "The biggest blockers are cost and talent")
    sims = {(s.report, s.start): 0.2 for s in corpus.all_sentences()}
    sims[(talent.report, talent.start)] = 0.7
    query = read_question("What holds these firms back?", corpus)
    picked = dense_pick(query, corpus, sims)
    # the sentence after it does not open with a connective, so it is left out
    assert [p.text for p in picked] == [talent.text]
    assert dense_pick(query, corpus, {}) == []  # no vectors: nothing picked by meaning


def test_dense_pick_never_answers_without_the_specific_terms(corpus: Corpus) -> None:
    talent = sentence(corpus, "The biggest blockers are cost and talent")
    sims = {(s.report, s.start): 0.1 for s in corpus.all_sentences()}
    sims[(talent.report, talent.start)] = 0.9
    query = read_question("What holds firms in Portugal back?", corpus)
    assert dense_pick(query, corpus, sims) == []


def test_sentence_vectors_take_their_rows_from_the_index(corpus: Corpus) -> None:
    sentences = corpus.all_sentences()
    other = Sentence("other", "S", 0, 5, "Other.")
    matrix = np.array(
        [[1.0, 0.0] if i % 2 else [0.0, 1.0] for i in range(len(sentences))] + [[1.0, 0.0]],
        dtype=np.float32,
    )

    def embed_query(text: str) -> list[float]:
        return [1.0, 0.0]

    vectors = sentence_vectors([*sentences, other], matrix, embed_query, {"mini"})
    sims = vectors.similarities("anything")
    assert list(sims) == [(s.report, s.start) for s in sentences]  # narrowed to the report
    assert [sims[(s.report, s.start)] for s in sentences[:2]] == [0.0, 1.0]
    empty = SentenceVectors((), np.zeros((0, 2), dtype=np.float32), embed_query)
    assert empty.similarities("x") == {}


def test_words_the_report_never_uses_are_unknown(corpus: Corpus) -> None:
    assert corpus.unknown("quantum")
    assert not corpus.unknown("talent")  # used as is
    assert not corpus.unknown("blocker")  # a form of "blockers"
    assert not corpus.unknown("obstacle")  # a synonym of a word it uses ("blockers")


def test_totals_across_respondents_are_statistics_but_total_shares_are_sums() -> None:
    assert asks_total("How many employees were surveyed in total across all the companies?")
    assert asks_total("What was the total amount of money lost across all the companies?")
    assert not asks_total("What total share of companies lost money, across all the bands?")
    assert not asks_total("How many companies were surveyed?")
    query = read_question("How many employees were there in total across all the companies?")
    assert "total" in query.specific and query.wants_figure


def test_question_reading_handles_ranges_avoidance_and_extremes() -> None:
    ranged = read_question("what share had losses in the 50M-200M range?")
    assert [f.value for f in ranged.figures] == [50_000_000, 200_000_000]
    assert read_question("What share avoided major losses?").negated
    assert read_question("What was the minimum headcount of the firms?").wants_figure
    assert read_question("sample size of the survey?").wants_figure


def test_the_rest_is_the_complement_of_the_previous_question() -> None:
    assert negate("What share could fully show ROI?") == "What share could not fully show ROI?"
    history = [
        {"role": "user", "content": "What share could fully show ROI?"},
        {"role": "assistant", "content": "Only 34.2% [1]."},
    ]
    assert resolve_followup("and the rest?", history) == "What share could not fully show ROI?"
    assert resolve_followup("What about the others?", history).startswith("What share could not")


def _fact(fid: str, row: str, value: float, qualifier: str = "exact") -> Fact:
    return Fact(fid, "r", "t", "cap", row, value, "%", qualifier, "S", row, row, 0, 1)  # type: ignore[arg-type]


def test_a_comparison_takes_two_exact_rows_of_one_table_larger_first() -> None:
    low, high = _fact("a", "fully staffed", 41.2), _fact("b", "understaffed", 58.8)
    assert compared([(low, 0.8), (high, 0.5)], []) == (high, low)
    assert compared([(low, 0.8), (high, 0.1)], []) is None  # the second row is not asked about
    assert compared([(low, 0.8)], [low, high]) == (high, low)  # two rows named by figures
    bound = _fact("c", "over half", 50, "over")
    assert compared([(bound, 0.9), (low, 0.9)], []) is None  # a bound has no exact difference
    text = difference((high, low), 17.6)
    assert text == "The difference: 58.8% − 41.2% = 17.6%."
    assert check(text, ["58.8% said one thing", "41.2% said another"]).ok


def test_the_guard_accepts_a_result_only_where_its_working_is_shown() -> None:
    sources = ["24% lost a lot", "10% lost even more"]
    shown = "24% [1] + 10% [2] = 34%. By complement, 66% did not (100% − 34% = 66%)."
    assert check(shown, sources).ok
    unshown = "By complement, 66% did not."
    assert [f.raw for f in check(unshown, sources).unsupported] == ["66%"]
    wrong = "24% [1] + 10% [2] = 34%. By complement, 67% did not (100% − 34% = 67%)."
    assert not check(wrong, sources).ok


def test_a_claim_about_the_sample_is_checked_against_its_facts() -> None:
    every = Fact(
        "e", "r", "demo", "Who", "Employees", 10_000, "employees", "over", "S", "t", "s", 0, 1
    )
    [small] = extract_figures("firms with under 100 employees")
    [large] = extract_figures("firms with over 50,000 employees")
    [money] = extract_figures("budgets under $1M")
    assert interval(small) == (0.0, 100.0) and interval(large) == (50_000.0, float("inf"))
    assert contradicted([small], [every]) is every
    assert contradicted([large], [every]) is None  # compatible: some may be that big
    assert contradicted([money], [every]) is None  # money may be about anything


# --------------------------------------------------------------------------- the real engine


@pytest.fixture(scope="module")
def engine(indexed_settings: Settings) -> Engine:
    return Engine(indexed_settings, chat_model=None)


def traceable(answer: Answer, text: str) -> None:
    """Every quote is in the report and every figure stands in a cited source or working."""
    for c in answer.citations:
        if c.kind == "passage":
            assert c.start is not None and text[c.start : c.end] == c.quote
    assert check(answer.text, [c.quote for c in answer.citations]).ok, answer.text


@pytest.mark.model
def test_sentences_and_their_vectors_come_from_the_index(
    indexed_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    from rag.index.embeddings import get_embedder

    def no_embedding(texts: object) -> list[list[float]]:
        raise AssertionError("the engine embedded report texts at run time")

    monkeypatch.setattr(get_embedder(indexed_settings), "embed_documents", no_embedding)
    engine = Engine(indexed_settings, chat_model=None)
    engine.warm()
    assert engine.corpus.all_sentences() == engine.index.sentences
    assert engine.answer("Where were the surveyed firms headquartered?").grounded
    assert not (indexed_settings.data_dir / "sentence-vectors").exists()


@pytest.mark.model
def test_a_paraphrase_is_answered_by_meaning(engine: Engine) -> None:
    a = engine.answer("Where were the surveyed firms headquartered?")
    assert a.grounded
    assert any("US, UK and Canada" in c.quote for c in a.citations)
    traceable(a, engine.reports[0].text)


@pytest.mark.model
def test_a_count_the_report_gives_once_answers_its_paraphrase(engine: Engine) -> None:
    a = engine.answer("Roughly how many companies took part in the survey?")
    assert a.grounded and "1,000" in a.text
    assert any(c.kind == "fact" and c.table == "demography" for c in a.citations)
    traceable(a, engine.reports[0].text)


@pytest.mark.model
def test_a_when_question_gets_the_dated_sentence(engine: Engine) -> None:
    a = engine.answer("Between which months did ChatGPT rocket to over 100M users?")
    assert a.grounded and "February" in a.text and "April" in a.text and "2023" in a.text
    assert any("February 2023" in c.quote for c in a.citations)
    traceable(a, engine.reports[0].text)


@pytest.mark.model
def test_a_difference_is_worked_out_from_cited_rows(engine: Engine) -> None:
    a = engine.answer("By how many percentage points did the understaffed outnumber the staffed?")
    assert "58.8% − 41.2% = 17.6%" in a.text
    assert {c.row for c in a.citations if c.kind == "fact"} >= {
        "Understaffed / underfunded",
        "Fully staffed, with the right budget",
    }
    traceable(a, engine.reports[0].text)


@pytest.mark.model
def test_a_sum_is_shown_before_its_complement_uses_it(engine: Engine) -> None:
    a = engine.answer("What share of companies did not lose $100M or more?")
    assert a.text.index("= 34%") < a.text.index("100% − 34% = 66%")
    traceable(a, engine.reports[0].text)


@pytest.mark.model
def test_a_dashed_range_is_a_band_sum(engine: Engine) -> None:
    a = engine.answer("what share had losses in the 50M-200M range?")
    assert "= 44%" in a.text
    traceable(a, engine.reports[0].text)


@pytest.mark.model
@pytest.mark.parametrize(
    "question",
    [
        "How many employees were surveyed in total across all the companies?",
        "What was the total amount of money lost across all the companies surveyed?",
        # the option is named in the survey's question, not in any answer row
        "What share of companies use Cohere's Claude?",
        # half the words match ("computing", "cloud"), but the one that narrows it never does
        "What does the report say about quantum computing?",
        "Which cloud provider do most companies use?",
    ],
)
def test_near_misses_are_refused(engine: Engine, question: str) -> None:
    a = engine.answer(question)
    assert not a.grounded and a.text.startswith("The report does not say")
    assert extract_figures(a.text) == []


@pytest.mark.model
def test_the_rest_after_a_figure_is_its_complement(engine: Engine) -> None:
    history = [
        {"role": "user", "content": "What share could fully show ROI?"},
        {"role": "assistant", "content": "Only 34.2% felt they could fully show the ROI [1]."},
    ]
    a = engine.answer("and the rest?", history)
    assert "65.8%" in a.text and "100% − 34.2% = 65.8%" in a.text
    traceable(a, engine.reports[0].text)


def test_gen_ai_is_shorthand_not_a_model_name() -> None:
    assert expand_shorthand("what share see gen AI as urgent? and GenAI?") == (
        "what share see generative AI as urgent? and generative AI?"
    )
    assert expand_shorthand("generative AI") == "generative AI"


@pytest.mark.model
def test_a_false_claim_about_the_sample_is_corrected(engine: Engine) -> None:
    a = engine.answer("Given the firms polled had fewer than 200 staff, how did they use LLMs?")
    assert a.grounded and "10,000 employees" in a.text and "200" not in a.text
    traceable(a, engine.reports[0].text)
