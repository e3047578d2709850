"""The chat UI served for real: a browser, the gradio_client API and twenty users at once.

One app per module, answering with the real engine over the session's bundled index.
"""

from __future__ import annotations

import os
import queue
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from rag.settings import PROJECT_ROOT, Settings
from rag.types import ReportInfo
from tests.ui_support import REPORT_TEXT, free_port, serve
from ui.app import build_app

pytestmark = pytest.mark.model  # every test here answers with the real MiniLM-backed engine

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Read at import: the autouse clean_environ fixture removes SURVEY_RAG_* before each test runs.
SCREENSHOT_TO_DOCS = bool(os.environ.get("SURVEY_RAG_SCREENSHOT"))
DOCS_SCREENSHOT = PROJECT_ROOT / "docs" / "screenshot.png"

# Questions whose figure the report states in one sentence; the answer must carry that figure.
FIGURES = {
    "What share of companies felt understaffed and underfunded for LLMs?": "58.8%",
    "How many companies could fully show the ROI of their AI spending?": "34.2%",
    "What share saw adopting LLMs and generative AI as a top priority by the end of the year?": (
        "67.2%"
    ),
    "What share of respondents felt fully staffed with the right budget?": "41.2%",
    "What share of companies saw losses of 100M to 200M?": "24%",
}
UNDERSTAFFED_Q = next(iter(FIGURES))
MARKUP = "<script>alert(1)</script> and <img src=x onerror=alert(1)>"


@dataclass
class Live:
    url: str
    reports: list[ReportInfo]


@pytest.fixture(scope="module")
def live(indexed_settings: Settings) -> Iterator[Live]:
    """The app on a free loopback port, engine and model loaded once, as `survey-rag ui` does."""
    from rag.engine import get_engine

    engine = get_engine(indexed_settings)
    engine.warm()
    app = build_app(engine.answer, engine.reports, indexed_settings.model_copy())
    with serve(app) as url:
        yield Live(url, engine.reports)


@pytest.fixture
def page(live: Live) -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        reason = f"{CHROMIUM} is missing: apt-get install chromium (the CI script does)"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        page = context.new_page()
        page.set_default_timeout(30_000)
        yield page
        browser.close()


def _ask(page: Any, question: str) -> Any:
    """Type a question, press Enter, wait until its answer has finished streaming in."""
    answers = page.locator("#sr-chat [data-testid=bot]")
    before = answers.count()
    box = page.locator("#sr-input textarea")
    box.fill(question)
    box.press("Enter")
    page.wait_for_function(
        """n => {
          const bots = document.querySelectorAll('#sr-chat [data-testid=bot]');
          return bots.length > n && !bots[bots.length - 1].querySelector('.sr-pending')
            && (bots[bots.length - 1].querySelector('.sr-sources, .sr-refusal, .sr-error'));
        }""",
        arg=before,
    )
    return answers.last


@pytest.mark.browser
def test_browser_answer_citation_context_and_markup(live: Live, page: Any, tmp_path: Path) -> None:
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(live.url)
    page.locator("#sr-input textarea").wait_for()

    answer = _ask(page, UNDERSTAFFED_Q)
    assert FIGURES[UNDERSTAFFED_Q] in answer.inner_text()
    assert answer.locator(".sr-source").count() >= 1  # section and quote under the answer

    card = page.locator("#sr-sources [data-cite]", has_text="58.8%").first
    card.click()
    mark = page.locator("#sr-context mark")
    mark.wait_for()
    quoted = mark.inner_text()
    assert "58.8%" in quoted and quoted in REPORT_TEXT  # the report's own sentence, highlighted
    assert page.locator("#sr-context").inner_text().strip() != quoted.strip()  # with its context
    page.locator("#sr-chart img").wait_for()  # the chart of the cited table

    shot = tmp_path / "screenshot.png"
    page.screenshot(path=str(shot), full_page=True)
    if SCREENSHOT_TO_DOCS:
        DOCS_SCREENSHOT.parent.mkdir(exist_ok=True)
        shutil.copyfile(shot, DOCS_SCREENSHOT)

    # Markup in a question is shown as text and never runs; the report has no answer to it,
    # and the refusal looks like one: a badge, no figure, no chart.
    refusal = _ask(page, MARKUP)
    question = page.locator("#sr-chat [data-testid=user]").last
    assert MARKUP in question.inner_text()
    assert page.locator('#sr-chat img[src="x"], #sr-chat script').count() == 0
    assert "Not in the report" in refusal.locator(".sr-refusal").inner_text()
    assert "%" not in refusal.inner_text()
    page.locator("#sr-chart").wait_for(state="hidden")
    page.wait_for_timeout(500)
    assert dialogs == []

    # Clicking the first answer brings its sources (and chart) back.
    page.locator("#sr-chat [data-testid=bot]").first.click()
    page.locator("#sr-sources [data-cite]", has_text="58.8%").first.wait_for()
    page.locator("#sr-chart img").wait_for()

    # An empty message sends nothing; a 10,000-character one gets the length message.
    messages = page.locator("#sr-chat [data-testid=bot]").count()
    page.locator("#sr-input textarea").fill("")
    page.get_by_role("button", name="Ask", exact=True).click()
    page.wait_for_timeout(800)
    assert page.locator("#sr-chat [data-testid=bot]").count() == messages
    too_long = _ask(page, "word " * 2000)
    assert "the limit is 2,000 characters" in too_long.inner_text()

    # Clear starts over; an example question is one click away.
    page.locator("#sr-clear").click()
    page.wait_for_function("() => !document.querySelector('#sr-chat [data-testid=bot]')")
    page.locator("#sr-examples button").first.click()
    page.wait_for_function(
        "() => document.querySelector('#sr-chat [data-testid=bot] .sr-sources, "
        "#sr-chat [data-testid=bot] .sr-refusal')"
    )


