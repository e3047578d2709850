"""The one sentence splitter (rag.text.sentences): pure functions, no model, no store."""

from __future__ import annotations

import pytest

from ingest.corpus import load_report
from ingest.sections import load_sections
from rag.text.sentences import own_clause, report_sentences, signposts, split_sentences
from rag.types import Section
from tests.conftest import BUNDLED_REPORT


def sentences(text: str) -> list[str]:
    return [text[s:e] for s, e in split_sentences(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "It is an understatement. It rocketed to 100M users.",
            ["It is an understatement.", "It rocketed to 100M users."],
        ),
        (
            "It took 3.5 years to hit 1M users.Regular people use it.",
            ["It took 3.5 years to hit 1M users.", "Regular people use it."],
        ),
        (
            "Are they too unpredictable?Are companies struggling?Or both!",
            ["Are they too unpredictable?", "Are companies struggling?", "Or both!"],
        ),
        (
            "Models like GPT 3.5/4 and e.g. Claude are popular in the U.S. market today.",
            ["Models like GPT 3.5/4 and e.g. Claude are popular in the U.S. market today."],
        ),
        (
            "Dr. Smith disagreed. Visit clear.ml for more.",
            ["Dr. Smith disagreed.", "Visit clear.ml for more."],
        ),
        (
            "They said “no way.”“Really?” we asked.",
            ["They said “no way.”", "“Really?” we asked."],
        ),
        (
            'He said "stop." Then he left.',
            ['He said "stop."', "Then he left."],
        ),
        (
            "A heading\n\nThe body starts here. It ends here",
            ["A heading", "The body starts here.", "It ends here"],
        ),
        (
            "A flurry of open source\nwork is making this accessible.",
            ["A flurry of open source\nwork is making this accessible."],
        ),
        (
            "It ended.Then it began. Version 3.5 is out\nwith more.",
            ["It ended.", "Then it began.", "Version 3.5 is out\nwith more."],
        ),
        (
            "The losses are staggering. 20% lost $50M or more.",
            ["The losses are staggering.", "20% lost $50M or more."],
        ),
        (
            "Shares can exceed 100%. 87% of respondents use it. $5M. 3.5 years on, GPT 3.5 won.",
            [
                "Shares can exceed 100%.",
                "87% of respondents use it.",
                "$5M.",
                "3.5 years on, GPT 3.5 won.",
            ],
        ),
        (
            "It rose by e.g. 20% and by approx. 5 points.",
            ["It rose by e.g. 20% and by approx. 5 points."],
        ),
        (
            "Where do you deploy:\n- Linux (96%)\n- macOS (46%)\n  * nested (3%)\n"
            "1. Windows: 22%\n2) other",
            [
                "Where do you deploy:",
                "Linux (96%)",
                "macOS (46%)",
                "nested (3%)",
                "Windows: 22%",
                "other",
            ],
        ),
        (
            "Most teams said\nthey deploy weekly. Some\nDaily Users said more.",
            ["Most teams said\nthey deploy weekly.", "Some\nDaily Users said more."],
        ),
        (
            "Some lost $100M. Others gained.",
            ["Some lost $100M.", "Others gained."],
        ),
        (
            "right now?\nTurns out, 67.2% saw it as a priority.",
            ["right now?", "Turns out, 67.2% saw it as a priority."],
        ),
        (
            "## Who answered\nWe asked 250 managers.",
            ["## Who answered", "We asked 250 managers."],
        ),
        (
            "It ended.\n## Next\nThe body.",
            ["It ended.", "## Next", "The body."],
        ),
        (
            "Key Findings\nMost firms use LLMs.",
            ["Key Findings", "Most firms use LLMs."],
        ),
        (
            "We polled firms in the\nUS and Canada.",
            ["We polled firms in the\nUS and Canada."],
        ),
    ],
)
def test_split_sentences_handles_glued_and_tricky_sentences(text: str, expected: list[str]) -> None:
    assert sentences(text) == expected


