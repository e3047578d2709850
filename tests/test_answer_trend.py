"""Questions about change over time: a survey run every year often says how a figure moved.

Where the report sets a figure against an earlier time, that sentence answers; where it
states only this year's figure, the question is refused as one the report cannot answer.
The index is real: a small Markdown report is ingested into a private data dir.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from rag.answering.plan import states_change
from rag.cli import main

REPORT = """---
title: "Harbour Cyclists Survey 2025"
date: 2025-06-01
---

# Harbour Cyclists Survey 2025

## Commuting

This year 48% of respondents cycled to work at least three days a week, up from 41%
last year. Most of them ride less than ten kilometres each way.

## Safety

Only 23% of respondents said the harbour bridge felt safe to ride at night. Lighting
was the change they asked for most often.

## Bikes

Electric bikes made up 31% of the bikes our respondents ride.

## Ferries

Last year, 19% of respondents said they took the harbour ferry with their bike. This year,
that number is up to 26%.

## Helmets

62% of riders now wear a helmet every day, an increase of 5pp from 2024.

## Routes

Most riders commute along the Harbour Loop, and 57% take the Nordhavn tunnel at least once
a week, though some cross the Kalvebod bridge instead.

## Learning

Most respondents learned to ride in a park (n = 362), on a quiet street (n = 289), or at a
cycling school (n = 274).

## Clubs

Riders named the club they ride with. In all, this analysis includes 480 observations.

| Club | n |
|---|---|
| Harbour Wheels | 166 |
| Ring Road Riders | 95 |

## Demographics

Same as every year, we asked our respondents in which country they live. Denmark led with
41%, ahead of Sweden (20%) and Norway (9%).

## Riders

Our riders live in twelve countries, but over 40% of them came from Denmark and the
Netherlands.

## Locks

While Kryptonite locks are still the most common, folding locks are now used on 34% of the bikes.

## Wishes

The three things riders wanted from the city council were:

