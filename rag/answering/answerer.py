"""The default answerer: a plan for every question, each part computed and written, all cited.

    read_parts (plan) ─► per part: scope? premise? ─► operation on the figures (operations)
    or the digest (overview) or the report's sentences ─► writers ─► numeric guard ─► Answer

Offline and deterministic. Whether a part's evidence answers it is one calibrated decision
(answerability); a part the report cannot answer says so, naming what the report does state.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from rag.answering import guard, operations, overview, survey_facets, writers
from rag.answering.answerability import Calibration
from rag.answering.conversation import as_answered, copied, turns_of
from rag.answering.intents import load_intent_model
from rag.answering.knowledge import (
    Knowledge,
    ReportKnowledge,
    fact_document,
    figures_of,
    name_words,
    names_row,
    tokens_of,
    wanted_units,
)
from rag.answering.measures import count_asked, measures_asked
from rag.answering.parts import claimed_first, majority_claimed, premise, split_questions
from rag.answering.plan import (
    FIGURE_INTENTS,
    OVERVIEW_INTENTS,
    Context,
    Reading,
    earlier_edition_fact,
    population_modifiers,
    read_part,
    read_parts,
    settle_intent,
    states_change,
    this_years,
)
from rag.answering.sources import (
    ABOUT,
    MARKER,
    AboutNote,
    Sources,
    charts_for,
    headline_chart,
)
from rag.answering.survey_facets import FacetMatch, asks_figure
from rag.settings import ROUTE_REPORTS
from rag.text.lexicon import (
    COMMONNESS,
    FOLLOWUP_OPENERS,
    GENERIC,
    MONTHS,
    NEGATION,
    SAMPLE_WORDS,
    STATISTICS,
    TIME_UNITS,
    TOPMOST,
    asks_change,
    way_asked,
)
from rag.text.numbers import Figure, close, format_figure, moves, units_agree
from rag.text.sentences import asks_respondents, of_earlier_edition, own_clause, refers_back
from rag.text.tokens import spelled_as_digits, tokenize
from rag.types import Answer, Citation, Fact, Hit, Plan, Sentence

_CONTEXT_CACHE = 256
_SAMPLE_EVIDENCE = 6  # facet matches weighed for a claim about the sample
# a claim about the sample names the survey or those it asked
SURVEY_WORDS = SAMPLE_WORDS | frozenset(tokenize("survey surveys poll polls sample"))
# statistics a question names that only a source stating them answers ("mean", "mode" and
# "typical" are left out: "what does X mean?", "survey mode", "a typical respondent")
_STATED_STATISTICS = STATISTICS - frozenset(tokenize("mean mode typical"))
# a question naming no report that every report answers of itself gets each one's answer,
# for a library up to this size (beyond it, the reports nearest the question)
ANSWERED_APART = 6
WITHHELD = "The report's figures could not be checked for this answer, so none is given."


_OF_ITSELF = OVERVIEW_INTENTS | {"about", "section"}


@dataclass
class PartAnswer:
    """What one part of the question got: its text and whether the report answered it."""

    text: str
    grounded: bool
    note: str | None = None


class Answerer:
    """Answers questions from a Knowledge with a Calibration; thread-safe."""

    def __init__(
        self, knowledge: Knowledge, calibration: Calibration, route_reports: int = ROUTE_REPORTS
    ) -> None:
        self.knowledge = knowledge
        self.calibration = calibration
        self.route_reports = max(1, route_reports)
        self._contexts: OrderedDict[tuple[str, tuple[tuple[str, str], ...]], Context] = (
            OrderedDict()
        )
        self._lock = threading.Lock()
        self._tables = {
            (r.info.id, t): rows for r in knowledge.reports.values() for t, rows in r.tables.items()
        }
        self._names: dict[tuple[str, ...], set[str]] = {}  # reports asked of -> their name words
        self._routes: OrderedDict[str, list[str]] = OrderedDict()  # question -> reports read
        self._homes: OrderedDict[str, str | None] = OrderedDict()  # question -> its report
        self._alones: dict[str, Answerer] = {}  # report -> its answerer, as if indexed alone

    # ------------------------------------------------------------------ public

    def answer(
        self,
        question: str,
        history: Sequence[dict[str, Any]] | None = None,
        report: str | None = None,
        hits: Sequence[Hit] = (),
    ) -> Answer:
        """The answer to ``question`` after ``history``, from ``report`` or every report.

        In a library of several reports, a question is answered from one report as if it
        were indexed alone (its words, spellings and figures weighed against that report
        only), so what a report answers does not depend on the reports beside it."""
        if not self._library():
            return self._answer(question, turns_of(history), list(self.knowledge.reports), hits)
        if report:
            return self._alone(report).answer(question, history, hits=_of(hits, report))
        turns = turns_of(history)
        asked = [t for t, _ in turns]
        named = self._named(question, asked)
        if len(named) < len(self.knowledge.reports):
            # each report named answers as it would indexed alone ("In the Go and the Rust
            # surveys, what share were women?": each report's answer, under its name)
            chosen, asked_of = named, self._asked_of(question, named)
        else:
            chosen = self._focus(question, turns, self._routed(question, asked, hits), hits)
            named, asked_of = [], question
        answers = [
            self._alone(rid).answer(asked_of, history, hits=_of(hits, rid)) for rid in chosen
        ]
        return self._joined(question, chosen, answers, hits, named=bool(named))

    def _answer(
        self,
        question: str,
        turns: tuple[tuple[str, str], ...],
        report_ids: list[str],
        hits: Sequence[Hit],
    ) -> Answer:
        context = self._context(turns, report_ids)
        readings = read_parts(question, self.knowledge, report_ids, context)
        sources = Sources()
        parts = [self._part(r, sources) for r in readings]
        notes = [p.note for p in parts if p.note]
        # never state a figure no source supports: a part whose figures the answer's sources do
        # not hold is withheld on its own, and the other parts still answer
        for p in parts:
            result = guard.check(p.text, sources.texts())
            if not result.ok:
                shown = ", ".join(f.raw for f in result.unsupported)
                p.text, p.grounded = WITHHELD, False
                notes.append(f"the numeric guard withheld figures it could not trace ({shown})")
        if len(parts) == 1:
            text = parts[0].text
        else:
            text = "\n".join(f"- {p.text}" for p in parts)
        if any(p.text == WITHHELD for p in parts):
            text, sources = sources.only_cited(text)  # no citation left for a withheld part
        result = guard.check(text, sources.texts())
        if not result.ok:  # the parts joined: a last line of defence
            text, sources = WITHHELD, Sources()
        plan = Plan(question, tuple(r.public() for r in readings), any(r.leans for r in readings))
        charts = charts_for(sources, self._tables)
        if any(r.intent == "overview" for r in readings):
            charts = headline_chart(sources) or charts
        return Answer(
            text=text,
            citations=sources.citations(),
            grounded=any(p.grounded for p in parts) and result.ok,
            charts=charts,
            note="; ".join(notes) or None,
            question=question,
            retrieved=list(hits),
            plan=plan,
        )

    # ------------------------------------------------------------------ which report

    def _asked_of(self, question: str, named: list[str]) -> str:
        """The question as each of several reports it names is asked it: without their
        names (one report named keeps its name, as a user of that report alone might ask)."""
        return self.knowledge.without_names(question, named) if len(named) > 1 else question

    def _library(self) -> bool:
        return len(self.knowledge.reports) > 1

    def prepare(self) -> None:
        """Build now what the first questions would build (Knowledge.prepare); in a library,
        each report's own answerer and word indexes, and of the library's only what
        choosing a report reads."""
        if not self._library():
            self.knowledge.prepare()
            return
        self.knowledge.prepare(words=False)
        for rid in self.knowledge.reports:
            self._alone(rid).knowledge.prepare_words()

    def _alone(self, report_id: str) -> Answerer:
        """The answerer of one report of the library, as if it were indexed alone."""
        with self._lock:
            alone = self._alones.get(report_id)
        if alone is None:
            made = Answerer(self.knowledge.alone(report_id), self.calibration, self.route_reports)
            with self._lock:
                alone = self._alones.setdefault(report_id, made)
        return alone

    def _focus(
        self,
        question: str,
        turns: tuple[tuple[str, str], ...],
        report_ids: list[str],
        hits: Sequence[Hit] = (),
    ) -> list[str]:
        """The reports a question naming none is answered from, each on its own: the report
        the conversation is about (a user changes report by naming one), else the report its
        evidence comes from, else, for what any report answers of itself ("who took part?",
        "summarize the key findings"), each report; never one report's sentences mixed with
        another's."""
        if len(report_ids) < 2:
            return report_ids
        asked = [t for t, _ in turns]
        spoken = next(filter(None, (self._home(t, report_ids) for t in reversed(asked))), None)
        home = spoken or self._home(question, report_ids, hits)
        if home is not None:
            return [home]
        # "what does the Demography section say?": the reports with a section of that name
        k = self.knowledge
        titled = [rid for rid in report_ids if overview.named_section(k.reports[rid], question, k)]
        return (titled or report_ids)[:ANSWERED_APART]

    def _home(self, text: str, report_ids: list[str], hits: Sequence[Hit] = ()) -> str | None:
        """The report whose evidence answers ``text`` read on its own, None for a question
        every report answers of itself (an overview, how the survey was done, a section)."""
        key = f"{','.join(report_ids)}\n{text}"
        with self._lock:
            if key in self._homes:
                return self._homes[key]
        # the best passage retrieved for the question, else (an earlier turn) its best
        # sentence; not the targeted figure, which is chosen by how well its label fits the
        # wording asked (2 tuning cases worse)
        k, model = self.knowledge, load_intent_model()
        retrieved = [h.report for h in hits if h.report in report_ids]
        home = None
        for part in split_questions(text):
            vector = k.vector(part)
            intent, _ = settle_intent(model.predict(vector, part), part, False)
            if intent in _OF_ITSELF:
                continue
            best = retrieved[:1] or [
                s.item.report for s in k.rank_sentences(part, vector, report_ids)
            ]
            home = best[0] if best else None
            break
        with self._lock:
            self._homes[key] = home
            if len(self._homes) > _CONTEXT_CACHE:
                self._homes.popitem(last=False)
        return home

    def _joined(
        self,
        question: str,
        report_ids: list[str],
        answers: list[Answer],
        hits: Sequence[Hit],
        named: bool = False,
    ) -> Answer:
        """Each report's answer under its name, citations numbered through; one report's
        answer names its report after its figures, unless the question ``named`` it (an
        overview's lead names it already)."""
        texts: list[str] = []
        citations: list[Citation] = []
        for rid, one in zip(report_ids, answers, strict=True):
            info = self.knowledge.reports[rid].info
            name = info.title + (f" ({info.year})" if info.year else "")
            about = Citation(0, rid, ABOUT, name, "about")
            header = len(answers) > 1 and not one.text.startswith(info.title)
            if header:  # cited before the answer it heads, so the numbers run in reading order
                citations.append(replace(about, id=len(citations) + 1))
            shift = len(citations)
            text = _shifted(one.text, shift)
            citations += [replace(c, id=c.id + shift) for c in one.citations]
            if header:
                text = f"From {name} [{shift}]:\n{text}"
            elif len(answers) == 1 and not named and info.title not in text:
                citations.append(replace(about, id=len(citations) + 1))
                text = f"{text}\n(From {name} [{len(citations)}].)"
            texts.append(text)
        plans = [a.plan for a in answers if a.plan is not None]
        parts = tuple(p for plan in plans for p in plan.parts)
        return Answer(
            text="\n\n".join(texts),
            citations=citations,
            grounded=any(a.grounded for a in answers),
            charts=[c for a in answers for c in a.charts],
            note="; ".join(a.note for a in answers if a.note) or None,
            question=question,
            retrieved=list(hits),
            plan=Plan(question, parts, any(p.followup for p in plans)),
        )

    def _named(self, question: str, turns: Sequence[str]) -> list[str]:
        """The reports the question names, else those the latest turn naming one named
        ("In the Rust survey, ..." then "and Germany?"), else every report."""
        for text in (question, *reversed(turns)):
            named = self.knowledge.named_reports(text)
            if named:
                return named
        return list(self.knowledge.reports)

    def _routed(self, question: str, turns: Sequence[str], hits: Sequence[Hit]) -> list[str]:
        """The reports a question naming none is answered from: in a large library, those its
        retrieved passages and facts come from, and those each earlier question of the
        conversation was answered from (a follow-up such as "and the higher band?" is read
        against the reports of its first question)."""
        k = self.knowledge
        if len(k.reports) <= self.route_reports:
            return list(k.reports)
        chosen = set(self._route_of(question, hits))
        for text in turns:
            chosen.update(self._route_of(text, ()))
        return [rid for rid in k.reports if rid in chosen]

    def _route_of(self, text: str, hits: Sequence[Hit]) -> list[str]:
        """The reports of ``hits``, best first, else the reports nearest ``text`` in meaning;
        kept per question, so a later turn finds the reports an earlier one was read in."""
        with self._lock:
            known = self._routes.get(text)
        if known is not None:
            return known
        k = self.knowledge
        found = list(dict.fromkeys(h.report for h in hits if h.report in k.reports))
        found = found[: self.route_reports] or k.route(k.vector(text), self.route_reports)
        with self._lock:
            self._routes[text] = found
            if len(self._routes) > _CONTEXT_CACHE:
                self._routes.popitem(last=False)
        return found

    # ------------------------------------------------------------------ context

    def _context(self, turns: tuple[tuple[str, str], ...], report_ids: list[str]) -> Context:
        """The context earlier turns leave, computed once per conversation prefix."""
        key = (",".join(report_ids), turns)
        with self._lock:
            cached = self._contexts.get(key)
            if cached is not None:
                self._contexts.move_to_end(key)
                return copied(cached)
        context = self._context(turns[:-1], report_ids) if turns else Context()
        if turns:
            asked, reply = turns[-1]
            readings = read_parts(asked, self.knowledge, report_ids, context)
            as_answered(context, readings, reply, self.knowledge)
        with self._lock:
            self._contexts[key] = copied(context)
            while len(self._contexts) > _CONTEXT_CACHE:
                self._contexts.popitem(last=False)
        return context

    # ------------------------------------------------------------------ parts

    def _part(self, r: Reading, sources: Sources) -> PartAnswer:
        corrected = self._first_claimed(r, sources) or self._most_claimed(r, sources)
        if corrected is not None:
            if premise(r.text) is None:  # "why did X come out first?" rests on the claim alone
                return PartAnswer(corrected, True, _RANK_CORRECTED)
            # "Since X was the top Y, how many Z?": the correction, then the question asked
            answer = self._statistic_given(r, self._part_body(r, sources), sources)
            if _cites_only_what(corrected, answer.text, sources):
                return PartAnswer(corrected, True, _RANK_CORRECTED)  # stated in the correction
            return PartAnswer(f"{corrected} {answer.text}", True, _RANK_CORRECTED)
        claim = self._claim(r, sources)
        answer = self._statistic_given(r, self._part_body(r, sources), sources)
        if claim and not answer.grounded:
            # what the report says of the premise is the answer a reader can use
            return PartAnswer(f"{claim} It says nothing on the rest of the question.", True)
        if claim:
            if _cites_only_what(claim, answer.text, sources):
                # the answer would quote the very sentence the claim was met with
                return PartAnswer(claim, answer.grounded, answer.note)
            return PartAnswer(f"{claim} {answer.text}", answer.grounded, answer.note)
        return answer

    def _statistic_given(self, r: Reading, answer: PartAnswer, sources: Sources) -> PartAnswer:
        """An answer to "what was the average X?" that cites no average is no answer to it:
        say so, and keep what the report does say."""
        asked = [t for t in dict.fromkeys(tokenize(r.text)) if t in _STATED_STATISTICS]
        if not asked or not answer.grounded:
            return answer
        for item in sources.marked(answer.text):
            said = item.text if not isinstance(item, Fact) else f"{item.text} {item.source}"
            if all(self.knowledge.covers(t, tokens_of(said)) for t in asked):
                return answer
        named = " or ".join(asked)
        said = answer.text.removeprefix("According to the report: ")
        text = f"The report gives no {named} for this. What it says: {said}"
        return PartAnswer(text, False, f"the report states no {named}")

    def _first_claimed(self, r: Reading, sources: Sources) -> str | None:
        """For a question that claims X came first ("Why did X come out as the number one
        blocker?") where the report ranks something else first: what it ranks first and what
        it says of X. None when it names no such claim, or the report bears it out or does
        not rank at all."""
        first = claimed_first(r.text)
        if first is None:
            return None
        k = self.knowledge
        terms = [t for t in k.terms(first) if k.known(t)]
        if not terms:
            return None

        def names(text: str) -> bool:
            held = tokens_of(text)
            return all(k.covers(t, held) for t in terms)

        # a table among the figures found that holds X as one row: its largest is first
        for scored in r.ranked[:_SUPERLATIVE_REACH]:
            table = self._table_of(scored.item)
            rows = [f for f in table if names(f.subject or f.row)]
            if len(rows) != 1 or not _rankable(table):
                continue
            claimed = rows[0]
            top = max((f for f in table if f.unit == claimed.unit), key=lambda f: f.value)
            if close(top.value, claimed.value):
                return None  # the report bears the claim out
            report = k.reports[claimed.report]
            stated = " ".join(writers.state(f, report, sources) for f in (top, claimed))
            return f"The report does not rank {first} first: {stated}"
        # in words: a sentence that speaks of X, and the one near it that says what came first
        said = [s.item for s in r.sentences[:_SUPERLATIVE_REACH] if names(s.item.text)]
        if not said:
            return None
        report = k.reports[said[0].report]
        near = report.neighbours(said[0], before=_SUPERLATIVE_REACH, after=1)
        ranking = next((s for s in near if s is not said[0] and _ranks_first(s)), None)
        if ranking is None or names(ranking.text):
            return None
        quoted = writers.quoted([ranking, said[0]], sources)
        return f"The report does not rank {first} first. It says: {quoted}"

    def _most_claimed(self, r: Reading, sources: Sources) -> str | None:
        """For a question that claims most of a group did something ("Why did most of the
        nurses work nights?") where the report's share for it is under half: that
        share. None when it claims no majority, or no figure answers, or the figure bears the
        claim out."""
        asked = majority_claimed(r.text)
        if asked is None:
            return None
        reading = read_part(asked, self.knowledge, r.report_ids, Context())
        if not reading.facts or not self.calibration.answers("fact", reading.features)[0]:
            return None
        fact = reading.facts[0]
        # a share of half or more ("over 50%") bears out "most"; one under half does not
        if fact.unit != "%" or fact.value > 50 or (fact.value == 50 and fact.qualifier == "over"):
            return None
        stated = writers.state(fact, self.knowledge.reports[fact.report], sources)
        return f"The report does not say most did: {stated}"

    def _claim(self, r: Reading, sources: Sources) -> str:
        """What the report says about a claim the question rests on ("Since X, ...")."""
        split = premise(r.text)
        if split is None or r.intent in OVERVIEW_INTENTS:
            return ""
        claim = split[0]
        vector = self.knowledge.vector(claim)
        sample = self._sample_claim(claim, vector, r.report_ids)
        if sample:  # "Since the survey was of small firms, ...": who it was of
            r.premise = claim
            if r.scope and r.scope.startswith("group:"):
                r.scope = None  # the group came from the claim just corrected
            stated = " ".join(
                writers.state(item, self.knowledge.reports[item.report], sources)
                if isinstance(item, Fact)
                else writers.quote(item, sources) + "."
                for item in sample
            )
            return f"On what the question assumes, the report says: {stated}"
        ranked = self.knowledge.rank_sentences(claim, vector, r.report_ids)
        usable = [s for s in ranked if _quotable(s.item)]
        if not usable:
            return ""
        features = {**r.features, "sentence_dense": usable[0].dense}
        features["sentence_lexical"] = usable[0].lexical
        ok, _ = self.calibration.answers("sentence", features)
        if not ok:
            return ""
        r.premise = claim
        quoted = writers.quote(usable[0].item, sources)
        return f"On what the question assumes, the report says: {quoted}."

    def _sample_claim(
        self, claim: str, vector: Any, report_ids: list[str]
    ) -> list[Fact | Sentence]:
        """What the report states of who it surveyed, for a claim about that ("the survey was
        of small firms"): the best evidence of the facet whose example statements the claim is
        nearest and the evidence nearest the claim itself, of those the calibrated "about"
        decision accepts; none when it accepts none."""
        if not set(tokenize(claim)) & SURVEY_WORDS:
            return []
        facets = self.knowledge.facets
        facet = facets.stated(vector)
        names = facet.parts or (facet.name,)
        accepted: list[survey_facets.FacetMatch] = []
        for name in names:
            # asked as the facet's own question: the claim's words are the ones in doubt
            part = facets.by_name[name]
            matches = survey_facets.matches(
                self.knowledge, part.label, facets.question(name), report_ids, part, vector
            )
            accepted += [
                m
                for m in matches[:_SAMPLE_EVIDENCE]
                if self.calibration.answers("about", m.features())[0]
            ]
        if not accepted:
            return []
        # what the report states of that side of its sample, and the statement on the claim's
        # own point ("firms with $5M revenue" is met by the revenue too, not the head count)
        best = max(accepted, key=lambda m: m.score).item
        nearest = max(accepted, key=lambda m: m.near).item
        said = [x.source if isinstance(x, Fact) else x.text for x in (best, nearest)]
        return [best] if said[0] == said[1] else [best, nearest]

    def _part_body(self, r: Reading, sources: Sources) -> PartAnswer:
        report = self._report_of(r)
        if r.intent in OVERVIEW_INTENTS | {"describe", "section"}:
            named = overview.named_section(report, r.text, self.knowledge)
            if named is not None:
                r.intent, r.section = "section", (report.info.id, named)
                return PartAnswer(overview.section(report, named, sources), True)
        if r.intent == "overview":
            topical = overview.topic_section(report, r.text, self.knowledge)
            if topical is not None:  # "what did it find about pricing?": that section
                r.intent, r.section = "section", (report.info.id, topical)
                return PartAnswer(overview.section(report, topical, sources), True)
        if r.intent in OVERVIEW_INTENTS | {"describe"} and overview.asks_next(r.text):
            planned = overview.next_steps(report, sources)
            if planned is not None:  # "what will they do next with the survey?"
                return PartAnswer(planned, True)
        if r.intent in OVERVIEW_INTENTS:
            return self._overview(r, report, sources)
        if r.intent == "section":
            title = overview.find_section(report, r.text, self.knowledge)
            if title is not None:
                r.section = (report.info.id, title)
                return PartAnswer(overview.section(report, title, sources), True)
            return self._describe(r, sources)
        if r.intent == "about":
            return self._about(r, report, sources)
        if r.scope is not None:
            return self._out_of_scope(r, sources)
        if r.intent in FIGURE_INTENTS:
            return self._figures(r, sources)
        return self._describe(r, sources)

    def _report_of(self, r: Reading) -> ReportKnowledge:
        """The report a part is about: its targets', else the best-matching sentence's."""
        if r.facts:
            return self.knowledge.reports[r.facts[0].report]
        if r.sentences:
            return self.knowledge.reports[r.sentences[0].item.report]
        return self.knowledge.reports[r.report_ids[0]]

    def _overview(self, r: Reading, report: ReportKnowledge, sources: Sources) -> PartAnswer:
        if r.intent == "conclusion":
            text = overview.conclusion(report, sources, r.text)
        elif r.intent == "recommendation":
            text = overview.recommendation(report, sources)
        elif r.intent == "emphasis":
            text = overview.emphasis(report, r.text, self.knowledge, sources)
        else:
            text = overview.overview(report, sources, overview.bullets_asked(r.text))
        return PartAnswer(text, True)

    def _about(self, r: Reading, report: ReportKnowledge, sources: Sources) -> PartAnswer:
        """How the survey was done: the sentences and figures that state the facet asked,
        with the report's metadata where the facet has one (publisher, year, sample)."""
        facet = r.facet
        elliptic = r.text.strip().lower().startswith(FOLLOWUP_OPENERS)
        if facet is None or (r.leans and elliptic):  # "what about the students?"
            return self._describe(r, sources)
        if facet.figure and not facet.parts:
            counted = self._counted_in_a_sentence(r)  # "How many X?": "We had 300 X"
            if counted is not None:
                quoted = writers.quote(counted, sources)
                return PartAnswer(f"According to the report: {quoted}.", True)
        chosen: list[FacetMatch] = []
        best = 0.0
        for name, matched in r.about.items():
            if facet.parts:  # a part of the sample: only what states that part above all
                matched = [m for m in matched if m.nearest == name]
            # the best four, and the best that states this facet above any other ("This
            # analysis includes 476 observations" ranks below sentences nearer the question)
            own = next((m for m in matched[4:] if m.nearest == name), None)
            weighed = [*matched[:4], *([own] if own is not None else [])]
            judged = [(m, *self.calibration.answers("about", m.features())) for m in weighed]
            best = max([best, *(score for _, _, score in judged)])
            accepted = [m for m, ok, _ in judged if ok]
            # a figure answers a facet like "how many took part" better than a sentence does,
            # and for a facet figures state ("how big were they?"), a sentence that states one
            # in the facet's units better than one that states none ("very big enterprises")
            accepted.sort(
                key=lambda m: (
                    not isinstance(m.item, Fact),
                    facet.figure and not _states_units(m.item, facet.units),
                )
            )
            # a facet of the sample gets its one best statement; a facet asked alone, two,
            # from two sentences (a fact and the sentence it was read from say one thing)
            chosen += _distinct(accepted, chosen)[: 1 if facet.parts else 2]
            if facet.each_unit and chosen:
                # "how big were they?": the best statement in each of the facet's units
                # (employees and revenue), wherever it ranks among the evidence
                chosen += self._in_each_unit(facet, matched, chosen)
        r.answerable = best
        if asks_figure(r.text) and not facet.parts and r.ranked and not facet.metadata:
            # "how many respondents learned the Unix Shell?" reads like a question about the
            # sample, but a finding answers it: the likelier evidence of the two decides
            fact_ok, fact_score = self.calibration.answers("fact", r.features)
            in_its_words = survey_facets.says(facet, r.ranked[0].item)  # "12 weeks": no questions
            if fact_ok and fact_score > best and not facet.figure and in_its_words:
                return self._as_figure(r, sources)
        if facet.figure and asks_figure(r.text) and not facet.parts and r.ranked:
            # a facet figures state (how many, how big): the figure the fact ranking finds
            # (rows named, units asked) when it answers
            fact_ok, _ = self.calibration.answers("fact", r.features)
            top = r.ranked[0]
            # of the name asked ("from India" is not answered by a figure for all respondents)
            fits = not self._name_missing(r, [self._said_with_antecedent(top.item)])
            fits &= survey_facets.says(facet, top.item)  # "12 weeks" is no count of questions
            if fact_ok and fits and all(m.item is not top.item for m in chosen):
                chosen.insert(0, FacetMatch(top.item, 0.0, top.dense, top.lexical))
        if asks_figure(r.text):
            # a figure of the sample that never names the place or group asked ("in India")
            chosen = [m for m in chosen if not self._name_missing(r, [_text_of(m.item)])]
            if facet.figure and facet.units and not facet.parts:
                # "how many took part?" is not answered by "48.5% of respondents ..."
                chosen = [m for m in chosen if _states_units(m.item, facet.units)]
        if chosen:
            report = self.knowledge.reports[chosen[0].item.report]
        noted = survey_facets.metadata(facet, report.info, r.text)
        if not chosen and noted is None:
            if asks_figure(r.text) and not facet.figure:
                # a figure asked of a facet that states none ("what share of respondents
                # cited X?" read as where they were): the facet was misread, not unanswered
                return self._as_figure(r, sources)
            # the metadata states this facet, but the question used none of its words: it
            # may ask something else, so absence of the facet is not what to report
            recorded = survey_facets.recorded(facet, report.info)
            # nor when the metadata's account of the sample states it ("over 500 firms"
            # is how many took part): the question may ask something else of them
            sample = report.info.surveyed
            in_sample = facet.whole and bool(sample) and _states_units(sample, facet.units)
            # the facet is named only when the question asks it in its words ("by phone or
            # online?"); "who won the cup?" read as about the survey asks no facet of it
            named = recorded is None and not in_sample and _in_facet_words(r.text, facet)
            what = facet.label if named else "anything that answers this"
            return self._refuse(r, what, sources, about=report)
        if chosen and asks_figure(r.text) and not facet.metadata:
            # the best statement of the facet must hold the figure: a figure in a weaker one
            # beside it ("no vertical was over 8%" beside the job titles) answers another facet
            if not figures_of(spelled_as_digits(chosen[0].item.text)):  # "seven languages"
                said = [m.item for m in chosen if isinstance(m.item, Sentence)]
                stated = writers.quoted(said[:1], sources)  # the facet's own statement
                text = f"The report gives no figure for {facet.label}; it says: {stated}"
                return PartAnswer(text, False, "not answered: the report states no such figure")
        r.facts = [m.item for m in chosen if isinstance(m.item, Fact)]
        lines = []
        if noted is not None and (facet.metadata != "surveyed" or not chosen):
            lines.append(f"{noted} [{sources.cite(AboutNote(report.info.id, noted))}].")
        shown = {f.source for f in r.facts}
        for m in sorted(chosen, key=lambda m: m.item.start):
            if isinstance(m.item, Fact):
                lines.append(writers.state(m.item, report, sources))
            elif m.item.text not in shown:
                said = [m.item]
                if asks_respondents(m.item.text):
                    # "we asked in which country they live": the answer is the next sentence
                    nearby = self.knowledge.reports[m.item.report].neighbours(m.item, 0, 1)
                    said += [s for s in nearby[1:] if _quotable(s) and s.text not in shown]
                shown.update(s.text for s in said)
                lines.append(writers.quoted(said, sources))
        return PartAnswer(" ".join(lines), True)

    def _in_each_unit(
        self,
        facet: survey_facets.Facet,
        matched: Sequence[FacetMatch],
        chosen: Sequence[FacetMatch],
    ) -> list[FacetMatch]:
        """The best accepted statement of ``facet`` in each of its units no chosen statement
        gives a figure in yet."""
        stated = {f.unit for m in chosen for f in figures_of(_text_of(m.item))}
        added: list[FacetMatch] = []
        for unit in facet.units:
            if unit in stated:
                continue
            for m in _distinct([m for m in matched if _states_units(m.item, [unit])], chosen):
                if self.calibration.answers("about", m.features())[0]:
                    added.append(m)
                    stated.update(f.unit for f in figures_of(_text_of(m.item)))
                    break
        return added

    def _as_figure(self, r: Reading, sources: Sources) -> PartAnswer:
        """A part read as about the survey that asks for a finding's figure, answered as one."""
        r.intent, r.facet, r.about = "figure", None, {}
        r.facts = r.facts or [s.item for s in r.ranked[:1]]
        return self._figures(r, sources)

    def _sentence_answers(self, r: Reading) -> tuple[bool, float]:
        """Whether the best sentence answers: a follow-up is judged with how near that
        sentence lies to what the answer before it rested on (rag.answering.locality)."""
        return self.calibration.answers("followup" if r.follows else "sentence", r.features)

    def _describe(self, r: Reading, sources: Sources) -> PartAnswer:
        ok, score = self._sentence_answers(r)
        r.answerable = score
        if not ok:
            return self._refuse(r, "anything that answers this", sources)
        picked = self._best_sentences(r, limit=3)
        # the sentence after the best one, as a sentence window: a report often names a topic
        # in one sentence ("there are three big obstacles") and answers in the next
        report = self.knowledge.reports[picked[0].report] if picked else None
        # one that opens a list ("The top three areas were:") is answered by the list after it
        opens_list = bool(picked) and picked[0].text.rstrip().endswith(":")
        reach = _LIST_REACH if opens_list else 1
        after = report.neighbours(picked[0], before=0, after=reach)[1:] if report else []
        if opens_list:  # the list ends where the next passage opens its own
            ends = next((i for i, s in enumerate(after) if s.text.rstrip().endswith(":")), None)
            after = after[:ends]
        after = [s for s in after if _quotable(s) and s not in picked]
        if opens_list and after:
            return PartAnswer(
                f"According to the report: {writers.listed(picked[0], after, sources)}", True
            )
        picked += after
        said = f"According to the report: {writers.quoted(picked, sources)}"
        return PartAnswer(f"{_moved_otherwise(r.text, picked[0].text)}{said}", True)

    def _best_sentences(self, r: Reading, limit: int) -> list[Sentence]:
        """The best sentence, and the next best ones nearly as good, never a bare heading."""
        usable = [s for s in r.sentences if _quotable(s.item)]
        if not usable:
            return []
        top = usable[0].score
        picked = [s.item for s in usable if s.score >= 0.85 * top][:limit]
        return picked

    def _figures(self, r: Reading, sources: Sources) -> PartAnswer:
        ok, score = self.calibration.answers("fact", r.features)
        r.answerable = score
        if r.absent is not None and ok:
            # the question is on this table, for an option it does not hold: say which it holds
            # (the option is not named back: a number the report does not state is not said)
            first = r.facts[0]
            table = self.knowledge.reports[first.report].tables.get(first.table, r.facts)
            shown = writers.breakdown(table, self.knowledge, sources)
            text = f"The report gives no figure for the answer asked about. What it gives: {shown}"
            return PartAnswer(text, False, "the answer option asked about is not in the report")
        ok = ok or r.inherited  # figures an earlier answer already gave need no new evidence
        counts = r.intent in ("figure", "about") and "%" not in wanted_units(r.text)
        counts &= not r.inherited  # an inherited figure is the one asked about
        counted = self._counted_in_a_sentence(r) if counts else None
        if counted is not None:  # "How many managers?": "We asked 250 managers ..."
            return PartAnswer(f"According to the report: {writers.quote(counted, sources)}.", True)
        if ok and r.intent == "extreme" and r.facts and not _rankable(self._table_of(r.facts[0])):
            # one row ranks nothing, nor do rows of one figure ("< 100 employees", "> 100
            # employees" name sizes): the report's own "X was the most frequently used" does
            in_words = self._ranked_in_words(r)
            if in_words is not None:
                quoted = writers.quote(in_words, sources)
                return PartAnswer(f"According to the report: {quoted}.", True)
            if len(self._table_of(r.facts[0])) > 1:
                r.intent, r.facts = "describe", []
                return self._describe(r, sources)
        if ok and r.facts and self._words_answer_better(r):
            r.intent, r.facts = "describe", []
            return self._describe(r, sources)
        if (not ok or not r.facts) and r.intent in ("extreme", "breakdown"):
            r.intent, r.facts = "describe", []  # "the biggest blockers" may be in words only
            return self._describe(r, sources)
        # a figure an earlier answer gave is the one asked about, whatever sentence is nearer
        if not ok or not r.facts or (not r.inherited and self._unit_in_words(r)):
            return self._no_figure(r, sources)
        if not r.inherited and self._name_missing(
            r, [self._said_with_antecedent(f) for f in r.facts]
        ):
            return self._no_figure(r, sources)
        if not r.inherited and self._counts_another_name(r, r.facts[0]):
            return self._no_figure(r, sources)
        # (a breakdown found as one figure is asked of one band too)
        one = r.intent == "figure" or (r.intent == "breakdown" and len(r.facts) == 1)
        bound = _other_bound(r.text, r.facts[0]) if one else None
        if bound is not None and not r.inherited:
            # "what share have more than 50 staff?" is not answered by "40% have over 20"
            fact = r.facts[0]
            stated = writers.state(fact, self.knowledge.reports[fact.report], sources)
            # (the cut-off is not named back: a figure no source states is never said)
            text = f"{_NO_CUT_OFF} The nearest: {stated}"
            return PartAnswer(text, False, _ANOTHER_CUT_OFF)
        joint = self._joint_figure(r)
        if joint is not None:  # "from Germany?": "40% came from Germany and the US"
            fact = r.facts[0]
            stated = writers.state(fact, self.knowledge.reports[fact.report], sources)
            text = f"The report gives no figure for {joint} alone, only one with others: {stated}"
            return PartAnswer(text, False, "not answered: the report gives only a joint figure")
        lead = self._premise(r, sources)
        text = self._operate(r, sources)
        asks_move = of_earlier_edition(r.text, len(r.text)) or asks_change(r.text)
        if r.intent == "figure" and len(r.facts) == 1 and asks_move:
            # "... this year, and last year?", "how far did it fall?": the figure, and the
            # sentence that says how it moved, where the report sets it against the last edition
            fact = r.facts[0]
            if states_change(fact.source, self.knowledge.reports[fact.report].info.year):
                text += self._how_it_moved(fact, sources, r.text)
        return PartAnswer(
            f"{lead}{text}",
            True,
            "the question's figure is not the report's; corrected" if lead else None,
        )

    def _report_names(self, r: Reading) -> set[str]:
        """The words of the names of the reports a part is asked of, and their publishers'."""
        key = tuple(r.report_ids)
        words = self._names.get(key)
        if words is None:
            infos = [self.knowledge.reports[rid].info for rid in key]
            # each report's names tokenized alone (and so once: tokenize keeps what it read),
            # not joined: a library's reports are asked of in ever new sets of eight
            words = set().union(*(tokenize(f"{i.title} {i.short} {i.publisher}") for i in infos))
            self._names[key] = words
        return words

    def _asked_names(self, r: Reading) -> set[str]:
        """The words of the names a question asks about, the reports' own names aside."""
        return name_words(r.text) - GENERIC - self._report_names(r)

    def _name_missing(self, r: Reading, evidence: list[str]) -> bool:
        """Whether the question names something ("from Japan", "use Kubernetes") that none of
        the evidence holds: a figure for another country or tool is not an answer. The names
        of the reports and their publishers do not count."""
        asked = self._asked_names(r)
        if not asked:
            return False
        held = frozenset().union(*(tokens_of(text) for text in evidence))
        return not all(
            self.knowledge.covers(t, held) or self.knowledge.spelled_out(t, held) for t in asked
        )

    def _counts_another_name(self, r: Reading, fact: Fact) -> bool:
        """Whether the figure found counts another name in place of the one asked: "what share
        develop on Windows?" is not answered by "92% deploy to Linux", though the sentence
        around that figure speaks of Windows too."""
        asked = self._asked_names(r)
        if r.intent != "figure" or not asked:
            return False
        said = fact.subject if fact.origin == "text" else fact.row  # what the figure counts
        k = self.knowledge
        named = set(tokenize(" ".join(_CAPITALISED.findall(said))))
        # a label's first word is capitalised as any sentence's: only a word the reports
        # never write in lower case is a name ("Linux", not "Time to first release")
        counted = {t for t in named if k.proper(t)} - GENERIC - self._report_names(r)
        if not counted:
            return self._in_other_clause(asked, fact)
        held, question = tokens_of(said), tokens_of(r.text)
        return not any(k.covers(t, held) for t in asked) and not any(
            k.covers(t, question) for t in counted
        )

    def _in_other_clause(self, asked: set[str], fact: Fact) -> bool:
        """Whether the names asked stand only in a clause the fact's sentence sets against the
        one holding its figure ("While X stays ubiquitous, Y rose to 22%" asked of X)."""
        at = next((f.start for f in figures_of(fact.source) if close(f.value, fact.value)), None)
        clause = own_clause(fact.source, at) if at is not None else None
        if clause is None:
            return False
        k, held = self.knowledge, tokens_of(clause)
        return not any(k.covers(t, held) or k.spelled_out(t, held) for t in asked)

    def _joint_figure(self, r: Reading) -> str | None:
        """The name a question asks about when the figure found counts it together with another
        name ("came from Germany and the United States"), else None."""
        if r.intent != "figure" or len(r.facts) != 1:
            return None
        asked = name_words(r.text) - GENERIC
        if not asked:
            return None
        fact = r.facts[0]
        said = fact.subject if fact.origin == "text" else fact.text  # what the figure counts
        for m in _JOINT.finditer(said):
            one, other = (set(tokenize(m.group(g))) for g in ("a", "b"))
            for first, second, words in ((one, other, m.group("a")), (other, one, m.group("b"))):
                if first & asked and not second & asked:
                    return words
        return None

    def _said_with_antecedent(self, fact: Fact) -> str:
        """What a fact offers a name, with the sentences before its own while they open on a
        pronoun ("It doubled its members in a year ..." is about what an earlier one names)."""
        report = self.knowledge.reports[fact.report]
        said = [fact_document(fact)]
        sentence: Sentence | None = report.source_of(fact)
        for _ in range(_ANTECEDENT_REACH):
            first = tokenize(sentence.text, keep_stopwords=True)[:1] if sentence else []
            if sentence is None or not first or first[0] not in _PRONOUNS:
                break
            before = report.neighbours(sentence, before=1, after=0)[:-1]
            sentence = before[0] if before else None
            said += [s.text for s in before]
        return " ".join(said)

    def _unit_in_words(self, r: Reading) -> bool:
        """Whether a sentence that states the kind of figure asked ("what year": "the club was
        founded in 1998") matches the question better than the fact does ("within 2 years")."""
        wanted = wanted_units(r.text)
        if r.intent != "figure" or not wanted or r.facts[0].source.strip() == "":
            return False
        if any(close(c.value, r.facts[0].value) and c.unit == r.facts[0].unit for c in r.claimed):
            return False  # "and over the next two years?": the fact states the figure named
        fact = next((s for s in r.ranked if s.item.id == r.facts[0].id), None)
        best = next((s for s in r.sentences if _quotable(s.item)), None)
        if fact is None or best is None or best.item.text == r.facts[0].source:
            return False
        if self._name_missing(r, [best.item.text]):
            return False  # a sentence about something else the question does not name
        stated = any(f.unit in wanted for f in figures_of(best.item.text))
        if stated and r.facts[0].unit not in wanted:
            return True  # the fact counts another kind of thing ("6 months" for "when?")
        return stated and best.score > fact.score

    def _counted_in_a_sentence(self, r: Reading) -> Sentence | None:
        """A near sentence that counts what the question counts, where no fact does: a bare
        number followed by the question's own noun ("250 managers" for "how many managers")."""
        terms = set(self.knowledge.terms(r.text))
        fact_tokens = tokens_of(r.facts[0].text) if r.facts else frozenset()
        for scored in r.sentences[:3]:
            s = scored.item
            if self._name_missing(r, [s.text]):
                continue  # "1M users" of another product does not count this one's
            for f in figures_of(s.text):
                if f.unit == "%":
                    continue  # "60% learn ..." is a share, not a count of learners
                after = tokenize(s.text[f.end : f.end + 30])[:1]
                if after and after[0] in terms and after[0] not in fact_tokens:
                    return s
        return None

    def _words_answer_better(self, r: Reading) -> bool:
        """Whether a sentence that states no figure matches the question better than any fact
        ("what are the biggest blockers?" is answered in words, not by a table)."""
        if r.intent not in ("extreme", "breakdown") or not r.ranked or r.inherited:
            return False  # a follow-up on the table just answered stays on that table
        best_fact = max(s.score for s in r.ranked)
        for s in r.sentences:
            if _quotable(s.item) and not figures_of(s.item.text):
                if r.intent == "extreme" and self._ranking_at(s.item) is None:
                    return False  # "the size of those losses is staggering" ranks nothing
                return s.score > best_fact
        return False

    def _ranking_at(self, sentence: Sentence) -> Sentence | None:
        """The sentence itself, else the one after it, when it names what came first."""
        report = self.knowledge.reports[sentence.report]
        return next((s for s in report.neighbours(sentence, 0, 1) if _ranks_first(s)), None)

    def _ranked_in_words(self, r: Reading) -> Sentence | None:
        """Among the best sentences and the one after each (a topic is often named, then
        ranked: "This was a new question. The town forum was the most frequently
        used"), the first that names what came first."""
        found = (self._ranking_at(scored.item) for scored in r.sentences[:_SUPERLATIVE_REACH])
        return next((s for s in found if s is not None), None)

    def _stated_rest(self, facts: Sequence[Fact]) -> Fact | None:
        """The figure the report itself gives for the rest of one figure: another of its
        sentence said with a denial ("43% said there are dedicated people ..., a similar 44%
        said there was not")."""
        if len(facts) != 1:
            return None
        given = facts[0]
        siblings = [
            f
            for f in self.knowledge.reports[given.report].facts
            if f.start == given.start and f.id != given.id and f.unit == given.unit
        ]
        denied = [
            f
            for f in siblings
            if set(tokenize(f.subject or f.row, keep_stopwords=True)) & NEGATION
            and not set(tokenize(given.subject or given.row, keep_stopwords=True)) & NEGATION
        ]
        return denied[0] if len(denied) == 1 else None

    def _table_of(self, fact: Fact) -> list[Fact]:
        return self.knowledge.reports[fact.report].tables.get(fact.table, [fact])

    def _operate(self, r: Reading, sources: Sources) -> str:
        k = self.knowledge
        facts = r.facts
        if r.intent == "breakdown" and len(facts) > 1:
            return writers.breakdown(facts, k, sources)
        if r.intent == "extreme" and len(facts) > 1:
            result = operations.extreme(facts, r.direction or "most", r.place)
            if result.value is not None:
                return writers.extreme(result, r.direction or "most", k, sources)
            if r.place > 1:  # "the twelfth most common" of a table of fewer figures
                shown = writers.breakdown(facts, k, sources)
                return (
                    f"The report's ranking does not reach the place asked. What it gives: {shown}"
                )
        if r.intent == "sum" and len(facts) >= 2:
            summed = operations.total(facts)
            counted = self._as_count(r, summed)
            # "how many households spend $2,000 or more?": the count first, cited in reading order
            lead = "" if counted is None else writers.worked(counted, "as a count", k, sources)
            return f"{lead} {writers.worked(summed, 'together', k, sources)}".strip()
        if r.intent == "complement":
            stated = self._stated_rest(facts)
            if stated is not None:  # the report's own figure beats one worked out
                report = k.reports[stated.report]
                return f"The report gives it: {writers.state(stated, report, sources)}"
            return writers.worked(operations.complement_of(facts), "the rest", k, sources)
        if len(facts) >= 2 and r.intent in ("compare", "difference", "ratio", "share_of_share"):
            a, b = facts[0], facts[1]
            if r.intent == "compare":
                return writers.compared(a, b, operations.difference(a, b), k, sources)
            if r.intent == "difference":
                return writers.worked(operations.difference(a, b), "the difference", k, sources)
            if r.intent == "ratio":
                return writers.worked(operations.ratio(a, b), "the ratio", k, sources)
            whole, part = (a, b) if a.value >= b.value else (b, a)
            return writers.worked(
                operations.share_of_share(part, whole), "as a share of the larger group", k, sources
            )
        if r.intent == "figure" and len(facts) >= 2 and len({f.table for f in facts}) == 1:
            # two rows named side by side ("Linux vs macOS"): each figure, in the order asked
            return " ".join(writers.state(f, k.reports[f.report], sources) for f in facts)
        fact = facts[0]
        counted = self._as_count(r, fact)  # "how many companies is that?": the count first
        if counted is not None:
            text = writers.worked(counted, "as a count", k, sources)
        else:
            text = writers.state(fact, k.reports[fact.report], sources)
        unit = _duration_asked(r.text)
        if unit and operations.time_unit(fact.unit) not in (None, unit):
            result = operations.converted(fact, unit)
            if result.value is not None:
                text = writers.worked(result, f"in {unit}", k, sources)
        if _asks_when(r.text) and _dates(fact.source) - _dates(fact.text):
            source = k.reports[fact.report].source_of(fact)
            text += f" In the report's words: {writers.quote(source, sources)}."
        return text

    def _as_count(self, r: Reading, share: Fact | operations.Result) -> operations.Result | None:
        """A share asked as a count ("how many companies is that?"): the share (a fact, or
        a sum of facts) of the report's whole sample, where the report counts its sample in
        the unit asked and neither the question nor a share's sentence narrows who is
        counted."""
        unit = count_asked(r.text)
        if unit is None or share.unit != "%" or r.scope:
            return None
        facts = [share] if isinstance(share, Fact) else list(share.rows)
        if population_modifiers(r.text) or any(population_modifiers(f.source) for f in facts):
            return None
        report = self.knowledge.reports[facts[0].report]
        sample = survey_facets.sample_count(self.knowledge.facets, report, unit)
        if sample is None:
            return None
        result = operations.count_of(share, sample)
        return result if result.value is not None else None

    def _premise(self, r: Reading, sources: Sources) -> str:
        """A figure the question asserts that the report does not state: say so first."""
        target = r.facts[0]
        table = self.knowledge.reports[target.report].tables.get(target.table, [target])
        for claim in r.claimed:
            if any(names_row(claim, f) for f in table) or claim.unit == "year":
                continue
            if not any(units_agree(claim.unit, f.unit) and claim.unit for f in r.facts):
                continue
            if any(close(claim.value, f.value) for f in r.facts):
                continue
            twin = [f for f in table if close(f.value, claim.value) and f not in r.facts]
            if not twin:  # the figure may be the one the same passage gives to another point
                twin = [
                    s.item
                    for s in r.ranked
                    if close(s.item.value, claim.value)
                    and units_agree(claim.unit, s.item.unit)
                    and s.item.section == target.section
                    and s.item not in r.facts
                ]
            extra = ""
            if twin:
                extra = " " + writers.state(
                    twin[0], self.knowledge.reports[twin[0].report], sources
                )
            return f"The report does not support the figure in the question.{extra} "
        return ""

    def _no_figure(self, r: Reading, sources: Sources) -> PartAnswer:
        """No fact answers: a sentence may say it in words; otherwise refuse. A sentence
        whose figures all count another name than the one asked may say something of it, but
        none of its figures is the answer."""
        ok, score = self._sentence_answers(r)
        usable = [s.item for s in r.sentences if _quotable(s.item)]
        if ok and usable and not self._name_missing(r, [usable[0].text]):
            best = usable[0]
            wanted = wanted_units(r.text)
            own = [s.item for s in r.ranked if s.item.source.strip() == best.text.strip()]
            other = bool(own) and all(self._counts_another_name(r, f) for f in own)
            # a count asked may stand in words ("in seven languages"): the quote gives it
            spelled = best.text if wanted else spelled_as_digits(best.text)
            stated = () if other else figures_of(spelled)
            if not wanted and asks_figure(r.text):
                # a bare number inside a name ("Windows 11") does not say how many; one before
                # a word the question asks about ("15 different tools") does
                terms = set(self.knowledge.terms(r.text))
                stated = tuple(
                    f
                    for f in stated
                    if f.unit or terms & set(tokenize(spelled[f.end : f.end + 40])[:3])
                )
                # no duration was asked (that would be a wanted unit): "ran for two weeks"
                # does not say how many or what share
                stated = tuple(f for f in stated if f.unit not in TIME_UNITS)
            if stated and (not wanted or any(f.unit in wanted for f in stated)):
                quoted = writers.quote(best, sources)
                if _bound_apart(r.text, best.text) is not None:
                    # "from firms of 11 to 100 people?": "17% were from firms of 1000+ people"
                    text = f"{_NO_CUT_OFF} The nearest: {quoted}."
                    return PartAnswer(text, False, _ANOTHER_CUT_OFF)
                # a figure the tables leave out ("started the Alliance in 2021"), in the
                # report's own words
                return PartAnswer(f"According to the report: {quoted}.", True)
            if not stated and not asks_figure(r.text):
                # "which teams control the budget?" asks for no figure: the words answer it
                return PartAnswer(f"According to the report: {writers.quote(best, sources)}.", True)
            if (
                not stated
                and measures_asked(r.text) & TIME_UNITS
                and _SPAN_IN_WORDS.search(best.text)
            ):
                # "how long will it last?": "for many years to come" says how long, in words
                return PartAnswer(f"According to the report: {writers.quote(best, sources)}.", True)
            if not stated:
                text = (
                    "The report does not say — it gives no figure for this. What it says: "
                    f"{writers.quote(best, sources)}."
                )
                return PartAnswer(text, False, "not answered with a figure: the report gives none")
        return self._refuse(r, "— it gives no figure that answers this", sources)

    def _out_of_scope(self, r: Reading, sources: Sources) -> PartAnswer:
        """Change over time or another group: say so, with the figure the report does give."""
        scope = r.scope or ""
        if scope == "time":
            said = self._stated_change(r, sources)
            if said is not None:
                return PartAnswer(said, True)
            reason = "how this changed over time or what it will be: it reports one survey"
        else:
            reason = f"a figure for {scope.removeprefix('group: ')} on its own"
        text = f"The report does not say {reason}."
        ok, _ = self.calibration.answers("fact", r.features)
        # "this survey's figure" is never one the report gives for an earlier edition
        if ok and r.facts and not earlier_edition_fact(r.facts[0]):
            fact = r.facts[0]
            stated = writers.state(fact, self.knowledge.reports[fact.report], sources)
            text += f" It gives only this survey's figure for all respondents: {stated}"
        return PartAnswer(text, False, "not answered: outside what the report covers")

    def _stated_change(self, r: Reading, sources: Sources) -> str | None:
        """A survey run every year often says how a figure moved: the matching fact's own
        sentence, or the matching sentence, when it sets the figure against an earlier time."""
        # a trend part has no targets of its own: the fact nearest the question is the one
        nearest = r.facts[:1] or [s.item for s in r.ranked[:1]]
        if not self._years_within_reach(r):
            return None
        # a figure an earlier answer gave ("is that up on last year?") needs no new evidence
        if nearest and (r.inherited or self.calibration.answers("fact", r.features)[0]):
            fact = self._this_years(nearest[0], r)
            report = self.knowledge.reports[fact.report]
            if states_change(fact.source, report.info.year) or states_change(
                fact.text, report.info.year
            ):
                return writers.state(fact, report, sources) + self._how_it_moved(
                    fact, sources, r.text
                )
        usable = [s.item for s in r.sentences[:1] if _quotable(s.item)]
        if usable and self._sentence_answers(r)[0]:
            best = usable[0]
            numbers = [f for f in figures_of(best.text) if f.unit != "year"]
            if asks_figure(r.text) and not numbers:
                return None  # "what share ... in 2022?" is not answered by a change in words
            report = self.knowledge.reports[best.report]
            if states_change(best.text, report.info.year):
                # "Last year, 38% ..." goes on in the next sentence: "This year, that number
                # is up to 46%"
                after = [s for s in report.neighbours(best, 0, 1)[1:] if refers_back(s.text)]
                return (
                    f"On how it changed, the report says: {writers.quoted([best, *after], sources)}"
                )
        return None

    def _how_it_moved(self, fact: Fact, sources: Sources, question: str = "") -> str:
        """How the figure moved since the last edition, with the working, where the fact's own
        sentence gives both ("Docs - from 25% to 22%"), and that it did not move the way the
        ``question`` says ("why did it drop?"); else that sentence, where it sets the figure
        against an earlier time the fact does not state; else nothing."""
        report = self.knowledge.reports[fact.report]
        figures = figures_of(fact.source)
        before = next(
            (
                was
                for was, now in moves(fact.source, figures)
                if close(now.value, fact.value) and now.unit == fact.unit
            ),
            None,
        )
        if before is not None:
            earlier = replace(
                fact, id=f"{fact.id}/before", value=before.value, qualifier=before.qualifier
            )
            result = operations.difference(fact, earlier)
            if result.value is not None:
                way = "up" if fact.value > before.value else "down"
                by = (
                    f"{result.value:g} percentage points"
                    if fact.unit == "%"
                    else f"{result.value:g}"
                )
                was = format_figure(before.value, before.unit, before.qualifier)
                quoted = writers.quote(report.source_of(fact), sources)
                contrary = _not_as_asked(question, way)
                contrary = f", {contrary}" if contrary else ""
                return f" That is {way} {by} from {was} ({result.working}){contrary}: {quoted}."
        said = {f.raw for f in figures_of(fact.text)}
        if all(f.raw in said for f in figures):
            return ""  # the fact already states the earlier figure
        quoted = writers.quote(report.source_of(fact), sources)
        return f" On how it changed, the report says: {quoted}."

    def _this_years(self, fact: Fact, r: Reading) -> Fact:
        """For last year's figure ("Last year, 19% ..."), this year's in the sentence after
        it ("This year, that number is up to 26%"), which is stated with both; else ``fact``."""
        if not earlier_edition_fact(fact):
            return fact
        later = this_years(fact, r.ranked)
        return later.item if later is not None and refers_back(later.item.source) else fact

    def _years_within_reach(self, r: Reading) -> bool:
        """Whether a year the question names is one the report's "last year" can mean: a
        change stated against last year says nothing of "the 2014 survey" in a 2016 one."""
        asked = {int(f.value) for f in figures_of(r.text) if f.unit == "year"}
        if not asked:
            return True
        years = {self.knowledge.reports[rid].info.year for rid in r.report_ids}
        # the survey's year or one of the two before it (a report is often published the year
        # after its survey, whose "last year" is one more year back)
        reach = {y - back for y in years if y for back in (0, 1, 2)}
        return asked <= reach

    def _refuse(
        self,
        r: Reading,
        what: str,
        sources: Sources,
        about: ReportKnowledge | None = None,
    ) -> PartAnswer:
        text = f"The report does not say {what}."
        if about is not None:
            text += " " + overview.lead(about, sources)
        return PartAnswer(text, False, "not answered: the report does not cover this")


