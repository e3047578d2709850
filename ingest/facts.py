"""Turn validated table rows into facts: sentences that read on their own and cite their source."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable

from ingest.sections import SEP
from rag.errors import CorpusError
from rag.text.numbers import format_figure
from rag.types import Fact, ReportInfo, TableRow


def fact_id(report: str, row: TableRow) -> str:
    """A stable content hash of the row: the same row in the same report keeps its id."""
    key = "/".join([report, row.table, row.label, repr(row.value), row.source])
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]


def fact_text(row: TableRow, report: ReportInfo) -> str:
    """The row as one sentence, e.g. '58.8% of respondents felt ... (AIIA survey, Resources).'"""
    figure = format_figure(row.value, row.unit, row.qualifier)
    if row.statement:
        body = row.statement.format(value=figure, label=row.label)
    else:
        body = f"{row.caption.rstrip('?. ')}: {row.label}: {figure}"
    body = body.strip().rstrip(".")
    body = body[:1].upper() + body[1:]
    leaf = row.section.rsplit(SEP, 1)[-1]
    return f"{body} ({report.short or report.title or report.id}, {leaf})."


def row_to_fact(row: TableRow, report: ReportInfo, text: str) -> Fact:
    """The fact a table row states, with the offsets of its source sentence in ``text``."""
    start = text.find(row.source)
    if start < 0:
        raise CorpusError(
            f"tables/{row.table}.csv", "source sentence not found in the report text", row.line
        )
    return Fact(
        id=fact_id(report.id, row),
        report=report.id,
        table=row.table,
        caption=row.caption,
        row=row.label,
        value=row.value,
        unit=row.unit,
        qualifier=row.qualifier,
        section=row.section,
        text=fact_text(row, report),
        source=row.source,
        start=start,
        end=start + len(row.source),
    )


def facts_for(rows: Iterable[TableRow], report: ReportInfo, text: str) -> list[Fact]:
    """The facts of every row, in table order."""
    return [row_to_fact(row, report, text) for row in rows]


_ASKS = {"%": "what share", "USD": "how much", "": "how many", "year": "in what year"}
_TIME = ("minutes", "hours", "days", "weeks", "months", "years")


def question_form(fact: Fact) -> str:
    """The fact asked as a question: its figure replaced by what a reader would ask for.

    '58.8% of respondents felt understaffed' -> 'what share of respondents felt understaffed?'.
    Questions are matched to questions better than to statements, so this is embedded too.
    """
    from rag.answering.knowledge import list_label

    body = re.sub(r"\s*\([^()]*\)\s*\.?\s*$", "", fact.text).strip().rstrip(".")
    figure = format_figure(fact.value, fact.unit, fact.qualifier)
    if fact.unit in _TIME:
        ask = "how long"
    else:
        ask = _ASKS.get(fact.unit, f"how many {fact.unit}".strip())
    label = list_label(fact)
    if label is not None:
        # one item of a list sentence ("in order: United States (22%), Germany (14%), ..."):
        # asked by its own label, not by the whole list that every item shares
        source = " ".join(fact.source.split())
        lead = source[: source.find(":")].strip()
        whom = f"{ask} of respondents" if fact.unit == "%" else ask
        return f"{whom[:1].upper()}{whom[1:]}: {label}? ({lead})"
    if figure.lower() in body.lower():
        body = re.sub(re.escape(figure), ask, body, count=1, flags=re.I)
        body = re.sub(r"^(?:only|just|about|nearly|over|some)\s+", "", body, flags=re.I)
    else:
        body = f"{ask}: {body}"
    return body[:1].upper() + body[1:] + "?"
