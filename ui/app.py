"""The chat UI: a Gradio app built around an answer function, so tests can hand it a fake.

``build_app(answer_fn, reports, settings)`` lays out the chat, the clickable sources, the passage
in context, the chart of the cited table and the About panel, and exposes the headless endpoint
``/ask``. ``run_ui_command`` loads the engine once, warms it and serves the app.
"""

from __future__ import annotations

import argparse
import os
import time
from collections.abc import Callable, Sequence
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rag.errors import InputError
from rag.settings import Settings
from rag.types import Answer, ReportInfo
from ui import render
from ui.style import CSS

if TYPE_CHECKING:
    import gradio as gr

AnswerFn = Callable[[str, list[dict[str, str]]], Answer]

# Clicking a source card sends its citation id to Python; one delegated listener survives the
# re-render that happens each time a new answer replaces the cards.
SOURCES_JS = """
const open = (event) => {
  const card = event.target.closest('[data-cite]');
  if (card) trigger('click', {cite: card.dataset.cite});
};
element.addEventListener('click', open);
element.addEventListener('keydown', (event) => {
  if (event.key === 'Enter' || event.key === ' ') { event.preventDefault(); open(event); }
});
"""


def _lower(topic: str) -> str:
    """'Resources' -> 'resources' but 'LLM adoption' and 'ROI' keep their capitals."""
    return topic[0].lower() + topic[1:] if topic[1:2].islower() else topic


def default_examples(reports: Sequence[ReportInfo], corpus_dir: Path | None = None) -> list[str]:
    """Example questions: a report's ``examples.txt`` if it has one, else one per topic."""
    questions: list[str] = []
    for report in reports:
        path = corpus_dir / report.id / "examples.txt" if corpus_dir else None
        if path is not None and path.is_file():
            lines = path.read_text(encoding="utf-8").splitlines()
            questions += [q.strip() for q in lines if q.strip() and not q.startswith("#")]
            continue
        topics = [s.split("›")[-1].strip() for s in report.sections if "›" in s]
        questions += [f"What does the report say about {_lower(t)}?" for t in topics[:4]]
        if report.surveyed:
            questions.append("Who was surveyed?")
    return list(dict.fromkeys(questions))[:8]


def build_app(
    answer_fn: AnswerFn,
    reports: list[ReportInfo],
    settings: Settings,
    *,
    examples: Sequence[str] | None = None,
    stream_delay: float = 0.015,
) -> gr.Blocks:
    """The Gradio app around ``answer_fn(question, history) -> Answer``."""
    import gradio as gr

    from ui.handlers import Chat

    examples = list(examples) if examples is not None else default_examples(reports)
    names = ", ".join(f"{r.title} ({r.publisher}, {r.year})" for r in reports) or "no report"
    chat = Chat(answer_fn, reports, settings, examples, stream_delay)

    with gr.Blocks(title="survey-rag", analytics_enabled=False) as app:
        gr.HTML(
            '<div class="sr-header"><h1>survey-rag</h1><span class="sr-tagline">Ask the survey; '
            "every figure comes with the sentence it came from.</span>"
            f'<div class="sr-reports">Answering from: {escape(names)}</div></div>',
            head=f"<style>{CSS}</style>",
            js_on_load=None,
        )
        turns_state = gr.State([])
        selected_state = gr.State(None)
        picker = report_picker(reports, settings)
        with gr.Row(equal_height=False):
            with gr.Column(scale=3, min_width=420):
                chatbot = gr.Chatbot(
                    label="Conversation",
                    elem_id="sr-chat",
                    height=560,
                    latex_delimiters=[],
                    feedback_options=None,
                    buttons=["copy", "copy_all"],
                    placeholder="Ask about the report, or pick an example below.",
                )
                with gr.Row(equal_height=True):
                    box = gr.Textbox(
                        placeholder="Ask a question about the report…",
                        show_label=False,
                        container=False,
                        scale=6,
                        lines=1,
                        max_lines=6,
                        elem_id="sr-input",
                        autofocus=True,
                    )
                    send = gr.Button("Ask", variant="primary", scale=1, min_width=70)
                    findings = gr.Button(
                        "Key findings", scale=1, min_width=110, elem_id="sr-findings"
                    )
                    clear_button = gr.Button("Clear", scale=1, min_width=70, elem_id="sr-clear")
                example_set = gr.Dataset(
                    components=[box],
                    samples=[[q] for q in examples],
                    label="Examples",
                    type="index",
                    elem_id="sr-examples",
                    samples_per_page=len(examples) or 1,
                )
            with gr.Column(scale=2, min_width=340):
                sources = gr.HTML(
                    render.sources_panel(None), js_on_load=SOURCES_JS, elem_id="sr-sources"
                )
                context = gr.HTML(
                    render.context_placeholder(), js_on_load=None, elem_id="sr-context"
                )
                plot = gr.Plot(
                    label="The cited table", show_label=False, visible=False, elem_id="sr-chart"
                )
        with gr.Accordion("About this report", open=False, elem_id="sr-about"):
            gr.HTML(render.about_html(reports), js_on_load=None)
            model = gr.HTML(render.model_html(None), js_on_load=None, elem_id="sr-model")

        outputs = [chatbot, box, turns_state, selected_state, sources, context, plot, model]
        ui_only: dict[str, Any] = {"api_visibility": "private", "show_progress": "hidden"}
        chosen = [picker] if picker is not None else []
        box.submit(chat.respond, [box, turns_state, *chosen], outputs, **ui_only)
        send.click(chat.respond, [box, turns_state, *chosen], outputs, **ui_only)
        findings.click(chat.key_findings, [turns_state, *chosen], outputs, **ui_only)
        example_set.click(
            chat.respond_example, [example_set, turns_state, *chosen], outputs, **ui_only
        )
        sources.click(
            chat.show_context, [turns_state, selected_state], [sources, context], **ui_only
        )
        chatbot.select(
            chat.pick_turn,
            [turns_state],
            [selected_state, sources, context, plot, model],
            **ui_only,
        )
        clear_button.click(chat.clear, None, outputs, **ui_only)
        chatbot.clear(chat.clear, None, outputs, **ui_only)
        gr.api(chat.ask, api_name="ask")

    app.queue(default_concurrency_limit=settings.concurrency)
    return app


