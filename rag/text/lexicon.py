"""General English cue words, in one place (no report's vocabulary).

Kept as data beside the code, like spaCy's ``lang/en`` tables: closed-class words and survey
English only. The answer engine reads what "least" or "for every" means, which nouns name the
people a survey counts, which words say how to answer rather than what about; the figure
extractor (ingest.extract) reads which words end a clause or start a verb phrase. Words one
report needs (its acronyms, shorthand, synonyms) live in that report's ``report.toml``
``vocabulary``, never here.
"""

from __future__ import annotations

import re

from rag.text.tokens import tokenize


def _tokens(words: str) -> frozenset[str]:
    return frozenset(tokenize(words, keep_stopwords=True))


# Shorthand typed in chat, in full: read before anything else reads the question. Lower-case
# only, and none a name could be ("AVG", "BC", "R" keep their meaning).
SHORTHAND = {
    "abt": "about",
    "b4": "before",
    "bcos": "because",
    "bcz": "because",
    "cuz": "because",
    "coz": "because",
    "w/": "with",
    "w/o": "without",
    "vers": "version",
    "ver": "version",
    "yr": "year",
    "yrs": "years",
    "govt": "government",
    "mgmt": "management",
    "devs": "developers",
    "approx": "approximately",
    "avg": "average",
    "tho": "though",
    "rly": "really",
    "gonna": "going to",
    "wanna": "want to",
    "gotta": "have to",
    "$$$": "money",
    "$$": "money",
    "esp": "especially",
    "smth": "something",
    "sth": "something",
    "lang": "language",
    "langs": "languages",
    "ppl": "people",
    "thx": "thanks",
    "pls": "please",
    "plz": "please",
    "bc": "because",
}

# Words that say *how* to answer, not *what* about: they do not count towards coverage.
GENERIC = _tokens(
    """share percentage percent proportion fraction portion number many much figure figures
    amount rate ratio company companies enterprise enterprises organisation organization
    organizations organisations firm firms business businesses respondent respondents people
    person participant participants surveyed survey report reported say said tell according
    state stated felt feel think thought saw see question answer exactly total overall please
    know give show list describe explain summarize summarise did does do get got find found
    mention mentioned claim claimed one ones thing things percentages shares proportions use
    answered responded replied responding
    using used uses roughly approximately actually really correct true accurate add adding
    added adds sum summed together combined altogether difference gap pct percent cos biz ppl
    lol pls thx whats wat r u ur em"""
)

# Superlatives and names of answer options say which row to pick ("the rarest bracket"); they
# count towards coverage only where a report uses them itself ("the biggest challenges").
PICKING = _tokens(
    """most least largest biggest highest greatest commonest fewest lowest smallest rarest
    band bands bracket brackets tier tiers option options among second third fourth fifth
    sixth seventh eighth ninth tenth place"""
)

# An extreme question asks for the smallest when it uses one of these; otherwise the largest.
LEAST = _tokens(
    """least fewest lowest smallest rarest rare minority bottom weakest slowest less fewer
    lower smaller minimum min uncommon"""
)

# "the second most common", "which ranked 3rd?": the place asked of a ranking, from the top (or
# from the bottom, with a word of LEAST).
ORDINALS = ("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth",
            "tenth")  # fmt: skip
_PLACE = re.compile(
    r"\b(?:(?P<word>" + "|".join(ORDINALS) + r")|(?P<digits>\d{1,2})(?:st|nd|rd|th)"
    r"|(?P<runner>runners?[- ]up))\b",
    re.I,
)


def place_asked(text: str) -> int:
    """The place of a ranking a question asks for: 2 for "the second most", 1 when it names none."""
    m = _PLACE.search(text)
    if m is None:
        return 1
    if m.group("runner"):
        return 2
    if m.group("word"):
        return ORDINALS.index(m.group("word").lower()) + 1
    return max(1, int(m.group("digits")))


