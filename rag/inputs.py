"""What a question must be before anything reads it: a string, clean text, of sane length.

Text from a terminal or a pipe may carry bytes that are not UTF-8: Python hands them over as
lone surrogates (``\\udcff``), which no tokenizer or output stream accepts. They, the Unicode
replacement character and control characters are dropped, so the words around them still count.
"""

from __future__ import annotations

import re

from rag.errors import EmptyQuestion, QuestionTooLong

# lone surrogates (undecodable bytes), U+FFFD, and C0/C1 controls other than tab and newline
_UNUSABLE = re.compile(r"[\ud800-\udfff\ufffd\x00-\x08\x0b-\x1f\x7f-\x9f]")


def clean_text(text: str) -> str:
    """``text`` without undecodable bytes, replacement characters or control characters."""
    return _UNUSABLE.sub("", text)


def check_question(question: object, limit: int) -> str:
    """The question cleaned and stripped; TypeError, EmptyQuestion or QuestionTooLong if not."""
    if not isinstance(question, str):
        raise TypeError(
            f"the question must be a string (str), not {type(question).__name__}: "
            f"pass it as text, e.g. answer('What share ...?')"
        )
    text = clean_text(question).strip()
    if not text:
        raise EmptyQuestion()
    if len(text) > limit:
        raise QuestionTooLong(len(text), limit)
    return text
