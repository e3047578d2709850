"""Turn answers, citations and reports into safe HTML for the chat UI.

Everything that comes from a user, a model or a report is HTML-escaped here, and each chat
message is one ``<div>`` with no blank line inside, so the chatbot's Markdown renderer treats
it as a raw HTML block and never interprets the (escaped) text as Markdown.
"""

from __future__ import annotations

import dataclasses
import re
from html import escape
from typing import Any
from urllib.parse import urlsplit

from rag.text.sentences import split_sentences
from rag.types import Answer, Citation, ReportInfo

# How much of the report to show either side of a cited sentence, at most.
CONTEXT_CHARS = 450
_MARKER = re.compile(r"\[(\d+)\]")
# A sentence ends at . ! ? (optionally closed by a quote or bracket); the report often omits the
# space after the full stop ("vacation.All"), so a capital letter may follow directly.


def _text(value: str) -> str:
    """Escape text and keep its line breaks, without ever producing a blank line."""
    return escape(value.strip()).replace("\r\n", "\n").replace("\n", "<br>")


def _with_markers(text: str, known: set[int]) -> str:
    """Escaped answer text with its [n] markers drawn as small citation badges."""

    def badge(match: re.Match[str]) -> str:
        number = int(match.group(1))
        if number not in known:
            return match.group(0)
        return f'<sup class="sr-ref">[{number}]</sup>'

    return _MARKER.sub(badge, _text(text))


def user_message(question: str, limit: int = 600) -> str:
    """The user's question as a chat message; very long input is shown shortened."""
    shown = question if len(question) <= limit else question[:limit] + "…"
    suffix = (
        f'<div class="sr-muted">({len(question):,} characters)</div>'
        if len(question) > limit
        else ""
    )
    return f'<div class="sr-question">{_text(shown)}{suffix}</div>'


def pending_message() -> str:
    """Placeholder shown while the engine is working."""
    return '<div class="sr-answer sr-pending">Searching the report…</div>'


def partial_message(text: str) -> str:
    """An answer while it is still streaming in (no sources yet)."""
    return f'<div class="sr-answer">{_text(text)}</div>'


def error_message(message: str) -> str:
    """A user-facing error (never a traceback), styled apart from answers."""
    return (
        '<div class="sr-answer sr-error"><span class="sr-badge sr-badge-error">'
        f"Could not answer</span> {_text(message)}</div>"
    )


def plan_html(answer: Answer) -> str:
    """How the question was read, folded away under the answer."""
    if answer.plan is None:
        return ""
    return (
        '<details class="sr-plan"><summary>How the question was read</summary>'
        f"<pre>{escape(answer.plan.explain())}</pre></details>"
    )


def answer_message(answer: Answer) -> str:
    """The final answer: text with citation badges, then each source's section and quote."""
    if not answer.grounded:
        return (
            '<div class="sr-answer sr-refusal"><span class="sr-badge sr-badge-refusal">'
            f"Not in the report</span> {_text(answer.text)}{plan_html(answer)}</div>"
        )
    known = {c.id for c in answer.citations}
    text = _with_markers(answer.text, known)
    parts = [f'<div class="sr-answer"><div class="sr-text">{text}</div>']
    if answer.citations:
        parts.append('<div class="sr-sources">')
        for c in answer.citations:
            parts.append(
                f'<div class="sr-source"><span class="sr-num">{c.id}</span><span>'
                f'<span class="sr-section">{escape(c.section)}</span> '
                f'<span class="sr-quote">“{_text(c.quote)}”</span></span></div>'
            )
        parts.append("</div>")
    if answer.guard_replaced:
        parts.append(
            '<div class="sr-muted">The model’s answer stated a figure the report does not '
            "support, so the quoted sentences are shown instead.</div>"
        )
    parts.append(plan_html(answer))
    parts.append("</div>")
    return "".join(parts)


def sources_panel(answer: Answer | None, selected: int | None = None) -> str:
    """Clickable source cards for one answer; ``data-cite`` carries the citation id."""
    if answer is None:
        return (
            '<div class="sr-panel-empty">Ask a question: its sources appear here. '
            "Click one to read it in the report.</div>"
        )
    if not answer.citations:
        return '<div class="sr-panel-empty">This answer cites no sources.</div>'
    heading = "Sources" if answer.grounded else "Closest passages (they do not answer it)"
    cards = [
        f'<div class="sr-panel-title">{heading}'
        '<span class="sr-plain"> · click one to read it in context</span></div>'
    ]
    for c in answer.citations:
        active = " sr-card-active" if c.id == selected else ""
        cards.append(
            f'<div role="button" tabindex="0" class="sr-card{active}" data-cite="{c.id}">'
            f'<span class="sr-num">{c.id}</span>'
            f'<span class="sr-card-body"><span class="sr-section">{escape(c.section)}</span>'
            f'<span class="sr-quote">“{escape(c.quote)}”</span></span></div>'
        )
    return "".join(cards)


def _span(citation: Citation, text: str) -> tuple[int, int] | None:
    """Where the cited sentence sits in the report text, if we can tell."""
    start, end = citation.start, citation.end
    if start is not None and end is not None and 0 <= start < end <= len(text):
        return start, end
    found = text.find(citation.quote.strip()) if citation.quote.strip() else -1
    if found >= 0:
        return found, found + len(citation.quote.strip())
    return None


