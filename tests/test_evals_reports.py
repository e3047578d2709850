"""``survey-rag eval --reports``: a fixture report folder ingested, answered, a row per report.

Also the cases files of evals/reports/<id>/ themselves: ``cases.yaml`` (the validation set that
``eval --reports`` runs) and ``tuning.yaml`` (the cases the answerability decision is fitted on)
get the same integrity checks, each source sentence against the report file when it is restored.
"""

from __future__ import annotations

import argparse
from collections import Counter
from pathlib import Path

import pytest

from evals.cases import DEFAULT_CASES, Case, load_cases
from evals.reports import REPORTS_DIR, find_reports, run_reports_command
from rag.errors import InputError
from rag.settings import Settings
from tests.test_ingest_readers import MARKDOWN

# Every cases file of the multi-report set, by its path under evals/reports/.
REPORT_SETS: dict[str, list[Case]] = {
    f"{path.parent.name}/{path.name}": load_cases(path)
    for name in ("cases.yaml", "tuning.yaml")
    for path in sorted(REPORTS_DIR.glob(f"*/{name}"))
}
REPORT_CASES = [(name, case) for name, cases in REPORT_SETS.items() for case in cases]


def _report_text(name: str) -> str | None:
    """The restored report file of a cases file, or None (report.md is not committed)."""
    file = REPORTS_DIR / name.split("/")[0] / "report.md"
    return file.read_text(encoding="utf-8") if file.is_file() else None


def _set_ids(item: tuple[str, Case]) -> str:
    name, case = item
    return f"{name}:{case.id}"


CASES = """
- id: fix-satisfied
  report: fixture-survey
  category: direct
  question: "What share of respondents were satisfied with the language?"
  expected:
    - {value: 93, unit: "%"}
  source: "Overall, **93%** of respondents were *satisfied*"
- id: fix-linux
  report: fixture-survey
  category: direct
  question: "What share deploy to Linux?"
  expected:
    - {value: 96, unit: "%"}
  source: "Linux (96%)"
- id: fix-refusal
  report: fixture-survey
  category: refusal
  question: "What share of respondents use Haskell at work?"
  refuse: true
"""


def reports_dir(tmp_path: Path) -> Path:
    root = tmp_path / "reports"
    folder = root / "fixture-survey"
    folder.mkdir(parents=True)
    (folder / "report.md").write_text(MARKDOWN, encoding="utf-8")
    (folder / "cases.yaml").write_text(CASES, encoding="utf-8")
    (root / "not-restored").mkdir()
    (root / "not-restored" / "cases.yaml").write_text("[]\n", encoding="utf-8")
    return root


def test_find_reports_names_the_unknown_one(tmp_path: Path) -> None:
    root = reports_dir(tmp_path)
    assert [r.id for r in find_reports(root, "all")] == ["fixture-survey", "not-restored"]
    assert find_reports(root, "not-restored")[0].file is None
    with pytest.raises(InputError, match="no report 'nope' under .*: use 'all' or one of"):
        find_reports(root, "fixture-survey,nope")


@pytest.mark.model
def test_reports_are_ingested_aside_and_scored_a_row_each(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = Settings(data_dir=tmp_path / "configured")
    args = argparse.Namespace(
        reports="all",
        reports_dir=str(reports_dir(tmp_path)),
        no_bundled=True,
        cases=None,
        category=None,
        limit=None,
        min_accuracy=None,
        max_unsupported=0,
        out=str(tmp_path / "out"),
    )
    code = run_reports_command(args, settings)
    out = capsys.readouterr().out
    assert "skipped not-restored: no report file" in out
    row = next(line for line in out.splitlines() if line.startswith("fixture-survey"))
    assert row.split()[1] == "3"  # cases
    assert code == 0, out  # no figure stated that the report does not hold
    assert (tmp_path / "out" / "reports" / "fixture-survey" / "results.json").is_file()
    # the configured index was left alone
    assert not (tmp_path / "configured").exists()


def test_report_case_ids_are_unique_across_every_cases_file() -> None:
    bundled = [load_cases(p) for p in sorted(Path(DEFAULT_CASES).parent.glob("*.yaml"))]
    ids = Counter(c.id for cases in [*bundled, *REPORT_SETS.values()] for c in cases)
    assert [i for i, n in ids.items() if n > 1] == []


@pytest.mark.parametrize("name", sorted(REPORT_SETS))
def test_report_questions_are_unique(name: str) -> None:
    questions = Counter(c.question.strip().lower() for c in REPORT_SETS[name])
    assert [q for q, n in questions.items() if n > 1] == []


@pytest.mark.parametrize("name", sorted(n for n in REPORT_SETS if n.endswith("tuning.yaml")))
def test_the_tuning_file_copies_no_validation_question(name: str) -> None:
    validation = REPORT_SETS[name.replace("tuning.yaml", "cases.yaml")]
    seen = {c.question.strip().lower() for c in validation}
    assert [c.id for c in REPORT_SETS[name] if c.question.strip().lower() in seen] == []


@pytest.mark.parametrize("item", REPORT_CASES, ids=_set_ids)
def test_every_report_case_names_its_report(item: tuple[str, Case]) -> None:
    name, case = item
    assert case.report == name.split("/")[0]


@pytest.mark.parametrize("item", [(n, c) for n, c in REPORT_CASES if c.sentences], ids=_set_ids)
def test_every_report_sentence_is_in_the_report_verbatim(item: tuple[str, Case]) -> None:
    name, case = item
    report = _report_text(name)
    if report is None:
        pytest.skip(f"{name.split('/')[0]}/report.md is not restored (see its SOURCE.md)")
    for sentence in case.sentences:
        assert sentence in report, f"{case.id}: not verbatim in report.md: {sentence!r}"


@pytest.mark.parametrize(
    "item", [(n, c) for n, c in REPORT_CASES if c.sentences and c.expected], ids=_set_ids
)
def test_every_report_figure_stands_in_its_sentence(item: tuple[str, Case]) -> None:
    _, case = item
    assert case.unstated_figures() == [], f"{case.id}: not in {case.sentences}"


def test_report_refusals_expect_nothing_and_answerable_cases_expect_something() -> None:
    for name, case in REPORT_CASES:
        if case.refuse:
            assert not case.expected, f"{name}:{case.id}"
            if case.category != "irrelevant_trap":
                assert not case.required_terms, f"{name}:{case.id}"
            if case.required_terms:
                assert case.sentences, f"{name}:{case.id}: name the sentence the terms are from"
        else:
            assert case.expected or case.required_terms, f"{name}:{case.id}"


def test_a_reports_own_gates_replace_the_command_lines(tmp_path: Path) -> None:
    folder = tmp_path / "some-survey"
    folder.mkdir()
    (folder / "cases.yaml").write_text("[]\n", encoding="utf-8")
    (report,) = find_reports(tmp_path)
    assert report.gates() == {}
    (folder / "gates.toml").write_text("min_overall = 0.7\nmin_accuracy = 0.77\n", "utf-8")
    assert report.gates() == {"min_overall": 0.7, "min_accuracy": 0.77}
    (folder / "gates.toml").write_text("min_overall = \n", encoding="utf-8")
    with pytest.raises(InputError, match="gates.toml"):
        report.gates()
