"""Pure steps of the answer engine: splitting questions, sides, and arithmetic on figures."""

from __future__ import annotations

from dataclasses import replace

import pytest

from rag.answering import guard, operations
from rag.answering.measures import count_asked
from rag.answering.parts import (
    claimed_first,
    majority_claimed,
    premise,
    set_aside,
    sides,
    split_questions,
    whole_and_part,
)
from rag.answering.plan import settle_intent
from rag.types import Fact


def fact(fid: str, value: float, unit: str = "%", qualifier: str = "exact", row: str = "") -> Fact:
    return Fact(
        fid,
        "r",
        "t",
        "cap",
        row or fid,
        value,
        unit,
        qualifier,
        "S",
        fid,
        fid,
        0,
        1,  # type: ignore[arg-type]
    )


# ---------------------------------------------------------------- questions inside a question


def test_a_follow_up_asks_a_total_in_its_own_words() -> None:
    ranked = [("sum", 0.48), ("figure", 0.4)]
    # a follow-up may add to the figures before it, but "how satisfied overall?" adds nothing
    assert settle_intent(ranked, "and how satisfied are they with Go overall?", True)[0] == (
        "figure"
    )
    assert settle_intent(ranked, "and the total of those?", True)[0] == "sum"
    assert settle_intent(ranked, "and both of them together?", True)[0] == "sum"


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        (
            "What share of nurses felt burnt out, and how many planned to leave?",
            ["What share of nurses felt burnt out", "how many planned to leave?"],
        ),
        ("How many users did it reach, and in how many months?", 2),
        ("What share of teachers felt unsupported and underpaid?", 1),
        ("Which is larger, the share of A or the share of B?", 1),
        (
            "Give me three numbers - the share using Go, the share using Rust, and the share "
            "using both.",
            3,
        ),
        ("How large were the firms, both in revenue and in headcount?", 2),
        # two question words share one question: each asks it whole
        (
            "Where and when did the tenants' meeting take place?",
            [
                "Where did the tenants' meeting take place?",
                "when did the tenants' meeting take place?",
            ],
        ),
        (
            "Who and how many took part, and what did they pay?",
            ["Who took part", "how many took part", "what did they pay?"],
        ),
        ("Two things about churn - what share left, and what share came back?", 2),
        ("What share left? And what share came back?", 2),
        # a premise the answer checks stays with the question it sets up
        ("Since the poll was of small firms, how do they pay for cloud?", 1),
        ("Given that most nurses were tired, what share planned to leave?", 1),
        ("As you said, what share left? And what share came back?", 2),
        ("Does X exceed Y, or is it the other way round?", 1),
        ("How precise are the results - what margin of error applies?", 1),
        # an aside, then a clause that says whom the question counts: one question
        ("Leaving cars aside - among riders who never drive, how many own a bike?", 1),
    ],
)
def test_a_question_splits_into_the_questions_it_asks(question: str, expected: object) -> None:
    parts = split_questions(question)
    if isinstance(expected, int):
        assert len(parts) == expected, parts
    else:
        assert parts == expected


def test_a_lead_in_that_asks_nothing_stays_with_the_questions_after_it() -> None:
    first, second = split_questions("About churn - what share left, and what share returned?")
    assert first.startswith("About churn") and "left" in first
    assert second == "what share returned?"


def test_the_claim_a_question_rests_on_is_split_from_what_it_asks() -> None:
    assert premise("Since the poll was of small firms, how do they pay for cloud?") == (
        "the poll was of small firms",
        "how do they pay for cloud?",
    )
    assert premise("The poll was of small firms, so how do they pay for cloud?") == (
        "The poll was of small firms",
        "how do they pay for cloud?",
    )
    assert premise("Vets waited 12 weeks for a reply - how did doctors compare?") == (
        "Vets waited 12 weeks for a reply",
        "how did doctors compare?",
    )
    assert premise("How do small firms pay for cloud?") is None
    # a question before the dash claims nothing: what follows restates it
    assert premise("How precise are the results - what margin of error applies?") is None
    # nor does a topic named before it: a phrase without a verb
    assert premise("losses over $200M - how many firms had them?") is None


@pytest.mark.parametrize(
    ("question", "set_against"),
    [
        ("How many companies lost more than $200M?", False),  # a cut-off on one figure
        ("What share of riders had fewer than 3 punctures?", False),
        ("Were more riders tired than rested?", True),
        ("Is 58.8% more than 41.2%?", True),  # two figures, set against each other
    ],
)
def test_a_cut_off_on_one_figure_sets_nothing_against_it(question: str, set_against: bool) -> None:
    from rag.answering.parts import contrasted
    from rag.answering.plan import _two_things

    assert contrasted(question) is set_against
    assert _two_things(question) is set_against


