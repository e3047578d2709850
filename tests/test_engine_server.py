"""A user's own report (no tables) in a real `chroma run` server, and the server going away."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.pipeline import ingest
from rag.cli import main
from rag.engine import Engine
from rag.errors import StoreUnavailable
from rag.settings import Settings
from rag.text.numbers import extract_figures
from tests.chroma_server import running_chroma_server

USER_REPORT = """# Remote work survey 2024

## Who answered

We asked 250 managers at mid-sized firms.Most of them run teams of ten to fifty people.

## Results

Over 60% said their teams were more productive at home. Only 12% wanted everyone back in the \
office full time.The rest preferred a hybrid week. Managers in the U.S. were the most positive.
"""


@pytest.mark.server
@pytest.mark.model
def test_user_report_in_a_server_then_the_server_stops(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "remote-work-2024"
    folder.mkdir()
    (folder / "report.md").write_text(USER_REPORT, encoding="utf-8")
    with running_chroma_server(tmp_path / "chroma") as server:
        settings = Settings(chroma_url=server.url, corpus_dir=tmp_path)
        ingest(settings, [folder])
        engine = Engine(settings, chat_model=None)

        a = engine.answer("What share of managers wanted everyone back in the office?")
        assert a.grounded and "12%" in a.text
        assert any("12% wanted everyone back" in c.quote for c in a.citations)

        b = engine.answer("What share of managers were based in Germany?")
        assert not b.grounded and extract_figures(b.text) == []

        # A report without tables: figures come straight from its sentences.
        assert "250 managers" in engine.answer("How many managers were asked?").text
        c = engine.answer("What share did not want everyone back in the office?")
        assert "100% − 12% = 88%" in c.text
        d = engine.answer("Which managers were the most positive?")
        assert "Managers in the U.S. were the most positive" in d.text  # "U.S." is no end
        e = engine.answer("Who answered the survey?")
        assert e.grounded and "We asked 250 managers" in e.text  # found by its section title

    with pytest.raises(StoreUnavailable, match=server.url):
        engine.answer("What share of managers preferred a hybrid week?")
    assert main(["--chroma-url", server.url, "ask", "Who answered?"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