def context_window(text: str, start: int, end: int, chars: int = CONTEXT_CHARS) -> tuple[int, int]:
    """The paragraph around [start, end), trimmed to whole sentences within ``chars`` each side."""
    para_start = text.rfind("\n", 0, start) + 1
    para_end = text.find("\n", end)
    para_end = len(text) if para_end < 0 else para_end
    spans = split_sentences(text, para_start, para_end)
    # the earliest sentence start and the latest sentence end within reach, so none is cut
    lo = min((s for s, _ in spans if start - chars <= s <= start), default=start)
    hi = max((e for _, e in spans if end <= e <= end + chars), default=end)
    return lo, hi


def _plain_context(
    citation: Citation, report: ReportInfo | None
) -> tuple[str, tuple[int, int] | None]:
    """The text to show (markup stripped, when the report had any) and the cited span in it.

    Citation offsets index the report file; a Markdown or HTML report is shown as its plain
    text, so the span is mapped through the report's offset runs.
    """
    if report is None or not report.text:
        return "", None
    if not report.plain:
        return report.text, _span(citation, report.text)
    from rag.text.offsets import plain_span

    plain = report.plain
    start, end = citation.start, citation.end
    if start is not None and end is not None and 0 <= start < end <= len(report.text):
        lo, hi = plain_span(report.offsets, start, end)
        if lo < hi:
            return plain, (lo, hi)
    quote = citation.quote.strip()
    found = plain.find(quote) if quote else -1
    return plain, ((found, found + len(quote)) if found >= 0 else None)


def context_html(citation: Citation, report: ReportInfo | None) -> str:
    """The cited sentence inside its surrounding paragraph, the quote in ``<mark>``."""
    title = escape(report.title) if report else escape(citation.report)
    head = (
        '<div class="sr-panel-title">In the report'
        f'<span class="sr-plain"> · {title}</span></div>'
        f'<div class="sr-context-head"><span class="sr-num">{citation.id}</span>'
        f'<span class="sr-section">{escape(citation.section)}</span></div>'
    )
    text, span = _plain_context(citation, report)
    if span is None:
        body = f"<mark>{escape(citation.quote)}</mark>"
        return f'<div class="sr-context">{head}<p class="sr-context-body">{body}</p></div>'
    start, end = span
    lo, hi = context_window(text, start, end)
    before = escape(text[lo:start].lstrip())
    after = escape(text[end:hi].rstrip())
    lead = "… " if lo > 0 and text[lo - 1] != "\n" else ""
    tail = " …" if hi < len(text) and text[hi : hi + 1] != "\n" else ""
    body = f"{lead}{before}<mark>{escape(text[start:end])}</mark>{after}{tail}"
    return f'<div class="sr-context">{head}<p class="sr-context-body">{body}</p></div>'


def context_placeholder() -> str:
    """What the context pane shows before a source is clicked."""
    return '<div class="sr-panel-empty">The passage you click appears here, highlighted.</div>'


def web_link(url: str | None) -> bool:
    """Whether ``url`` may become a link: http(s) only, never javascript:, data: or file:."""
    if not url:
        return False
    try:
        parts = urlsplit(url.strip())
        return parts.scheme.lower() in ("http", "https") and bool(parts.hostname)
    except ValueError:
        return False


def about_html(reports: list[ReportInfo]) -> str:
    """Title, publisher, who was surveyed and the sections of each indexed report."""
    if not reports:
        return '<div class="sr-panel-empty">No report is indexed.</div>'
    blocks = []
    for r in reports:
        link = (
            f' · <a href="{escape(r.source_url or "", quote=True)}" target="_blank" '
            f'rel="noopener noreferrer">source</a>'
            if web_link(r.source_url)
            else ""
        )
        sections = "".join(f"<li>{escape(s)}</li>" for s in r.sections)
        blocks.append(
            '<div class="sr-about">'
            f'<div class="sr-about-title">{escape(r.title)}</div>'
            f'<div class="sr-muted">{escape(r.publisher)}, {r.year}{link}</div>'
            f'<div class="sr-row"><span class="sr-label">Who was surveyed</span>'
            f"<span>{escape(r.surveyed)}</span></div>"
            f'<div class="sr-row"><span class="sr-label">Sections</span>'
            f'<ul class="sr-about-sections">{sections}</ul></div></div>'
        )
    return "".join(blocks)


def model_html(answer: Answer | None) -> str:
    """Which answerer produced the last answer and whether the numeric guard stepped in."""
    if answer is None:
        return '<div class="sr-muted">No question answered yet.</div>'
    if answer.model == "extractive":
        who = "extractive (sentences quoted from the report, no language model)"
    else:
        who = escape(answer.model)
    guard = (
        "replaced the model's answer: it stated a figure the report does not support"
        if answer.guard_replaced
        else "did not step in"
    )
    note = (
        f'<div class="sr-row"><span class="sr-label">Note</span><span>{_text(answer.note)}</span>'
        "</div>"
        if answer.note
        else ""
    )
    return (
        '<div class="sr-model">'
        f'<div class="sr-row"><span class="sr-label">Last answer by</span><span>{who}</span></div>'
        f'<div class="sr-row"><span class="sr-label">Numeric guard</span>'
        f"<span>{guard}</span></div>{note}</div>"
    )


def answer_to_dict(answer: Answer) -> dict[str, Any]:
    """The answer as plain JSON-ready data for the API (retrieval internals left out)."""
    data = dataclasses.asdict(answer)
    data.pop("retrieved", None)
    return data
