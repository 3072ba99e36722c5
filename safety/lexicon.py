"""The safety lexicon (safety/lexicon/<language>.yml) as spaCy phrase matchers.

Every language's phrases are matched on the lemmas of the normalised text
(safety/text.py) with the assistant's own spaCy pipeline, so "killed myself"
and "killing myself" are one English phrase, and "despues" matches "después".
A match preceded by a negation in its clause ("i'm not suicidal") or inside a
figure of speech ("dying of embarrassment") is kept, but marked harmless: the
risk model weighs both (safety/model.py).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import yaml
from spacy.language import Language
from spacy.matcher import Matcher, PhraseMatcher
from spacy.tokens import Doc

from safety.text import normalise

LEXICON_DIR = Path(__file__).with_name("lexicon")
PHRASE, HINT = "phrase", "hint"  # a kind's strong phrases, and its weaker hints
# How many tokens before a phrase a negation may stand in, unless a language
# file says otherwise: in Romance languages it comes right before the verb
# ("no me quiero morir"), so a wider window would cancel "nao aguento mais vou
# me matar".
NEGATION_WINDOW = 1


@dataclass(frozen=True)
class Match:
    kind: str
    strength: str  # PHRASE or HINT
    language: str
    harmless: bool  # negated, or part of a figure of speech


@dataclass(frozen=True)
class Evidence:
    matches: tuple[Match, ...]
    figurative: bool  # a figure of speech was found anywhere

    def kinds(self, strength: str = PHRASE) -> set[str]:
        """Kinds with a match of this strength that is not harmless."""
        return {
            m.kind for m in self.matches if m.strength == strength and not m.harmless
        }

    @property
    def harmless_only(self) -> bool:
        """Alarming words appeared, but only negated or as figures of speech."""
        phrases = [m for m in self.matches if m.strength == PHRASE]
        return bool(phrases) and all(m.harmless for m in phrases)

    @property
    def languages(self) -> Counter[str]:
        return Counter(m.language for m in self.matches if m.strength == PHRASE)


@dataclass(frozen=True)
class LanguageFile:
    language: str
    kinds: dict[str, list[str]]
    hints: dict[str, list[str]]
    # spaCy Matcher token patterns, by kind, for what a phrase cannot say
    # ("20 tylenol": any number of ten or more before a medicine)
    token_patterns: dict[str, list[list[dict[str, Any]]]]
    symbols: dict[str, str]
    negations: list[str]
    negation_window: int
    clause_breaks: list[str]
    figures_of_speech: list[str]

    @classmethod
    def read(cls, path: Path) -> LanguageFile:
        raw: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
        return cls(
            language=str(raw["language"]),
            kinds={k: list(v or []) for k, v in raw["kinds"].items()},
            hints={k: list(v or []) for k, v in (raw.get("hints") or {}).items()},
            token_patterns=dict(raw.get("token_patterns") or {}),
            symbols=dict(raw.get("symbols") or {}),
            negations=list(raw.get("negations") or []),
            negation_window=int(raw.get("negation_window", NEGATION_WINDOW)),
            clause_breaks=list(raw.get("clause_breaks") or []),
            figures_of_speech=list(raw.get("figures_of_speech") or []),
        )


class Lexicon:
    """All languages' phrases, compiled for one spaCy pipeline."""

    def __init__(self, files: list[LanguageFile], nlp: Language) -> None:
        self.files = files
        self.nlp = nlp
        self.symbols = {s: k for f in files for s, k in f.symbols.items()}
        # each language's negations and clause breaks apply to its own phrases
        self.negations = {f.language: self._lemmas(f.negations) for f in files}
        self.clause_breaks = {f.language: self._lemmas(f.clause_breaks) for f in files}
        self.windows = {f.language: f.negation_window for f in files}

    @classmethod
    def load(cls, nlp: Language, directory: Path = LEXICON_DIR) -> Lexicon:
        paths = sorted(directory.glob("*.yml"))
        if not paths:
            raise FileNotFoundError(f"no safety lexicon in {directory}")
        return cls([LanguageFile.read(p) for p in paths], nlp)

    def _lemmas(self, words: list[str]) -> frozenset[str]:
        """The lemma that stands for each word: its last token's, so "wasnt"
        (tokens "was", "nt") is "not", never "be"."""
        return frozenset(
            doc[-1].lemma_ for doc in self.nlp.pipe(normalise(w) for w in words) if doc
        )

    def _patterns(self, phrases: list[str]) -> list[Doc]:
        return list(self.nlp.pipe(normalise(p) for p in phrases))

    @cached_property
    def _phrases(self) -> PhraseMatcher:
        matcher = PhraseMatcher(self.nlp.vocab, attr="LEMMA")
        for f in self.files:
            for strength, groups in ((PHRASE, f.kinds), (HINT, f.hints)):
                for kind, phrases in groups.items():
                    matcher.add(
                        f"{f.language}|{strength}|{kind}", self._patterns(phrases)
                    )
        return matcher

    @cached_property
    def _tokens(self) -> Matcher:
        matcher = Matcher(self.nlp.vocab)
        for f in self.files:
            for kind, patterns in f.token_patterns.items():
                matcher.add(f"{f.language}|{PHRASE}|{kind}", patterns)
        return matcher

    @cached_property
    def _figures(self) -> PhraseMatcher:
        matcher = PhraseMatcher(self.nlp.vocab, attr="LEMMA")
        for f in self.files:
            matcher.add(f"{f.language}|figure", self._patterns(f.figures_of_speech))
        return matcher

    def doc(self, text: str) -> Doc:
        return self.nlp(normalise(text))

    def find(self, text: str) -> Evidence:
        doc = self.doc(text)
        figures = [(start, end) for _, start, end in self._figures(doc)]
        matches = []
        for label, start, end in [*self._phrases(doc), *self._tokens(doc)]:
            language, strength, kind = self.nlp.vocab.strings[label].split("|")
            harmless = self._negated(doc, start, language) or any(
                s < end and start < e for s, e in figures
            )
            matches.append(Match(kind, strength, language, harmless))
        matches += [
            Match(kind, PHRASE, "any", False)
            for symbol, kind in self.symbols.items()
            if symbol in text
        ]
        return Evidence(tuple(matches), bool(figures))

    def _negated(self, doc: Doc, start: int, language: str) -> bool:
        """A negation of the phrase's language shortly before it, in the same
        clause."""
        window = self.windows[language]
        for token in reversed(doc[max(0, start - window) : start]):
            if token.is_punct or token.lemma_ in self.clause_breaks[language]:
                return False  # "i'm not ok, i want to die" is not negated
            if token.lemma_ in self.negations[language]:
                return True
        return False
