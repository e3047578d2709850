"""Reading a question, with the conversation so far, into a plan: parts, intents, targets.

    question ─► split into parts ─► per part: intent (learned classifier over the question's
    MiniLM vector) ─► targets: the facts, table, section or sentences it is about, matched by
    meaning and words ─► scope (time, another group) and premises ─► answerability features

A part that leans on what came before ("and the higher band?", "the total of those") takes
its targets from the earlier parts of the same question or from earlier turns (rag.answering
.state), not from rewriting text. Everything here is general English; what one report calls
things comes from its vocabulary in report.toml.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from rag.answering.intents import load_intent_model
from rag.answering.knowledge import (
    Knowledge,
    Scored,
    absent_option,
    asked_range,
    fact_document,
    figures_of,
    name_words,
    names_row,
    row_named,
    scale_points,
    tokens_of,
)
from rag.answering.locality import Nearby, load_weight, nearby, nearness, ordered
from rag.answering.measures import count_asked, measure_missing
from rag.answering.parts import (
    contrasted,
    premise,
    set_aside,
    sides,
    split_questions,
    whole_and_part,
    without_cut_offs,
)
from rag.answering.survey_facets import Facet, FacetMatch, asks_figure, matches
from rag.text.lexicon import (
    ALL_ROWS,
    ANAPHORA,
    BOTTOMMOST,
    BROAD,
    CHANGE_PHRASES,
    CHANGE_VERBS,
    COMMONNESS,
    DIFFERENCE_CUES,
    FOLLOWUP_OPENERS,
    GENERIC,
    HIGHER,
    LEAST,
    LOWER,
    NEGATIONS,
    NEGATIVE,
    OVERVIEW_CUES,
    PICKING,
    POPULATION,
    RATIO_CUES,
    REST,
    ROLES,
    SHORTFALL,
    STATISTICS,
    SUM_CUES,
    THAT_FIGURE,
    TIME_SHIFT,
    TIME_WORDS,
    TOPMOST,
    UNIT_CUES,
    asks_change,
    place_asked,
)
from rag.text.numbers import (
    IN_POINTS,
    Figure,
    close,
    extract_figures,
    moved_between,
    units_agree,
)
from rag.text.sentences import of_earlier_edition
from rag.text.tokens import STOPWORDS, tokenize
from rag.types import Fact, PlanPart, Sentence, Target

FIGURE_INTENTS = frozenset(
    "figure breakdown compare extreme sum difference complement ratio share_of_share".split()
)
TWO_SIDED = frozenset("compare difference ratio share_of_share".split())
_PAIRED = frozenset("compare difference ratio".split())  # two figures set against each other
OVERVIEW_INTENTS = frozenset("overview conclusion recommendation emphasis".split())
OUTWORDING_POOL = 8  # the nearest sentences a fact's wording is weighed against
_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*")


@dataclass(frozen=True)
class SideMatch:
    """One side of a two-sided part ("X than Y"): its text, its fact and that side's ranking."""

    query: str
    target: Scored
    ranked: list[Scored]


@dataclass
class Reading:
    """One part of a question, read: the public PlanPart plus what execution needs."""

    text: str
    intent: str
    confidence: float
    report_ids: list[str]
    facts: list[Fact] = field(default_factory=list)  # targets, in the order the part names them
    ranked: list[Scored] = field(default_factory=list)  # every fact, best match first
    sentences: list[Scored] = field(default_factory=list)  # report sentences, best first
    section: tuple[str, str] | None = None  # (report id, section title)
    direction: str | None = None
    place: int = 1  # for extremes: the place of the ranking asked ("the second most": 2)
    scope: str | None = None
    claimed: list[Figure] = field(default_factory=list)  # figures the question asserts
    leans: bool = False  # takes its topic from what came before
    inherited: bool = False  # its targets are figures earlier turns already answered with
    follows: bool = False  # asked after an answer whose evidence it may continue (locality)
    nearby: list[Nearby] = field(default_factory=list)  # a follow-up's candidate sentences
    premise: str | None = None  # a claim the question rests on, checked against the report
    features: dict[str, float] = field(default_factory=dict)
    answerable: float | None = None
    sides: list[SideMatch] = field(default_factory=list)  # a two-sided part, each side matched
    facet: Facet | None = None  # what a question about the survey itself asks
    about: dict[str, list[FacetMatch]] = field(default_factory=dict)  # evidence per facet
    absent: Figure | None = None  # an answer option the question names and its table lacks

    def public(self) -> PlanPart:
        """The part as ``Answer.plan`` shows it."""
        targets: list[Target] = []
        by_report: dict[str, list[Fact]] = {}
        for f in self.facts:
            by_report.setdefault(f.report, []).append(f)
        for rid, facts in by_report.items():
            tables = {f.table for f in facts}
            targets.append(
                Target(rid, tables.pop() if len(tables) == 1 else None, tuple(f.id for f in facts))
            )
        if self.section is not None:
            targets.append(Target(self.section[0], section=self.section[1]))
        if not targets and self.sentences:
            s = self.sentences[0].item
            targets.append(Target(s.report, section=s.section))
        return PlanPart(
            text=self.text,
            intent=self.intent,
            confidence=round(self.confidence, 3),
            targets=tuple(targets),
            direction=self.direction,
            place=self.place,
            scope=self.scope,
            premise=self.premise,
            answerable=None if self.answerable is None else round(self.answerable, 3),
        )


@dataclass
class Context:
    """What earlier turns (and earlier parts of this question) left to lean on."""

    texts: list[str] = field(default_factory=list)  # earlier questions, oldest first
    facts: list[list[Fact]] = field(default_factory=list)  # their targets, oldest first
    # the sentences each earlier turn's reply rested on (rag.answering.locality); none for a
    # part of the question being read
    anchors: list[list[Sentence]] = field(default_factory=list)
    intents: list[str] = field(default_factory=list)  # what each earlier question asked

    def last_facts(self) -> list[Fact]:
        return next((f for f in reversed(self.facts) if f), [])

    def last_intent(self) -> str:
        return self.intents[-1] if self.intents else ""

    def last_anchors(self) -> list[Sentence]:
        return next((a for a in reversed(self.anchors) if a), [])

    def add(self, text: str, facts: Sequence[Fact], intent: str = "") -> None:
        self.texts.append(text)
        self.facts.append(list(facts))
        self.anchors.append([])
        self.intents.append(intent)

    def turn(self, i: int) -> Context:
        """The context of earlier turn ``i`` alone (a question that goes back to it)."""
        anchors = self.anchors[i] if i < len(self.anchors) else []
        intents = self.intents[i : i + 1] if i < len(self.intents) else [""]
        return Context([self.texts[i]], [self.facts[i]], [anchors], intents)


