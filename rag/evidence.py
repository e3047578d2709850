"""The corpus as the answerer sees it, and how well a piece of evidence covers a question.

``Corpus`` holds the report sentences (what passage citations quote), every fact grouped by
table, and term weights; ``coverage``/``missing_specific``/``relevant`` judge evidence;
``Sources`` numbers what an answer cites.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache

from rag.question import Query
from rag.retrieval.bm25 import BM25
from rag.retrieval.hybrid import fact_search_text
from rag.text.numbers import Figure, extract_figures
from rag.text.sentences import report_sentences
from rag.text.tokens import acronyms, synonyms, tokenize
from rag.types import Chunk, Citation, Fact, ReportInfo, Section, Sentence

# --------------------------------------------------------------------------- the corpus view


@lru_cache(maxsize=16384)
def tokens_of(text: str) -> frozenset[str]:
    """The token set of a corpus text, computed once (report texts repeat across questions)."""
    return frozenset(tokenize(text))


@lru_cache(maxsize=16384)
def figures_of(text: str) -> tuple[Figure, ...]:
    """The figures of a corpus text, computed once."""
    return tuple(extract_figures(text))


class Corpus:
    """What the answerer knows besides the hits: all facts, report sentences, term weights.

    The sentences are the index's (``sentences``, split at ingest by rag.text.sentences); without
    them the reports are split here the same way. Built once per index; read-only
    afterwards, so many threads may share it.
    """

    def __init__(
        self,
        reports: Sequence[ReportInfo],
        chunks: Sequence[Chunk],
        facts: Sequence[Fact],
        sections: dict[str, list[Section]] | None = None,
        sentences: Sequence[Sentence] | None = None,
    ):
        self.reports = {r.id: r for r in reports}
        self.facts = list(facts)
        self.facts_by_id = {f.id: f for f in facts}
        self.tables: dict[tuple[str, str], list[Fact]] = {}
        for f in facts:
            self.tables.setdefault((f.report, f.table), []).append(f)
        self.bm25 = BM25(
            [tokenize(c.text) for c in chunks] + [tokenize(fact_search_text(f)) for f in facts]
        )
        self.vocab = sorted(self.bm25.df)
        self.max_idf = max((self.bm25.idf(t) for t in self.vocab), default=1.0)
        self._sections: dict[str, tuple[list[int], list[str]]] = {}
        if sections:
            # Sections sorted by start, a narrower one after a wider one starting at the same
            # place: the innermost section names the text from its start on.
            for report_id, spans in sections.items():
                starts, names = self._sections.setdefault(report_id, ([], []))
                for sec in sorted(spans, key=lambda x: (x.start, -(x.end - x.start))):
                    if starts and starts[-1] == sec.start:
                        names[-1] = sec.title
                    else:
                        starts.append(sec.start)
                        names.append(sec.title)
        ordered = sorted(chunks, key=lambda c: (c.report, c.start))
        for c in ordered:
            if c.report in (sections or {}):
                continue
            starts, names = self._sections.setdefault(c.report, ([], []))
            starts.append(c.start)
            names.append(c.section)
        self.sentences: dict[str, list[Sentence]] = {}
        if sentences is not None:
            served = {r.id for r in reports}
            for s in sentences:
                if s.report in served:
                    self.sentences.setdefault(s.report, []).append(s)
        else:  # no index at hand (pure tests): split here, as ingest does
            for report in reports:
                spans = (sections or {}).get(report.id) or []
                found = report_sentences(report.id, report.text, spans)
                if not spans:  # name them by the sections the chunks carry
                    found = [replace(s, section=self.section_at(s.report, s.start)) for s in found]
                self.sentences[report.id] = found
        self._sentence_starts: dict[str, list[int]] = {
            report: [s.start for s in found] for report, found in self.sentences.items()
        }
        self.proper = self._proper_nouns(reports)
        self.acronyms = acronyms(r.text for r in reports)
        self._weights: dict[str, float] = {}
        # Set by the engine from the sentence vectors in the index; pure tests leave it unset.
        self.sentence_dense: Callable[[str], dict[tuple[str, int], float]] | None = None

    def sentence_similarity(self, question: str) -> dict[tuple[str, int], float]:
        """Dense similarity of ``question`` to each report sentence, keyed (report, start)."""
        return self.sentence_dense(question) if self.sentence_dense is not None else {}

    def all_sentences(self) -> list[Sentence]:
        """Every report sentence, report by report, in text order."""
        return [s for sentences in self.sentences.values() for s in sentences]

    def section_at(self, report: str, offset: int) -> str:
        """The section holding ``offset`` of ``report``'s text."""
        starts, names = self._sections.get(report, ([], []))
        i = bisect.bisect_right(starts, offset) - 1
        return names[i] if i >= 0 else ""

    def sentences_in(self, report: str, start: int, end: int) -> list[Sentence]:
        """The report sentences overlapping [start, end)."""
        sentences = self.sentences.get(report, [])
        starts = self._sentence_starts.get(report, [])
        i = max(0, bisect.bisect_right(starts, start) - 1)
        out = []
        while i < len(sentences) and sentences[i].start < end:
            if sentences[i].end > start:
                out.append(sentences[i])
            i += 1
        return out

    def next_sentence(self, report: str, offset: int) -> Sentence | None:
        """The first report sentence starting at or after ``offset``, in the same section.

        It is what continues the text before ``offset``; the first sentence of the next
        section continues nothing.
        """
        sentences = self.sentences.get(report, [])
        i = bisect.bisect_left(self._sentence_starts.get(report, []), offset)
        if i >= len(sentences):
            return None
        before = self.sentences_in(report, offset - 1, offset) if offset > 0 else []
        section = before[-1].section if before else self.section_at(report, max(offset - 1, 0))
        return sentences[i] if sentences[i].section == section else None

    def sentence_for(self, fact: Fact) -> Sentence:
        """The report sentence a fact was read from (its verbatim source)."""
        section = fact.section or self.section_at(fact.report, fact.start)
        return Sentence(fact.report, section, fact.start, fact.end, fact.source)

    def weight(self, term: str) -> float:
        """How much a question term tells: its idf, or the rarest weight if the corpus lacks it."""
        cached = self._weights.get(term)
        if cached is not None:
            return cached
        idf = self.bm25.idf(term)
        if not idf:
            related = [self.bm25.idf(t) for t in self.related(term)]
            idf = max(related) if related else self.max_idf
        self._weights[term] = idf  # idempotent, so concurrent writers agree
        return idf

    def unknown(self, term: str) -> bool:
        """Whether the reports never use ``term``, a form of it, or a synonym of it."""
        if self.bm25.df.get(term) or self.related(term):
            return False
        return not any(self.bm25.df.get(s) for s in synonyms(term))

    def related(self, term: str) -> list[str]:
        """Corpus tokens sharing a stem with ``term`` ('prove' ~ 'proven')."""
        if len(term) < 4:
            return []
        i = bisect.bisect_left(self.vocab, term)
        out = []
        while i < len(self.vocab) and self.vocab[i].startswith(term):
            out.append(self.vocab[i])
            i += 1
        out.extend(term[:n] for n in range(4, len(term)) if term[:n] in self.bm25.df)
        return out

    @staticmethod
    def _proper_nouns(reports: Iterable[ReportInfo]) -> frozenset[str]:
        """Tokens that the reports only ever write capitalised (names: Japan, Netflix, EU)."""
        seen_lower: set[str] = set()
        seen_upper: set[str] = set()
        for report in reports:
            text = report.text
            for m in re.finditer(r"[A-Za-z][A-Za-z0-9]*", text):
                word = m.group(0)
                token = tokenize(word, keep_stopwords=True)
                if not token:
                    continue
                if word[0].isupper():
                    # A capital after a sentence end (even a glued one) says nothing.
                    before = text[max(0, m.start() - 3) : m.start()].rstrip()
                    if not before or before[-1] in '.?!:\n"“' or m.start() == 0:
                        continue
                    if not text[m.start() - 1].isspace():
                        continue
                    seen_upper.add(token[0])
                else:
                    seen_lower.add(token[0])
        return frozenset(seen_upper - seen_lower)


