"""The default answerer: offline, deterministic, no LLM. Every figure it writes is cited.

It reads the question (does it ask for a figure? is it negated? which terms must a source
cover?), judges whether the retrieved facts and passages answer it, then writes one of:

- a figure: the fact's sentence, citing the fact and the report sentence it came from, plus
  the survey's base; or a derivation (a complement 100 - x, a sum of money bands, the
  difference of two rows, whether rows add up to the whole, one row as a share of another,
  how many times one figure is another) with the working shown and every input cited;
- a description: the most relevant report sentences, each cited;
- a refusal: "The report does not say ...", grounded=False and no figure in the text.

Answerability uses general signals only: idf-weighted coverage of the question's content
terms by the evidence, the evidence's dense similarity, and "specific" terms (proper nouns,
calendar years, statistics such as "average", totals across respondents) that the evidence
must mention. When no word matches, a sentence the embedding decisively prefers may answer
(rag.meaning). Facts are ranked in rag.rank; table arithmetic lives in rag.derive.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from rag.derive import (
    ADDS_UP_CUE,
    COMPARED_MIN,
    DIFFERENCE_CUE,
    SHARE_OF_SHARE_CUE,
    TIMES_CUE,
    Derivation,
    Ratio,
    band_sum,
    bands,
    below,
    compared,
    contradicted,
    difference,
    row_figures,
    share_of_share,
    share_working,
    times,
    times_working,
    whole_of,
)
from rag.evidence import (
    Corpus,
    Sentence,
    Sources,
    coverage,
    figures_of,
    marks,
    missing_specific,
    relevant,
    same_source,
    term_matches,
    tokens_of,
)
from rag.meaning import dense_pick
from rag.question import (
    AGGREGATE_TERM,
    FIGURE_INTENT,
    GENERIC,
    NEGATION,
    STATISTICS,
    Query,
    read_question,
    sanitize,
)
from rag.rank import (
    ScoredFact,
    fact_tokens,
    is_selector,
    only_of_its_kind,
    score_facts,
    stated_tokens,
    states_negation,
)
from rag.text.numbers import (
    Figure,
    close,
    extract_figures,
    format_figure,
    format_value,
    units_agree,
)
from rag.text.tokens import tokenize
from rag.types import Answer, Chart, ChartRow, Fact, Hit, ReportInfo

__all__ = [
    "GENERIC",
    "Corpus",
    "Query",
    "Sentence",
    "Sources",
    "band_sum",
    "charts_for",
    "compose",
    "coverage",
    "phrase",
    "read_question",
    "relevant",
    "sanitize",
]

_LEADING_LINK = re.compile(
    r"^(?:but|and|so|also|though|however|still|yet|then|now|again|even\s+worse|worst\s+of\s+all)"
    r"\b[\s,]*",
    re.I,
)
_PAREN_TAIL = re.compile(r"\s*\([^()]*\)\s*\.?\s*$")
_WORD_FIGURES = {50.0: "half"}
FOREIGN_MIN = 0.45  # similarity evidence needs when the question uses a word the report lacks
RELATED_MIN = 0.6  # coverage a sentence needs before a refusal or a "why" answer quotes it


# --------------------------------------------------------------------------- figure answers


_DIRECTION = {"over": 1, "at_least": 1, "under": -1, "at_most": -1}


def _opposite(query: Query, facts: Sequence[Fact]) -> bool:
    """The question bounds the other way ('fewer than 20,000' vs the row's 'over 20,000')."""
    for fact in facts:
        named = [
            f
            for f in (*figures_of(fact.row), *figures_of(fact.text))
            if not close(f.value, fact.value)
        ]
        for q in query.figures:
            for r in named:
                if (
                    _DIRECTION.get(q.qualifier, 0) * _DIRECTION.get(r.qualifier, 0) == -1
                    and close(q.value, r.value)
                    and units_agree(q.unit, r.unit)
                ):
                    return True
    return False


def phrase(fact: Fact) -> str:
    """The fact's figure as honestly as the source puts it: 'over 80%', 'more than half'."""
    for f in figures_of(fact.source):
        if close(f.value, fact.value) and units_agree(f.unit, fact.unit):
            if f.raw.lower() == "half" or _WORD_FIGURES.get(fact.value) == f.raw.lower():
                words = {"over": "more than ", "under": "less than ", "about": "about "}
                return f"{words.get(fact.qualifier, '')}half"
            break
    return format_figure(fact.value, fact.unit, fact.qualifier)


def fact_sentence(fact: Fact) -> str:
    """The fact's own sentence without the '(AIIA survey, ...)' tail, its figure kept honest."""
    text = _PAREN_TAIL.sub("", fact.text).strip().rstrip(".")
    figures = [
        f
        for f in extract_figures(text)
        if close(f.value, fact.value) and units_agree(f.unit, fact.unit)
    ]
    if figures and all(f.qualifier == fact.qualifier for f in figures):
        honest = phrase(fact)
        if "half" in honest:
            # The report says "more than half": keep its words rather than "over 50%".
            f = figures[0]
            lead = re.search(
                r"(?:(?:well|far|just)\s+)?(?:over|more\s+than|above|about|under|less\s+than)\s*$",
                text[: f.start],
                re.I,
            )
            a = lead.start() if lead else f.start
            return text[:a] + honest + text[f.end :]
        return text
    caption = fact.caption.rstrip("?.")
    return f"{phrase(fact)} — {fact.row} ({caption})"


def _lower(text: str) -> str:
    """'Only 34.2% of ...' -> 'only 34.2% of ...'; names ('ChatGPT', 'AI') keep their case."""
    if len(text) > 1 and text[0].isupper() and text[1].islower():
        return text[0].lower() + text[1:]
    return text


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:] if text else text


