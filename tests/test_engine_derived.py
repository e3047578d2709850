"""Ratios, 'how many times' and 'do they add up': the derivations and the guard's check."""

from __future__ import annotations

import re

import pytest

from rag.answering.guard import check
from rag.derive import conversion, share_of_share, share_working, times, times_working
from rag.engine import Engine
from rag.evidence import missing_specific, tokens_of
from rag.question import Query
from rag.settings import Settings
from rag.text.tokens import acronyms
from rag.types import Fact


def fact(fid: str, value: float, unit: str = "%", qualifier: str = "exact") -> Fact:
    return Fact(
        fid,
        "r",
        "t",
        "cap",
        fid,
        value,
        unit,
        qualifier,  # type: ignore[arg-type]
        "S",
        fid,
        fid,
        0,
        1,
    )


# --------------------------------------------------------------------------- pure derivations


def test_share_of_share_divides_the_part_by_the_whole() -> None:
    part, whole = fact("four", 49), fact("top", 67.2)
    value = share_of_share(part, whole)
    assert value == 72.9
    assert share_working(part, whole, value) == "49 ÷ 67.2 × 100 = 72.9%"


def test_share_of_share_needs_a_larger_exact_whole() -> None:
    assert share_of_share(fact("a", 67.2), fact("b", 49)) is None
    assert share_of_share(fact("a", 20), fact("b", 80, qualifier="over")) is None
    assert share_of_share(fact("a", 20), fact("b", 80, unit="users")) is None


def test_times_converts_years_to_days_with_the_factor_written_out() -> None:
    ratio = times(fact("netflix", 3.5, "years"), fact("chatgpt", 5, "days"))
    assert ratio is not None
    assert ratio.value == 255.5 and ratio.factor == 365
    assert times_working(ratio) == "3.5 × 365 = 1277.5 days; 1277.5 ÷ 5 = 255.5"


def test_times_in_one_unit_needs_no_conversion() -> None:
    ratio = times(fact("a", 10, "days"), fact("b", 40, "days"))
    assert ratio is not None and ratio.larger.id == "b" and ratio.value == 4.0
    assert times_working(ratio) == "40 ÷ 10 = 4"


def test_times_refuses_units_it_cannot_convert() -> None:
    assert times(fact("a", 3, "months"), fact("b", 5, "days")) is None  # no whole factor
    assert times(fact("a", 3, "users"), fact("b", 5, "days")) is None
    assert times(fact("a", 3, "years", "over"), fact("b", 5, "days")) is None


def test_conversions_are_whole_number_factors() -> None:
    assert conversion("years", "days") == 365
    assert conversion("weeks", "days") == 7
    assert conversion("year", "months") == 12
    assert conversion("days", "days") == 1
    assert conversion("months", "days") is None


# --------------------------------------------------------------------------- the guard


SHARES = ["67.2% saw it as a top priority, with 49% rating it as 4 and 18.2% rating it as 5."]
TIMES = ["Netflix took 3.5 years to hit 1M users.", "ChatGPT hit 1M users in 5 days."]


def test_guard_accepts_a_correct_share_of_a_share() -> None:
    assert check("Of those, 49 ÷ 67.2 × 100 = 72.9% rated it 4.", SHARES).ok
    assert check("Of those, 49 ÷ 67.2 = 72.9% rated it 4.", SHARES).ok
    assert not check("Of those, 49 ÷ 67.2 = 0.7% rated it 4.", SHARES).ok


def test_guard_rejects_a_wrong_quotient() -> None:
    result = check("Of those, 49 ÷ 67.2 × 100 = 75.3% rated it 4.", SHARES)
    assert not result.ok and 75.3 in [f.value for f in result.unsupported]
    assert not check("Of those, 49 ÷ 67.2 × 100 = 73.9% rated it 4.", SHARES).ok


def test_guard_rejects_a_quotient_of_uncited_figures() -> None:
    assert not check("Of those, 50 ÷ 67.2 × 100 = 74.4% rated it 4.", SHARES).ok


def test_guard_accepts_a_unit_conversion_and_its_quotient() -> None:
    text = "3.5 × 365 = 1277.5 days; 1277.5 ÷ 5 = 255.5, so 255.5 times faster."
    assert check(text, TIMES).ok


def test_guard_rejects_a_wrong_conversion_or_an_unknown_factor() -> None:
    assert not check("3.5 × 360 = 1260 days; 1260 ÷ 5 = 252, so 252 times.", TIMES).ok
    assert not check("3.5 × 365 = 1300 days; 1300 ÷ 5 = 260, so 260 times.", TIMES).ok
    assert not check("1277.5 ÷ 5 = 255.5, so 255.5 times.", TIMES).ok  # 1277.5 not shown


