"""What the answer engine knows of each report: facts as pandas frames, sentences, vectors.

Built once per index from what ingest stored (no embedding here but the question's), and read
by many threads. Matching is by meaning and by words together: a fact or a sentence scores its
cosine similarity to the question (MiniLM vectors stored at ingest) plus the share of the
question's content words it covers, each word weighted by how rare it is in the report. Words
are compared after stemming, general synonyms, the report's own vocabulary (report.toml),
acronyms the report spells out, and a spelling correction against the report's vocabulary, so
"wat % of ppl r satisfyed" still finds the row about satisfied respondents.
"""

from __future__ import annotations

import bisect
import difflib
import math
import re
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any

from rag.answering.survey_facets import FacetModel
from rag.text.lexicon import GENERIC, PICKING, SAMPLE_WORDS, TIME_UNITS, UNIT_CUES
from rag.text.numbers import Figure, close, extract_figures, units_agree
from rag.text.tokens import spelled_as_digits, spelled_out, synonyms, tokenize
from rag.types import Fact, ReportInfo, Section, Sentence

FRAME_COLUMNS = (
    "id report table caption row value unit qualifier section source start end origin subject"
).split()


@lru_cache(maxsize=65536)
def tokens_of(text: str) -> frozenset[str]:
    """The token set of a text (cached: report texts repeat across questions)."""
    return frozenset(tokenize(text))


@lru_cache(maxsize=65536)
def figures_of(text: str) -> tuple[Figure, ...]:
    """The figures of a text (cached)."""
    return tuple(extract_figures(text))


LISTED = 3  # figures of one unit in one sentence of the prose that make it a list of rows


def list_label(fact: Fact) -> str | None:
    """The label a reader names a fact by when it is one item of a list sentence under a
    header ("in order: United States (22%), Germany (14%), ..." -> "Germany"): the row,
    written between a separator and its bracketed figure. None for any other fact."""
    if fact.origin != "text" or not fact.row.strip():
        return None
    source, row = " ".join(fact.source.split()), " ".join(fact.row.split())
    listed = [f for f in figures_of(source) if f.unit == fact.unit]
    at = source.lower().find(row.lower())
    if len(listed) < LISTED or at < 0 or ":" not in source[: listed[0].start]:
        return None
    after = [f for f in listed if f.start >= at + len(row) and close(f.value, fact.value)]
    if not after or not re.fullmatch(r"\s*\(", source[at + len(row) : after[0].start]):
        return None
    return row if re.search(r"(?:[:;,]|\band|\bor)\s*$", source[:at]) else None


def own_words(fact: Fact, siblings: Sequence[Fact]) -> str:
    """What a fact itself states (:func:`fact_words`); for one row of a sentence that states
    several rows ("United States (22%), Germany (14%), ..."), that sentence without the other
    rows' labels, so "and Germany?" finds Germany's row and every row keeps the rest."""
    text = fact_words(fact)
    for other in siblings:
        if other.id != fact.id and other.row and other.row.lower() not in fact.row.lower():
            text = re.sub(re.escape(other.row), " ", text, flags=re.I)
    return text


def fact_words(fact: Fact) -> str:
    """What a fact itself states: its sentence, row and subject (no caption or source)."""
    return f"{fact.text} {fact.row} {fact.subject}"


def sentence_words(sentence: Sentence) -> str:
    """What a sentence offers a question's words: itself and its section's title."""
    return f"{sentence.text} {sentence.section}"


def fact_document(fact: Fact) -> str:
    """Everything a fact offers a question's words: statement, survey question, row, source."""
    return " ".join([fact.text, fact.caption, fact.row, fact.subject, fact.source, fact.section])


def row_figures(fact: Fact) -> tuple[Figure, ...]:
    """The figures that name a row ('$50M to $100M', 'Rated 4')."""
    return figures_of(fact.row)


_FLOORS = {"over", "at_least"}
_CEILINGS = {"under", "at_most"}


def _names(question: Figure, row: Figure) -> bool:
    if not close(row.value, question.value):
        return False
    # "above 20,000" names the "over 20,000 employees" row: a bound needs no unit of its own
    bound = question.unit == "" and question.qualifier != "exact" and row.unit not in ("%", "year")
    if question.unit == "" and not bound and row.unit not in ("", "USD"):
        return False  # "a 5" is a point on a scale, not "5 days"
    if not (
        units_agree(row.unit, question.unit) or {row.unit, question.unit} <= {"", "USD"} or bound
    ):
        return False
    # "$40M or more" is named by "40M or more", not by the top of "$20M-$40M"; "under $30M"
    # by "under $30M", not by the bottom of "$30M to $60M"
    return (row.qualifier in _FLOORS) == (question.qualifier in _FLOORS) and (
        row.qualifier in _CEILINGS
    ) == (question.qualifier in _CEILINGS)


def absent_option(points: Sequence[Figure], table: Sequence[Fact]) -> Figure | None:
    """A point the question names ("a 3", "under $30M") that is of the kind the table's rows
    are named by (ratings, amounts) but names none of them: an answer option the report does
    not give. A floor is left to the bands above it ("$60M or more" adds them up)."""
    rows = [r for fact in table for r in row_figures(fact)]
    for point in points:
        if point.qualifier in _FLOORS or any(_names(point, r) for r in rows):
            continue
        # of the rows' kind: it would name a row that had its value and qualifier
        if not any(_names(replace(point, value=r.value, qualifier=r.qualifier), r) for r in rows):
            continue
        if point.qualifier in _CEILINGS:  # "under $30M" when the lowest band starts at $30M
            # ("20,000 or fewer" beside an "over 20,000" row is that row's complement)
            if any(close(point.value, r.value) and r.qualifier in _FLOORS for r in rows):
                continue
            if all(point.value <= r.value or close(point.value, r.value) for r in rows):
                return point
        elif not any(close(point.value, r.value) for r in rows):  # "a 3" among 4s and 5s
            return point
    return None


