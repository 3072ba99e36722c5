"""The safety net: flag distress and crisis in every message, on every channel.

Two layers, and either one escalates (research on crisis detection: a
high-recall lexical stage next to a trained classifier):
1. the intent classifier, when it ranks a safety intent high enough;
2. spaCy matchers over lemmas for the phrases, method words, symbols and
   misspellings in distress_lexicon.yml, skipping negated phrases ("i'm not
   suicidal") and figures of speech ("i nearly died laughing").
When either fires, the message's intent becomes the matching safety intent,
so the safety rules answer it ahead of any topic, and `distress` in the parse
data tells the escalation action the level and the kinds of help needed.
It reads the whole message, even when MessageLengthGuard cut it for the rest.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import spacy
import yaml
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.exceptions import InvalidConfigException
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc

from components.message_length_guard import UNTRUNCATED_TEXT

DISTRESS = "distress"  # the parse-data key the escalation action reads
LEVELS = ("distress", "crisis")  # in rising order
# kind of help -> the intent whose rules escalate, most urgent first
INTENT_FOR_KIND = {
    "suicide": "express_suicidal_thoughts",
    "self_harm": "express_suicidal_thoughts",
    "method": "express_suicidal_thoughts",
    "assault": "report_sexual_assault",
    "abuse": "report_sexual_assault",
    "child": "report_sexual_assault",
    "distress": "express_distress",
}
# safety intent -> (level, kind), for the classifier layer
KIND_FOR_INTENT = {
    "express_suicidal_thoughts": ("crisis", "suicide"),
    "report_sexual_assault": ("crisis", "assault"),
    "express_distress": ("distress", "distress"),
}
CLAUSE_BREAKS = frozenset({"and", "but", "so", "because", "cause", "cuz", "then"})
AGE = re.compile(
    r"\b(?:i'?m|i am|im|age|aged)\s+(?:only\s+|just\s+)?(\d{1,2})\b"
    r"|\b(\d{1,2})\s*(?:yo|y/o|yrs?|years?)\b"
)


@dataclass(frozen=True)
class Lexicon:
    """distress_lexicon.yml, compiled into spaCy phrase matchers."""

    nlp: Language
    groups: dict[str, dict[str, Any]]
    symbols: dict[str, str]
    minors: dict[str, Any]
    negations: frozenset[str]
    negation_window: int
    figures_of_speech: list[str]
    method_benign_purposes: list[str]

    @classmethod
    def load(cls, path: Path, nlp: Language) -> Lexicon:
        with path.open(encoding="utf-8") as handle:
            raw = yaml.safe_load(handle)
        return cls(
            nlp=nlp,
            groups=raw["groups"],
            symbols=raw.get("symbols", {}),
            minors=raw["minors"],
            negations=frozenset(raw["negations"]),
            negation_window=int(raw["negation_window"]),
            figures_of_speech=list(raw.get("figures_of_speech", [])),
            method_benign_purposes=list(raw.get("method_benign_purposes", [])),
        )

    def _matcher(self, phrases_by_label: dict[str, list[str]]) -> PhraseMatcher:
        matcher = PhraseMatcher(self.nlp.vocab, attr="LEMMA")
        for label, phrases in phrases_by_label.items():
            matcher.add(label, list(self.nlp.pipe(p.lower() for p in phrases)))
        return matcher

    @cached_property
    def phrases(self) -> PhraseMatcher:
        return self._matcher({k: g["phrases"] for k, g in self.groups.items()})

    @cached_property
    def figures(self) -> PhraseMatcher:
        return self._matcher({"figure": self.figures_of_speech})

    @cached_property
    def benign_purposes(self) -> PhraseMatcher:
        return self._matcher({"purpose": self.method_benign_purposes})

    @cached_property
    def minor_context(self) -> PhraseMatcher:
        return self._matcher({"minor_context": self.minors["context"]})


@dataclass(frozen=True)
class Finding:
    kinds: set[str]
    # the text used alarming words, but only negated or as a figure of speech
    only_harmless_uses: bool


class DistressFinder:
    """Finds the kinds of distress a text shows (no Rasa types: easy to test)."""

    def __init__(self, lexicon: Lexicon) -> None:
        self.lexicon = lexicon

    def find(self, text: str) -> Finding:
        doc = self.lexicon.nlp(text.lower())
        figures = [(s, e) for _, s, e in self.lexicon.figures(doc)]
        purposes = [s for _, s, _ in self.lexicon.benign_purposes(doc)]
        found: set[str] = set()
        harmless = bool(figures)
        for label, start, end in self.lexicon.phrases(doc):
            kind = self.lexicon.nlp.vocab.strings[label]
            if (
                self._negated(doc, start)
                or any(s < end and start < e for s, e in figures)
                or (kind == "method" and any(end <= s <= end + 1 for s in purposes))
            ):
                # "not suicidal", "died laughing", "ibuprofen for cramps"
                harmless = True
                continue
            found.add(kind)
        found |= {k for symbol, k in self.lexicon.symbols.items() if symbol in text}
        if self._minor_describing_sex(doc):
            found.add("child")
        return Finding(found, harmless and not found)

    def _negated(self, doc: Doc, start: int) -> bool:
        """A negation shortly before the phrase, in the same clause."""
        for token in reversed(
            doc[max(0, start - self.lexicon.negation_window) : start]
        ):
            if token.is_punct or token.lower_ in CLAUSE_BREAKS:
                return False  # "i'm not ok, i want to die" is not negated
            if (
                token.lower_ in self.lexicon.negations
                or token.lemma_ in self.lexicon.negations
            ):
                return True
        return False

    def _minor_describing_sex(self, doc: Doc) -> bool:
        ages = [int(a or b) for a, b in AGE.findall(doc.text)]
        young = any(5 <= age <= self.lexicon.minors["max_age"] for age in ages)
        return young and bool(self.lexicon.minor_context(doc))


def level_of(kinds: set[str], groups: dict[str, dict[str, Any]]) -> str | None:
    levels = {"child": "crisis", **{k: g["level"] for k, g in groups.items()}}
    found = [levels[k] for k in kinds]
    return max(found, key=LEVELS.index) if found else None


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False
)
class DistressDetector(GraphComponent):
    """Overrides the intent with a safety intent when a message shows distress."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {
            "lexicon": str(Path(__file__).with_name("distress_lexicon.yml")),
            "spacy_model": "en_pct_lookup",
            # safety intents ranked with at least this much probability in all
            # escalate (layer 1), unless the lexicon saw only negated or
            # figurative uses
            "classifier_threshold": 0.6,
        }

    @classmethod
    def validate_config(cls, config: dict[str, Any]) -> None:
        threshold = config.get("classifier_threshold")
        if isinstance(threshold, bool) or not isinstance(threshold, int | float):
            raise InvalidConfigException(
                f"{cls.__name__}: 'classifier_threshold' must be a number."
            )
        if not 0 < threshold <= 1:
            raise InvalidConfigException(
                f"{cls.__name__}: 'classifier_threshold' must be in (0, 1]."
            )
        if not Path(str(config.get("lexicon"))).is_file():
            raise InvalidConfigException(
                f"{cls.__name__}: 'lexicon' must be a file: {config.get('lexicon')!r}."
            )

    def __init__(self, config: dict[str, Any]) -> None:
        self.validate_config(config)
        self._threshold = float(config["classifier_threshold"])
        nlp = spacy.load(config["spacy_model"], disable=["parser", "ner"])
        self._lexicon = Lexicon.load(Path(config["lexicon"]), nlp)
        self._finder = DistressFinder(self._lexicon)

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> DistressDetector:
        return cls({**cls.get_default_config(), **config})

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data  # nothing to learn: it only acts on live messages

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            self._assess(message)
        return messages

    def _assess(self, message: Message) -> None:
        text = message.get(UNTRUNCATED_TEXT) or message.get(TEXT) or ""
        finding = self._finder.find(text) if text else Finding(set(), False)
        kinds = set(finding.kinds)
        sources = ["lexicon"] if kinds else []
        # Layer 1 counts the classifier's whole belief in distress: a message
        # split 0.25 / 0.2 between two safety intents is still alarming.
        ranked = message.get(INTENT_RANKING_KEY) or []
        safety = [p for p in ranked if p.get("name") in KIND_FOR_INTENT]
        if (
            safety
            and sum(p.get("confidence", 0) for p in safety) >= self._threshold
            and not finding.only_harmless_uses
        ):
            strongest = max(safety, key=lambda p: p.get("confidence", 0))
            kinds.add(KIND_FOR_INTENT[strongest["name"]][1])
            sources.append("classifier")
        level = level_of(kinds, self._lexicon.groups)
        if level is None:
            return
        asked = (message.get(INTENT) or {}).get("name")
        intent = next(INTENT_FOR_KIND[k] for k in INTENT_FOR_KIND if k in kinds)
        message.set(INTENT, {"name": intent, "confidence": 1.0}, add_to_output=True)
        message.set(
            DISTRESS,
            {
                "level": level,
                "kinds": sorted(kinds),
                "sources": sorted(set(sources)),
                "asked": None if asked in KIND_FOR_INTENT else asked,
            },
            add_to_output=True,
        )
