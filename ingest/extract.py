"""Figures found in the prose: every stated figure becomes a fact, with what it measures.

A report without hand-made tables still states its figures in sentences ("93% of respondents
were satisfied with the language", "Linux (96%)"). For each figure the rag.text.numbers parser
finds, the subject (the phrase it measures) is read from the clause around it by a few general
syntactic rules, in this order:

1. ``label (X%)`` or a list item / table row ``label: X%``: the noun phrase before it;
2. ``X% of <who> <verb phrase>``: the verb phrase ("were satisfied with the language");
3. ``X% <verb phrase>``: the rest of the clause ("saw losses of 50M to 100M");
4. otherwise the clause before the figure, minus the words that tie it ("rose to", "at").

List items and table rows under one heading or question form one table (one ``table`` id, the
question or heading as ``caption``). Hand-made rows (``tables/*.csv``) take precedence: a found
figure a hand row already states is dropped, and a hand row the extractor cannot find in its
sentence is reported as a warning.
"""

from __future__ import annotations

import bisect
import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from ingest.readers.base import Block
from ingest.sections import SEP
from rag.text.lexicon import (
    CHANGE_VERBS,
    CLAUSE_JOINS,
    GROUP_WORDS,
    ING_NOT_VERBS,
    LEAD_WORDS,
    LINK_WORDS,
    PHRASE_STOPS,
    POPULATION_WORDS,
    PREPOSITIONS,
    VERB_STARTS,
)
from rag.text.numbers import (
    IN_POINTS,
    Figure,
    close,
    extract_figures,
    format_figure,
    moved_from,
    moves,
    unit_named,
    units_agree,
)
from rag.text.sentences import asks_respondents, of_earlier_edition, refers_back
from rag.types import Fact, ReportInfo, Sentence

# Figures that measure something: a share, money, a count of a noun. Calendar years and bare
# numbers ("rated it 4", "Figure 2") are not results.
_MEASURED = frozenset({"%", "USD", "employees", "companies", "respondents", "users"})
_MEASURED |= {"years", "months", "weeks", "days", "hours", "minutes"}
# a full stop inside a word ("Node.js", "3.5") ends no clause
_CLAUSE_END = re.compile(r"[;:!?]|\.(?![\w])|,(?!\d{3})|\s[-–—]\s|\(|\)")
_WORD = re.compile(r"[^\s]+")
_LETTER = re.compile(r"[^\W\d_]")
_ASIDE = re.compile(r"\((?:\s*[A-Za-z][A-Za-z'’-]*){1,3}\s*\)")
_ARTICLES = frozenset({"the", "all", "our"})
_COPULAS = frozenset({"is", "are", "was", "were", "be", "been", "include", "includes", "included"})
_MAX_WORDS = 14
_TAIL_WORDS = 8


@dataclass(frozen=True)
class Found:
    """A figure in a sentence and the phrase it measures."""

    figure: Figure
    subject: str
    phrase: str  # what follows the figure, when a fact sentence can be "{figure} {phrase}"
    rule: str = "before"  # which rule found the subject: "label", "after", "prep" or "before"
    span: tuple[int, int] = (0, 0)  # where ``phrase`` lies in the sentence


def _words(text: str) -> list[str]:
    return _WORD.findall(text)


def _clean(word: str) -> str:
    return word.strip(".,;:!?\"'“”‘’()[]").lower()


def _clause_end(text: str) -> re.Match[str] | None:
    """Where the clause starting ``text`` ends; an aside of a few words without figures
    ("can write (only) simple programs") is read through."""
    at = 0
    while (stop := _CLAUSE_END.search(text, at)) is not None:
        aside = _ASIDE.match(text, stop.start()) if stop.group(0) == "(" else None
        if aside is None:
            return stop
        at = aside.end()
    return None


def clause_after(text: str) -> str:
    """The clause that starts ``text``: up to punctuation, or a join before another figure."""
    return _clause_after(text)[0]


def _clause_after(text: str) -> tuple[str, bool]:
    """The clause that starts ``text``, and whether it runs on past the words kept."""
    text = text.lstrip()
    stop = _clause_end(text)
    head = text[: stop.start()] if stop else text
    words = _words(head)
    out: list[str] = []
    for i, w in enumerate(words):
        if w in CLAUSE_JOINS and any(re.search(r"\d", x) for x in words[i + 1 : i + 4]):
            break
        if i and re.match(r"[$]?\d", w) and words[i - 1] in CLAUSE_JOINS:
            break
        out.append(w)
        if len(out) >= _MAX_WORDS:
            return " ".join(out).strip(" ,;:-–—"), i + 1 < len(words)
    return " ".join(out).strip(" ,;:-–—"), False


