"""One settings object, read once at the entry point and passed down.

Every field can come from the environment with the ``SURVEY_RAG_`` prefix, e.g.
``SURVEY_RAG_CHROMA_URL=http://127.0.0.1:8000``. Reading settings has no side effects.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parents[1]
MAX_QUESTION_CHARS = 2000
# A question naming no report, in a library of more, is read in the reports its retrieved
# passages come from: a bound on its cost (each report read costs its own similarity products
# and word checks), not a judgement of what answers. Every evaluation library is smaller, so it
# changes none of their answers.
ROUTE_REPORTS = 8


class Settings(BaseSettings):
    """Where the corpus and index live, which backends answer, and the UI's bind address."""

    model_config = SettingsConfigDict(env_prefix="SURVEY_RAG_", extra="ignore")

    corpus_dir: Path = Field(default=PROJECT_ROOT / "corpus", description="folder of reports")
    data_dir: Path = Field(
        default=PROJECT_ROOT / ".survey-rag", description="where the embedded Chroma index lives"
    )
    chroma_url: str | None = Field(
        default=None, description="a Chroma server, e.g. http://127.0.0.1:8000; embedded if unset"
    )
    model_dir: Path | None = Field(
        default=None, description="sentence-transformers model folder; the bundled MiniLM if unset"
    )
    report: str | None = Field(default=None, description="answer from this report id only")

    top_k: int = 8
    route_reports: int = Field(
        default=ROUTE_REPORTS,
        description="a question naming no report reads this many reports, those nearest to it",
    )
    max_question_chars: int = MAX_QUESTION_CHARS

    llm: str = Field(default="none", description="answer synthesis backend: none | openai")
    llm_base_url: str | None = None
    llm_model: str | None = None
    llm_api_key: SecretStr | None = None
    llm_timeout: float = 30.0

    host: str = "127.0.0.1"
    port: int = 7860
    auth: str | None = Field(default=None, description="user:password to turn on the UI login")
    concurrency: int = 4

    @property
    def chroma_path(self) -> Path:
        return self.data_dir / "chroma"

    @property
    def where(self) -> str:
        """Where the index lives, for messages."""
        return self.chroma_url or str(self.chroma_path)