def base_sources(report: ReportInfo, corpus: Corpus) -> tuple[str, list[Sentence]] | None:
    """The survey's base (``report.surveyed``'s first clause) and the sentences stating it.

    None when any of its figures cannot be traced to a report sentence: then we do not state it.
    """
    base = report.surveyed.split(";")[0].strip().rstrip(".")
    wanted = extract_figures(base)
    if not base or not wanted:
        return None
    found: list[Sentence] = []
    for w in wanted:
        match = next(
            (
                s
                for s in corpus.sentences.get(report.id, [])
                if any(
                    close(w.value, f.value) and units_agree(w.unit, f.unit)
                    for f in figures_of(s.text)
                )
            ),
            None,
        )
        if match is None:
            return None
        if all(not same_source(match, s) for s in found):
            found.append(match)
    return base, found


def _base_clause(report: ReportInfo | None, corpus: Corpus, sources: Sources) -> str:
    if report is None or not report.surveyed:
        return ""
    traced = base_sources(report, corpus)
    if traced is None:
        return ""
    base, sentences = traced
    n = marks(*(sources.cite(s) for s in sentences))
    return f"The survey's base: {base} {n}."


def _premise_conflict(query: Query, answer_values: Iterable[float], facts: Sequence[Fact]) -> bool:
    """A figure in the question that no chosen fact states, derives or names as a row."""
    values = list(answer_values)
    units = {f.unit for f in facts}
    for figure in query.figures:
        if figure.unit == "year" or not any(units_agree(figure.unit, u) for u in units):
            continue  # "$300M or more" in a question about shares is a bound, not a claim
        if any(is_selector(figure, f) for f in facts):
            continue
        if any(close(figure.value, v) for v in values):
            continue
        return True
    return False


# --------------------------------------------------------------------------- the answerer


@dataclass
class Draft:
    """An answer being written."""

    sources: Sources = field(default_factory=Sources)
    parts: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def refuse(
    query: Query, reason: str, corpus: Corpus, hits: Sequence[Hit], related: Sentence | None
) -> Answer:
    """'The report does not say ...' with no figure; may point at what the report does say."""
    sources = Sources()
    text = f"The report does not say {reason}."
    if related is not None and not figures_of(related.text):
        n = sources.cite(related)
        text += f" It says only this: “{_verbatim(related.text)}” [{n}]."
    return Answer(
        text=text,
        citations=sources.citations(),
        grounded=False,
        note="not answered: the report does not cover this",
        question=query.text,
        retrieved=list(hits),
    )


def _condense(text: str) -> str:
    """A sentence to restate in our own prose: linking words dropped, capitalised."""
    text = _LEADING_LINK.sub("", re.sub(r"\s+", " ", text).strip())
    return _capital(text).rstrip()


def _verbatim(text: str) -> str:
    """A sentence to put inside quotation marks: the report's own words, only spacing evened."""
    return re.sub(r"\s+", " ", text).strip()


def _what(query: Query, missing: Sequence[str]) -> str:
    """Why we refuse, in words, never with a figure."""
    stats = [
        query.names[query.specific.index(t)]
        for t in missing
        if t in STATISTICS or t == AGGREGATE_TERM
    ]
    if stats and query.wants_figure:
        return f"— it gives no {stats[0].lower()} for this"
    shown = [query.names[query.specific.index(t)] for t in missing if t in query.specific]
    # A refusal states no figure, and a year is one: name it without its digits.
    years = [w for w in shown if w.isdigit()]
    shown = [w for w in shown if not w.isdigit()] + (["that year"] if years else [])
    if shown:
        listed = ", ".join(shown)
        return (
            f"— it gives no figure for {listed}"
            if query.wants_figure
            else f"anything about {listed}"
        )
    if query.wants_figure:
        return "— it gives no figure that answers this question"
    return "anything that answers this question"


