"""Map offsets between a report file and its plain text (markup stripped).

A reader strips markup (Markdown emphasis, HTML tags, a PDF's hyphenated line ends) but every
offset the product stores points into the file, so a citation highlights the span the user can
find. The map is kept as runs ``(plain index, file index)``: inside a run the two advance
together, so a 50,000-character report needs a few thousand pairs, not one per character.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence

Runs = Sequence[tuple[int, int]]


def compress(offsets: Sequence[int]) -> tuple[tuple[int, int], ...]:
    """Runs of a per-character map ``offsets[plain index] = file index``."""
    runs: list[tuple[int, int]] = []
    for i, raw in enumerate(offsets):
        if runs and raw == runs[-1][1] + (i - runs[-1][0]):
            continue
        runs.append((i, raw))
    return tuple(runs)


def to_raw(runs: Runs, plain_index: int) -> int:
    """The file index of the character at ``plain_index``."""
    if not runs:
        return plain_index
    k = max(bisect_right(runs, (plain_index, float("inf"))) - 1, 0)
    p, r = runs[k]
    return r + (plain_index - p)


def raw_span(runs: Runs, start: int, end: int) -> tuple[int, int]:
    """The file span ``[start, end)`` of the plain span ``[start, end)`` (``end > start``)."""
    if not runs:
        return start, end
    return to_raw(runs, start), to_raw(runs, end - 1) + 1


def _last_run(runs: Runs, raw_index: int, inclusive: bool) -> int:
    lo, hi = 0, len(runs)
    while lo < hi:
        mid = (lo + hi) // 2
        if runs[mid][1] < raw_index or (inclusive and runs[mid][1] == raw_index):
            lo = mid + 1
        else:
            hi = mid
    return lo - 1


def to_plain(runs: Runs, raw_index: int) -> int:
    """The first plain index whose character lies at or after ``raw_index`` in the file."""
    if not runs:
        return raw_index
    k = _last_run(runs, raw_index, inclusive=True)
    if k < 0:
        return 0
    p, r = runs[k]
    # raw_index fell in markup the run does not cover: snap to the next run's start
    nxt = runs[k + 1][0] if k + 1 < len(runs) else None
    plain = p + (raw_index - r)
    return plain if nxt is None or plain < nxt else nxt


def plain_span(runs: Runs, start: int, end: int) -> tuple[int, int]:
    """The plain span of the characters of the file span ``[start, end)``."""
    if not runs:
        return start, end
    s = to_plain(runs, start)
    k = _last_run(runs, end, inclusive=False)
    if k < 0:
        return s, s
    p, r = runs[k]
    nxt = runs[k + 1][0] if k + 1 < len(runs) else None
    e = p + (end - r)
    e = e if nxt is None else min(e, nxt)
    return s, max(e, s)
