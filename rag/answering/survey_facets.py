"""What a question about the survey itself asks, and which report sentences state it.

The facets of how a survey was done (who published it, how many took part, their roles,
regions, industries, the method, the margin of error...) are examples in
``data/survey_facets.yaml``, embedded once per process with the question embedder. A question
takes the facet whose example questions it is nearest to (the intent classifier has already
said it is about the survey). Each report sentence, and each fact for a facet a figure answers,
is then evidence scored three ways: how near it is to the facet's example statements, to the
question, and how many of the question's words it holds. Whether the best evidence states the
facet is the calibrated "about" decision (rag.answering.answerability), so a report that never
gives its margin of error gets a refusal that says what it does state.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache, partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from rag.answering.measures import measure_missing
from rag.errors import ModelError
from rag.text.tokens import tokenize

if TYPE_CHECKING:
    from rag.answering.knowledge import Knowledge
    from rag.types import ReportInfo

# "how many", "what share", "the average": the question wants a figure, not a description
# "mean" only as a noun ("the mean", "mean score"): "what does that mean?" asks no figure
_FIGURE_ASKED = re.compile(
    r"\bhow (?:many|much|long|often|big|large)\b|%|\b(?:percentage|percent|proportion|share|"
    r"number|fraction|amount) of\b|\b(?:average|median|percentage|percent)\b"
    r"|\b(?:the|a|its|their) mean\b|\bmean (?:of|value|score|number|age|rating)\b"
    r"|\bwhat (?:share|proportion|fraction)\b",
    re.I,
)
SIGNPOST = "signpost"
COUNT = "count"  # the facet that says how many took part
EVIDENCE = 8  # evidence kept per facet asked: answers weigh the best four at most
FACETS_PATH = Path(__file__).resolve().parent / "data" / "survey_facets.yaml"


@dataclass(frozen=True)
class Facet:
    """One facet of how a survey was done, as example questions and statements."""

    name: str
    label: str
    asks: tuple[str, ...]
    states: tuple[str, ...]
    metadata: str | None = None
    figure: bool = False
    parts: tuple[str, ...] = ()  # a facet answered by other facets ("who was surveyed")
    units: tuple[str, ...] = ()  # units of the facts that can state it; () for any
    cues: frozenset[str] = frozenset()  # one must be in a question the metadata answers
    whole: bool = False  # a figure of the whole sample, never one row of a breakdown
    says: frozenset[str] = frozenset()  # one must be in a statement of the facet
    # its units measure different things (staff and revenue): an answer states each it can
    each_unit: bool = False


@cache
def load_facets(path: Path = FACETS_PATH) -> tuple[Facet, ...]:
    """The facets of the examples file; ModelError naming the file when it does not parse."""
    import yaml

    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        return tuple(
            Facet(
                name=str(f["name"]),
                label=str(f.get("label", f["name"])),
                asks=tuple(str(q) for q in f.get("asks", ())),
                states=tuple(str(s) for s in f.get("states", ())),
                metadata=f.get("metadata"),
                figure=bool(f.get("figure", False)),
                parts=tuple(str(p) for p in f.get("parts", ())),
                units=tuple(str(u) for u in f.get("units", ())),
                cues=frozenset(tokenize(" ".join(f.get("cues", ())), keep_stopwords=True)),
                whole=bool(f.get("whole", False)),
                says=frozenset(str(w).lower() for w in f.get("says", ())),
                each_unit=bool(f.get("each_unit", False)),
            )
            for f in raw
        )
    except (OSError, yaml.YAMLError, KeyError, TypeError) as exc:
        raise ModelError(f"{path}: cannot read the survey facets ({exc})") from exc


class FacetModel:
    """The facets' example vectors, embedded once (lazily: only about-questions need them)."""

    def __init__(self, embed: Callable[[str], Any], facets: Sequence[Facet] | None = None):
        self._embed = embed
        self.facets = tuple(facets if facets is not None else load_facets())
        self.by_name = {f.name: f for f in self.facets}
        self._lock = threading.Lock()
        self._asks: tuple[list[str], Any] | None = None
        self._states: tuple[list[str], Any] | None = None
        self._fits: dict[tuple[str, str], tuple[Any, Any]] = {}
        self._centroids: tuple[list[str], Any] | None = None
        # (report, kind, facet) -> the indices that may state the facet, whatever is asked
        self._eligible: dict[tuple[str, str, str], Any] = {}

    def _examples(self, field: str) -> tuple[list[str], Any]:
        names, vectors = [], []
        for f in self.facets:
            for text in getattr(f, field):
                names.append(f.name)
                vectors.append(self._embed(text))
        return names, np.stack(vectors)

    def _vectors(self) -> tuple[tuple[list[str], Any], tuple[list[str], Any]]:
        with self._lock:
            if self._asks is None or self._states is None:
                self._asks, self._states = self._examples("asks"), self._examples("states")
            return self._asks, self._states

    def centroids(self) -> tuple[list[str], Any]:
        """Each facet's name and the mean of its example statements, normalised."""
        if self._centroids is None:
            self._centroids = self._centroids_of()
        return self._centroids

    def _centroids_of(self) -> tuple[list[str], Any]:
        _, (names, examples) = self._vectors()
        order = list(dict.fromkeys(names))
        rows = []
        for name in order:
            c = examples[[i for i, n in enumerate(names) if n == name]].mean(axis=0)
            rows.append(c / (np.linalg.norm(c) or 1.0))
        return order, np.stack(rows)

    def fits(self, key: tuple[str, str], vectors: Any) -> tuple[Any, Any]:
        """How near each row of ``vectors`` is to each facet's statements (rows x facets), and
        the index of the facet it is nearest to, the signpost aside. Kept per ``key`` (report,
        kind): what a report states does not depend on the question."""
        found = self._fits.get(key)
        if found is None:
            names, centroids = self.centroids()
            fits = vectors @ centroids.T
            real = fits.copy()
            if SIGNPOST in names:
                real[:, names.index(SIGNPOST)] = -np.inf
            found = self._fits[key] = (fits, real.argmax(axis=1))
        return found

    def eligible(self, key: tuple[str, str, str], build: Callable[[], Any]) -> Any:
        """What ``build`` gives for (report, kind, facet), built once: which items of a report
        may state a facet does not depend on the question."""
        found = self._eligible.get(key)
        if found is None:
            found = self._eligible[key] = build()
        return found

    def question(self, name: str) -> Any:
        """A facet's example questions as one vector: what asking for it alone means."""
        (names, examples), _ = self._vectors()
        q = examples[[i for i, n in enumerate(names) if n == name]].mean(axis=0)
        return q / (np.linalg.norm(q) or 1.0)

    def stated(self, vector: Any) -> Facet:
        """The facet a statement is about ("the poll was of small firms"): the one with the
        nearest example statement, the signpost aside."""
        _, (names, examples) = self._vectors()
        sims = examples @ vector
        sims[[i for i, n in enumerate(names) if n == SIGNPOST]] = -np.inf
        return self.by_name[names[int(sims.argmax())]]

    def asked(self, vector: Any) -> Facet:
        """The facet a question asks about: the one with the nearest example question."""
        (names, examples), _ = self._vectors()
        return self.by_name[names[int((examples @ vector).argmax())]]