# "for every X, how many Y": the side after these is the denominator of a ratio.
PER = ("for every", "for each", "per ")
# "all three bands together": a sum over every row of the table, not two rows named.
ALL_ROWS = _tokens("all every together combined altogether")
# "among those who X, what share Y": the side after these is the whole of a share of a share.
AMONG = ("among", "of those", "of the ones", "out of those", "within")

# Nouns that name who a survey counts; a modifier in front of one ("Japanese companies")
# narrows the question to a group.
POPULATION = _tokens(
    """companies company firms firm businesses business enterprises enterprise organisations
    organizations organization organisation respondents respondent people participants
    teams team employees workers engineers developers executives managers leaders staff
    users customers members startups"""
)
# People named by role: asking about them alone narrows the question to a group.
ROLES = _tokens(
    """engineers engineer developers developer executives executive managers manager leaders
    workers nurses teachers doctors students startups founders analysts scientists"""
)
# Modifiers that do not narrow a population: they describe every respondent of a survey.
BROAD = _tokens(
    """the all these those surveyed polled responding participating big large their such
    many most some other both each every any our its total of"""
)

# Words a report uses to stress a finding: the "most worrying" or "most surprising" one.
EMPHASIS = _tokens(
    """worrying worried worry alarming alarm shock shocker shocking surprise surprising
    surprised unexpected staggering remarkable striking notable notably tremendous
    tremendously concerning concern critical crucial biggest significant dramatic"""
)

# The kinds of stress a question can ask for ("what surprised them?", "the most worrying
# finding"): a stressed finding of the kind asked comes before one stressed otherwise.
EMPHASIS_KINDS = {
    "surprise": _tokens(
        """surprise surprises surprising surprisingly surprised unexpected unexpectedly shock
        shocker shocking shocked astonishing remarkable striking"""
    ),
    "worry": _tokens(
        """worrying worried worry worries alarming alarmed alarm concerning troubling bad"""
    ),
    "good news": _tokens(
        """positive positively encouraging encouraged promising optimistic optimism heartening
        heartened enthusiastic enthusiasm pleased glad excited"""
    ),
}

# The words a question asks for each kind in: a report stresses a worry in its own words
# ("worrying"), a reader asks for it as a risk or a threat.
EMPHASIS_ASKED = {
    kind: words | _tokens({"worry": "risk risks risky threat threats danger dangers"}.get(kind, ""))
    for kind, words in EMPHASIS_KINDS.items()
}

# Words of a pointer to more reading ("we recommend you browse the full survey report"): a
# sentence that advises reading on advises nothing about the findings.
READING = _tokens("browse browsing download dig link links visit website")

# Words that ask for a gap between two figures ("how much more", "the gap", "ahead by")
DIFFERENCE_CUES = _tokens(
    """more less fewer higher lower bigger smaller larger greater wider narrower further closer
    gap gaps difference differences differ differs apart ahead behind separate separates point
    points lead leads margin exceed exceeds outnumber outnumbers beat beats minus subtract
    spread distance than versus vs"""
)

# A ratio is asked in its own words ("how many times", "for every", "per", "the ratio"):
# "in companies, how many is that?" after one figure asks a count, not a ratio of two
RATIO_CUES = _tokens(
    """times ratio ratios multiple multiples factor per every each divide divided double
    triple twice half odds x"""
)

# A follow-up adds to the figures before it only in these words, beside ALL_ROWS ("and the
# total of those?"); "how satisfied are they overall?" adds nothing
SUM_CUES = _tokens("total sum add added adding plus both")

# Headings under which a report summarises itself: its own key findings come first in an
# overview, before any figure the engine would pick.
SUMMARY_HEADINGS = (
    "tl;dr",
    "tldr",
    "summary",
    "highlights",
    "key findings",
    "main findings",
    "top findings",
    "key takeaways",
    "top takeaways",
    "takeaways",
    "at a glance",
    "in brief",
)