def leans_on_context(text: str, knowledge: Knowledge) -> bool:
    """Whether a question reads as a fragment of an earlier one ("and the higher band?")."""
    lowered = text.lower().strip()
    opener = lowered.startswith(FOLLOWUP_OPENERS) or any(lowered.startswith(r) for r in REST)
    opener |= _ACKNOWLEDGED.match(lowered) is not None
    words = tokenize(text, keep_stopwords=True)
    content = [t for t in knowledge.terms(text) if knowledge.known(t)]
    pointing = any(w in ANAPHORA for w in words)
    if _ABOUT_THE_LAST.match(lowered):
        return True  # "is that more than X?": "that" is the figure just given, X its own words
    # A follow-up with words of its own ("and how many could show ROI?") stands on them.
    return len(content) <= 1 or ((opener or pointing) and len(content) <= 2)


# "how does it stack up against X?", "is that higher than X?": a figure set against another
_SET_AGAINST = frozenset({"against", "versus", "vs", "than", "compared", "compare"})

# "none of those", "any of them", "all these": the rest of every row given, not of one
_EVERY_ONE = frozenset({"those", "these", "them", "any", "all", "none"})

# "ok, ...", "k: which was biggest?", "alright, and ...": a reply to the answer just given
_ACKNOWLEDGED = re.compile(r"^(?:ok(?:ay)?|kk?|alright|right|got it)\s*[,:.!-]?\s")


# A question whose subject is the answer just given: "is that more than ...", "how does this
# compare with ...", "and was it higher than ..."
_ABOUT_THE_LAST = re.compile(
    r"^\W*(?:(?:and|so|ok(?:ay)?|but)\b[\s,]*)*(?:how\s+)?(?:is|was|are|were|does|did|do)\s+"
    r"(?:that|this|it|those|these)\b"
)


def read_parts(
    question: str, knowledge: Knowledge, report_ids: list[str], context: Context
) -> list[Reading]:
    """Every part of ``question`` read into a Reading; ``context`` grows with each part."""
    readings: list[Reading] = []
    parts = split_questions(question)
    beside: list[Sentence] = []
    for i, text in enumerate(parts):
        # the second of two parts read together with the first is the question itself, so it
        # takes the question's vector (retrieval's, cached): one embedding fewer, ~5 ms
        whole = (parts[0], question) if i == 1 and len(parts) == 2 else None
        reading = read_part(text, knowledge, report_ids, context, whole, beside)
        # "..., and what's the downside of that?": a part that leans on this one is asked of
        # the sentence this one found best
        beside = [reading.sentences[0].item] if reading.sentences else []
        if not _restates(reading, readings):
            readings.append(reading)
        asked = text if not reading.leans else f"{context_text(context)} {text}"
        context.add(asked, reading.facts, reading.intent)
    return readings


def _restates(reading: Reading, earlier: Sequence[Reading]) -> bool:
    """Whether a part asks only what an earlier part already answers: "are more X or Y, and
    by how much?" (a comparison states the gap between the figures it sets side by side)."""
    if reading.intent != "difference" or not reading.facts:
        return False
    rows = {f.id for f in reading.facts}
    return any(e.intent == "compare" and {f.id for f in e.facts} == rows for e in earlier)


def context_text(context: Context) -> str:
    return context.texts[-1] if context.texts else ""


_FIRST_TURN = re.compile(
    r"\b(?:back to|return to|returning to)\b.*\bfirst\b|\bthe first (?:one|thing|question|topic)\b",
    re.I,
)


# "going back to the housing question, ...", "ok, back to pay": at the question's start only
# ("did they go back to the office?" goes back to no earlier turn)
_BACK_TO = re.compile(
    r"^\W*(?:(?:ok(?:ay)?|so|and|right|now|well)\b[\s,]*)*(?:let'?s\s+)?"
    r"(?:(?:go(?:ing)?|com(?:e|ing)|get(?:ting)?)\s+)?(?:back\s+to|return(?:ing)?\s+to)\s+"
    r"(?P<topic>[^-–—,:;?]+)",
    re.I,
)


def earlier_turn(text: str, context: Context, knowledge: Knowledge) -> tuple[int, str] | None:
    """The earlier turn a question returns to (the first for "back to the first thing", else
    the one nearest in meaning to what it goes back to: "back to the housing question"), and
    what it asks once the words that chose the turn are left out."""
    if not context.texts:
        return None
    m = _BACK_TO.search(text)
    rest = text[m.end() :].lstrip(" -–—,:;") if m else ""
    asked = rest if any(ch.isalpha() for ch in rest) else text
    if _FIRST_TURN.search(text):
        return 0, asked
    if m is None:
        return None
    topic = knowledge.vector(m.group("topic"))
    nearness = [float(knowledge.vector(t) @ topic) for t in context.texts]
    return max(range(len(nearness)), key=nearness.__getitem__), asked