def charts_for(sources: Sources, corpus: Corpus) -> list[Chart]:
    """One chart per table a cited fact comes from, every row, the cited rows marked."""
    cited = {s.id for s in sources.items if isinstance(s, Fact)}
    charts: list[Chart] = []
    seen: set[tuple[str, str]] = set()
    for item in sources.items:
        if not isinstance(item, Fact) or (item.report, item.table) in seen:
            continue
        seen.add((item.report, item.table))
        table = corpus.tables.get((item.report, item.table), [item])
        rows = tuple(ChartRow(f.row, f.value, f.qualifier, f.id in cited) for f in table)
        charts.append(Chart(item.table, item.caption, item.unit, rows))
    return charts


def compose(
    question: str,
    hits: Sequence[Hit],
    corpus: Corpus,
    similarity: dict[str, float] | None = None,
) -> Answer:
    """The default answer to ``question`` from the retrieved ``hits``."""
    similarity = similarity or {h.id: 0.0 for h in hits}
    query = read_question(question, corpus)
    dense = corpus.sentence_similarity(question)
    candidates: dict[str, Fact] = {}
    for hit in hits:
        if hit.fact is not None:
            for f in corpus.tables.get((hit.fact.report, hit.fact.table), [hit.fact]):
                candidates.setdefault(f.id, f)
    passages = [h for h in hits if h.kind == "passage"]
    related = _best_sentence(query, passages, corpus, minimum=RELATED_MIN)
    if not _content(query):
        return refuse(query, "anything that answers this question", corpus, hits, None)

    if query.wants_figure:
        missing: list[str] = []
        if candidates:
            ranked = score_facts(query, candidates.values(), similarity, corpus)
            if _threshold(query):
                # An amount in the question ("$500M or more") is a band table's business.
                banded = _band_table(ranked, corpus)
                if banded is not None:
                    ranked = [banded] + [x for x in ranked if x is not banded]
            best = ranked[0]
            report = corpus.reports.get(best.fact.report)
            missing = missing_specific(query, stated_tokens(best.fact), report)
            # A fact retrieved only as a sibling has no similarity; judge it by its table's.
            sim = max(
                [best.similarity]
                + [x.similarity for x in ranked if x.fact.table == best.fact.table]
            )
            judged = relevant(best.coverage + (0.3 if best.selector else 0.0), sim)
            if not missing and (judged or only_of_its_kind(query, best, corpus)):
                answer = _figure_answer(query, ranked, corpus, hits, passages)
                if answer is not None:
                    return answer
        # No table row answers it: a report sentence stating a fitting figure may.
        from_text = _figure_from_passages(query, passages, corpus, similarity, hits)
        if from_text is not None:
            return from_text
        if not missing:
            missing = _relevant_hits(query, passages, corpus, similarity)[1]
        wrong = contradicted(query.figures, corpus.facts)
        if wrong is not None and not missing:
            # The question rests on an amount the report contradicts: say what it does state.
            return _corrected(query, wrong, corpus, hits)
        names = [t for t in missing if t not in STATISTICS]
        mention = _mentioning(names, passages, corpus) if names else None
        return refuse(query, _what(query, missing), corpus, hits, mention if missing else related)
    return _descriptive_answer(query, hits, corpus, similarity, related, dense)


_WANTS_SHARE = re.compile(r"\b(?:share|percent(?:age)?|proportion|fraction|portion)\b|%", re.I)
_WANTS_YEAR = re.compile(r"\b(?:what|which)\s+year\b|\bwhen\b|\bsince\b", re.I)


def _fits(query: Query, figures: Sequence[Figure], text: str = "") -> bool:
    """Whether a sentence's figures are the kind the question asks for."""
    if _WANTS_SHARE.search(query.text):
        return any(f.unit == "%" for f in figures)
    if _WANTS_YEAR.search(query.text):
        return any(f.unit in ("year", "years", "months", "days") for f in figures)
    # A bare number ("Gen 2", "GPT 3.5") names a thing; an answer needs a figure with a unit,
    # or one that counts what the question asks about ("250 managers" for "how many managers").
    for f in figures:
        if f.unit not in ("", "year"):
            return True
        following = tokenize(text[f.end : f.end + 30])[:1]
        if f.unit == "" and following and following[0] in query.terms:
            return True
    return False