# --------------------------------------------------------------------------- evidence scoring


def term_matches(term: str, tokens: frozenset[str]) -> bool:
    """Whether ``tokens`` hold ``term`` or a form of it.

    Forms: one word a prefix of the other ('staff'/'staffed'), a shared stem of seven letters
    ('prioritizing'/'priority', 'standardize'/'standards'), or a long term inside a token
    ('staffed' in 'understaffed').
    """
    if term in tokens:
        return True
    if len(term) < 4:
        return False
    stem = term[:7] if len(term) >= 7 else None
    for tok in tokens:
        if len(tok) >= 4 and (tok.startswith(term) or term.startswith(tok)):
            return True
        if stem is not None and len(tok) >= 7 and tok.startswith(stem):
            return True
        if len(term) >= 6 and term in tok:
            return True
    return False


def coverage(query: Query, tokens: frozenset[str], corpus: Corpus) -> float:
    """Share of the question's content (idf-weighted) that ``tokens`` cover, 0..1."""
    if not query.terms:
        return 0.0
    total = matched = 0.0
    for term in query.terms:
        w = corpus.weight(term)
        total += w
        if term_matches(term, tokens) or any(s in tokens for s in synonyms(term)):
            matched += w
        elif spelled_out(query, term, tokens):
            matched += w
    return matched / total if total else 0.0


