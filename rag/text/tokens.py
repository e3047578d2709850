"""Tokens for lexical matching: case-folded words, light stemming, figures kept whole.

"$40M", "40M" and "40 million" all become "40m"; "20,000" and "20k" become "20k". Also
the small general synonym groups an analyst uses interchangeably, and the acronyms a text
spells out ("WHO" -> "World Health Organization"), found from the text itself.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence

_SCALES = {"k": "k", "thousand": "k", "m": "m", "mn": "m", "million": "m", "millions": "m"}
_SCALES |= {"b": "b", "bn": "b", "billion": "b", "billions": "b"}
_TOKEN = re.compile(
    r"""
    \$?\s?(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)
        (?:\s?(?P<scale>thousand|millions?|billions?|bn|mn|[kmb])(?![a-z]))?
    | (?P<word>[a-z][a-z0-9]*(?:['’][a-z]+)?)
    """,
    re.X,
)

STOPWORDS = frozenset(
    """
    a about above after again against all am an and any are as at be because been before being
    below between both but by can could did do does doing down during each few for from further
    had has have having he her here hers herself him himself his how i if in into is it its itself
    just me more most my myself no nor not of off on once only or other our ours ourselves out over
    own same she should so some such than that the their theirs them themselves then there these
    they this those through to too under until up very was we were what when where which while who
    whom why will with would you your yours yourself yourselves also than whether per us
    s t don't didn't can't couldn't won't isn't aren't wasn't weren't doesn't
    """.split()
)
# Countries written as capitals ("the US", "U.K."), read as the names reports write out: in
# lower case "us" is the pronoun ("let us know"), a stopword.
_ABBREVIATED_PLACES = (
    (re.compile(r"\bU\.?S\.?A?\b\.?(?=[\s,;:!?)-]|$)"), "United States"),
    (re.compile(r"\bU\.?K\.?\b(?=[\s,;:!?)-]|$)"), "United Kingdom"),
)


def spelled_out_places(text: str) -> str:
    """``text`` with "US", "U.S.", "USA" and "UK" written as the countries' names."""
    if "U" not in text:
        return text
    for pattern, name in _ABBREVIATED_PLACES:
        text = pattern.sub(name, text)
    return text


# Irregular forms a plural stemmer cannot reach, mapped to the form the reports use.
_IRREGULAR = {"lost": "loss", "lose": "loss", "losing": "loss", "loses": "loss"}


def _stem(word: str) -> str:
    """A light plural stemmer: enough to match 'LoRAs' with 'LoRA' and 'models' with 'model'."""
    if word in _IRREGULAR:
        return _IRREGULAR[word]
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 4 and word.endswith(("sses", "xes", "ches", "shes")):
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def _scaled(number: str) -> str:
    """'20000' -> '20k': one spelling for '20,000', '20k' and '20 thousand'."""
    if not number.isdigit() or len(number) < 4 or 1900 <= int(number) <= 2100:
        return number  # "2000" may be a year, which questions and reports write in full
    for zeros, suffix in ((9, "b"), (6, "m"), (3, "k")):
        if len(number) > zeros and number.endswith("0" * zeros):
            return number[:-zeros] + suffix
    return number


# Numbers in words, so "forty thousand" meets "40,000" and "three billion" meets "3B".
# "one" alone is left a word ("one of the biggest"); with a scale after it, it counts.
_UNITS = {
    w: i
    for i, w in enumerate(
        "one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
        "fifteen sixteen seventeen eighteen nineteen".split(),
        start=1,
    )
}
_TENS = "twenty thirty forty fifty sixty seventy eighty ninety".split()
_UNITS |= {w: 10 * (i + 2) for i, w in enumerate(_TENS)}
_MAGNITUDES = {"hundred": 100, "thousand": 1_000, "million": 1_000_000, "billion": 1_000_000_000}
_UNIT_WORDS = "|".join(sorted(set(_UNITS) - {"one"}, key=len, reverse=True))
_MAGNITUDE_WORDS = "|".join(_MAGNITUDES)
_NUMBER_WORDS = re.compile(
    rf"""\b(?:
        (?:a|an|one)(?=[\s-]+(?:{_MAGNITUDE_WORDS})\b)  # "a hundred", "one million"
        | {_UNIT_WORDS}
    )(?:[\s-]+(?:{_UNIT_WORDS}|one|{_MAGNITUDE_WORDS})\b)*\b""",
    re.I | re.X,
)


def _spelled_value(words: str) -> int:
    """'forty thousand' -> 40000, 'a hundred billion' -> 100000000000, 'sixty' -> 60."""
    total, current = 0, 0
    for w in re.split(r"[\s-]+", words.lower()):
        if w in _UNITS:
            current += _UNITS[w]
        elif w == "hundred":
            current = (current or 1) * 100
        elif w in _MAGNITUDES:
            total += (current or 1) * _MAGNITUDES[w]
            current = 0
    return total + current


def spelled_as_digits(text: str) -> str:
    """``text`` with numbers in words in digits: 'over forty thousand' -> 'over 40 thousand'."""
    return _NUMBER_WORDS.sub(lambda m: _written(_spelled_value(m.group(0))), text)


def _written(value: int) -> str:
    """40000 -> '40 thousand': the magnitude stays a word, as "forty thousand" had it."""
    for size, word in ((1_000_000_000, "billion"), (1_000_000, "million"), (1_000, "thousand")):
        if value >= size and value % size == 0:
            return f"{value // size} {word}"
    return str(value)


# Contractions typed without the apostrophe ("cant", "dont"): the same words to every reader
_CONTRACTIONS = {
    w.replace("'", ""): w
    for w in """can't don't doesn't didn't isn't aren't wasn't weren't couldn't wouldn't
    shouldn't haven't hasn't won't""".split()
}


def tokenize(text: str, *, keep_stopwords: bool = False) -> list[str]:
    """Case-folded tokens; figures keep their identity: '$200M' and '200 million' -> '200m'."""
    return list(_tokens(text, keep_stopwords))


@functools.lru_cache(maxsize=16384)
def _tokens(text: str, keep_stopwords: bool) -> tuple[str, ...]:
    # one question is read many times over (its parts, terms, names): each text once
    tokens: list[str] = []
    for m in _TOKEN.finditer(spelled_as_digits(spelled_out_places(text).lower())):
        if m.group("num"):
            number = m.group("num").replace(",", "")
            if "." in number:
                number = number.rstrip("0").rstrip(".")
            scale = m.group("scale")
            tokens.append(number + _SCALES[scale] if scale else _scaled(number))
        else:
            word = m.group("word").replace("’", "'")
            word = _CONTRACTIONS.get(word, word)
            if not keep_stopwords and word in STOPWORDS:
                continue
            tokens.append(_stem(word))
    return tuple(tokens)


# Survey and business vocabulary that means the same thing in a question and in a report.
# Deliberately small and general (no report's wording is special-cased): each group is a set
# of words an analyst uses interchangeably.
_SYNONYM_GROUPS = [
    "money budget budgets funding funded funds spend spending investment",
    "people staff staffed staffing talent headcount hire hiring",
    "employee employees workforce headcount staff",
    "industry industries vertical verticals sector sectors",
    "sales revenue revenues turnover",
    "prove proof show demonstrate demonstrated justify",
    "payoff return roi",
    "participate participated participant polled surveyed respondent respondents sample",
    "executive executives leadership leader leaders",
    "blocker blockers obstacle obstacles barrier barriers hurdle hurdles roadblock roadblocks",
    "unify standardize standardise consolidate single",
    "expense expensive cost costs costly",
    "govern governance oversight",
    "founded founding started established launched",
    "woman women female females",
    "men male males",
    "popular common commonest prevalent widespread",
    "stop stopped quit quitting former anymore abandon abandoned",
]
# A country, its adjective and its people: "Canadians", "Swedish" ask for Canada, Sweden.
_PLACE_GROUPS = [
    "america american americans usa",
    "argentina argentine argentinian argentinians",
    "australia australian australians aussie aussies",
    "austria austrian austrians",
    "belgium belgian belgians",
    "brazil brazilian brazilians",
    "britain british brit brits uk",
    "canada canadian canadians",
    "chile chilean chileans",
    "china chinese",
    "colombia colombian colombians",
    "czechia czech czechs",
    "denmark danish danes",
    "egypt egyptian egyptians",
    "finland finnish finns",
    "france french",
    "germany german germans",
    "greece greek greeks",
    "hungary hungarian hungarians",
    "india indian indians",
    "indonesia indonesian indonesians",
    "ireland irish",
    "israel israeli israelis",
    "italy italian italians",
    "japan japanese",
    "kenya kenyan kenyans",
    "korea korean koreans",
    "mexico mexican mexicans",
    "netherlands dutch",
    "zealand zealander zealanders kiwi kiwis",
    "nigeria nigerian nigerians",
    "norway norwegian norwegians",
    "pakistan pakistani pakistanis",
    "philippines filipino filipinos",
    "poland polish",
    "portugal portuguese",
    "romania romanian romanians",
    "russia russian russians",
    "singapore singaporean singaporeans",
    "spain spanish spaniards",
    "sweden swedish swedes",
    "switzerland swiss",
    "taiwan taiwanese",
    "turkey turkish turks",
    "ukraine ukrainian ukrainians",
    "vietnam vietnamese",
]


def _synonym_map() -> dict[str, frozenset[str]]:
    out: dict[str, set[str]] = {}
    for group in [*_SYNONYM_GROUPS, *_PLACE_GROUPS]:
        words = {t for w in group.split() for t in tokenize(w)}
        for w in words:
            out.setdefault(w, set()).update(words - {w})
    return {w: frozenset(v) for w, v in out.items()}


_SYNONYMS: dict[str, frozenset[str]] | None = None


def synonyms(term: str) -> frozenset[str]:
    """Words that mean ``term`` in survey prose ('money' -> 'budget', 'funding', ...)."""
    global _SYNONYMS
    if _SYNONYMS is None:
        _SYNONYMS = _synonym_map()  # built on first use; the result never changes
    return _SYNONYMS.get(term, frozenset())


def expand(tokens: Iterable[str]) -> list[str]:
    """Query tokens plus their synonyms, for BM25."""
    out = list(tokens)
    for t in list(out):
        out.extend(synonyms(t))
    return out


_CAPS = re.compile(r"\b[A-Z]{2,6}\b")
_CAPITAL_RUN = re.compile(r"[A-Z][A-Za-z0-9]*(?:[ \t]+[A-Z][A-Za-z0-9]*)+")
_ADDRESS = re.compile(r"\S*[a-z0-9]\.[a-z]{2,}\S*")
ACRONYM_WORDS = 6  # the longest phrase an acronym is looked for in


def _initials(words: Sequence[str]) -> set[str]:
    """The ways a phrase's initials can be read: 'AI Infrastructure Alliance' -> AIA, AIIA."""
    out = {""}
    for word in words:
        options = {word[0]} | ({word} if word.isupper() and len(word) > 1 else set())
        out = {head + o for head in out for o in options}
    return out


def acronyms(texts: Iterable[str]) -> dict[str, frozenset[str]]:
    """Acronyms the texts spell out, as the words of their phrase: 'aiia' -> {'ai',
    'infrastructure', 'alliance'} (stemmed as tokenize stems)."""
    return {key: frozenset(tokenize(phrase)) for key, phrase in spelled_out(texts).items()}


def spelled_out(texts: Iterable[str]) -> dict[str, str]:
    """Acronyms the texts spell out, each with its phrase as written: 'aiia' -> 'AI
    Infrastructure Alliance'.

    An acronym is a capitals-only word the texts never write any other way (so 'IT' is not
    one when 'it' occurs); its phrase is a run of capitalised words whose initials spell it.
    """
    # A web address ("ai-infrastructure.org") is not prose: its lower case says nothing.
    text = _ADDRESS.sub(" ", "\n".join(texts))
    other_forms = {w.lower() for w in re.findall(r"[A-Za-z][A-Za-z0-9]*", text) if not w.isupper()}
    caps = {w for w in _CAPS.findall(text) if w.lower() not in other_forms}
    out: dict[str, str] = {}
    for run in _CAPITAL_RUN.finditer(text):
        words = run.group(0).split()
        for i in range(len(words)):
            for j in range(i + 2, min(len(words), i + ACRONYM_WORDS) + 1):
                phrase = words[i:j]
                for spelled in _initials(phrase) & caps:
                    if spelled in phrase:
                        continue
                    key = tokenize(spelled, keep_stopwords=True)
                    if len(key) == 1 and len(tokenize(" ".join(phrase))) >= 2:
                        out.setdefault(key[0], " ".join(phrase))
    return out
