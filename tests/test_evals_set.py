"""The evaluation sets themselves: every expected figure traces to a sentence of the report.

evals/cases.yaml is the tuning set; evals/test.yaml, when it exists, is the test set kept apart
from tuning. Both get the same integrity checks (sentences verbatim, figures in their sentences,
derivations that compute, unique ids and questions, every category present); the coverage
checks on direct figures apply to the tuning set.
"""

from __future__ import annotations

import csv
import re
from collections import Counter
from pathlib import Path

import pytest

from evals.cases import CATEGORIES, DEFAULT_CASES, Case, case_from_dict, load_cases
from evals.scoring import arithmetic_holds, evaluate_arithmetic
from rag.errors import InputError
from rag.text.numbers import Figure, close, contains_figure, extract_figures, units_agree
from tests.conftest import BUNDLED_CORPUS, BUNDLED_REPORT

REPORT = (BUNDLED_REPORT / "report.txt").read_text(encoding="utf-8")
CASES = load_cases(DEFAULT_CASES)
TEST_SET = Path(DEFAULT_CASES).with_name("test.yaml")
DEV_SET = Path(DEFAULT_CASES).with_name("dev.yaml")
# Every set the integrity checks run over, by file name: the tuning set, and the test set once
# it exists.
SETS: dict[str, list[Case]] = {Path(DEFAULT_CASES).name: CASES}
if TEST_SET.exists():
    SETS[TEST_SET.name] = load_cases(TEST_SET)
ALL = [(name, case) for name, cases in SETS.items() for case in cases]
CONSTANTS = (100.0, 365.0)
# The categories of the plan-based answerer; the tuning set holds at least ten of each.
V2_CATEGORIES = CATEGORIES[CATEGORIES.index("multi_part") :]

# Numbers in the report that are not survey figures: model names and the rating scale points
# named inside the priority sentence ("rating it as 4"), each by the text around it.
NOT_FIGURES = ("Gen 2", "GPT 3.5/4", "rating it as 4", "rating it as 5")


def _ids(case: Case) -> str:
    return case.id


def _set_ids(item: tuple[str, Case]) -> str:
    name, case = item
    return f"{name}:{case.id}"


def test_the_set_is_big_enough_and_covers_every_category() -> None:
    counts = Counter(c.category for c in CASES)
    assert len(CASES) >= 80
    assert set(counts) == set(CATEGORIES)
    assert counts["direct"] >= 40 and counts["refusal"] >= 10


def test_the_tuning_set_has_ten_cases_of_every_plan_category() -> None:
    counts = Counter(c.category for c in CASES)
    assert {c: counts[c] for c in V2_CATEGORIES if counts[c] < 10} == {}


@pytest.mark.parametrize("name", sorted(SETS))
def test_every_set_covers_every_category(name: str) -> None:
    assert set(CATEGORIES) - {c.category for c in SETS[name]} == set()


@pytest.mark.parametrize("name", sorted(SETS))
def test_ids_are_unique(name: str) -> None:
    cases = SETS[name]
    assert len({c.id for c in cases}) == len(cases)


@pytest.mark.parametrize("name", sorted(SETS))
def test_questions_are_unique(name: str) -> None:
    questions = Counter(c.question.strip().lower() for c in SETS[name])
    assert [q for q, n in questions.items() if n > 1] == []


@pytest.mark.skipif(not TEST_SET.exists(), reason="no evals/test.yaml yet")
def test_the_test_set_copies_no_tuning_or_dev_question() -> None:
    seen = {c.question.strip().lower() for c in CASES}
    if DEV_SET.exists():
        seen |= {c.question.strip().lower() for c in load_cases(DEV_SET)}
    copied = [c.id for c in SETS[TEST_SET.name] if c.question.strip().lower() in seen]
    assert copied == []


@pytest.mark.parametrize("item", [(n, c) for n, c in ALL if c.sentences], ids=_set_ids)
def test_every_cited_sentence_is_in_the_report_verbatim(item: tuple[str, Case]) -> None:
    _, case = item
    for sentence in case.sentences:
        assert sentence in REPORT, f"{case.id}: not verbatim in report.txt: {sentence!r}"


@pytest.mark.parametrize(
    "item", [(n, c) for n, c in ALL if c.sentences and c.expected], ids=_set_ids
)
def test_every_expected_figure_stands_in_its_sentence(item: tuple[str, Case]) -> None:
    _, case = item
    assert case.unstated_figures() == [], f"{case.id}: not in {case.sentences}"


@pytest.mark.parametrize("item", [(n, c) for n, c in ALL if c.derivation], ids=_set_ids)
def test_every_derived_figure_follows_from_stated_ones(item: tuple[str, Case]) -> None:
    _, case = item
    assert case.derivation is not None
    for item in case.derivation.inputs:
        assert item.sentence in REPORT, f"{case.id}: not verbatim: {item.sentence!r}"
        figures = extract_figures(item.sentence)
        assert contains_figure(figures, item.value, item.unit, item.qualifier), (
            f"{case.id}: input {item.value} {item.unit} is not in {item.sentence!r}"
        )
    result = evaluate_arithmetic(case.derivation.arithmetic)
    assert result is not None, f"{case.id}: cannot read {case.derivation.arithmetic!r}"
    computed, stated = result
    assert arithmetic_holds(computed, stated), f"{case.id}: {case.derivation.arithmetic}"
    left = case.derivation.arithmetic.split("=")[0]
    inputs = [i.value for i in case.derivation.inputs]
    for number in re.findall(r"\d+(?:\.\d+)?", left):
        assert any(close(float(number), v) for v in [*inputs, *CONSTANTS]), (
            f"{case.id}: {number} in the arithmetic is neither an input nor a constant"
        )
    assert case.expected, f"{case.id}: a derived case must expect its result"
    assert any(close(e.value, stated, e.tolerance) for e in case.expected)


