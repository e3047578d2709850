"""``survey-rag ask`` and ``survey-rag chat``: the answer engine in a terminal."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from dataclasses import asdict
from typing import Any

from rag.errors import InputError, SurveyRagError
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


def check_report(settings: Settings) -> None:
    """InputError unless ``settings.report`` (when set) is a report the index holds.

    Checked on the index's pointers before the engine loads, so a mistyped id never makes the
    engine build anything.
    """
    if settings.report is None:
        return
    from pathlib import Path

    from rag.index.store import open_client, read_pointers

    if not settings.chroma_url and not Path(settings.chroma_path).exists():
        return  # nothing indexed: the engine says how to build it
    ids = sorted(read_pointers(open_client(settings)))
    if ids and settings.report not in ids:
        raise InputError(
            f"no report {settings.report!r} in the index at {settings.where}: "
            f"use one of {', '.join(ids)}, or run 'survey-rag ingest PATH' first"
        )


def run_ask_command(args: argparse.Namespace, settings: Settings) -> int:
    """Answer one question and print it with its citations (or the whole Answer as JSON)."""
    from rag.engine import get_engine

    check_report(settings)
    engine = get_engine(settings)
    answer = engine.answer(args.question, report=getattr(args, "report", None))
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

    check_report(settings)
    engine = get_engine(settings)
    engine.warm()
    if hasattr(sys.stdin, "reconfigure"):
        # undecodable bytes reach the question check as surrogates, which it drops
        sys.stdin.reconfigure(errors="surrogateescape")
    return chat_loop(engine.answer)
