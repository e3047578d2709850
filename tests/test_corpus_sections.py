"""Splitting reports into sections: the bundled report, a user's plain-text report, Markdown."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.corpus import load_report
from ingest.sections import body_end, load_sections, section_at, section_span, split_sections
from rag.settings import PROJECT_ROOT
from rag.types import Section

REPORT = PROJECT_ROOT / "corpus" / "aiia-2023"
TOPICS = [
    "LLM adoption",
    "Blockers",
    "Policies",
    "Resources",
    "Models",
    "Fine-tuning",
    "ROI",
    "Control and budgets",
    "Standardization",
    "Governance and losses",
    "Value and priorities",
    "Importance of AI",
    "Revenue",
    "Expectations",
]


@pytest.fixture(scope="module")
def bundled() -> tuple[str, list[Section]]:
    info, text = load_report(REPORT)
    return text, load_sections(info, text, REPORT)


def test_top_level_sections_in_order(bundled: tuple[str, list[Section]]) -> None:
    _, sections = bundled
    tops = [s.title for s in sections if s.parent is None]
    assert tops == ["Introduction", "Demography", "Questions", "The Big Finish"]


def test_topics_inside_questions(bundled: tuple[str, list[Section]]) -> None:
    _, sections = bundled
    topics = [s for s in sections if s.parent == "Questions"]
    assert [s.title for s in topics] == [f"Questions › {t}" for t in TOPICS]


def test_spans_tile_the_text_except_headings_and_the_web_addresses(
    bundled: tuple[str, list[Section]],
) -> None:
    text, sections = bundled
    assert text[: sections[0].start].strip() == ""
    gaps = [text[a.end : b.start].strip() for a, b in zip(sections, sections[1:], strict=False)]
    assert [g for g in gaps if g] == ["Demography", "Questions", "The Big Finish"]
    for s in sections:
        assert s.start < s.end
        assert text[s.start : s.end] == text[s.start : s.end].strip()
    tail = text[sections[-1].end :]
    assert tail.split() == [
        "ai-infrastructure.orglinkedin.com/company/ai-infrastructure-alliancetwitter.com/AiInfra",
        "clear.mllinkedin.com/company/clearml",
    ]
    assert sections[-1].end == body_end(text)
    assert not any("clear.ml" in text[s.start : s.end] for s in sections)


def test_headings_are_not_in_section_text(bundled: tuple[str, list[Section]]) -> None:
    text, sections = bundled
    demography = next(s for s in sections if s.title == "Demography")
    assert text[demography.start :].startswith("To start with, let’s understand")
    finish = next(s for s in sections if s.title == "The Big Finish")
    assert text[finish.start :].startswith("Despite some big losses")


def test_a_known_sentence_maps_to_its_section(bundled: tuple[str, list[Section]]) -> None:
    text, sections = bundled
    at = text.index("58.8% felt they were understaffed")
    assert section_at(sections, at).title == "Questions › Resources"
    assert section_at(sections, text.index("Every respondent had")).title == "Demography"
    assert section_at(sections, 0).title == "Introduction"
    heading = text.index("DemographyTo")
    assert section_at(sections, heading).title == "Demography"
    assert section_at(sections, len(text) - 1).title == "The Big Finish"


def test_section_span_covers_the_topics(bundled: tuple[str, list[Section]]) -> None:
    text, sections = bundled
    span = section_span(sections, "Questions")
    assert span is not None
    assert text[span[0] :].startswith("Now let’s dive")
    assert text[: span[1]].endswith("reduce costs.")
    assert section_span(sections, "Questions › ROI") is not None
    assert section_span(sections, "Nowhere") is None


def test_headings_found_without_metadata(bundled: tuple[str, list[Section]]) -> None:
    text, _ = bundled
    titles = [s.title for s in split_sections(text)]
    assert titles == ["Introduction", "Demography", "Questions", "The Big Finish"]


USER_REPORT = (
    "We asked 500 companies about their data.\n"
    "Who We AskedMost were banks.YouTube came up often; YouTube is popular.\n"
    "ResultsAbout 40% said yes.Nobody said no.\n\n"
    "example.com | twitter.com/example\n"
)


def test_a_users_plain_text_report_splits_at_glued_headings(tmp_path: Path) -> None:
    folder = tmp_path / "acme-2024"
    folder.mkdir()
    (folder / "report.txt").write_text(USER_REPORT, encoding="utf-8")
    info, text = load_report(folder)
    assert info.sections == ("Introduction", "Who We Asked", "Results")
    assert (info.id, info.year, info.title) == ("acme-2024", 2024, "Acme 2024")
    sections = load_sections(info, text, folder)
    results = sections[-1]
    assert text[results.start : results.end] == "About 40% said yes.Nobody said no."


def test_headings_on_their_own_lines(tmp_path: Path) -> None:
    text = (
        "Key Findings\n\nMost teams ship weekly. Some ship daily.\n\n"
        "Methods and Sample\nWe asked 300 engineers.\n"
    )
    sections = split_sections(text)
    assert [s.title for s in sections] == ["Key Findings", "Methods and Sample"]
    assert text[sections[1].start : sections[1].end] == "We asked 300 engineers."


def test_metadata_headings_and_topics(tmp_path: Path) -> None:
    metadata = {
        "sections": [
            {"title": "Opening"},
            {
                "title": "Results",
                "heading": "Results",
                "topics": [{"title": "Yes", "starts_at": "About 40%"}],
            },
        ]
    }
    text = "We asked 500 companies.ResultsIn short: About 40% said yes."
    sections = split_sections(text, metadata=metadata)
    assert [(s.title, s.parent) for s in sections] == [
        ("Opening", None),
        ("Results", None),
        ("Results › Yes", "Results"),
    ]
    assert text[sections[2].start : sections[2].end] == "About 40% said yes."


MARKDOWN = """# Cloud Survey 2024