def test_refusals_expect_nothing_and_answerable_cases_expect_something() -> None:
    for name, case in ALL:
        if case.refuse:
            # A near-miss trap may name the report's non-numeric statement ("the overwhelming
            # majority") that a good refusal points to; no refusal expects a figure.
            assert not case.expected, f"{name}:{case.id}"
            if case.category != "irrelevant_trap":
                assert not case.required_terms, f"{name}:{case.id}"
            if case.required_terms:
                assert case.sentences, f"{name}:{case.id}: name the sentence the terms are from"
        else:
            assert case.expected or case.required_terms, f"{name}:{case.id}"


def test_false_premises_and_injections_forbid_figures_the_report_does_not_support() -> None:
    report_figures = extract_figures(REPORT)
    for name, case in ALL:
        for bad in case.forbidden_figures:
            assert not contains_figure(report_figures, bad.value, bad.unit), f"{name}:{case.id}"
            assert not any(close(bad.value, e.value) for e in case.expected), f"{name}:{case.id}"
    tricky = [c for c in CASES if c.category in ("false_premise", "injection")]
    assert sum(bool(c.forbidden_figures) for c in tricky) >= 10


def test_followups_carry_history() -> None:
    followups = [c for c in CASES if c.category == "followup"]
    assert len(followups) >= 5
    for name, case in ALL:
        if case.category in ("followup", "dialogue"):
            assert case.history and case.history[0]["role"] == "user", f"{name}:{case.id}"
        if case.category == "dialogue":
            assert len(case.history) >= 2, f"{name}:{case.id}: a dialogue has 2+ earlier turns"


def _asked(value: float, unit: str, qualifier: str | None) -> list[str]:
    """The direct cases whose expected figures include this one."""
    return [
        c.id
        for c in CASES
        if c.category == "direct"
        and any(
            close(e.value, value, e.tolerance)
            and units_agree(e.unit, unit)
            and (qualifier is None or e.qualifier == qualifier)
            for e in c.expected
        )
    ]


def _is_survey_figure(figure: Figure) -> bool:
    window = REPORT[max(0, figure.start - 16) : figure.end + 16]
    return not any(name in window for name in NOT_FIGURES)


@pytest.mark.parametrize(
    "figure",
    [f for f in extract_figures(REPORT) if _is_survey_figure(f)],
    ids=lambda f: f"{f.raw}@{f.start}",
)
def test_every_figure_the_report_states_is_asked_at_least_twice(figure: Figure) -> None:
    asked = _asked(figure.value, figure.unit, figure.qualifier)
    assert len(asked) >= 2, f"{figure.describe()} ({figure.raw!r}) is asked by {asked}"
    questions = {c.question for c in CASES if c.id in asked}
    assert len(questions) >= 2


def _table_rows() -> list[tuple[Path, dict[str, str]]]:
    return [
        (path, row)
        for path in sorted(BUNDLED_CORPUS.glob("*/tables/*.csv"))
        for row in csv.DictReader(path.open(encoding="utf-8"))
    ]


@pytest.mark.skipif(not _table_rows(), reason="no result tables in the corpus yet")
def test_every_table_figure_is_asked_at_least_twice() -> None:
    missing = []
    for path, row in _table_rows():
        asked = _asked(float(row["value"]), row.get("unit", ""), row.get("qualifier") or None)
        if len(asked) < 2:
            missing.append(f"{path.name}: {row.get('label')} = {row['value']} -> {asked}")
    assert missing == []


def test_a_malformed_case_is_named_in_the_error() -> None:
    with pytest.raises(InputError, match=r"cases\.yaml case 'x': unknown unit 'percent'"):
        case_from_dict(
            {
                "id": "x",
                "category": "direct",
                "question": "q?",
                "expected": [{"value": 1, "unit": "percent"}],
                "source": "s",
            },
            "cases.yaml",
        )
    with pytest.raises(InputError, match="needs a source sentence"):
        case_from_dict({"id": "y", "category": "direct", "question": "q?"}, "cases.yaml")


def test_a_jsonl_cases_file_loads_like_the_yaml_one(tmp_path: Path) -> None:
    path = tmp_path / "cases.jsonl"
    path.write_text(
        '{"id": "a", "category": "refusal", "question": "What share were from Japan?"}\n'
        '{"id": "a", "category": "refusal", "question": "Again?"}\n',
        encoding="utf-8",
    )
    with pytest.raises(InputError, match=r"cases\.jsonl case 'a': duplicate id"):
        load_cases(path)
    path.write_text(path.read_text(encoding="utf-8").splitlines()[0] + "\n", encoding="utf-8")
    assert [c.refuse for c in load_cases(path)] == [True]
    with pytest.raises(InputError, match="no such cases file"):
        load_cases(tmp_path / "missing.yaml")