_SCALE_LEAD = re.compile(
    r"(?:\b(?:a|an|rated|rating|rate|score|scored|scoring|gave|give|level|(?<!out )of|as|it|them)"
    r"\s+)$",
    re.I,
)


_RANGE = re.compile(r"\b(?:between|from)\s+$", re.I)
_RANGE_JOIN = re.compile(r"^\s*(?:and|to|-|–)\s*$", re.I)


def scale_points(text: str) -> list[Figure]:
    """The question's figures that can name a row: amounts with a unit, bounds ("above twenty
    thousand"), and bare numbers only where they read as a point on a scale ("a 5", "rated it
    four"), not as "4 all teams". Numbers in words count as digits; the low end of a range
    takes the high end's magnitude ("between forty and sixty thousand dollars")."""
    text = spelled_as_digits(text)
    figures = _ranged_figures(text)
    return [
        f
        for f in figures
        if f.unit
        or f.qualifier != "exact"
        or _SCALE_LEAD.search(text[max(0, f.start - 12) : f.start])
    ]


def _ranged_figures(text: str) -> list[Figure]:
    """The figures of ``text`` (numbers already in digits), each low end of a range with the
    magnitude of its high end."""
    figures = extract_figures(text)
    highs: list[Figure | None] = [*figures[1:], None]
    return [_ranged(text, f, g) for f, g in zip(figures, highs, strict=False)]


def _ranged(text: str, low: Figure, high: Figure | None) -> Figure:
    """``low`` with the magnitude and unit of ``high`` when the two make a range."""
    if high is None or low.unit not in ("", high.unit) or not _RANGE.search(text[: low.start]):
        return low
    if not _RANGE_JOIN.match(text[low.end : high.start]):
        return low
    digits = re.search(r"\d+(?:\.\d+)?", high.raw.replace(",", ""))
    if digits is None or re.search(r"\d\s*[kmb]|thousand|million|billion", low.raw, re.I):
        return low
    factor = high.value / float(digits.group(0))
    if factor <= 1:
        return low
    return Figure(low.value * factor, high.unit, low.qualifier, low.start, low.end, low.raw)


def name_words(text: str) -> set[str]:
    """The words of names a question capitalises mid-sentence ("in Japan", "the United
    States"): what it is specifically about, even where a word alone says how to answer."""
    words = [m.group(0) for m in _NAMED.finditer(text)]
    return set(tokenize(" ".join(words))) if words else set()


# a capitalised word after a lower-case word: not one that opens the question, a sentence or
# a line of markup; and a word with a capital inside it, wherever it stands (GitHub, macOS)
_NAMED = re.compile(r"(?<=[a-z,] )[A-Z][a-z]+\b|\b[A-Za-z][a-z]+[A-Z][A-Za-z]*\b")


# an acronym ("OECD"), and a word that names a report by the noun after it
_ACRONYM = re.compile(r"\b[A-Z]{2,}[a-z]?\b")
_NAMED_REPORT = re.compile(r"\b([A-Za-z]+)\s+(?=(?:survey|report|study|poll)s?\b)", re.I)
# "the Gopher and Cloud Pulse surveys": the first of names joined before one plural noun
_NAMED_TOGETHER = re.compile(
    r"\b([A-Za-z]+)\s+(?:and|or|vs\.?|versus)\s+(?:the\s+)?(?:[A-Za-z]+\s+){1,2}"
    r"(?=(?:survey|report|study|poll)s\b)",
    re.I,
)


def _name_tokens(info: ReportInfo, title: str = "") -> set[str]:
    return set(tokenize(f"{title} {info.short} {info.publisher} {info.id}"))


def _distinctive(names: dict[str, set[str]]) -> dict[str, set[str]]:
    """Each report's name words that no other report's name uses (no generic words)."""
    used = Counter(w for words in names.values() for w in words)
    return {
        rid: {w for w in words - GENERIC if used[w] == 1 and w.isalpha()}
        for rid, words in names.items()
    }


def asked_range(text: str) -> tuple[float, float] | None:
    """The range a question asks about ("between $30M and $90M", "the 30M-90M range")."""
    spelled = spelled_as_digits(text)
    figures = _ranged_figures(spelled)
    for low, high in zip(figures, figures[1:], strict=False):
        joined = _RANGE_JOIN.match(spelled[low.end : high.start])
        if joined and low.unit == high.unit and low.value < high.value:
            return low.value, high.value
    return None


def names_row(figure: Figure, fact: Fact) -> bool:
    """Whether a figure of the question names a row of a table (a band or a rating)."""
    return any(_names(figure, f) for f in row_figures(fact))


def _beside_own_year(figures: Sequence[Figure], year: int) -> Sequence[Figure]:
    """The question's figures that may name a row of a report of ``year``: its own year names
    none ("edition 2024" of a 2024 survey is no pick among its rows "Views (2024)" and "Views
    (2023)"; this edition's row answers unasked), an earlier one does."""
    if not any(f.unit == "year" and int(f.value) == year for f in figures):
        return figures
    return [f for f in figures if not (f.unit == "year" and int(f.value) == year)]


def row_named(figures: Sequence[Figure], fact: Fact) -> float:
    """How fully the question's figures name a row: the share of the row's figures named."""
    rows = row_figures(fact)
    if not rows or not figures:
        return 0.0
    return sum(1 for r in rows if any(_names(q, r) for q in figures)) / len(rows)