def test_sides_of_comparisons_ratios_and_shares_of_shares() -> None:
    assert sides("Does the share of tired nurses exceed the share of rested ones?") == (
        "Does the share of tired nurses",
        "the share of rested ones",
    )
    assert sides("Were more nurses tired than rested?") == ("Were more nurses tired", "rested")
    assert sides("Which is larger, the share using Go or the share using Rust?") == (
        "the share using Go",
        "the share using Rust",
    )
    assert sides("What is the gap between remote staff and office staff?") == (
        "remote staff",
        "office staff",
    )
    assert sides("How many points separate the share of nurses from the share of doctors?") == (
        "the share of nurses",
        "the share of doctors",
    )
    assert sides("Compare the share of tired nurses with the share of rested ones.") == (
        "the share of tired nurses",
        "the share of rested ones",
    )
    # a bound on one figure does not join two sides
    assert sides("Were more nurses off 3 days or more or on leave?") == (
        "Were more nurses off 3 days or more",
        "on leave",
    )
    assert sides("Did those rating it 4 and above outnumber the rest?") == (
        "Did those rating it 4 and above",
        "the rest",
    )
    # the two ends of one range are not two things; two bare scale points are
    assert sides("How many spent between fifty and a hundred million dollars?") is None
    assert sides("What is the gap between a 4 and a 5?") == ("a 4", "a 5")
    # "or not" makes a yes-or-no question, not a second thing
    assert sides("Do most riders wear a helmet or not?") is None
    assert sides("do most of them cycle to work or nah") is None
    # "for every X, how many Y": Y is the numerator, asked first
    assert sides("For every manager who agreed, how many staff disagreed?") == (
        "how many staff disagreed",
        "manager who agreed",
    )
    # everyone who answered is not a subgroup
    assert whole_and_part("Out of those who answered, what share cycle to work?") is None
    assert whole_and_part("Among those who use Go, what share use it at work?") == (
        "those who use Go",
        "what share use it at work",
    )


# ---------------------------------------------------------------- operations


def test_the_rest_is_a_complement_with_its_working_and_flips_a_bound() -> None:
    r = operations.complement(fact("a", 41.2))
    assert r.value == pytest.approx(58.8) and r.working == "100% − 41.2% = 58.8%"
    flipped = operations.complement(fact("b", 80, qualifier="over"))
    assert flipped.value == pytest.approx(20) and flipped.qualifier == "under"
    assert operations.complement(fact("c", 5, unit="days")).value is None


def test_the_rest_of_several_rows_subtracts_each_and_passes_the_guard() -> None:
    rows = [fact("a", 24), fact("b", 10)]
    r = operations.complement_of(rows)
    assert r.value == pytest.approx(66) and r.working == "100% − 24% − 10% = 66%"
    assert guard.check(f"The rest: 66% ({r.working}).", ["24% and 10% lost money."]).ok
    assert operations.complement_of([fact("c", 50, qualifier="over"), fact("d", 10)]).value is None


def test_sums_and_differences_keep_units_and_honest_bounds() -> None:
    assert operations.total([fact("a", 24), fact("b", 10)]).working == "24% + 10% = 34%"
    assert operations.total([fact("a", 24), fact("b", 3, unit="days")]).value is None
    over = operations.total([fact("a", 50, qualifier="over"), fact("b", 10)])
    assert over.qualifier == "over"
    d = operations.difference(fact("a", 67.2), fact("b", 34.2))
    assert d.value == pytest.approx(33) and d.working == "67.2% − 34.2% = 33%"


def test_ratios_convert_time_units_by_whole_factors() -> None:
    r = operations.ratio(fact("n", 3.5, unit="years"), fact("c", 5, unit="days"))
    assert r.value == pytest.approx(255.5)
    assert "3.5 × 365 = 1277.5 days" in r.working
    assert operations.ratio(fact("a", 10, unit="users"), fact("b", 5, unit="days")).value is None


def test_a_duration_converts_up_or_down_by_whole_factors() -> None:
    up = operations.converted(fact("n", 3.5, unit="years"), "months")
    assert up.value == 42 and up.working == "3.5 × 12 = 42 months"
    down = operations.converted(fact("m", 48, unit="months"), "years")
    assert down.value == 4 and down.working == "48 ÷ 12 = 4 years"
    assert operations.converted(fact("d", 5, unit="days"), "hours").value == 120
    assert operations.converted(fact("s", 40), "days").value is None  # a share is no duration


