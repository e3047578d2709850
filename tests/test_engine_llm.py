"""The optional LLM path: a fake chat model with queued replies, and a loopback OpenAI stub."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import pytest
from langchain_core.language_models.fake_chat_models import FakeListChatModel

from rag.engine import Engine
from rag.errors import ModelError
from rag.llm import chat_backends, get_chat_model
from rag.settings import Settings

QUESTION = "What share of companies felt understaffed?"


def test_registry_defaults_to_no_llm() -> None:
    assert {"none", "openai"} <= set(chat_backends())
    assert get_chat_model(Settings()) is None
    with pytest.raises(ModelError, match="unknown LLM backend 'nope'"):
        get_chat_model(Settings(llm="nope"))
    with pytest.raises(ModelError, match="needs an API key"):
        get_chat_model(Settings(llm="openai"))


@pytest.mark.model
def test_a_supported_llm_answer_is_kept(indexed_settings: Settings) -> None:
    model = FakeListChatModel(responses=["58.8% of respondents felt understaffed [1]."])
    a = Engine(indexed_settings, chat_model=model).answer(QUESTION)
    assert a.text == "58.8% of respondents felt understaffed [1]."
    assert a.model == "fake-list-chat-model" and not a.guard_replaced
    [citation] = a.citations
    assert citation.id == 1 and "58.8%" in citation.quote


@pytest.mark.model
@pytest.mark.parametrize(
    ("reply", "reason"),
    [
        ("Actually 75% felt understaffed [1].", "do not support (75%)"),
        ("58.8% felt understaffed.", "cited no source"),
        ("58.8% felt understaffed [42].", "does not exist"),
        ("80% wanted one platform [1].", "do not support"),
    ],
)
def test_an_unsupported_llm_answer_is_replaced(
    indexed_settings: Settings, reply: str, reason: str
) -> None:
    model = FakeListChatModel(responses=[reply])
    a = Engine(indexed_settings, chat_model=model).answer(QUESTION)
    assert a.guard_replaced and a.note is not None and reason in a.note
    assert "58.8%" in a.text and "75%" not in a.text
    assert a.model == "fake-list-chat-model"


class _Stub(BaseHTTPRequestHandler):
    reply = ""
    requests: list[dict[str, Any]] = []

    def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        type(self).requests.append({"path": self.path, "body": body})
        payload = {
            "id": "chatcmpl-stub",
            "object": "chat.completion",
            "created": 0,
            "model": body.get("model", "stub"),
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": type(self).reply},
                    "finish_reason": "stop",
                }
            ],
            "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
        }
        data = json.dumps(payload).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def openai_stub() -> Iterator[type[_Stub]]:
    handler = type("Handler", (_Stub,), {"reply": "", "requests": []})
    server = HTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    handler.url = f"http://127.0.0.1:{server.server_port}/v1"  # type: ignore[attr-defined]
    try:
        yield handler
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.model
@pytest.mark.parametrize(
    ("reply", "replaced"),
    [
        ("Only 41.2% felt fully staffed, so 58.8% felt understaffed [1].", False),
        ("Roughly 90% felt understaffed [1].", True),
    ],
)
def test_openai_compatible_endpoint_through_the_guard(
    indexed_settings: Settings, openai_stub: Any, reply: str, replaced: bool
) -> None:
    openai_stub.reply = reply
    settings = indexed_settings.model_copy(
        update={"llm": "openai", "llm_base_url": openai_stub.url, "llm_model": "stub-model"}
    )
    a = Engine(settings).answer(QUESTION)
    assert openai_stub.requests[0]["path"] == "/v1/chat/completions"
    sent = openai_stub.requests[0]["body"]
    assert sent["model"] == "stub-model"
    prompt = sent["messages"][-1]["content"]
    assert "[1]" in prompt and "58.8%" in prompt and QUESTION in prompt
    assert a.model == "stub-model"
    assert a.guard_replaced is replaced
    assert "58.8%" in a.text
    if replaced:
        assert "90%" not in a.text


@pytest.mark.model
def test_llm_refusal_and_grouped_markers(indexed_settings: Settings) -> None:
    refusal = FakeListChatModel(responses=["The report does not say."])
    a = Engine(indexed_settings, chat_model=refusal).answer(QUESTION)
    assert not a.grounded and a.citations == [] and not a.guard_replaced

    grouped = FakeListChatModel(responses=["58.8% felt understaffed [1, 2]."])
    b = Engine(indexed_settings, chat_model=grouped).answer(QUESTION)
    assert b.text == "58.8% felt understaffed [1][2]." and [c.id for c in b.citations] == [1, 2]


@pytest.mark.model
def test_the_retriever_can_be_swapped(indexed_settings: Settings) -> None:
    from langchain_core.runnables import RunnableLambda

    from rag.chain import hit_to_document
    from rag.index.store import open_index
    from rag.retrieval.hybrid import hit_of

    index = open_index(indexed_settings)
    roi = [f for f in index.facts if f.table == "roi"]
    calls: list[str] = []

    def only_roi(question: str) -> list[Any]:
        calls.append(question)
        return [hit_to_document(hit_of(f, 1.0), 0.9) for f in roi]

    engine = Engine(indexed_settings, chat_model=None, retriever=RunnableLambda(only_roi))
    a = engine.answer("What share could fully show ROI?")
    assert calls == ["What share could fully show ROI?"]
    assert "34.2%" in a.text and all(h.fact in roi for h in a.retrieved)


@pytest.mark.model
def test_the_langchain_chain_answers_as_the_default_path_does(indexed_settings: Settings) -> None:
    # the default engine skips LangChain (a cold `ask` would pay ~0.5 s to import it); a
    # LangChain retriever swapped in must still get the same answers, citations and hits
    from rag.chain import make_retriever
    from rag.index.embeddings import get_query_embedder
    from rag.index.store import open_index
    from rag.retrieval.hybrid import HybridRetriever

    index = open_index(indexed_settings)
    search = HybridRetriever(
        index, get_query_embedder(indexed_settings).embed_query, indexed_settings.top_k
    )
    chained = Engine(indexed_settings, chat_model=None, retriever=make_retriever(search.retrieve))
    direct = Engine(indexed_settings, chat_model=None)
    for question in (QUESTION, "What share could not fully show ROI?", "What is LoRA?"):
        a, b = direct.answer(question), chained.answer(question)
        assert (a.text, a.citations, a.grounded) == (b.text, b.citations, b.grounded)
        assert [h.id for h in a.retrieved] == [h.id for h in b.retrieved]