def report_picker(reports: Sequence[ReportInfo], settings: Settings) -> Any:
    """A dropdown of the indexed reports when there is more than one to choose from."""
    if len(reports) < 2:
        return None
    import gradio as gr

    from rag.choice import ALL_REPORTS

    choices = [("All reports", ALL_REPORTS)] + [
        (f"{r.title} ({r.year})" if r.year else r.title, r.id) for r in reports
    ]
    ids = {r.id for r in reports}
    return gr.Dropdown(
        choices=choices,
        value=settings.report if settings.report in ids else ALL_REPORTS,
        label="Report",
        elem_id="sr-report",
        interactive=True,
    )


def launch_options(settings: Settings) -> dict[str, Any]:
    """Keyword arguments for ``Blocks.launch``: bind address, port and optional login."""
    options: dict[str, Any] = {
        "server_name": settings.host,
        "server_port": settings.port,
        "show_error": False,
        "quiet": True,
    }
    if settings.auth:
        user, sep, password = settings.auth.partition(":")
        if not sep or not user or not password:
            raise InputError(
                "--auth (or SURVEY_RAG_AUTH) must look like user:password, "
                "e.g. --auth analyst:s3cret"
            )
        options["auth"] = (user, password)
        options["auth_message"] = "survey-rag: sign in to ask about the reports."
        options["app_kwargs"] = login_throttle()
    return options


def login_throttle(**limits: Any) -> dict[str, Any]:
    """``app_kwargs`` for ``Blocks.launch`` that put a back-off on wrong logins (ui.throttle)."""
    from starlette.middleware import Middleware

    from ui.throttle import LoginThrottle

    return {"middleware": [Middleware(LoginThrottle, **limits)]}


def _port_error(host: str, port: int) -> InputError:
    return InputError(
        f"cannot listen on {host}:{port} (in use, or not an address of this machine): "
        f"pass another port, e.g. --port {port + 1}, or set SURVEY_RAG_PORT / SURVEY_RAG_HOST"
    )


def _check_port(host: str, port: int) -> None:
    """Fail before the slow engine load if the address cannot be bound."""
    import socket

    try:
        with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
            # as uvicorn does, so a port left in TIME_WAIT by a previous run still counts as free
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind((host, port))
    except OSError as exc:
        raise _port_error(host, port) from exc


def _has_screen() -> bool:
    """Whether a browser window could open here (not over SSH, in CI or a headless box)."""
    import sys

    if os.environ.get("CI") or os.environ.get("SSH_CONNECTION"):
        return False
    return sys.platform in ("darwin", "win32") or bool(
        os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
    )


def run_ui_command(args: argparse.Namespace, settings: Settings) -> int:
    """``survey-rag ui``: load the engine and model once, warm them, then serve the chat."""
    # Gradio reads this when it builds and launches the app; keep the process offline-quiet.
    os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"
    from rag.engine import get_engine

    options = launch_options(settings)  # fail on a malformed --auth before loading anything
    _check_port(settings.host, settings.port)
    print("survey-rag ui: loading the index and the embedding model…", flush=True)
    engine = get_engine(settings)
    engine.warm()
    reports = list(engine.reports)
    examples = default_examples(reports, settings.corpus_dir)
    started = time.perf_counter()
    engine.answer(examples[0] if examples else "What did the survey find?")
    print(f"survey-rag ui: ready (warm-up answer in {time.perf_counter() - started:.2f}s)")

    from rag.choice import report_answer_fn

    app = build_app(report_answer_fn(engine, settings), reports, settings, examples=examples)
    try:
        app.launch(prevent_thread_lock=True, **options)
    except OSError as exc:
        raise _port_error(settings.host, settings.port) from exc
    login = " (login required)" if "auth" in options else ""
    print(f"survey-rag ui: open {app.local_url}{login}; press Ctrl+C to stop", flush=True)
    if not getattr(args, "no_browser", False) and _has_screen():
        import webbrowser

        webbrowser.open(str(app.local_url))
    try:
        app.block_thread()
    finally:
        app.close()
    return 0
