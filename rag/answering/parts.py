"""Splitting a question into the questions inside it, and a two-sided question into its sides.

Pure string work over closed-class English (question words, "and", "than", "for every"), so
it holds for any report. "What share felt satisfied, and how many would recommend it?" is two
questions; "Which is larger, the share X or the share Y?" is one question with two sides.
"""

from __future__ import annotations

import re

from rag.text.lexicon import AMONG, GENERIC, PER, VERB_STARTS
from rag.text.tokens import spelled_as_digits, tokenize

_WH = (
    r"(?:what|what's|whats|how|which|who|whom|whose|when|where|why|is|are|was|were|do|does|"
    r"did|can|could|has|have|had|will|would)"
)
# A new question starts after "?" or after ", and" / "; " when a question word follows. A dash
# does not start one: what follows it restates or narrows what came before ("How precise is
# it - what margin of error?"), or lists what it asks ("three numbers - X, Y and Z").
_PREP = r"(?:(?:in|by|for|on|at|of|to|from|with|over|within)\s+)?"
_QUESTIONS = re.compile(
    rf"(?<=\?)\s+(?=\S)|(?:,\s*(?:and|also|plus)?|;|\s+and)\s+(?={_PREP}{_WH}\b)", re.I
)
# "Give me three numbers - the share X, the share Y, and the share Z."
_LIST_HEAD = re.compile(r"^(?P<head>[^:\-–—]{3,80}?)\s*(?::|\s[-–—])\s+(?P<items>.+)$")
_LIST_SPLIT = re.compile(r",\s*(?:and\s+)?|\s+and\s+(?=the\b)", re.I)
# "How large were they, both in revenue and in employees?"
_BOTH = re.compile(
    r"^(?P<head>.*?),?\s+both\s+(?P<a>(?:in|by|for|on|as)\s.+?)\s+and\s+(?P<b>(?:in|by|for|on|as)\s.+)$",
    re.I,
)
_MIN_PART_WORDS = 2
_LEAD_INS = tuple(cue.strip() for cue in (*PER, *AMONG))
_PREMISES = ("since ", "given ", "as ", "considering ", "because ", "now that ")


def split_questions(question: str) -> list[str]:
    """The questions inside ``question``, in order (one when it asks one thing)."""
    text = " ".join(question.split())
    parts: list[str] = []
    for chunk in _QUESTIONS.split(text):
        chunk = chunk.strip(" ,;-")
        if not chunk:
            continue
        parts.extend(_enumerated(chunk) or _both(chunk) or [chunk])
    parts = _shared_asks(parts)
    # A lead-in that asks nothing ("Two things about X - what ..., and what ...") is context
    # for the questions after it; so is a clause that sets up a ratio or a share of a share
    # ("For every X, how many Y?", "Among those who X, what share Y?").
    while len(parts) > 1 and (not _asks(parts[0]) or _leads_in(parts[0])):
        joiner = ", " if _leads_in(parts[0]) else ": "
        parts = [f"{parts[0]}{joiner}{parts[1]}", *parts[2:]]
    merged: list[str] = []
    for part in parts:
        # A fragment too short to be a question ("and?") stays with the one before it.
        if merged and len(part.split()) < _MIN_PART_WORDS:
            merged[-1] = f"{merged[-1]} {part}"
        else:
            merged.append(part)
    return merged or [text]


_PREMISE = re.compile(
    r"^\s*(?:since|given(?:\s+that)?|as|considering(?:\s+that)?|with|because|now\s+that)\s+"
    r"(?P<claim>[^,?]{8,}),\s*(?P<rest>.+)$",
    re.I,
)


# "The poll was of small firms, so what did they say?": the claim first, then the question
_CLAIM_SO = re.compile(r"^\s*(?P<claim>[^,?]{8,}),\s*so\s+(?P<rest>.+\?)\s*$", re.I)


# "X took 12 months - how did Y compare?": a statement, a dash, then the question
_CLAIM_DASH = re.compile(
    rf"^\s*(?P<claim>[^?]{{8,}}?)\s+[-–—]\s+(?P<rest>{_WH}\b[^-–—]+\?)\s*$", re.I
)