@dataclass(frozen=True)
class Scored:
    """A fact or sentence with how well it matches a piece of a question."""

    item: Any  # Fact | Sentence
    dense: float
    lexical: float
    named: float = 0.0  # how fully the question's figures name this row ("rated 5")
    unit_fit: bool = False  # the fact's unit is the kind of figure the question asks for

    @property
    def selector(self) -> bool:
        return self.named > 0

    @property
    def score(self) -> float:
        return self.dense + self.lexical + 0.35 * self.named + (0.15 if self.unit_fit else 0.0)


def scored(
    item: Any, dense: float, lexical: float, named: float = 0.0, unit_fit: bool = False
) -> Scored:
    """``Scored(item, dense, lexical, named, unit_fit)``, the same value (equal, same hash),
    made without the frozen dataclass's ``__init__`` (a setattr call a field, ~2 us against
    ~0.6): the rankings make a few hundred a question. Keep in step with Scored's fields
    (tests/test_answer_ranking.py checks it)."""
    made = _new(Scored)
    fields = made.__dict__
    fields["item"] = item
    fields["dense"] = dense
    fields["lexical"] = lexical
    fields["named"] = named
    fields["unit_fit"] = unit_fit
    return made


_new = object.__new__


def wanted_units(text: str) -> frozenset[str]:
    """The units a question's words ask for ('how long' -> days, weeks, months, years)."""
    words = set(tokenize(text, keep_stopwords=True))
    out: set[str] = set()
    for unit, cues in UNIT_CUES.items():
        if words & cues:
            out |= TIME_UNITS if unit == "time" else {unit}
    return frozenset(out)


@dataclass
class ReportKnowledge:
    """One report: its facts (list, frame and vectors), sentences (and vectors), sections."""

    info: ReportInfo
    sections: list[Section]
    facts: list[Fact]
    fact_vectors: Any  # numpy [n_facts, d]
    form_vectors: Any  # numpy [n_facts, d]: each fact asked as a question (ingest.facts)
    sentences: list[Sentence]
    sentence_vectors: Any  # numpy [n_sentences, d]
    digest: dict[str, Any] = field(default_factory=dict)
    _frame: Any = None

    def __post_init__(self) -> None:
        self.by_id = {f.id: f for f in self.facts}
        self.tables: dict[str, list[Fact]] = {}
        for f in self.facts:
            self.tables.setdefault(f.table, []).append(f)
        self._starts = [s.start for s in self.sentences]
        self._sample: frozenset[str] | None = None

    def sample_tokens(self) -> frozenset[str]:
        """The words that say who the report surveyed: its metadata and its sample sentences
        (read once: a question reads them of the report its evidence comes from)."""
        if self._sample is None:
            sample = [s.text for s in self.sentences if tokens_of(s.text) & SAMPLE_WORDS]
            self._sample = tokens_of(" ".join([self.info.surveyed, self.info.title, *sample]))
        return self._sample

    @property
    def frame(self) -> Any:
        """Every fact of the report as a pandas DataFrame, one row per fact."""
        if self._frame is None:
            import pandas as pd

            self._frame = pd.DataFrame(
                [{c: getattr(f, c) for c in FRAME_COLUMNS} for f in self.facts],
                columns=list(FRAME_COLUMNS),
            )
        return self._frame

    def sentence_at(self, offset: int) -> Sentence | None:
        """The sentence holding ``offset``."""
        i = bisect.bisect_right(self._starts, offset) - 1
        if 0 <= i < len(self.sentences) and self.sentences[i].end > offset:
            return self.sentences[i]
        return None

    def position(self, sentence: Sentence) -> int:
        """The sentence's place in the report's text order."""
        return bisect.bisect_left(self._starts, sentence.start)

    def neighbours(self, sentence: Sentence, before: int = 1, after: int = 1) -> list[Sentence]:
        """The sentences around ``sentence`` in its section, in text order, itself included."""
        i = self.position(sentence)
        lo, hi = max(0, i - before), min(len(self.sentences), i + after + 1)
        return [s for s in self.sentences[lo:hi] if s.section == sentence.section]

    def source_of(self, fact: Fact) -> Sentence:
        """The report sentence a fact was read from."""
        return Sentence(fact.report, fact.section, fact.start, fact.end, fact.source)

    def in_section(self, title: str) -> list[Sentence]:
        """The sentences of a section and of every section inside it."""
        return [s for s in self.sentences if s.section == title or s.section.startswith(title)]


