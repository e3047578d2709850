"""Malformed reports, metadata and tables fail with a CorpusError naming the file and the line."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from ingest.corpus import load_report, load_tables, report_fingerprint
from ingest.sections import load_sections
from rag.errors import CorpusError, InputError
from rag.types import TableRow

TEXT = (
    "We asked 300 companies.ResultsOnly 41.2% felt fully staffed. "
    "For the rest, 58.8% felt they were understaffed.\n"
)
HEADER = "caption,label,value,unit,qualifier,section,statement,source"
GOOD = (
    "Staffing,Understaffed,58.8,%,exact,Results,{value} of respondents felt understaffed,"
    '"For the rest, 58.8% felt they were understaffed."'
)


def make_report(tmp_path: Path, *rows: str, header: str = HEADER) -> Path:
    folder = tmp_path / "demo"
    (folder / "tables").mkdir(parents=True, exist_ok=True)
    (folder / "report.txt").write_text(TEXT, encoding="utf-8")
    (folder / "tables" / "staffing.csv").write_text(
        "\n".join([header, *rows]) + "\n", encoding="utf-8"
    )
    return folder


def tables(folder: Path) -> list[TableRow]:
    info, text = load_report(folder)
    return load_tables(folder, text, load_sections(info, text, folder))


def where(folder: Path, line: int, name: str = "staffing.csv") -> str:
    return re.escape(f"{folder / 'tables' / name} line {line}: ")


def test_a_good_table_loads(tmp_path: Path) -> None:
    folder = make_report(tmp_path, GOOD)
    [row] = tables(folder)
    assert (row.table, row.label, row.value, row.unit, row.line) == (
        "staffing",
        "Understaffed",
        58.8,
        "%",
        2,
    )


def test_missing_column(tmp_path: Path) -> None:
    header = HEADER.replace(",statement", "")
    folder = make_report(
        tmp_path, GOOD.replace(",{value} of respondents felt understaffed", ""), header=header
    )
    with pytest.raises(CorpusError, match=where(folder, 1) + "missing column 'statement'"):
        tables(folder)


def test_non_numeric_value(tmp_path: Path) -> None:
    folder = make_report(tmp_path, GOOD, GOOD.replace(",58.8,", ",58.8%,"))
    with pytest.raises(CorpusError, match=where(folder, 3) + "value '58.8%' is not a plain number"):
        tables(folder)


def test_value_not_in_its_source_sentence(tmp_path: Path) -> None:
    folder = make_report(tmp_path, GOOD.replace(",58.8,", ",58.9,"))
    with pytest.raises(
        CorpusError, match=where(folder, 2) + "value 58.9 not found in its source sentence"
    ):
        tables(folder)


def test_value_with_the_wrong_unit(tmp_path: Path) -> None:
    folder = make_report(tmp_path, GOOD.replace(",%,", ",users,"))
    with pytest.raises(
        CorpusError, match=where(folder, 2) + "value 58.8 not found .* unit 'users'"
    ):
        tables(folder)


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (",%,", ",percent,", "unit 'percent' is not one of"),
        (",exact,", ",roughly,", "qualifier 'roughly' is not one of"),
        (",exact,", ",over,", "qualifier 'over' disagrees with its source sentence ('58.8%')"),
        (",Results,", ",Findings,", "unknown section 'Findings'"),
        ("they were understaffed", "they were under-staffed", "source sentence not found verbatim"),
        ("{value} of respondents", "{value} of 300 respondents", "statement has digits of its own"),
        ("{value} of respondents", "Most respondents", "statement has no {value} placeholder"),
        ("{value} of respondents", "{value} of {who}", "statement has unknown placeholder {who}"),
        ("{value} of respondents", "{value} of three hundred firms", "statement states"),
        (",Understaffed,", ",Understaffed (over 70%),", "label states '70%'"),
        ("Staffing,Under", ",Under", "caption is empty"),
    ],
)
def test_bad_cells(tmp_path: Path, old: str, new: str, message: str) -> None:
    folder = make_report(tmp_path, GOOD.replace(old, new))
    with pytest.raises(CorpusError, match=where(folder, 2) + re.escape(message)):
        tables(folder)


def test_source_outside_its_section(tmp_path: Path) -> None:
    row = GOOD.replace(
        '"For the rest, 58.8% felt they were understaffed."', "We asked 300 companies."
    )
    row = row.replace(",58.8,%,", ",300,companies,").replace(",Results,", ",Results,")
    folder = make_report(tmp_path, row)
    with pytest.raises(
        CorpusError, match=where(folder, 2) + "source sentence lies in section 'Introduction'"
    ):
        tables(folder)


def test_duplicate_row(tmp_path: Path) -> None:
    folder = make_report(tmp_path, GOOD, GOOD)
    with pytest.raises(CorpusError, match=where(folder, 3) + "duplicate of line 2"):
        tables(folder)


def test_wrong_number_of_cells(tmp_path: Path) -> None:
    folder = make_report(tmp_path, GOOD + ",extra")
    with pytest.raises(CorpusError, match=where(folder, 2) + "9 cells, but the header has 8"):
        tables(folder)


def test_table_not_utf8(tmp_path: Path) -> None:
    folder = make_report(tmp_path, GOOD)
    path = folder / "tables" / "staffing.csv"
    path.write_bytes(path.read_bytes() + b"x,caf\xe9\n")
    offset = path.read_bytes().index(b"\xe9")
    with pytest.raises(CorpusError, match=where(folder, 3) + f"not valid UTF-8 at byte {offset}"):
        tables(folder)


def test_report_not_utf8(tmp_path: Path) -> None:
    folder = make_report(tmp_path, GOOD)
    (folder / "report.txt").write_bytes(b"First line.\nCaf\xe9 second line.\n")
    with pytest.raises(
        CorpusError, match=re.escape(f"{folder / 'report.txt'} line 2: not valid UTF-8 at byte 15")
    ):
        load_report(folder)


def test_empty_report(tmp_path: Path) -> None:
    folder = make_report(tmp_path, GOOD)
    (folder / "report.txt").write_text(" \n\n", encoding="utf-8")
    with pytest.raises(CorpusError, match="report.txt: the report is empty"):
        load_report(folder)


def test_missing_folder(tmp_path: Path) -> None:
    with pytest.raises(CorpusError, match="no such report folder") as caught:
        load_report(tmp_path / "nowhere")
    assert isinstance(caught.value, InputError)
    with pytest.raises(CorpusError, match="no such report folder"):
        report_fingerprint(tmp_path / "nowhere")


def test_folder_without_a_report(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    with pytest.raises(CorpusError, match="no report file: add one of report.txt, report.md"):
        load_report(tmp_path / "empty")


def test_bad_toml(tmp_path: Path) -> None:
    folder = make_report(tmp_path, GOOD)
    (folder / "report.toml").write_text('id = "demo"\ntitle = \n', encoding="utf-8")
    with pytest.raises(CorpusError, match=re.escape(f"{folder / 'report.toml'} line 2: not valid")):
        load_report(folder)


def test_toml_with_a_wrong_type(tmp_path: Path) -> None:
    folder = make_report(tmp_path, GOOD)
    (folder / "report.toml").write_text('year = "2023"\n', encoding="utf-8")
    with pytest.raises(CorpusError, match="report.toml: year must be a whole number, not '2023'"):
        load_report(folder)


def test_metadata_heading_not_in_the_report(tmp_path: Path) -> None:
    folder = make_report(tmp_path, GOOD)
    (folder / "report.toml").write_text(
        '[[sections]]\ntitle = "Intro"\n[[sections]]\ntitle = "Method"\nheading = "Method"\n',
        encoding="utf-8",
    )
    with pytest.raises(CorpusError, match="heading 'Method' of section 'Method' not found"):
        load_report(folder)


def test_topic_anchor_not_in_its_section(tmp_path: Path) -> None:
    folder = make_report(tmp_path, GOOD)
    (folder / "report.toml").write_text(
        '[[sections]]\ntitle = "Intro"\n[[sections]]\ntitle = "Results"\nheading = "Results"\n'
        '[[sections.topics]]\ntitle = "Sample"\nstarts_at = "We asked 300"\n',
        encoding="utf-8",
    )
    with pytest.raises(
        CorpusError, match="topic 'Sample': starts_at 'We asked 300' not found inside section"
    ):
        load_report(folder)


def test_unreadable_pdf(tmp_path: Path) -> None:
    folder = tmp_path / "scan"
    folder.mkdir()
    (folder / "report.pdf").write_bytes(b"%PDF-1.4 this is not really a pdf")
    with pytest.raises(CorpusError, match="report.pdf: cannot read the PDF"):
        load_report(folder)
