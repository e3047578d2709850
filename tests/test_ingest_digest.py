"""The digest ingest builds: central sentences, the stressed finding, advice, headlines."""

from __future__ import annotations

import numpy as np

from ingest.digest import DIGEST_VERSION, build_digest
from rag.types import Fact, Sentence


def _sentence(i: int, text: str, section: str = "Results") -> Sentence:
    return Sentence("r", section, i * 100, i * 100 + len(text), text)


def _fact(fid: str, table: str, value: float, sentence: Sentence) -> Fact:
    return Fact(
        fid, "r", table, "cap", fid, value, "%", "exact", sentence.section, f"{value}% {fid}",
        sentence.text, sentence.start, sentence.end,
    )  # fmt: skip


def test_the_digest_keeps_the_stressed_finding_advice_and_one_headline_per_table() -> None:
    texts = [
        "Most respondents said the new scheduling tool saved them time every week.",
        "Only 20% said the training they received was enough, a worrying statistic.",
        "Teams should review their rotas every quarter to keep the gains they made.",
        "About 55% of respondents used the tool on a phone rather than a laptop.",
        "The remaining respondents used a laptop or a desktop computer at work.",
    ]
    sentences = [_sentence(i, t) for i, t in enumerate(texts)]
    rng = np.random.default_rng(0)
    vectors = rng.normal(size=(len(texts), 8)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    facts = [
        _fact("trained", "training", 20, sentences[1]),
        _fact("untrained", "training", 80, sentences[1]),
        _fact("phone", "device", 55, sentences[3]),
    ]

    digest = build_digest(sentences, vectors, facts)

    assert digest["emphasis"][0] == [sentences[1].start, sentences[1].end]
    assert [sentences[2].start, sentences[2].end] in digest["advice"]
    # one row per table, the table whose sentence the report stresses first; rows of one
    # sentence tie on stress and centrality, so the larger share heads its table
    assert digest["headlines"] == ["untrained", "phone"]
    assert len(digest["central"]) == len(texts) and "Results" in digest["sections"]


def test_no_sentences_or_vectors_gives_an_empty_digest() -> None:
    assert build_digest([], None, []) == {"version": DIGEST_VERSION}


def test_a_denied_emphasis_stresses_nothing() -> None:
    texts = [
        "This high number is not surprising, since we mostly survey existing users.",
        "Only 20% felt ready for the change, which is a worrying result for the sector.",
        "The rest of the respondents used the tool every day at their place of work.",
    ]
    sentences = [_sentence(i, t) for i, t in enumerate(texts)]
    vectors = np.eye(len(texts), 8, dtype=np.float32)

    digest = build_digest(sentences, vectors, [])

    assert digest["emphasis"] == [[sentences[1].start, sentences[1].end]]


def test_a_share_of_respondents_who_recommended_something_is_a_finding_not_advice() -> None:
    texts = [
        "Teams should review their rotas every quarter to keep the gains they made.",
        "74% of respondents have recommended the tool to a friend or a colleague.",
    ]
    sentences = [_sentence(i, t) for i, t in enumerate(texts)]
    vectors = np.eye(len(texts), 8, dtype=np.float32)

    digest = build_digest(sentences, vectors, [])

    assert digest["advice"] == [[sentences[0].start, sentences[0].end]]


def test_a_pointer_to_the_full_report_is_not_advice() -> None:
    texts = [
        "Teams should review their rotas every quarter to keep the gains they made.",
        "If you'd like more detail, we recommend you browse through the full survey report.",
    ]
    sentences = [_sentence(i, t) for i, t in enumerate(texts)]
    vectors = np.eye(len(texts), 8, dtype=np.float32)

    digest = build_digest(sentences, vectors, [])

    assert digest["advice"] == [[sentences[0].start, sentences[0].end]]


def test_a_remark_on_the_findings_is_not_advice_but_advice_after_one_is() -> None:
    texts = [
        "It should be noted that self-reported surveys have their disadvantages.",
        "It must be said that the sample was small, so teams should repeat the survey.",
    ]
    sentences = [_sentence(i, t) for i, t in enumerate(texts)]
    vectors = np.eye(len(texts), 8, dtype=np.float32)

    digest = build_digest(sentences, vectors, [])

    assert digest["advice"] == [[sentences[1].start, sentences[1].end]]


def test_the_outlook_holds_what_the_authors_expect_and_not_asides_or_findings() -> None:
    texts = [
        "We expect most clinics to switch to online booking over the next two years.",
        "In the coming years, few practices will keep a paper diary at the front desk.",
        "As you might expect, the larger clinics answered the survey more often.",
        "We don't expect every respondent to recall each appointment they booked.",
        "About 45% of clinics expect to hire more nurses in the next year.",
        "The variability we expect to see in a small survey like this one is large.",
        "Some respondents are interested in the future of the profession as a whole.",
    ]
    sentences = [_sentence(i, t) for i, t in enumerate(texts)]
    vectors = np.eye(len(texts), 8, dtype=np.float32)

    digest = build_digest(sentences, vectors, [])

    expected = sorted(digest["outlook"])
    assert expected == [[s.start, s.end] for s in sentences[:2]]


def test_a_signpost_is_never_a_central_sentence() -> None:
    texts = [
        "Now let's dive into what the respondents told us about their commute.",
        "Most respondents travelled to work by train on at least three days a week.",
        "Cycling grew among respondents who live less than ten kilometres from work.",
    ]
    sentences = [_sentence(i, t) for i, t in enumerate(texts)]
    vectors = np.ones((len(texts), 8), dtype=np.float32) / np.sqrt(8)  # all alike: all central

    digest = build_digest(sentences, vectors, [])

    held = [span for spans in digest["sections"].values() for span in spans] + digest["central"]
    assert [sentences[0].start, sentences[0].end] not in held
    assert [sentences[1].start, sentences[1].end] in digest["central"]
