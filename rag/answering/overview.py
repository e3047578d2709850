"""What users ask first: an overview, the conclusion, advice, the stressed finding, a section,
and who ran the survey and how. Written from the digest ingest built for each report.

An overview is a one-sentence lead and three to six bullets, each a figure or a short quote
with its citation. About-the-survey answers quote the sentences that state it and add the
report's metadata (report.toml or front matter) cited as "About this report".
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from rag.answering.knowledge import Knowledge, ReportKnowledge, figures_of
from rag.answering.sources import AboutNote, Sources
from rag.answering.writers import capital, fact_sentence, marks, quote
from rag.text.lexicon import (
    ABOUT_THE_TEXT,
    BACK_MATTER_HEADINGS,
    CONCLUDING,
    CONCLUSION_HEADINGS,
    EMPHASIS_ASKED,
    EMPHASIS_KINDS,
    FUTURE_ASKED,
    GENERIC,
    NEXT_ASKED,
    OVERVIEW_CUES,
    SECTION_WORDS,
    SUMMARY_HEADINGS,
    WE_WILL,
    affirmed,
    denied,
)
from rag.text.sentences import signposts
from rag.text.tokens import tokenize
from rag.types import Fact, Sentence

HEADLINES = 4
MAX_BULLETS = 6
SECTION_FIGURES = 5  # figures a section's digest states, one a sentence, headlines first
# Two sentences of one paragraph or list item are apart by a space or a line break; a list
# marker or a blank line between them starts a new item.
_ITEM_GAP = 2
_FIRST = frozenset(
    tokenize("first opening beginning start intro introduction", keep_stopwords=True)
)
_LAST = frozenset(tokenize("last final closing end ending conclusion", keep_stopwords=True))


def _sentences(report: ReportKnowledge, spans: Sequence[Sequence[int]]) -> list[Sentence]:
    out = []
    for start, _ in spans:
        s = report.sentence_at(start)
        if s is not None and s not in out:
            out.append(s)
    return out


def _headline_facts(report: ReportKnowledge, n: int) -> list[Fact]:
    ids = report.digest.get("headlines") or [f.id for f in report.facts]
    return [report.by_id[i] for i in ids if i in report.by_id][:n]


def bullet_fact(fact: Fact, report: ReportKnowledge, sources: Sources) -> str:
    n = marks(sources.cite(fact), sources.cite(report.source_of(fact)))
    return f"- {capital(fact_sentence(fact))} {n}"


def lead(report: ReportKnowledge, sources: Sources) -> str:
    """'<title>, by <publisher> (<year>), <who was surveyed>.' cited as About this report."""
    info = report.info
    who = info.surveyed.split(";")[0].strip().rstrip(".")
    bits = [info.title]
    if info.publisher:
        bits.append(f"by {info.publisher}")
    text = ", ".join(bits) + (f" ({info.year})" if info.year else "")
    if who:
        text += f": a survey of {who}"
    n = sources.cite(AboutNote(info.id, text))
    return f"{text} [{n}]."


def summary_section(report: ReportKnowledge) -> str | None:
    """The section under which the report summarises itself ("tl;dr", "Key findings")."""
    for s in report.sections:
        leaf = re.split(r"\s›\s", s.title)[-1].lower()
        if any(re.search(rf"(?<!\w){re.escape(h)}(?!\w)", leaf) for h in SUMMARY_HEADINGS):
            return s.title
    return None


def _items(sentences: Sequence[Sentence]) -> list[list[Sentence]]:
    """Sentences grouped into the paragraphs or list items they stand in."""
    items: list[list[Sentence]] = []
    for s in sentences:
        if items and s.start - items[-1][-1].end <= _ITEM_GAP:
            items[-1].append(s)
        else:
            items.append([s])
    return items


def _summary_bullets(
    report: ReportKnowledge, title: str, sources: Sources, limit: int = MAX_BULLETS
) -> list[str]:
    """One bullet per item of the report's own summary: the item's first sentence that
    states a figure, else its first sentence, in the report's words."""
    bullets: list[str] = []
    items = _items(report.in_section(title))
    if len(items) == 1:  # a summary told in one paragraph: a bullet for each of its sentences
        items = [[s] for s in items[0]]
    for item in items:
        usable = [s for s in item if not s.text.rstrip().endswith("?")]
        if not usable:
            continue
        if len(bullets) == limit:
            break  # before citing: a source is cited only where the answer shows it
        stated = [s for s in usable if figures_of(s.text)]
        bullets.append(f"- {quote((stated or usable)[0], sources)}")
    return bullets


def bullets_asked(text: str) -> int:
    """How many bullets a question asks for ("three takeaways", "5 bullet points"), within
    what an overview gives; all of them when it names no number."""
    for token in tokenize(text, keep_stopwords=True):
        n = int(token) if token.isdigit() else _COUNTS.get(token, 0)
        if 1 <= n <= MAX_BULLETS:
            return n
    return MAX_BULLETS


