"""Which report a question is asked of: a picked report id reaches the answer function.

The UI is built around ``answer_fn(question, history)``; one that also takes ``report=`` gets
the picked report id. ``report_answer_fn`` gives an engine that does not take it yet one
engine per report (``Settings.report``), so the picker works either way.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

from rag.settings import Settings
from rag.types import Answer

ALL_REPORTS = ""  # the picker's value for "every indexed report"


def accepts_report(fn: Callable[..., Any]) -> bool:
    """Whether ``fn`` takes a ``report`` keyword."""
    try:
        params = inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return False
    return "report" in params or any(p.kind is p.VAR_KEYWORD for p in params.values())


def ask(
    answer_fn: Callable[..., Answer],
    question: str,
    history: list[dict[str, str]],
    report: str | None = None,
) -> Answer:
    """``answer_fn(question, history)``, restricted to ``report`` when one is picked."""
    if report and accepts_report(answer_fn):
        return answer_fn(question, history, report=report)
    return answer_fn(question, history)


def report_answer_fn(engine: Any, settings: Settings) -> Callable[..., Answer]:
    """An answer function taking ``report=``: the engine's own, or one engine per report."""
    if accepts_report(engine.answer):
        return engine.answer  # type: ignore[no-any-return]

    def answer(
        question: str, history: list[dict[str, str]] | None = None, report: str | None = None
    ) -> Answer:
        from rag.engine import get_engine

        if not report or report == settings.report:
            return engine.answer(question, history)  # type: ignore[no-any-return]
        return get_engine(settings.model_copy(update={"report": report})).answer(question, history)

    return answer
