"""Helpers for the UI tests: the bundled report as a ReportInfo, a fake answerer, a served app."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from rag.settings import PROJECT_ROOT
from rag.types import Answer, Chart, ChartRow, Citation, ReportInfo

REPORT_TEXT = (PROJECT_ROOT / "corpus" / "aiia-2023" / "report.txt").read_text(encoding="utf-8")
UNDERSTAFFED = (
    "For the rest of the people we talked to, 58.8% felt they were understaffed and didn’t have "
    "the right funding to really drive transformation across the business, which is a "
    "tremendously worrying statistic."
)
FULLY_STAFFED = (
    "When we asked whether their teams had the right budget and people to make it happen, only "
    "41.2% of the respondents felt they were fully staffed up and had the right budget to deliver "
    "on the promises of LLMs and generative AI."
)


def bundled_report() -> ReportInfo:
    """The bundled report as the UI sees it (metadata written out here, text read from disk)."""
    return ReportInfo(
        id="aiia-2023",
        title="LLMs and Generative AI in the Enterprise",
        publisher="AI Infrastructure Alliance",
        year=2023,
        surveyed="over 1000 enterprises with more than $1B in yearly revenue",
        sections=("Introduction", "Demography", "Questions", "Questions › Resources"),
        text=REPORT_TEXT,
    )


def _citation(number: int, sentence: str, kind: str = "fact") -> Citation:
    start = REPORT_TEXT.index(sentence)
    return Citation(
        id=number,
        report="aiia-2023",
        section="Questions › Resources",
        quote=sentence,
        kind=kind,  # type: ignore[arg-type]
        start=start,
        end=start + len(sentence),
        table="staffing",
        row="understaffed",
    )


STAFFING_CHART = Chart(
    table="staffing",
    caption="Do you have the budget and people to deliver on LLMs and generative AI?",
    unit="%",
    rows=(
        ChartRow("Fully staffed and funded", 41.2),
        ChartRow("Understaffed and underfunded", 58.8, marked=True),
    ),
)


class FakeAnswerer:
    """Answers every question with the understaffing figure; refuses questions about weather."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, list[dict[str, str]]]] = []
        self.lock = threading.Lock()

    def __call__(self, question: str, history: list[dict[str, str]]) -> Answer:
        with self.lock:
            self.calls.append((question, list(history)))
        if "weather" in question.lower():
            return Answer(
                text="The report does not say anything about the weather.",
                citations=[],
                grounded=False,
                question=question,
            )
        return Answer(
            text="58.8% of surveyed enterprises felt understaffed and underfunded [1]; "
            "41.2% felt fully staffed [2].",
            citations=[_citation(1, UNDERSTAFFED), _citation(2, FULLY_STAFFED, "passage")],
            grounded=True,
            charts=[STAFFING_CHART],
            question=question,
        )


def free_port() -> int:
    """A loopback port nobody is listening on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def serve(app: Any, **launch: Any) -> Iterator[str]:
    """Run a Gradio app on a free loopback port for the duration of the block; yields its URL."""
    port = free_port()
    app.launch(
        prevent_thread_lock=True,
        server_name="127.0.0.1",
        server_port=port,
        quiet=True,
        **launch,
    )
    try:
        yield f"http://127.0.0.1:{port}/"
    finally:
        app.close()