def _figure_from_passages(
    query: Query,
    passages: Sequence[Hit],
    corpus: Corpus,
    similarity: dict[str, float],
    hits: Sequence[Hit],
) -> Answer | None:
    """A figure question answered by a report sentence that states a fitting figure."""
    good, _ = _relevant_hits(query, passages, corpus, similarity)
    best: tuple[float, Sentence] | None = None
    for rank, (hit, _cov) in enumerate(good[:4]):
        for sentence in corpus.sentences_in(hit.report, hit.start, hit.end):
            figures = figures_of(sentence.text)
            if (
                not figures
                or not _fits(query, figures, sentence.text)
                or sentence.text.endswith("?")
            ):
                continue
            tokens = tokens_of(sentence.text)
            if missing_specific(query, tokens, corpus.reports.get(hit.report)):
                continue
            score = coverage(query, tokens, corpus) - 0.02 * rank
            if score >= 0.5 and (best is None or score > best[0]):
                best = (score, sentence)
    if best is None:
        return None
    return _quoted_figure_answer(query, best[1], hits)


def _quoted_figure_answer(query: Query, sentence: Sentence, hits: Sequence[Hit]) -> Answer:
    """A figure question answered by quoting one report sentence (with a complement if asked)."""
    sources = Sources()
    n = sources.cite(sentence)
    parts = [f"The report says: “{_verbatim(sentence.text)}” [{n}]."]
    notes = []
    stated = list(figures_of(sentence.text))
    shares = [f for f in stated if f.unit == "%"]
    if (
        query.negated
        and _WANTS_SHARE_OR_COUNT.search(query.text)
        and len(shares) == 1
        and not NEGATION.search(sentence.text)
    ):
        # "What share did not ...?" from a sentence that gives the share that did.
        f = shares[0]
        rest = round(100 - f.value, 6)
        working = f"100% − {format_value(f.value, '%')} = {format_value(rest, '%')}"
        if f.qualifier == "exact":
            lead = f"By complement, {format_value(rest, '%')} did not ({working})."
        else:
            bound = format_figure(rest, "%", _FLIP[f.qualifier])
            lead = (
                f"By complement, {bound} did not ({working}, and the report's figure is "
                f"{f.describe()})."
            )
        parts.insert(0, lead)
        stated = [*stated, Figure(rest, "%", "exact", 0, 0, "")]
    if any(
        f.unit != "year" and not any(close(f.value, g.value) for g in stated) for f in query.figures
    ):
        parts.insert(0, "The report does not support the figure in the question.")
        notes.append("the question's figure is not the report's; corrected")
    return Answer(
        text=" ".join(parts),
        citations=sources.citations(),
        grounded=True,
        note="; ".join(notes) or None,
        question=query.text,
        retrieved=list(hits),
    )


def _mentioning(terms: Sequence[str], passages: Sequence[Hit], corpus: Corpus) -> Sentence | None:
    for hit in passages:
        for s in corpus.sentences_in(hit.report, hit.start, hit.end):
            if all(term_matches(t, tokens_of(s.text)) for t in terms):
                return s
    return None


def _threshold(query: Query) -> bool:
    """Whether the question names an amount ('$100M or more', '$75M'): a band table's job."""
    return any(f.unit == "USD" or (f.unit == "" and f.value >= 1000) for f in query.figures)


def _band_table(ranked: list[ScoredFact], corpus: Corpus) -> ScoredFact | None:
    """The best-ranked fact whose table is made of amount bands."""
    for scored in ranked:
        table = corpus.tables.get((scored.fact.report, scored.fact.table), [scored.fact])
        if bands(table) and scored.coverage >= 0.34:
            return scored
    return None


_CONTINUES = re.compile(r"(?:they|it|this|these|those|that|such)\b", re.I)
_SUM_CUE = re.compile(
    r"\b(?:add(?:ing|ed)?(?:\s+up)?|sum|total|combined|together|altogether|in\s+all)\b", re.I
)
# A complement answers "what share did not ...", not "how big were the losses they couldn't ...".
_WANTS_SHARE_OR_COUNT = re.compile(
    r"\b(?:share|percent(?:age)?|proportion|fraction|portion|how\s+many|how\s+much)\b|%", re.I
)
_EACH_CUE = re.compile(r"\b(?:each|respectively|breakdown|broken\s+down)\b", re.I)
_FLIP = {
    "exact": "exact",
    "about": "about",
    "over": "under",
    "under": "over",
    "at_least": "at_most",
    "at_most": "at_least",
}


def _unmatched_row(query: Query, table: Sequence[Fact]) -> bool:
    """The question names a row the table does not have ('rated it a 3' when only 4 and 5 are).

    Only for tables whose rows are named by figures (ratings, bands), and only for a figure of
    the same kind as those names, so a false premise ('90% said ...') is not mistaken for one.
    """
    named = [(f, row_figures(f)) for f in table]
    named = [(f, figs) for f, figs in named if figs]
    if len(named) < 2:
        return False
    kinds = {g.unit for _, figs in named for g in figs}
    for figure in query.figures:
        if figure.unit == "year" or figure.unit not in kinds:
            continue
        if any(close(figure.value, g.value) for _, figs in named for g in figs):
            continue
        if any(close(figure.value, f.value) for f in table):
            continue
        return True
    return False