def read_part(
    text: str,
    knowledge: Knowledge,
    report_ids: list[str],
    context: Context,
    whole: tuple[str, str] | None = None,
    beside: Sequence[Sentence] = (),
) -> Reading:
    """One question read into its intent, targets and the signals that judge its evidence;
    ``whole`` is (the part before, the question) when this is the second of two parts, and
    ``beside`` the sentence the part before it found best."""
    returned = earlier_turn(text, context, knowledge)
    back = returned is not None
    if returned is not None:  # "going back to the first thing, ...": lean on that turn
        turn, text = returned
        context = context.turn(turn)
    leans = back or (bool(context.texts) and leans_on_context(text, knowledge))
    query = f"{context_text(context)} {text}" if leans else text
    joined = leans and not back and whole is not None and context_text(context) == whole[0]
    vector = knowledge.vector(whole[1] if joined and whole else query)
    own_vector = knowledge.vector(text) if leans else vector
    model = load_intent_model()
    # "Since the survey was of X, what did Y say?" asks what the question after the claim asks
    rests = premise(text)
    asked, asked_vector = (rests[1], knowledge.vector(rests[1])) if rests else (text, own_vector)
    earlier = bool(context.last_facts())
    intent, confidence = settle_intent(model.predict(asked_vector, asked), asked, leans or earlier)
    # "Who was surveyed, and how many?": a fragment with no words of its own asks the same
    # kind of thing about the survey, its facet read from what it asks ("how many")
    wordless = not [t for t in knowledge.terms(text) if knowledge.known(t) and t not in PICKING]
    about_too = leans and wordless and context.last_intent() == "about"
    if about_too and intent in ("figure", "describe"):
        intent = "about"
    if earlier and not leans and intent in _PAIRED and not _two_things(asked):
        # "so how far ahead is the priority number?" names one figure; the other is an earlier
        # turn's
        leans = True
    against = set(tokenize(text, keep_stopwords=True)) & _SET_AGAINST
    if leans and against and intent not in TWO_SIDED and _ABOUT_THE_LAST.match(text.lower()):
        intent = "compare"  # "how does it stack up against X?": the figure just given and X
    claimed = extract_figures(text)
    reading = Reading(text, intent, confidence, report_ids, claimed=claimed, leans=leans)
    points = scale_points(text)
    reading.ranked = knowledge.rank_facts(query, vector, report_ids, points)
    if leans:
        # a follow-up with words of its own ("and fully remote?") is matched on them first; a
        # word that only picks or bounds ("and at least 10?", "the largest?") is not its own
        mine = [t for t in knowledge.terms(text) if knowledge.known(t) and t not in PICKING]
        own = knowledge.rank_facts(text, own_vector, report_ids, points) if mine else []
        if own and own[0].lexical > 0:
            reading.ranked = own
    reading.ranked = _current_first(reading.ranked, text)
    reading.sentences = knowledge.rank_sentences(query, vector, report_ids)
    aside = set_aside(text) if intent == "describe" else None
    if aside is not None:  # "Besides X, what else ...?": ranked on what it asks, without X
        known, rest = aside
        ranked = knowledge.rank_sentences(rest, knowledge.vector(rest), report_ids)
        reading.sentences = _beyond(ranked, known, knowledge)
    anchors = list(beside) if beside and leans and not back else context.last_anchors()
    if anchors:
        # a follow-up's answer is likeliest beside what the last answer rested on
        # (rag.answering.locality): its own words and the question before it both count
        in_context = vector if leans else knowledge.vector(f"{context_text(context)} {text}")
        reading.nearby = nearby(
            reading.sentences, own_vector, in_context, query, anchors, knowledge
        )
        reading.sentences = ordered(reading.nearby, load_weight())
    if intent == "extreme":
        words = set(tokenize(text, keep_stopwords=True))
        reading.direction = "least" if words & LEAST else "most"
        reading.place = place_asked(text)
    if leans and context.last_facts():
        _lean(reading, context, knowledge)
        reading.inherited = bool(reading.facts)
    if not reading.facts and intent in FIGURE_INTENTS:
        reading.facts = _targets(reading, knowledge, vector)
        if leans and reading.facts and not name_words(text):
            # "and the highest incomes?": another row of the table the last answer was from
            # stands on that answer's evidence, as a neighbouring row does ("and Japan?" names
            # a row the table may not hold: that one is checked)
            tables = {(f.report, f.table) for f in context.last_facts()}
            reading.inherited = all((f.report, f.table) in tables for f in reading.facts)
    if reading.facts and reading.intent not in ("breakdown", "extreme"):
        # "And a 3?" of a table of 4s and 5s: an option the report does not give
        first = reading.facts[0]
        table = knowledge.reports[first.report].tables.get(first.table, reading.facts)
        if not any(row_named(points, f) for f in reading.facts):
            reading.absent = absent_option(points, table)
    reading.scope = _scope(reading, knowledge)
    if intent == "about":
        facets = knowledge.facets
        reading.facet = facets.asked(own_vector)
        if reading.facet.parts:  # "who was surveyed?": each part as if asked alone
            reading.about = {
                name: matches(
                    knowledge, text, facets.question(name), report_ids, facets.by_name[name]
                )
                for name in reading.facet.parts
            }
        else:
            name = reading.facet.name
            # a fragment's words say only which facet; its examples say what stating it means
            asking = facets.question(name) if about_too else own_vector
            reading.about = {name: matches(knowledge, text, asking, report_ids, reading.facet)}
    reading.features = features(reading, knowledge)
    reading.follows = bool(anchors)
    best = reading.sentences[0].item if reading.sentences else None
    reading.features["sentence_follows"] = nearness(best, anchors, knowledge) if best else 0.0
    return reading


def _beyond(ranked: Sequence[Scored], known: str, knowledge: Knowledge) -> list[Scored]:
    """``ranked`` without the sentences that name all of ``known`` (what the question sets
    aside): they tell the asker what they said they know. All of them if every one does."""
    terms = [t for t in knowledge.terms(known) if t not in GENERIC]
    if not terms:
        return list(ranked)

    def names_all(s: Scored) -> bool:
        words = tokens_of(s.item.text)
        return all(knowledge.covers(t, words) for t in terms)

    beyond = [s for s in ranked if not names_all(s)]
    return beyond or list(ranked)


def settle_intent(ranked: Sequence[tuple[str, float]], text: str, leans: bool) -> tuple[str, float]:
    """The classifier's most likely intent that the question's shape allows.

    The classifier reads meaning; some intents also need a shape the words must have: two
    things to set against each other, a word about time for a trend, a negation or "the
    rest" for a complement. A follow-up may take its second thing from earlier turns.
    """
    words = set(tokenize(text, keep_stopwords=True))
    lowered = text.lower()
    two = contrasted(text) or leans or _two_things(text)
    allowed = {
        "trend": bool(words & TIME_WORDS),
        "complement": bool(words & NEGATIVE) or any(r in lowered for r in REST),
        "share_of_share": whole_and_part(text) is not None,
        "compare": two,
        # a gap is asked in its own words ("how much more", "the gap", "ahead by"): "how much
        # money did they lose?" is no difference, whatever turns came before
        "difference": two and (bool(words & DIFFERENCE_CUES) or "by how much" in lowered),
        "ratio": two and bool(words & RATIO_CUES),
        # a follow-up takes its second thing from earlier turns only when it asks for a
        # total in its own words ("and the total of those?"), not "how satisfied overall?"
        "sum": contrasted(text)
        or _two_things(text)
        or (leans and bool(words & SUM_CUES))
        or bool(words & ALL_ROWS)
        or any(f.qualifier in ("over", "at_least") for f in extract_figures(text)),
        **{intent: bool(words & cues) for intent, cues in OVERVIEW_CUES.items()},
    }
    intent, probability = ranked[0]
    if intent in ("overview", "conclusion", "recommendation") and asks_figure(text):
        return "figure", probability  # "according to the survey results, what share ...?"
    if intent in FIGURE_INTENTS and _WHY.match(lowered):
        return "describe", probability  # "why not?" asks for reasons, not "the rest: 32.8%"
    if allowed.get(intent, True):
        return intent, probability
    # The classifier read the question's kind but not its shape: keep the kind, drop the shape
    # (what is left of a "trend" without a word about time is a plain figure question).
    return _FALLBACK[intent], probability


