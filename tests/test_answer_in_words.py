"""What a report ranks in words, not in a table: the answer is its own sentence.

The index is real: a small Markdown report is ingested into a private data dir.
"""

from __future__ import annotations

import pytest

from rag.engine import Engine
from rag.settings import Settings
from rag.text.lexicon import asks_change

REPORT = """# Harbour Rowers Survey 2025

## Community

This was a new question this year, about where rowers talk to each other. The harbour
forum was the most frequently used by far, and has taken the place of the old mailing list.
About 50% of respondents read the club newsletter.

## Coaching

In addition to their captains, 43% of clubs said they have a paid coach, a similar 44% said
they did not.

## Training

The majority of respondents agree that rowing is both an important part of their week (68%)
and that their club explicitly supports indoor training on an ergometer (65%).

## Reasons

The most common reason for not rowing more often was that members simply lack the time.

<div class="bar-chart">
<span>[<a href="w.png">PNG</a>]</span>&nbsp;<span>[<a href="w.png">Wordcloud of answers</a>]</span>
</div>

Those who stopped rowing told us that they had moved away from the harbour.

## Boats

Most rowers train in a single scull. 38% also row in a coxed four at least once a month.

## Waiting lists

Clubs told us the waiting list for a new boat will last for several more years, since few
yards still build wooden sculls. We will repeat this question next year to see whether the
lists shrink.

## Complaints

The complaints about the boathouse changed since the last survey:

- Cold showers - from 41% to 29% (the new boiler helped)
- Parking - from 12% to 15%

## Clubs

Respondents rowed for these clubs: Harbour (22%), Bay (14%), North (6%), South (6%) and Quay
(5%).

## Participation

| Survey | Started | Completed | Completion rate |
|---|---:|---:|---:|
| 2024 | 1 210 | 950 | 78.5% |
| 2025 | 1 460 | 1 190 | 81.5% |

## Countries

The questionnaire was offered in four languages: English, German, Dutch and French.
Rowers were asked which country they live in. The top countries were, in order: United States
(31%), Germany (12%) and United Kingdom (9%). If you have ideas for the next survey, please let
us know!
"""


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    from ingest.pipeline import ingest

    root = tmp_path_factory.mktemp("words")
    report = root / "rowers-2025.md"
    report.write_text(REPORT, encoding="utf-8")
    settings = Settings(data_dir=root / "data")
    ingest(settings, [report])
    return Engine(settings)


@pytest.mark.model
def test_the_most_used_is_the_one_the_report_ranks_first_in_words(engine: Engine) -> None:
    # the one figure near the question (50% read the newsletter) ranks nothing
    answer = engine.answer("Which community forum did respondents use most often?")
    assert answer.grounded and "forum was the most frequently used" in answer.text, answer.text
    assert "50%" not in answer.text


@pytest.mark.parametrize(
    ("text", "first"),
    [
        ("The harbour forum was the most frequently used by far.", True),
        ("The top responses were learning the boat (15%) and the cold (13%).", True),
        # what was asked names no answer: the ranking stands in a sentence after it
        ("For years this survey has asked members about their biggest worry.", False),
        ("We asked which forum was the most popular.", False),
        # a turn of phrase ranks nothing the survey asked
        ("Worst of all, the size of those losses is staggering.", False),
    ],
)
def test_a_sentence_names_what_came_first_only_when_it_states_an_answer(
    text: str, first: bool
) -> None:
    from rag.answering.answerer import _ranks_first
    from rag.types import Sentence

    sentence = Sentence(report="r", section="Community", start=0, end=len(text), text=text)
    assert _ranks_first(sentence) is first


@pytest.mark.model
def test_a_country_asked_in_capitals_is_answered_with_its_figure(engine: Engine) -> None:
    # "the US" is the United States the report writes out, not the "us" of "let us know"
    answer = engine.answer("What share of respondents are from the US?")
    assert answer.grounded and "31%" in answer.text, answer.text


@pytest.mark.model
def test_a_figure_a_table_gives_for_each_edition_is_this_editions(engine: Engine) -> None:
    answer = engine.answer("What was the completion rate?")
    assert answer.grounded and "81.5%" in answer.text and "78.5%" not in answer.text, answer.text
    # a year asked is the year answered
    answer = engine.answer("What was the completion rate in 2024?")
    assert "78.5%" in answer.text, answer.text


