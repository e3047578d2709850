"""Overviews written from a report's own summary, where it has one."""

from __future__ import annotations

import re

import pytest

from rag.answering.knowledge import ReportKnowledge
from rag.answering.overview import (
    MAX_BULLETS,
    bullets_asked,
    conclusion,
    overview,
    recommendation,
    section_at,
    summary_section,
)
from rag.answering.sources import Sources
from rag.text.lexicon import EMPHASIS_ASKED, EMPHASIS_KINDS, OVERVIEW_CUES, denied
from rag.text.tokens import tokenize
from rag.types import ReportInfo, Section, Sentence

# A report as hard-wrapped Markdown: a "tl;dr" list of three items, then a results section.
TEXT = """## tl;dr

1. Most teams moved their builds to the new runners;
   build times fell for nearly everyone. Queue times did not change.
1. Three out of four teams now cache their dependencies.
1. Satisfaction stays high, with 88% of respondents
   happy with the tooling.

## Results

Only 12% of respondents said the old runners were faster for them.
"""


def _report() -> ReportKnowledge:
    def sentence(text: str, section: str) -> Sentence:
        start = TEXT.index(text)
        return Sentence("ci", section, start, start + len(text), text)

    texts = [
        ("Most teams moved their builds to the new runners;\n   build times fell for nearly "
         "everyone.", "tl;dr"),
        ("Queue times did not change.", "tl;dr"),
        ("Three out of four teams now cache their dependencies.", "tl;dr"),
        ("Satisfaction stays high, with 88% of respondents\n   happy with the tooling.", "tl;dr"),
        ("Only 12% of respondents said the old runners were faster for them.", "Results"),
    ]  # fmt: skip
    sentences = [sentence(t, s) for t, s in texts]
    info = ReportInfo("ci", "CI Survey", "CI Team", 2024, "", ("tl;dr", "Results"), TEXT)
    middle = TEXT.index("## Results")
    sections = [Section("tl;dr", 0, middle), Section("Results", middle, len(TEXT))]
    return ReportKnowledge(info, sections, [], None, None, sentences, None)


def test_a_report_with_its_own_summary_is_summarised_in_its_words() -> None:
    report = _report()
    sources = Sources()

    text = overview(report, sources)

    assert summary_section(report) == "tl;dr"
    bullets = [line for line in text.splitlines() if line.startswith("- ")]
    # one bullet per list item, the item's sentence with a figure first, line breaks evened
    assert len(bullets) == 3
    assert "Queue times" not in text and "old runners" not in text
    assert "“Satisfaction stays high, with 88% of respondents happy with the tooling.”" in text
    assert all("[" in b for b in bullets)


def test_a_report_without_a_summary_heading_has_none() -> None:
    report = _report()
    renamed = [Section("Findings", s.start, s.end) for s in report.sections]
    assert summary_section(ReportKnowledge(report.info, renamed, [], None, None, [], None)) is None


def test_a_sections_digest_states_one_figure_a_sentence_of_the_prose() -> None:
    from rag.answering.overview import section
    from rag.types import Fact

    base = _report()
    listed = "Respondents live in: the US (22%), Germany (14%) and France (6%)."
    own = "Only 12% of respondents said the old runners were faster for them."

    def fact(fid: str, value: float, source: str, row: str = "") -> Fact:
        return Fact(fid, "ci", "t", "", row, value, "%", "exact", "Results", source, source, 0,
                    len(source), "text", row)  # fmt: skip

    facts = [fact("us", 22, listed, "US"), fact("de", 14, listed, "Germany"), fact("fr", 6, listed),
             fact("old", 12, own)]  # fmt: skip
    report = ReportKnowledge(base.info, base.sections, facts, None, None, base.sentences, None)

    text = section(report, "Results", Sources())

    bullets = [line for line in text.splitlines() if line.startswith("- ")]
    assert sum("22%" in b or "14%" in b or "6%" in b for b in bullets) == 1  # the list is one point
    assert any("12%" in b for b in bullets)


def test_a_sentence_holding_several_rows_of_a_hand_table_is_quoted_once_whole() -> None:
    from rag.answering.overview import section
    from rag.types import Fact

    base = _report()
    both = "Builds took 4 minutes at the median, and 9 minutes at the 90th percentile."

    def row(fid: str, value: float, label: str) -> Fact:
        return Fact(fid, "ci", "build_times", "Build times", label, value, "minutes", "exact",
                    "Results", f"{label}: {value:g} minutes (CI Survey, Results)", both, 0,
                    len(both), "table", label)  # fmt: skip

    facts = [row("median", 4, "Median build"), row("p90", 9, "90th percentile build")]
    report = ReportKnowledge(base.info, base.sections, facts, None, None, base.sentences, None)

    text = section(report, "Results", Sources())

    bullets = [line for line in text.splitlines() if line.startswith("- ")]
    said = [b for b in bullets if "4 minutes" in b or "9 minutes" in b]
    assert len(said) == 1 and both in said[0]