class Knowledge:
    """Every served report, plus the lexical statistics and the question embedder."""

    def __init__(
        self, reports: Sequence[ReportKnowledge], embed_query: Callable[[str], list[float]]
    ) -> None:
        self.reports = {r.info.id: r for r in reports}
        self.embed_query = embed_query
        df: Counter[str] = Counter()
        docs = 0
        for r in reports:
            for f in r.facts:
                df.update(tokens_of(fact_document(f)))
                docs += 1
            for s in r.sentences:
                df.update(tokens_of(s.text))
                docs += 1
        self.df = df
        self.docs = max(docs, 1)
        self.vocabulary = sorted(t for t in df if t.isalpha() and len(t) >= 3)
        self._by_length: dict[int, list[str]] = {}
        for word in self.vocabulary:
            self._by_length.setdefault(len(word), []).append(word)
        # acronyms the reports spell out, with their phrase as written and as its words
        self.spelled = spelled_out(r.info.plain or r.info.text for r in reports)
        self.acronyms = {key: frozenset(tokenize(phrase)) for key, phrase in self.spelled.items()}
        # those that name who made a report ("NCWA"): readers name a publisher by its acronym,
        # the text in full ("When we founded the Northern Cycling Welfare Association")
        made_by = " ".join(f"{r.info.publisher} {r.info.title}" for r in reports).lower()
        self.names = {k: phrase for k, phrase in self.spelled.items() if phrase.lower() in made_by}
        # report.toml's word groups, lower-cased and spaced as expand_aliases compares them
        # (a library of a report's editions repeats its groups: each is read once)
        self.word_groups = list(
            dict.fromkeys(
                tuple(" ".join(re.sub(r"[^a-z0-9]+", " ", w.lower()).split()) for w in group)
                for r in reports
                for group in r.info.vocabulary
            )
        )
        self._proper = _proper_nouns(r.info.plain or r.info.text for r in reports)
        named = {r.info.id: _name_tokens(r.info, r.info.title) for r in reports}
        # each report's own name words, and those of its short name and publisher alone
        self._names = (
            _distinctive(named),
            _distinctive({r.info.id: _name_tokens(r.info) for r in reports}),
        )
        self.facets = FacetModel(self.vector)  # embeds its examples on first use only
        # per-word caches; threads may fill one twice, with the same value
        self._idf: dict[str, float] = {}
        self._forms: dict[str, frozenset[str]] = {}
        self._corrected: dict[str, str] = {}
        self._terms: dict[str, tuple[str, ...]] = {}  # a question's parts read it several times
        self._words: dict[str, WordIndex] = {}
        self._bands: Any = None
        self._routes: tuple[Any, Any, Any] | None = None
        self._letters: tuple[dict[str, int], Any, dict[str, int]] | None = None
        self._words_lock = threading.Lock()
        # each group word's tokens, and whether the reports write it: read once, not per question
        self._group_words = [
            [(w, tuple(tokenize(w)), self._written(w)) for w in group] for group in self.word_groups
        ]

    def prepare_words(self) -> None:
        """Build now the word indexes and the spelling search the first questions would."""
        for kind in _WORDS_OF:
            self.word_index(kind)
        self._banded()
        self._near_letters("warm")

    def alone(self, report_id: str) -> Knowledge:
        """The knowledge of one report as if it were indexed alone: its own word statistics,
        spellings and names (the reports and the facet examples are shared, not copied)."""
        one = Knowledge([self.reports[report_id]], self.embed_query)
        one.facets = self.facets
        return one

    def prepare(self, words: bool = True) -> None:
        """Build now what the first questions would otherwise build as they go (the word
        indexes, the facet examples' vectors, pandas): for a process that answers
        many questions, so none of them pays for it. Without ``words``, of the word indexes
        only the sentences' (a library chooses a report by them; each report answers from
        its own)."""
        if words:
            self.prepare_words()
        else:
            self.word_index("sentences")
        self._routing()
        for r in self.reports.values():
            r.sample_tokens()
        width = self.facets.centroids()[1].shape[1]
        for rid, r in self.reports.items():  # how near each sentence and fact is to each facet
            for kind, items, vectors in (
                ("sentences", r.sentences, r.sentence_vectors),
                ("facts", r.facts, r.fact_vectors),
            ):
                if len(items) and vectors.shape == (len(items), width):
                    self.facets.fits((rid, kind), vectors)
        import pandas  # noqa: F401  (arithmetic on tables reads them as frames)

    # ------------------------------------------------------------------ words

    def idf(self, term: str) -> float:
        """How much a word tells: rare in the reports means informative; unseen counts most."""
        weight = self._idf.get(term)
        if weight is None:
            n = self.df.get(term, 0)
            weight = self._idf[term] = math.log(1 + (self.docs - n + 0.5) / (n + 0.5))
        return weight

    def corrected(self, term: str) -> str:
        """``term``, or the report word it is a misspelling of ('understafed' -> 'understaffed').

        Only long words: a short unknown word is more often another word than a typo."""
        if term in self.df or len(term) < MIN_TYPO_LENGTH or not term.isalpha():
            return term
        # a scan of the whole vocabulary, which grows with every report: once per word
        known = self._corrected.get(term)
        if known is not None:
            return known
        found = term
        for candidate in difflib.get_close_matches(
            term, self._near_letters(term), n=3, cutoff=TYPO_CUTOFF
        ):
            swapped = sorted(candidate) == sorted(term)  # 'prioirty' for 'priority'
            if swapped or difflib.SequenceMatcher(None, term, candidate).ratio() >= 0.9:
                found = candidate
                break
        self._corrected[term] = found
        return found

    def _near_letters(self, term: str) -> list[str]:
        """The words of :meth:`_near_length` that share enough letters with ``term``:
        difflib's second test (quick_ratio, the same expression) on every word at once, so
        get_close_matches finds the same words and reads only these."""
        import numpy as np

        words = self._near_length(term)
        if not words:
            return words
        with self._words_lock:
            if self._letters is None:
                alphabet = {ch: i for i, ch in enumerate(sorted(set("".join(self.vocabulary))))}
                counts = np.zeros((len(self.vocabulary), len(alphabet)), dtype=np.int32)
                for row, word in enumerate(self.vocabulary):
                    for ch in word:
                        counts[row, alphabet[ch]] += 1
                rows = {word: row for row, word in enumerate(self.vocabulary)}
                self._letters = (alphabet, counts, rows)
            alphabet, counts, rows = self._letters
        wanted = np.zeros(counts.shape[1], dtype=np.int32)
        for ch in term:
            if ch in alphabet:
                wanted[alphabet[ch]] += 1
        at = np.fromiter((rows[w] for w in words), dtype=np.intp, count=len(words))
        shared = np.minimum(counts[at], wanted).sum(axis=1)
        sizes = np.fromiter((len(w) for w in words), dtype=np.float64, count=len(words))
        close = 2.0 * shared / (sizes + len(term)) >= TYPO_CUTOFF
        return [w for w, keep in zip(words, close.tolist(), strict=True) if keep]

    def _near_length(self, term: str) -> list[str]:
        """The vocabulary's words long enough and short enough to be a spelling of ``term``:
        difflib's first test (real_quick_ratio), the same expression, done per length, so
        get_close_matches finds the same words without reading the rest."""
        n = len(term)
        return [
            word
            for size, words in self._by_length.items()
            if 2.0 * min(size, n) / (size + n) >= TYPO_CUTOFF
            for word in words
        ]

    def terms(self, text: str) -> list[str]:
        """The content words of a question: no generic words (unless part of a name it
        capitalises), spelled as the report spells."""
        known = self._terms.get(text)
        if known is not None:
            return list(known)
        out: list[str] = []
        named = name_words(text)
        for token in tokenize(self.expand_aliases(text)):
            if (token in GENERIC and token not in named) or any(ch.isdigit() for ch in token):
                continue
            if token in PICKING and not self.known(token):
                continue
            token = self.corrected(token)
            if token not in out and (token not in GENERIC or token in named):
                out.append(token)
        if len(self._terms) >= TERMS_KEPT:
            self._terms.clear()
        self._terms[text] = tuple(out)
        return out

    def expand_aliases(self, text: str) -> str:
        """The text with shorthand the reports never write spelled as they do ('k8s' ->
        'Kubernetes'). Shorthand they write stays as it is: adding every other spelling
        would make the question seem to ask about more words than it does."""
        lowered = f" {re.sub(r'[^a-z0-9]+', ' ', text.lower())} "
        extra: list[str] = []
        for group in self._group_words:
            used = [w for w, _, written in group if f" {w} " in lowered and not written]
            spelled = next((w for w, _, written in group if written), None)
            if used and spelled is not None and spelled not in extra:
                extra.append(spelled)
        return text if not extra else f"{text} {' '.join(extra)}"

    def spelled_out(self, token: str, held: frozenset[str]) -> bool:
        """Whether ``held`` says ``token`` in another word of its vocabulary group ("k8s" ->
        "Kubernetes")."""
        for group in self._group_words:
            if any(tokens == (token,) for _, tokens, _ in group):
                if any(set(tokens) <= held for _, tokens, _ in group if tokens):
                    return True
        return False

    def _written(self, phrase: str) -> bool:
        """Whether every word of ``phrase`` is one the reports use."""
        tokens = tokenize(phrase)
        return bool(tokens) and all(t in self.df for t in tokens)

    def covers(self, term: str, tokens: frozenset[str]) -> bool:
        """Whether ``tokens`` hold ``term``, a form of it, a synonym or its spelled-out acronym."""
        if not self.forms(term).isdisjoint(tokens):
            return True
        spelled = self.acronyms.get(term)
        if spelled and spelled <= tokens:
            return True
        if len(term) < 6:
            return False
        heads, negated = _word_shapes(tokens)
        return (len(term) >= 7 and term[:7] in heads) or any(term in tok for tok in negated)

    def forms(self, term: str) -> frozenset[str]:
        """The words that stand for ``term`` by themselves: it, its synonyms, its inflections
        ('paint' -> 'painted', 'painting'; 'payments' -> 'payment').

        Set lookups instead of comparing the term with every word of every text: a question
        is weighed against thousands of texts across a library of reports."""
        known = self._forms.get(term)
        if known is not None:
            return known
        found = {term, *synonyms(term)}
        if len(term) >= 4:
            found.update(term + suffix for suffix in _SUFFIXES)
            found.update(
                term[: -len(suffix)]
                for suffix in _SUFFIXES
                if term.endswith(suffix) and len(term) - len(suffix) >= 4
            )
        known = self._forms[term] = frozenset(found)
        return known

    def coverage(self, terms: Sequence[str], tokens: frozenset[str]) -> float:
        """Share of the terms' weight that ``tokens`` cover, 0..1."""
        weights = [self.idf(t) for t in terms]
        total = sum(weights)
        if not total:
            return 0.0
        return sum(w for t, w in zip(terms, weights, strict=True) if self.covers(t, tokens)) / total

    def word_index(self, kind: str) -> WordIndex:
        """Every report's sentences (``kind`` "sentences", read by :func:`sentence_words`) or
        facts ("facts" by :func:`fact_words`, "documents" by :func:`fact_document`) as one
        WordIndex; built on first use, once."""
        with self._words_lock:
            built = self._words.get(kind)
            if built is None:
                read = _WORDS_OF[kind]
                starts: dict[str, int] = {}
                items: list[Any] = []
                for rid, r in self.reports.items():
                    starts[rid] = len(items)
                    items += r.sentences if kind == "sentences" else r.facts
                texts = [read(item) for item in items]
                if kind == "facts":
                    texts = _without_sibling_rows(items, texts)
                built = self._words[kind] = WordIndex(items, texts, starts)
            return built

    def holding(self, term: str, index: WordIndex) -> Any:
        """Which texts of ``index`` cover ``term``, as a boolean numpy array: for each text,
        what :meth:`covers` says of its words."""
        import numpy as np

        found = np.zeros(index.size, dtype=bool)
        words = [w for w in self.forms(term) if w in index.postings]
        if len(term) >= 7:
            words += index.heads.get(term[:7], [])
        if len(term) >= 6:
            words += [w for w in index.negated if term in w]
        for w in words:
            found[index.postings[w]] = True
        spelled = self.acronyms.get(term)
        if spelled and all(w in index.postings for w in spelled):
            every = np.ones(index.size, dtype=bool)
            for w in spelled:
                one = np.zeros(index.size, dtype=bool)
                one[index.postings[w]] = True
                every &= one
            found |= every
        return found

    def coverages(self, terms: Sequence[str], index: WordIndex, rows: Any = None) -> Any:
        """:meth:`coverage` of every text of ``index`` at once, or of its ``rows`` only (an
        integer array), in their order (float64, equal text for text: the weights are added
        in the same order)."""
        import numpy as np

        weights = [self.idf(t) for t in terms]
        total = sum(weights)
        covered = np.zeros(index.size if rows is None else len(rows), dtype=np.float64)
        if not total:
            return covered
        for term, weight in zip(terms, weights, strict=True):
            held = self.holding(term, index)
            covered[held if rows is None else held[rows]] += weight
        return covered / total

    def known(self, term: str) -> bool:
        """Whether the reports use ``term`` or a form or synonym of it."""
        if self.df.get(term):
            return True
        return any(self.df.get(s) for s in synonyms(term)) or any(
            tok.startswith(term) for tok in self._prefix_range(term)
        )

    def _prefix_range(self, term: str) -> list[str]:
        i = bisect.bisect_left(self.vocabulary, term)
        return self.vocabulary[i : i + 3]

    def proper(self, token: str) -> bool:
        """Whether the reports only ever write ``token`` capitalised (a name: Japan, EU)."""
        return token in self._proper

    def named_reports(self, text: str) -> list[str]:
        """The reports a question names, in a library of several: by a word of a report's
        name that no other report's name uses, just before "survey", "report", "study" or
        "poll" ("the Rust survey"), or by its short name or publisher written in capitals
        ("What did the OECD find?"). A title word elsewhere is a topic, not a name."""
        if len(self.reports) < 2:
            return []
        titles, handles = self._names
        named = _NAMED_REPORT.findall(text) + _NAMED_TOGETHER.findall(text)
        before_noun = set(tokenize(" ".join(named)))
        capitals = set(tokenize(" ".join(_ACRONYM.findall(text))))
        return [rid for rid in self.reports if titles[rid] & before_noun or handles[rid] & capitals]

    def without_names(self, text: str, report_ids: Iterable[str]) -> str:
        """``text`` without the words that name ``report_ids``, and the "and" or "vs" between
        them ("Gopher vs Cloud Pulse surveys: what share use Linux?" -> "surveys: what share
        use Linux?"): a name says which report, not what about, and one report does not know
        the words of another's name."""
        titles, handles = self._names
        words = set().union(*(titles[r] | handles[r] for r in report_ids))
        if not words:
            return text
        name = r"\b(?:" + "|".join(sorted(map(re.escape, words))) + r")\b"
        joined = rf"{name}(?:\s*(?:,|and|or|vs\.?|versus)?\s*(?:the\s+)?{name})*\s*"
        return " ".join(re.sub(joined, "", text, flags=re.I).split())

    # ------------------------------------------------------------------ matching

    def vector(self, text: str) -> Any:
        """The question's normalised vector as a numpy array."""
        import numpy as np

        return np.asarray(self.embed_query(self.embedded_text(text)), dtype=np.float32)

    def embedded_text(self, text: str) -> str:
        """The question as it is embedded: the acronym of a report's maker followed by its
        name ("NCWA (Northern Cycling Welfare Association)"), which the model can read,
        where the acronym alone may mean nothing to it. A term of the field ("LLM") is left
        as the question writes it: the report writes it so too."""
        if not self.names:
            return text

        def spell(m: re.Match[str]) -> str:
            key = tokenize(m.group(0), keep_stopwords=True)
            phrase = self.names.get(key[0]) if len(key) == 1 else None
            if phrase is None or phrase.lower() in text.lower():
                return m.group(0)
            return f"{m.group(0)} ({phrase})"

        return _WORD.sub(spell, text)

    def route(self, vector: Any, width: int) -> list[str]:
        """The ``width`` reports holding the sentences or facts nearest to ``vector`` (each
        report scored by its nearest one), in library order; every report when there are no
        more. One product over the whole library: a question then reads a few reports in
        full, not a hundred."""
        import numpy as np

        ids = list(self.reports)
        if len(ids) <= width:
            return ids
        matrix, starts, owners = self._routing()
        if not len(owners) or matrix.shape[1] != vector.shape[0]:
            return ids[:width]
        best = np.full(len(ids), -np.inf, dtype=np.float32)
        best[owners] = np.maximum.reduceat(matrix @ vector, starts)
        chosen = np.argsort(-best, kind="stable")[:width]
        return [ids[i] for i in sorted(chosen.tolist())]

    def _routing(self) -> tuple[Any, Any, Any]:
        """Every report's sentence and fact vectors stacked, report by report; the row each
        report's block starts at, and the report (library position) of each block."""
        import numpy as np

        with self._words_lock:
            if self._routes is None:
                blocks: list[Any] = []
                owners: list[int] = []
                for n, r in enumerate(self.reports.values()):
                    parts = [
                        np.asarray(vectors, dtype=np.float32)
                        for vectors, items in (
                            (r.sentence_vectors, r.sentences),
                            (r.fact_vectors, r.facts),
                        )
                        if vectors is not None and len(items) and len(vectors) == len(items)
                    ]
                    if parts and len({p.shape[1] for p in parts}) == 1:
                        blocks.append(np.concatenate(parts))
                        owners.append(n)
                width = blocks[0].shape[1] if blocks else 0
                kept = [(b, n) for b, n in zip(blocks, owners, strict=True) if b.shape[1] == width]
                sizes = [len(b) for b, _ in kept]
                self._routes = (
                    np.concatenate([b for b, _ in kept]) if kept else np.zeros((0, 0), np.float32),
                    np.cumsum([0, *sizes[:-1]]).astype(np.intp),
                    np.asarray([n for _, n in kept], dtype=np.intp),
                )
            return self._routes

    def rank_facts(
        self,
        text: str,
        vector: Any,
        report_ids: Iterable[str],
        figures: Sequence[Figure] = (),
        among: Callable[[Fact], bool] | None = None,
    ) -> list[Scored]:
        """Facts of these reports, best match for ``text`` first."""
        import numpy as np

        terms = self.terms(text)
        units = wanted_units(text)
        index = self.word_index("facts")
        sims: list[Any] = []  # per report: the similarities of its pool, and their rows
        rows: list[Any] = []
        extra: list[tuple[float, int]] = []
        for rid in report_ids:
            r = self.reports[rid]
            if not r.facts:
                continue
            n = len(r.facts)
            start = index.starts[rid]
            # a fact matches by its statement or by itself asked as a question
            dense = np.maximum(_dense(r.fact_vectors, vector, n), _dense(r.form_vectors, vector, n))
            keep = None if among is None else (lambda i, r=r: among(r.facts[i]))
            top = _top(dense, FACT_POOL, keep)
            sims.append(dense[top])
            rows.append(start + top)
            if figures:  # rows the question's figures name count even when far in meaning
                chosen = set(top.tolist())
                # only a row whose label holds figures can be named by them (_banded)
                banded = np.flatnonzero(self._banded()[start : start + n]).tolist()
                naming = _beside_own_year(figures, r.info.year)
                extra.extend(
                    (float(dense[i]), start + i)
                    for i in banded
                    if i not in chosen
                    and (keep is None or keep(i))
                    and row_named(naming, r.facts[i])
                )
        # Words are weighed only for the facts nearest in meaning, and rows the question's
        # figures name: across a library of reports that keeps a question's cost flat (one
        # report's facts all fit in the pool).
        sim, row = _pooled(sims, rows)
        order = np.argsort(-sim, kind="stable")
        kept_sims, kept = sim[order[:FACT_POOL]].tolist(), row[order[:FACT_POOL]].tolist()
        if figures:
            rest = order[FACT_POOL:]
            for j in rest[self._banded()[row[rest]]].tolist():
                fact = index.items[row[j]]
                if row_named(_beside_own_year(figures, self.reports[fact.report].info.year), fact):
                    kept_sims.append(float(sim[j]))
                    kept.append(int(row[j]))
        kept_sims += [similarity for similarity, _ in extra]
        kept += [at for _, at in extra]
        if not kept:
            return []
        # what the row itself states counts most: a source sentence shared by several
        # rows ("67.2% ... with 49% rating it 4") must not make them all match alike
        at = np.asarray(kept, dtype=np.intp)
        own = self.coverages(terms, index, at)
        whole = self.coverages(terms, self.word_index("documents"), at)
        lexical = (0.6 * own + 0.4 * whole).tolist()
        facts = [index.items[i] for i in kept]
        named = [
            row_named(_beside_own_year(figures, self.reports[f.report].info.year), f)
            if figures
            else 0.0
            for f in facts
        ]
        out = [
            scored(fact, similarity, words, selected, fact.unit in units)
            for fact, similarity, words, selected in zip(
                facts, kept_sims, lexical, named, strict=True
            )
        ]
        out.sort(key=lambda s: -s.score)
        return out

    def rank_sentences(
        self,
        text: str,
        vector: Any,
        report_ids: Iterable[str],
        within: Callable[[Sentence], bool] | None = None,
    ) -> list[Scored]:
        """Report sentences, best match for ``text`` first."""
        import numpy as np

        terms = self.terms(text)
        index = self.word_index("sentences")
        sims: list[Any] = []
        rows: list[Any] = []
        for rid in report_ids:
            r = self.reports[rid]
            dense = _dense(r.sentence_vectors, vector, len(r.sentences))
            keep = None if within is None else (lambda i, r=r: within(r.sentences[i]))
            top = _top(dense, SENTENCE_POOL, keep)
            sims.append(dense[top])
            rows.append(index.starts[rid] + top)
        # Words are weighed only for the sentences nearest in meaning: across a library of
        # reports that keeps a question's cost flat, and a sentence that shares the words
        # but not the meaning seldom answers.
        sim, row = _pooled(sims, rows)
        if not len(sim):
            return []
        order = np.argsort(-sim, kind="stable")[:SENTENCE_POOL]
        lexical = self.coverages(terms, index, row[order])
        out = [
            scored(index.items[at], similarity, words)
            for at, similarity, words in zip(
                row[order].tolist(), sim[order].tolist(), lexical.tolist(), strict=True
            )
        ]
        out.sort(key=lambda s: -s.score)
        return out

    def _banded(self) -> Any:
        """For each row of the facts' WordIndex, whether its table row names figures (a band,
        a rating): only those can be named by a question's figures."""
        import numpy as np

        if self._bands is None:
            items = self.word_index("facts").items
            self._bands = np.array([bool(row_figures(f)) for f in items], dtype=bool)
        return self._bands


