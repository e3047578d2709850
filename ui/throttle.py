"""A back-off on wrong logins, per client address, in front of Gradio's ``/login`` route.

Gradio's password login answers every attempt at full speed and has no limit of its own, so a
guesser could try thousands of passwords a minute. This ASGI middleware counts failed logins
(Gradio answers 400) per client address: after ``free`` failures in a row, that address must
wait before its next attempt, twice as long after each further failure (up to ``longest``
seconds); meanwhile it gets ``429 Too Many Requests`` with ``Retry-After`` without the password
being checked. A successful login clears the count. Other routes and other clients are untouched.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

FREE_FAILURES = 5  # wrong logins in a row before any wait: typos are human
FIRST_WAIT = 1.0  # seconds after the first failure past the free ones; doubles each time
LONGEST_WAIT = 300.0
FORGET_AFTER = 3600.0  # a client quiet this long starts afresh


@dataclass
class _Record:
    failures: int = 0
    blocked_until: float = 0.0
    last: float = 0.0


class LoginThrottle:
    """ASGI middleware: exponential back-off on failed ``POST /login`` per client address."""

    def __init__(
        self,
        app: ASGIApp,
        free: int = FREE_FAILURES,
        first_wait: float = FIRST_WAIT,
        longest: float = LONGEST_WAIT,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.app = app
        self.free = free
        self.first_wait = first_wait
        self.longest = longest
        self.clock = clock
        self._records: dict[str, _Record] = {}
        self._lock = threading.Lock()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not _is_login(scope):
            await self.app(scope, receive, send)
            return
        client = (scope.get("client") or ("?", 0))[0]
        wait = self._wait(client)
        if wait > 0:
            await _too_many(send, wait)
            return
        status: list[int] = []

        async def watch(message: Message) -> None:
            if message["type"] == "http.response.start":
                status.append(int(message["status"]))
            await send(message)

        await self.app(scope, receive, watch)
        if status:
            self._record(client, ok=200 <= status[0] < 300)

    def _wait(self, client: str) -> float:
        with self._lock:
            record = self._records.get(client)
            return max(0.0, record.blocked_until - self.clock()) if record else 0.0

    def _record(self, client: str, ok: bool) -> None:
        now = self.clock()
        with self._lock:
            if ok:
                self._records.pop(client, None)
                return
            record = self._records.setdefault(client, _Record())
            record.failures += 1
            record.last = now
            over = record.failures - self.free
            if over > 0:
                record.blocked_until = now + min(self.longest, self.first_wait * 2 ** (over - 1))
            # forget quiet clients, so the table cannot grow without bound
            stale = [c for c, r in self._records.items() if now - r.last > FORGET_AFTER]
            for c in stale:
                del self._records[c]


def _is_login(scope: Scope) -> bool:
    if scope.get("type") != "http" or scope.get("method") != "POST":
        return False
    path = str(scope.get("path", "")).rstrip("/")
    return path == "/login" or path.endswith("/login")


async def _too_many(send: Send, wait: float) -> None:
    seconds = max(1, int(wait + 0.999))
    body = json.dumps(
        {"detail": f"Too many wrong logins from this address: try again in {seconds} s."}
    ).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 429,
            "headers": [
                (b"content-type", b"application/json"),
                (b"retry-after", str(seconds).encode()),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