def _two_things(text: str) -> bool:
    """Whether the question names two things, each with words of its own."""
    split = sides(without_cut_offs(text))
    if split is None:
        return False
    if all(extract_figures(side) for side in split):
        return True  # "is 52% more than 47%?": two figures set against each other
    return all([t for t in tokenize(_without_figures(side)) if t not in GENERIC] for side in split)


def _without_figures(text: str) -> str:
    """``text`` with its figures blanked: "$5M" is a cut-off, not a thing of its own."""
    for f in reversed(extract_figures(text)):
        text = text[: f.start] + " " + text[f.end :]
    return text


_FALLBACK = {
    "trend": "figure",
    "complement": "figure",
    "share_of_share": "figure",
    "compare": "figure",
    "difference": "figure",
    "ratio": "figure",
    "sum": "figure",
    "overview": "describe",
    "conclusion": "describe",
    "recommendation": "describe",
    "emphasis": "describe",
}


# ---------------------------------------------------------------- targets


def _current_first(ranked: list[Scored], text: str) -> list[Scored]:
    """A figure of an earlier edition ("Last year, 38% ...") gives way to this survey's figure
    of the same thing in the sentence after it ("This year, that number is up to 46%"),
    unless the question asks about another time."""
    words = set(tokenize(text, keep_stopwords=True))
    if not ranked or words & TIME_SHIFT or asks_change(text) or _names_year(text):
        return ranked
    if not earlier_edition_fact(ranked[0].item):
        now = latest_edition(ranked[0].item, ranked)
    else:
        now = this_years(ranked[0].item, ranked)
    return ranked if now is None else [now, *[s for s in ranked if s is not now]]


def latest_edition(first: Fact, ranked: Sequence[Scored]) -> Scored | None:
    """Of rows of one table that differ only by their year ("Completed (2022)", "Completed
    (2023)"), the latest: this survey's figure, where a question names no year."""
    year, label = _row_year(first.row)
    if year is None:
        return None
    latest: tuple[float, Scored] | None = None
    for s in ranked:
        f = s.item
        if f.report != first.report or f.table != first.table:
            continue
        other, other_label = _row_year(f.row)
        if other is not None and other_label == label and (latest is None or other > latest[0]):
            latest = (other, s)
    return None if latest is None or latest[0] <= year else latest[1]


def _row_year(row: str) -> tuple[float | None, str]:
    """The year a row label names, and the label without it."""
    years = [f for f in extract_figures(row) if f.unit == "year"]
    if len(years) != 1:
        return None, row
    y = years[0]
    return y.value, " ".join((row[: y.start] + row[y.end :]).replace("()", " ").split())


def this_years(earlier: Fact, ranked: Sequence[Scored]) -> Scored | None:
    """Of the facts ranked, the one in the sentence right after ``earlier`` that is not of
    an earlier edition ("This year, that number is up to 46%" after "Last year, 38% ...")."""
    return next(
        (
            s
            for s in ranked
            if s.item.report == earlier.report
            and 0 <= s.item.start - earlier.end <= 3  # the very next sentence
            and not earlier_edition_fact(s.item)
        ),
        None,
    )


def _names_year(text: str) -> bool:
    return any(f.unit == "year" for f in extract_figures(text))


def earlier_edition_fact(fact: Fact) -> bool:
    """Whether a fact's own sentence puts its figure in an earlier edition of the survey."""
    for f in extract_figures(fact.source):
        if close(f.value, fact.value) and units_agree(f.unit, fact.unit):
            return of_earlier_edition(fact.source, f.start)
    return False


def _targets(reading: Reading, knowledge: Knowledge, vector: Any) -> list[Fact]:
    """The facts a figure-type part is about."""
    ranked = reading.ranked
    if not ranked:
        return []
    best = ranked[0].item
    table = knowledge.reports[best.report].tables.get(best.table, [best])
    selected = [s.item for s in sorted(ranked, key=lambda s: -s.named) if s.named > 0]
    # rows named by a figure ("rated 4 and 5") come from one report: several reports with the
    # same scale would otherwise be added up together
    selected = [f for f in selected if f.report == selected[0].report] if selected else []
    if reading.intent in ("breakdown", "extreme"):
        return list(table)
    span = asked_range(reading.text)
    if span is not None and reading.intent in FIGURE_INTENTS - {"breakdown", "extreme"}:
        from rag.answering.operations import bands_within

        rows = bands_within(table, *span)
        if len(rows) >= 2:  # "losses between $30M and $90M" adds the bands in between
            reading.intent = "sum"
            return rows
    if reading.intent == "sum":
        return _summands(reading, knowledge, table, selected)
    if reading.intent in TWO_SIDED:
        pair = _pair(reading, knowledge)
        if pair:
            return pair
    if selected:
        return selected[:1]
    if reading.intent == "figure":
        both = _rows_named_apart(reading.text, table)
        if both:
            return both  # "What share develop on Linux vs macOS?": each figure named
    from rag.answering.operations import bands_from

    floors = [f for f in reading.claimed if f.qualifier in ("over", "at_least")]
    if floors:
        rows = bands_from(table, floors[0].value)
        if len(rows) < 2 and floors[0].unit != "%":
            # "earn at least $40K": only a table of amount bands can answer an amount, so
            # the best-ranked such table, wherever a table without bands ranks above it
            banded = (bands_from(knowledge.reports[s.item.report].tables[s.item.table],
                                 floors[0].value) for s in ranked)  # fmt: skip
            rows = next((b for b in banded if len(b) >= 2), rows)
        if len(rows) >= 2:  # "losses of $20M or more" adds the bands from $20M up
            if reading.intent != "complement":  # "did not lose $20M or more": the rest of them
                reading.intent = "sum"
            return rows
    if reading.intent == "figure":
        chosen = _agreeing(reading.text, best, ranked, knowledge)
        return [_whole_asked(reading.text, chosen, table)]
    return [best]