def _without_sibling_rows(facts: Sequence[Fact], texts: list[str]) -> list[str]:
    """Each fact's own words, the labels of the other rows its prose sentence states left
    out (facts of hand-made tables are stated one row a sentence already)."""
    siblings: dict[tuple[str, int], list[Fact]] = {}
    for f in facts:
        if f.origin == "text":
            siblings.setdefault((f.report, f.start), []).append(f)
    return [
        own_words(f, siblings[(f.report, f.start)])
        if f.origin == "text" and len(siblings[(f.report, f.start)]) > 1
        else text
        for f, text in zip(facts, texts, strict=True)
    ]


_WORDS_OF: dict[str, Callable[[Any], str]] = {
    "sentences": sentence_words,
    "facts": fact_words,
    "documents": fact_document,
}


def _pooled(sims: Sequence[Any], rows: Sequence[Any]) -> tuple[Any, Any]:
    """The reports' pools as one array of similarities (float64, as ``float()`` reads them:
    equal values sort alike) and one of rows, in report order."""
    import numpy as np

    if not sims:
        return np.zeros(0, dtype=np.float64), np.zeros(0, dtype=np.intp)
    return np.concatenate(sims).astype(np.float64), np.concatenate(rows)


class WordIndex:
    """Which texts of a list hold each word: a question's words are then weighed against a
    library's thousands of texts with a few array operations (Knowledge.coverages).

    ``items[i]`` is the fact or sentence of row ``i``, ``starts`` the first row of each report.
    """

    def __init__(
        self, items: Sequence[Any], texts: Iterable[str], starts: dict[str, int] | None = None
    ) -> None:
        import numpy as np

        at: dict[str, list[int]] = {}
        for i, text in enumerate(texts):
            for word in tokens_of(text):
                at.setdefault(word, []).append(i)
        self.items = items
        self.starts = starts or {}
        self.size = len(items)
        self.postings = {w: np.asarray(ids, dtype=np.intp) for w, ids in at.items()}
        self.heads: dict[str, list[str]] = {}
        for w in at:
            if len(w) >= 7:
                self.heads.setdefault(w[:7], []).append(w)
        self.negated = [w for w in at if w.startswith(("un", "under", "over"))]