# Headings a report's back matter opens with: what closes its findings is the section
# before them ("Acknowledgements", "About the publisher", "Learn more", "Methodology").
BACK_MATTER_HEADINGS = (
    "about",
    "acknowledgements",
    "acknowledgments",
    "appendix",
    "contact",
    "credits",
    "further reading",
    "learn more",
    "licence",
    "license",
    "methodology",
    "references",
    "resources",
    "thanks",
    # where the data behind the results can be had: "The data", "Raw data", "Full results"
    "the data",
    "raw data",
    "full results",
    "complete results",
)

# Headings of the section a report concludes in, wherever it stands ("=== Summary" closing
# the themes before the detailed results); an executive summary at the start is not one.
CONCLUSION_HEADINGS = (
    "conclusion",
    "conclusions",
    "concluding",
    "final thoughts",
    "closing thoughts",
    "in closing",
    "wrapping up",
    "wrap-up",
    "summary",
    "summing up",
)

# Phrases that mark a sentence as the conclusion a text draws ("in short, ...").
CONCLUDING = (
    "in conclusion",
    "to conclude",
    "to sum up",
    "in summary",
    "in short",
    "the bottom line",
    "the takeaway",
    "the lesson",
    "what this means",
    "ultimately",
)

# Words that open advice: "companies should", "we recommend", "expect more companies to".
ADVICE = _tokens("should must recommend recommends recommended advise advises advice ought")
# "It should be noted that ...", "it must be said": a remark on the findings, not advice
REMARKED = re.compile(
    r"\b(?:should|must)\s+be\s+(?:noted|mentioned|said|pointed\s+out|stressed|remembered|"
    r"borne\s+in\s+mind|kept\s+in\s+mind|emphasi[sz]ed)\b",
    re.I,
)

# What the authors expect: a forecast verb with a time ahead ("we expect this to grow in the
# coming years", "expect more firms to ...") or a time ahead alone ("in the coming years, most
# firms will ..."). Not "expected", mostly a comparison ("than expected"), nor "as you might
# expect" (an aside), nor "the variability we expect to see" (no time ahead).
FORESEE = _tokens(
    "expect expects predict predicts prediction predictions forecast forecasts anticipate "
    "anticipates foresee foresees"
)
AHEAD = re.compile(
    r"\b(?:in|over|within)\s+the\s+(?:coming|next|years?\s+ahead|near\s+future|future(?!\s+of\b))"
    r"|\bgoing\s+forward\b|\bin\s+the\s+years\s+to\s+come\b",
    re.I,
)
WILL_COME = re.compile(
    r"\b(?:will|won[’']t|shall|going\s+to|next|coming|ahead|soon|more|fewer)\b", re.I
)
AS_EXPECTED = re.compile(
    r"\bas\s+(?:you|one|we|many|some)\s+(?:might|would|could|may)\s+expect", re.I
)
# A question about the future ("what does it predict?", "the outlook?"), not about the end
FUTURE_ASKED = _tokens(
    "future outlook predict predicts prediction predictions forecast forecasts expect expects "
    "anticipate foresee foresees ahead headed heading prognosis coming"
)

# A question about what the report's authors will do next ("what are the next steps?", "what
# will they do next with the survey?", "any plans for next year?")
NEXT_ASKED = re.compile(
    r"\bnext\s+steps?\b|\b(?:do|doing|happen|happens|coming)\s+next\b|\bwhat(?:'s|\s+is)\s+next\b"
    r"|\bplans?\s+(?:to|for|next)\b|\bplanning\b|\bgoing\s+to\s+do\b",
    re.I,
)
# The authors saying what they will do: "We will revisit this data", "we'll be adding ..."
WE_WILL = re.compile(
    r"\b(?:we[’']ll|we\s+(?:will|shall|are\s+going\s+to|plan\s+to|intend\s+to|hope\s+to|aim\s+to))"
    r"\s+(?:also\s+|then\s+)?(?:continue|revisit|add|adding|take|be|focus|improve|use|publish|"
    r"run|repeat|share|expand|work|keep|follow|look\s+into)\b",
    re.I,
)
# ... unless it is the document speaking of itself ("which we will summarize below")
ABOUT_THE_TEXT = re.compile(
    r"\b(?:below|above|in\s+this\s+(?:post|report|article|section)|summari[sz]e|discuss|present)"
    r"\b",
    re.I,
)

