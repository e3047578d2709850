"""Readers by format and the figure extractor: pure steps, no model, no store."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from ingest.extract import extract_facts, found_figures, merge_facts
from ingest.plan import plan_report
from ingest.readers import read_document
from ingest.report import load
from rag.errors import CorpusError
from rag.text.offsets import plain_span, raw_span
from rag.text.sentences import report_sentences, split_sentences
from rag.types import Fact

MARKDOWN = """---
title: "Gopher Survey 2024 Results"
date: 2024-12-20
authors: [Ada Lovelace, Alan Turing]
---

<style>
.chart { width: 100% }
</style>

# Gopher Survey 2024 Results

## Satisfaction {#satisfaction}

Overall, **93%** of respondents were *satisfied* with the [language](https://go.dev/doc)
during the past year. Shares can exceed 100%. 87% of respondents would recommend it.

![Bar chart: 61% very satisfied](img/satisfied.svg)

## Where do you deploy? {#deploy}

Respondents deploy to several platforms:

- Linux (96%)
- macOS (46%)
- Windows: 22%

| Editor | Share |
|---|---|
| VS Code | 41% |
| GoLand | 35% |

See the [full report][full] for every chart.

[full]: https://example.org/gopher-2024.pdf "The full report"
"""

HTML = """<!doctype html>
<html><head><title>Cloud Pulse 2025</title>
<meta name="author" content="Cloud Pulse Team">
<meta name="date" content="2025-03-01">
<style>p { color: red } /* 99% */</style>
<script>var share = "77%";</script>
</head>
<body>
<nav><a href="/">Home</a> 12% off everything</nav>
<h1>Cloud Pulse 2025</h1>
<p>We asked 800 engineers about their clouds.</p>
<h2>Adoption</h2>
<p>In total, <b>72%</b> of respondents use more than one cloud &amp; most plan to stay.</p>
<figure><img src="c.png" alt="Chart: 18% use a single cloud"></figure>
<h2>Which cloud do you use most?</h2>
<ul><li>AWS (51%)</li><li>Azure (27%)</li></ul>
<table><tr><th>Region</th><th>Share</th></tr>
<tr><td>Europe</td><td>38%</td></tr></table>
</body></html>
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_markdown_plain_text_has_no_markup_and_maps_back_to_the_file(tmp_path: Path) -> None:
    doc = read_document(write(tmp_path, "results.md", MARKDOWN))
    plain = doc.plain
    for markup in ("**", "](", "https://", "{#", "<style", ".chart", "title:", "img/"):
        assert markup not in plain, markup
    assert "Overall, 93% of respondents were satisfied with the language\nduring" in plain
    assert "Bar chart: 61% very satisfied" in plain
    assert "VS Code: 41%" in plain and "Editor, Share" in plain
    assert "See the full report for every chart." in plain
    # every plain character comes from the same character of the file, or stands for markup
    for i, ch in enumerate(plain):
        if not ch.isspace() and ch not in ":;,":
            assert doc.raw[doc.offsets[i]] == ch
    at = plain.index("93%")
    start, end = doc.raw_span(at, at + 3)
    assert doc.raw[start:end] == "93%"
    runs = doc.runs()
    assert raw_span(runs, at, at + 3) == (start, end)
    assert plain_span(runs, start, end) == (at, at + 3)
    assert doc.meta["authors"] == ["Ada Lovelace", "Alan Turing"]


def test_markdown_links_and_images_wrapped_over_lines_leave_no_markup(tmp_path: Path) -> None:
    # hard-wrapped Markdown, as many published survey write-ups are
    wrapped = (
        "# Results\n\nWe view this as a [lagging\nindicator](https://example.org/a#b) of use.\n\n"
        '<img src="csat.svg" alt="Chart of developer\nsatisfaction" class="chart"\n/>\n\n'
        "It grew, as [prior\nyears](/blog/2023) showed.\n"
    )
    doc = read_document(write(tmp_path, "wrapped.md", wrapped))
    for markup in ("](", "<img", "https", "/blog", "class="):
        assert markup not in doc.plain, markup
    assert "We view this as a lagging\nindicator of use." in doc.plain
    assert "Chart of developer\nsatisfaction" in doc.plain
    at = doc.plain.index("prior")
    start, end = doc.raw_span(at, at + len("prior\nyears"))
    assert doc.raw[start:end] == "prior\nyears"


def test_a_chart_caption_without_a_figure_is_never_a_sentence_to_quote(tmp_path: Path) -> None:
    text = (
        "# Editors\n\nMost respondents use one editor for everything they write.\n\n"
        "![Chart of code editors respondents use](editors.svg)\n\n"
        "![Bar chart: 61% use VS Code](vscode.svg)\n"
    )
    plan = plan_report(write(tmp_path, "editors.md", text), "fp")
    said = [s.text for s in plan.sentences]
    assert "Most respondents use one editor for everything they write." in said
    assert not any("Chart of code editors" in t for t in said)
    assert any("61% use VS Code" in t for t in said)  # alt text that states a figure stays


def test_a_table_header_row_is_never_a_sentence_to_quote(tmp_path: Path) -> None:
    text = (
        "# Participation\n\n"
        "| **Survey** | **Started** | **Completed** | **Views** |\n"
        "|:---:|---:|---:|---:|\n"
        "| 2022 | 11 482 | 9 433 | 25 581 |\n"
        "| 2023 | 11 950 | 9 710 | 16 028 |\n\n"
        "We saw a slight uptick in starts and completions this year.\n"
    )
    plan = plan_report(write(tmp_path, "participation.md", text), "fp")
    said = [s.text for s in plan.sentences]
    # the header names columns and states nothing: its names stay with the rows' facts
    assert not any("Survey, Started" in t for t in said), said
    assert any("9 710" in t for t in said)
    completed = next(f for f in plan.facts if f.value == 9710)
    assert "Completed" in completed.row


def test_markdown_report_identity_and_sections_come_from_the_file(tmp_path: Path) -> None:
    loaded = load(write(tmp_path, "gopher-results.md", MARKDOWN))
    info = loaded.info
    assert (info.id, info.title, info.year) == (
        "gopher-results",
        "Gopher Survey 2024 Results",
        2024,
    )
    assert info.publisher == "Ada Lovelace, Alan Turing"
    assert [s.title for s in loaded.sections] == ["Satisfaction", "Where do you deploy?"]
    overridden = load(loaded.source.path, {"id": "gopher", "title": "Gophers", "year": 2023})
    assert (overridden.info.id, overridden.info.title, overridden.info.year) == (
        "gopher",
        "Gophers",
        2023,
    )


def test_a_sidecar_toml_names_the_report(tmp_path: Path) -> None:
    path = write(tmp_path, "results.md", MARKDOWN)
    write(tmp_path, "results.toml", 'id = "gophers-24"\ntitle = "Gophers"\nyear = 2025\n')
    info = load(path).info
    assert (info.id, info.title, info.year) == ("gophers-24", "Gophers", 2025)


def test_a_sidecar_toml_gives_the_reports_own_words(tmp_path: Path) -> None:
    path = write(tmp_path, "results.md", MARKDOWN)
    write(tmp_path, "results.toml", 'vocabulary = [["devs", "respondents"], ["LSP", "gopls"]]\n')
    assert load(path).info.vocabulary == (("devs", "respondents"), ("LSP", "gopls"))
    write(tmp_path, "results.toml", 'vocabulary = ["devs"]\n')
    with pytest.raises(CorpusError, match="vocabulary must be a list of word groups"):
        load(path)


def test_html_skips_scripts_styles_and_nav_and_keeps_structure(tmp_path: Path) -> None:
    loaded = load(write(tmp_path, "pulse.html", HTML))
    plain = loaded.doc.plain
    for hidden in ("77%", "99%", "color", "Home", "12% off"):
        assert hidden not in plain, hidden
    assert "72% of respondents use more than one cloud & most plan to stay." in plain
    assert "Chart: 18% use a single cloud" in plain
    assert "AWS (51%)\n\nAzure (27%)" in plain
    assert "Europe: 38%" in plain and "Region, Share" in plain
    assert loaded.info.title == "Cloud Pulse 2025"
    assert loaded.info.year == 2025
    assert [s.title for s in loaded.sections] == [
        "Introduction",
        "Adoption",
        "Which cloud do you use most?",
    ]
    at = plain.index("72%")
    start, end = loaded.doc.raw_span(at, at + len("72% of respondents"))
    assert loaded.doc.raw[start:end] == "72%</b> of respondents"


def test_plan_offsets_point_into_the_file_and_text_is_plain(tmp_path: Path) -> None:
    plan = plan_report(write(tmp_path, "results.md", MARKDOWN), "fp")
    raw = plan.info.text
    assert raw == MARKDOWN and plan.info.plain
    for s in plan.sentences:
        assert "**" not in s.text and "](" not in s.text
        assert s.text.split()[0].rstrip(":,") in raw[s.start : s.end]
    satisfied = next(f for f in plan.facts if f.value == 93 and f.origin == "text")
    assert satisfied.subject == "were satisfied with the language during the past year"
    assert raw[satisfied.start : satisfied.end].startswith("Overall, **93%** of respondents")
    assert satisfied.text.startswith("93% of respondents were satisfied with the language")
    linux = next(f for f in plan.facts if f.value == 96)
    macos = next(f for f in plan.facts if f.value == 46)
    assert (linux.subject, macos.subject) == ("Linux", "macOS")
    assert linux.table == macos.table and linux.caption == "Respondents deploy to several platforms"
    assert raw[linux.start : linux.end] == "Linux (96%)"
    vscode = next(f for f in plan.facts if f.value == 41)
    assert vscode.subject == "VS Code" and vscode.caption == "Where do you deploy?"
    # a figure after a sentence end is a sentence of its own
    assert any(s.text == "87% of respondents would recommend it." for s in plan.sentences)
    assert plan.info.sections == ("Satisfaction", "Where do you deploy?")


@pytest.mark.parametrize(
    ("sentence", "subjects"),
    [
        ("Overall, 93% of respondents were satisfied with Go.", ["were satisfied with Go"]),
        ("Most deploy to Linux (58%), then macOS (20%).", ["Linux", "macOS"]),
        ("Only 34.2% felt they could fully show ROI.", ["felt they could fully show ROI"]),
        ("20% saw losses of $50M to $100M.", ["saw losses of $50M to $100M"]),
        ("Nearly half (48%) of teams use Go for work.", ["use Go for work"]),
        ("About half of teams use gRPC (47%).", ["use gRPC"]),
        # the clause goes on past the bracket that restates the words' figure
        (
            "Almost half of Clojure users (49%) had 11 or more years of experience.",
            ["had 11 or more years of experience"],
        ),
        # a share followed by what its part does ("-ing"), whatever stands before it
        (
            "We now see 66% using it at work and 54% using it for hobbies.",
            ["using it at work", "using it for hobbies"],
        ),
        ("United States (22%), Germany (14%)", ["United States", "Germany"]),
        ("A majority (52%) went further.", ["went further"]),
        ("Well over 80% of the people surveyed wanted one platform.", ["wanted one platform"]),
        ("Losses hit more than half of the companies surveyed.", ["companies surveyed"]),
        ("The share using Linux rose to 58% this year.", ["share using Linux"]),
        ("It was released in 2012 and has 4 maintainers.", []),
        # a few words in brackets do not end the clause
        ("20% can write (only) simple programs.", ["can write (only) simple programs"]),
        # "half of respondents" names who answered, not what they did
        ("For nearly half of respondents, this was new.", [""]),
        # the first item of a list the clause introduces is named alone, as the items after it
        # are; a name keeps its dot
        ("The top editors continue to be VS Code (44%) and GoLand (31%).", ["VS Code", "GoLand"]),
        (
            "Python is the top language (33%), alongside Node.js (28%).",
            ["Python is the top language", "Node.js"],
        ),
        # a sample size counts what stands before it, not what the clause goes on to say
        (
            "The respondents who answered (n= 361) have improved their practices.",
            ["The respondents who answered"],
        ),
        ("They learned Git (n = 362) and Python (n = 289).", ["Git", "Python"]),
        (
            "On the low end were sheets (n = 20), R (n = 11), and SQL (n = 5).",
            ["sheets", "R", "SQL"],
        ),
        # a comparison sign names nothing the figure measures
        ("It is likelier in large firms (companies with > 1,000 employees).", [""]),
        # a figure that moved: this edition's figure, of the words before "from"; the one it
        # moved from is no result of this survey
        ("Docs - from 25% to 22% (the new web site helped)", ["Docs"]),
        ('"Using REPLs" went from 45% to 34% (rise of Planck)', ["Using REPLs"]),
        ("Satisfaction rose from 80% to 85% this year.", ["Satisfaction"]),
        # the last edition's figure beside this one's is no result
        (
            "Even more use Figwheel here (76%, up from 71% last year).",
            ["Even more use Figwheel here"],
        ),
        ("More use it at work, 38% vs 34% from last year.", ["More use it at work"]),
        # a word of approximation between a label and its figure
        (
            "Other roles: engineering manager (ca. 7%), analyst (ca. 6%)",
            ["engineering manager", "analyst"],
        ),
    ],
)
def test_subjects_follow_the_clause(sentence: str, subjects: list[str]) -> None:
    assert [f.subject for f in found_figures(sentence)] == subjects


def test_hand_rows_take_precedence_and_unconfirmed_rows_warn(tmp_path: Path) -> None:
    plan = plan_report(write(tmp_path, "results.md", MARKDOWN), "fp")
    found = [f for f in plan.facts if f.origin == "text"]
    hand = found[0].__class__(**{**found[0].__dict__, "origin": "table", "table": "hand"})
    merged, warnings = merge_facts([hand], found)
    assert merged[0] is hand and len(merged) == len(found)
    ghost = hand.__class__(**{**hand.__dict__, "value": 12.0})
    _, warnings = merge_facts([ghost], found)
    assert warnings and "12" in warnings[0] and "tables/hand.csv" in warnings[0]


def test_a_report_without_figures_still_plans(tmp_path: Path) -> None:
    path = write(tmp_path, "notes.md", "# Notes\n\nWe talked to people. They were kind.\n")
    plan = plan_report(path, "fp")
    assert plan.facts == [] and plan.chunks and plan.info.title == "Notes"


def _found_facts(tmp_path: Path, text: str) -> list[Fact]:
    """The facts ingest finds in a plain-text report of ``text``."""
    loaded = load(write(tmp_path, "survey.txt", text))
    sentences = report_sentences("r", loaded.doc.plain, loaded.sections)
    return extract_facts(loaded.info, loaded.doc.plain, sentences)


def test_txt_report_is_its_own_plain_text(tmp_path: Path) -> None:
    loaded = load(write(tmp_path, "survey.txt", "Key Findings\n\nAbout 40% of firms said yes.\n"))
    assert loaded.doc.identity and loaded.info.plain == "" and loaded.info.offsets == ()
    sentences = report_sentences("r", loaded.doc.plain, loaded.sections)
    facts = extract_facts(loaded.info, loaded.doc.plain, sentences)
    assert [(f.value, f.subject) for f in facts] == [(40.0, "said yes")]


def test_a_figure_counted_in_a_narrower_group_is_stated_with_its_group(tmp_path: Path) -> None:
    text = (
        "Satisfaction\n\nThe trend held this year; among riders with less than a year of "
        "experience, 82% were satisfied, compared to 94% of riders with five years or more. "
        "Overall, 88% were satisfied with the routes.\n"
    )
    facts = {f.value: f for f in _found_facts(tmp_path, text)}
    # "82% were satisfied" alone would read as everyone's figure
    assert "less than a year" in facts[82.0].text
    assert facts[88.0].text.startswith("88% were satisfied with the routes")


def test_a_figure_of_last_years_survey_is_stated_with_its_year(tmp_path: Path) -> None:
    text = (
        "Cloud\n\nLast year, 51% of respondents said they were deploying into the public "
        "cloud. This year, that number is up to 57%.\n"
    )
    facts = {f.value: f for f in _found_facts(tmp_path, text)}
    # "51% of respondents said they were deploying ..." alone would read as this year's share
    assert facts[51.0].text.startswith("Last year, 51%"), facts[51.0].text
    assert facts[57.0].qualifier == "exact"


def test_a_change_in_percentage_points_is_a_figure_of_its_own(tmp_path: Path) -> None:
    text = "Editors\n\nThe leading editor is still first, but its share has dropped by 5pp.\n"
    facts = _found_facts(tmp_path, text)
    assert [(f.value, f.unit) for f in facts] == [(5.0, "")]


def test_answers_after_the_sentence_that_asked_take_it_as_their_caption(tmp_path: Path) -> None:
    text = (
        "Commuting\n\nWe asked whether respondents cycle to work. "
        "Out of those who answered, 61% said no and 30% said yes.\n"
    )
    facts = _found_facts(tmp_path, text)
    assert {f.caption for f in facts} == {"We asked whether respondents cycle to work."}
    assert len({f.table for f in facts}) == 1


# Bad input: each a one-line error naming the file.


def _pdf_bytes(tmp_path: Path, *, encrypt: bool = False, pages: int = 1) -> Path:
    from pypdf import PdfWriter

    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=200, height=200)
    if encrypt:
        writer.encrypt(user_password="secret", owner_password="owner")
    path = tmp_path / ("locked.pdf" if encrypt else "scan.pdf")
    with path.open("wb") as f:
        writer.write(f)
    return path


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: _pdf_bytes(p), r"scan\.pdf: the PDF's 1 page\(s\) hold no text"),
        (lambda p: _pdf_bytes(p, encrypt=True), r"locked\.pdf: the PDF is encrypted"),
        (lambda p: write(p, "empty.pdf", ""), r"empty\.pdf: .*PDF"),
        (
            lambda p: write(p, "blank.html", "<html><script>x=1</script><p> </p></html>"),
            r"blank\.html: the page has no text",
        ),
        (
            lambda p: write(p, "bad.md", "---\ntitle: [unclosed\n---\n\nText.\n"),
            r"bad\.md line \d+: front matter is not valid YAML",
        ),
        (
            lambda p: write(p, "open.md", "---\ntitle: x\n\nText.\n"),
            r"open\.md line 1: front matter has no closing",
        ),
        (lambda p: write(p, "notes.docx", "x"), r"notes\.docx: unknown report format"),
    ],
)
def test_bad_input_is_one_line_naming_the_file(
    tmp_path: Path, make: Callable[[Path], Path], message: str
) -> None:
    path = make(tmp_path)
    with pytest.raises(CorpusError, match=message) as caught:
        load(path)
    assert "\n" not in str(caught.value)