_SUFFIXES = (
    "s es ed d ing er ers ance ence ment ments al ally ly ity ation ations ize ized ise ised "
    "ization isation ive"
).split()
MIN_TYPO_LENGTH = 6
TYPO_CUTOFF = 0.8  # how alike (difflib's ratio) a misspelling is to the word it stands for
SENTENCE_POOL = 96  # sentences, nearest in meaning, whose words are weighed
TERMS_KEPT = 4096  # texts whose terms are kept (a question, its parts, the rows it reads)
FACT_POOL = 192  # facts, nearest in meaning, whose words are weighed (more than one report has)


@lru_cache(maxsize=65536)
def _word_shapes(tokens: frozenset[str]) -> tuple[frozenset[str], tuple[str, ...]]:
    """A text's words as :meth:`Knowledge.covers` reads them beyond exact forms: the first
    seven letters of each long word (a shared stem), and the words that negate or overdo
    another ('underpaid', 'overbooked')."""
    heads = frozenset(tok[:7] for tok in tokens if len(tok) >= 7)
    return heads, tuple(tok for tok in tokens if tok.startswith(("un", "under", "over")))


def _dense(matrix: Any, vector: Any, n: int) -> Any:
    """Cosine similarity of ``vector`` to each row, as a numpy array (0 for all when the shapes
    do not fit: vectors of another model give no meaning signal rather than a wrong one)."""
    import numpy as np

    if matrix is None or getattr(matrix, "shape", (0, 0))[0] != n or not n:
        return np.zeros(n, dtype=np.float32)
    if matrix.shape[1] != vector.shape[0]:
        return np.zeros(n, dtype=np.float32)
    return matrix @ vector


