"""The sources an answer cites, numbered in order of first use, and the charts they make."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from rag.types import Chart, ChartRow, Citation, Fact, Sentence


@dataclass(frozen=True)
class AboutNote:
    """What the report's metadata (report.toml or front matter) says, cited "About this report"."""

    report: str
    text: str


Source = Fact | Sentence | AboutNote
ABOUT = "About this report"
MARKER = re.compile(r"\[(\d+)\]")


def same_source(a: Source, b: Source) -> bool:
    """Whether two cited items are the same fact, report sentence or metadata note."""
    if isinstance(a, AboutNote) or isinstance(b, AboutNote):
        return a == b
    if isinstance(a, Fact) or isinstance(b, Fact):
        return isinstance(a, Fact) and isinstance(b, Fact) and a.id == b.id
    return a.report == b.report and a.start == b.start and a.end == b.end


@dataclass
class Sources:
    """What an answer cites; ``cite`` returns an item's number, adding it if new."""

    items: list[Source] = field(default_factory=list)

    def cite(self, item: Source) -> int:
        for i, existing in enumerate(self.items):
            if same_source(existing, item):
                return i + 1
        self.items.append(item)
        return len(self.items)

    def citations(self) -> list[Citation]:
        """The sources as the Citations an Answer carries."""
        out = []
        for i, item in enumerate(self.items, start=1):
            if isinstance(item, AboutNote):
                out.append(Citation(i, item.report, ABOUT, item.text, "about"))
            elif isinstance(item, Fact):
                out.append(
                    Citation(
                        i,
                        item.report,
                        item.section,
                        item.text,
                        "fact",
                        item.start,
                        item.end,
                        item.table,
                        item.row,
                    )
                )
            else:
                out.append(
                    Citation(
                        i, item.report, item.section, item.text, "passage", item.start, item.end
                    )
                )
        return out

    def only_cited(self, text: str) -> tuple[str, Sources]:
        """``text`` renumbered to cite only the sources it marks, and those sources."""
        order: list[int] = []
        for m in MARKER.finditer(text):
            n = int(m.group(1))
            if n not in order and 1 <= n <= len(self.items):
                order.append(n)
        new = {old: i for i, old in enumerate(order, start=1)}
        kept = Sources()
        kept.items = [self.items[old - 1] for old in order]
        renumbered = MARKER.sub(lambda m: f"[{new.get(int(m.group(1)), m.group(1))}]", text)
        return renumbered, kept

    def marked(self, text: str) -> list[Source]:
        """The sources ``text`` cites by their numbers."""
        numbers = dict.fromkeys(int(m.group(1)) for m in MARKER.finditer(text))
        return [self.items[n - 1] for n in numbers if 1 <= n <= len(self.items)]

    def texts(self) -> list[str | Fact]:
        """What the numeric guard checks figures against."""
        return [item if isinstance(item, Fact) else item.text for item in self.items]

    def passages(self) -> list[Sentence]:
        """The report sentences cited (not facts, not metadata)."""
        return [i for i in self.items if isinstance(i, Sentence)]


def marks(*numbers: int) -> str:
    """'[1][2]' for citation numbers 1 and 2."""
    return "".join(f"[{n}]" for n in dict.fromkeys(numbers))


def charts_for(sources: Sources, tables: Mapping[tuple[str, str], Sequence[Fact]]) -> list[Chart]:
    """One chart per table a cited fact comes from: every row, the cited rows marked."""
    cited = {s.id for s in sources.items if isinstance(s, Fact)}
    charts: list[Chart] = []
    seen: set[tuple[str, str]] = set()
    for item in sources.items:
        if not isinstance(item, Fact) or (item.report, item.table) in seen:
            continue
        seen.add((item.report, item.table))
        table = tables.get((item.report, item.table), [item])
        rows = tuple(ChartRow(f.row, f.value, f.qualifier, f.id in cited) for f in table)
        charts.append(Chart(item.table, item.caption, item.unit, rows))
    return charts


def headline_chart(sources: Sources) -> list[Chart]:
    """The headline shares an overview cites, one bar each, as one chart."""
    facts = [item for item in sources.items if isinstance(item, Fact) and item.unit == "%"]
    if len(facts) < 2:
        return []
    rows = tuple(ChartRow(f.row or f.subject, f.value, f.qualifier, True) for f in facts)
    return [Chart("headlines", "Headline figures", "%", rows)]
