"""One normal form of a message for everything that looks for risk in it."""

from __future__ import annotations

import re
import unicodedata

# Typographic apostrophes and quotes as people's phones type them.
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "`": "'"})
_SPACES = re.compile(r"\s+")


def normalise(text: str) -> str:
    """Lowercase, accents removed ("después" -> "despues", "ß" -> "ss"), one
    kind of apostrophe and single spaces: people type "despues" as often as
    "después", so the lexicon is written without accents."""
    text = text.translate(_APOSTROPHES).lower().replace("ß", "ss")
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _SPACES.sub(" ", stripped).strip()


_TOKENS = re.compile(r"\w+(?:'\w+)?|[^\w\s]")
NEGATED = "neg_"  # the prefix of a word in a negation's reach
NEGATION_REACH = 4  # words


def mark_negations(
    text: str, negations: frozenset[str], clause_breaks: frozenset[str]
) -> str:
    """Prefix the words a negation reaches, up to the end of its clause: "i
    don't want to die or anything" reads "i don't neg_want neg_to neg_die
    neg_or", so a bag of words can tell it from "i want to die". Which negated
    words still mean risk ("i don't want to live") is for the model to learn."""
    out, reach = [], 0
    for token in _TOKENS.findall(text):
        if not token[0].isalnum() or token in clause_breaks:
            reach = 0
            out.append(token)
        elif token in negations or token.endswith("n't"):
            reach = NEGATION_REACH
            out.append(token)
        elif reach:
            reach -= 1
            out.append(NEGATED + token)
        else:
            out.append(token)
    return " ".join(out)