@pytest.mark.model
def test_a_count_stated_in_words_is_given_not_called_missing(engine: Engine) -> None:
    answer = engine.answer("In how many languages was the questionnaire offered?")
    assert "four languages" in answer.text and "no figure" not in answer.text, answer.text


@pytest.mark.model
def test_two_rows_named_side_by_side_each_get_their_figure(engine: Engine) -> None:
    answer = engine.answer("What share of respondents rowed for Harbour vs Bay?")
    assert "22%" in answer.text and "14%" in answer.text, answer.text


def test_rows_of_one_figure_rank_nothing() -> None:
    from dataclasses import replace

    from rag.answering.answerer import _rankable
    from rag.types import Fact

    small = Fact("a", "r", "t", "", "< 100", 100.0, "employees", "under", "S", "", "", 0, 1)
    large = replace(small, id="b", row="> 100", qualifier="over")
    # "< 100 employees" and "> 100 employees" name two sizes; neither counts who chose it
    assert not _rankable([small, large])
    assert not _rankable([small])
    assert _rankable([small, replace(large, value=250.0)])


@pytest.mark.model
def test_the_rest_the_report_states_is_given_not_worked_out(engine: Engine) -> None:
    answer = engine.answer("What share of clubs have a paid coach, and what share don't?")
    # "a similar 44% said they did not": not 100% - 43% = 57%
    assert "44%" in answer.text and "57%" not in answer.text, answer.text


@pytest.mark.model
def test_two_figures_of_one_sentence_compared_quote_it_once(engine: Engine) -> None:
    answer = engine.answer(
        "Is rowing being an important part of the week more common than clubs supporting"
        " indoor training?"
    )
    assert "68%" in answer.text and "65%" in answer.text, answer.text
    assert answer.text.count("The majority of respondents agree") == 1, answer.text


@pytest.mark.model
def test_a_charts_download_links_are_never_quoted(engine: Engine) -> None:
    answer = engine.answer("Why don't members row more often?")
    assert "lack the time" in answer.text, answer.text
    assert "PNG" not in answer.text and "Wordcloud" not in answer.text, answer.text


@pytest.mark.model
def test_a_place_of_a_ranking_is_answered_with_what_ranks_before_it(engine: Engine) -> None:
    second = engine.answer("Which club had the second most rowers?").text
    assert second.startswith("The second most common answer was Bay: 14%")
    assert "Ranked before it: Harbour 22%" in second
    third = engine.answer("Which club had the third most respondents?").text
    assert third.startswith("North and South tie for third place at 6%")
    assert "Ranked before them: Harbour 22%" in third and "Bay 14%" in third


@pytest.mark.model
def test_how_long_is_answered_by_a_span_the_report_gives_in_words(engine: Engine) -> None:
    answer = engine.answer("How long will the waiting list for a new boat last?")
    assert answer.grounded and "several more years" in answer.text, answer.text
    assert not answer.text.startswith("The report does not say")


@pytest.mark.model
def test_a_figure_that_moved_is_this_years_with_the_sentence_on_how_it_moved(
    engine: Engine,
) -> None:
    now = engine.answer("What share complained about cold showers?")
    assert now.text.startswith("Cold showers: 29%"), now.text
    moved = engine.answer("How far did complaints about cold showers fall since last year?")
    assert "down 12 percentage points from 41%" in moved.text, moved.text
    assert "from 41% to 29%" in moved.text  # the sentence it is worked from, quoted
    # asked in a phrasal verb, casually: the same move
    casual = engine.answer("did cold shower complaints go down or nah")
    assert "down 12 percentage points from 41%" in casual.text, casual.text


@pytest.mark.parametrize(
    ("question", "asks"),
    [
        ("Did complaints go down?", True),
        ("membership went up or not?", True),
        ("do people moan about it as much as before?", True),
        ("How far did it fall?", True),
        ("Where do people go up the hill?", False),
        ("What share complained?", False),
    ],
)
def test_a_move_is_asked_in_a_verb_or_a_phrase(question: str, asks: bool) -> None:
    assert asks_change(question) is asks