def _rows_named_apart(text: str, table: Sequence[Fact]) -> list[Fact]:
    """Two rows of one table a question sets side by side by name ("Linux vs macOS", "Linux
    and macOS"): each side names one row only, by its label's words; else none."""
    split = sides(without_cut_offs(text))
    if split is None or len(table) < 2:
        return []
    labels = [set(tokenize(f.row or f.subject)) - GENERIC for f in table]
    picked: list[Fact] = []
    for side in split:
        words = set(tokenize(side)) - GENERIC
        named = [f for f, label in zip(table, labels, strict=True) if label and label <= words]
        if len(named) != 1 or named[0] in picked:
            return []
        picked.append(named[0])
    return picked


def _whole_asked(text: str, part: Fact, table: Sequence[Fact]) -> Fact:
    """The row ``part`` adds up to with other rows of its table, when the question names
    nothing that sets the part apart: "what share prioritised it?" asks for "top priority:
    67.2%", not for "rated 4: 49%", one of the two ratings it is made of."""
    whole = _whole_of(part, table)
    if whole is None:
        return part
    own = set(tokenize(part.row, keep_stopwords=True)) - set(
        tokenize(whole.row, keep_stopwords=True)
    )
    asked = set(tokenize(text, keep_stopwords=True)) | {
        w for f in extract_figures(text) for w in tokenize(f.raw, keep_stopwords=True)
    }
    return part if own & asked else whole


def _whole_of(part: Fact, table: Sequence[Fact]) -> Fact | None:
    """The row of the table that every other row adds up to (to within the rounding of stated
    figures), when ``part`` is one of those: their total. Only the whole table counts: in a
    list of countries, 2% + 3% = 5% by chance."""
    rows = [f for f in table if f.unit == part.unit]
    if len(rows) != len(table) or len(rows) < 3:
        return None
    if part.unit == "%" and close(sum(f.value for f in rows), 100.0, 0.1 * len(rows)):
        return None  # shares that make up all respondents: "yes 50%, no 25%, unsure 25%"
    for whole in rows:
        if whole is part:
            continue
        others = [f for f in rows if f is not whole]
        if close(sum(f.value for f in others), whole.value, 0.1 * len(others)):
            return whole
    return None


def _agreeing(text: str, best: Fact, ranked: Sequence[Scored], knowledge: Knowledge) -> Fact:
    """``best``, or the best-ranked row of its table that agrees with the question in polarity:
    "short of nurses" asks for the row that says wards lacked nurses, not the one that says
    they had enough, though both share the words; "what share are members?" asks for "selected
    yes", not "preferred not to say".

    A shortfall the question names moves the choice to a row that states one; a question that
    names none moves only off a row that plainly negates. A row may say its own shortfall in a
    word no list holds, and the question may use that very word: such rows stay where they
    rank."""
    agrees: Callable[[str], bool]
    if _falls_short(text):
        agrees = _falls_short
    elif _negates(_said_of(best)):
        agrees = lambda said: not _falls_short(said)  # noqa: E731
    else:
        return best
    if agrees(_said_of(best)):
        return best
    table = knowledge.reports[best.report].tables.get(best.table, [best])
    return next((s.item for s in ranked if s.item in table and agrees(_said_of(s.item))), best)


def _said_of(fact: Fact) -> str:
    """What a row says of its own figure: a found fact's phrase ("preferred not to say"), a
    hand row's statement; not the sentence it shares with the other answers."""
    return fact.subject if fact.origin == "text" and fact.subject else fact.text


def _falls_short(text: str) -> bool:
    return bool(SHORTFALL & set(tokenize(text, keep_stopwords=True)))


def _negates(text: str) -> bool:
    return bool(NEGATIONS & set(tokenize(text, keep_stopwords=True)))


def _summands(
    reading: Reading, knowledge: Knowledge, table: list[Fact], selected: list[Fact]
) -> list[Fact]:
    """The rows a sum adds: rows the question names, every row, or the bands above an amount."""
    if len(selected) >= 2:
        return selected
    if set(tokenize(reading.text, keep_stopwords=True)) & ALL_ROWS and len(table) >= 2:
        return table  # "all three bands together"
    from rag.answering.operations import bands_from

    threshold = [f for f in reading.claimed if f.unit in ("USD", "") and f.value >= 1000]
    if threshold:
        rows = bands_from(table, threshold[0].value)
        if rows:
            return rows
    pair = _pair(reading, knowledge)
    return pair or [reading.ranked[0].item]


def _pair(reading: Reading, knowledge: Knowledge) -> list[Fact]:
    """Two facts for a two-sided part: each side matched on its own, distinct."""
    text = reading.text
    split = whole_and_part(text) if reading.intent == "share_of_share" else None
    split = split or sides(text)
    if split is None:
        tops = _distinct(reading.ranked, 2)
        return tops if len(tops) == 2 else []
    picked: list[Fact] = []
    sides_read: list[SideMatch] = []
    # "Who got to a million users sooner, X or Y?": the head before the sides is said of both
    # (its figures and the words the reports use: "how many points separate X from Y" lends
    # nothing)
    at = min(text.find(side) for side in split)
    said = text[:at] if at > 0 else ""
    points = scale_points(said)
    head = " ".join(
        [f.raw for f in points] + [t for t in knowledge.terms(said) if knowledge.known(t)]
    )
    for i, side in enumerate(split):
        other = split[1 - i]
        # A side with a word of its own the reports use ("how many were satisfied") is matched
        # with the head alone; a bare one ("a 5") borrows the rest of the question ("Did more
        # rate it 4 or 5?").
        own = [t for t in knowledge.terms(side) if knowledge.known(t)]
        query = f"{head} {side}".strip() if own else f"{other} {side}"
        ranked = knowledge.rank_facts(
            query,
            knowledge.vector(query),
            reading.report_ids,
            scale_points(side) or points,
        )
        if picked and not own:
            # "X, or those that were not?": the other side's table holds the row that says so,
            # and the other side's evidence is this side's too
            flipped = _agreeing(side, picked[0], ranked, knowledge)
            if flipped not in picked:
                picked.append(flipped)
                sides_read.append(sides_read[0])
                continue
        for s in ranked:
            if s.item not in picked:
                chosen = _agreeing(side, s.item, ranked, knowledge)
                if chosen in picked:
                    chosen = s.item
                match = next((x for x in ranked if x.item is chosen), s)
                picked.append(chosen)
                sides_read.append(SideMatch(query, match, ranked))
                break
    if len(picked) != 2:
        return []
    reading.sides = sides_read
    return picked