def test_pdf_line_end_hyphens_rejoin_in_the_plain_text(tmp_path: Path) -> None:
    from ingest.readers.pdf import read_pdf_text

    raw = "Most teams run infra-\nstructure on Linux.\nA line break inside a sentence\nstays."
    doc = read_pdf_text(tmp_path / "r.pdf", raw)
    assert doc.plain.startswith("Most teams run infrastructure on Linux.")
    at = doc.plain.index("infrastructure")
    start, end = doc.raw_span(at, at + len("infrastructure"))
    assert doc.raw[start:end] == "infra-\nstructure"
    spans = split_sentences(doc.plain)
    assert [doc.plain[a:b] for a, b in spans][1] == "A line break inside a sentence\nstays."


def test_a_pdf_file_plans_with_sections_and_facts(tmp_path: Path) -> None:
    from tests.test_corpus_sections import _pdf

    lines = ["Key Findings", "About 40% of firms said yes.", "Method", "We asked 300 firms."]
    path = tmp_path / "pdf-survey-2024.pdf"
    path.write_bytes(_pdf(lines))
    plan = plan_report(path, "fp")
    assert (plan.info.id, plan.info.year) == ("pdf-survey-2024", 2024)
    assert [s.title for s in plan.sections] == ["Key Findings", "Method"]
    (fact,) = [f for f in plan.facts if f.unit == "%"]
    assert (fact.value, fact.qualifier, fact.origin) == (40.0, "about", "text")
    assert plan.info.text[fact.start : fact.end] == "About 40% of firms said yes."