@pytest.mark.parametrize(
    ("question", "other"),
    [
        ("What share came from firms of 11 to 100 people?", True),  # a band below 1000+
        ("What share had more than 5,000 people?", True),  # another cut-off
        ("What share came from firms of 1000+ people?", False),  # the band the figure counts
        ("What share of firms were founded in 2015?", False),  # a year is no band
    ],
)
def test_a_figure_counting_one_band_of_a_measure_does_not_answer_another(
    question: str, other: bool
) -> None:
    from rag.answering.answerer import _other_bound
    from rag.types import Fact

    big = Fact(
        "f",
        "r",
        "t",
        "",
        "",
        17.0,
        "%",
        "exact",
        "S",
        "",
        "",
        0,
        1,
        "text",
        "firms of 1000+ people",
    )
    assert (_other_bound(question, big) is not None) is other


@pytest.mark.parametrize(
    ("sentence", "other"),
    [
        ("A full 17% of responses were from companies of 1000+ people.", True),
        # the band asked stands beside another: the sentence answers it
        ("12% were from firms of 11 to 100 people and 17% from firms of 1000+ people.", False),
        ("17% of responses came from Europe.", False),  # no band of the measure at all
    ],
)
def test_a_sentence_quoted_for_one_band_does_not_answer_another(sentence: str, other: bool) -> None:
    from rag.answering.answerer import _bound_apart

    asked = "What share came from firms of 11 to 100 people?"
    assert (_bound_apart(asked, sentence) is not None) is other


@pytest.mark.model
def test_a_question_that_puts_the_wrong_row_first_is_corrected(engine: Engine) -> None:
    answer = engine.answer("Why is Bay the most popular club?")
    assert "does not rank Bay first" in answer.text, answer.text
    assert "22%" in answer.text and "14%" in answer.text, answer.text
    # the row the report does rank first is no wrong claim: it is answered as asked
    answer = engine.answer("Why is Harbour the most popular club?")
    assert "does not rank" not in answer.text, answer.text


@pytest.mark.model
@pytest.mark.parametrize(
    "question",
    ["Why did complaints about cold showers go up?", "Did cold showers complaints rise?"],
)
def test_a_question_that_says_a_figure_moved_the_wrong_way_is_told_so(
    engine: Engine, question: str
) -> None:
    answer = engine.answer(question)
    assert "not up" in answer.text and "29%" in answer.text, answer.text


@pytest.mark.model
def test_the_reports_own_year_picks_no_row(engine: Engine) -> None:
    # "2025" is this survey's year: it names no row of "Started (2024)" / "Started (2025)"
    answer = engine.answer("Which boat class was new in 2025?")
    assert "1,460" not in answer.text and not answer.grounded, answer.text
    # an earlier year still picks its row
    answer = engine.answer("How many rowers started the 2024 survey?")
    assert "1,210" in answer.text, answer.text


@pytest.mark.model
def test_a_question_that_says_most_did_what_under_half_did_is_corrected(engine: Engine) -> None:
    answer = engine.answer("Why do most rowers row in a coxed four every month?")
    assert "does not say most" in answer.text and "38%" in answer.text, answer.text
    # where most did, the claim stands and the question is answered
    answer = engine.answer(
        "Why do most respondents agree rowing is an important part of their week?"
    )
    assert "does not say most" not in answer.text and "68%" in answer.text, answer.text


@pytest.mark.model
def test_the_next_steps_are_the_authors_own_plans(engine: Engine) -> None:
    answer = engine.answer("What are the next steps?")
    assert "will do next" in answer.text and "We will repeat this question" in answer.text
    # a share of respondents' plans is a figure question, not the authors' next steps
    answer = engine.answer("What share of rowers plan to row more next year?")
    assert "will do next" not in answer.text, answer.text


@pytest.mark.model
def test_a_part_that_leans_on_the_part_before_is_read_beside_its_sentence(engine: Engine) -> None:
    from rag.answering.plan import Context, read_parts

    knowledge = engine._load().answerer.knowledge
    reports = list(knowledge.reports)
    leaning = read_parts(
        "Which forum was used most, and why is that?", knowledge, reports, Context()
    )
    assert len(leaning) == 2 and leaning[1].leans and leaning[1].follows
    # a part with words of its own is read on them, not beside the part before
    own = read_parts(
        "Which forum was used most, and what share have a paid coach?",
        knowledge,
        reports,
        Context(),
    )
    assert len(own) == 2 and not own[1].follows