@dataclass(frozen=True)
class FacetMatch:
    """A report sentence or fact as evidence for one facet of a question about the survey."""

    item: Any  # Sentence | Fact
    fit: float  # how near the item is to the facet's example statements
    dense: float  # how near it is to the question
    lexical: float  # the share of the question's words it holds
    nearest: str = ""  # the facet whose statements the item is nearest to
    near: float = 0.0  # how near it is to a claim weighed beside the question (matches' near)
    # how much nearer it is to the facet asked than to any other facet: a sentence about where
    # respondents live is near every facet of method, but nearest to "regions"
    margin: float = 0.0
    # 1 when the question counts a measure the item does not state ("how many minutes did
    # it take?" beside a sentence that gives no duration)
    missing: float = 0.0

    @property
    def score(self) -> float:
        return self.fit + self.dense + self.lexical

    def features(self) -> dict[str, float]:
        """The signals the answerability decision reads for about-the-survey evidence."""
        return {
            "about_fit": self.fit,
            "about_dense": self.dense,
            "about_lexical": self.lexical,
            "about_margin": self.margin,
            "about_measure_missing": self.missing,
        }


def matches(
    knowledge: Knowledge,
    text: str,
    vector: Any,
    report_ids: Sequence[str],
    facet: Facet,
    near: Any = None,
) -> list[FacetMatch]:
    """The best evidence for ``facet`` among every sentence (and, for a facet a figure answers,
    every fact) of these reports, best first; none that reads as a signpost. With ``near`` (a
    vector), each match also says how near it is to that.

    The ``EVIDENCE`` best, and the ``EVIDENCE`` best of those nearest to ``facet`` itself (what
    a part of "who was surveyed?" reads): every item is scored, with arrays, and only those
    become FacetMatches."""
    model = knowledge.facets
    names, centroids = model.centroids()
    own = names.index(facet.name)
    signpost = names.index(SIGNPOST) if SIGNPOST in names else None
    terms = knowledge.terms(text)
    pools = ["sentences", "facts"] if facet.figure else ["sentences"]
    lexical = {kind: knowledge.coverages(terms, knowledge.word_index(kind)) for kind in pools}
    items: list[Any] = []
    blocks: list[tuple[Any, ...]] = []  # fit, dense, lexical, nearest, near, margin
    for rid in report_ids:
        r = knowledge.reports[rid]
        for kind in pools:
            pool: Sequence[Any] = r.sentences if kind == "sentences" else r.facts
            vectors = r.sentence_vectors if kind == "sentences" else r.fact_vectors
            if vectors is None or len(vectors) != len(pool) or not len(pool):
                continue
            if vectors.shape[1] != centroids.shape[1]:
                continue
            fits, nearest = model.fits((rid, kind), vectors)
            others = fits.copy()
            others[:, own] = -np.inf
            if signpost is not None:
                others[:, signpost] = -np.inf
            build = partial(_eligible, facet, r, kind, fits, own, signpost)
            chosen = model.eligible((rid, kind, facet.name), build)
            start = knowledge.word_index(kind).starts[rid]
            items += [pool[i] for i in chosen.tolist()]
            blocks.append(
                (
                    fits[chosen, own],
                    (vectors @ vector)[chosen],
                    lexical[kind][start + chosen],
                    nearest[chosen],
                    (vectors @ near)[chosen] if near is not None else np.zeros(len(chosen)),
                    fits[chosen, own] - others[chosen].max(axis=1),
                )
            )
    if not items:
        return []
    fit, dense, words, nearest, claim, margin = (
        np.concatenate(column) for column in zip(*blocks, strict=True)
    )
    # in float64 and in this order, as FacetMatch.score adds them: equal scores, equal order
    score = fit.astype(np.float64) + dense.astype(np.float64) + words
    ranked = np.argsort(-score, kind="stable")
    mine = ranked[nearest[ranked] == own]
    shown = np.union1d(ranked[:EVIDENCE], mine[:EVIDENCE])
    shown = shown[np.argsort(-score[shown], kind="stable")]
    return [
        FacetMatch(
            items[i],
            float(fit[i]),
            float(dense[i]),
            float(words[i]),
            names[int(nearest[i])],
            float(claim[i]),
            float(margin[i]),
            measure_missing(text, items[i]),
        )
        for i in shown
    ]