def test_a_sections_digest_opens_with_a_statement_and_quotes_three_more_besides_its_figures() -> (
    None
):
    from rag.answering.overview import section
    from rag.types import Fact

    texts = [
        "To begin, let's look at who answered the survey this year.",
        "We mostly heard from hospital nurses working night shifts in large cities.",
        "About 40% of them had worked in the profession for over ten years.",
        "Most respondents worked in public hospitals rather than private clinics.",
        "A few respondents came from rural clinics but not enough to report apart.",
        "Agency staff were left out because their rotas were not comparable.",
    ]
    text = "## Who answered\n\n" + " ".join(texts) + "\n"
    sentences = [Sentence("n", "Who answered", text.index(t), text.index(t) + len(t), t)
                 for t in texts]  # fmt: skip
    info = ReportInfo("n", "Nurses", "Union", 2024, "", ("Who answered",), text)
    cited = sentences[2]
    fact = Fact("long", "n", "t", "", "", 40, "%", "exact", "Who answered", cited.text,
                cited.text, cited.start, cited.end, "text", "")  # fmt: skip
    # the digest ranks the figure's sentence first: it is quoted once, as the figure
    order = [2, 4, 3, 5]
    digest = {"sections": {"Who answered": [[sentences[i].start, sentences[i].end] for i in order]}}
    report = ReportKnowledge(info, [Section("Who answered", 0, len(text))], [fact], None, None,
                             sentences, None, digest)  # fmt: skip

    answer = section(report, "Who answered", Sources())

    bullets = [line for line in answer.splitlines() if line.startswith("- ")]
    assert "let's look" not in answer  # a signpost states nothing
    assert "night shifts" in bullets[1]  # the first sentence that states something leads
    assert sum("40%" in b for b in bullets) == 1
    # the figure's sentence takes no place among the three central ones
    assert all(any(t[:30] in b for b in bullets) for t in texts[3:])


def test_the_conclusion_comes_from_the_last_section_of_findings_not_the_back_matter() -> None:
    text = (
        "## Results\n\nTeams that cached dependencies saw their builds finish sooner.\n\n"
        "## Acknowledgements\n\nWe thank everyone who took the time to answer the survey.\n\n"
        "## Learn more\n\nVisit the project website to find more resources and events.\n"
    )
    titles = ("Results", "Acknowledgements", "Learn more")
    starts = [text.index(f"## {t}") for t in titles]
    sections = [
        Section(t, a, b) for t, a, b in zip(titles, starts, [*starts[1:], len(text)], strict=True)
    ]
    sentences = []
    for title, line in zip(titles, text.split("## ")[1:], strict=True):
        body = line.split("\n\n", 1)[1].strip()
        start = text.index(body)
        sentences.append(Sentence("ci", title, start, start + len(body), body))
    info = ReportInfo("ci", "CI Survey", "CI Team", 2024, "", titles, text)
    report = ReportKnowledge(info, sections, [], None, None, sentences, None)

    closing = conclusion(report, Sources())

    assert closing.startswith("The report closes (Results) with:")
    assert "cached dependencies" in closing and "website" not in closing


@pytest.mark.parametrize(
    ("text", "is_denied"),
    [
        ("Perhaps unsurprisingly, slow builds topped the list again.", True),
        ("This high number is not surprising, since we survey existing users.", True),
        ("That is a very unexpected result.", False),
        ("The most surprising jump was in the use of cloud tools.", False),
    ],
)
def test_a_finding_the_report_calls_unsurprising_is_not_a_surprise(
    text: str, is_denied: bool
) -> None:
    assert denied(text, EMPHASIS_KINDS["surprise"]) is is_denied


def test_the_first_section_asked_is_the_first_that_says_something() -> None:
    text = (
        "# Tooling Survey 2024\n\n"
        "## Introduction\n\nWe asked the teams which build tools they use and how often.\n"
    )
    at = text.index("## Introduction")
    sections = [Section("Tooling Survey 2024", 0, at), Section("Introduction", at, len(text))]
    body = "We asked the teams which build tools they use and how often."
    start = text.index(body)
    sentences = [Sentence("t", "Introduction", start, start + len(body), body)]
    info = ReportInfo("t", "Tooling Survey", "Tools Team", 2024, "", (), text)
    report = ReportKnowledge(info, sections, [], None, None, sentences, None)

    assert section_at(report, "What does the first section cover?") == "Introduction"


def test_an_overview_gives_the_number_of_bullets_asked_and_cites_only_those() -> None:
    report = _report()
    sources = Sources()

    text = overview(report, sources, bullets_asked("Give me the two key takeaways"))

    bullets = [line for line in text.splitlines() if line.startswith("- ")]
    assert len(bullets) == 2
    shown = {int(n) for n in re.findall(r"\[(\d+)\]", text)}
    assert shown == {c.id for c in sources.citations()}