def clause_before(text: str) -> str:
    """The clause that ends ``text``: back to punctuation or a joining word."""
    cut = max((m.end() for m in _CLAUSE_END.finditer(text)), default=0)
    words = _words(text[cut:])
    out: list[str] = []
    for w in reversed(words):
        if w in CLAUSE_JOINS or re.search(r"\d", w):
            break
        out.append(w)
        if len(out) >= _TAIL_WORDS:
            break
    return " ".join(reversed(out)).strip(" ,;:-–—")


def _verbish(word: str) -> bool:
    w = _clean(word)
    # "-ed" marks a verb in a lower-case word only: "United States" is a name
    return w in VERB_STARTS or (len(w) > 4 and w.endswith("ed") and word[:1].islower())


def _strip_lead(phrase: str) -> str:
    """A label without the words that lead to it: "followed by macOS" -> "macOS"."""
    words = phrase.split()
    while len(words) > 1 and (_verbish(words[0]) or _clean(words[0]) in LINK_WORDS | LEAD_WORDS):
        words.pop(0)
    return " ".join(words)


def _after_copula(phrase: str) -> str:
    """A list item's label without the clause that introduces the list: "respondents continue
    to be VS Code" -> "VS Code" (the first item of "... be VS Code (44%) and GoLand (31%)")."""
    words = phrase.split()
    at = max((i for i, w in enumerate(words) if i and _clean(w) in _COPULAS), default=None)
    if at is None or at + 1 >= len(words) or not words[at + 1][:1].isupper():
        return phrase  # "Python is the most common language (33%)" keeps its name
    return " ".join(words[at + 1 :])


# what follows a list's first item: "Git (n = 362), Python (n = 289)", "Linux (61%) or macOS"
_NEXT_ITEM = re.compile(r"\s*(?:,\s*(?:and\s+|or\s+)?|and\s+|or\s+)[^,;()]{1,40}\(")


def _first_item(phrase: str) -> str:
    """The first item of a list without the clause that introduces it, as its next items are
    written: "respondents learned Git" -> "Git", "On the low end were spreadsheets" ->
    "spreadsheets", "respondents develop on Linux" -> "Linux"."""
    words = phrase.split()
    # a copula only where the list stands in the subject's place ("On the low end were X"):
    # "Python is the top language (33%), alongside Node.js" names Python's row in full
    inverted = bool(words) and _clean(words[0]) in PREPOSITIONS
    at = max(
        (
            i
            for i, w in enumerate(words[:-1])
            if i and (inverted if _clean(w) in _COPULAS else _verbish(w))
        ),
        default=None,
    )
    if at is None:
        return phrase
    rest = words[at + 1 :]
    while len(rest) > 1 and _clean(rest[0]) in PREPOSITIONS | {"to"}:
        rest = rest[1:]
    return " ".join(rest)


def _strip_links(phrase: str) -> str:
    words = phrase.split()
    while words and _clean(words[-1]) in LINK_WORDS:
        words.pop()
    while words and _clean(words[0]) in PREPOSITIONS | LEAD_WORDS | {"the", "a", "an"}:
        words.pop(0)
    return " ".join(words)


def subject_of(sentence: str, figure: Figure) -> Found:
    """The phrase ``figure`` measures in ``sentence`` (see the module docstring for the rules)."""
    before, after = sentence[: figure.start], sentence[figure.end :]
    before = _APPROXIMATELY.sub("", before) if re.search(r"\(", before[-12:]) else before
    # "half (48%) of respondents use": the clause goes on after a parenthesis
    if re.match(r"\s*\)", after):
        after = after[after.index(")") + 1 :]
    elif re.match(r"\s*\([^)]*\)", after):
        after = after[after.index(")") + 1 :]
    goes_on = re.match(r"\s*(?:of\s|\S+)", after)
    continues = bool(goes_on) and (
        goes_on.group(0).strip() == "of" or _verbish(goes_on.group(0).strip())  # type: ignore[union-attr]
    )
    # 1. "Linux (96%)", "Linux: 96%", "Linux – 96%"; "(n = 361)" always counts what precedes it
    if (re.search(r"\(\s*$", before) and (_sample_size(figure) or not continues)) or (
        re.search(r"[:–—-]\s*$", before) and not clause_after(after)
    ):
        label = _after_copula(_strip_lead(clause_before(re.sub(r"[(:–—-]\s*$", "", before))))
        if _NEXT_ITEM.match(after):
            label = _first_item(label)
        if _LETTER.search(label):  # a sign alone ("> 1,000 employees") labels nothing
            return Found(figure, label, "", "label")
    phrase, runs_on = _clause_after(after)
    if runs_on:
        # a clause longer than a phrase is cut mid-way ("said the source code of the project
        # they are working on"): it still names the row, but the whole sentence states it
        found = _after(figure, phrase, sentence, after, before)
        return Found(found.figure, found.subject, "", found.rule, found.span)
    return _after(figure, phrase, sentence, after, before)


