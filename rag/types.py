"""The small values that cross every boundary: chunks, sentences, facts, hits, citations, answers.

Defined once here; ingest writes them, rag reads and returns them, ui and evals consume them.
LangChain's Document never leaves the chain module.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Kind = Literal["passage", "fact", "about"]  # "about": the report's metadata
Qualifier = Literal["exact", "over", "under", "about", "at_least", "at_most"]


@dataclass(frozen=True)
class Section:
    """A section of a report: its title and the [start, end) span it covers in the text."""

    title: str
    start: int
    end: int
    parent: str | None = None  # "Questions" for a topic inside the Questions section


@dataclass(frozen=True)
class ReportInfo:
    """What the product knows about one report, shown in the UI's About panel."""

    id: str
    title: str
    publisher: str
    year: int
    surveyed: str
    sections: tuple[str, ...]
    text: str = field(repr=False, default="")
    source_url: str | None = None
    short: str = ""  # short name for fact captions, e.g. "Go survey"; falls back to the title
    # Words this report needs matched as one ("gen AI" = "generative AI"), from report.toml.
    vocabulary: tuple[tuple[str, ...], ...] = ()
    # The report as indexed when markup was stripped (Markdown, HTML, PDF line ends): every
    # offset elsewhere indexes ``text`` (the file); ``offsets`` maps ``plain`` back to it as
    # runs of (plain index, text index), see rag.text.offsets. Empty when plain == text.
    plain: str = field(repr=False, default="")
    offsets: tuple[tuple[int, int], ...] = field(repr=False, default=())


@dataclass(frozen=True)
class Chunk:
    """A sentence-aligned passage: plain ``text``; ``start``/``end`` index the report file."""

    id: str
    report: str
    section: str
    text: str
    start: int
    end: int


@dataclass(frozen=True)
class Sentence:
    """A report sentence a citation quotes: plain ``text``, ``start``/``end`` in the report file."""

    report: str
    section: str
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class TableRow:
    """One row of a result table in ``corpus/<report>/tables/*.csv``, already validated."""

    table: str  # file stem, e.g. "staffing"
    caption: str
    label: str
    value: float
    unit: str  # "%", "companies", "employees", "USD", "users", "years", "months", "days"
    qualifier: Qualifier
    section: str
    source: str  # the verbatim report sentence that states the value
    line: int  # line number in the CSV, for error messages
    statement: str = ""  # the fact with a {value} (and optional {label}) placeholder


@dataclass(frozen=True)
class Fact:
    """A stated figure as a sentence that reads on its own, with where it came from."""

    id: str
    report: str
    table: str
    caption: str  # the table's caption (the survey question)
    row: str
    value: float
    unit: str
    qualifier: Qualifier
    section: str
    text: str  # the self-standing fact sentence that is embedded and cited
    source: str  # the verbatim source sentence
    start: int  # offsets of the source sentence in the report file
    end: int
    origin: str = "table"  # "table": a hand-made tables/*.csv row; "text": found in the prose
    subject: str = ""  # what the figure measures, e.g. "deploy to Linux"


@dataclass(frozen=True)
class Hit:
    """A retrieved item (passage or fact) with its fused score."""

    kind: Kind
    id: str
    report: str
    section: str
    text: str
    start: int
    end: int
    score: float
    fact: Fact | None = None


@dataclass(frozen=True)
class Citation:
    """A source an answer cites: ``[id]`` in the answer text points here."""

    id: int
    report: str
    section: str
    quote: str
    kind: Kind
    start: int | None = None
    end: int | None = None
    table: str | None = None  # for facts: the table and row the figure came from
    row: str | None = None


@dataclass(frozen=True)
class ChartRow:
    label: str
    value: float
    qualifier: Qualifier = "exact"
    marked: bool = False  # the row the answer cited


@dataclass(frozen=True)
class Chart:
    """A result table drawn from cited facts, for the UI to plot."""

    table: str
    caption: str
    unit: str
    rows: tuple[ChartRow, ...]


@dataclass(frozen=True)
class Target:
    """What a part of a question is about: a report, and in it a table, rows or a section."""

    report: str
    table: str | None = None
    rows: tuple[str, ...] = ()  # fact ids
    section: str | None = None


@dataclass(frozen=True)
class PlanPart:
    """One question inside the user's question, read into an intent and its targets."""

    text: str
    intent: str  # figure, breakdown, compare, extreme, sum, difference, complement, ratio, ...
    confidence: float  # the intent classifier's probability
    targets: tuple[Target, ...] = ()
    direction: str | None = None  # for extremes: "most" or "least"
    place: int = 1  # for extremes: the place of the ranking asked ("the second most": 2)
    scope: str | None = None  # why the report cannot answer as asked ("time", "group: ...")
    premise: str | None = None  # what the question assumes that the report contradicts
    answerable: float | None = None  # the calibrated answerability score of the evidence


@dataclass(frozen=True)
class Plan:
    """How a question was read: its parts, and whether it leans on earlier turns."""

    question: str
    parts: tuple[PlanPart, ...]
    followup: bool = False

    def explain(self) -> str:
        """The plan in a few lines, for ``survey-rag ask --explain`` and the UI."""
        lines = [f"question: {self.question}" + ("  (follow-up)" if self.followup else "")]
        for i, part in enumerate(self.parts, 1):
            lines.append(f"part {i}: {part.text!r}")
            lines.append(f"  intent: {part.intent} ({part.confidence:.2f})")
            if part.direction:
                place = f" (place {part.place})" if part.place > 1 else ""
                lines.append(f"  direction: {part.direction}{place}")
            for t in part.targets:
                where = " ".join(
                    x
                    for x in (
                        f"report={t.report}",
                        f"table={t.table}" if t.table else "",
                        f"rows={','.join(t.rows)}" if t.rows else "",
                        f"section={t.section!r}" if t.section else "",
                    )
                    if x
                )
                lines.append(f"  target: {where}")
            if part.scope:
                lines.append(f"  out of scope: {part.scope}")
            if part.premise:
                lines.append(f"  premise: {part.premise}")
            if part.answerable is not None:
                lines.append(f"  answerability: {part.answerable:.2f}")
        return "\n".join(lines)


@dataclass(frozen=True)
class Answer:
    """What ``rag.answer`` returns."""

    text: str
    citations: list[Citation]
    grounded: bool
    charts: list[Chart] = field(default_factory=list)
    model: str = "extractive"  # which answerer produced the text
    guard_replaced: bool = False  # the LLM's answer had an unsupported figure and was replaced
    note: str | None = None
    question: str = ""  # the question as answered (instructions to the answerer removed)
    retrieved: list[Hit] = field(default_factory=list, repr=False)
    plan: Plan | None = None  # how the question was read
