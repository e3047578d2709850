"""What states a facet of how a survey was done (rag.answering.survey_facets, its data file)."""

from __future__ import annotations

import pytest

from rag.answering.survey_facets import asks_figure, load_facets, says
from rag.types import Sentence


def _sentence(text: str) -> Sentence:
    return Sentence(report="r", section="Method", start=0, end=len(text), text=text)


@pytest.mark.parametrize(
    ("facet", "text", "stated"),
    [
        # a margin of error is stated in the words that name one
        ("precision", "Approximately 30% of the 84 respondents do not use metrics.", False),
        ("precision", "The margin of error is ±3 percentage points.", True),
        ("weighting", "Results were weighted by region and company size.", True),
        ("weighting", "We recruited participants via the blog and a prompt.", False),
        ("questionnaire", "The questionnaire was administered using SurveyMonkey.", False),
        ("questionnaire", "Not all respondents answered every one of the 26 questions.", True),
        ("incentive", "Respondents could enter a prize draw for a voucher.", True),
        # a facet stated in any words (who was surveyed) takes any sentence
        ("roles", "Most respondents were engineers.", True),
    ],
)
def test_a_facet_is_stated_only_in_the_words_that_name_it(
    facet: str, text: str, stated: bool
) -> None:
    by_name = {f.name: f for f in load_facets()}
    assert says(by_name[facet], _sentence(text)) is stated


@pytest.mark.parametrize(
    ("question", "facet", "named"),
    [
        ("Was the survey done by phone or online?", "mode", True),
        ("What's the margin of error?", "precision", True),
        # read as about the survey, but asking nothing of the facet: a refusal names none
        ("Who won the 2022 World Cup?", "roles", False),
        ("How many respondents attended a workshop in India?", "count", False),
    ],
)
def test_a_refusal_names_the_facet_only_when_the_question_asks_it_in_its_words(
    question: str, facet: str, named: bool
) -> None:
    from rag.answering.answerer import _in_facet_words

    by_name = {f.name: f for f in load_facets()}
    assert _in_facet_words(question, by_name[facet]) is named


@pytest.mark.parametrize(
    ("question", "figure"),
    [
        ("What was the mean score?", True),
        ("What share of clubs have a coach?", True),
        ("How long did the survey run?", True),
        # "mean" as a verb: the answer is in words, and a sentence without a figure is no
        # refusal ("it gives no figure for this")
        ("and what does that mean for their budgets?", False),
        ("What does this mean for new members?", False),
    ],
)
def test_a_question_asks_a_figure_only_in_words_that_ask_one(question: str, figure: bool) -> None:
    assert asks_figure(question) is figure
