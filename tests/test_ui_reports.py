"""Report choice in the UI: a picker for several reports; the pick reaches the engine."""

from __future__ import annotations

import dataclasses
from typing import Any

from rag.choice import accepts_report, ask, report_answer_fn
from rag.settings import Settings
from rag.types import Answer
from tests.ui_support import FakeAnswerer, bundled_report
from ui.app import build_app, report_picker


def _reports() -> list[Any]:
    first = bundled_report()
    return [first, dataclasses.replace(first, id="gophers", title="Gopher Survey", year=2024)]


class ReportAwareFake:
    """A fake answer function that takes ``report=`` and records it."""

    def __init__(self) -> None:
        self.reports: list[str | None] = []

    def __call__(
        self, question: str, history: list[dict[str, str]], report: str | None = None
    ) -> Answer:
        self.reports.append(report)
        return FakeAnswerer()(question, history)


def test_the_picker_shows_only_when_several_reports_are_indexed() -> None:
    assert report_picker([bundled_report()], Settings()) is None
    picker = report_picker(_reports(), Settings(report="gophers"))
    assert picker is not None and picker.value == "gophers"
    assert [c[1] for c in picker.choices] == ["", "aiia-2023", "gophers"]
    assert picker.choices[2][0] == "Gopher Survey (2024)"


def test_the_picked_report_reaches_the_answer_function() -> None:
    from ui.handlers import Chat

    fake = ReportAwareFake()
    chat = Chat(fake, _reports(), Settings(), [], 0.0)
    list(chat.respond("How many felt understaffed?", [], "gophers"))
    list(chat.respond("And overall?", [], ""))  # "All reports"
    assert fake.reports == ["gophers", None]
    # an answer function without the keyword still answers
    plain = FakeAnswerer()
    assert not accepts_report(plain) and accepts_report(fake)
    assert ask(plain, "q", [], "gophers").grounded


def test_an_engine_without_report_keyword_gets_one_engine_per_report(monkeypatch: Any) -> None:
    made: list[str | None] = []

    class Engine:
        def __init__(self, report: str | None) -> None:
            self.report = report

        def answer(self, question: str, history: Any = None) -> Answer:
            made.append(self.report)
            return FakeAnswerer()(question, [])

    import rag.engine

    monkeypatch.setattr(rag.engine, "get_engine", lambda s: Engine(s.report))
    answer = report_answer_fn(Engine(None), Settings())
    answer("q", [], report="gophers")
    answer("q", [])
    assert made == ["gophers", None]


def test_build_app_with_two_reports_has_the_picker() -> None:
    app = build_app(ReportAwareFake(), _reports(), Settings())
    labels = [getattr(block, "label", None) for block in app.blocks.values()]
    assert "Report" in labels