def test_share_of_a_share_divides_the_part_by_its_whole() -> None:
    r = operations.share_of_share(fact("p", 18.2), fact("w", 67.2))
    assert r.value == pytest.approx(27.1) and r.working == "18.2 ÷ 67.2 × 100 = 27.1%"
    assert operations.share_of_share(fact("p", 70), fact("w", 60)).value is None


def test_the_most_and_least_common_row_and_whether_the_table_is_complete() -> None:
    rows = [fact("a", 20, row="$50M to $100M"), fact("b", 24, row="$100M to $200M"), fact("c", 10)]
    most = operations.extreme(rows, "most")
    least = operations.extreme(rows, "least")
    assert most.rows[0].id == "b" and least.rows[0].id == "c"
    assert most.extra["complete"] is False and most.extra["remainder"] == pytest.approx(46)


def test_a_place_of_the_ranking_counts_figures_so_rows_of_one_figure_share_it() -> None:
    from rag.text.lexicon import place_asked

    rows = [fact("us", 22), fact("de", 14), fact("uk", 6), fact("fr", 6), fact("cn", 5)]
    second = operations.extreme(rows, "most", place_asked("Which country came second?"))
    assert second.rows[0].id == "de" and [f.id for f in second.extra["ahead"]] == ["us"]
    assert second.extra["tied"] == []
    third = operations.extreme(rows, "most", place_asked("and the 3rd most common?"))
    assert third.rows[0].id == "uk" and [f.id for f in third.extra["tied"]] == ["fr"]
    # after the tie for third, the next figure is the fourth place, not the fifth
    fourth = operations.extreme(rows, "most", 4)
    assert fourth.rows[0].id == "cn" and len(fourth.extra["ahead"]) == 4
    runner_up = place_asked("the runner-up from the bottom")
    assert operations.extreme(rows, "least", runner_up).value == 6
    beyond = operations.extreme(rows, "most", place_asked("the tenth most common"))
    assert beyond.value is None and beyond.problem == "the report ranks only 4 figures"
    assert place_asked("What was the most common answer?") == 1


def test_bands_above_an_amount_are_found_only_where_they_split() -> None:
    table = [
        fact("a", 20, row="$50M to $100M"),
        fact("b", 24, row="$100M to $200M"),
        fact("c", 10, row="$200M or more"),
    ]
    assert [f.id for f in operations.bands_from(table, 100e6)] == ["b", "c"]
    assert operations.bands_from(table, 150e6) == []


def test_an_answer_option_the_table_lacks_is_told_apart_from_one_it_holds() -> None:
    from rag.answering.knowledge import absent_option, scale_points

    ratings = [fact("a", 49, row="Rated 4"), fact("b", 18, row="Rated 5")]
    bands = [
        fact("c", 20, row="$50M to $100M"),
        fact("d", 24, row="$100M to $200M"),
        fact("e", 10, row="$200M or more"),
    ]
    staff = [fact("f", 50, row="over 20,000 employees")]
    assert absent_option(scale_points("How many rated it a 3?"), ratings) is not None
    assert absent_option(scale_points("How many rated it a 4?"), ratings) is None
    assert absent_option(scale_points("Who lost under $50M?"), bands) is not None
    # a floor is the bands above it, a bound inside the bands is not an option asked for
    assert absent_option(scale_points("Who lost $100M or more?"), bands) is None
    assert absent_option(scale_points("Who lost under $150M?"), bands) is None
    # "20,000 or fewer" is the complement of the "over 20,000" row
    assert absent_option(scale_points("How many had 20,000 staff or fewer?"), staff) is None


def test_bands_inside_a_range_are_found_only_where_they_split() -> None:
    table = [
        fact("a", 20, row="$50M to $100M"),
        fact("b", 24, row="$100M to $200M"),
        fact("c", 10, row="$200M or more"),
    ]
    assert [f.id for f in operations.bands_within(table, 50e6, 200e6)] == ["a", "b"]
    assert operations.bands_within(table, 50e6, 150e6) == []


@pytest.mark.parametrize(
    "result",
    [
        operations.complement(fact("a", 41.2)),
        operations.total([fact("a", 24), fact("b", 10)]),
        operations.difference(fact("a", 67.2), fact("b", 34.2)),
        operations.ratio(fact("a", 58.8), fact("b", 41.2)),
        operations.share_of_share(fact("p", 18.2), fact("w", 67.2)),
        operations.ratio(fact("n", 3.5, unit="years"), fact("c", 5, unit="days")),
        operations.converted(fact("n", 3.5, unit="years"), "months"),
        operations.converted(fact("m", 90, unit="minutes"), "hours"),
    ],
)
def test_the_numeric_guard_accepts_every_working_the_operations_write(
    result: operations.Result,
) -> None:
    sources = [f"{f.value:g}{'%' if f.unit == '%' else ' ' + f.unit}" for f in result.rows]
    assert guard.check(f"It is {result.working}.", sources).ok