def test_split_sentences_within_a_range_returns_offsets_into_the_whole_text() -> None:
    text = "Skip me. Take this one. And this one.Not me."
    start = text.index("Take")
    end = text.index("Not")
    spans = split_sentences(text, start, end)
    assert [text[s:e] for s, e in spans] == ["Take this one.", "And this one."]


def test_report_sentences_stay_inside_their_sections() -> None:
    text = "Intro one. Intro two.DemographyTo start with, we asked 500 firms.\n\nexample.org"
    heading = text.index("Demography")
    body = text.index("To start")
    sections = [Section("Intro", 0, heading), Section("Demography", body, text.index("\n"))]
    found = report_sentences("r", text, sections)
    assert [(s.section, s.text) for s in found] == [
        ("Intro", "Intro one."),
        ("Intro", "Intro two."),
        ("Demography", "To start with, we asked 500 firms."),
    ]
    for s in found:
        assert text[s.start : s.end] == s.text and s.report == "r"


def test_a_heading_glued_inside_its_own_section_is_cut_off() -> None:
    text = "We polled 500 firms.BlockersThe biggest blockers are cost and talent."
    cut = text.index("Blockers")
    sections = [Section("Intro", 0, cut), Section("Questions › Blockers", cut, len(text))]
    found = report_sentences("r", text, sections)
    assert [s.text for s in found] == [
        "We polled 500 firms.",
        "The biggest blockers are cost and talent.",
    ]
    assert found[1].start == text.index("The biggest")


def test_markdown_headings_are_not_sentences() -> None:
    text = "# Survey\n\n## Who answered\nWe asked 250 managers.Most run teams."
    assert [s.text for s in report_sentences("r", text, [])] == [
        "We asked 250 managers.",
        "Most run teams.",
    ]


def test_bundled_report_sentences_are_exact_and_never_cross_a_section() -> None:
    info, text = load_report(BUNDLED_REPORT)
    sections = load_sections(info, text, BUNDLED_REPORT)
    found = report_sentences(info.id, text, sections)
    assert len(found) > 150
    titles = {s.title: s for s in sections}
    for s in found:
        assert text[s.start : s.end] == s.text
        owner = titles[s.section]
        assert owner.start <= s.start and s.end <= owner.end, s.text[:60]
    texts = [s.text for s in found]
    assert not any(t.startswith(("Demography", "Questions", "The Big Finish")) for t in texts)
    assert any(t.startswith("To start with") for t in texts)
    rocketed = "It rocketed to over 100M users in just three months between February 2023 to"
    assert f"{rocketed} April 2023." in texts


@pytest.mark.parametrize(
    ("text", "announces"),
    [
        ("To start with, let's understand who we talked with.", True),
        ("Now let us turn to the results.", True),
        ("Let’s take a closer look at the respondents.", True),
        ("Let's be clear: most teams lack a plan.", False),
        ("Managers let their teams choose the tools they use.", False),
    ],
)
def test_a_signpost_is_a_sentence_that_announces_what_comes_next(
    text: str, announces: bool
) -> None:
    assert signposts(text) is announces


@pytest.mark.parametrize(
    ("sentence", "figure", "clause"),
    [
        ("While Go stays popular, Rust rose to 22% usage.", "22%", " Rust rose to 22% usage."),
        ("Most came from banks, but no sector was over 8% of the total.", "8%", ", but no sector"),
        # the figure's clause points back at what the other names: one subject, no contrast
        ("Although the app leads, its share fell by 5pp this year.", "5pp", None),
        ("Founded in 2015, the club now has 2,500 members.", "2,500", None),
    ],
)
def test_a_figure_in_a_clause_set_against_another_has_that_clause_as_its_own(
    sentence: str, figure: str, clause: str | None
) -> None:
    found = own_clause(sentence, sentence.index(figure))
    if clause is None:
        assert found is None
    else:
        assert found is not None and found.startswith(clause)
