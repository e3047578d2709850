"""The bundled AIIA report: its text, sections and tables agree, figure by figure."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from ingest.corpus import load_report, load_tables, report_fingerprint
from ingest.facts import facts_for
from ingest.sections import load_sections
from rag.settings import PROJECT_ROOT
from rag.text.numbers import close, contains_figure, extract_figures, units_agree
from rag.types import TableRow

REPORT = PROJECT_ROOT / "corpus" / "aiia-2023"
SEED = PROJECT_ROOT.parent / "shared" / "seeds" / "000_b4e35838f0ebca99.txt"
# Figures that are parts of names, not statements: model versions and product generations.
NAMES = re.compile(r"GPT \d(?:\.\d)?/\d|Gen ?\d")


@pytest.fixture(scope="module")
def bundled() -> tuple[str, list[TableRow]]:
    info, text = load_report(REPORT)
    return text, load_tables(REPORT, text, load_sections(info, text, REPORT))


def test_report_text_is_the_original_bytes() -> None:
    if not SEED.exists():
        pytest.skip(f"no seed copy at {SEED}")
    assert (REPORT / "report.txt").read_bytes() == SEED.read_bytes()


def test_metadata_describes_the_report() -> None:
    info, text = load_report(REPORT)
    assert info.id == "aiia-2023"
    assert info.short == "AIIA survey"
    assert info.year == 2023
    assert "ClearML" in info.publisher and "AI Infrastructure Alliance" in info.publisher
    assert "10,000 employees" in info.surveyed
    assert info.text == text
    assert info.sections[:3] == ("Introduction", "Demography", "Questions")
    assert info.sections[-1] == "The Big Finish"


def test_every_table_row_validates(bundled: tuple[str, list[TableRow]]) -> None:
    _, rows = bundled
    tables = {row.table for row in rows}
    assert {"staffing", "loss_size", "demography", "llm_priority"} <= tables
    assert len(rows) >= 20


def test_every_value_stands_in_its_source_sentence(bundled: tuple[str, list[TableRow]]) -> None:
    text, rows = bundled
    raw = (REPORT / "report.txt").read_bytes()
    for row in rows:
        assert row.source.encode("utf-8") in raw, row.source
        assert contains_figure(extract_figures(row.source), row.value, row.unit), row


def test_every_figure_the_report_states_is_in_a_table(bundled: tuple[str, list[TableRow]]) -> None:
    text, rows = bundled
    names = [m.span() for m in NAMES.finditer(text)]
    spans = [
        (text.index(row.source), text.index(row.source) + len(row.source), row) for row in rows
    ]
    missing = []
    for fig in extract_figures(text):
        if fig.unit == "year" or any(a <= fig.start < b for a, b in names):
            continue  # calendar years and names carry no finding
        covering = [row for start, end, row in spans if start <= fig.start < end]
        stated = any(
            (close(row.value, fig.value) and units_agree(row.unit, fig.unit))
            or contains_figure(extract_figures(row.label), fig.value, fig.unit)
            for row in covering
        )
        if not stated:
            missing.append(f"{fig.raw!r} in {text[max(0, fig.start - 40) : fig.end + 20]!r}")
    assert not missing, "figures in no table:\n" + "\n".join(missing)


def test_known_rows(bundled: tuple[str, list[TableRow]]) -> None:
    _, rows = bundled
    by_label = {(row.table, row.label): row for row in rows}
    staffed = by_label[("staffing", "Understaffed / underfunded")]
    assert (staffed.value, staffed.unit, staffed.section) == (58.8, "%", "Questions › Resources")
    band = by_label[("loss_size", "$100M to $200M")]
    assert (band.value, band.unit, band.qualifier) == (24, "%", "exact")
    unify = by_label[("standardization", "Want to unify platforms across teams")]
    assert (unify.value, unify.qualifier) == (80, "over")
    assert unify.caption.startswith("Is your organization seeking to standardize")


def test_facts_read_on_their_own(bundled: tuple[str, list[TableRow]]) -> None:
    text, rows = bundled
    info, _ = load_report(REPORT)
    facts = facts_for(rows, info, text)
    assert len({f.id for f in facts}) == len(facts)
    for fact in facts:
        assert text[fact.start : fact.end] == fact.source
        assert fact.text.endswith(f"(AIIA survey, {fact.section.split(' › ')[-1]}).")
        assert "{" not in fact.text
        assert contains_figure(extract_figures(fact.text), fact.value, fact.unit)
    staffed = next(f for f in facts if f.row == "Understaffed / underfunded")
    assert staffed.text.startswith("58.8% of respondents felt they were understaffed")
    assert staffed.text.endswith("(AIIA survey, Resources).")
    band = next(f for f in facts if f.row == "$200M or more")
    assert band.text.startswith("10% saw losses of $200M or more")


def test_fact_ids_are_stable(bundled: tuple[str, list[TableRow]]) -> None:
    text, rows = bundled
    info, _ = load_report(REPORT)
    assert [f.id for f in facts_for(rows, info, text)] == [
        f.id for f in facts_for(rows, info, text)
    ]


def test_fingerprint_follows_the_files(tmp_path: Path) -> None:
    import shutil

    copy = tmp_path / "aiia-2023"
    shutil.copytree(REPORT, copy)
    before = report_fingerprint(copy)
    assert before == report_fingerprint(REPORT)
    assert len(before) == 64
    table = copy / "tables" / "roi.csv"
    table.write_text(table.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert report_fingerprint(copy) != before
