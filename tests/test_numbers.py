"""The figure parser: the report's phrasings give the right value, unit and qualifier."""

from __future__ import annotations

import pytest

from rag.text.numbers import contains_figure, extract_figures, format_figure, format_value


def only(text: str) -> tuple[float, str, str]:
    [figure] = extract_figures(text)
    return figure.value, figure.unit, figure.qualifier


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("only 41.2% of the respondents", (41.2, "%", "exact")),
        ("well over 80% of the people surveyed", (80, "%", "over")),
        ("across more than half of the companies", (50, "%", "over")),
        ("Every respondent had more than 10,000 employees", (10000, "employees", "over")),
        ("rocketed to over 100M users", (1e8, "users", "over")),
        ("saw losses of 200M or more", (2e8, "USD", "at_least")),
        ("in the next 18 months", (18, "months", "exact")),
        ("the AIIA polled over 1000 businesses", (1000, "companies", "over")),
        ("to 100s of millions of dollars to train", (1e8, "USD", "at_least")),
        ("no vertical surveyed represented more than 8% of the total", (8, "%", "at_most")),
    ],
)
def test_report_phrasings(text: str, expected: tuple[float, str, str]) -> None:
    assert only(text)[0] == pytest.approx(expected[0])
    assert only(text)[1:] == expected[1:]


def test_money_bands_and_floors() -> None:
    figures = extract_figures("24% was losses of 100M to 200M and 10% saw losses of 200M or more")
    assert [(f.value, f.unit, f.qualifier) for f in figures] == [
        (24, "%", "exact"),
        (1e8, "USD", "exact"),
        (2e8, "USD", "exact"),
        (10, "%", "exact"),
        (2e8, "USD", "at_least"),
    ]


def test_a_negation_elsewhere_in_the_sentence_keeps_over() -> None:
    assert only("There is no doubt that over 80% agreed")[2] == "over"


def test_names_are_not_figures() -> None:
    assert extract_figures("LLMs like GPT-4 and Gen1") == []
    assert extract_figures("the 2023H2 results")[-1].raw == "2023"


def test_a_figure_after_a_line_break_is_read() -> None:
    # hard-wrapped Markdown: the word before the break is not glued to the figure
    text = "rising from 3% in 2021 to 6% and\n5% in 2023"
    assert [f.raw for f in extract_figures(text) if f.unit == "%"] == ["3%", "6%", "5%"]


def test_both_ends_of_a_hyphenated_range_are_figures() -> None:
    assert [f.value for f in extract_figures("in the 50M-200M range")] == [50e6, 200e6]
    assert [f.value for f in extract_figures("teams of 4k-8k staff")] == [4e3, 8e3]


@pytest.mark.parametrize(
    ("value", "unit", "qualifier", "text"),
    [
        (67.2, "%", "exact", "67.2%"),
        (80, "%", "over", "over 80%"),
        (2e8, "USD", "at_least", "at least $200M"),
        (1e9, "USD", "over", "over $1B"),
        (10000, "employees", "over", "over 10,000 employees"),
        (1e8, "users", "over", "over 100 million users"),
        (3.5, "years", "exact", "3.5 years"),
    ],
)
def test_format_figure(value: float, unit: str, qualifier: str, text: str) -> None:
    assert format_figure(value, unit, qualifier) == text


@pytest.mark.parametrize(
    ("value", "unit"), [(1e8, "users"), (1e6, "users"), (2e8, "USD"), (10000, "employees")]
)
def test_formatted_values_parse_back(value: float, unit: str) -> None:
    assert contains_figure(extract_figures(format_value(value, unit)), value, unit)


@pytest.mark.parametrize(
    ("text", "qualifier"),
    [(">200M lost", "over"), ("≥ 50%", "at_least"), (">= 50%", "at_least"), ("< 10%", "under")]
    + [("<= 10%", "at_most"), ("step -> 5 days", "exact"), ("upwards of $5M", "over")],
)
def test_comparison_signs_read_as_qualifiers(text: str, qualifier: str) -> None:
    assert extract_figures(text)[0].qualifier == qualifier


def test_a_ratio_of_people_is_a_share() -> None:
    (f,) = extract_figures("Three out of every four respondents use the cloud.")
    assert (f.value, f.unit, f.raw) == (75.0, "%", "Three out of every four")
    (g,) = extract_figures("About 1 in 5 developers write tests first.")
    assert (g.value, g.unit, g.qualifier) == (20.0, "%", "about")
    # a point on a rating scale is not a share
    assert [f.value for f in extract_figures("rated it a 4 out of 5")] == [4.0, 5.0]


def test_a_sample_size_is_a_count_of_respondents() -> None:
    found = extract_figures("Most learned Git (n = 362), and Python (n=1,289); the mean was 3.4.")
    assert [(f.value, f.unit, f.raw) for f in found] == [
        (362.0, "respondents", "n = 362"),
        (1289.0, "respondents", "n=1,289"),
        (3.4, "", "3.4"),
    ]


def test_readers_addressed_as_you_are_respondents() -> None:
    # a community survey speaking to its readers counts them: "2,420 of you took the time"
    (f,) = extract_figures("We held steady in our response rate as 2,420 of you took the time.")
    assert (f.value, f.unit) == (2420.0, "respondents")
    assert [g.unit for g in extract_figures("Over 40% of you said yes.")] == ["%"]


def test_a_figure_that_rose_up_to_its_value_is_exact() -> None:
    # "is up to 57%" says the share rose to 57%; "up to 30% of the time" is a ceiling
    said = "Last year, 51% deployed to the cloud. This year, that number is up to 57%."
    assert [(f.value, f.qualifier) for f in extract_figures(said)] == [
        (51.0, "exact"),
        (57.0, "exact"),
    ]
    assert extract_figures("It saves up to 30% of the time.")[0].qualifier == "at_most"