# Openers of a follow-up that leans on the previous question.
FOLLOWUP_OPENERS = (
    "and ",
    "and,",
    "what about",
    "how about",
    "same for",
    "also ",
    "then ",
    "so ",
    "ok ",
    "okay ",
    "going back",
    "back to",
)
ANAPHORA = _tokens("them they their it its those these that this the others rest remainder")
# "how many is that?", "how many companies are those?": the figure just given itself.
THAT_FIGURE = _tokens("that those them it this these")
# "the rest", "the others": everyone the previous figure did not count.
REST = ("the rest", "the others", "the remainder", "everyone else", "the remaining", "others")
# "the next band up", "the higher one": a neighbouring row of the same table.
HIGHER = _tokens("higher next up above bigger larger upper top")
LOWER = _tokens("lower below down smaller under previous bottom")
# "the highest incomes", "the lowest rating": the band at the end of the scale, not the next one
TOPMOST = _tokens("biggest largest highest greatest top worst heaviest maximum")
BOTTOMMOST = _tokens("smallest lowest mildest minimum")
# ... unless it ranks the answers by how many gave them ("the most common answer")
COMMONNESS = _tokens(
    "common commonly popular frequent frequently often widely selected chosen cited picked"
)

# Words of a question about change over time: the report is one survey at one time.
TIME_WORDS = _tokens(
    """change changed changing trend trends grow grew growing growth rise rising rose
    increase increased increasing decrease decreased decline declined falling fell since ago
    last previous prior yoy forecast predict projection future anymore still"""
)
# Phrases of a sentence that sets a figure against an earlier time: a survey run every year
# often says how a figure moved ("38% vs 34% from last year", "as in previous years").
CHANGE_PHRASES = tuple(
    phrase.strip()
    for phrase in """last year, previous year, prior year, year before, year over year,
    year-over-year, year on year, year-on-year, previous survey, last survey, previous edition,
    last edition, previous years, past few years, past year, over the years, over time, up from,
    down from, an increase of, a decrease of, uptick, upward trend, downward trend, than before,
    compared to last, compared with last, since last, previous surveys""".split(",")
)
# Verbs that say a figure moved: with an earlier year or a change in points beside them
# ("dropped by about 6pp from 2023", "its share has fallen by 5 percentage points").
CHANGE_VERBS = _tokens(
    """rose risen increased decreased dropped fell fallen grew grown declined climbed jumped
    shrank shrunk gained"""
)

# A question that asks how a figure moved ("by how many points did it grow?"), any tense.
CHANGE_ASKED = CHANGE_VERBS | _tokens(
    "rise increase decrease drop fall grow decline climb jump shrink gain change changed"
)

# "did it go down?", "went up or nah", "as much as before": a move asked in a phrase
_MOVE_PHRASE = re.compile(
    r"\b(?:go|goes|went|gone|going)\s+(?:up|down)\b(?!\s+(?:the|a|an|into|in|on|at)\b)"
    r"|\bas\s+(?:much|many|often)\s+as\s+(?:before|last\s+year|then)\b",
    re.I,
)


# The way a question says a figure moved ("why did X drop?", "did it go up?"): checked
# against the way the report says it moved
MOVED_DOWN = _tokens(
    "drop dropped fall fell fallen decline declined decrease decreased shrink shrank"
)
MOVED_UP = _tokens("rise rose risen grow grew grown increase increased climb climbed jump jumped")
_WENT = re.compile(r"\b(?:go|goes|went|gone|going)\s+(?P<way>up|down)\b", re.I)


def way_asked(text: str) -> str | None:
    """ "up" or "down" for a question that says which way a figure moved, else None (both
    ways or neither: "did it go up or down?")."""
    words = set(tokenize(text, keep_stopwords=True))
    ways = {"down"} if words & MOVED_DOWN else set()
    ways |= {"up"} if words & MOVED_UP else set()
    ways |= {m.group("way").lower() for m in _WENT.finditer(text)}
    return ways.pop() if len(ways) == 1 else None


