"""The chat UI with a fake answerer: rendering, charts, the /ask API, login and bad input."""

from __future__ import annotations

import dataclasses

import pytest

from rag.errors import InputError
from rag.settings import Settings
from rag.types import Answer, Chart, ChartRow, Citation
from tests.ui_support import (
    FULLY_STAFFED,
    REPORT_TEXT,
    STAFFING_CHART,
    UNDERSTAFFED,
    FakeAnswerer,
    bundled_report,
    serve,
)
from ui import render
from ui.app import build_app, default_examples, launch_options
from ui.charts import chart_figure, format_bar_value

MARKUP = "<script>alert(1)</script><img src=x onerror=alert(1)>"


def test_answer_message_escapes_markup_and_lists_sources() -> None:
    answer = FakeAnswerer()("q", [])
    hostile = Answer(
        text=f"{MARKUP} says [1]",
        citations=[answer.citations[0]],
        grounded=True,
    )
    html = render.answer_message(hostile)
    assert "<script>" not in html and "<img" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "Questions › Resources" in html and "58.8% felt they were understaffed" in html
    assert '<sup class="sr-ref">[1]</sup>' in html
    assert "\n\n" not in html  # one raw HTML block, so Markdown never touches the text


def test_user_message_escapes_and_shortens_long_questions() -> None:
    assert "&lt;img src=x onerror=alert(1)&gt;" in render.user_message(MARKUP)
    long = render.user_message("x" * 10_000)
    assert "10,000 characters" in long and len(long) < 1_000


def test_refusal_has_a_badge_and_no_sources() -> None:
    refusal = FakeAnswerer()("What was the weather?", [])
    html = render.answer_message(refusal)
    assert "Not in the report" in html and "sr-refusal" in html
    assert "sr-sources" not in html


def test_context_highlights_the_quote_inside_its_paragraph() -> None:
    citation = FakeAnswerer()("q", []).citations[0]
    html = render.context_html(citation, bundled_report())
    assert f"<mark>{render.escape(UNDERSTAFFED)}</mark>" in html
    # the neighbouring sentence of the same paragraph is shown as context
    assert "41.2% of the respondents" in html
    start = REPORT_TEXT.index(UNDERSTAFFED)
    lo, hi = render.context_window(REPORT_TEXT, start, start + len(UNDERSTAFFED))
    assert lo < start and hi > start + len(UNDERSTAFFED)
    assert "\n" not in REPORT_TEXT[lo:hi]  # never spills into another paragraph
    assert hi - lo <= len(UNDERSTAFFED) + 2 * render.CONTEXT_CHARS


def test_context_without_offsets_finds_the_quote_or_shows_it_alone() -> None:
    report = bundled_report()
    loose = Citation(1, "aiia-2023", "Questions › Resources", FULLY_STAFFED, "passage")
    assert f"<mark>{FULLY_STAFFED}</mark>" in render.context_html(loose, report)
    unknown = Citation(2, "aiia-2023", "Questions", "<b>not in the text</b>", "passage")
    assert "<mark>&lt;b&gt;not in the text&lt;/b&gt;</mark>" in render.context_html(unknown, report)


def test_about_panel_and_model_line() -> None:
    about = render.about_html([bundled_report()])
    assert "AI Infrastructure Alliance" in about and "Questions › Resources" in about
    llm = Answer("x", [], True, model="gpt-4o-mini", guard_replaced=True, note="<b>figure</b>")
    model = render.model_html(llm)
    assert "gpt-4o-mini" in model and "replaced" in model and "&lt;b&gt;figure" in model
    assert "no language model" in render.model_html(Answer("x", [], True))


def test_chart_marks_the_cited_row() -> None:
    figure = chart_figure([STAFFING_CHART])
    assert figure is not None
    bars = figure.axes[0].patches
    assert [round(b.get_width(), 1) for b in bars] == [41.2, 58.8]
    assert bars[0].get_facecolor() != bars[1].get_facecolor()
    assert chart_figure([]) is None
    assert chart_figure([Chart("t", "c", "%", ())]) is None


def test_bar_labels_read_like_the_report() -> None:
    assert format_bar_value(ChartRow("a", 58.8), "%") == "58.8%"
    assert format_bar_value(ChartRow("a", 80, "over"), "%") == "over 80%"
    assert format_bar_value(ChartRow("a", 10000), "employees") == "10,000 employees"


def test_examples_come_from_topics_when_the_report_has_no_list() -> None:
    report = dataclasses.replace(bundled_report(), sections=("Questions › ROI", "Q › Resources"))
    examples = default_examples([report])
    assert examples[:2] == [
        "What does the report say about ROI?",
        "What does the report say about resources?",
    ]


def test_launch_options_bind_loopback_and_parse_auth() -> None:
    options = launch_options(Settings())
    assert options["server_name"] == "127.0.0.1" and options["server_port"] == 7860
    assert "auth" not in options
    assert launch_options(Settings(auth="ana:pa:ss"))["auth"] == ("ana", "pa:ss")
    with pytest.raises(InputError, match="must look like user:password"):
        launch_options(Settings(auth="nopassword"))