def missing_specific(query: Query, tokens: frozenset[str], report: ReportInfo | None) -> list[str]:
    """Specific terms of the question that the evidence does not mention."""
    allowed = set(tokens)
    if report is not None:
        allowed.add(str(report.year))
    return [
        t
        for t in query.specific
        if not term_matches(t, frozenset(allowed)) and not spelled_out(query, t, tokens)
    ]


def spelled_out(query: Query, term: str, tokens: frozenset[str]) -> bool:
    """Whether ``tokens`` hold the phrase an acronym of the question stands for."""
    return any(a == term and phrase <= tokens for a, phrase in query.aliases)


def relevant(cov: float, similarity: float) -> bool:
    """Whether evidence with this coverage and dense similarity answers the question.

    Lexical coverage alone, or weaker coverage backed by the embedding's judgement; a
    paraphrase ("people and money" for "staffed and funded") scores low on the first and
    high on the second. Outright refusals come from specific terms, not from these cut-offs.
    """
    return (
        cov >= 0.5
        or (cov >= 0.3 and similarity >= 0.45)
        or (cov >= 0.2 and similarity >= 0.55)
        or similarity >= 0.65
    )


@dataclass
class Sources:
    """The sources an answer cites, numbered in order of first use."""

    items: list[Fact | Sentence] = field(default_factory=list)

    def cite(self, item: Fact | Sentence) -> int:
        """The citation number of ``item``, adding it if new."""
        for i, existing in enumerate(self.items):
            if same_source(existing, item):
                return i + 1
        self.items.append(item)
        return len(self.items)

    def citations(self) -> list[Citation]:
        """The sources as Citations."""
        out = []
        for i, item in enumerate(self.items, start=1):
            if isinstance(item, Fact):
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


def same_source(a: Fact | Sentence, b: Fact | Sentence) -> bool:
    """Whether two cited items are the same fact or the same report sentence."""
    if isinstance(a, Fact) or isinstance(b, Fact):
        return isinstance(a, Fact) and isinstance(b, Fact) and a.id == b.id
    return a.report == b.report and a.start == b.start and a.end == b.end


def marks(*numbers: int) -> str:
    """'[1][2]' for citation numbers 1 and 2."""
    return "".join(f"[{n}]" for n in dict.fromkeys(numbers))
