"""A real ``chroma run`` server on a free loopback port, for server-mode tests.

Use the context manager directly, or import the ``chroma_server`` fixture into a test module
(or conftest) — it starts one server per module and stops it afterwards.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest


@dataclass(frozen=True)
class ChromaServer:
    url: str
    path: Path
    port: int
    process: subprocess.Popen[bytes]


def free_port() -> int:
    """A loopback TCP port nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def chroma_executable() -> str:
    """The ``chroma`` script of the running interpreter's environment."""
    beside = Path(sys.executable).parent / "chroma"
    found = str(beside) if beside.exists() else shutil.which("chroma")
    if not found:
        pytest.fail("the chroma command is not installed: run `make install`")
    return found


def _heartbeat(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/api/v2/heartbeat", timeout=1) as response:
            return bool(response.status == 200)
    except OSError:
        return False


@contextmanager
def running_chroma_server(path: Path, timeout: float = 30.0) -> Iterator[ChromaServer]:
    """Start ``chroma run --path PATH`` on a free loopback port; stop it on exit."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = path.parent / f"chroma-{port}.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [chroma_executable(), "run", "--path", str(path), "--host", "127.0.0.1"]
            + ["--port", str(port)],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + timeout
        while not _heartbeat(url):
            if process.poll() is not None:
                pytest.fail(
                    f"chroma run exited with {process.returncode}: {log.read_text()[-2000:]}"
                )
            if time.monotonic() > deadline:
                pytest.fail(f"chroma run did not answer within {timeout:.0f} s at {url}")
            time.sleep(0.1)
        yield ChromaServer(url, path, port, process)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="module")
def chroma_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ChromaServer]:
    """A real Chroma server for this module's tests."""
    with running_chroma_server(tmp_path_factory.mktemp("chroma-server") / "data") as server:
        yield server