def asks_change(text: str) -> bool:
    """Whether a question asks how a figure moved ("how far did it fall?", "did it go down?")."""
    words = set(tokenize(text, keep_stopwords=True))
    return bool(words & CHANGE_ASKED) or _MOVE_PHRASE.search(text) is not None


# Words that move a follow-up to another time ("and the year before?"), away from the figure.
TIME_SHIFT = _tokens("before earlier previous prior last next after ago")

# Words that say which kind of figure a question wants: a share, a time, a count of people...
UNIT_CUES: dict[str, frozenset[str]] = {
    "%": _tokens(
        "share percentage percent proportion fraction pct portion point points pp chance "
        "likelihood probability odds"
    ),
    "time": _tokens(
        "long quickly fast quick minutes hours days weeks months years time period soon"
    ),
    "employees": _tokens("employees employee headcount workforce staff size"),
    "users": _tokens("users user"),
    "USD": _tokens("cost costs costing revenue dollars money expensive spend"),
    "year": _tokens("year founded started when"),
}
TIME_UNITS = frozenset({"minutes", "hours", "days", "weeks", "months", "years"})
# Month names: a sentence with one dates what it states ("may" is left out: it is mostly a verb).
MONTHS = _tokens(
    """january february march april june july august september october november december
    jan feb mar apr jun jul aug sep sept oct nov dec"""
)

# Words that ask about those a figure does not count ("what share did not ...", "the rest").
# Words that say something is missing or falls short ("short of nurses", "lacked a plan",
# "could not hire"): a question and a row agree in polarity when both use one or neither.
SHORTFALL = _tokens(
    """not no never without lack lacks lacked lacking short shortage shortages insufficient
    inadequate inadequately unable cannot can't couldn't didn't don't doesn't wasn't weren't
    isn't aren't"""
)

# The plain negations among them ("selected no", "preferred not to say").
NEGATIONS = _tokens(
    """not no never didn't don't doesn't wasn't weren't isn't aren't can't cannot couldn't"""
)

# a negation this many words before a word denies it ("not at all surprising")
_DENIAL_REACH = 3
_DENYING = NEGATIONS | {"hardly", "nothing"}


def denied(text: str, words: frozenset[str]) -> bool:
    """Whether a text denies one of ``words``: negated ("not surprising") or in its "un-"
    form ("unsurprisingly", "unexpected" aside when it is itself one of the words)."""
    tokens = tokenize(text, keep_stopwords=True)
    return any(
        (t in words and _DENYING.intersection(tokens[max(0, i - _DENIAL_REACH) : i]))
        or (t not in words and t.startswith("un") and t[2:] in words)
        for i, t in enumerate(tokens)
    )


def affirmed(text: str, words: frozenset[str]) -> list[str]:
    """The words of ``words`` a text uses, each time it uses one, save where a negation just
    before denies it: "this high number is not surprising" stresses nothing."""
    tokens = tokenize(text, keep_stopwords=True)
    return [
        t
        for i, t in enumerate(tokens)
        if t in words and not _DENYING.intersection(tokens[max(0, i - _DENIAL_REACH) : i])
    ]


# Words that deny: a row said with one of them ("a similar 31% said they had not") is the
# report's own figure for the rest
NEGATION = _tokens(
    """not no never none didn't don't doesn't wasn't weren't isn't aren't can't couldn't cannot
    haven't hasn't"""
)
NEGATIVE = _tokens(
    """not no never without rest remainder remaining others other didn't don't doesn't
    wasn't weren't isn't aren't can't couldn't cannot unable fail failed lack lacked avoid
    avoided avoiding escaped spared"""
)

