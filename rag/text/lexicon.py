"""General English cue words the figure extractor reads clauses with (no report's wording).

Kept as data beside the code, like spaCy's ``lang/en`` tables: the rules in ingest.extract stay
language-free, these lists say which words end a clause or start a verb phrase.
"""

from __future__ import annotations

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
LEAD_WORDS = frozenset("such as including like then and or followed".split())

# Prepositions that open a phrase describing a figure: "$1B in yearly revenue".
PREPOSITIONS = frozenset("in for on across among at within from".split())

# Words that end such a phrase: "in yearly revenue to see how ..." stops at "to".
PHRASE_STOPS = frozenset("to that which who because so as while".split())
