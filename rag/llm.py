"""Chat models for optional answer synthesis, picked by name from one registry.

``none`` (the default) means no LLM: the offline extractive answerer writes every answer. It
is registered like the others so the choice is one setting, ``SURVEY_RAG_LLM``. A backend is a
factory from Settings to a LangChain chat model; LangChain is imported only when one is built.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from rag.errors import ModelError
from rag.settings import Settings

ChatFactory = Callable[[Settings], Any]

_REGISTRY: dict[str, ChatFactory] = {}


def register_chat_model(name: str, factory: ChatFactory) -> None:
    """Make a chat backend available as ``SURVEY_RAG_LLM=name``."""
    _REGISTRY[name] = factory


def chat_backends() -> list[str]:
    """The registered backend names."""
    return sorted(_REGISTRY)


def get_chat_model(settings: Settings) -> Any | None:
    """The chat model the settings name, or None for the offline answerer."""
    name = (settings.llm or "none").strip().lower()
    try:
        factory = _REGISTRY[name]
    except KeyError:
        raise ModelError(
            f"unknown LLM backend {settings.llm!r}: set SURVEY_RAG_LLM to one of "
            f"{', '.join(chat_backends())}"
        ) from None
    return factory(settings)


def model_name(model: Any) -> str:
    """A short name for a chat model, shown as ``Answer.model``."""
    for attr in ("model_name", "model"):
        value = getattr(model, attr, None)
        if isinstance(value, str) and value:
            return value
    llm_type = getattr(model, "_llm_type", None)
    return str(llm_type or type(model).__name__)


def _none(settings: Settings) -> None:
    return None


def _openai(settings: Settings) -> Any:
    """An OpenAI-compatible chat endpoint (OpenAI itself, vLLM, llama.cpp, Ollama...)."""
    from langchain_openai import ChatOpenAI
    from pydantic import SecretStr

    key = settings.llm_api_key.get_secret_value() if settings.llm_api_key else None
    key = key or os.environ.get("OPENAI_API_KEY")
    if not key:
        if not settings.llm_base_url:
            raise ModelError(
                "SURVEY_RAG_LLM=openai needs an API key: set SURVEY_RAG_LLM_API_KEY or "
                "OPENAI_API_KEY (or SURVEY_RAG_LLM_BASE_URL for a local server)"
            )
        key = "not-needed"  # local OpenAI-compatible servers accept any key
    return ChatOpenAI(
        base_url=settings.llm_base_url,
        model=settings.llm_model or "gpt-4o-mini",
        api_key=SecretStr(key),
        timeout=settings.llm_timeout,
        max_retries=1,
        temperature=0,
    )


register_chat_model("none", _none)
register_chat_model("openai", _openai)
