"""A library of several reports: each question is answered from one report as if it were
indexed alone, the answer names that report, and what every report answers of itself
("who took part?") is answered report by report.

The index is real: a copy of the session's bundled index, with a Markdown and an HTML
report ingested beside it.
"""

from __future__ import annotations

import re
import shutil

import pytest
import yaml

from ingest.pipeline import ingest
from ingest.variants import make_variants
from rag.engine import Engine
from rag.settings import PROJECT_ROOT, Settings
from rag.types import Answer
from tests.conftest import BUNDLED_REPORT
from tests.test_ingest_readers import HTML, MARKDOWN

pytestmark = pytest.mark.model

BUNDLED = BUNDLED_REPORT.name
GOPHER, PULSE = "gopher-2024", "pulse"


@pytest.fixture(scope="module")
def library(indexed_settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Engine:
    root = tmp_path_factory.mktemp("library")
    data = root / "index"
    shutil.copytree(indexed_settings.data_dir, data)
    (root / f"{GOPHER}.md").write_text(MARKDOWN, encoding="utf-8")
    (root / "pulse.html").write_text(HTML, encoding="utf-8")
    settings = Settings(data_dir=data, corpus_dir=indexed_settings.corpus_dir)
    ingest(settings, [root / f"{GOPHER}.md"])
    ingest(settings, [root / "pulse.html"])
    return Engine(settings, chat_model=None)


def _cited(answer: Answer) -> set[str]:
    return {c.report for c in answer.citations}


def _numbers(text: str) -> list[int]:
    return [int(n) for n in re.findall(r"\[(\d+)\]", text)]


@pytest.fixture(scope="module")
def beside_a_variant(
    indexed_settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> Engine:
    """The bundled report beside a variant of itself: the same words, other figures."""
    root = tmp_path_factory.mktemp("variant")
    data = root / "index"
    shutil.copytree(indexed_settings.data_dir, data)
    folders = make_variants(BUNDLED_REPORT, root / "corpus", 1)
    ingest(Settings(data_dir=data, corpus_dir=root / "corpus"), folders)
    return Engine(Settings(data_dir=data, corpus_dir=indexed_settings.corpus_dir), chat_model=None)


def test_a_report_picked_in_a_library_answers_as_it_does_alone(
    beside_a_variant: Engine, indexed_settings: Settings
) -> None:
    # its words, spellings and figures are weighed against that report only, so the reports
    # beside it change none of its answers
    alone = Engine(indexed_settings, chat_model=None)
    questions = [
        case["question"]
        for name in ("cases.yaml", "dev.yaml")
        for case in yaml.safe_load((PROJECT_ROOT / "evals" / name).read_text(encoding="utf-8"))
        if not case.get("history")
    ]
    assert len(questions) > 300
    for question in questions:
        beside = beside_a_variant.answer(question, report=BUNDLED).text
        assert beside == alone.answer(question).text, question


def test_a_question_naming_no_report_is_answered_from_the_report_holding_it(
    library: Engine,
) -> None:
    recommend = library.answer("What share of respondents would recommend it?")
    assert recommend.text.startswith("87% of respondents would recommend it")
    assert _cited(recommend) == {GOPHER}
    assert recommend.text.endswith("(From Gopher Survey 2024 Results (2024) [3].)")
    assert recommend.citations[-1].section == "About this report"
    understaffed = library.answer("What share felt understaffed?")
    assert understaffed.text.startswith("58.8%") and _cited(understaffed) == {BUNDLED}


def test_what_every_report_answers_of_itself_comes_report_by_report(library: Engine) -> None:
    answer = library.answer("Who took part in the survey?")
    blocks = answer.text.split("\n\n")
    assert len(blocks) == 3
    titles = [r.title for r in library.reports]
    for block, report in zip(blocks, library.reports, strict=True):
        assert block.startswith(f"From {report.title}")
        # a block cites its own report only
        assert {answer.citations[n - 1].report for n in _numbers(block)} == {report.id}
        assert not any(t in block for t in titles if t != report.title)
    # numbered in reading order, and every citation is used
    first_seen = list(dict.fromkeys(_numbers(answer.text)))
    assert first_seen == list(range(1, len(answer.citations) + 1))
    assert "over 1,000 companies" in blocks[0]
    overview = library.answer("Summarize the key findings")
    assert [b.split(",")[0] for b in overview.text.split("\n\n")] == [
        t.split(",")[0] for t in titles
    ]


def test_a_conversation_stays_with_its_report_until_another_is_named(library: Engine) -> None:
    first = "What share of respondents would recommend it?"
    history = [
        {"role": "user", "content": first},
        {"role": "assistant", "content": library.answer(first).text},
    ]
    # read alone it would get every report's answer; after a Gopher question, Gopher's
    who = library.answer("Who took part in the survey?", history)
    assert _cited(who) == {GOPHER}
    named = library.answer("In the Cloud Pulse survey, what share use AWS?", history)
    assert named.text.startswith("AWS: 51%") and _cited(named) == {PULSE}
    assert "From Cloud Pulse" not in named.text  # the question named it


def test_a_picked_report_is_answered_without_naming_it_again(library: Engine) -> None:
    aws = library.answer("What share use AWS?", report=PULSE)
    assert aws.text.startswith("AWS: 51%") and _cited(aws) == {PULSE}
    assert "From " not in aws.text


@pytest.mark.parametrize(
    "question",
    [
        "In the Gopher survey and the Cloud Pulse survey, what share of respondents use Linux?",
        "Gopher vs Cloud Pulse reports: what share use Linux?",
    ],
)
def test_each_report_a_question_names_answers_under_its_name(
    library: Engine, question: str
) -> None:
    answer = library.answer(question)
    gopher, pulse = answer.text.split("\n\n")
    assert gopher.startswith("From Gopher Survey 2024 Results") and "Linux: 96%" in gopher
    assert {answer.citations[n - 1].report for n in _numbers(gopher)} == {GOPHER}
    assert pulse.startswith("From Cloud Pulse 2025") and "does not say" in pulse


def test_a_section_named_is_read_in_the_reports_that_have_it(library: Engine) -> None:
    answer = library.answer("What does the Satisfaction section say?")
    assert answer.text.startswith("The section “Satisfaction” says:")
    assert "93%" in answer.text and _cited(answer) == {GOPHER}