def test_a_busy_port_is_reported_before_the_engine_loads() -> None:
    import argparse
    import socket

    from ui.app import run_ui_command

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        with pytest.raises(InputError, match=f"cannot listen on 127.0.0.1:{port}.*--port"):
            run_ui_command(argparse.Namespace(), Settings(port=port))


def test_ask_api_returns_answer_and_citations_as_json() -> None:
    from gradio_client import Client

    fake = FakeAnswerer()
    app = build_app(fake, [bundled_report()], Settings())
    with serve(app) as url:
        client = Client(url, verbose=False)
        result = client.predict("How many felt understaffed?", api_name="/ask")
        assert "58.8%" in result["text"] and result["grounded"] is True
        assert result["citations"][0]["quote"] == UNDERSTAFFED
        assert result["citations"][0]["section"] == "Questions › Resources"
        assert result["charts"][0]["rows"][1]["marked"] is True

        history = [{"role": "user", "content": "How many felt understaffed?"}]
        client.predict("And fully staffed?", history, api_name="/ask")
        assert fake.calls[-1] == ("And fully staffed?", history)

        with pytest.raises(Exception, match="the question is empty"):
            client.predict("   ", api_name="/ask")
        with pytest.raises(Exception, match="the limit is 2,000 characters"):
            client.predict("x" * 10_000, api_name="/ask")
    assert len(fake.calls) == 2  # bad input never reached the engine


def test_login_is_required_when_auth_is_set() -> None:
    from gradio_client import Client

    settings = Settings(auth="analyst:s3cret")
    app = build_app(FakeAnswerer(), [bundled_report()], settings)
    with serve(app, auth=launch_options(settings)["auth"]) as url:
        with pytest.raises(Exception):  # noqa: B017 - gradio_client raises a plain error
            Client(url, verbose=False).predict("q", api_name="/ask")
        client = Client(url, auth=("analyst", "s3cret"), verbose=False)
        assert "58.8%" in client.predict("q", api_name="/ask")["text"]


def _chat(answer_fn=None, **settings):  # type: ignore[no-untyped-def]
    from ui.handlers import Chat

    return Chat(answer_fn or FakeAnswerer(), [bundled_report()], Settings(**settings), [], 0.0)


def test_answers_stream_in_and_follow_ups_get_the_conversation() -> None:
    fake = FakeAnswerer()
    chat = _chat(fake)
    steps = list(chat.respond("How many felt understaffed?", []))
    shown = [step[0][-1]["content"] for step in steps]
    assert "Searching the report" in shown[0]
    growing = shown[1:-1]
    assert len(growing) >= 3 and len(growing[0]) < len(growing[-1])  # streamed word by word
    assert "sr-sources" in shown[-1] and "58.8%" in shown[-1]
    turns = steps[-1][2]
    assert steps[-1][3] == 0  # the sources panel now shows this answer
    assert 'data-cite="1"' in steps[-1][4]

    list(chat.respond("And the rest?", turns))
    question, history = fake.calls[-1]
    assert question == "And the rest?"
    assert history[0] == {"role": "user", "content": "How many felt understaffed?"}
    assert history[1]["role"] == "assistant" and "58.8%" in history[1]["content"]


def test_empty_and_too_long_questions_never_reach_the_engine() -> None:
    import gradio as gr

    fake = FakeAnswerer()
    chat = _chat(fake)
    (step,) = list(chat.respond("   ", []))
    assert all(isinstance(v, type(gr.skip())) for v in step)
    (step,) = list(chat.respond("a" * 10_000, []))
    assert (
        "the question is 10,000 characters long; the limit is 2,000 characters"
        in step[0][-1]["content"]
    )
    assert fake.calls == []


def test_engine_errors_are_shown_as_messages_not_tracebacks() -> None:
    from rag.errors import IndexMissing

    def missing(question: str, history: list[dict[str, str]]) -> Answer:
        raise IndexMissing("no index at /tmp/x: run 'survey-rag ingest'")

    def broken(question: str, history: list[dict[str, str]]) -> Answer:
        raise RuntimeError("boom\nTraceback (most recent call last)")

    last = list(_chat(missing).respond("q", []))[-1][0][-1]["content"]
    assert "run &#x27;survey-rag ingest&#x27;" in last and "Could not answer" in last
    last = list(_chat(broken).respond("q", []))[-1][0][-1]["content"]
    assert "something went wrong" in last and "Traceback" not in last


def test_clicking_a_source_shows_it_in_context() -> None:
    from types import SimpleNamespace

    chat = _chat()
    turns = list(chat.respond("q", []))[-1][2]
    sources, context = chat.show_context(turns, 0, SimpleNamespace(cite="2"))  # type: ignore[arg-type]
    assert "sr-card-active" in sources
    assert f"<mark>{FULLY_STAFFED}</mark>" in context