def test_guard_accepts_a_sum_to_the_whole_and_rejects_a_wrong_one() -> None:
    sources = ["41.2% were fully staffed.", "58.8% were understaffed."]
    assert check("Yes: 41.2% + 58.8% = 100%, the whole sample.", sources).ok
    assert not check("Yes: 41.2% + 58.8% = 99.5%, nearly all.", sources).ok


# --------------------------------------------------------------------------- acronyms


def test_acronyms_are_read_from_the_phrase_their_initials_spell() -> None:
    text = (
        "When we started the AI Infrastructure Alliance in 2021. At the AIIA, we expect it. "
        "Known as Parameter Efficient Fine Tuning (PEFT)."
    )
    found = acronyms([text])
    assert found["aiia"] == frozenset({"ai", "infrastructure", "alliance"})
    assert found["peft"] == frozenset({"parameter", "efficient", "fine", "tuning"})


def test_a_capitals_word_also_written_in_lower_case_is_no_acronym() -> None:
    # "IT" is also the pronoun "it"; a web address's lower case does not count.
    text = (
        "Information Technology leads, and IT says it. "
        "See ai-infrastructure.org on Artificial Intelligence and AI."
    )
    found = acronyms([text])
    assert "it" not in found
    assert found["ai"] == frozenset({"artificial", "intelligence"})


def test_no_acronym_without_a_spelled_out_phrase() -> None:
    assert acronyms(["The ROI of the AIIA is high."]) == {}


def test_a_question_acronym_matches_the_spelled_out_phrase() -> None:
    phrase = frozenset({"ai", "infrastructure", "alliance"})
    query = Query(
        "When did the AIIA start?",
        ("aiia",),
        ("aiia",),
        ("AIIA",),
        (),
        False,
        False,
        False,
        (("aiia", phrase),),
    )
    tokens = tokens_of("When we started the AI Infrastructure Alliance in 2021")
    assert missing_specific(query, tokens, None) == []
    assert missing_specific(query, tokens_of("When we started the Alliance"), None) == ["aiia"]


# --------------------------------------------------------------------------- end to end


@pytest.fixture(scope="module")
def engine(indexed_settings: Settings) -> Engine:
    return Engine(indexed_settings, chat_model=None)


def cited(answer_text: str, quotes: list[str], figure: str) -> bool:
    return any(figure in q for q in quotes) and figure in answer_text


@pytest.mark.model
def test_share_of_a_share_is_worked_out_with_both_inputs_cited(engine: Engine) -> None:
    a = engine.answer(
        "Among the respondents who called LLM adoption a top priority, what proportion "
        "rated it 4 rather than 5?"
    )
    assert a.grounded
    assert "49 ÷ 67.2 × 100 = 72.9%" in a.text
    quotes = [c.quote for c in a.citations]
    assert cited(a.text, quotes, "67.2%") and cited(a.text, quotes, "49%")
    assert check(a.text, quotes).ok


@pytest.mark.model
def test_how_many_times_converts_units_and_cites_both(engine: Engine) -> None:
    a = engine.answer("How many times faster than Netflix did ChatGPT reach a million users?")
    assert a.grounded
    assert "3.5 × 365 = 1277.5 days; 1277.5 ÷ 5 = 255.5" in a.text
    quotes = [c.quote for c in a.citations]
    assert any("3.5 years" in q for q in quotes) and any("5 days" in q for q in quotes)
    assert check(a.text, quotes).ok


@pytest.mark.model
def test_do_rows_add_up_answers_yes_with_the_sum(engine: Engine) -> None:
    a = engine.answer("Do the fully staffed and understaffed shares add up to the whole sample?")
    assert a.grounded
    assert a.text.startswith("Yes: 41.2% + 58.8% = 100%")
    quotes = [c.quote for c in a.citations]
    assert cited(a.text, quotes, "41.2%") and cited(a.text, quotes, "58.8%")
    assert check(a.text, quotes).ok
    markers = {int(m) for m in re.findall(r"\[(\d+)\]", a.text)}
    assert markers == {c.id for c in a.citations}


@pytest.mark.model
def test_rows_that_do_not_add_up_say_no(engine: Engine) -> None:
    a = engine.answer("Do the shares rating it 4 and 5 add up to the whole sample?")
    assert a.text.startswith("No: ")
    assert "= 67.2%, not 100%" in a.text
    assert check(a.text, [c.quote for c in a.citations]).ok


@pytest.mark.model
def test_an_acronym_finds_the_sentence_that_spells_it_out(engine: Engine) -> None:
    assert engine.corpus.acronyms["aiia"] == frozenset({"ai", "infrastructure", "alliance"})
    a = engine.answer("In what year did the AIIA start?")
    assert a.grounded
    assert "AI Infrastructure Alliance in 2021" in a.text
    assert any("AI Infrastructure Alliance in 2021" in c.quote for c in a.citations)
