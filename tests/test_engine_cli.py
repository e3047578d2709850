"""`survey-rag ask`, `survey-rag chat` and bad input, as a user meets them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rag.cli import main
from rag.commands import chat_loop
from rag.engine import Engine
from rag.errors import EmptyQuestion, QuestionTooLong
from rag.settings import Settings
from rag.types import Answer, Citation
from tests.chroma_server import free_port


@pytest.mark.parametrize("question", ["", "   \n\t "])
def test_empty_question_is_a_value_error(question: str) -> None:
    engine = Engine(Settings(), chat_model=None)
    with pytest.raises(EmptyQuestion, match="the question is empty"):
        engine.answer(question)
    with pytest.raises(ValueError):
        engine.answer(question)


def test_too_long_question_names_the_limit() -> None:
    engine = Engine(Settings(), chat_model=None)
    with pytest.raises(QuestionTooLong, match="the limit is 2,000 characters"):
        engine.answer("why? " * 401)


def test_cli_rejects_bad_questions_with_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ask", "  "]) == 2
    err = capsys.readouterr().err
    assert (
        err.strip()
        == "survey-rag ask: error: the question is empty: type a question about the report"
    )
    assert main(["ask", "x" * 2001]) == 2
    assert "limit is 2,000 characters" in capsys.readouterr().err


def test_unreachable_chroma_server_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    url = f"http://127.0.0.1:{free_port()}"
    assert main(["--chroma-url", url, "ask", "What share felt understaffed?"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert url in err


def test_missing_index_for_a_user_corpus(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["--data-dir", str(tmp_path / "idx"), "--corpus-dir", str(tmp_path), "ask", "Why?"]
    assert main(args) == 2
    assert "run 'survey-rag ingest'" in capsys.readouterr().err


@pytest.mark.model
def test_ask_prints_answer_and_citations(
    indexed_settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["--data-dir", str(indexed_settings.data_dir), "ask"]
    assert main([*args, "What share of companies felt understaffed?"]) == 0
    out = capsys.readouterr().out
    assert "58.8%" in out.splitlines()[0]
    assert "[1] Questions › Resources (fact):" in out
    assert main([*args, "--json", "What share could NOT fully show ROI?"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert "retrieved" not in data
    assert data["grounded"] is True and "65.8%" in data["text"]
    assert {"id", "section", "quote", "kind", "start", "end"} <= set(data["citations"][0])


def test_chat_keeps_the_conversation() -> None:
    seen: list[tuple[str, int]] = []

    def fake_answer(question: str, history: list[dict[str, str]]) -> Answer:
        seen.append((question, len(history)))
        if question == "boom":
            raise EmptyQuestion()
        return Answer(f"about {question} [1]", [Citation(1, "r", "S", "quote", "passage")], True)

    lines = iter(["first?", "", "boom", "and second?"])
    out: list[str] = []

    def read(prompt: str) -> str:
        try:
            return next(lines)
        except StopIteration:
            raise EOFError from None

    assert chat_loop(fake_answer, read, out.append) == 0
    assert seen == [("first?", 0), ("boom", 2), ("and second?", 2)]
    assert any("about and second? [1]" in o and "[1] S (passage): quote" in o for o in out)
    assert any(o.startswith("error: the question is empty") for o in out)
    out.clear()
    assert chat_loop(fake_answer, lambda p: "exit", out.append) == 0