# "in one sentence", "three takeaways": the number words an overview can be asked in
_COUNTS = {"one": 1, "single": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6}


def overview(report: ReportKnowledge, sources: Sources, limit: int = MAX_BULLETS) -> str:
    """The report's key findings: a lead, then its own summary where it has one, else
    headline figures and its central conclusion; at most ``limit`` bullets."""
    lines = [lead(report, sources)]
    summary = summary_section(report)
    if summary is not None:
        bullets = _summary_bullets(report, summary, sources, limit)
        if len(bullets) >= min(2, limit):
            leaf = re.split(r"\s›\s", summary)[-1]
            return "\n".join([*lines, f"Its own summary (“{leaf}”):", *bullets])
    facts = _headline_facts(report, min(HEADLINES, limit))
    lines += [bullet_fact(f, report, sources) for f in facts]
    cited = {f.source for f in facts}
    closing = [s for s in _conclusion_sentences(report) if s.text not in cited]
    lines += [f"- {quote(s, sources)}" for s in closing[: min(1, limit - len(facts))]]
    if len(lines) == 1:
        central = _sentences(report, report.digest.get("central", []))[: min(4, limit)]
        lines += [f"- {quote(s, sources)}" for s in central]
    return "\n".join(lines)


def _concludes(text: str) -> bool:
    """Whether a sentence draws a conclusion: a concluding phrase ("in short"), or a short
    framing clause before a colon and the claim after it ("One thing is clear: ...")."""
    lowered = text.lower()
    if any(cue in lowered for cue in CONCLUDING):
        return True
    head, colon, claim = text.partition(": ")
    # a framing clause no longer than the claim it frames, and no figures (not a list of them)
    return bool(colon) and len(head.split()) <= len(claim.split()) and not figures_of(text)


def _conclusion_sentences(report: ReportKnowledge) -> list[Sentence]:
    """The closing section's own conclusion ("All of this points to one thing: ..."), its
    opening sentence, then its most central ones."""
    last = _closing_section(report)
    if last is None:
        return []
    digests = report.digest.get("sections", {})
    spans = [
        sp for t, found in digests.items() if t == last or t.startswith(f"{last} ›") for sp in found
    ]
    inside = report.in_section(last)
    drawn = [s for s in inside if _concludes(s.text)][:1]
    opening = [s for s in _opening(report, last) if s not in drawn]
    lead = drawn + opening
    return lead + [s for s in _sentences(report, spans) if s not in lead]


def _closing_section(report: ReportKnowledge) -> str | None:
    """The section the report concludes in: the last one titled as a conclusion ("Summary",
    "Final thoughts") after its opening, else its last top-level section of findings."""
    says = [s.title for s in report.sections if _says_something(report, s.title)]
    titled = [t for t in says[1:] if _headed(t, CONCLUSION_HEADINGS)]
    return titled[-1] if titled else _last_top_section(report)


def _last_top_section(report: ReportKnowledge) -> str | None:
    """The last top-level section of findings: back matter (acknowledgements, "About us",
    "Learn more", the method) closes a report but concludes nothing."""
    tops = _top_sections(report)
    if len(tops) < 2:
        return None
    # a section of questions alone (a list of what was asked) draws no conclusion either
    findings = [t for t in tops if not _back_matter(t) and _opening(report, t)]
    return (findings or tops)[-1]


def _top_sections(report: ReportKnowledge) -> list[str]:
    """The top-level sections in order; one with sections inside it is known by their titles
    ("Results › Tools")."""
    return list(dict.fromkeys(re.split(r"\s›\s", s.title)[0] for s in report.sections))


def _says_something(report: ReportKnowledge, title: str) -> bool:
    """Whether a section holds a sentence of substance or a figure."""
    return bool(_opening(report, title)) or any(f.section.startswith(title) for f in report.facts)


def _back_matter(title: str) -> bool:
    return _headed(title, BACK_MATTER_HEADINGS)


def _headed(title: str, headings: Sequence[str]) -> bool:
    """Whether a section's own heading opens with one of ``headings``."""
    leaf = re.split(r"\s›\s", title)[-1].lower().strip()
    return any(re.match(rf"{re.escape(h)}(?!\w)", leaf) for h in headings)