def _eligible(
    facet: Facet, report: Any, kind: str, fits: Any, own: int, signpost: int | None
) -> Any:
    """The indices of a report's sentences or facts that may state ``facet`` at all, whatever
    the question: nearer the facet than a signpost, in its units and words, not one row of a
    list."""
    pool: Sequence[Any] = report.sentences if kind == "sentences" else report.facts
    keep = np.ones(len(pool), dtype=bool)
    if signpost is not None:
        keep &= fits[:, signpost] < fits[:, own]
    units = set(facet.units)
    if units and kind == "facts":
        keep &= np.array([f.unit in units for f in pool], dtype=bool)
    if facet.says:  # a margin of error is stated in words that name it
        keep &= np.array([says(facet, item) for item in pool], dtype=bool)
    if facet.whole and kind == "facts":  # a row of a list or table found in the prose
        keep &= np.array([not _breakdown_row(f, report.tables) for f in pool], dtype=bool)
    return np.flatnonzero(keep)


def says(facet: Facet, item: Any) -> bool:
    """Whether a sentence or fact uses one of the words its facet is stated in (any, for a
    facet without such words)."""
    if not facet.says:
        return True
    text = item.source if hasattr(item, "source") else item.text
    words = set(re.findall(r"[^\W\d_]+|±", text.lower()))
    return bool(words & facet.says)


def sample_count(model: FacetModel, report: Any, unit: str) -> Any:
    """The report's count of everyone it surveyed in ``unit`` ("over 1,000 companies"), or
    None: of its facts in that unit that are no row of a breakdown, the one nearest the
    statements of how many took part, if those are the statements it is nearest to."""
    names, _ = model.centroids()
    if COUNT not in names or report.fact_vectors is None or not len(report.facts):
        return None
    if len(report.fact_vectors) != len(report.facts):
        return None
    count = names.index(COUNT)
    fits, nearest = model.fits((report.info.id, "facts"), report.fact_vectors)
    candidates = [
        i
        for i, f in enumerate(report.facts)
        if f.unit == unit and nearest[i] == count and not _breakdown_row(f, report.tables)
    ]
    if not candidates:
        return None
    return report.facts[max(candidates, key=lambda i: float(fits[i, count]))]


def _breakdown_row(fact: Any, tables: dict[str, list[Any]]) -> bool:
    """Whether a fact found in the prose is one row of a list or table of several (a
    hand-made table is curated: its rows may state the sample itself)."""
    return fact.origin == "text" and len(tables.get(fact.table, ())) > 1


def asks_figure(text: str) -> bool:
    """Whether a question wants a figure ("how many", "what share of")."""
    return bool(_FIGURE_ASKED.search(text))


def metadata(facet: Facet, info: ReportInfo, question: str) -> str | None:
    """What the report's metadata says of the facet a question asks, as a sentence; None when
    it says nothing or the question does not use a word of the facet's."""
    if facet.cues and not facet.cues & set(tokenize(question, keep_stopwords=True)):
        return None
    return recorded(facet, info)


def recorded(facet: Facet, info: ReportInfo) -> str | None:
    """What the report's metadata says of a facet, whatever the question's words."""
    if facet.metadata == "publisher" and info.publisher:
        return f"The report is published by {info.publisher}"
    if facet.metadata == "year" and info.year:
        return f"The report is from {info.year}"
    if facet.metadata == "surveyed" and info.surveyed:
        return f"The report surveyed {info.surveyed}"
    return None