def _in_facet_words(question: str, facet: survey_facets.Facet) -> bool:
    """Whether a question uses a word of its facet's example questions or label, beyond the
    words every facet shares ("respondents", "survey")."""
    own = set(tokenize(" ".join((*facet.asks, facet.label)))) - GENERIC
    return bool(own & set(tokenize(question)))


# a capitalised word of a row label or a figure's subject, where it stands ("Linux", "macOS")
_CAPITALISED = re.compile(r"\b[A-Z][\w+#.-]*|\b[a-z]+[A-Z]\w*")

# The items of a list a sentence opens ("... were:") quoted with it, at most
_LIST_REACH = 8

# Two names counted together: "Germany and the United States", "Japan & South Korea"
_NAME = r"[A-Z][\w.'-]*(?:\s+[A-Z][\w.'-]*)*"
_JOINT = re.compile(rf"(?P<a>{_NAME})\s+(?:and|&)\s+(?:the\s+)?(?P<b>{_NAME})")

# "how many months is that?", "in days?": the unit a duration is asked in
_DURATION_ASKED = re.compile(
    r"\b(?:how\s+many|in|into|as)\s+(?P<a>minutes|hours|days|weeks|months|years)\b"
    r"|\b(?P<b>minutes|hours|days|weeks|months|years)\s+(?:is|was|would\s+be)\s+(?:that|it|this)\b",
    re.I,
)


