"""The engine knows no report's words: what one report needs lives in its corpus folder."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from rag.settings import PROJECT_ROOT

# Words and figures of the bundled report that a rule fitted to it would carry: its findings'
# wording, its names, and the figures and bands of its result tables.
BUNDLED = re.compile(
    r"understaff|underfund|fully.?staffed|chatgpt|netflix|aiia|clearml|purse.?string|"
    r"\b(?:50|100|200)\s?m\b|\b(?:58\.8|41\.2|67\.2|34\.2|18\.2)\b",
    re.I,
)


def _code_strings(path: Path) -> list[tuple[int, str]]:
    """Every string constant and name of a module, docstrings left out (they may give examples)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            if id(node) not in docstrings:
                out.append((node.lineno, node.value))
        elif isinstance(node, ast.Name):
            out.append((node.lineno, node.id))
    return out


def test_the_engine_code_holds_no_words_of_the_bundled_report() -> None:
    found = []
    for path in sorted((PROJECT_ROOT / "rag").rglob("*.py")):
        if path.name in ("cli.py", "bench.py"):  # help texts and benchmark questions, not rules
            continue
        for line, text in _code_strings(path):
            if BUNDLED.search(text):
                found.append(f"{path.relative_to(PROJECT_ROOT)}:{line}: {text[:60]!r}")
    assert found == [], "move these to corpus/<report>/ data or make the rule general"


def test_the_check_catches_a_report_word_in_a_rule(tmp_path: Path) -> None:
    rule = tmp_path / "rule.py"
    rule.write_text('"""Docstring mentioning understaffed is fine."""\nWORDS = ["understaffed"]\n')
    assert [t for _, t in _code_strings(rule) if BUNDLED.search(t)] == ["understaffed"]