@pytest.mark.browser
def test_browser_key_findings_button_shows_cited_headlines(
    live: Live, page: Any, tmp_path: Path
) -> None:
    page.goto(live.url)
    answers = page.locator("#sr-chat [data-testid=bot]")
    before = answers.count()
    page.locator("#sr-findings").click()
    page.wait_for_function(
        """n => {
          const bots = document.querySelectorAll('#sr-chat [data-testid=bot]');
          return bots.length > n && bots[bots.length - 1].querySelector('.sr-sources');
        }""",
        arg=before,
    )
    text = answers.last.inner_text()
    assert "58.8%" in text and "67.2%" in text  # headline figures, each with its source
    assert page.locator("#sr-sources [data-cite]").count() >= 3
    page.locator("#sr-chart img").wait_for()  # the chart of the headline figures
    answers.last.locator(".sr-plan summary").click()
    assert "intent: overview" in answers.last.locator(".sr-plan pre").inner_text()
    page.screenshot(path=str(tmp_path / "key-findings.png"), full_page=True)


@pytest.mark.model
def test_gradio_client_gets_answer_and_citations(live: Live) -> None:
    from gradio_client import Client

    result = Client(live.url, verbose=False).predict(UNDERSTAFFED_Q, api_name="/ask")
    assert FIGURES[UNDERSTAFFED_Q] in result["text"]
    assert result["grounded"] is True
    citations = result["citations"]
    assert citations and {"id", "section", "quote", "start", "end"} <= set(citations[0])
    # each citation points at report sentences; one of them states the figure
    sources = [REPORT_TEXT[c["start"] : c["end"]] for c in citations]
    assert all(sources) and any("58.8%" in source for source in sources)


def test_twenty_users_at_once_each_get_the_right_figures(live: Live) -> None:
    from gradio_client import Client

    questions = list(FIGURES)

    def user(number: int) -> list[tuple[str, str]]:
        client = Client(live.url, verbose=False)
        asked = [questions[(number + i) % len(questions)] for i in range(5)]
        return [(q, client.predict(q, api_name="/ask")["text"]) for q in asked]

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=20) as pool:
        results = [r for batch in pool.map(user, range(20), timeout=240) for r in batch]
    elapsed = time.perf_counter() - started
    assert len(results) == 100
    wrong = [(q, text) for q, text in results if FIGURES[q] not in text]
    assert not wrong, f"{len(wrong)} of 100 answers lack their figure, e.g. {wrong[0]}"
    print(f"\n20 users x 5 questions answered in {elapsed:.1f}s")


def test_survey_rag_ui_warms_up_binds_loopback_and_asks_for_a_login(
    indexed_settings: Settings,
) -> None:
    from gradio_client import Client

    port = free_port()
    env = {
        **os.environ,
        "SURVEY_RAG_DATA_DIR": str(indexed_settings.data_dir),
        "SURVEY_RAG_AUTH": "analyst:s3cret",
    }
    command = [sys.executable, "-m", "rag", "ui", "--port", str(port)]
    proc = subprocess.Popen(
        command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in proc.stdout], daemon=True).start()
    url = f"http://127.0.0.1:{port}/"
    seen: list[str] = []
    try:
        deadline = time.monotonic() + 180
        while not any(url in line for line in seen):
            assert proc.poll() is None, "".join(seen)
            assert time.monotonic() < deadline, "".join(seen)
            try:
                seen.append(lines.get(timeout=1))
            except queue.Empty:
                continue
        output = "".join(seen)
        assert "warm-up answer in" in output and "login required" in output
        with pytest.raises(Exception):  # noqa: B017 - no credentials, no answer
            Client(url, verbose=False).predict(UNDERSTAFFED_Q, api_name="/ask")
        client = Client(url, auth=("analyst", "s3cret"), verbose=False)
        assert "58.8%" in client.predict(UNDERSTAFFED_Q, api_name="/ask")["text"]
    finally:
        proc.terminate()
        proc.wait(timeout=30)
