"""``survey-rag ask`` and ``survey-rag chat``: the answer engine in a terminal."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from dataclasses import asdict
from typing import Any

from rag.errors import SurveyRagError
from rag.inputs import clean_text
from rag.settings import Settings
from rag.types import Answer


def answer_dict(answer: Answer) -> dict[str, Any]:
    """The whole Answer as plain data, minus the retrieved hits (internal)."""
    data = asdict(answer)
    data.pop("retrieved", None)
    return data


def format_answer(answer: Answer, explain: bool = False) -> str:
    """The answer text, then one line per citation: [id] section: quote (and the plan)."""
    lines = [answer.text]
    if answer.citations:
        lines.append("")
        for c in answer.citations:
            quote = " ".join(c.quote.split())
            lines.append(f"[{c.id}] {c.section or c.report} ({c.kind}): {quote}")
    if answer.note:
        lines.append("")
        lines.append(f"note: {answer.note}")
    if explain and answer.plan is not None:
        lines.append("")
        lines.append("plan:")
        lines.extend(f"  {line}" for line in answer.plan.explain().splitlines())
    return "\n".join(lines)


def run_ask_command(args: argparse.Namespace, settings: Settings) -> int:
    """Answer one question and print it with its citations (or the whole Answer as JSON)."""
    from rag.engine import get_engine

    report = getattr(args, "report", None)
    answer = get_engine(settings).answer(args.question, report=report)
    if getattr(args, "json", False):
        print(json.dumps(answer_dict(answer), ensure_ascii=False, indent=2))
    else:
        print(format_answer(answer, explain=getattr(args, "explain", False)))
    return 0


def chat_loop(
    answer_fn: Callable[[str, list[dict[str, str]]], Answer],
    read: Callable[[str], str] = input,
    write: Callable[[str], None] = print,
) -> int:
    """Read questions until EOF or 'exit', answering each with the conversation as history."""
    history: list[dict[str, str]] = []
    write("Ask about the report; 'exit' or Ctrl-D to leave.")
    while True:
        try:
            question = clean_text(read("you> ")).strip()
        except EOFError:
            write("")
            break
        except UnicodeDecodeError:
            # a terminal in another encoding; the conversation so far is worth keeping
            write("error: that line is not valid UTF-8: retype the question")
            continue
        if question.lower() in {"exit", "quit"}:
            break
        if not question:
            continue
        try:
            answer = answer_fn(question, history)
        except SurveyRagError as exc:
            # a bad question or a store that went away: say so and keep the conversation
            write(f"error: {exc}")
            continue
        write(format_answer(answer) + "\n")
        history += [
            {"role": "user", "content": question},
            {"role": "assistant", "content": answer.text},
        ]
    return 0


def run_chat_command(args: argparse.Namespace, settings: Settings) -> int:
    """A terminal chat that keeps the conversation, so follow-ups work."""
    from rag.engine import get_engine

    engine = get_engine(settings)
    engine.warm()
    if hasattr(sys.stdin, "reconfigure"):
        # undecodable bytes reach the question check as surrogates, which it drops
        sys.stdin.reconfigure(errors="surrogateescape")
    return chat_loop(engine.answer)
