"""The faults of issue 11, each reproduced: big reports, bad table files, a damaged index, two
writers, undecodable questions, CLI and API edges, untrusted corpus text, and login guessing.

Growth tests compare CPU time on an input and on the same input eight times over: a linear
step grows about 8x, a quadratic one about 64x. The bound sits far from both, and each side
is the best of a few rounds, so a busy machine does not flip the verdict.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from ingest.pipeline import MB, ingest, parse_size, plan_report
from ingest.sections import glued_headings, line_headings, split_sections
from rag.cli import main
from rag.errors import CorpusError, IndexBroken, IngestBusy
from rag.index.store import builds, open_client, open_index, read_pointers
from rag.inputs import check_question
from rag.settings import PROJECT_ROOT, Settings
from rag.text.sentences import leaf_spans, report_sentences
from rag.types import Section
from tests.chroma_server import ChromaServer, chroma_server  # noqa: F401
from tests.conftest import BUNDLED_REPORT

REPORT_TEXT = (BUNDLED_REPORT / "report.txt").read_text(encoding="utf-8")
GROWTH = 8  # the larger input is this many times the smaller
LINEAR_BOUND = 24  # linear ~8x, n log n ~9x, quadratic ~64x


def repeated(times: int) -> str:
    return (REPORT_TEXT.rstrip() + "\n\n") * times


def cpu_seconds(fn: Callable[[], object], rounds: int = 3) -> float:
    best = float("inf")
    for _ in range(rounds):
        started = time.process_time()
        fn()
        best = min(best, time.process_time() - started)
    return max(best, 1e-4)


def growth(fn: Callable[[str], object], small: str, large: str) -> float:
    return cpu_seconds(lambda: fn(large)) / cpu_seconds(lambda: fn(small))


# -- 1. a big report: every step before embedding grows linearly -----------------------------


@pytest.mark.parametrize(
    "step",
    [glued_headings, line_headings, split_sections],
    ids=["glued_headings", "line_headings", "split_sections"],
)
def test_heading_detection_grows_linearly_with_the_text(step: Callable[[str], object]) -> None:
    assert growth(step, repeated(2), repeated(2 * GROWTH)) < LINEAR_BOUND


def test_heading_lines_grow_linearly_with_their_number() -> None:
    # a report of many short sections: every other line a heading candidate
    def sections(n: int) -> str:
        return "".join(f"Key Finding Number {i}\n\nThe share rose to {i}%.\n\n" for i in range(n))

    assert growth(line_headings, sections(3000), sections(3000 * GROWTH)) < LINEAR_BOUND


def test_sentences_and_leaves_grow_linearly_with_the_number_of_sections() -> None:
    def sectioned(copies: int) -> tuple[str, list[Section]]:
        text = repeated(copies)
        step = len(text) // (40 * copies)  # 40 sections per copy, each with its own title
        sections = [
            Section(f"Part {i}", i * step, (i + 1) * step) for i in range(len(text) // step)
        ]
        return text, sections

    small, large = sectioned(2), sectioned(2 * GROWTH)
    leaves = cpu_seconds(lambda: leaf_spans(large[1], len(large[0]))) / cpu_seconds(
        lambda: leaf_spans(small[1], len(small[0]))
    )
    assert leaves < LINEAR_BOUND
    sentences = cpu_seconds(lambda: report_sentences("r", *large)) / cpu_seconds(
        lambda: report_sentences("r", *small)
    )
    assert sentences < LINEAR_BOUND


def test_planning_a_report_grows_linearly(tmp_path: Path) -> None:
    def folder(copies: int) -> Path:
        path = tmp_path / f"report-x{copies}"
        path.mkdir()
        (path / "report.txt").write_text(repeated(copies), encoding="utf-8")
        return path

    small, large = folder(2), folder(2 * GROWTH)
    ratio = cpu_seconds(lambda: plan_report(large, "fp"), 2) / cpu_seconds(
        lambda: plan_report(small, "fp"), 2
    )
    assert ratio < LINEAR_BOUND


def test_speedups_keep_what_the_steps_find() -> None:
    # a glued heading that recurs is a name, not a heading; one that occurs once is a heading
    text = "Intro text.DemographyTo start with, 10 people.ResultsOur YouTube data.YouTube is big."
    assert [h.title for h in glued_headings(text)] == ["Demography", "Results"]
    nested = [Section("A", 0, 100), Section("A › b", 20, 40, "A"), Section("C", 100, 150)]
    assert leaf_spans(nested, 160) == [
        ("A", 0, 20),
        ("A › b", 20, 40),
        ("A", 40, 100),
        ("C", 100, 150),
    ]


def test_a_report_over_the_size_limit_is_refused_with_the_option_to_raise_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "corpus" / "big"
    folder.mkdir(parents=True)
    (folder / "report.txt").write_text(repeated(60), encoding="utf-8")  # 1.4 MB
    code = main(["--corpus-dir", str(folder.parent), "ingest", "--max-size", "1MB"])
    err = capsys.readouterr().err
    assert code == 2
    assert "report.txt: the report is 1.3 MB; the limit is 1.0 MB" in err
    assert "--max-size 2MB" in err
    assert parse_size("50MB") == 50 * MB and parse_size("1.5 kb") == 1536


# -- 2. a bad file among the tables ----------------------------------------------------------


def _bad_tables(kind: str, tables: Path) -> Path:
    bad = tables / ("x.csv" if kind == "folder" else f"{kind}.csv")
    if kind == "loop":
        os.symlink(bad.name, bad)  # points at itself
    elif kind == "dangling":
        os.symlink("nowhere.csv", bad)
    else:
        bad.mkdir()
    return bad


@pytest.mark.parametrize(
    ("kind", "said"),
    [("loop", "a symlink loop"), ("folder", "is a folder"), ("dangling", "a broken link")],
)
def test_a_table_that_is_no_file_is_a_one_line_error_naming_it(
    kind: str, said: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "corpus" / "aiia-2023"
    shutil.copytree(BUNDLED_REPORT, folder)
    bad = _bad_tables(kind, folder / "tables")
    code = main(["--corpus-dir", str(folder.parent), "ingest"])
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1 and "Traceback" not in err
    assert f"survey-rag ingest: error: {bad}: {said}" in err


@pytest.mark.model
def test_status_names_the_bad_table_of_an_indexed_report(
    indexed_settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data_dir = tmp_path / "index"
    shutil.copytree(indexed_settings.data_dir, data_dir)
    # the index records the bundled folder; a copy of the index with a copy of the folder
    folder = tmp_path / "corpus" / "aiia-2023"
    shutil.copytree(BUNDLED_REPORT, folder)
    ingest(Settings(data_dir=data_dir, corpus_dir=folder.parent))
    bad = _bad_tables("loop", folder / "tables")
    code = main(["--data-dir", str(data_dir), "--corpus-dir", str(folder.parent), "status"])
    out = capsys.readouterr().out
    assert code == 0
    assert "stale: its folder no longer reads" in out and str(bad) in out


# -- 3. a damaged index ------------------------------------------------------------------------


def _damage(data_dir: Path) -> None:
    path = data_dir / "chroma" / "chroma.sqlite3"
    with path.open("r+b") as f:
        f.seek(path.stat().st_size // 2)
        f.write(os.urandom(64 * 1024))


@pytest.mark.model
def test_a_damaged_index_says_so_and_ingest_rebuild_moves_it_aside(
    indexed_settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data_dir = tmp_path / "index"
    shutil.copytree(indexed_settings.data_dir, data_dir)
    _damage(data_dir)
    base = ["--data-dir", str(data_dir)]
    for command in (["status"], ["ask", "Who was surveyed?"], ["ingest"], ["ingest", "--force"]):
        assert main(base + command) == 2, command
        err = capsys.readouterr().err
        assert f"the index at {data_dir / 'chroma'} is damaged" in err, command
        assert "'survey-rag ingest --rebuild'" in err and err.count("\n") == 1
    with pytest.raises(IndexBroken):
        open_index(Settings(data_dir=data_dir))

    assert main([*base, "ingest", "--rebuild", "--quiet"]) == 0
    out = capsys.readouterr().out
    [moved] = data_dir.glob("chroma.broken-*")
    assert f"moved the previous index aside to {moved}" in out
    assert (moved / "chroma.sqlite3").is_file()  # kept, never deleted
    assert len(open_index(Settings(data_dir=data_dir)).facts) > 20


def test_rebuild_refuses_a_chroma_server(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["--chroma-url", "http://127.0.0.1:9", "ingest", "--rebuild"])
    assert code == 2
    assert "--rebuild moves an embedded index folder aside" in capsys.readouterr().err


# -- 4. two writers ----------------------------------------------------------------------------


def test_a_second_writer_is_told_who_holds_the_lock(tmp_path: Path) -> None:
    from ingest.lock import lock_path, writer_lock

    folder = tmp_path / "corpus" / "aiia-2023"
    shutil.copytree(BUNDLED_REPORT, folder)
    settings = Settings(data_dir=tmp_path / "index", corpus_dir=folder.parent)
    with writer_lock(settings):
        with pytest.raises(IngestBusy, match=rf"another ingest is running \(pid {os.getpid()},"):
            ingest(settings)
    # a lock file left by a dead process holds nobody: flock died with it
    lock_path(settings).write_text(json.dumps({"pid": 999_999_999, "host": "x", "started": 0}))
    with writer_lock(settings):
        assert json.loads(lock_path(settings).read_text())["pid"] == os.getpid()


@pytest.mark.model
def test_an_ingest_started_during_another_waits_its_turn_and_orphans_go(
    indexed_settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data_dir = tmp_path / "index"
    shutil.copytree(indexed_settings.data_dir, data_dir)
    folder = tmp_path / "corpus" / "aiia-2023"
    shutil.copytree(BUNDLED_REPORT, folder)
    settings = Settings(data_dir=data_dir, corpus_dir=folder.parent)
    ingest(settings)  # the copy now records this folder
    active = read_pointers(open_client(settings))["aiia-2023"].collection
    log = tmp_path / "first.log"
    env = {
        **os.environ,
        "SURVEY_RAG_DATA_DIR": str(data_dir),
        "SURVEY_RAG_CORPUS_DIR": str(folder.parent),
        "SURVEY_RAG_TEST_PAUSE_AFTER_WRITE": "120",
    }
    with log.open("w") as err:
        first = subprocess.Popen(
            [sys.executable, "-m", "rag", "ingest", "--force", "--quiet"],
            cwd=PROJECT_ROOT,
            env=env,
            stderr=err,
        )
    try:
        deadline = time.monotonic() + 120
        while "paused after the first write" not in log.read_text():
            assert first.poll() is None, log.read_text()
            assert time.monotonic() < deadline, "the first ingest never reached its first write"
            time.sleep(0.05)
        # the second writer neither crashes the first nor drops its half-built collection
        for args in (["ingest"], ["ingest", "--force"]):
            assert (
                main(["--data-dir", str(data_dir), "--corpus-dir", str(folder.parent), *args]) == 2
            )
            err = capsys.readouterr().err
            assert f"another ingest is running (pid {first.pid}, started " in err
        assert len(builds(open_client(settings))) == 2
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=30)
    finally:
        if first.poll() is None:
            first.kill()
            first.wait()

    # the killed build is an orphan; a no-op ingest removes it and keeps the active build
    summary = ingest(settings)
    assert summary.skipped
    assert list(builds(open_client(settings))) == [active]


@pytest.mark.server
def test_a_chroma_server_lock_is_a_lease(chroma_server: ChromaServer) -> None:  # noqa: F811
    from ingest import lock as lock_module
    from ingest.lock import writer_lock
    from rag.index.store import meta_collection

    settings = Settings(chroma_url=chroma_server.url)
    client = open_client(settings)
    with writer_lock(settings, client):
        with pytest.raises(IngestBusy, match=rf"another ingest is running \(pid {os.getpid()},"):
            with writer_lock(settings, open_client(settings)):
                pass
        assert read_pointers(client) == {}  # the lock record is not a report
    with writer_lock(settings, client):
        pass  # released, so free again
    # a lease its holder stopped renewing (killed) expires
    lock_module._write_claim(
        meta_collection(client), lock_module.Holder(pid=1, host="elsewhere", started=0.0)
    )
    with pytest.raises(IngestBusy, match="pid 1 on elsewhere"):
        with writer_lock(settings, client):
            pass
    got = meta_collection(client).get(ids=[lock_module.LOCK_RECORD], include=["documents"])
    claim = json.loads(got["documents"][0])
    claim["expires"] = time.time() - 1
    meta_collection(client).upsert(
        ids=[lock_module.LOCK_RECORD], embeddings=[[1.0]], documents=[json.dumps(claim)]
    )
    with writer_lock(settings, client):
        pass


# -- 5. undecodable bytes in a question ----------------------------------------------------------


def test_undecodable_bytes_and_controls_are_dropped_from_a_question() -> None:
    raw = b"What share felt understaffed? \xff".decode("utf-8", "surrogateescape")
    assert check_question(raw, 2000) == "What share felt understaffed?"
    assert check_question("a\ufffdb\x00c", 2000) == "abc"


@pytest.mark.model
def test_ask_and_chat_take_a_question_with_undecodable_bytes(
    indexed_settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("SURVEY_RAG_DATA_DIR", str(indexed_settings.data_dir))
    raw = b"What share felt understaffed? \xff".decode("utf-8", "surrogateescape")
    assert main(["ask", raw]) == 0
    assert "58.8%" in capsys.readouterr().out

    lines = b"What share felt understaffed? \xff\nWho was surveyed?\nexit\n"
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(lines), encoding="utf-8"))
    assert main(["chat"]) == 0
    out = capsys.readouterr().out
    # both questions answered: the session went on past the undecodable byte
    assert out.count("you> ") == 3 and "error" not in out
    assert "58.8%" in out and out.count("[1]") >= 2


def test_the_chat_goes_on_after_any_survey_rag_error() -> None:
    from rag.commands import chat_loop
    from rag.errors import StoreUnavailable

    asked = iter(["first", "second", "exit"])
    written: list[str] = []

    def answer_fn(question: str, history: list[dict[str, str]]):  # type: ignore[no-untyped-def]
        raise StoreUnavailable(f"store gone while answering {question}")

    assert chat_loop(answer_fn, lambda _: next(asked), written.append) == 0
    assert "error: store gone while answering first" in written
    assert "error: store gone while answering second" in written


# -- 6. CLI and API edges ------------------------------------------------------------------------


def test_a_closed_pipe_ends_the_command_quietly(tmp_path: Path) -> None:
    env = {**os.environ, "SURVEY_RAG_DATA_DIR": str(tmp_path / "none")}
    process = subprocess.Popen(
        [sys.executable, "-m", "rag", "status"],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert process.stdout is not None and process.stderr is not None
    process.stdout.close()  # like `| head` that already has what it wanted
    err = process.stderr.read().decode()
    assert process.wait(timeout=60) == 141
    assert "Traceback" not in err and "BrokenPipeError" not in err


def test_a_malformed_chroma_url_is_a_one_line_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--chroma-url", "http://[::1", "status"]) == 2
    err = capsys.readouterr().err
    assert "the Chroma URL 'http://[::1' is not a valid URL" in err and err.count("\n") == 1
    assert main(["--chroma-url", "ftp://host:1", "status"]) == 2
    assert "must start with http:// or https://" in capsys.readouterr().err


def test_a_malformed_setting_is_a_one_line_error(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SURVEY_RAG_TOP_K", "many")
    assert main(["status"]) == 2
    err = capsys.readouterr().err
    assert "setting top_k = 'many' is not usable" in err and "SURVEY_RAG_TOP_K" in err


def test_questions_are_measured_after_stripping_and_must_be_strings() -> None:
    import rag

    padded = "  " + "x" * 2000 + " " * 500
    assert check_question(padded, 2000) == "x" * 2000
    with pytest.raises(TypeError, match="the question must be a string"):
        rag.answer(12345)  # type: ignore[arg-type]


def test_every_setting_has_a_command_line_option(tmp_path: Path) -> None:
    from rag.cli import _settings, build_parser

    args = build_parser().parse_args(
        [
            "--model-dir",
            str(tmp_path),
            "--report",
            "aiia-2023",
            "--top-k",
            "5",
            "--llm",
            "openai",
            "--llm-base-url",
            "http://127.0.0.1:9/v1",
            "--llm-model",
            "m",
            "--llm-timeout",
            "5",
            "ui",
            "--concurrency",
            "2",
        ]
    )
    settings = _settings(args)
    assert (settings.model_dir, settings.report, settings.top_k) == (tmp_path, "aiia-2023", 5)
    assert (settings.llm, settings.llm_base_url, settings.llm_model) == (
        "openai",
        "http://127.0.0.1:9/v1",
        "m",
    )
    assert (settings.llm_timeout, settings.concurrency) == (5.0, 2)


# -- 7. untrusted corpus text ---------------------------------------------------------------------


def test_chart_labels_are_drawn_as_plain_text() -> None:
    from rag.types import Chart, ChartRow
    from ui.charts import chart_figure

    labels = ['=HYPERLINK("http://x.io")', "$\\frac{1}{$ broken maths", "@SUM(A1)"]
    chart = Chart(
        table="t",
        caption="Costs in $ and $ again",
        unit="USD",
        rows=tuple(ChartRow(label, 10.0 + i) for i, label in enumerate(labels)),
    )
    figure = chart_figure([chart])
    assert figure is not None
    figure.savefig(io.BytesIO(), format="png")  # drawing it as mathtext would fail
    ax = figure.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == labels


def test_source_url_must_be_an_http_link(tmp_path: Path) -> None:
    import dataclasses

    from ingest.corpus import load_report
    from ui.render import about_html
    from ui.throttle import LoginThrottle  # noqa: F401 - the UI package imports cleanly

    folder = tmp_path / "aiia-2023"
    shutil.copytree(BUNDLED_REPORT, folder)
    toml = folder / "report.toml"
    original = toml.read_text(encoding="utf-8")
    toml.write_text('source_url = "javascript:alert(1)"\n' + original, encoding="utf-8")
    with pytest.raises(CorpusError, match=r"report.toml: source_url 'javascript:alert\(1\)'"):
        load_report(folder)
    toml.write_text('source_url = "https://example.org/r"\n' + original, encoding="utf-8")
    info, _ = load_report(folder)
    assert info.source_url == "https://example.org/r"
    assert 'href="https://example.org/r"' in about_html([info])
    # an index built before this check still never renders a script link
    hostile = dataclasses.replace(info, source_url="javascript:alert(1)")
    assert "javascript:" not in about_html([hostile]) and "href" not in about_html([hostile])


# -- 8. login guessing -------------------------------------------------------------------------


@pytest.mark.parametrize("client_address", ["127.0.0.2"])
def test_wrong_logins_are_slowed_per_client(client_address: str) -> None:
    import httpx

    from tests.ui_support import FakeAnswerer, bundled_report, serve
    from ui.app import build_app, launch_options, login_throttle

    settings = Settings(auth="analyst:s3cret")
    options = launch_options(settings)
    assert "middleware" in options["app_kwargs"]  # what `survey-rag ui --auth` launches with
    app = build_app(FakeAnswerer(), [bundled_report()], settings)
    limits = login_throttle(free=3, first_wait=1.0)
    with serve(app, auth=options["auth"], app_kwargs=limits) as url:
        wrong = {"username": "analyst", "password": "guess"}
        right = {"username": "analyst", "password": "s3cret"}
        with httpx.Client(base_url=url, timeout=10) as guesser:
            codes = [guesser.post("login", data=wrong).status_code for _ in range(6)]
            assert codes[:3] == [400, 400, 400]  # typos are free
            assert codes[3] == 400 and codes[4:] == [429, 429]  # then a wait, unchecked
            blocked = guesser.post("login", data=right)
            assert blocked.status_code == 429  # not even the right password during the wait
            assert 1 <= int(blocked.headers["retry-after"]) <= 2
        # another address is not held up by the guesser
        other = httpx.HTTPTransport(local_address=client_address)
        with httpx.Client(base_url=url, timeout=10, transport=other) as colleague:
            assert colleague.post("login", data=right).status_code == 200
        time.sleep(float(blocked.headers["retry-after"]) + 0.2)
        with httpx.Client(base_url=url, timeout=10) as user:
            assert user.post("login", data=right).status_code == 200
            assert user.post("login", data=wrong).status_code == 400  # the count starts afresh


@pytest.mark.model
def test_bench_ingest_size_prints_seconds_per_mb(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["bench", "ingest", "--size", "100KB,200KB"]) == 0
    out = capsys.readouterr().out
    assert "100 KB" in out and "200 KB" in out and "s/MB" in out
    assert main(["bench", "ingest", "--size", "10 parsecs"]) == 2
