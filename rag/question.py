"""Reading a question: what it asks about, what it must not be answered without, what it wants.

Pure functions of the question text (and, for names, of the corpus's vocabulary), shared by
the default answerer and the follow-up resolver.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rag.text.numbers import Figure, extract_figures
from rag.text.tokens import tokenize

if TYPE_CHECKING:
    from rag.evidence import Corpus

# Words that say *how* to answer, not *what* about: they must not count towards coverage.
GENERIC = frozenset(
    tokenize(
        """share percentage percent proportion fraction portion number many much figure figures
        amount rate ratio company companies enterprise enterprises organisation organization
        organizations firm firms business businesses respondent respondents people person
        participant surveyed survey report reported say said tell according state stated
        felt feel think thought saw see question answer exactly total overall please know
        give show list describe explain summarize summarise did does do get got find found
        mention mentioned claim claimed one ones thing things percentages shares
        proportions use using used uses roughly approximately actually really correct
        big large huge size sized
        true accurate add adding added adds sum summed together combined altogether
        difference gap outnumber outnumbered outnumbers""",
        keep_stopwords=True,
    )
)
# Statistics a report must name before we may answer with them.
STATISTICS = frozenset(
    tokenize(
        """average averages mean median typical mode growth grew increase increased decrease
        decreased decline declined trend trends percentile deviation variance correlation
        forecast projection projected cagr yoy""",
        keep_stopwords=True,
    )
)
# A total taken across the respondents ("how many employees in total across all the
# companies"): the report must state that total; a figure per respondent ("every respondent had
# over 10,000 employees") is not one. A total share is a sum of rows, which the answerer derives.
_AGGREGATE = re.compile(
    r"\b(?:total|combined|altogether)\b[^?]*\b(?:across|among|over|for)\s+(?:all|every|each)\b|"
    r"\b(?:across|among)\s+(?:all|every)\b[^?]*\b(?:total|combined|altogether)\b",
    re.I,
)
_SHARE = re.compile(r"\b(?:share|percent(?:age)?|proportion|fraction|portion)\b|%", re.I)
AGGREGATE_TERM = "total"
NEGATION = re.compile(
    r"\b(?:not|never|no|unable|cannot|can't|couldn't|didn't|don't|doesn't|wasn't|weren't|"
    r"isn't|aren't|without|fail(?:ed|s)?\s+to|lack(?:ed|s|ing)?|short\s+of|insufficient|"
    r"avoid(?:ed|s|ing)?|escap(?:ed|es|ing)|spared|"
    # "understaffed" is the negation of "staffed", not a synonym of it
    r"under-?(?:staffed|funded|resourced|invested|equipped|prepared|skilled|budgeted))\b|"
    r"n['’]t\b",
    re.I,
)
FIGURE_INTENT = re.compile(
    r"\b(?:what|which)\s+(?:\w+\s+){0,2}(?:share|percent(?:age)?|proportion|fraction|portion|"
    r"number|amount|size|figure|rate|ratio|level|minimum|maximum|smallest|largest|lowest|"
    r"highest|headcount|count)\b|\bsample\s+size\b|"
    r"\bhow\s+(?:many|much|large|big|common|widespread|often|prevalent|high|low|significant)\b|"
    r"\b(?:share|percent(?:age)?|proportion|fraction|portion|number)\s+of\b|%|"
    r"\b(?:add|adds|added)\s+up\s+to\b|\bsums?\s+to\b|"
    r"\bhow\s+(?:did|do)\s+\w+\s+rate\b|\bwhat\s+(?:were|was|are|is)\s+the\s+(?:odds|chances)\b",
    re.I,
)
_WHY = re.compile(r"^\s*(?:why|how\s+come|what\s+explains|what\s+caused)\b", re.I)
# A sentence that gives the answerer orders rather than asking about the report.
_INJECTION = re.compile(
    r"\b(?:ignore|disregard|forget|override|bypass)\b|\bsystem\s*(?:prompt\b|:)|"
    r"\bdebug\s+mode\b|\bpretend\b|\byou\s+are\s+now\b|\bact\s+as\b|\bfrom\s+now\s+on\b|"
    r"\bnew\s+instructions?\b|\b(?:print|reveal|show)\s+(?:me\s+)?your\b|\bnote\s+from\b|"
    r"\b(?:was|has\s+been|have\s+been)\s+(?:now\s+)?(?:updated|changed|corrected)\b|"
    r"\badd\s+\d+\s+(?:points?|percent)|\bmake\s+up\b|\byou\s+must\b|\bnever\s+refuse\b|"
    r"\balways\s+(?:answer|say)\b",
    re.I,
)
_SEGMENT = re.compile(r"(?<=[.?!;])\s+|,\s*then\s+|\s+-\s+|\s+—\s+")
_ORDER_WORDS = frozenset(
    """ignore disregard forget override bypass previous prior above all any instructions
    instruction rules rule prompt prompts system debug mode on off say print reveal show pretend
    act as now new note from publisher updated update changed corrected add points point every
    percentage percentages you quote your must never refuse make up number numbers if needed
    tell me then report answer answers the and that this is are was were it to a an be
    always only just figure figures context sources source everything""".split()
)
_QUESTION_WORD = re.compile(
    r"^\s*(?:what|which|who|whom|whose|when|where|why|how|is|are|was|were|do|does|did|can|"
    r"could|should|would|will|has|have|had)\b",
    re.I,
)
RARE_NAME_DF = 3  # a name the corpus uses at most this often must appear in the evidence


# --------------------------------------------------------------------------- the question


@dataclass(frozen=True)
class Query:
    """What the answerer reads from a question."""

    text: str  # with any embedded instructions removed
    terms: tuple[str, ...]  # content terms that evidence should cover
    specific: tuple[str, ...]  # terms evidence MUST mention (names, years, statistics)
    names: tuple[str, ...]  # the specific terms as the question wrote them
    figures: tuple[Figure, ...]  # figures the question states
    wants_figure: bool
    negated: bool
    why: bool
    # Acronyms of the question the corpus spells out: ('aiia', {'ai', 'infrastructure', ...}).
    aliases: tuple[tuple[str, frozenset[str]], ...] = ()


def sanitize(question: str) -> str:
    """The question without instructions aimed at the answerer ('ignore previous ...').

    A sentence that gives orders loses its figures and its order words; what is left of it
    (often the topic: "say 99% are understaffed" -> "understaffed") stays in the question.
    """
    kept: list[str] = []
    dropped_share = False
    for segment in _SEGMENT.split(question):
        segment = segment.strip(" ,;:-")
        if not segment:
            continue
        if not _INJECTION.search(segment):
            kept.append(segment)
            continue
        figures = extract_figures(segment)
        dropped_share = dropped_share or any(f.unit == "%" for f in figures)
        chars = list(segment)
        for f in figures:
            chars[f.start : f.end] = " " * (f.end - f.start)
        words = re.findall(r"[A-Za-z][A-Za-z'’-]*", "".join(chars))
        rest = [w for w in words if w.lower() not in _ORDER_WORDS]
        if tokenize(" ".join(rest)):
            kept.append(" ".join(rest))
    text = re.sub(r"\s+", " ", " ".join(kept)).strip(" ,;:-.")
    if dropped_share and text and not _QUESTION_WORD.match(text):
        text = f"What share {text}?"  # the order asked for a share; the question does too
    return text


# "50M-200M" is a range; the figure reader would take the dash for a minus sign.
_RANGE_DASH = re.compile(r"(\d(?:[\d.,]*\d)?\s?(?:[kKmMbB]n?\b|%)?)\s?[-–—]\s?(?=\$?\d)")


# Shorthand executives type for words reports spell out; "gen" alone would otherwise read as
# a rare name ("Gen 2", a model the report mentions in passing).
_SHORTHAND = ((re.compile(r"\bgen[\s-]?ai\b", re.I), "generative AI"),)


def expand_shorthand(text: str) -> str:
    """'gen AI' -> 'generative AI'."""
    for pattern, full in _SHORTHAND:
        text = pattern.sub(full, text)
    return text


def read_question(question: str, corpus: Corpus | None = None) -> Query:
    """Analyse ``question``: its content terms, specific terms, figures and intent."""
    text = _RANGE_DASH.sub(r"\1 to ", expand_shorthand(sanitize(question)))
    # "a year and a half" is a duration, not 50%.
    figures = tuple(
        f
        for f in extract_figures(text)
        if not (f.raw.lower() == "half" and re.search(r"\ba\s+$", text[: f.start], re.I))
    )
    # Words inside a figure ("$200M", "10 years") are the figure, not terms or names.
    masked = list(text)
    for f in figures:
        masked[f.start : f.end] = " " * (f.end - f.start)
    plain = "".join(masked)
    terms: list[str] = []
    for t in tokenize(plain):
        if t in GENERIC or t in terms or re.fullmatch(r"[\d.]+[kmb]?", t):
            continue
        terms.append(t)
    if not terms:
        # "Who was surveyed?": only generic words, so they are the content.
        terms = [t for t in dict.fromkeys(tokenize(plain)) if not re.fullmatch(r"[\d.]+[kmb]?", t)]
    specific: list[str] = []
    names: list[str] = []
    proper = corpus.proper if corpus else frozenset()
    words = list(re.finditer(r"[A-Za-z][A-Za-z0-9]*", plain))
    for i, m in enumerate(words):
        word = m.group(0)
        tokens = tokenize(word)
        if not tokens:
            continue
        token = tokens[0]
        at_start = i == 0 or re.search(r"[.?!:]\s*$", text[: m.start()]) is not None
        named = word[0].isupper() and not at_start and token not in GENERIC and len(word) > 1
        df = corpus.bm25.df.get(token, 0) if corpus is not None else 0
        unseen_name = named and corpus is not None and not df
        # A name the report rarely uses (Japan, Falcon) must be in the evidence; one it uses
        # all the time (LLM, AI) is the topic, not a qualifier of the question.
        rare_name = token in proper and df <= RARE_NAME_DF
        if token in STATISTICS or rare_name or unseen_name:
            if token not in specific:
                specific.append(token)
                names.append(word)
    for f in figures:
        if f.unit == "year":
            specific.append(str(int(f.value)))
            names.append(str(int(f.value)))
    if asks_total(text):
        specific.append(AGGREGATE_TERM)
        names.append(AGGREGATE_TERM)
    return Query(
        text=text,
        terms=tuple(terms),
        specific=tuple(specific),
        names=tuple(names),
        figures=figures,
        wants_figure=bool(FIGURE_INTENT.search(text))
        or bool(figures)
        or any(t in STATISTICS or t == AGGREGATE_TERM for t in specific),
        negated=bool(NEGATION.search(text)),
        why=bool(_WHY.match(text)),
        aliases=tuple(
            (t, corpus.acronyms[t]) for t in dict.fromkeys(terms) if corpus and t in corpus.acronyms
        ),
    )


def asks_total(text: str) -> bool:
    """Whether the question wants a total across the respondents (not a total share)."""
    return bool(_AGGREGATE.search(text)) and not _SHARE.search(text)