def _after(figure: Figure, phrase: str, sentence: str, after: str, before: str) -> Found:
    """The subject of a figure from the clause after it, else the one before it."""
    at = sentence.find(phrase, len(sentence) - len(after)) if phrase else -1
    span = (at, at + len(phrase)) if at >= 0 else (0, 0)
    words = phrase.split()
    if words and figure.unit not in ("%", "") and _is_unit_word(words[0], figure.unit):
        # "10,000 employees", "1 billion USD": the unit word belongs to the figure
        words = words[1:]
        rest_at = phrase.find(words[0]) if words else len(phrase)
        phrase, span = phrase[rest_at:], (span[0] + rest_at, span[1])
    first = _clean(words[0]) if words else ""
    if first == "of":
        rest = words[1:]
        # a verb of the list first: "people surveyed wanted" has its verb at "wanted"
        verb = next((i for i, w in enumerate(rest[:6]) if i and _clean(w) in VERB_STARTS), None)
        if verb is None:
            verb = next((i for i, w in enumerate(rest[:6]) if i and _verbish(w)), None)
            if verb is not None and verb == len(rest) - 1:
                verb = None  # "of the companies surveyed": a noun phrase, not a verb phrase
        if verb is not None:
            return Found(figure, " ".join(rest[verb:]), phrase, "after", span)
        who = [w for w in rest if _clean(w) not in {"the", "all", "our", "those"}]
        if who and not (len(who) == 1 and _clean(who[0]) in POPULATION_WORDS):
            return Found(figure, " ".join(who), phrase, "after", span)
    elif words and (
        _verbish(words[0])
        or (figure.unit == "%" and _participle(words[0]))
        or (first == "to" and len(words) > 1)
    ):
        return Found(figure, " ".join(words), phrase, "after", span)
    elif first in PREPOSITIONS and len(words) > 1:
        cut = next((i for i, w in enumerate(words) if i and _clean(w) in PHRASE_STOPS), None)
        return Found(figure, " ".join(words[:cut][:5]), "", "prep", span)
    tail = _strip_links(clause_before(before))
    if not tail:
        # "similar to last year, around 92%": the clause before the figure's own says what
        cut = max((m.start() for m in _CLAUSE_END.finditer(before.rstrip())), default=-1)
        if cut > 0:
            tail = _strip_links(clause_before(before[:cut]))
    if tail and not (len(tail.split()) == 1 and _verbish_tail(tail)):
        return Found(figure, tail, "", "before")
    if first == "of" and all(_clean(w) in POPULATION_WORDS | _ARTICLES for w in words[1:]):
        return Found(figure, "", "", "before")  # "half of respondents, ...": measures nothing
    return Found(figure, " ".join(words), phrase if words else "", "after" if words else "before")


def _participle(word: str) -> bool:
    """A lower-case "-ing" word right after a figure starts what it measures: "66% using it at
    work" (a preposition such as "during" does not)."""
    w = _clean(word)
    return word[:1].islower() and len(w) > 4 and w.endswith("ing") and w not in ING_NOT_VERBS


def _verbish_tail(word: str) -> bool:
    """A lone verb before a figure ("resulting in 4,005 responses") names nothing it counts."""
    w = _clean(word)
    return _verbish(word) or (len(w) > 5 and w.endswith("ing"))


def _restated(sentence: str, figure: Figure, figures: Sequence[Figure]) -> Figure | None:
    """The bracketed figure that restates a figure in words in its clause: "half (47%)", "About
    half of respondents use gRPC (47%)". The bracketed one is the result; the words round it."""
    if not figure.raw[:1].isalpha() or _sample_size(figure):
        return None
    stop = re.search(r"[.;!?]|,(?!\d{3})", sentence[figure.end :])
    end = figure.end + (stop.start() if stop else len(sentence) - figure.end)
    return next(
        (
            g
            for g in figures
            if g is not figure
            and figure.end <= g.start < end + 2
            and g.unit == figure.unit
            and re.search(r"\(\s*$", sentence[: g.start])
        ),
        None,
    )


