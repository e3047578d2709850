"""What happens when the user asks, clicks a source, picks an answer or clears the chat.

Imported only by ``build_app``: it imports gradio at module level because Gradio finds its
special ``evt`` arguments by resolving the handlers' type hints in this module's namespace.
"""

from __future__ import annotations

import dataclasses
import logging
import re
import time
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import gradio as gr

from rag import inputs
from rag.errors import EmptyQuestion, QuestionTooLong, SurveyRagError
from rag.settings import Settings
from rag.types import Answer, ReportInfo
from ui import render
from ui.charts import chart_figure

# answer_fn(question, history), optionally with a report= keyword (see rag.choice)
AnswerFn = Callable[..., Answer]
KEY_FINDINGS = "What are the key findings of this report?"
UNEXPECTED = "something went wrong while answering; the server log has the details"
log = logging.getLogger(__name__)


@dataclasses.dataclass
class Turn:
    """One question and what came back: an answer, an error message, or nothing yet."""

    question: str
    answer: Answer | None = None
    error: str | None = None
    partial: str | None = None


def messages(turns: Sequence[Turn]) -> list[dict[str, str]]:
    """The chatbot's messages (HTML) for the whole conversation, two per turn."""
    out = []
    for turn in turns:
        out.append({"role": "user", "content": render.user_message(turn.question)})
        if turn.error is not None:
            content = render.error_message(turn.error)
        elif turn.answer is not None:
            content = render.answer_message(turn.answer)
        elif turn.partial is not None:
            content = render.partial_message(turn.partial)
        else:
            content = render.pending_message()
        out.append({"role": "assistant", "content": content})
    return out


def conversation(turns: Sequence[Turn]) -> list[dict[str, str]]:
    """The conversation so far as plain role/content pairs, for follow-up questions."""
    pairs: list[dict[str, str]] = []
    for turn in turns:
        if turn.answer is not None:
            pairs.append({"role": "user", "content": turn.question})
            pairs.append({"role": "assistant", "content": turn.answer.text})
    return pairs


def check_question(question: str | None, settings: Settings) -> str:
    """The cleaned, stripped question, or the same InputError the engine would raise."""
    return inputs.check_question(question or "", settings.max_question_chars)


def prefixes(text: str, words: int = 3) -> Iterator[str]:
    """Growing prefixes of text, a few words at a time, for streaming it in."""
    pieces = re.split(r"(\s+)", text)
    step = 2 * words
    for end in range(step, len(pieces) + step, step):
        yield "".join(pieces[:end])


class Chat:
    """The app's event handlers, bound to one answer function, its reports and settings."""

    def __init__(
        self,
        answer_fn: AnswerFn,
        reports: Sequence[ReportInfo],
        settings: Settings,
        examples: Sequence[str],
        stream_delay: float,
    ) -> None:
        self.answer_fn = answer_fn
        self.reports = list(reports)
        self.settings = settings
        self.examples = list(examples)
        self.stream_delay = stream_delay

    def _answer(
        self, question: str, pairs: list[dict[str, str]], report: str | None = None
    ) -> Answer:
        from rag.choice import ask

        answer = ask(self.answer_fn, question, pairs, report)
        # The retrieved hits are for evals and debugging; the session state need not carry them.
        return dataclasses.replace(answer, retrieved=[])

    def _report(self, report_id: str) -> ReportInfo | None:
        fallback = self.reports[0] if self.reports else None
        return next((r for r in self.reports if r.id == report_id), fallback)

    @staticmethod
    def panels(answer: Answer | None) -> tuple[Any, ...]:
        """Sources, context, chart and model pane for one answer (or the empty state)."""
        figure = chart_figure(answer.charts) if answer is not None and answer.grounded else None
        return (
            render.sources_panel(answer),
            render.context_placeholder(),
            gr.Plot(value=figure, visible=figure is not None),
            render.model_html(answer),
        )

    def respond(
        self, message: str, turns: list[Turn], report: str | None = None
    ) -> Iterator[tuple[Any, ...]]:
        """Outputs: chatbot, textbox, turns, selected, sources, context, plot, model.

        ``report`` is the picker's choice (a report id, or empty for every report).
        """
        skip = gr.skip()
        try:
            question = check_question(message, self.settings)
        except EmptyQuestion:
            gr.Info("Type a question about the report first.")
            yield (skip,) * 8
            return
        except QuestionTooLong as exc:
            # The text stays in the box so it can be shortened rather than retyped.
            turns = [*turns, Turn(inputs.clean_text(message).strip(), error=str(exc))]
            yield (messages(turns), skip, turns, skip, skip, skip, skip, skip)
            return
        turn = Turn(question)
        turns = [*turns, turn]
        yield (messages(turns), "", turns, skip, skip, skip, skip, skip)
        try:
            answer = self._answer(question, conversation(turns[:-1]), report or None)
        except SurveyRagError as exc:
            turn.error = str(exc)
        except Exception:
            log.exception("answering %r failed", question)
            turn.error = UNEXPECTED
        if turn.error is not None:
            yield (messages(turns), skip, turns, skip, skip, skip, skip, skip)
            return
        for prefix in prefixes(answer.text):
            turn.partial = prefix
            yield (messages(turns), skip, turns, skip, skip, skip, skip, skip)
            time.sleep(self.stream_delay)
        turn.answer = answer
        yield (messages(turns), skip, turns, len(turns) - 1, *self.panels(answer))

    def key_findings(
        self, turns: list[Turn], report: str | None = None
    ) -> Iterator[tuple[Any, ...]]:
        """The "Key findings" button: the report's digest, asked as a question."""
        yield from self.respond(KEY_FINDINGS, turns, report)

    def respond_example(
        self, index: int, turns: list[Turn], report: str | None = None
    ) -> Iterator[tuple[Any, ...]]:
        """Ask the example question the user clicked."""
        yield from self.respond(self.examples[index], turns, report)

    def show_context(
        self, turns: list[Turn], selected: int | None, evt: gr.EventData
    ) -> tuple[Any, ...]:
        """A source card was clicked: show its passage in context, quote highlighted."""
        cite = str(getattr(evt, "cite", ""))
        answer = turns[selected].answer if selected is not None and selected < len(turns) else None
        citations = answer.citations if answer is not None else []
        citation = next((c for c in citations if str(c.id) == cite), None)
        if answer is None or citation is None:
            return gr.skip(), gr.skip()
        return (
            render.sources_panel(answer, citation.id),
            render.context_html(citation, self._report(citation.report)),
        )

    def pick_turn(self, turns: list[Turn], evt: gr.SelectData) -> tuple[Any, ...]:
        """A message was clicked: show that answer's sources and chart."""
        index = evt.index[0] if isinstance(evt.index, list | tuple) else evt.index
        number = int(index) // 2
        if number >= len(turns) or turns[number].answer is None:
            return (gr.skip(),) * 5
        return (number, *self.panels(turns[number].answer))

    def clear(self) -> tuple[Any, ...]:
        """Start over: empty chat, box, state and panels."""
        return ([], "", [], None, *self.panels(None))

    def ask(
        self,
        question: str,
        history: list[dict[str, str]] | None = None,
        report: str | None = None,
    ) -> dict[str, Any]:
        """Answer one question about the report; returns the answer text, citations and charts."""
        try:
            checked = check_question(question, self.settings)
            return render.answer_to_dict(self._answer(checked, list(history or []), report))
        except SurveyRagError as exc:
            raise gr.Error(str(exc)) from None