def _figure_answer(
    query: Query,
    ranked: list[ScoredFact],
    corpus: Corpus,
    hits: Sequence[Hit],
    passages: Sequence[Hit],
) -> Answer | None:
    best = ranked[0].fact
    report = corpus.reports.get(best.report)
    table = corpus.tables.get((best.report, best.table), [best])
    draft = Draft()
    sources = draft.sources
    selectors = [x.fact for x in ranked if x.selector and x.fact.table == best.table]
    money = [f for f in query.figures if f.unit in ("USD", "") and f.value >= 1000]
    summing = len(selectors) >= 2 and bool(_SUM_CUE.search(query.text))
    listing = (
        len(selectors) >= 2
        and not summing
        and (bool(_EACH_CUE.search(query.text)) or len(money) >= 3)
    )
    # Two amounts are a range ("between $50M and $200M"); more are a list of rows.
    derivation = None if listing or (summing and len(money) != 2) else band_sum(query, table)
    if derivation is False:
        return refuse(
            query, "— its bands do not split at the amount asked about", corpus, hits, None
        )
    if derivation is None and _unmatched_row(query, table):
        return refuse(query, "— it gives no figure for that answer option", corpus, hits, None)

    chosen: list[Fact]
    total: float | None = None  # the figure the answer derives, if it derives one
    checked_against: float | None = None  # the whole a sum was checked against
    if isinstance(derivation, Derivation) and derivation.kind == "within":
        chosen = [derivation.facts[0]]
        draft.parts.append(_state(chosen[0], corpus, sources))
        draft.parts.append("That is the report's highest band; it gives no finer split.")
    elif isinstance(derivation, Derivation) and len(derivation.facts) > 1:
        chosen = list(derivation.facts)
        total = derivation.value
        draft.parts.append(
            f"Adding the report's bands ({best.caption.rstrip('?. ')}): "
            f"{_sum_working(chosen, total, corpus, sources)}."
        )
        if derivation.below is not None:
            draft.parts.append(below(derivation.below, best))
    elif isinstance(derivation, Derivation):
        chosen = [derivation.facts[0]]
        draft.parts.append(_state(chosen[0], corpus, sources))
        if derivation.below is not None:
            draft.parts.append(below(derivation.below, chosen[0]))
    elif ADDS_UP_CUE.search(query.text) and (parts := _addends(query, ranked, selectors)):
        chosen = parts
        total = round(sum(f.value for f in chosen), 6)
        draft.parts.append(_adds_up(chosen, total, corpus, sources))
        checked_against = 100.0  # "do they add up to 100%?" names the whole, not a claim to correct
    elif TIMES_CUE.search(query.text) and (
        ratio := _ratio_pair([(x.fact, x.coverage) for x in ranked], selectors)
    ):
        chosen = [ratio.larger, ratio.smaller]
        total = ratio.value
        draft.parts.extend(_state(f, corpus, sources) for f in chosen)
        draft.parts.append(
            f"Dividing one by the other: {times_working(ratio)}, so "
            f"{format_value(ratio.value, '')} times."
        )
    elif SHARE_OF_SHARE_CUE.search(query.text) and (
        split := _share_split(query, ranked, selectors)
    ):
        part, whole, value = split
        chosen = [whole, part]
        total = value
        draft.parts.extend(_state(f, corpus, sources) for f in chosen)
        draft.parts.append(
            f"As a share of the {format_value(whole.value, '%')}: "
            f"{share_working(part, whole, value)}."
        )
    elif summing and all(f.unit == selectors[0].unit for f in selectors):
        chosen = selectors
        total = sum(f.value for f in chosen)
        draft.parts.append(f"Adding them up: {_sum_working(chosen, total, corpus, sources)}.")
    elif DIFFERENCE_CUE.search(query.text) and (
        pair := compared([(x.fact, x.coverage) for x in ranked], selectors)
    ):
        chosen = list(pair)
        total = round(pair[0].value - pair[1].value, 6)
        draft.parts.extend(_state(f, corpus, sources) for f in chosen)
        draft.parts.append(difference(pair, total))
    elif len(selectors) >= 2:
        chosen = selectors
        draft.parts.extend(_state(f, corpus, sources) for f in chosen)
    else:
        chosen = [best]
        top = ranked[0]
        # Rows stated in one sentence and matched equally well are given together, except
        # for a negated question, which is about the complement of the best row alone.
        for other in ranked[1:4] if not query.negated else []:
            tie = other.fact.source == best.source and other.fact.table == best.table
            if tie and abs(other.score - top.score) < 0.05 and not top.selector:
                chosen.append(other.fact)
        draft.parts.extend(_state(f, corpus, sources) for f in chosen)

    values = [f.value for f in chosen] + [v for v in (total, checked_against) if v is not None]
    single = total if total is not None else (chosen[0].value if len(chosen) == 1 else None)
    stated = any(close(f.value, v) for f in query.figures for v in values)
    negated = (
        query.negated
        and _WANTS_SHARE_OR_COUNT.search(query.text) is not None
        and (stated or not any(states_negation(f) for f in chosen))
    )
    if (
        (negated or _opposite(query, chosen))
        and single is not None
        and all(f.unit == "%" for f in chosen)
    ):
        qualifier = chosen[0].qualifier if total is None else "exact"
        rest = round(100 - single, 6)
        values.append(rest)
        if qualifier == "exact":
            working = f"100% − {format_value(single, '%')} = {format_value(rest, '%')}"
            lead = f"By complement, {format_value(rest, '%')} did not ({working})."
        else:
            figure = format_figure(rest, "%", _FLIP[qualifier])
            working = f"100% − {format_value(single, '%')} = {format_value(rest, '%')}"
            lead = (
                f"By complement, {figure} did not ({working}, and the report's figure is "
                f"{phrase(chosen[0])})."
            )
        # A derived total must be worked out before its complement uses it.
        draft.parts.insert(0 if total is None else 1, lead)
        twin = next(
            (
                f
                for f in table
                if f not in chosen
                and f.unit == "%"
                and f.qualifier == "exact"
                and close(f.value, rest)
            ),
            None,
        )
        if twin is not None:
            m = marks(sources.cite(twin), sources.cite(corpus.sentence_for(twin)))
            draft.parts.append(
                f"The report also states it directly: {_lower(fact_sentence(twin))} {m}."
            )
            chosen.append(twin)
    if _premise_conflict(query, values, chosen):
        draft.parts.insert(0, "The report does not support the figure in the question.")
        draft.notes.append("the question's figure is not the report's; corrected")
    if len(chosen) == 1 and not FIGURE_INTENT.search(query.text):
        # An open question ("what do businesses expect ...") gets the sentence that carries
        # the report's point on ("They also expect it to ..."), when there is one.
        after = corpus.next_sentence(chosen[0].report, chosen[0].end)
        if after is not None and _CONTINUES.match(after.text):
            draft.parts.append(f"{_condense(after.text).rstrip('.')} [{sources.cite(after)}].")
    if _WANTS_WHEN.search(query.text):
        draft.parts.extend(_dated_sources(chosen, corpus, sources))
    if query.why:
        extra = _best_sentence(
            query, passages, corpus, exclude={f.source for f in chosen}, minimum=RELATED_MIN
        )
        if extra is not None:
            draft.parts.append(
                f"The report's reading: “{_verbatim(extra.text)}” [{sources.cite(extra)}]."
            )
    if any(f.unit == "%" for f in chosen):
        # Shares are shares of the survey's respondents; context figures (ChatGPT's users,
        # training costs) are not, so only shares get the base.
        draft.parts.append(_base_clause(report, corpus, sources).strip())
    text = " ".join(p for p in draft.parts if p)
    return Answer(
        text=text,
        citations=sources.citations(),
        grounded=True,
        charts=charts_for(sources, corpus),
        note="; ".join(draft.notes) or None,
        question=query.text,
        retrieved=list(hits),
    )