# "Besides async closures, which other features ...?", "Apart from speed, what else ...?":
# what the asker already knows, then what is asked
_SET_ASIDE = re.compile(
    r"^\s*(?:besides|apart\s+from|aside\s+from|other\s+than|except\s+for|leaving\s+aside)"
    r"\s+(?P<known>[^,:?]{2,80})[,:]\s*(?P<rest>.+\?)\s*$",
    re.I,
)


def set_aside(text: str) -> tuple[str, str] | None:
    """(what the question sets aside, what it asks) for "Besides X, what else ...?"; None
    for a question that sets nothing aside."""
    m = _SET_ASIDE.match(text)
    if m is None or not _asks(m.group("rest")):
        return None
    return m.group("known").strip(), m.group("rest").strip()


def premise(text: str) -> tuple[str, str] | None:
    """(claim, question) for a question that rests on a claim ("Since X, how ...?")."""
    m = _PREMISE.match(text) or _CLAIM_SO.match(text)
    if m is None:
        m = _CLAIM_DASH.match(text)
        if m is not None and (_asks(m.group("claim")) or not _has_verb(m.group("claim"))):
            # "How precise is it - what margin?" restates and "rents over $2,000 - how many
            # tenants?" names a topic: neither claims anything
            return None
    return (m.group("claim"), m.group("rest")) if m else None


# What a question claims came first: "Why did X come out as the number one Y?", "why is X
# the most common Y?", "Since X was the top Y, ...". Only the claim is read here; whether the
# report ranks X first is for the answer to check.
_RANK = (
    r"(?:the\s+)?(?:number\s+one|no\.?\s*1|\#1|top|first|biggest|largest|leading|"
    r"most\s+(?:common|popular|cited|frequent|(?:commonly|frequently|widely)\s+\w+|used|chosen|"
    r"selected))\b"
)
_RANK_VERB = (
    r"(?:(?:come|came|end(?:ed)?\s+up|rank(?:ed|s)?|emerge[sd]?|finish(?:ed)?)\s+(?:out\s+)?"
    r"(?:as\s+)?|be(?:come)?\s+)?"
)
# "why did ...", "so why is ...", "how come ...": a question that takes its claim as given
_WHY = r"^\W*(?:(?:so|and|but)\s+)?(?:why\s+(?:did|does|do|is|was|are|were|has|have)|how\s+come)"
_WHY_FIRST = re.compile(rf"{_WHY}\s+(?P<first>[^?,]+?)\s+{_RANK_VERB}{_RANK}", re.I)
_WAS_FIRST = re.compile(
    rf"^\W*(?P<first>[^?,]+?)\s+(?:(?:is|was|are|were|came\s+out\s+as|ranked\s+as|ranks\s+as)"
    rf"\s+{_RANK}|(?:topped|tops|headed|heads|led|leads)\s+the\s+(?:list|ranking|table|chart)\b)",
    re.I,
)


def claimed_first(text: str) -> str | None:
    """The thing a question claims the report ranks first ("compliance" in "Why did compliance
    come out as the number one blocker?"), else None."""
    m = _WHY_FIRST.match(text)
    if m is None:
        split = premise(text)
        m = _WAS_FIRST.match(split[0]) if split else None
    if m is None:
        return None
    first = re.sub(r"^(?:the|a|an)\s+", "", m.group("first").strip(), flags=re.I)
    return None if first.lower() in ("the", "a", "an", "it", "this", "that") else first


# What a question claims most of a group did: "Why did most of the nurses quit?",
# "Since most respondents use Linux, ...". Whether the report bears it out is for the answer.
_WHY_MOST = re.compile(
    rf"{_WHY}\s+(?:the\s+majority|a\s+majority|most|majority)\s+(?:of\s+)?(?P<rest>[^?]+?)\s*\??\s*$",
    re.I,
)
_MOST_DID = re.compile(
    r"^\W*(?:the\s+majority|a\s+majority|most|majority)\s+(?:of\s+)?(?P<rest>.+?)\s*$", re.I
)


def majority_claimed(text: str) -> str | None:
    """The question a claim that most of a group did something asks of the report ("What
    share of the nurses quit?" for "Why did most of the nurses quit?"), else None."""
    m = _WHY_MOST.match(text)
    if m is None:
        split = premise(text)
        m = _MOST_DID.match(split[0]) if split else None
    if m is None or not _has_words(m.group("rest")):
        return None
    return f"What share of {m.group('rest')}?"