def _top(sims: Any, k: int, keep: Callable[[int], bool] | None = None) -> Any:
    """The indices of the ``k`` largest similarities (among those ``keep`` allows), as an
    integer numpy array (a pool per report, a hundred reports a question)."""
    import numpy as np

    if keep is None:
        if len(sims) <= k:
            return np.arange(len(sims), dtype=np.intp)
        return np.argpartition(-sims, k)[:k]
    out: list[int] = []
    for i in np.argsort(-sims):
        if keep(int(i)):
            out.append(int(i))
            if len(out) == k:
                break
    return np.asarray(out, dtype=np.intp)


def _proper_nouns(texts: Iterable[str]) -> frozenset[str]:
    """Tokens a text only ever writes capitalised, mid-sentence."""
    import re

    upper: set[str] = set()
    lower: set[str] = set()
    read: dict[str, list[str]] = {}  # a library repeats its words: each is tokenized once
    for text in texts:
        for m in re.finditer(r"(?<=[a-z,;] )[A-Za-z][a-z]+|(?<![A-Za-z])[a-z]+", text):
            word = m.group(0)
            token = read.get(word)
            if token is None:
                token = read[word] = tokenize(word, keep_stopwords=True)
            if token:
                (upper if word[0].isupper() else lower).add(token[0])
    return frozenset(upper - lower)


_WORD = re.compile(r"\b[A-Za-z][A-Za-z0-9]*\b")


def from_index(
    index: Any, embed_query: Callable[[str], list[float]], report_ids: Iterable[str] | None = None
) -> Knowledge:
    """The Knowledge of an IndexReader's reports (all, or ``report_ids``: only those are read)."""
    import numpy as np

    wanted = set(report_ids) if report_ids is not None else None
    empty = np.zeros((0, 0), dtype=np.float32)
    reports = []
    for info in index.reports:
        if wanted is not None and info.id not in wanted:
            continue
        data = index.report_data(info.id)
        reports.append(
            ReportKnowledge(
                info=info,
                sections=index.sections(info.id),
                facts=list(data.facts),
                fact_vectors=data.fact_vectors if data.fact_vectors is not None else empty,
                form_vectors=data.form_vectors if data.form_vectors is not None else empty,
                sentences=list(data.sentences),
                sentence_vectors=data.sentence_vectors,
                digest=index.digest(info.id),
            )
        )
    return Knowledge(reports, embed_query)