def _addends(query: Query, ranked: Sequence[ScoredFact], selectors: Sequence[Fact]) -> list[Fact]:
    """The rows a yes/no 'do they add up' question names: two or more of one table in one
    unit, named by figures, or else the two rows the question covers best."""
    if len(selectors) >= 2:
        rows = list(selectors)
    else:
        pair = compared([(x.fact, x.coverage) for x in ranked], [])
        rows = list(pair) if pair else []
    if len(rows) < 2 or len({f.unit for f in rows}) != 1:
        return []
    return sorted(rows, key=lambda f: f.start)


def _adds_up(facts: Sequence[Fact], total: float, corpus: Corpus, sources: Sources) -> str:
    """'Yes: 41.2% + 58.8% = 100%, the whole sample.' then each row's sentence, cited."""
    unit = facts[0].unit
    working = " + ".join(format_value(f.value, unit) for f in facts)
    working += f" = {format_value(total, unit)}"
    if unit != "%":
        lead = f"Adding them up: {working}."
    elif close(total, 100.0):
        lead = f"Yes: {working}, the whole sample."
    else:
        lead = f"No: {working}, not 100%."
    return " ".join([lead, *(_state(f, corpus, sources) for f in facts)])


def _ratio_pair(ranked: Sequence[tuple[Fact, float]], selectors: Sequence[Fact]) -> Ratio | None:
    """The two rows a 'how many times' question compares and their ratio."""
    pair: Ratio | None = None
    if len(selectors) == 2:
        pair = times(*selectors)
    elif not selectors and ranked:
        best = ranked[0][0]
        for fact, cov in ranked[1:]:
            if fact.table == best.table and cov >= COMPARED_MIN:
                pair = times(best, fact)
                if pair is not None:
                    break
    return pair