def _distinct(ranked: Sequence[Scored], n: int) -> list[Fact]:
    out: list[Fact] = []
    for s in ranked:
        if all(s.item.id != f.id and s.item.source + s.item.row != f.source + f.row for f in out):
            out.append(s.item)
        if len(out) == n:
            break
    return out


def _lean(reading: Reading, context: Context, knowledge: Knowledge) -> None:
    """Targets of a follow-up: the rest, a neighbouring row, those figures, or a row the
    earlier table holds."""
    previous = context.last_facts()
    lowered = reading.text.lower()
    words = set(tokenize(reading.text, keep_stopwords=True))
    last = previous[0]
    table = knowledge.reports[last.report].tables.get(last.table, previous)
    terms = knowledge.terms(reading.text)
    known = [t for t in terms if t.isalpha() and knowledge.known(t)]
    if reading.intent == "trend":  # "is that up on last year?": of the figure just given
        reading.facts = previous[:1]
        return
    year = knowledge.reports[last.report].info.year
    if asks_change(reading.text) and states_change(last.source, year):
        # "by how many points did it grow?" of a figure whose sentence says how it moved: the
        # report's change, not a difference between two of its figures
        reading.intent, reading.facts = "trend", previous[:1]
        return
    # "and the ones that can't?": the rest of the figure just given, when it names nothing else
    rest = any(r in lowered for r in REST) or (reading.intent == "complement" and not known)
    rest |= reading.intent == "complement" and bool(words & _EVERY_ONE)  # "none of those"
    if rest and reading.intent not in ("sum", "difference"):
        reading.intent = "complement"
        reading.facts = previous[:1]
        if words & _EVERY_ONE:  # "any of those bands": every row of that table the turns gave
            recent = [f for facts in context.facts[-2:] for f in facts]
            rows = _unique([f for f in recent if (f.report, f.table) == (last.report, last.table)])
            reading.facts = rows if len(rows) > 1 else reading.facts
        return
    two_sided = reading.intent in ("sum", "difference", "ratio", "compare")
    gathered = [f for facts in context.facts[-2:] for f in facts]
    if two_sided and len(reading.claimed) >= 2:
        # "how many 4s were there for every 5?": the rows of the earlier tables its figures name
        earlier = {(f.report, f.table) for f in gathered}
        candidates = [f for rid, tid in earlier for f in knowledge.reports[rid].tables.get(tid, [])]
        named_rows: list[Fact] = []
        for q in reading.claimed:
            naming = sorted(candidates, key=lambda f: -row_named([q], f))
            if naming and names_row(q, naming[0]):
                named_rows.append(naming[0])
        if len(_unique(named_rows)) >= 2:
            reading.facts = _unique(named_rows)
            return
    if two_sided and not reading.claimed:
        pool = previous if len(previous) >= 2 else gathered
        # "and what about pensions?" names something the earlier figures are not about: a word
        # of its own that other figures hold and these do not ("the middle band beat the lower
        # one" names nothing else: no figure is about "middle" or "beat")
        held = frozenset().union(*(tokens_of(fact_document(f)) for f in pool))
        others = frozenset().union(
            *(tokens_of(fact_document(s.item)) for s in reading.ranked if s.item not in pool)
        )
        own = [t for t in known if t not in _CUE_WORDS]
        elsewhere = [
            t for t in own if not knowledge.covers(t, held) and knowledge.covers(t, others)
        ]
        if len(pool) >= 2 and not elsewhere:
            reading.facts = _unique(pool)[-2:] if reading.intent != "sum" else _unique(pool)
            return
        if reading.intent != "sum" and own and reading.ranked and _ABOUT_THE_LAST.match(lowered):
            # "is that more than the share that X?": the figure just given against the best
            # match of the follow-up's own words
            other = next((s.item for s in reading.ranked if s.item not in previous), None)
            if other is not None:
                reading.facts = [last, other]
                return
    if reading.intent in ("figure", "describe") and words & THAT_FIGURE and last.unit == "%":
        if count_asked(reading.text) and not reading.claimed:
            # "in actual companies, how many is that?": the share just given, as a count
            reading.intent, reading.facts = "figure", previous[:1]
            return
    named = [f for f in table if any(names_row(q, f) for q in reading.claimed)]
    if named and reading.intent in ("figure", "complement", "share_of_share"):
        # "$10K-$20K" names that band fully, and the band below it only by its top
        reading.facts = [max(named, key=lambda f: row_named(reading.claimed, f))]
        return
    moved = _neighbour(last, table, words)
    if moved is None and _falls_short(reading.text):
        # "and the ones who were short?" after a row that was not: the row that falls short
        for given in (f for f in previous if not _falls_short(_said_of(f))):
            rows = knowledge.reports[given.report].tables.get(given.table, [given])
            flipped = _agreeing(reading.text, given, reading.ranked, knowledge)
            if flipped is not given and flipped in rows:
                moved = flipped
                break
    if moved is not None:
        reading.facts = [moved]
        return
    # "in what year was that?", "how many of them were there?": no word of its own but the
    # kind of figure it asks, so it asks about the figure just given (not "the year before")
    if reading.intent in ("figure", "describe") and all(t in _CUE_WORDS for t in terms):
        if not words & TIME_SHIFT and not _WHY.match(reading.text):  # "why not?": reasons
            reading.intent, reading.facts = "figure", previous[:1]


_CUE_WORDS = frozenset().union(*UNIT_CUES.values())
_WHY = re.compile(r"\W*why\b", re.I)


def _unique(facts: Sequence[Fact]) -> list[Fact]:
    out: list[Fact] = []
    for f in facts:
        if f.id not in {x.id for x in out}:
            out.append(f)
    return out


def _neighbour(fact: Fact, table: list[Fact], words: set[str]) -> Fact | None:
    """The row above or below ``fact`` in a table of bands or ratings; the top or bottom one
    for a superlative ("and the highest incomes?" after a band is the top band)."""
    axis = not words & COMMONNESS  # "the most common band" ranks shares, not the bands
    top, bottom = axis and bool(words & TOPMOST), axis and bool(words & BOTTOMMOST)
    up, down = bool(words & HIGHER) or top, bool(words & LOWER) or bottom
    if up == down:
        return None
    ordered = sorted(
        (f for f in table if figures_of(f.row)), key=lambda f: figures_of(f.row)[0].value
    )
    if fact not in ordered:
        return None
    if top or bottom:
        end = ordered[-1] if top else ordered[0]
        return end if end is not fact else None
    i = ordered.index(fact) + (1 if up else -1)
    return ordered[i] if 0 <= i < len(ordered) else None


