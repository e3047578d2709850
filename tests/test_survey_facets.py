"""What states a facet of how a survey was done (rag.answering.survey_facets, its data file)."""

from __future__ import annotations

import pytest

from rag.answering.survey_facets import load_facets, says
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