def _share_split(
    query: Query, ranked: Sequence[ScoredFact], selectors: Sequence[Fact]
) -> tuple[Fact, Fact, float] | None:
    """For 'among those who ..., what share ...': the part (the row the question names by a
    figure), the whole it is a share of, and the part's share of it in percent."""
    if not selectors:
        return None
    # The row named first is the one asked about ("rated it 4 rather than 5").
    named = sorted(
        selectors,
        key=lambda f: min(
            (q.start for q in query.figures if is_selector(q, f)), default=len(query.text)
        ),
    )
    part = named[0]
    whole = whole_of(part, [(x.fact, x.coverage) for x in ranked if x.fact not in selectors])
    if whole is None:
        return None
    value = share_of_share(part, whole)
    return None if value is None else (part, whole, value)


_WANTS_WHEN = re.compile(
    r"\b(?:what|which)\s+(?:year|month|date|day|period)s?\b|\bwhen\b|\bbetween\s+which\b", re.I
)


def _dated_sources(facts: Sequence[Fact], corpus: Corpus, sources: Sources) -> list[str]:
    """For a 'when' question: the report's own sentence where it dates what a fact leaves undated.

    A fact's statement keeps the figure ("in just 3 months"); the sentence it was read from
    may also say when ("between February 2023 to April 2023").
    """
    parts = []
    for fact in facts:
        if any(f.unit == "year" for f in figures_of(fact.text)):
            continue
        if any(f.unit == "year" for f in figures_of(fact.source)):
            sentence = corpus.sentence_for(fact)
            quote = _verbatim(sentence.text)
            parts.append(f"In the report's words: “{quote}” [{sources.cite(sentence)}].")
    return list(dict.fromkeys(parts))


def _corrected(query: Query, fact: Fact, corpus: Corpus, hits: Sequence[Hit]) -> Answer:
    """The report's figure in place of the one the question assumed."""
    sources = Sources()
    text = (
        f"The report does not support the figure in the question. {_state(fact, corpus, sources)}"
    )
    return Answer(
        text=text,
        citations=sources.citations(),
        grounded=True,
        charts=charts_for(sources, corpus),
        note="the question's figure is not the report's; corrected",
        question=query.text,
        retrieved=list(hits),
    )


def _sum_working(facts: Sequence[Fact], total: float, corpus: Corpus, sources: Sources) -> str:
    """'24% ($100M to $200M) [1][2] + 10% ($200M or more) [3][2] = 34%'."""
    terms = []
    for f in facts:
        n = marks(sources.cite(f), sources.cite(corpus.sentence_for(f)))
        terms.append(f"{format_value(f.value, f.unit)} ({f.row}) {n}")
    return f"{' + '.join(terms)} = {format_value(round(total, 6), facts[0].unit)}"


def _state(fact: Fact, corpus: Corpus, sources: Sources) -> str:
    n = marks(sources.cite(fact), sources.cite(corpus.sentence_for(fact)))
    return f"{_capital(fact_sentence(fact))} {n}."


def _sentence_score(query: Query, sentence: Sentence, corpus: Corpus) -> float:
    return coverage(query, tokens_of(sentence.text), corpus)


def _best_sentence(
    query: Query,
    passages: Sequence[Hit],
    corpus: Corpus,
    exclude: set[str] | None = None,
    minimum: float = 0.0,
) -> Sentence | None:
    best: tuple[float, Sentence] | None = None
    for rank, hit in enumerate(passages[:4]):
        for s in corpus.sentences_in(hit.report, hit.start, hit.end):
            if (exclude and s.text in exclude) or s.text.endswith("?"):
                continue
            score = _sentence_score(query, s, corpus)
            if score >= minimum and (best is None or score - 0.02 * rank > best[0]):
                best = (score - 0.02 * rank, s)
    return best[1] if best and best[0] > 0 else None


def _content(query: Query) -> bool:
    """Whether anything is left to answer once instructions to the answerer are removed."""
    return bool(tokenize(query.text))


