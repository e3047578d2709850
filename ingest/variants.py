"""Made-up variants of a real report folder, for scale benchmarks: same shape, other figures.

A variant of a report folder (report.txt + report.toml + tables/*.csv) is made by:

- shuffling the topics inside each top-level section that has them (each topic's text moves
  with it; report.toml lists them in their new text order);
- altering every percentage the text states ("58.8%") by a few points, the same way
  everywhere it appears: in the text, in report.toml's snippets, and in the tables' cells (a
  row's value follows only when its source sentence states that percentage);
- appending an "Appendix" section that repeats some of the report's paragraphs, so a variant
  holds a few more passages than the original;
- giving it its own id, title and short name.

Every variant is then an ordinary report folder that ingest validates like any other.
"""

from __future__ import annotations

import csv
import io
import json
import random
import re
import tomllib
from pathlib import Path
from typing import Any

_PERCENT = re.compile(r"(?<![\d.])(\d{1,2}(?:\.\d)?)%")
APPENDIX = "Appendix"


def make_variants(source: Path, out: Path, count: int, seed: int = 0) -> list[Path]:
    """Write ``count`` variant folders of the report folder ``source`` under ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    return [
        make_variant(source, out / f"{source.name}-v{i + 1:03d}", i + 1, seed) for i in range(count)
    ]


def make_variant(source: Path, dest: Path, number: int, seed: int = 0) -> Path:
    """One variant of ``source`` at ``dest`` (see the module docstring for how it differs)."""
    from ingest.corpus import load_report
    from ingest.sections import load_sections

    rng = random.Random(f"{seed}:{number}")
    info, text = load_report(source)
    meta = tomllib.loads((source / "report.toml").read_text(encoding="utf-8"))
    sections = load_sections(info, text, source)
    text, meta = _shuffle_topics(text, meta, sections, rng)
    text, meta = _append_repeats(text, meta, rng)
    figures = _figure_map(text, rng)
    text = _alter(text, figures)
    meta = _alter_meta(meta, figures, dest.name, number)
    dest.mkdir(parents=True, exist_ok=True)
    (dest / "report.txt").write_text(text, encoding="utf-8")
    (dest / "report.toml").write_text(dump_toml(meta), encoding="utf-8")
    tables = dest / "tables"
    tables.mkdir(exist_ok=True)
    for table in sorted((source / "tables").glob("*.csv")):
        rows = list(csv.DictReader(io.StringIO(table.read_text(encoding="utf-8"))))
        buffer = io.StringIO()
        writer = csv.DictWriter(
            buffer, fieldnames=list(rows[0]) if rows else [], lineterminator="\n"
        )
        writer.writeheader()
        for row in rows:
            writer.writerow(_alter_row(row, figures))
        (tables / table.name).write_text(buffer.getvalue(), encoding="utf-8")
    return dest


def _shuffle_topics(
    text: str, meta: dict[str, Any], sections: list[Any], rng: random.Random
) -> tuple[str, dict[str, Any]]:
    for sec in meta.get("sections", []):
        topics = sec.get("topics") or []
        if len(topics) < 2:
            continue
        children = [s for s in sections if s.parent == sec["title"]]
        if len(children) != len(topics):
            continue
        starts = [text.find(t["starts_at"]) for t in topics]
        end = max(c.end for c in children)
        if min(starts) < 0 or starts != sorted(starts):
            continue
        blocks = [text[a:b].rstrip() for a, b in zip(starts, [*starts[1:], end], strict=True)]
        order = list(range(len(topics)))
        rng.shuffle(order)
        text = (
            text[: starts[0]].rstrip()
            + "\n"
            + "\n".join(blocks[i] for i in order)
            + "\n"
            + text[end:].lstrip(" \t")
        )
        sec["topics"] = [topics[i] for i in order]
    return text, meta


def _append_repeats(text: str, meta: dict[str, Any], rng: random.Random) -> tuple[str, dict]:
    # before the closing web-address block, which belongs to no section
    from ingest.sections import body_end

    end = body_end(text)
    lines = [line for line in text[:end].splitlines() if len(line) > 300]
    picked = rng.sample(lines, k=min(len(lines), 3))
    appendix = f"\n{APPENDIX}\n" + "\n".join(picked) + "\n"
    meta.setdefault("sections", []).append({"title": APPENDIX, "heading": APPENDIX})
    return text[:end].rstrip() + "\n" + appendix + text[end:], meta


def _figure_map(text: str, rng: random.Random) -> dict[str, str]:
    """Each percentage the text states -> the one the variant states instead."""
    mapping: dict[str, str] = {}
    for raw in sorted(set(_PERCENT.findall(text))):
        value = float(raw)
        decimals = 1 if "." in raw else 0
        new = raw
        while new == raw or new in mapping.values():
            shifted = min(99.0, max(1.0, value + rng.uniform(-4, 4)))
            new = f"{shifted:.{decimals}f}"
        mapping[raw] = new
    return mapping


def _alter(text: str, figures: dict[str, str]) -> str:
    return _PERCENT.sub(lambda m: f"{figures.get(m.group(1), m.group(1))}%", text)


def _alter_meta(meta: dict[str, Any], figures: dict[str, str], rid: str, n: int) -> dict:
    meta = dict(meta)
    meta["id"] = rid
    meta["title"] = f"{meta.get('title', rid)} (made-up variant {n})"
    meta["short"] = f"{meta.get('short') or rid} v{n}"
    for sec in meta.get("sections", []):
        for topic in sec.get("topics") or []:
            topic["starts_at"] = _alter(topic["starts_at"], figures)
    return meta


def _alter_row(row: dict[str, str], figures: dict[str, str]) -> dict[str, str]:
    altered = {k: _alter(v, figures) if k != "value" else v for k, v in row.items()}
    if row.get("unit") == "%":
        stated = {float(raw): raw for raw in _PERCENT.findall(row.get("source", ""))}
        raw = stated.get(float(row["value"]))
        if raw is not None and raw in figures:
            altered["value"] = figures[raw]
    return altered


def dump_toml(meta: dict[str, Any]) -> str:
    """report.toml's shape (scalars, string lists, [[sections]] with [[sections.topics]])."""

    def value(v: Any) -> str:
        if isinstance(v, bool):
            return "true" if v else "false"
        if isinstance(v, int | float):
            return str(v)
        if isinstance(v, list):
            return "[" + ", ".join(value(x) for x in v) + "]"
        return json.dumps(str(v), ensure_ascii=False)

    lines = [f"{k} = {value(v)}" for k, v in meta.items() if k != "sections"]
    for sec in meta.get("sections", []):
        lines += ["", "[[sections]]"]
        lines += [f"{k} = {value(v)}" for k, v in sec.items() if k != "topics"]
        for topic in sec.get("topics") or []:
            lines += ["", "[[sections.topics]]"]
            lines += [f"{k} = {value(v)}" for k, v in topic.items()]
    return "\n".join(lines) + "\n"