def test_a_row_is_chosen_that_agrees_with_the_question_in_polarity() -> None:
    from dataclasses import replace
    from types import SimpleNamespace
    from typing import Any

    from rag.answering.plan import _agreeing

    def found(fid: str, value: float, subject: str) -> Fact:
        said = "Of those who answered, 70% said no, 20% said yes and 10% preferred not to say."
        return replace(fact(fid, value), origin="text", subject=subject, text=said)

    no, yes, unsaid = found("a", 70, "said no"), found("b", 20, "said yes"), found("c", 10, "x")
    unsaid = replace(unsaid, subject="preferred not to say")
    table = [unsaid, yes, no]
    report = SimpleNamespace(tables={"t": table})
    knowledge: Any = SimpleNamespace(reports={"r": report})
    ranked: Any = [SimpleNamespace(item=f) for f in table]
    # a question that names no shortfall moves off a row that negates
    assert _agreeing("What share cycle to work?", unsaid, ranked, knowledge) is yes
    # one that names a shortfall moves to a row that states one
    assert _agreeing("What share could not cycle?", yes, ranked, knowledge) is unsaid
    assert _agreeing("What share cycle to work?", yes, ranked, knowledge) is yes


def test_one_item_of_a_list_sentence_is_stated_and_matched_as_its_row() -> None:
    from rag.answering.knowledge import own_words
    from rag.answering.writers import fact_sentence

    source = "Respondents live in: the United States (22%), Germany (14%) and France (6%)."
    germany = replace(
        fact("de", 14.0, row="Germany"),
        text=f"{source} (Survey, Community)", source=source, end=len(source), origin="text",
        subject="Germany",
    )  # fmt: skip
    france = replace(germany, id="fr", row="France", subject="France", value=6.0)
    assert fact_sentence(germany) == "Germany: 14%"
    # the other rows' labels are not this row's words; the rest of the sentence is
    words = own_words(germany, [germany, france]).lower()
    assert "france" not in words and "germany" in words and "live" in words
    # a row written away from its figure keeps the report's sentence
    source = "Uses half thought helpful: generating tests (49%), fixing bugs (47%), docs (46%)."
    tests = replace(germany, row="thought helpful", value=49.0, source=source)
    assert not fact_sentence(tests).startswith("Thought helpful:")
    # a hand-made table's row keeps its own sentence
    table_row = replace(germany, origin="table", text="14% of respondents live in Germany.")
    assert fact_sentence(table_row) == "14% of respondents live in Germany"
    # asked as a question (embedded at ingest), each row is asked by its own label
    from ingest.facts import question_form

    assert question_form(germany) == "What share of respondents: Germany? (Respondents live in)"
    assert "France" not in question_form(germany) and "Germany" not in question_form(france)


def test_a_question_naming_no_part_of_a_total_is_answered_by_the_total() -> None:
    from rag.answering.plan import _whole_asked

    top = fact("top", 67.2, row="Top priority")
    four = fact("four", 49.0, row="Rated 4")
    five = fact("five", 18.2, row="Rated 5")
    table = [top, four, five]

    assert _whole_asked("What share prioritised it this year?", four, table) is top
    assert _whole_asked("What share rated it a 4?", four, table) is four
    # rows that make up all respondents are no total of each other, nor is a list whose
    # figures add up by chance (2% + 3% = 5%)
    yes, no, unsure = fact("y", 50.0, row="Yes"), fact("n", 25.0, row="No"), fact("u", 25.0)
    assert _whole_asked("What share said no?", no, [yes, no, unsure]) is no
    countries = [fact(c, v) for c, v in (("us", 22), ("cn", 5), ("ca", 3), ("se", 2))]
    assert _whole_asked("What share live in Sweden?", countries[3], countries) is countries[3]