1. Wider lanes on the ring road.
2. Secure parking at the stations.
3. Fewer potholes in the old town.
"""


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    import os

    root = tmp_path_factory.mktemp("trend")
    (root / "cyclists-2025.md").write_text(REPORT, encoding="utf-8")
    data = root / "data"
    old = os.environ.get("SURVEY_RAG_DATA_DIR")
    os.environ["SURVEY_RAG_DATA_DIR"] = str(data)
    try:
        assert main(["ingest", "--quiet", str(root / "cyclists-2025.md")]) == 0
    finally:
        if old is None:
            os.environ.pop("SURVEY_RAG_DATA_DIR", None)
        else:
            os.environ["SURVEY_RAG_DATA_DIR"] = old
    yield data


def _ask(question: str, data: Path, capsys: pytest.CaptureFixture[str]) -> dict[str, object]:
    assert main(["ask", "--json", question]) == 0
    return json.loads(capsys.readouterr().out)


@pytest.mark.model
def test_a_change_the_report_states_is_answered_with_both_figures(
    data_dir: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SURVEY_RAG_DATA_DIR", str(data_dir))
    answer = _ask("Has cycling to work gone up since last year?", data_dir, capsys)
    text = str(answer["text"])
    assert answer["grounded"] is True
    assert "48%" in text and "41%" in text and "[1]" in text
    assert "does not say" not in text


@pytest.mark.model
def test_this_years_figure_answers_before_last_years(
    data_dir: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # "Last year, 19% ... This year, that number is up to 26%": 26% is this survey's share
    monkeypatch.setenv("SURVEY_RAG_DATA_DIR", str(data_dir))
    answer = _ask("What share take the harbour ferry with their bike?", data_dir, capsys)
    assert answer["grounded"] is True and "26%" in str(answer["text"]), answer["text"]
    old = _ask("What share took the ferry with their bike in the 2019 survey?", data_dir, capsys)
    # the report's "last year" is 2024: of 2019 it says nothing, and 19% is no figure of 2025
    assert old["grounded"] is False and "19%" not in str(old["text"]), old["text"]


@pytest.mark.model
def test_a_change_told_over_two_sentences_is_quoted_whole(
    data_dir: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SURVEY_RAG_DATA_DIR", str(data_dir))
    # "Last year, 19% ... This year, that number is up to 26%": the change is both sentences
    answer = _ask("How has taking bikes on the ferry changed since last year?", data_dir, capsys)
    assert "19%" in str(answer["text"]) and "26%" in str(answer["text"]), answer["text"]


@pytest.mark.model
def test_a_change_the_report_does_not_state_is_refused(
    data_dir: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SURVEY_RAG_DATA_DIR", str(data_dir))
    answer = _ask("Has the share riding electric bikes grown since last year?", data_dir, capsys)
    assert answer["grounded"] is False
    assert "changed over time" in str(answer["text"])


@pytest.mark.model
def test_a_followup_about_change_asks_about_the_figure_just_given(
    data_dir: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from rag.engine import Engine
    from rag.settings import Settings

    history = [
        {"role": "user", "content": "How many cycle to work most days?"},
        {"role": "assistant", "content": "48% ... [1]."},
    ]
    answer = Engine(Settings(data_dir=data_dir)).answer("is that up on last year?", history)
    assert "48%" in answer.text and "41%" in answer.text and answer.grounded


@pytest.mark.parametrize(
    ("sentence", "year", "expected"),
    [
        ("We saw 38% vs 34% from last year.", 2024, True),
        ("As in previous years, most respondents work in technology.", 2023, True),
        ("53% did so daily, an increase of 4pp on 2023.", 2024, True),
        ("Usage reached 61% in 2025, against 52% in 2023.", 2025, True),
        ("When we started the alliance in 2021, the topic was niche.", 2023, False),
        ("58% felt they were understaffed.", 2023, False),
        ("In 2024, 40% of respondents used it daily.", 2024, False),
        # a figure that moved, in points or from an earlier year
        ("Its share has dropped by 5pp this year.", 2024, True),
        ("Concern about funding has fallen by about 6 percentage points from 2023.", 2024, True),
        ("Daily use rose from 2023, when the survey first asked.", 2024, True),
        ("Half of the riders dropped out before the finish.", 2024, False),
        # a figure that moved "from A to B", both in one unit; a range is no change
        ("Docs - from 25% to 22% (the new web site may have helped)", 2016, True),
        ("boot made advances this year, moving from 13% usage to 22% usage.", 2016, True),
        ("Answers ranged from 10% to 20% across the regions.", 2016, False),
        ("Team sizes were from 15 to 23 people.", 2016, False),
    ],
)
def test_which_sentences_set_a_figure_against_an_earlier_time(
    sentence: str, year: int, expected: bool
) -> None:
    assert states_change(sentence, year) is expected


@pytest.mark.model
def test_a_figure_counted_with_another_name_is_not_given_as_the_one_asked(
    data_dir: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SURVEY_RAG_DATA_DIR", str(data_dir))
    answer = _ask("What share of riders came from Denmark?", data_dir, capsys)
    text = str(answer["text"])
    assert answer["grounded"] is False
    assert "Denmark alone" in text and "Netherlands" in text


@pytest.mark.model
def test_a_sentence_that_opens_a_list_is_answered_with_the_list(
    data_dir: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SURVEY_RAG_DATA_DIR", str(data_dir))
    answer = _ask("What did riders want from the city council?", data_dir, capsys)
    text = str(answer["text"])
    assert answer["grounded"] is True
    for item in ("Wider lanes", "Secure parking", "Fewer potholes"):
        assert f"- {item}" in text


@pytest.mark.model
def test_a_followup_asking_how_much_a_figure_grew_gets_the_change_the_report_states(
    data_dir: Path,
) -> None:
    from rag.engine import Engine
    from rag.settings import Settings

    history = [
        {"role": "user", "content": "How many riders wear a helmet every day?"},
        {"role": "assistant", "content": "62% of riders now wear a helmet every day [1]."},
    ]
    answer = Engine(Settings(data_dir=data_dir)).answer("By how many points did it grow?", history)
    assert "5pp" in answer.text and answer.grounded
    assert "difference" not in answer.text.lower()  # not a gap between two other figures


@pytest.mark.model
def test_a_figure_that_counts_another_name_is_not_given_for_the_name_asked(
    data_dir: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SURVEY_RAG_DATA_DIR", str(data_dir))
    other = _ask("What share of riders cross the Kalvebod bridge?", data_dir, capsys)
    # the sentence may be quoted for what it says of the bridge, but not its figure as the answer
    assert other["grounded"] is False and "gives no figure" in str(other["text"])
    own = _ask("What share of riders take the Nordhavn tunnel?", data_dir, capsys)
    assert own["grounded"] is True and "57%" in str(own["text"])


@pytest.mark.model
def test_a_figure_of_a_clause_set_against_the_name_asked_is_not_its_figure(
    data_dir: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SURVEY_RAG_DATA_DIR", str(data_dir))
    # "While Kryptonite locks are still the most common, folding locks are now used on 34%"
    other = _ask("What share of bikes use Kryptonite locks?", data_dir, capsys)
    assert other["grounded"] is False and "34%" not in str(other["text"]).split("says")[0]
    own = _ask("What share of bikes have a folding lock?", data_dir, capsys)
    assert own["grounded"] is True and "34%" in str(own["text"])


@pytest.mark.model
def test_a_count_written_as_a_sample_size_answers_how_many(
    data_dir: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # "(n = 274)" counts the respondents of the item before it, though it reads like the sample
    monkeypatch.setenv("SURVEY_RAG_DATA_DIR", str(data_dir))
    answer = _ask("How many respondents learned to ride at a cycling school?", data_dir, capsys)
    assert answer["grounded"] is True and "274" in str(answer["text"])


@pytest.mark.model
def test_how_many_took_part_is_never_one_row_of_a_breakdown(
    data_dir: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SURVEY_RAG_DATA_DIR", str(data_dir))
    text = str(_ask("How many people responded to the survey?", data_dir, capsys)["text"])
    # rows of the club table and of the list of where riders learned count parts of it
    assert "480" in text and not any(n in text for n in ("166", "95", "362", "289"))
    club = str(_ask("How many respondents ride with Harbour Wheels?", data_dir, capsys)["text"])
    assert "166" in club


@pytest.mark.model
def test_a_statement_that_reports_a_question_asked_comes_with_its_answer(
    data_dir: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SURVEY_RAG_DATA_DIR", str(data_dir))
    text = str(_ask("Which countries were the respondents from?", data_dir, capsys)["text"])
    # "we asked in which country they live" says nothing without the sentence after it
    assert "in which country they live" in text and "Denmark led with 41%" in text
