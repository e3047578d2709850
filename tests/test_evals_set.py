"""The evaluation set itself: every expected figure traces to a sentence of the report."""

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
CONSTANTS = (100.0, 365.0)

# Numbers in the report that are not survey figures: model names and the rating scale points
# named inside the priority sentence ("rating it as 4"), each by the text around it.
NOT_FIGURES = ("Gen 2", "GPT 3.5/4", "rating it as 4", "rating it as 5")


def _ids(case: Case) -> str:
    return case.id


def test_the_set_is_big_enough_and_covers_every_category() -> None:
    counts = Counter(c.category for c in CASES)
    assert len(CASES) >= 80
    assert set(counts) == set(CATEGORIES)
    assert counts["direct"] >= 40 and counts["refusal"] >= 10


def test_ids_are_unique() -> None:
    assert len({c.id for c in CASES}) == len(CASES)


def test_questions_are_unique() -> None:
    questions = Counter(c.question.strip().lower() for c in CASES)
    assert [q for q, n in questions.items() if n > 1] == []


@pytest.mark.parametrize("case", [c for c in CASES if c.sentences], ids=_ids)
def test_every_cited_sentence_is_in_the_report_verbatim(case: Case) -> None:
    for sentence in case.sentences:
        assert sentence in REPORT, f"{case.id}: not verbatim in report.txt: {sentence!r}"


@pytest.mark.parametrize("case", [c for c in CASES if c.sentences and c.expected], ids=_ids)
def test_every_expected_figure_stands_in_its_sentence(case: Case) -> None:
    figures = [f for s in case.sentences for f in extract_figures(s)]
    for exp in case.expected:
        assert contains_figure(figures, exp.value, exp.unit, exp.qualifier, exp.tolerance), (
            f"{case.id}: {exp} is not in {case.sentences}"
        )


@pytest.mark.parametrize("case", [c for c in CASES if c.derivation], ids=_ids)
def test_every_derived_figure_follows_from_stated_ones(case: Case) -> None:
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
    for case in CASES:
        if case.refuse:
            assert not case.expected and not case.required_terms, case.id
        else:
            assert case.expected or case.required_terms, case.id


def test_false_premises_and_injections_forbid_figures_the_report_does_not_support() -> None:
    report_figures = extract_figures(REPORT)
    for case in CASES:
        for bad in case.forbidden_figures:
            assert not contains_figure(report_figures, bad.value, bad.unit), case.id
            assert not any(close(bad.value, e.value) for e in case.expected), case.id
    tricky = [c for c in CASES if c.category in ("false_premise", "injection")]
    assert sum(bool(c.forbidden_figures) for c in tricky) >= 10


def test_followups_carry_history() -> None:
    followups = [c for c in CASES if c.category == "followup"]
    assert len(followups) >= 5
    assert all(c.history and c.history[0]["role"] == "user" for c in followups)


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