# ---------------------------------------------------------------- scope and signals


def _scope(reading: Reading, knowledge: Knowledge) -> str | None:
    """Why the report cannot answer this as asked: another time, or a group it does not split."""
    if reading.intent == "trend":
        return "time"
    evidence = reading.facts[:1] or [s.item for s in reading.sentences[:1]]
    if not evidence:
        return None
    item = evidence[0]
    info = knowledge.reports[item.report].info
    tokens = tokens_of(_evidence_text(item))
    for f in reading.claimed:
        if f.unit == "year" and int(f.value) != info.year and not _mentions(f.raw, item):
            return "time"
    base = knowledge.reports[item.report].sample_tokens()
    # an acronym that is also a common word ("IT" companies, not "it") is looked for as written
    written = {w.lower(): w for w in _ACRONYM.findall(reading.text)}
    text = _evidence_text(item)

    def names_group(t: str) -> bool:
        if t in written and t in STOPWORDS:
            return re.search(rf"\b{re.escape(written[t])}\b", text) is not None
        return knowledge.covers(t, tokens) or t in base

    for group in population_modifiers(reading.text):
        if not any(names_group(t) for t in group):
            return "group: " + " ".join(written.get(t, t) for t in group)
    # "among just the CTOs": a group the question itself narrows to is one part of the
    # sample even where the report names it among those it surveyed; the figure must say it
    for word in narrowed_to(reading.text):
        token = tokenize(word)
        # an acronym that is also a common word ("IT") is looked for as written
        held = knowledge.covers(token[0], tokens) if token else word in text
        if not held:
            return "group: " + word
    return None


# "among (just|only) (the|those) X": the question narrows who is counted to X
_AMONG = re.compile(
    r"\bamong(?:st)?\s+(?:(?:just|only)\s+)?(?:(?:the|those|these)\s+)?(?P<group>[A-Za-z][\w'’-]*)"
    r"(?:\s+(?P<noun>[A-Za-z]+))?",
    re.I,
)
_ACRONYM_PLURAL = re.compile(r"[A-Z]{2,}s?")
_ACRONYM = re.compile(r"\b[A-Z]{2,}\b")


def narrowed_to(text: str) -> list[str]:
    """The groups a question narrows its count to with "among" ("and among just the CTOs?"
    -> ['CTOs'], "among IT companies" -> ['IT']); none for the sample itself ("among
    respondents", "among those who ...")."""
    out = []
    for m in _AMONG.finditer(text):
        word, noun = m.group("group"), tokenize(m.group("noun") or "")
        token = tokenize(word)
        if token and token[0] in POPULATION | BROAD | GENERIC:
            continue
        # people: a role ("nurses"), a title ("CTOs"), or a word before a noun for people
        # ("IT companies", "healthcare firms"); "among the challenges" narrows no count
        people = bool(noun) and noun[0] in POPULATION
        if people or _ACRONYM_PLURAL.fullmatch(word) or (token and token[0] in ROLES):
            out.append(word)
    return out


def _evidence_text(item: Fact | Sentence) -> str:
    if isinstance(item, Fact):
        return f"{item.text} {item.row} {item.caption} {item.source}"
    return item.text


def _mentions(raw: str, item: Fact | Sentence) -> bool:
    return raw in _evidence_text(item)


def states_change(text: str, year: int) -> bool:
    """Whether a sentence sets a figure against an earlier time: "38% vs 34% from last year",
    "as in previous years", two figures of one kind beside a year other than the survey's, or
    a figure that moved ("dropped by 5pp", "rose ... from 2023")."""
    lowered = " ".join(text.lower().split())
    if any(phrase in lowered for phrase in CHANGE_PHRASES):
        return True
    figures = figures_of(text)
    other_year = any(f.unit == "year" and int(f.value) != year for f in figures)
    units = [f.unit for f in figures if f.unit and f.unit != "year"]
    if other_year and len(units) > len(set(units)):
        return True
    if any(moved_between(text, a, b) for a, b in zip(figures, figures[1:], strict=False)):
        return True
    moved = bool(set(tokenize(text, keep_stopwords=True)) & CHANGE_VERBS)
    in_points = any(IN_POINTS.match(text, f.end) for f in figures)
    return (moved and (in_points or other_year)) or (in_points and other_year)


def population_modifiers(text: str) -> list[list[str]]:
    """Words narrowing who is counted: 'Japanese companies' -> [['japanese']],
    'among healthcare firms' -> [['healthcare']], 'the engineers themselves' -> [['engineer']]."""
    # two letters name no group ("of", "it"), unless written as an acronym that reads as a
    # small word: "IT companies" are a group, and "it" in the evidence does not name them
    found = [
        m for m in _WORD.finditer(text) if len(m.group(0)) >= 3 or _small_word_acronym(m.group(0))
    ]
    words = [m.group(0) for m in found]
    # A word glued to a figure ("40M") or opening a sentence says nothing by its case.
    starts = {0} | {m.end() for m in re.finditer(r"[.?!:;]\s+", text)}
    free = [not (m.start() > 0 and text[m.start() - 1].isdigit()) for m in found]
    initial = [m.start() in starts for m in found]
    tokens = [tokenize(w, keep_stopwords=True) for w in words]
    groups: list[list[str]] = []
    for i, tok in enumerate(tokens):
        if not tok or tok[0] not in POPULATION:
            continue
        if tok[0] in ROLES:
            groups.append([tok[0]])  # "engineers", "nurses": a group in itself
        j, mods = i - 1, list[str]()
        while j >= 0 and tokens[j] and tokens[j][0] not in BROAD | POPULATION | GENERIC:
            capital = words[j][0].isupper() and not initial[j]
            if not free[j] or not (capital or _modifier_like(words[j])):
                break
            mods.insert(0, tokens[j][0])
            j -= 1
        if mods:
            groups.append(mods)
    return groups


_MODIFIER_SUFFIXES = ("ese", "ean", "ian", "ish", "sized", "size", "care", "tech", "small")


