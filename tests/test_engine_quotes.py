"""Words inside quotation marks in an answer are the report's own words."""

from __future__ import annotations

import re

import pytest

from rag.engine import Engine
from rag.settings import Settings

pytestmark = pytest.mark.model

QUOTED = re.compile(r"“([^”]+)”")


@pytest.fixture(scope="module")
def engine(indexed_settings: Settings) -> Engine:
    return Engine(indexed_settings, chat_model=None)


@pytest.mark.parametrize(
    "question",
    [
        "What share of respondents were from Japan?",  # a refusal that quotes what it does say
        "Why did 90% say they could prove ROI?",  # a false premise, with the report's reading
        "When did ChatGPT reach over 100M users?",  # a dated source sentence
        "What share lost $100M or more?",  # a band sum
        "What are the biggest blockers to adopting LLMs?",
    ],
)
def test_quoted_text_is_verbatim(engine: Engine, question: str) -> None:
    report = re.sub(r"\s+", " ", engine.reports[0].text)
    a = engine.answer(question)
    for quote in QUOTED.findall(a.text):
        assert quote in report, f"not the report's words: {quote!r}"