def _duration_asked(text: str) -> str | None:
    m = _DURATION_ASKED.search(text)
    return (m.group("a") or m.group("b")).lower() if m else None


# a span of time said in words: "for many years to come", "over the coming months"
_SPAN_IN_WORDS = re.compile(r"\b(?:years?|months?|weeks?|days?|decades?)\b", re.I)

# "when", "which months", "what year": a point in time, not a duration ("how many months")
_WHEN = re.compile(r"\bwhen\b|\b(?:which|what)\s+(?:months?|dates?|years?|days?)\b", re.I)


def _asks_when(text: str) -> bool:
    return bool(_WHEN.search(text))


def _dates(text: str) -> set[str]:
    """The years and months a text names: a source that names one its fact leaves out
    ("from March 2021 to May 2021") answers "when" better than the fact."""
    years = {f.raw for f in figures_of(text) if f.unit == "year"}
    return years | (set(tokenize(text, keep_stopwords=True)) & MONTHS)


_ANTECEDENT_REACH = 3  # sentences back a run of "It ... It ..." is followed to its name
_PRONOUNS = frozenset(tokenize("it its they their this these those he she", keep_stopwords=True))


def _distinct(items: Sequence[FacetMatch], chosen: Sequence[FacetMatch]) -> list[FacetMatch]:
    """``items`` that state a sentence neither ``chosen`` nor an earlier item states."""
    said = {_sentence_of(m.item) for m in chosen}
    kept = []
    for m in items:
        if _sentence_of(m.item) not in said:
            said.add(_sentence_of(m.item))
            kept.append(m)
    return kept