def _evidence(hit: Hit, corpus: Corpus) -> tuple[frozenset[str], list[Sentence]]:
    """What a hit offers a descriptive answer: its tokens and the report sentences it holds."""
    if hit.fact is not None:
        # The fact's sentence, and the one after it, which often completes it ("They also
        # expect it to improve the customer experience and reduce costs.").
        after = corpus.next_sentence(hit.report, hit.fact.end)
        following = [after] if after is not None else []
        return fact_tokens(hit.fact), [corpus.sentence_for(hit.fact), *following]
    # A passage is also about what its section's title says ("Who answered").
    return tokens_of(f"{hit.text} {hit.section}"), corpus.sentences_in(
        hit.report, hit.start, hit.end
    )


def _relevant_hits(
    query: Query, hits: Sequence[Hit], corpus: Corpus, similarity: dict[str, float]
) -> tuple[list[tuple[Hit, float]], list[str]]:
    """The hits that answer the question (with their coverage), and specific terms none had."""
    good: list[tuple[Hit, float]] = []
    absent = set(query.specific)  # specific terms no examined hit mentions
    # A word the report never uses ("quantum" computing, cloud "provider") narrows the
    # question to something the report may not cover; half the words matching is then not
    # enough, the embedding must agree as well.
    foreign = any(corpus.unknown(t) for t in query.terms)
    for hit in hits:
        tokens, _ = _evidence(hit, corpus)
        missing = missing_specific(query, tokens, corpus.reports.get(hit.report))
        absent &= set(missing)
        if missing:
            continue
        cov = coverage(query, tokens, corpus)
        sim = similarity.get(hit.id, 0.0)
        if relevant(cov, sim) and not (foreign and cov < 1 and sim < FOREIGN_MIN):
            good.append((hit, cov))
    return good, ([] if good else [t for t in query.specific if t in absent])


def _descriptive_answer(
    query: Query,
    hits: Sequence[Hit],
    corpus: Corpus,
    similarity: dict[str, float],
    related: Sentence | None,
    dense: dict[tuple[str, int], float],
) -> Answer:
    good, missing = _relevant_hits(query, hits, corpus, similarity)
    if not good:
        by_meaning = [] if missing else dense_pick(query, corpus, dense)
        if by_meaning:
            return _quoted(query, by_meaning, hits)
        return refuse(query, _what(query, missing), corpus, hits, related if not missing else None)
    # Some hit answers the question; the best sentences may sit in any hit that names
    # everything specific the question names, so all of those compete.
    pool = [
        (hit, coverage(query, _evidence(hit, corpus)[0], corpus))
        for hit in hits
        if not missing_specific(query, _evidence(hit, corpus)[0], corpus.reports.get(hit.report))
    ]
    scored: list[tuple[float, Sentence]] = []
    for rank, (hit, cov) in enumerate(pool):
        _, sentences = _evidence(hit, corpus)
        # Sentences of a better hit start ahead: the embedding saw meaning the words miss.
        prior = 0.3 * similarity.get(hit.id, 0.0) - 0.02 * rank
        previous = 0.0
        for s in sentences:
            own = _sentence_score(query, s, corpus)
            if hit.fact is not None and cov >= 0.5:
                own = max(own, 0.9 * cov)  # a fact's caption says what its sentence is about
            own = max(own, 0.8 * coverage(query, tokens_of(s.section), corpus))
            # A sentence often answers what the one before it asked ("...big blockers. The
            # biggest ones are ..."), so it inherits part of its predecessor's relevance.
            score = own + 0.5 * previous
            previous = own
            if len(s.text) < 25 or s.text.endswith("?"):
                continue  # headings and the survey's own questions say nothing by themselves
            if score > 0:
                scored.append((score + prior, s))
    if not scored:
        return refuse(query, _what(query, []), corpus, hits, None)
    scored.sort(key=lambda x: -x[0])
    top = scored[0][0]
    picked: list[Sentence] = []
    for score, sentence in scored:
        if score >= 0.5 * top and all(not same_source(sentence, p) for p in picked):
            picked.append(sentence)
        if len(picked) == 3:
            break
    return _quoted(query, picked, hits)


def _quoted(query: Query, picked: Sequence[Sentence], hits: Sequence[Hit]) -> Answer:
    """A descriptive answer: the picked report sentences in text order, each cited."""
    picked = sorted(picked, key=lambda x: (x.report, x.start))
    sources = Sources()
    lines = [f"{_condense(x.text).rstrip('.')} [{sources.cite(x)}]." for x in picked]
    return Answer(
        text="According to the report: " + " ".join(lines),
        citations=sources.citations(),
        grounded=True,
        question=query.text,
        retrieved=list(hits),
    )
