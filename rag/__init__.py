"""survey-rag's answer engine: ``answer(question)`` returns an Answer with cited figures.

from rag import answer
a = answer("What share of companies felt understaffed?")
print(a.text); [print(c.id, c.section, c.quote) for c in a.citations]
"""

from __future__ import annotations

from rag.engine import answer
from rag.types import Answer, Citation

__all__ = ["Answer", "Citation", "answer"]