def _sentence_of(item: Fact | Sentence) -> str:
    """The report sentence an item states: a fact's source, or the sentence itself."""
    return item.source if isinstance(item, Fact) else item.text


def _text_of(item: Fact | Sentence) -> str:
    return fact_document(item) if isinstance(item, Fact) else item.text


def _moved_otherwise(question: str, said: str) -> str:
    """ "It went down, not up. " when ``question`` says a figure moved one way ("why did X
    rise?") and ``said``, the sentence that answers it, moves its figure the other way
    ("Static typing - from 23% to 16%"); else nothing."""
    moved = moves(said, figures_of(said)) if way_asked(question) is not None else []
    if not moved:
        return ""
    was, now = moved[0]
    way = "up" if now.value > was.value else "down" if now.value < was.value else None
    contrary = _not_as_asked(question, way) if way is not None else ""
    return f"It went {way}, {contrary}. " if contrary else ""


def _not_as_asked(question: str, way: str) -> str:
    """ "not down" when ``question`` says a figure moved down and it moved ``way`` up; else
    nothing."""
    asked = way_asked(question)
    return f"not {asked}" if asked is not None and asked != way else ""


def _cites_only_what(lead: str, answer: str, sources: Sources) -> bool:
    """Whether ``answer`` cites nothing ``lead`` does not already cite (so it adds nothing)."""
    said = {id(item) for item in sources.marked(lead)}
    return all(id(item) in said for item in sources.marked(answer))