def _has_words(text: str) -> bool:
    return len(re.findall(r"[A-Za-z]{2,}", text)) >= 2


def _leads_in(text: str) -> bool:
    """A clause that sets up the question after it: "For every X", "Among those who X", or a
    premise ("Since the survey was of small firms, ...") that the answer checks."""
    # "Setting X aside - among those who Y": the clause after an aside's dash leads in too
    lowered = re.split(r"\s[-–—]\s", text.lower())[-1].strip()
    return lowered.startswith(_LEAD_INS) or (
        lowered.startswith(_PREMISES) and not text.rstrip().endswith("?")
    )


def _has_verb(text: str) -> bool:
    """Whether a clause says something (has a verb), rather than naming a topic."""
    words = re.findall(r"[a-z’']+", text.lower())
    return any(w in VERB_STARTS or (len(w) > 4 and w.endswith("ed")) for w in words)


def _asks(text: str) -> bool:
    return text.rstrip().endswith("?") or re.search(rf"\b{_WH}\b", text, re.I) is not None


_BARE_ASK = re.compile(r"^(?:what|which|who|when|where|why|how(?:\s+(?:many|much))?)$", re.I)
_ASK_WORD = re.compile(
    r"^(?:what|which|who|when|where|why|how(?:\s+(?:many|much))?)(?P<rest>\s.+)$", re.I
)


def _shared_asks(parts: list[str]) -> list[str]:
    """ "Where and when did X take place?" split as "Where" and "when did X take place?": the
    bare question word asks the question the next part asks."""
    shared: list[str] = []
    for i, part in enumerate(parts):
        following = _ASK_WORD.match(parts[i + 1]) if i + 1 < len(parts) else None
        if _BARE_ASK.match(part) and following is not None:
            part = f"{part.capitalize()}{following.group('rest')}"
        shared.append(part)
    return shared


def _enumerated(text: str) -> list[str] | None:
    m = _LIST_HEAD.match(text)
    if not m:
        return None
    items = [i.strip(" .?!") for i in _LIST_SPLIT.split(m.group("items")) if i.strip(" .?!")]
    if len(items) < 2 or not all(i.lower().startswith(("the ", "how ", "what ")) for i in items):
        return None
    return [i if i.lower().startswith(("how ", "what ")) else f"What is {i}?" for i in items]


def _both(text: str) -> list[str] | None:
    m = _BOTH.match(text.rstrip("?. "))
    if not m:
        return None
    head = m.group("head").rstrip(", ")
    return [f"{head} {m.group('a')}?", f"{head} {m.group('b')}?"]


# ---------------------------------------------------------------- sides


_BETWEEN = re.compile(r"\bbetween\s+(?P<a>.+?)\s+and\s+(?P<b>.+)$", re.I)
_SEPARATE = re.compile(r"\bseparates?\s+(?P<a>.+?)\s+(?:from|and)\s+(?P<b>.+)$", re.I)
# "Compare the share that X with the share that Y", "set X against Y"
_COMPARE = re.compile(
    r"^\W*(?:(?:please|can you|could you)\s+)?(?:compare|contrast|set)\s+(?P<a>.+?)\s+"
    r"(?:with|to|against|and|versus|vs\.?)\s+(?P<b>(?:the|those|that|them|what)\b.+)$",
    re.I,
)
# "more than $5M", "fewer than 10 staff": a cut-off on one figure, not a second side
_CUT_OFF = re.compile(
    r"\b(?:more|less|fewer|greater|higher|lower|larger|smaller)\s+than\s+(?=[$€£]?\d)", re.I
)


def without_cut_offs(text: str) -> str:
    """``text`` without the "more than <figure>" that bound one figure; "52% more than
    47%" sets two figures against each other and stays."""
    for m in reversed(list(_CUT_OFF.finditer(text))):
        if not re.search(r"\d\s*%?\s*$", text[: m.start()]):
            text = text[: m.start()] + " " + text[m.end() :]
    return text