@pytest.mark.parametrize(
    ("question", "bullets"),
    [
        ("What are the three most important takeaways?", 3),
        ("Give me 5 bullet points for a slide", 5),
        ("Summarise the 2023 survey", MAX_BULLETS),
        ("What are the key findings?", MAX_BULLETS),
        ("Summarize the report in one sentence.", 1),
        ("Give me four insights", 4),
    ],
)
def test_bullets_asked(question: str, bullets: int) -> None:
    assert bullets_asked(question) == bullets


def _sectioned(text: str, titles: tuple[str, ...]) -> ReportKnowledge:
    """A report of '## ' sections, each body's sentences one per '. '."""
    starts = [text.index(f"## {t}") for t in titles]
    ends = [*starts[1:], len(text)]
    sections = [Section(t, a, b) for t, a, b in zip(titles, starts, ends, strict=True)]
    sentences = []
    for title, start, end in zip(titles, starts, ends, strict=True):
        body = text[start:end].split("\n\n", 1)[1]
        for said in re.findall(r"[^.\n][^.]*\.", body):
            said = said.strip()
            at = text.index(said, start)
            sentences.append(Sentence("ci", title, at, at + len(said), said))
    info = ReportInfo("ci", "CI Survey", "CI Team", 2024, "", titles, text)
    return ReportKnowledge(info, sections, [], None, None, sentences, None)


def test_a_summary_told_in_one_paragraph_concludes_and_summarises_the_report() -> None:
    # the summary closes the themes; detailed results and a pointer to the data follow it
    text = (
        "## Themes\n\nTeams that cached dependencies saw their builds finish sooner.\n\n"
        "## Summary\n\nThe new runners are now the norm across teams. Caching is the next "
        "step for most of them. We are encouraged by how quickly teams moved.\n\n"
        "## Detailed results\n\nMost teams run their builds on every commit.\n\n"
        "## The data\n\nYou can download the complete set of answers from our website.\n"
    )
    report = _sectioned(text, ("Themes", "Summary", "Detailed results", "The data"))

    closing = conclusion(report, Sources())
    summary = overview(report, Sources())

    assert closing.startswith("The report closes (Summary) with:"), closing
    assert "download" not in closing and "every commit" not in closing
    bullets = [line for line in summary.splitlines() if line.startswith("- ")]
    assert len(bullets) == 3 and "Caching is the next step" in bullets[1], summary


def test_a_risk_asked_about_is_what_the_report_calls_worrying() -> None:
    # a reader asks for risks and threats; a report stresses them as worrying or alarming
    asked = set(tokenize("What is the scariest risk?", keep_stopwords=True))
    kinds = [kind for kind, words in EMPHASIS_ASKED.items() if asked & words]
    assert kinds == ["worry"] and not asked & EMPHASIS_KINDS["worry"]
    assert set(tokenize("insights")) <= OVERVIEW_CUES["overview"]


def _forecasting_report() -> ReportKnowledge:
    text = (
        "## Results\n\nTeams that cached dependencies saw their builds finish sooner.\n"
        "We expect most teams to cache by default within the next two years.\n\n"
        "## Summary\n\nCaching was the change that paid off most for the teams we asked.\n"
    )
    titles = ("Results", "Summary")
    starts = [text.index(f"## {t}") for t in titles]
    sections = [Section("Results", starts[0], starts[1]), Section("Summary", starts[1], len(text))]
    lines = [
        ("Results", "Teams that cached dependencies saw their builds finish sooner."),
        ("Results", "We expect most teams to cache by default within the next two years."),
        ("Summary", "Caching was the change that paid off most for the teams we asked."),
    ]
    sentences = [Sentence("ci", t, text.index(b), text.index(b) + len(b), b) for t, b in lines]
    forecast = sentences[1]
    info = ReportInfo("ci", "CI Survey", "CI Team", 2024, "", titles, text)
    digest = {"outlook": [[forecast.start, forecast.end]], "advice": []}
    return ReportKnowledge(info, sections, [], None, None, sentences, None, digest)


def test_a_question_about_the_future_gets_what_the_report_expects_not_its_ending() -> None:
    report = _forecasting_report()

    ahead = conclusion(report, Sources(), "What does the report predict for next year?")
    closing = conclusion(report, Sources(), "How does the report conclude?")

    assert ahead.startswith("What the report expects:") and "cache by default" in ahead
    assert closing.startswith("The report closes (Summary) with:")
    assert "cache by default" not in closing


def test_a_report_that_advises_nothing_says_so_then_what_it_expects() -> None:
    said = recommendation(_forecasting_report(), Sources())

    assert said.startswith("The report makes no explicit recommendation. What it expects:")
    assert "cache by default" in said