def conclusion(report: ReportKnowledge, sources: Sources, question: str = "") -> str:
    """The central sentences of the report's closing section; for a question about the
    future ("what does it predict?"), what the report expects, wherever it says so."""
    if set(tokenize(question, keep_stopwords=True)) & FUTURE_ASKED:
        expected = _sentences(report, report.digest.get("outlook", []))
        if expected:
            # the closing section's own bottom line ("All of this points to one thing: ...")
            # first: where the report says its findings lead
            last = _closing_section(report)
            drawn = [s for s in report.in_section(last) if _concludes(s.text)][:1] if last else []
            expected = [*drawn, *(s for s in expected if s not in drawn)][:MAX_OUTLOOK]
            body = "\n".join(f"- {quote(s, sources)}" for s in expected)
            return f"What the report expects:\n{body}"
    found = _conclusion_sentences(report)[:3]
    last = _closing_section(report) or "the report"
    if not found:
        found = _sentences(report, report.digest.get("central", []))[:3]
        last = "the report"
    body = "\n".join(f"- {quote(s, sources)}" for s in found)
    return f"The report closes ({last}) with:\n{body}"


MAX_PLANS = 4  # the authors' own next steps shown


def asks_next(text: str) -> bool:
    """Whether a question asks what the report's authors will do next ("what are the next
    steps?", "any plans for next year?")."""
    return NEXT_ASKED.search(text) is not None


def next_steps(report: ReportKnowledge, sources: Sources) -> str | None:
    """What the report's authors say they will do ("We will revisit this data ...", "next
    year, we'll be adding ..."), in text order; None when they say nothing of it."""
    planned = [
        s
        for s in report.sentences
        if WE_WILL.search(s.text) and not ABOUT_THE_TEXT.search(s.text) and not signposts(s.text)
    ][:MAX_PLANS]
    if not planned:
        return None
    body = "\n".join(f"- {quote(s, sources)}" for s in planned)
    return f"What the report says its authors will do next:\n{body}"


def recommendation(report: ReportKnowledge, sources: Sources) -> str:
    """The report's own advice sentences, or a plain statement that it gives none."""
    advice = _sentences(report, report.digest.get("advice", []))[:4]
    if advice:
        body = "\n".join(f"- {quote(s, sources)}" for s in advice)
        # what it expects is the ground its advice stands on, and the advice a report that
        # forecasts ("expect more firms to buy rather than build") gives between the lines
        expected = [
            s for s in _sentences(report, report.digest.get("outlook", [])) if s not in advice
        ][:OUTLOOK_BESIDE_ADVICE]
        if expected:
            body += "\nWhat it expects:\n" + "\n".join(f"- {quote(s, sources)}" for s in expected)
        return f"What the report advises:\n{body}"
    expected = _sentences(report, report.digest.get("outlook", []))[:OUTLOOK_BESIDE_ADVICE]
    text = "The report makes no explicit recommendation."
    if expected:
        body = "\n".join(f"- {quote(s, sources)}" for s in expected)
        return f"{text} What it expects:\n{body}"
    closing = _conclusion_sentences(report)[:2]
    if closing:
        body = "\n".join(f"- {quote(s, sources)}" for s in closing)
        text += f" Its closing expectations are:\n{body}"
    return text


MAX_STRESSED = 3  # findings shown when the question asks for a kind of stress
MAX_OUTLOOK = 4  # expectations shown for a question about the future
OUTLOOK_BESIDE_ADVICE = 2


def emphasis(report: ReportKnowledge, text: str, knowledge: Knowledge, sources: Sources) -> str:
    """The finding the report itself stresses, with its figure when it states one; every
    finding it stresses in the way asked ("what surprised them?"), when the question asks."""
    stressed = _sentences(report, report.digest.get("emphasis", []))
    if not stressed:
        return overview(report, sources)
    asked = set(tokenize(text, keep_stopwords=True))
    kinds = [EMPHASIS_KINDS[kind] for kind, words in EMPHASIS_ASKED.items() if asked & words]
    # the digest keeps the most stressed sentences; a kind asked is looked for in them all
    of_kind = [
        s
        for s in (report.sentences if kinds else [])
        if not s.text.rstrip().endswith("?") and any(affirmed(s.text, words) for words in kinds)
    ]
    # "perhaps unsurprisingly, ..." is stressed (by "concern") but is not what surprised them
    pool = [s for s in of_kind or stressed if not any(denied(s.text, w) for w in kinds)]
    pool = pool or of_kind or stressed
    vector = knowledge.vector(text)
    ids = {(s.start, s.end) for s in pool}
    ranked = knowledge.rank_sentences(
        text, vector, [report.info.id], within=lambda s: (s.start, s.end) in ids
    )
    findings = [r.item for r in ranked] or pool
    findings = findings[:MAX_STRESSED] if of_kind else findings[:1]
    if len(findings) == 1:
        best = findings[0]
        lines = [f"The report stresses this finding: {quote(best, sources)}."]
        lines += [bullet_fact(f, report, sources) for f in _facts_near(report, best)]
        return "\n".join(lines)
    lines = ["The report stresses:"]
    for best in findings:
        lines.append(f"- {quote(best, sources)}")
        lines += [f"  {bullet_fact(f, report, sources)}" for f in _facts_near(report, best)]
    return "\n".join(lines)


