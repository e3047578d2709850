"""The evaluation cases: what a case holds and how the bundled set is read.

A case is a question (with optional chat history) plus what a right answer must contain:
expected figures (value, unit, qualifier, tolerance), required terms, figures it must not
state, whether it must be refused, and the report sentence(s) that hold the answer. Derived
cases name their input figures with their sentences and the arithmetic that joins them.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rag.errors import InputError
from rag.text.numbers import QUALIFIERS, UNITS, contains_figure, extract_figures

CATEGORIES = (
    "direct",
    "descriptive",
    "derived",
    "refusal",
    "followup",
    "false_premise",
    "injection",
    # answer engine v2: questions read into a plan
    "multi_part",  # two or three questions in one
    "compare",  # two figures and a verdict
    "extreme",  # the most / least common answer option
    "cross_arithmetic",  # arithmetic over figures of different survey questions
    "casual",  # typos, slang, abbreviations
    "dialogue",  # 2-3 turns, resolved against earlier turns
    "wrong_claim",  # a premise the report contradicts (figure, who answered, what ranked first)
    "time_scope",  # change over time, another year, a group the report does not cover
    "irrelevant_trap",  # a near figure that does not answer the question
    # what users ask first
    "overview",  # summary, key findings, conclusions, recommendations
    "about_survey",  # publisher, year, who and how many were surveyed, method
    "section",  # what one section of the report says
)
DEFAULT_CASES = Path(__file__).resolve().parent / "cases.yaml"


@dataclass(frozen=True)
class ExpectedFigure:
    """A figure an answer must (or must not) state."""

    value: float
    unit: str
    qualifier: str = "exact"
    tolerance: float = 0.05


@dataclass(frozen=True)
class DerivationInput:
    """A figure a derived answer is computed from, with the report sentence that states it."""

    value: float
    unit: str
    sentence: str
    qualifier: str = "exact"


@dataclass(frozen=True)
class Derivation:
    """How a derived figure follows from stated ones, e.g. ``100 - 34.2 = 65.8``."""

    inputs: tuple[DerivationInput, ...]
    arithmetic: str


@dataclass(frozen=True)
class Case:
    """One evaluation question and what a right answer must hold."""

    id: str
    category: str
    question: str
    history: tuple[dict[str, str], ...] = ()
    expected: tuple[ExpectedFigure, ...] = ()
    required_terms: tuple[str, ...] = ()
    forbidden_figures: tuple[ExpectedFigure, ...] = ()
    refuse: bool = False
    sentences: tuple[str, ...] = ()  # the report sentences holding the answer
    derivation: Derivation | None = None
    report: str | None = None  # restrict to one report id; None = the only/any report
    extra: Mapping[str, Any] = field(default_factory=dict, repr=False)

    def unstated_figures(self) -> list[ExpectedFigure]:
        """The expected figures its own sentences do not state (none, in a sound case)."""
        figures = [f for s in self.sentences for f in extract_figures(s)]
        return [
            e
            for e in self.expected
            if not contains_figure(figures, e.value, e.unit, e.qualifier, e.tolerance)
        ]

    def gold_sentences(self) -> tuple[str, ...]:
        """Every report sentence a retriever should find for this case."""
        if self.derivation is not None:
            seen: dict[str, None] = {}
            for item in self.derivation.inputs:
                seen.setdefault(item.sentence, None)
            return tuple(seen)
        return self.sentences


def cases_error(path: Path | str, message: str, case: str | None = None) -> InputError:
    """An InputError naming the cases file and the case, for the CLI's one-line message."""
    where = f"{path} case {case!r}" if case else f"{path}"
    return InputError(f"{where}: {message}")


def _figure(raw: Any, path: Path, case_id: str) -> ExpectedFigure:
    if not isinstance(raw, Mapping) or "value" not in raw:
        raise cases_error(path, f"a figure needs at least a value, got {raw!r}", case_id)
    unit = str(raw.get("unit", ""))
    qualifier = str(raw.get("qualifier", "exact"))
    if unit not in UNITS:
        raise cases_error(path, f"unknown unit {unit!r}; use one of {UNITS}", case_id)
    if qualifier not in QUALIFIERS:
        raise cases_error(
            path, f"unknown qualifier {qualifier!r}; use one of {QUALIFIERS}", case_id
        )
    try:
        return ExpectedFigure(
            value=float(raw["value"]),
            unit=unit,
            qualifier=qualifier,
            tolerance=float(raw.get("tolerance", 0.05)),
        )
    except (TypeError, ValueError) as exc:
        raise cases_error(path, f"figure {raw!r} is not numeric ({exc})", case_id) from exc


