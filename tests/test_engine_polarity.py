"""Rows that share their words but not their sense: 'understaffed' is not 'fully staffed'."""

from __future__ import annotations

import pytest

from rag.engine import Engine
from rag.question import NEGATION
from rag.settings import Settings
from rag.text.numbers import extract_figures
from rag.text.tokens import synonyms


@pytest.mark.parametrize("word", ["understaffed", "underfunded", "under-resourced"])
def test_under_words_negate_the_question(word: str) -> None:
    assert NEGATION.search(f"What share felt {word}?")


def test_antonyms_are_not_synonyms() -> None:
    assert "staffed" not in synonyms("understaffed")
    assert "funded" not in synonyms("underfunded")


@pytest.fixture(scope="module")
def engine(indexed_settings: Settings) -> Engine:
    return Engine(indexed_settings, chat_model=None)


@pytest.mark.model
@pytest.mark.parametrize(
    ("question", "figure", "not_figure"),
    [
        ("What share of companies felt understaffed and underfunded for LLMs?", 58.8, 41.2),
        ("What share lacked the people and money?", 58.8, 41.2),
        ("How many firms had enough staff and budget?", 41.2, 58.8),
    ],
)
def test_the_row_with_the_questions_polarity_answers(
    engine: Engine, question: str, figure: float, not_figure: float
) -> None:
    a = engine.answer(question)
    values = [f.value for f in extract_figures(a.text) if f.unit == "%"]
    assert a.grounded
    assert values and values[0] == figure, a.text
    assert not_figure not in values, a.text
    assert any(str(figure) in c.quote for c in a.citations)