def _unit_from_afar(sentence: str, figure: Figure) -> bool:
    """A count whose unit noun lies past a clause end ("in 2023; among respondents")."""
    if figure.unit in ("%", "USD") or _sample_size(figure):  # "(n = 362)" names its unit
        return False
    return bool(re.match(r"\s*[;:,.)\]]", sentence[figure.end :]))


def _sample_size(figure: Figure) -> bool:
    """A count written "n = 362": of the respondents the words before it name."""
    return re.match(r"[nN]\s*=", figure.raw) is not None


def _is_unit_word(word: str, unit: str) -> bool:
    """``word`` names ``unit`` ("businesses" for companies, "USD" for money)."""
    return unit_named(_clean(word)) == unit


def found_figures(sentence: str) -> list[Found]:
    """Every measured figure of ``sentence`` with its subject.

    A figure inside another figure's phrase ("20% saw losses of $50M to $100M") describes that
    figure's subject; it is not a result of its own.
    """
    figures = [
        f
        for f in extract_figures(sentence)
        if (f.unit in _MEASURED and not _unit_from_afar(sentence, f))
        or (not f.unit and IN_POINTS.match(sentence, f.end))  # a change in points is a result
    ]
    # "Docs - from 25% to 22%", "went from 45% to 34%": the figure it moved to is this
    # edition's result, of the words before "from"; the last edition's figure beside this
    # one's ("76%, up from 71% last year") is no result
    pairs = moves(sentence, figures)
    earlier = {id(before) for before, _ in pairs}
    moves_to = {id(now): before for before, now in pairs if before.start < now.start}
    found = []
    for f in figures:
        if id(f) in earlier:
            continue
        exact = _restated(sentence, f, figures)
        if exact is None:
            moved = moves_to.get(id(f))
            found.append(_moved_to(sentence, moved, f) if moved else subject_of(sentence, f))
    # "about half of teams use gRPC (47%)": the bracketed figure takes the words' subject
    for f in figures:
        exact = _restated(sentence, f, figures)
        if exact is not None:
            # "half of Clojure users (49%) had 11 or more years": the clause goes on past the
            # bracket, which lies after the words' figure
            opened, closed = sentence.rfind("(", 0, exact.start), sentence.find(")", exact.end)
            read = sentence
            if f.end <= opened and closed > 0:
                read = sentence[:opened].rstrip() + sentence[closed + 1 :]
            words = subject_of(read, f)
            if words.rule == "after" and words.subject:
                found = [
                    Found(exact, words.subject, words.phrase, "after", words.span)
                    if x.figure is exact
                    else x
                    for x in found
                ]
    # a sign alone ("companies with > 1,000 employees") names nothing the figure measures
    found = [g if _LETTER.search(g.subject) else replace(g, subject="") for g in found]
    return [
        g
        for g in found
        if not any(
            f is not g and f.span[0] <= g.figure.start and g.figure.end <= f.span[1]
            for f in found
            if f.rule == "after"
        )
    ]


# "engineering manager (ca. 7%)": a word of approximation between a label and its figure
_APPROXIMATELY = re.compile(
    r"\b(?:ca|c|approx|circa|about|around|approximately|roughly|nearly|almost)\.?\s*$|~\s*$",
    re.I,
)


def _moved_to(sentence: str, start: Figure, end: Figure) -> Found:
    """The subject of a figure that moved "from ``start`` to ``end``": the words before "from"
    ("Docs -", '"Using REPLs" went', "boot made advances this year, moving"), without the verb
    of moving; else what the figure's own words give."""
    head = re.sub(r"[\s:–—-]+$", "", sentence[: moved_from(sentence, start)])
    words = _words(head)
    while words and (_clean(words[-1]) in MOVING or _clean(words[-1]) in CHANGE_VERBS):
        words.pop()
    label = _after_copula(_strip_lead(clause_before(" ".join(words))))
    if _LETTER.search(label):
        return Found(end, label.strip('"“” '), "", "label")
    return subject_of(sentence, end)


MOVING = frozenset({"went", "moved", "moving", "go", "goes", "going", "changed", "shifted"})


