"""Turn an elliptic follow-up ("And 200M or more?") into a standalone question.

Pure string work on the chat history, so it is unit-tested without a model. The rule: a
short fragment, or one that opens with "and", "what about", "how about"..., borrows the topic
of the previous user question. A figure in the fragment replaces the previous question's
figure; otherwise the fragment replaces what followed the previous question's last verb
("felt understaffed" -> "felt fully staffed"); failing both, the two are joined.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from rag.question import GENERIC, NEGATION
from rag.text.numbers import extract_figures
from rag.text.tokens import STOPWORDS, tokenize

_OPENERS = re.compile(
    r"^\s*(?:and\s+what\s+about|and\s+how\s+about|what\s+about|how\s+about|and\s+for|and\s+the|"
    r"same\s+for|what\s+of|and\s+if|and|or|also|then|but|so|ok(?:ay)?)\b[\s,:]*",
    re.I,
)
_QUESTION_START = re.compile(
    r"^\s*(?:what|which|who|whom|whose|when|where|why|how|is|are|was|were|do|does|did|can|could|"
    r"should|would|will|has|have|had|tell|list|give|show|describe|explain|summari[sz]e)\b",
    re.I,
)
_VERBS = (
    r"felt|feel|feels|said|say|says|saw|see|sees|were|was|are|is|had|have|has|could|can|"
    r"did|do|does|rated|rate|reported|report|expect|expected|expects|want|wanted|wants|plan|"
    r"planned|plans|use|used|uses|faced|face|suffered|experienced|seeking|seek|consider|"
    r"considered|think|thought|believe|believed|struggle|struggled"
)
_LAST_VERB = re.compile(rf"\b(?:{_VERBS})\b", re.I)
_ANAPHORA = re.compile(
    r"\b(?:them|they|their|theirs|it|its|those|these|that|this|there|such)\b", re.I
)
_MAX_FRAGMENT_WORDS = 5
_MAX_BARE_WORDS = 3
_MAX_POINTING_WORDS = 10
_POINTING = re.compile(
    r"\b(?:them|they|their|those|these)\b", re.I
)  # a bare fragment with no figure and no opener: 'fully staffed?'


# "And the rest?" asks the previous question about everyone it did not count.
_REST = re.compile(
    r"(?:(?:what|how)\s+about\s+)?(?:the\s+)?(?:rest|remainder|others|other\s+ones|"
    r"everyone\s+else|everybody\s+else|remaining\s+ones|remaining\s+\w+)",
    re.I,
)


def negate(question: str) -> str:
    """The previous question turned to its complement: 'What share could show ROI?' ->
    'What share could not show ROI?' (or the question unchanged if it has no verb to negate)."""
    base = question.rstrip().rstrip("?.! ")
    if NEGATION.search(base):
        return question  # "understaffed" has no word-level opposite; keep rather than guess
    verbs = list(_LAST_VERB.finditer(base))
    if not verbs:
        return question
    cut = verbs[0].end()
    return f"{base[:cut]} not{base[cut:]}?"


def _content(text: str) -> list[str]:
    return [t for t in tokenize(text) if t not in STOPWORDS]


def _last_user(history: Sequence[dict[str, Any]]) -> tuple[int, str] | None:
    for i in range(len(history) - 1, -1, -1):
        message = history[i]
        if isinstance(message, dict) and message.get("role") == "user":
            content = message.get("content")
            if isinstance(content, str) and content.strip():
                return i, content.strip()
    return None


def last_user_question(history: Sequence[dict[str, Any]] | None) -> str | None:
    """The most recent user message in a Gradio-style history that is plain text."""
    found = _last_user(history or [])
    return found[1] if found else None


def is_followup(question: str) -> bool:
    """Whether ``question`` reads as a fragment that leans on the previous one."""
    if _OPENERS.match(question):
        return True
    words = re.findall(r"\S+", question)
    if _QUESTION_START.match(question):
        # "How many of them rated it a 5?" points back at the previous question's subject.
        return len(words) <= _MAX_POINTING_WORDS and bool(_POINTING.search(question))
    return len(words) <= _MAX_FRAGMENT_WORDS and (
        bool(extract_figures(question)) or len(words) <= _MAX_BARE_WORDS
    )


def _figure_span(text: str) -> tuple[int, int] | None:
    figures = extract_figures(text)
    if not figures:
        return None
    start, end = figures[0].start, figures[-1].end
    # Take the qualifier words with the figure: "more than $100M", "$200M or more".
    before = re.search(
        r"(?:(?:well|far|just)\s+)?(?:more\s+than|less\s+than|fewer\s+than|at\s+least|over|"
        r"under|above|below|about|around|between|from)\s*$",
        text[:start],
        re.I,
    )
    if before:
        start = before.start()
    after = re.match(
        r"\s*(?:or|and)\s+(?:more|above|over|higher|less|fewer|below|under)\b", text[end:]
    )
    if after:
        end += after.end()
    return start, end


def resolve_followup(question: str, history: Sequence[dict[str, Any]] | None) -> str:
    """The standalone form of ``question`` given the conversation so far."""
    question = question.strip()
    found = _last_user(history or [])
    if found is None or not is_followup(question):
        return question
    # The previous question may itself have been a fragment; resolve it against its own past.
    idx, previous = found
    previous = resolve_followup(previous, (history or [])[:idx])
    fragment = _OPENERS.sub("", question).strip().rstrip("?.! ").strip()
    if _REST.fullmatch(fragment):
        return negate(previous)
    if not fragment or not _content(fragment):
        return previous
    if _QUESTION_START.match(fragment):
        # "And what share felt fully staffed?" stands on its own; "So what share couldn't?"
        # or "How many of them rated it a 5?" needs the previous question's topic.
        topical = [t for t in _content(fragment) if t not in GENERIC]
        if topical and not _ANAPHORA.search(fragment):
            return fragment[:1].upper() + fragment[1:] + "?"
        return f"{previous.rstrip().rstrip('?.! ')}: {fragment}?"
    base = previous.rstrip().rstrip("?.! ")
    new_span = _figure_span(fragment)
    old_span = _figure_span(base)
    if new_span and old_span:
        a, b = old_span
        return f"{base[:a]}{fragment[new_span[0] : new_span[1]]}{base[b:]}?"
    verbs = list(_LAST_VERB.finditer(base))
    if verbs and verbs[-1].end() < len(base) and not _QUESTION_START.match(fragment):
        cut = verbs[-1].end()
        return f"{base[:cut]} {fragment}?"
    return f"{base}: {fragment}?"
