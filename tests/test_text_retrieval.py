"""Text and retrieval building blocks: tokens, BM25, RRF, acronyms, and the numeric guard."""

from __future__ import annotations

import pytest

import rag
from rag.answering.guard import check
from rag.answering.knowledge import scale_points
from rag.retrieval.bm25 import BM25
from rag.retrieval.fusion import rrf
from rag.text.tokens import acronyms, spelled_out, synonyms, tokenize

BAND_SOURCE = "12% lost $10M to $50M and 8% lost $50M or more."

# --------------------------------------------------------------------------- public surface


def test_public_api_is_pinned() -> None:
    assert rag.__all__ == ["Answer", "Citation", "answer"]
    assert callable(rag.answer)


# --------------------------------------------------------------------------- BM25 and RRF


def test_tokenizer_keeps_figures_and_acronyms() -> None:
    assert tokenize("Losses of $200M or more") == ["loss", "200m"]
    assert tokenize("firms that lost money") == ["firm", "loss", "money"]
    assert tokenize("200 million and 200M") == ["200m", "200m"]
    assert "roi" in tokenize("Can they show ROI?")
    assert tokenize("LoRAs") == tokenize("LoRA") == ["lora"]
    assert tokenize("34.2% of 10,000 staff") == ["34.2", "10k", "staff"]
    assert tokenize("20k, 20,000 and 20 thousand") == ["20k", "20k", "20k"]
    # a contraction typed without its apostrophe is the same word
    assert tokenize("cant", keep_stopwords=True) == tokenize("can't", keep_stopwords=True)


def test_a_country_in_capitals_is_the_country_not_the_pronoun() -> None:
    assert tokenize("respondents from the US") == tokenize("respondents from the United States")
    assert tokenize("U.S.-based firms") == tokenize("United States-based firms")
    assert tokenize("the UK, and Canada") == tokenize("the United Kingdom, and Canada")
    # "let us know" says nothing of the United States
    assert tokenize("please let us know") == ["please", "let", "know"]
    assert tokenize("USB drives") == ["usb", "drive"]


@pytest.mark.parametrize(
    ("words", "digits"),
    [
        ("a workforce above twenty thousand", "a workforce above 20,000"),
        ("a hundred million dollars", "100M dollars"),
        ("twenty-five percent", "25 percent"),
        ("rated it a four", "rated it a 4"),
    ],
)
def test_numbers_in_words_match_their_digits(words: str, digits: str) -> None:
    assert tokenize(words) == tokenize(digits)


def test_one_alone_stays_a_word() -> None:
    assert tokenize("one of the biggest") == ["one", "biggest"]


def test_question_figures_name_rows_in_words_and_ranges() -> None:
    # the low end of a range takes the high end's magnitude; a bound needs no unit of its own
    points = scale_points("losses between fifty and a hundred million dollars")
    assert [(p.value, p.unit) for p in points] == [(50e6, "USD"), (100e6, "USD")]
    assert [(p.value, p.qualifier) for p in scale_points("a staff above twenty thousand")] == [
        (20000, "over")
    ]
    assert [p.value for p in scale_points("how many gave it a four out of five?")] == [4]
    assert scale_points("do 4 teams use it?") == []


@pytest.mark.parametrize(
    ("asked", "said"),
    [
        ("canadians", "canada"),
        ("swedish", "sweden"),
        ("chinese", "china"),
        ("aussie", "australia"),
        ("kiwis", "zealand"),
    ],
)
def test_a_people_or_adjective_asks_for_its_country(asked: str, said: str) -> None:
    (term,) = tokenize(asked)
    assert said in synonyms(term)


@pytest.mark.parametrize(("asked", "said"), [("women", "female"), ("men", "male")])
def test_women_and_men_are_asked_of_a_female_or_male_share(asked: str, said: str) -> None:
    # "what share were women?" of "the 17% female representation"
    (term,) = tokenize(asked)
    (stated,) = tokenize(said)
    assert stated in synonyms(term)


def test_the_most_popular_is_asked_of_the_most_common() -> None:
    # "which editor is most popular?" of "the most common code editors are VS Code (43%) ..."
    (term,) = tokenize("popular")
    (stated,) = tokenize("common")
    assert stated in synonyms(term)


def test_bm25_finds_exact_figures_and_terms() -> None:
    docs = [tokenize(t) for t in ("losses of $100M to $200M", "losses of $200M or more", "ROI")]
    bm25 = BM25(docs)
    assert bm25.top(tokenize("200M or more"), 3)[0][0] in (0, 1)
    assert bm25.top(tokenize("show ROI"), 1)[0][0] == 2
    assert bm25.top(tokenize("nothing shared"), 3) == []


def test_rrf_rewards_agreement_and_keeps_order_for_ties() -> None:
    fused = rrf([["a", "b", "c"], ["b", "a", "d"]])
    assert [i for i, _ in fused][:2] in (["a", "b"], ["b", "a"])
    assert fused[0][1] == pytest.approx(fused[1][1])
    assert [i for i, _ in fused][2:] == ["c", "d"]


# --------------------------------------------------------------------------- guard


def test_guard_accepts_stated_and_derived_figures() -> None:
    sources = ["Only 30.5% felt they could measure value.", BAND_SOURCE]
    assert check("30.5% could [1].", sources).ok
    assert check("100% − 30.5% = 69.5% could not [1].", sources).ok
    assert check("12% + 8% = 20% lost $10M or more [2].", sources).ok


def test_guard_rejects_invented_figures_and_dishonest_thresholds() -> None:
    result = check("75% could measure value [1].", ["Only 30.5% felt they could measure value."])
    assert not result.ok and result.unsupported[0].value == 75
    assert not check("70% wanted one platform [1].", ["Well over 70% wanted one platform."]).ok
    assert check("Over 70% wanted one platform [1].", ["Well over 70% wanted one platform."]).ok


# --------------------------------------------------------------------------- question reading


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


def test_an_acronym_is_spelled_out_as_the_text_writes_its_phrase() -> None:
    text = "When we started the AI Infrastructure Alliance in 2021. At the AIIA, we expect it."
    assert spelled_out([text]) == {"aiia": "AI Infrastructure Alliance"}


@pytest.mark.parametrize(
    ("typed", "read"),
    [
        ("do ppl still use it as much as b4?", "do people still use it as much as before?"),
        ("which vers ships it, abt?", "which version ships it, about?"),
        ("teams w/o a lead vs w/ one", "teams without a lead vs with one"),
        ("in it for the $$$ lol", "in it for the money lol"),
        # a capitalised or upper-case word may be a name, and a letter stays a letter
        ("Is AVG used by BC firms, and R?", "Is AVG used by BC firms, and R?"),
        ("what $ did they lose", "what $ did they lose"),
    ],
)
def test_chat_shorthand_is_read_in_full(typed: str, read: str) -> None:
    from rag.text.shorthand import in_full

    assert in_full(typed) == read


@pytest.mark.model
def test_a_question_in_shorthand_is_answered_and_shown_as_typed() -> None:
    question = "abt how many ppl felt understaffed?"
    answer = rag.answer(question)
    assert answer.question == question
    assert "58.8%" in answer.text, answer.text


@pytest.mark.parametrize("asked", ["quit", "stopped", "former"])
def test_those_who_stopped_are_asked_of_those_not_using_it_anymore(asked: str) -> None:
    # "why did former users stop?" of "those not using it anymore told us ..."
    (term,) = tokenize(asked)
    (stated,) = tokenize("anymore")
    assert stated in synonyms(term)