def _markdown_facts(tmp_path: Path, text: str) -> list[Fact]:
    """The facts ingest finds in a Markdown report of ``text``."""
    loaded = load(write(tmp_path, "survey.md", text))
    sentences = report_sentences("r", loaded.doc.plain, loaded.sections)
    return extract_facts(loaded.info, loaded.doc.plain, sentences, loaded.doc.blocks)


def test_a_table_under_a_header_states_each_cell_in_its_columns_unit(tmp_path: Path) -> None:
    text = (
        "# Fields\n\nRespondents named their field.\n\n"
        "| Field | n | % |\n|:--|--:|--:|\n"
        "| Life Sciences | 166 | 26.7 |\n| Physics. | 57 | 9.2 |\n\n"
        "| Survey | Started | Completed |\n|---|---|---|\n| 2024 | 9 450 | 7 310 |\n"
    )
    found = [(f.row, f.value, f.unit) for f in _markdown_facts(tmp_path, text)]
    assert found == [
        ("Life Sciences", 166.0, "respondents"),
        ("Life Sciences", 26.7, "%"),
        ("Physics", 57.0, "respondents"),
        ("Physics", 9.2, "%"),
        # a column that is not a share or a count names what the cell measures
        ("Started (2024)", 9450.0, ""),
        ("Completed (2024)", 7310.0, ""),
    ]