# Nouns that point at a part of the report: "the Demography section", "the part about X".
SECTION_WORDS = _tokens("section sections part chapter discussion bit portion segment passage")
# Words a question about the report as a whole uses; each overview intent needs one of its own.
OVERVIEW_CUES: dict[str, frozenset[str]] = {
    "overview": _tokens(
        """summary summarize summarise summarised key findings finding takeaways takeaway
        about overview gist main headline headlines highlights tl;dr tldr short nutshell
        important brief whole results news bullet bullets slide slides insight insights"""
    ),
    "conclusion": _tokens(
        """conclusion conclude concludes concluded end ends ending final finally closing close
        outlook future predict predicts prediction predictions expect expects coming"""
    ),
    "recommendation": _tokens(
        """recommend recommends recommendation recommendations advise advises advice suggest
        suggests suggestion should tips tip guidance action actions"""
    ),
    "emphasis": _tokens(
        """surprising surprise surprised surprises shocking shock shocked shocker worrying
        worried alarming alarm concerning concern striking remarkable notable interesting
        unexpected scary bad good news positive encouraging promising optimistic heartening
        risk risks threat threats danger dangers"""
    ),
}


# ---------------------------------------------------------------- clauses, for the figure extractor

# Words that start a verb phrase after "X% of <who>": "... of respondents *were* satisfied".
VERB_STARTS = frozenset(
    """
    am is are was were be been being has have had do does did will would can could should may
    might must shall said say says saw see sees felt feel feels use uses think thinks thought
    expect expects expected plan plans planned want wants wanted agree agrees agreed prefer
    prefers preferred report reports reported indicate indicates indicated believe believes
    believed consider considers considered rate rates rated rank ranks ranked chose choose
    chooses selected select selects work works worked get gets got need needs needed spend
    spends spent deploy deploys deployed build builds built run runs ran like likes liked
    find finds found know knows knew make makes made take takes took keep keeps kept
    go goes went give gives gave tell tells told come comes came begin begins began become
    becomes became put set leave leaves left hold holds held bring brings brought buy buys
    bought write writes wrote read reads learn learns start starts own owns lead leads led
    pay pays paid stay stays choose chosen chose
    still also already now currently often never always usually only mostly either neither
    don't doesn't didn't won't can't couldn't wouldn't aren't isn't weren't wasn't haven't
    """.split()
)

# Words after which a clause ends when another figure follows: "24% X and 10% Y".
CLAUSE_JOINS = frozenset("and but while whereas or with compared versus vs".split())

# Words that tie a figure to what came before it ("rose to 58%", "stands at 93%").
LINK_WORDS = frozenset(
    """
    of at to by from in is are was were be been stands stood rose fell grew reached reaching
    around about nearly almost roughly approximately over under than more less just only some
    """.split()
)

# Who a share counts: "X% of respondents". The rest of the noun phrase is its subject.
POPULATION_WORDS = frozenset(
    """
    respondents respondent people participants developers users companies businesses firms
    organizations organisations enterprises teams those us them all everyone adults employees
    professionals engineers individuals members customers readers voters
    """.split()
)

# Words that lead to a label without being part of it: "followed by macOS" -> "macOS".
LEAD_WORDS = frozenset("such as including like then and or followed alongside".split())

# Words before a figure, in its clause, that narrow whom it counts ("among new users, 82% ...",
# "users of the blog, where 61% ..."): "82% were satisfied" alone would read as everyone's.
GROUP_WORDS = frozenset("among amongst where within".split())

# Prepositions that open a phrase describing a figure: "$1B in yearly revenue".
PREPOSITIONS = frozenset("in for on across among at within from".split())

# "-ing" words that are prepositions or pronouns, not what a figure measures ("40% during")
ING_NOT_VERBS = frozenset(
    "during including regarding concerning following according excluding nothing something "
    "anything everything".split()
)

# Words that end such a phrase: "in yearly revenue to see how ..." stops at "to".
PHRASE_STOPS = frozenset("to that which who because so as while".split())

# Verbs and nouns of a sentence that says who was surveyed ("we asked 250 managers").
SAMPLE_WORDS = _tokens(
    """asked ask surveyed polled interviewed talked spoke sampled respondents participants
    respondent participant questioned"""
)

# Statistics a question may ask for that a share of respondents is not ("the average budget").
STATISTICS = _tokens(
    """average averages mean median mode typical percentile deviation variance correlation
    cagr"""
)