A short preface.

## Method

We asked 200 firms.

## Results

### Costs

Costs rose for 60% of firms.

### Staff

Staff stayed flat.
"""


def test_markdown_headings_become_nested_sections(tmp_path: Path) -> None:
    folder = tmp_path / "cloud"
    folder.mkdir()
    (folder / "report.md").write_text(MARKDOWN, encoding="utf-8")
    info, text = load_report(folder)
    assert info.title == "Cloud Survey 2024"
    sections = load_sections(info, text, folder)
    assert [(s.title, s.parent) for s in sections] == [
        ("Introduction", None),
        ("Method", None),
        ("Results › Costs", "Results"),
        ("Results › Staff", "Results"),
    ]
    spans = {s.title: text[s.start : s.end] for s in sections}
    assert spans["Introduction"] == "A short preface."
    assert spans["Results › Costs"] == "Costs rose for 60% of firms."
    assert not any("#" in body for body in spans.values())
    assert section_span(sections, "Results") == (sections[2].start, sections[3].end)


def test_markdown_with_several_top_headings_keeps_them_in_paths() -> None:
    text = "# One\n\nAlpha.\n\n## Sub\n\nBeta.\n\n# Two\n\nGamma.\n"
    sections = split_sections(text, markdown=True)
    assert [s.title for s in sections] == ["One", "One › Sub", "Two"]


def test_a_report_without_headings_is_one_section() -> None:
    text = "Just one paragraph about 30% of firms."
    assert [(s.title, s.start, s.end) for s in split_sections(text)] == [("Report", 0, len(text))]


def _pdf(lines: list[str]) -> bytes:
    """A one-page PDF with one line of Helvetica text per entry."""
    content = "BT /F1 12 Tf 72 720 Td 14 TL " + " ".join(f"({line}) '" for line in lines) + " ET"
    objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        "/Resources << /Font << /F1 5 0 R >> >> >>",
        f"<< /Length {len(content)} >>\nstream\n{content}\nendstream",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = b"%PDF-1.4\n"
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n{body}\nendobj\n".encode()
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\n".encode()
    return out + f"startxref\n{xref}\n%%EOF\n".encode()


def test_a_pdf_report_loads_and_splits(tmp_path: Path) -> None:
    folder = tmp_path / "pdf-survey"
    folder.mkdir()
    lines = ["Key Findings", "About 40% of firms said yes.", "Method", "We asked 300 firms."]
    (folder / "report.pdf").write_bytes(_pdf(lines))
    info, text = load_report(folder)
    assert "About 40% of firms said yes." in text
    sections = load_sections(info, text, folder)
    assert [s.title for s in sections] == ["Key Findings", "Method"]
    assert text[sections[1].start : sections[1].end] == "We asked 300 firms."
