"""Draw the result tables an answer cites as bar charts, the cited rows highlighted."""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from typing import TYPE_CHECKING

from rag.text.numbers import QUALIFIER_WORDS
from rag.types import Chart, ChartRow

if TYPE_CHECKING:
    from matplotlib.figure import Figure

CITED = "#ea580c"  # Gradio's default accent, so the chart matches the buttons
OTHER = "#cbd5e1"
INK = "#334155"


def format_bar_value(row: ChartRow, unit: str) -> str:
    """The label printed at the end of a bar, e.g. '58.8%', 'over 80%', '$200M'."""
    number = f"{row.value:,.1f}".rstrip("0").rstrip(".")
    if unit == "%":
        shown = f"{number}%"
    elif unit == "USD":
        shown = f"${number}"
    elif unit:
        shown = f"{number} {unit}"
    else:
        shown = number
    return QUALIFIER_WORDS.get(row.qualifier, "") + shown


def chart_figure(charts: Sequence[Chart]) -> Figure | None:
    """One horizontal bar chart per table, stacked; None when there is nothing to draw."""
    charts = [c for c in charts if c.rows]
    if not charts:
        return None
    # The object-oriented API (no pyplot) keeps drawing thread-safe under the UI's worker pool.
    from matplotlib.figure import Figure
    from matplotlib.patches import Patch

    heights = [1.3 + 0.42 * len(c.rows) for c in charts]
    fig = Figure(figsize=(6.4, sum(heights)), dpi=110, layout="constrained")
    axes = fig.subplots(len(charts), 1, squeeze=False, height_ratios=heights)[:, 0]
    for ax, chart in zip(axes, charts, strict=True):
        rows = list(chart.rows)
        labels = [textwrap.fill(r.label, 30) for r in rows]
        values = [r.value for r in rows]
        colors = [CITED if r.marked else OTHER for r in rows]
        positions = list(range(len(rows)))
        ax.barh(positions, values, color=colors, height=0.62)
        # labels come from the corpus: drawn as plain text, never as mathtext ("$...$")
        ax.set_yticks(positions, labels, fontsize=8.5, color=INK, parse_math=False)
        ax.invert_yaxis()  # first row of the table on top
        for tick, row in zip(ax.get_yticklabels(), rows, strict=True):
            if row.marked:
                tick.set_fontweight("bold")
        top = max(values) if values else 1.0
        ax.set_xlim(0, top * 1.22 if top > 0 else 1)
        for y, row in zip(positions, rows, strict=True):
            ax.text(
                row.value + top * 0.015,
                y,
                format_bar_value(row, chart.unit),
                va="center",
                fontsize=8.5,
                color=INK,
                fontweight="bold" if row.marked else "normal",
                parse_math=False,
            )
        ax.set_title(
            textwrap.fill(chart.caption, 60), fontsize=9.5, color=INK, loc="left", parse_math=False
        )
        ax.tick_params(axis="x", labelsize=8, colors="#64748b")
        ax.tick_params(axis="y", length=0)
        for side in ("top", "right", "left"):
            ax.spines[side].set_visible(False)
        ax.spines["bottom"].set_color(OTHER)
    if any(r.marked for c in charts for r in c.rows):
        fig.legend(
            handles=[Patch(color=CITED, label="cited in the answer")],
            loc="outside lower right",
            fontsize=8,
            frameon=False,
        )
    return fig
