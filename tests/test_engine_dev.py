"""The development question set (evals/dev.yaml) is as trustworthy as the main one.

It was used to find the engine's failure modes and to tune it, so it is a development set, not
a held-out one. Its answers must still be right: every sentence verbatim in the report, every
figure in its sentence, every derivation's arithmetic correct, and no question a copy of one in
evals/cases.yaml.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from evals.cases import CATEGORIES, DEFAULT_CASES, Case, load_cases
from evals.scoring import arithmetic_holds, evaluate_arithmetic
from rag.text.numbers import contains_figure, extract_figures
from tests.conftest import BUNDLED_REPORT

DEV = Path(DEFAULT_CASES).with_name("dev.yaml")
REPORT = (BUNDLED_REPORT / "report.txt").read_text(encoding="utf-8")
CASES = load_cases(DEV)
# The dev set was written before the plan-based categories (multi_part onwards) were added;
# dialogues were added to it later, and casual wording, extremes and wrong claims later still,
# each written apart from the main and test sets.
DEV_CATEGORIES = (
    *CATEGORIES[: CATEGORIES.index("multi_part")],
    *("extreme", "casual", "dialogue", "wrong_claim"),
)


def _ids(case: Case) -> str:
    return case.id


def test_the_dev_set_covers_its_categories_and_copies_no_main_question() -> None:
    assert set(Counter(c.category for c in CASES)) == set(DEV_CATEGORIES)
    assert len(CASES) >= 50
    main = {c.question.strip().lower() for c in load_cases(DEFAULT_CASES)}
    assert [c.id for c in CASES if c.question.strip().lower() in main] == []


@pytest.mark.parametrize("case", [c for c in CASES if c.gold_sentences()], ids=_ids)
def test_every_dev_answer_traces_to_the_report(case: Case) -> None:
    for sentence in case.gold_sentences():
        assert sentence in REPORT, f"{case.id}: not verbatim in report.txt: {sentence!r}"
    if case.sentences and case.expected:
        figures = [f for s in case.sentences for f in extract_figures(s)]
        for exp in case.expected:
            assert contains_figure(figures, exp.value, exp.unit, exp.qualifier, exp.tolerance)
    if case.derivation is not None:
        result = evaluate_arithmetic(case.derivation.arithmetic)
        assert result is not None and arithmetic_holds(*result), case.derivation.arithmetic
        for item in case.derivation.inputs:
            assert contains_figure(
                extract_figures(item.sentence), item.value, item.unit, item.qualifier
            )