def test_a_share_of_the_sample_as_a_count_keeps_the_samples_bound_and_passes_the_guard() -> None:
    over = operations.count_of(fact("s", 58.8), fact("n", 1000, "companies", "over"))
    assert (over.value, over.unit, over.qualifier) == (588, "companies", "over")
    assert over.working == "58.8% × 1000 ÷ 100 = 588"
    sources = ["58.8% felt understaffed.", "We polled over 1000 businesses."]
    said = f"As a count: more than 588 companies ({over.working})."
    assert guard.check(said, sources).ok
    # of exactly 1,000 firms, "more than 588" would overstate what the working shows
    assert not guard.check(said, ["58.8% felt understaffed.", "We polled 1000 businesses."]).ok
    rounded = operations.count_of(fact("s", 41.2), fact("n", 4005, "respondents"))
    assert (rounded.value, rounded.qualifier) == (1650, "about")
    assert guard.check(f"About 1650 respondents ({rounded.working}).", ["41.2%", "4005"]).ok
    mixed = operations.count_of(
        fact("s", 20, qualifier="under"), fact("n", 1000, "companies", "over")
    )
    assert mixed.value is None  # a ceiling of a floor bounds nothing
    assert operations.count_of(fact("d", 5, "days"), fact("n", 1000, "companies")).value is None


@pytest.mark.parametrize(
    ("question", "unit"),
    [
        ("How many companies felt understaffed?", "companies"),
        ("in actual firms, how many is that?", "companies"),
        ("How many respondents use Go at work?", "respondents"),
        ("What share of companies felt understaffed?", None),  # a share is asked
        ("How many hours a week do they work?", None),
    ],
)
def test_a_count_of_people_or_firms_is_read_from_the_question(question: str, unit: str) -> None:
    assert count_asked(question) == unit


def test_a_ratio_is_asked_in_its_own_words() -> None:
    ranked = [("ratio", 0.6), ("figure", 0.3)]
    # a follow-up may take its second figure from the turns before, but "how many is that?"
    # asks how many, not how many of one for each of the other
    assert settle_intent(ranked, "in actual companies, how many is that?", True)[0] == "figure"
    assert settle_intent(ranked, "and for every one of those, how many said no?", True)[0] == (
        "ratio"
    )


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        (
            "Besides async closures, which other features do users covet?",
            ("async closures", "which other features do users covet?"),
        ),
        (
            "Apart from speed: what else do firms hope to gain?",
            ("speed", "what else do firms hope to gain?"),
        ),
        ("Was any company a partner besides the publisher?", None),  # sets nothing aside first
        ("Besides, what did they say?", None),
    ],
)
def test_what_a_question_sets_aside_is_split_from_what_it_asks(
    question: str, expected: object
) -> None:
    assert set_aside(question) == expected


def test_a_working_may_start_from_a_result_the_answer_works_out_after_it() -> None:
    summed = operations.total([fact("a", 24), fact("b", 10)])
    count = operations.count_of(summed, fact("n", 1000, "companies", "over"))
    assert count.rows == (fact("n", 1000, "companies", "over"),)  # the bands are the sum's
    said = (
        f"As a count: more than 340 companies ({count.working}). Together: 34% ({summed.working})."
    )
    sources = ["24% lost $100M to $200M.", "10% lost $200M or more.", "We polled over 1000 firms."]
    assert guard.check(said, sources).ok
    # a working from a figure no source states, nor any working computes, still fails
    assert not guard.check("As a count: 350 (35% × 1000 ÷ 100 = 350).", sources).ok


@pytest.mark.parametrize(
    ("question", "first"),
    [
        ("Why did compliance come out as the number one blocker to adoption?", "compliance"),
        ("Why is Python the most popular language?", "Python"),
        ("How come cost ranked first among concerns?", "cost"),
        ("Since VS Code was the top editor, what share used GoLand?", "VS Code"),
        ("Given that Git was the most commonly taught tool, how many learned R?", "Git"),
        ("Given that cost topped the list of concerns, what did firms do?", "cost"),
        # a superlative that claims no rank of a named thing
        ("What is the most common editor?", None),
        ("Why do most people use Linux?", None),
        ("why was the biggest loss so large?", None),
        ("Why is it the top priority?", None),
    ],
)
def test_a_question_may_claim_what_came_first(question: str, first: str | None) -> None:
    assert claimed_first(question) == first


@pytest.mark.parametrize(
    ("question", "asked"),
    [
        (
            "Why did most of the firms with losses lose $200M or more?",
            "What share of the firms with losses lose $200M or more?",
        ),
        ("How come most nurses are tired?", "What share of nurses are tired?"),
        ("Since most riders own a bike, how far do they ride?", "What share of riders own a bike?"),
        # a superlative is no claim that most did something
        ("Why is the most common answer Linux?", None),
        ("Why did most?", None),
    ],
)
def test_a_question_may_claim_that_most_did_something(question: str, asked: str | None) -> None:
    assert majority_claimed(question) == asked