def _small_word_acronym(word: str) -> bool:
    """An acronym that reads as a small word ("IT"), not one read as a name ("US")."""
    lowered = word.lower()
    return (
        word.isupper() and lowered in STOPWORDS and tokenize(word, keep_stopwords=True) == [lowered]
    )


def _modifier_like(word: str) -> bool:
    """A lower-case word that narrows a noun ('mid-sized', 'healthcare', 'small')."""
    lowered = word.lower()
    return "-" in lowered or lowered.endswith(_MODIFIER_SUFFIXES)


def _uncovered(terms: Sequence[str], evidence: Scored | None, knowledge: Knowledge) -> float:
    """How telling the rarest question word the evidence leaves out is (0..1): "median",
    "healthcare" or "policies" missing from a fact says it answers another question."""
    if evidence is None:
        return 1.0
    item = evidence.item
    text = fact_document(item) if isinstance(item, Fact) else f"{item.text} {item.section}"
    tokens = tokens_of(text)
    missing = [knowledge.idf(t) for t in terms if not knowledge.covers(t, tokens)]
    return max(missing, default=0.0) / knowledge.idf("")


def _outworded(
    terms: Sequence[str], evidence: Scored | None, sentences: Sequence[Scored], knowledge: Knowledge
) -> float:
    """How much better a near sentence other than the fact's own covers the question's words
    (0..1): "what share have usage policies?" put beside a priority rating, while another
    sentence speaks of policies, asks about what that sentence says, not about the rating."""
    if evidence is None or not isinstance(evidence.item, Fact):
        return 0.0
    fact = evidence.item
    own = knowledge.coverage(terms, tokens_of(fact_document(fact)))
    source = fact.source.strip()
    others = [
        knowledge.coverage(terms, tokens_of(s.item.text))
        for s in sentences[:OUTWORDING_POOL]
        if not (source and (s.item.text.strip() in source or source in s.item.text))
    ]
    return max(0.0, max(others, default=0.0) - own)


def _statistic_missing(text: str, evidence: Scored | None, knowledge: Knowledge) -> float:
    """1 when the question asks for a statistic (an average, a median) the evidence lacks."""
    asked = set(tokenize(text)) & STATISTICS
    if not asked:
        return 0.0
    if evidence is None:
        return 1.0
    item = evidence.item
    tokens = tokens_of(fact_document(item) if isinstance(item, Fact) else item.text)
    return 0.0 if all(knowledge.covers(t, tokens) for t in asked) else 1.0


def _label_named(text: str, evidence: Scored | None, knowledge: Knowledge) -> float:
    """How much of the chosen row's label the question says in words (0..1): a question that
    names the row ("... based in Norway?") picks it out of a list whose rows share one
    sentence, and so one meaning."""
    if evidence is None or not isinstance(evidence.item, Fact):
        return 0.0
    label = knowledge.terms(evidence.item.row)
    return knowledge.coverage(label, tokens_of(text)) if label else 0.0


def features(reading: Reading, knowledge: Knowledge) -> dict[str, float]:
    """The named signals the answerability decision reads (rag.answering.answerability)."""
    fact = reading.ranked[0] if reading.ranked else None
    first = reading.facts[0].id if reading.facts else None
    chosen = next((s for s in reading.ranked if first is not None and s.item.id == first), None)
    target = chosen or fact
    sentence = reading.sentences[0] if reading.sentences else None
    terms = knowledge.terms(reading.text)
    weight = sum(knowledge.idf(t) for t in terms) or 1.0
    unknown = sum(knowledge.idf(t) for t in terms if not knowledge.known(t)) / weight
    second_sentence = reading.sentences[1].dense if len(reading.sentences) > 1 else 0.0
    table = target.item.table if target is not None else None
    other_facts = [s.dense for s in reading.ranked if table is None or s.item.table != table]
    out = {
        "statistic_missing": _statistic_missing(reading.text, target, knowledge),
        "fact_uncovered": _uncovered(terms, target, knowledge),
        "fact_outworded": _outworded(terms, target, reading.sentences, knowledge),
        "sentence_uncovered": _uncovered(terms, sentence, knowledge),
        "fact_margin": (target.dense - max(other_facts, default=0.0)) if target else 0.0,
        "sentence_margin": (sentence.dense - second_sentence) if sentence else 0.0,
        "fact_dense": target.dense if target else 0.0,
        "fact_lexical": target.lexical if target else 0.0,
        "fact_selector": target.named if target else 0.0,
        "fact_label": _label_named(reading.text, target, knowledge),
        "measure_missing": measure_missing(reading.text, target.item if target else None),
        "sentence_dense": sentence.dense if sentence else 0.0,
        "sentence_lexical": sentence.lexical if sentence else 0.0,
        "unknown_words": unknown,
        "intent_confidence": reading.confidence,
        **_about_features(reading),
    }
    if len(reading.sides) == 2:
        # each side of "X than Y" was matched as its own question: the weaker side decides
        weaker = min(reading.sides, key=lambda s: s.target.dense + s.target.lexical)
        out.update(
            _fact_features(weaker.query, weaker.target, weaker.ranked, reading.sentences, knowledge)
        )
    return out


def _fact_features(
    text: str,
    target: Scored,
    ranked: Sequence[Scored],
    sentences: Sequence[Scored],
    knowledge: Knowledge,
) -> dict[str, float]:
    """The fact signals of one side of a two-sided part, read as a question of its own."""
    others = [s.dense for s in ranked if s.item.table != target.item.table]
    terms = knowledge.terms(text)
    return {
        "statistic_missing": _statistic_missing(text, target, knowledge),
        "fact_uncovered": _uncovered(terms, target, knowledge),
        "fact_outworded": _outworded(terms, target, sentences, knowledge),
        "fact_margin": target.dense - max(others, default=0.0),
        "fact_dense": target.dense,
        "fact_lexical": target.lexical,
        "fact_selector": target.named,
        "fact_label": _label_named(text, target, knowledge),
        "measure_missing": measure_missing(text, target.item),
    }


def _about_features(reading: Reading) -> dict[str, float]:
    """The about-the-survey signals of the best evidence for the facet asked (0 otherwise)."""
    best = max((m[0] for m in reading.about.values() if m), key=lambda m: m.score, default=None)
    if best is None:
        return {
            "about_fit": 0.0,
            "about_dense": 0.0,
            "about_lexical": 0.0,
            "about_margin": -1.0,
            "about_measure_missing": 0.0,
        }
    return best.features()