def _rankable(rows: Sequence[Fact]) -> bool:
    """Whether a table's rows can be ranked: two figures at least, not all the same."""
    return len({(f.value, f.unit) for f in rows}) >= 2


# The best sentences looked at for one that ranks an answer first in words
_SUPERLATIVE_REACH = 3


def _ranks_first(s: Sentence) -> bool:
    """Whether a sentence names what came first: "the most frequently used", "the top tool";
    not one that says what was asked ("we asked about their biggest challenge")."""
    words = set(tokenize(_OF_ALL.sub(" ", s.text), keep_stopwords=True))
    most = bool(words & TOPMOST) or ("most" in words and bool(words & COMMONNESS))
    return _quotable(s) and most and not asks_respondents(s.text)


# "Worst of all, ...", "best of all": a turn of phrase that ranks nothing the survey asked
_OF_ALL = re.compile(r"\b(?:worst|best|most|first|last)\s+of\s+all\b", re.I)


_BOUNDS = ("over", "under", "at_least", "at_most")
_RANK_CORRECTED = "the question's ranking is not the report's; corrected"
_NO_CUT_OFF = "The report gives no figure for the cut-off asked."
_ANOTHER_CUT_OFF = "not answered: the report states another cut-off"


def _other_bound(question: str, fact: Fact) -> Figure | None:
    """The cut-off a question asks ("more than 50 staff") when the figure found counts those past
    another cut-off of the same measure ("over 20 employees"), else None."""
    return _bound_apart(question, fact.subject or fact.row)


