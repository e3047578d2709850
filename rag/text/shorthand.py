"""Shorthand typed in chat ("do ppl still use it as much as b4?") written out in full.

Read before anything else reads the question, so retrieval, the intent classifier and the
plan all see "people ... as much as before". Closed-class chat shorthand only
(rag.text.lexicon.SHORTHAND), lower-case as it is typed: a capitalised or upper-case word may
be a name and is left as it is.
"""

from __future__ import annotations

import re

from rag.text.lexicon import SHORTHAND

# longest first, so "w/o" is read before "w/" and "$$$" before "$$"
_TYPED = re.compile(
    r"(?<![\w$/])(?:"
    + "|".join(re.escape(w) for w in sorted(SHORTHAND, key=len, reverse=True))
    + r")(?![\w$/])"
)


def in_full(text: str) -> str:
    """``text`` with each lower-case chat shorthand written out."""
    return _TYPED.sub(lambda m: SHORTHAND[m.group(0)], text)