def _fact_id(report: str, start: int, figure: Figure, subject: str) -> str:
    key = f"text/{report}/{start + figure.start}/{figure.value!r}/{figure.unit}/{subject}"
    return hashlib.sha256(key.encode()).hexdigest()[:16]


def _leaf(section: str) -> str:
    return section.rsplit(SEP, 1)[-1]


def _narrowed(sentence: str, figure: Figure) -> bool:
    """Whether the words before ``figure`` in its clause say whom it counts ("among new users,
    82% ..."): then only the whole sentence states the figure truly."""
    clause = re.split(r"[;:!?]|\.(?!\d)", sentence[: figure.start])[-1]
    return any(_clean(w) in GROUP_WORDS for w in clause.split())


def _fact_text(
    found: Found, sentence: Sentence, report: ReportInfo, before: Sentence | None = None
) -> str:
    """ "{figure} {phrase}" or "{label}: {figure}" when that reads on its own, else the sentence."""
    where = f"({report.short or report.title or report.id}, {_leaf(sentence.section)})"
    f = found.figure
    figure = format_figure(f.value, f.unit, f.qualifier)
    alone = found.rule == "after" and found.phrase and not extract_figures(found.phrase)
    # a figure narrowed to a group or put in an earlier edition reads truly only in its
    # sentence; one of "that number" only with the sentence before, which names it
    if before is not None and refers_back(sentence.text, f.start):
        return f"{before.text.rstrip()} {sentence.text.rstrip()} {where}"
    if of_earlier_edition(sentence.text, f.start):
        return f"{sentence.text.rstrip()} {where}"
    if alone and not _narrowed(sentence.text, f):
        body = f"{figure} {found.phrase}".rstrip(" .")
        return f"{body[:1].upper()}{body[1:]} {where}."
    if found.rule == "label" and len(sentence.text) < 120:
        return f"{found.subject}: {figure} {where}."
    return f"{sentence.text.rstrip()} {where}"


def _block_at(blocks: Sequence[Block], starts: Sequence[int], pos: int) -> int | None:
    """The index of the block holding plain offset ``pos`` (blocks are in text order and do
    not overlap), else None."""
    i = bisect.bisect_right(starts, pos) - 1
    return i if i >= 0 and blocks[i].start <= pos < blocks[i].end else None


def _table_of(sentence: Sentence, blocks: Sequence[Block], i: int, text: str) -> tuple[str, str]:
    """The (table id, caption) of the list item or table row sentence in ``blocks[i]``."""
    b = blocks[i]
    first = i
    while (
        first > 0
        and blocks[first - 1].group == b.group
        and blocks[first - 1].kind in ("item", "row", "header")
    ):
        first -= 1
    caption = _leaf(sentence.section)
    if first > 0 and blocks[first - 1].kind in ("paragraph", "header"):
        lead = text[blocks[first - 1].start : blocks[first - 1].end].strip()
        if lead.endswith(("?", ":")) and len(lead) < 300:
            caption = lead.rstrip(":").strip()
    return f"list-{b.group}", caption


def _asked(before: Sentence, sentence: Sentence) -> bool:
    """Whether ``before`` asks the question whose answers ``sentence`` states."""
    if before.section != sentence.section or found_figures(before.text):
        return False
    return asks_respondents(before.text)


# a table column that holds shares or counts of respondents, by its header
_SHARE_COLUMNS = frozenset({"%", "percent", "percentage", "share", "pct", "proportion"})
_COUNT_COLUMNS = frozenset({"n", "#", "count", "number", "total", "frequency", "freq"})
# "11 950": a number grouped in thousands by spaces, as tables often print them
_SPACED_THOUSANDS = re.compile(r"\d{1,3}(?:[ \u00a0\u202f]\d{3})+")


def _column_unit(header: str) -> str:
    """The unit a table column's header gives its cells ("%", "n"), else ""."""
    name = header.strip().lower()
    if name in _SHARE_COLUMNS:
        return "%"
    if name in _COUNT_COLUMNS:
        return "respondents"
    words = name.split()
    return (unit_named(words[-1]) or "") if words else ""


def _cell_figure(cell: str) -> Figure | None:
    """The one figure a table cell holds ("26.7", "77.4%", "11 950"), else None."""
    body = cell.strip()
    if _SPACED_THOUSANDS.fullmatch(body):
        value = float(re.sub(r"\D", "", body))
        return Figure(value, "", "exact", 0, len(body), body)
    found = extract_figures(body)
    if len(found) != 1 or found[0].unit == "year" or len(body) > len(found[0].raw) + 3:
        return None
    return found[0]