def _source(raw: Any, path: Path, case_id: str) -> tuple[tuple[str, ...], Derivation | None]:
    if raw is None:
        return (), None
    if isinstance(raw, str):
        return (raw,), None
    if isinstance(raw, list) and all(isinstance(s, str) for s in raw):
        return tuple(raw), None
    if isinstance(raw, Mapping) and "inputs" in raw and "arithmetic" in raw:
        inputs = []
        for item in raw["inputs"]:
            fig = _figure(item, path, case_id)
            if not isinstance(item.get("sentence"), str):
                raise cases_error(path, "every derivation input needs its sentence", case_id)
            inputs.append(DerivationInput(fig.value, fig.unit, item["sentence"], fig.qualifier))
        return (), Derivation(tuple(inputs), str(raw["arithmetic"]))
    raise cases_error(
        path, "source must be a sentence, a list of sentences or {inputs, arithmetic}", case_id
    )


def case_from_dict(raw: Mapping[str, Any], path: Path | str = "<cases>") -> Case:
    """Build and validate one case from its file form."""
    path = Path(path)
    case_id = str(raw.get("id") or "")
    if not case_id:
        raise cases_error(path, f"a case has no id: {dict(raw)!r}")
    category = raw.get("category")
    if category not in CATEGORIES:
        raise cases_error(path, f"category {category!r} is not one of {CATEGORIES}", case_id)
    question = raw.get("question")
    if not isinstance(question, str) or not question.strip():
        raise cases_error(path, "the question is missing", case_id)
    history = raw.get("history") or []
    for turn in history:
        if not isinstance(turn, Mapping) or turn.get("role") not in ("user", "assistant"):
            raise cases_error(path, "history turns need role user|assistant and content", case_id)
    sentences, derivation = _source(raw.get("source"), path, case_id)
    refuse = bool(raw.get("refuse", category == "refusal"))
    if not refuse and not sentences and derivation is None:
        raise cases_error(path, "an answerable case needs a source sentence", case_id)
    return Case(
        id=case_id,
        category=category,
        question=question,
        history=tuple({"role": str(t["role"]), "content": str(t["content"])} for t in history),
        expected=tuple(_figure(f, path, case_id) for f in raw.get("expected") or []),
        required_terms=tuple(str(t) for t in raw.get("required_terms") or []),
        forbidden_figures=tuple(
            _figure(f, path, case_id) for f in raw.get("forbidden_figures") or []
        ),
        refuse=refuse,
        sentences=sentences,
        derivation=derivation,
        report=raw.get("report"),
    )


def _read_raw(path: Path) -> list[Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise cases_error(
            path, "no such cases file: pass --cases a .yaml or .jsonl file, or omit it"
        ) from exc
    except UnicodeDecodeError as exc:
        raise cases_error(path, f"not UTF-8 at byte {exc.start}") from exc
    if path.suffix in (".jsonl", ".ndjson"):
        rows = []
        for n, line in enumerate(text.splitlines(), 1):
            if line.strip():
                try:
                    rows.append(json.loads(line))
                except json.JSONDecodeError as exc:
                    raise cases_error(path, f"line {n}: {exc.msg}") from exc
        return rows
    if path.suffix == ".json":
        data = json.loads(text)
    else:
        import yaml

        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise cases_error(path, f"not valid YAML: {exc}") from exc
    if not isinstance(data, list):
        raise cases_error(path, "the file must hold a list of cases")
    return data


def load_cases(path: Path | str | None = None) -> list[Case]:
    """Read a cases file (.yaml, .json or .jsonl); the bundled set by default."""
    path = Path(path) if path else DEFAULT_CASES
    cases = [case_from_dict(raw, path) for raw in _read_raw(path)]
    seen: set[str] = set()
    for case in cases:
        if case.id in seen:
            raise cases_error(path, "duplicate id", case.id)
        seen.add(case.id)
    return cases


def select(
    cases: Iterable[Case], categories: Sequence[str] | None = None, limit: int | None = None
) -> list[Case]:
    """The cases in these categories (all if none given), at most ``limit`` of them."""
    unknown = sorted(set(categories or ()) - set(CATEGORIES))
    if unknown:
        raise InputError(
            f"unknown category {', '.join(unknown)}: use one of {', '.join(CATEGORIES)}"
        )
    chosen = [c for c in cases if not categories or c.category in categories]
    return chosen[:limit] if limit else chosen