def test_a_cross_tabulation_gives_no_figure_per_cell(tmp_path: Path) -> None:
    text = (
        "# Both\n\n| | Meetup | Course |\n|---|---|---|\n| Meetup | 35 | 8 |\n| Course | 8 | 24 |\n"
    )
    assert _markdown_facts(tmp_path, text) == []


def test_a_setext_title_is_a_section(tmp_path: Path) -> None:
    text = "Report\n======\n\nImpact\n------\n\nMost learners (77%) gained confidence.\n"
    loaded = load(write(tmp_path, "survey.md", text))
    assert [s.title for s in loaded.sections][-1] == "Impact"


ASCIIDOC = """= Lisp Survey 2016 Results
Jane Doe
2017-01-31
:jbake-type: post

ifdef::env-github,env-browser[:outfilesuffix: .adoc]

Welcome back: 2,420 of you took the survey. See <<lisp-2016#cloud,the cloud section>> and
the https://example.org/results[complete results].

image::/images/2017-01-31/use.jpg[Lisp uses]

[[cloud]]
=== Lisp users are adopting the public cloud

We found 51% of respondents deploying into the public cloud.

* Docs - from 25% to 22%
** Portability - from 10% to 5%

== Detailed Results

----
(lisp (code))
----
"""


def test_asciidoc_saved_as_markdown_keeps_its_sections_header_and_link_text(
    tmp_path: Path,
) -> None:
    # AsciiDoc blogs (Asciidoctor, JBake) publish survey results too, often under a .md name
    loaded = load(write(tmp_path, "lisp-2016.md", ASCIIDOC))
    info = loaded.info
    assert (info.title, info.year, info.publisher) == ("Lisp Survey 2016 Results", 2017, "Jane Doe")
    assert [s.title for s in loaded.sections] == [
        "Introduction",
        "Lisp users are adopting the public cloud",
        "Detailed Results",
    ]
    doc = read_document(write(tmp_path, "lisp.adoc", ASCIIDOC))
    for markup in ("<<", "[[", "jbake", "ifdef", "image::", "https://", "----", "2017-01-31"):
        assert markup not in doc.plain, markup
    assert "See the cloud section and\nthe complete results." in doc.plain
    assert "Lisp uses" in doc.plain  # a chart keeps its alt text, as a block of its own
    assert "Portability - from 10% to 5%" in doc.plain
    at = doc.plain.index("51%")
    start, end = doc.raw_span(at, at + 3)
    assert doc.raw[start:end] == "51%"


def test_a_figure_that_moved_is_found_at_its_new_value() -> None:
    found = found_figures("Docs - from 25% to 22% (the new web site helped)")
    assert [(f.figure.value, f.subject) for f in found] == [(22.0, "Docs")]
    # a range is no move: both ends stay as they were read
    ranged = found_figures("Responses ranged from 10% to 20% across regions.")
    assert [f.figure.value for f in ranged] == [10.0]