def _bound_apart(question: str, said_of: str) -> Figure | None:
    """The cut-off a question asks when ``said_of`` (what a figure counts, or a sentence)
    names only other cut-offs of the same measure, else None."""
    # a cut-off, or a band's end in a unit ("from 11 to 100 people"), against those the figure
    # found is of ("companies of 1000+ people")
    asked = _bounds(question)
    said = [f for f in figures_of(said_of) if f.qualifier in _BOUNDS and f.unit != "%"]
    if not asked or not said:
        return None
    stated = _bounds(said_of)  # the bands the words name, the band asked among them or not
    for a in asked:
        same_measure = [f for f in said if not a.unit or not f.unit or units_agree(a.unit, f.unit)]
        if same_measure and not any(close(a.value, f.value) for f in stated):
            return a
    return None


def _bounds(text: str) -> list[Figure]:
    """The cut-offs and band ends in a unit ``text`` names ("over 50 staff", "11 to 100
    people"); no shares, no years."""
    return [
        f
        for f in figures_of(text)
        if f.unit != "%" and (f.qualifier in _BOUNDS or f.unit not in ("", "year"))
    ]


def _states_units(item: Sentence | Fact | str, units: Sequence[str]) -> bool:
    """Whether ``item`` states a figure in one of ``units`` (any figure when there are none)."""
    text = item if isinstance(item, str) else _text_of(item)
    return any(not units or f.unit in units for f in figures_of(text))


def _quotable(s: Sentence) -> bool:
    """A sentence worth quoting: long enough, no question, and words outside brackets (a
    chart's "[PNG] [SVG] [Word cloud]" links are no sentence)."""
    words = re.findall(r"[^\W\d_]+", _BRACKETED.sub(" ", s.text))
    return len(s.text) >= 25 and not s.text.rstrip().endswith("?") and len(words) >= 3


_BRACKETED = re.compile(r"\[[^\]]*\]")


def _shifted(text: str, by: int) -> str:
    """``text`` with every citation marker moved up by ``by``."""
    return MARKER.sub(lambda m: f"[{int(m.group(1)) + by}]", text)


def _of(hits: Sequence[Hit], report_id: str) -> list[Hit]:
    return [h for h in hits if h.report == report_id]