_THAN = re.compile(r"\s+(?:than|versus|vs\.?|compared\s+(?:with|to)|against)\s+", re.I)
# "does X exceed Y", "X outnumber Y": a verb that compares
_VERB = re.compile(
    r"\s+(?:exceeds?|exceeded|outnumbers?|outnumbered|surpass(?:es|ed)?|outweighs?)\s+", re.I
)
# "$40M or more" and "4 and above" bound one figure; they do not join two sides
_BOUND = r"(?!(?:more|less|fewer|above|over|higher|greater|lower|below|under|up|so)\b)"
_OR = re.compile(rf",?\s+or\s+{_BOUND}", re.I)
_AND = re.compile(rf",?\s+and\s+{_BOUND}", re.I)
_FROM = re.compile(r"\s+from\s+(?=the\b|those\b|companies\b|firms\b|respondents\b)", re.I)
_SEPARATORS = (_THAN, _VERB, _OR, _AND, _FROM)


# "..., or not?", "or nah": a yes-or-no question, not a second thing
_YES_OR_NO = re.compile(r",?\s+or\s+(?:not|no|nah|nope|otherwise)\s*[?.!]*\s*$", re.I)


def sides(text: str) -> tuple[str, str] | None:
    """The two things a comparison or a two-figure operation is about, in the order asked.

    For a ratio asked as "for every X, how many Y" the first side is Y (the numerator).
    """
    body = _YES_OR_NO.sub("", text).strip().rstrip("?.! ")
    lowered = body.lower()
    for cue in PER:
        at = lowered.find(cue)
        if at >= 0:
            rest = body[at + len(cue) :]
            denominator, _, numerator = rest.partition(",")
            if numerator.strip():
                return numerator.strip(), denominator.strip()
    m = _SEPARATE.search(body) or _COMPARE.search(body)  # "how many points separate X from Y"
    if m:
        return m.group("a").strip(), m.group("b").strip()
    m = _BETWEEN.search(body)
    if m and _one_range(m.group("a"), m.group("b")):
        return None  # "between fifty and a hundred million": one range, not two things
    if m:
        return m.group("a").strip(), m.group("b").strip()
    for pattern in _SEPARATORS:
        pieces = pattern.split(body, maxsplit=1)
        if len(pieces) == 2 and all(len(p.split()) >= 1 for p in pieces):
            left, right = pieces[0].strip(), pieces[1].strip()
            # "Which is larger, the share X or the share Y": the question head is not a side.
            if "," in left and pattern is not _AND:
                left = left.split(",", 1)[1].strip() or left
            return left, right
    return None


def _one_range(low: str, high: str) -> bool:
    """Whether "between LOW and HIGH" is one range: a bare number that borrows the magnitude
    of the high end ("fifty and a hundred million dollars"), not two things ("a 4 and a 5")."""
    bare = re.fullmatch(r"\d[\d.,]*", spelled_as_digits(low).strip()) is not None
    return bare and _MAGNITUDE.search(spelled_as_digits(high)) is not None


_MAGNITUDE = re.compile(r"[$€£]|\d\s*(?:[kmb]n?\b|thousand|million|billion)", re.I)


def contrasted(text: str) -> bool:
    """Whether a question sets two things against each other ("than", "or", "vs", "between",
    "for every"), which a comparison, a difference or a ratio needs."""
    text = _YES_OR_NO.sub("", text)
    text = without_cut_offs(text)  # "lost more than $5M" bounds one figure
    lowered = f" {text.lower()} "
    between = _BETWEEN.search(text)
    if _SEPARATE.search(text) or _COMPARE.search(text):
        return True
    if any(cue in lowered for cue in PER) or (
        between and not _one_range(between.group("a"), between.group("b"))
    ):
        return True
    return any(p.search(text) for p in (_THAN, _VERB, _OR))


def whole_and_part(text: str) -> tuple[str, str] | None:
    """For "among those who X, what share Y": (X, Y), the whole and the part of it."""
    body = text.strip().rstrip("?.! ")
    lowered = body.lower()
    for cue in AMONG:
        at = lowered.find(cue)
        if at < 0:
            continue
        rest = body[at + len(cue) :]
        whole, sep, part = rest.partition(",")
        if sep and not [t for t in tokenize(whole) if t not in GENERIC]:
            return None  # "out of those who answered, ...": everyone asked, not a subgroup
        if sep and part.strip():
            return whole.strip(), part.strip()
        head = body[:at].strip(" ,")
        if head:
            return rest.strip(), head
    return None
