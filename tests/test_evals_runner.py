"""The scorer on hand-made answers, and the eval runner end to end with a fake answerer."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from evals.cases import Case, ExpectedFigure, case_from_dict, load_cases
from evals.runner import check_gates, evaluate, load_report_texts, run_eval
from evals.scoring import score_answer, shown_derivations, summarize, unsupported_figures
from rag.settings import Settings
from rag.types import Answer, Citation, Hit
from tests.conftest import BUNDLED_CORPUS, BUNDLED_REPORT

REPORT_ID = "aiia-2023"
REPORT = (BUNDLED_REPORT / "report.txt").read_text(encoding="utf-8")
TEXTS = {REPORT_ID: REPORT}
ROI = "Only 34.2% felt they could fully show the return on investment."
UNIFY = (
    "Perhaps that’s why well over 80% of the people surveyed wanted to unify platforms across "
    "their teams, in an attempt to bring order and consistency to something that is proving "
    "anything but consistent."
)


def cite(sentence: str, n: int = 1) -> Citation:
    start = REPORT.index(sentence)
    return Citation(
        id=n,
        report=REPORT_ID,
        section="Questions › ROI",
        quote=sentence,
        kind="passage",
        start=start,
        end=start + len(sentence),
    )


def hit(sentence: str) -> Hit:
    start = REPORT.index(sentence)
    return Hit("passage", "h", REPORT_ID, "Questions", sentence, start, start + len(sentence), 1.0)


def answer(text: str, *sentences: str, grounded: bool = True) -> Answer:
    return Answer(
        text=text,
        citations=[cite(s, n) for n, s in enumerate(sentences, 1)],
        grounded=grounded,
        retrieved=[hit(s) for s in sentences],
    )


def case(**fields: object) -> Case:
    raw = {"id": "c", "category": "direct", "question": "q?", **fields}
    return case_from_dict(raw)


ROI_CASE = case(expected=[{"value": 34.2, "unit": "%"}], source=ROI)
UNIFY_CASE = case(expected=[{"value": 80, "unit": "%", "qualifier": "over"}], source=UNIFY)


def test_a_right_cited_answer_scores_full_marks() -> None:
    s = score_answer(ROI_CASE, answer(f"{ROI} [1]", ROI), TEXTS)
    assert s.correct and s.numeric_ok
    assert s.unsupported == []
    assert (s.citations_checked, s.citations_correct) == (1, 1)
    assert s.retrieval_hit is True


def test_over_80_percent_is_not_80_percent() -> None:
    wrong = score_answer(UNIFY_CASE, answer("80% wanted to unify platforms [1].", UNIFY), TEXTS)
    right = score_answer(
        UNIFY_CASE, answer("Well over 80% wanted to unify platforms [1].", UNIFY), TEXTS
    )
    assert not wrong.correct and wrong.missing == ["over 80%"]
    assert right.correct


def test_a_count_is_not_a_percentage() -> None:
    s = score_answer(ROI_CASE, answer("34.2 companies could show ROI [1].", ROI), TEXTS)
    assert not s.correct and s.missing == ["34.2%"]


def test_a_figure_no_source_holds_is_counted_unsupported() -> None:
    s = score_answer(
        ROI_CASE, answer("Only 34.2% could fully show ROI, against 61% last year [1].", ROI), TEXTS
    )
    assert s.correct  # the expected figure is there, but the invented one is counted
    assert s.unsupported == ["61%"]


def test_a_citation_that_does_not_hold_the_figure_is_counted_wrong() -> None:
    s = score_answer(ROI_CASE, answer("Only 34.2% could fully show ROI [1][2].", UNIFY), TEXTS)
    assert (s.citations_checked, s.citations_correct) == (1, 0)
    assert s.unsupported == ["34.2%"]
    assert s.retrieval_hit is False


def test_a_shown_derivation_supports_its_result() -> None:
    derived = case(
        category="derived",
        expected=[{"value": 65.8, "unit": "%"}],
        source={
            "inputs": [{"value": 34.2, "unit": "%", "sentence": ROI}],
            "arithmetic": "100 - 34.2 = 65.8",
        },
    )
    shown = answer("65.8% could not (100% − 34.2% = 65.8%) [1].", ROI)
    s = score_answer(derived, shown, TEXTS)
    assert s.correct and s.unsupported == [] and s.retrieval_hit
    bad = answer("70% could not (100% − 34.2% = 70%) [1].", ROI)
    assert [f.raw for f in unsupported_figures(bad, TEXTS)] == ["70%", "100%", "70%"]


def test_a_sum_with_citations_and_asides_between_its_terms_is_shown_work() -> None:
    bands = (
        "24% was losses of 100M to 200M and 10% saw losses of 200M or more from failures to "
        "govern the models and applications right."
    )
    text = "24% ($100M to $200M) [1] + 10% ($200M or more) [1] = 34%."
    assert unsupported_figures(answer(text, bands), TEXTS) == []
    slipped = "24% (up from 12% in 2022) [1] + 10% [1] = 34%."
    assert [f.raw for f in unsupported_figures(answer(slipped, bands), TEXTS)] == ["12%", "2022"]


def test_a_derivation_from_an_unknown_figure_is_not_shown_work() -> None:
    assert shown_derivations("100 − 34.2 = 65.8", [34.2])
    assert shown_derivations("100 − 12 = 88", [34.2]) == []


def test_refusals_count_right_only_where_expected() -> None:
    refusal = case(category="refusal", question="What share were from Japan?")
    no = answer("The report does not say what share were from Japan.", grounded=False)
    assert score_answer(refusal, no, TEXTS).correct
    assert not score_answer(ROI_CASE, no, TEXTS).correct
    guessed = score_answer(refusal, answer(f"{ROI} [1]", ROI), TEXTS)
    assert not guessed.correct
    summary = summarize("x", [score_answer(refusal, no, TEXTS), guessed])
    assert summary.refusal_precision == 1.0 and summary.refusal_recall == 0.5


def test_a_false_premise_figure_in_the_answer_fails_the_case() -> None:
    premise = case(
        category="false_premise",
        expected=[{"value": 34.2, "unit": "%"}],
        forbidden_figures=[{"value": 90, "unit": "%"}],
        source=ROI,
    )
    echoed = score_answer(premise, answer(f"Not 90%: {ROI} [1]", ROI), TEXTS)
    assert not echoed.correct and echoed.forbidden_stated == ["90%"]
    assert echoed.unsupported == ["90%"]
    assert score_answer(premise, answer(f"{ROI} [1]", ROI), TEXTS).correct


def test_required_terms_match_words_not_fragments() -> None:
    teams = case(
        category="descriptive",
        required_terms=["data science", "engineering", "IT"],
        source="We see a near even split across data science teams, engineering and IT.",
    )
    assert score_answer(teams, answer("Data science teams, engineering and IT."), TEXTS).correct
    partial = score_answer(teams, answer("Data science and engineering make it happen."), TEXTS)
    assert not partial.correct and partial.terms_missing == ["IT"]


# ---------------------------------------------------------------- the runner


def _fake_engine(question: str, history: list[dict[str, str]] | None = None) -> Answer:
    """Right about ROI, refuses questions about Japan, invents a figure otherwise."""
    if "japan" in question.lower():
        return Answer("The report does not say.", [], grounded=False)
    if any(w in question.lower() for w in ("return on investment", "roi", "pays off")):
        return answer(f"{ROI} [1]", ROI)
    return answer("About 42% of companies, give or take [1].", ROI)


SUBSET = [
    c
    for c in load_cases()
    if c.id
    in {
        "direct-roi-report",
        "direct-roi-plain",
        "direct-understaffed-plain",
        "refusal-japan-share",
        "false-premise-roi-90",
        "derived-roi-complement",
    }
]


def test_the_runner_scores_a_subset_and_writes_three_files(tmp_path: Path) -> None:
    assert len(SUBSET) == 6
    lines: list[str] = []
    code = evaluate(
        _fake_engine,
        SUBSET,
        TEXTS,
        tmp_path / "out",
        baseline_fn=_fake_engine,
        cases_file="subset",
        echo=lines.append,
    )
    assert code == 0  # no gates asked for
    out = tmp_path / "out"
    data = json.loads((out / "results.json").read_text(encoding="utf-8"))
    engine = data["systems"]["engine"]
    assert engine["summary"]["n"] == 6
    by_id = {c["id"]: c for c in engine["cases"]}
    assert by_id["direct-roi-report"]["correct"]
    assert by_id["refusal-japan-share"]["correct"]
    assert not by_id["direct-understaffed-plain"]["correct"]
    assert by_id["direct-understaffed-plain"]["unsupported"] == ["42%"]
    assert "baseline" in data["systems"]
    report = (out / "report.md").read_text(encoding="utf-8")
    assert "| direct |" in report and "direct-understaffed-plain" in report
    assert (out / "accuracy_by_category.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert any("numeric accuracy, direct figures" in line for line in lines)


def test_the_gates_fail_the_run_when_missed(tmp_path: Path) -> None:
    lines: list[str] = []
    code = evaluate(
        _fake_engine,
        SUBSET,
        TEXTS,
        tmp_path,
        min_accuracy=0.98,
        max_unsupported=0,
        echo=lines.append,
    )
    assert code == 1
    assert any("below --min-accuracy 0.980" in line for line in lines)
    assert any("unsupported figures, more than --max-unsupported 0" in line for line in lines)
    data = json.loads((tmp_path / "results.json").read_text(encoding="utf-8"))
    assert data["gates"]["passed"] is False


def test_the_gates_pass_when_met() -> None:
    roi = [c for c in SUBSET if c.id.startswith("direct-roi")]
    run = run_eval(_fake_engine, roi, TEXTS, warmup=False)
    assert run.summary.direct_numeric_accuracy == 1.0
    assert check_gates(run.summary, 0.98, 0) == []


def test_an_answer_that_raises_is_scored_wrong_and_the_run_goes_on() -> None:
    def broken(question: str, history: list[dict[str, str]] | None = None) -> Answer:
        if "Japan" in question:
            raise RuntimeError("model fell over")
        return _fake_engine(question, history)

    run = run_eval(broken, SUBSET, TEXTS, warmup=False)
    errors = [s for s in run.scores if s.error]
    assert [s.id for s in errors] == ["refusal-japan-share"]
    assert "RuntimeError: model fell over" in (errors[0].error or "")
    assert run.summary.errors == 1


def test_followups_get_their_history() -> None:
    seen: list[list[dict[str, str]] | None] = []

    def spy(question: str, history: list[dict[str, str]] | None = None) -> Answer:
        seen.append(history)
        return _fake_engine(question, history)

    followup = next(c for c in load_cases() if c.category == "followup")
    run_eval(spy, [followup], TEXTS, warmup=False)
    assert seen == [[dict(t) for t in followup.history]]


def test_report_texts_are_keyed_by_report_id() -> None:
    texts = load_report_texts(BUNDLED_CORPUS)
    assert texts[REPORT_ID] == REPORT


def test_an_expected_figure_keeps_its_defaults() -> None:
    assert ROI_CASE.expected == (ExpectedFigure(34.2, "%", "exact", 0.05),)


@pytest.mark.model
def test_the_baseline_answers_with_a_number_sentence_from_the_report() -> None:
    from evals.baseline import build_baseline

    with build_baseline(Settings(), TEXTS) as baseline:
        a = baseline.answer("What share felt understaffed?")
    assert a.grounded and len(a.retrieved) == 4
    quote = a.citations[0].quote
    assert a.text == f"{quote} [1]"
    start, end = a.citations[0].start, a.citations[0].end
    assert start is not None and REPORT[start:end] == quote
    assert all(REPORT[h.start : h.end] == h.text for h in a.retrieved)


@pytest.mark.model
def test_survey_rag_eval_runs_the_engine_and_the_baseline(
    indexed_settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from evals.runner import run_eval_command

    args = argparse.Namespace(
        cases=None,
        out=str(tmp_path),
        min_accuracy=1.01,  # unreachable, so the gate must fail the run
        max_unsupported=None,
        no_baseline=False,
        category=["direct", "refusal"],
        limit=4,
    )
    assert run_eval_command(args, indexed_settings) == 1
    printed = capsys.readouterr().out
    assert "engine" in printed and "baseline" in printed
    assert "gate missed: numeric accuracy on direct figures" in printed
    data = json.loads((tmp_path / "results.json").read_text(encoding="utf-8"))
    assert set(data["systems"]) == {"engine", "baseline"}
    assert data["systems"]["engine"]["summary"]["n"] == 4
    assert (tmp_path / "report.md").is_file() and (tmp_path / "accuracy_by_category.png").is_file()