def _facts_near(report: ReportKnowledge, sentence: Sentence) -> list[Fact]:
    """The facts of a sentence and its neighbours, the figures a stressed finding rests on."""
    window = report.neighbours(sentence, before=1, after=1)
    return [f for f in report.facts if any(w.start <= f.start < w.end for w in window)][:3]


def find_section(report: ReportKnowledge, text: str, knowledge: Knowledge) -> str | None:
    """The section a question names, by position ("the last section") or by meaning."""
    placed = section_at(report, text)
    if placed is not None:
        return placed
    terms = knowledge.terms(text)
    best: tuple[float, str] | None = None
    for s in report.sections:
        leaf = re.split(r"\s›\s", s.title)[-1]
        cov = knowledge.coverage(terms, frozenset(tokenize(leaf)))
        if cov > 0 and (best is None or cov > best[0]):
            best = (cov, s.title)
    if best is not None:
        return best[1]
    return None


def section_at(report: ReportKnowledge, text: str) -> str | None:
    """The section a question names by position ("the first section", "the final part"),
    among those that say something (a title heading alone does not)."""
    words = set(tokenize(text, keep_stopwords=True))
    tops = [t for t in _top_sections(report) if _says_something(report, t)]
    if words & _LAST and tops:
        return tops[-1]
    if words & _FIRST and tops:
        return tops[0]
    return None


def topic_section(report: ReportKnowledge, text: str, knowledge: Knowledge) -> str | None:
    """The section an overview asked of one topic is about ("what did the report find about
    pricing?": "Pricing and plans"): every word of the topic in its title."""
    topic = [
        t
        for t in knowledge.terms(text)
        if t not in OVERVIEW_CUES["overview"] and t not in GENERIC and t not in SECTION_WORDS
    ]
    if not topic:
        return None
    for s in report.sections:
        leaf = frozenset(tokenize(re.split(r"\s›\s", s.title)[-1]))
        if all(knowledge.covers(t, leaf) for t in topic) and _says_something(report, s.title):
            return s.title
    return None


def named_section(report: ReportKnowledge, text: str, knowledge: Knowledge) -> str | None:
    """The section whose title the question spells out in full ("the Demography part")."""
    words = frozenset(tokenize(text))
    if not set(tokenize(text, keep_stopwords=True)) & SECTION_WORDS:
        return None
    found = None
    for s in report.sections:
        leaf = re.split(r"\s›\s", s.title)[-1]
        terms = [t for t in tokenize(leaf) if t not in GENERIC]
        if terms and all(knowledge.covers(t, words) for t in terms):
            if found is None or len(s.title) > len(found):
                found = s.title
    return found


def _opening(report: ReportKnowledge, title: str) -> list[Sentence]:
    """The first sentence of a section that says something: its topic sentence."""
    inside = report.in_section(title)
    said = [s for s in inside if len(s.text) >= 40 and not s.text.rstrip().endswith("?")]
    return [s for s in said if not signposts(s.text)][:1]


def section(report: ReportKnowledge, title: str, sources: Sources) -> str:
    """A section's digest: its opening sentence, its figures, the conclusion it draws and its
    most central sentences."""
    inside = [s for s in report.sections if s.title == title or s.parent == title]
    spans = [sp for s in inside for sp in report.digest.get("sections", {}).get(s.title, [])]
    # its opening, the conclusion it draws if it draws one, then its most central sentences
    lead = _opening(report, title)
    lead += [s for s in report.in_section(title) if _concludes(s.text) and s not in lead][:1]
    facts = [f for f in report.facts if f.section == title or f.section.startswith(title)]
    headline_ids = report.digest.get("headlines", [])
    facts.sort(key=lambda f: headline_ids.index(f.id) if f.id in headline_ids else 99)

    # one point a sentence: a list of ten countries is one point of the section, not ten;
    # a sentence with several figures of a hand-made table ("builds took 4 minutes at the
    # median and 9 at the 90th percentile") is quoted once, whole, where each figure stated
    # alone would repeat it
    points: dict[str, list[Fact]] = {}
    for f in facts:
        if f.source in points or len(points) < SECTION_FIGURES:
            points.setdefault(f.source, []).append(f)
    lines = [f"The section “{title}” says:"]
    for said in points.values():
        tables = [f for f in said if f.origin == "table"]
        if len(tables) > 1:
            lines.append(f"- {quote(report.source_of(tables[0]), sources)}")
        else:
            lines.append(bullet_fact(said[0], report, sources))
    cited = set(points)
    # three central sentences besides the opening and the figures already quoted
    central = [s for s in _sentences(report, spans) if s not in lead and s.text not in cited]
    lines += [f"- {quote(s, sources)}" for s in lead + central[:3] if s.text not in cited]
    return "\n".join(lines)
