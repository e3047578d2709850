"""What a question counts, against what the evidence counts (rag.answering.measures)."""

from __future__ import annotations

import pytest

from rag.answering.measures import measure_missing
from rag.types import Fact, Sentence


def _fact(unit: str) -> Fact:
    return Fact("f", "r", "t", "How often?", "weekly", 42.0, unit, "exact", "Use", "", "", 0, 1)


def _sentence(text: str) -> Sentence:
    return Sentence(report="r", section="Method", text=text, start=0, end=len(text))


@pytest.mark.parametrize(
    ("question", "unit", "missing"),
    [
        ("How many hours a week do respondents spend coding?", "%", 1.0),
        ("How many hours a week do respondents spend coding?", "hours", 0.0),
        ("How long did it take to reach a million users?", "%", 1.0),
        ("How long did it take to reach a million users?", "days", 0.0),
        ("What is the average number of employees?", "%", 1.0),
        # a count of people is answered by a share of them
        ("How many respondents use the tool weekly?", "%", 0.0),
        ("What share use the tool weekly?", "%", 0.0),
        # a share is not answered by the size of the companies a sentence mentions
        ("What share of respondents use Azure?", "employees", 1.0),
        ("What percentage were founded after 2010?", "year", 1.0),
        ("What share have improved their practices?", "respondents", 1.0),
    ],
)
def test_a_question_that_counts_a_measure_is_not_answered_by_another_kind_of_figure(
    question: str, unit: str, missing: float
) -> None:
    assert measure_missing(question, _fact(unit)) == missing


@pytest.mark.parametrize(
    ("question", "text", "missing"),
    [
        (
            "Roughly how many minutes did it take to fill the survey in?",
            "About 40% of respondents were randomly sampled from the plugin's users.",
            1.0,
        ),
        (
            "How long was the survey open?",
            "The questionnaire was open for approximately 12 weeks in November-January.",
            0.0,
        ),
        # no measure asked: nothing can be missing
        ("Who ran the survey?", "The survey was run by the Example Foundation.", 0.0),
    ],
)
def test_a_statement_about_the_survey_must_state_the_measure_asked(
    question: str, text: str, missing: float
) -> None:
    assert measure_missing(question, _sentence(text)) == missing


def test_no_evidence_misses_nothing() -> None:
    assert measure_missing("How many hours a week?", None) == 0.0