def _row_cells(sentence: Sentence, header: Block, text: str) -> list[Found] | None:
    """The figures of a table row under ``header`` ("Life Sciences: 166; 26.7" under "Field,
    n, %"), each with the unit and name its column gives; None when it is not "label: cells"."""
    label, sep, rest = sentence.text.partition(": ")
    if not sep:
        return None
    columns = [c.strip() for c in text[header.start : header.end].split(",")]
    if not columns[0]:
        return []  # a cross-tabulation (rows by columns, no corner name): no one figure a cell
    at = len(label) + len(sep)  # where the cells start in the sentence
    label = label.strip().rstrip(".")
    out: list[Found] = []
    for j, cell in enumerate(rest.split("; ")):
        column = columns[j + 1] if j + 1 < len(columns) else ""
        figure = _cell_figure(cell)
        if figure is not None:
            lead = len(cell) - len(cell.lstrip())
            unit = figure.unit or _column_unit(column)
            figure = Figure(
                figure.value,
                unit,
                figure.qualifier,
                at + lead + figure.start,
                at + lead + figure.end,
                figure.raw,
            )
            # a column of shares or counts measures the row itself; another names the measure
            named = not column or _column_unit(column) in ("%", "respondents")
            subject = label if named else f"{column} ({label})"
            out.append(Found(figure, subject, "", "label"))
        at += len(cell) + 2
    return out


def extract_facts(
    report: ReportInfo, text: str, sentences: Sequence[Sentence], blocks: Sequence[Block] = ()
) -> list[Fact]:
    """Facts for every measured figure of ``sentences`` (offsets in ``text``, its plain text)."""
    facts: list[Fact] = []
    seen: set[str] = set()
    starts = [b.start for b in blocks]
    headers: dict[int, Block] = {}
    for b in blocks:
        if b.kind == "header":
            headers.setdefault(b.group, b)
    for n, sentence in enumerate(sentences):
        i = _block_at(blocks, starts, sentence.start)
        block = blocks[i] if i is not None else None
        listed = block is not None and block.kind in ("item", "row")
        table = _table_of(sentence, blocks, i, text) if listed and i is not None else None
        if table is None and n > 0 and _asked(sentences[n - 1], sentence):
            # "We asked whether X. 74% said no, 16% yes": the question is the caption
            table = (f"text-{n}", sentences[n - 1].text.strip())
        header = headers.get(block.group) if block is not None and block.kind == "row" else None
        cells = _row_cells(sentence, header, text) if header is not None else None
        before = sentences[n - 1] if n > 0 else None
        previous = before if before is not None and before.section == sentence.section else None
        for found in cells if cells is not None else found_figures(sentence.text):
            fid = _fact_id(report.id, sentence.start, found.figure, found.subject)
            if fid in seen:
                continue
            seen.add(fid)
            table_id, caption = table or (f"text-{n}", _leaf(sentence.section) or report.title)
            facts.append(
                Fact(
                    id=fid,
                    report=report.id,
                    table=table_id,
                    caption=caption,
                    row=found.subject or found.figure.raw,
                    value=found.figure.value,
                    unit=found.figure.unit,
                    qualifier=found.figure.qualifier,
                    section=sentence.section,
                    text=_fact_text(found, sentence, report, previous),
                    source=sentence.text,
                    start=sentence.start,
                    end=sentence.end,
                    origin="text",
                    subject=found.subject,
                )
            )
    return facts


def merge_facts(hand: Sequence[Fact], found: Sequence[Fact]) -> tuple[list[Fact], list[str]]:
    """Hand facts, plus found facts no hand fact states; and a warning per unconfirmed hand row.

    A found fact is a duplicate when a hand fact has the same value and unit and its source
    sentence overlaps the found fact's sentence.
    """

    def same(h: Fact, f: Fact) -> bool:
        overlap = h.start < f.end and f.start < h.end
        return overlap and close(h.value, f.value) and units_agree(h.unit, f.unit)

    kept = [f for f in found if not any(same(h, f) for h in hand)]
    warnings = [
        f"tables/{h.table}.csv row {h.row!r}: the extractor did not find {h.value:g} {h.unit}"
        " in its source sentence: check the row"
        for h in hand
        if not any(same(h, f) for f in found)
    ]
    return [*hand, *kept], warnings
