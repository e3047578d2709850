"""``survey-rag eval --reports``: a fixture report folder ingested, answered, a row per report."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from evals.reports import find_reports, run_reports_command
from rag.errors import InputError
from rag.settings import Settings
from tests.test_ingest_readers import MARKDOWN

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
