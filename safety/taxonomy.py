"""safety/taxonomy.yml, read once: kinds of risk, their levels, intents and
needs. Pure Python, so the Rasa server and the action server share it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

TAXONOMY = Path(__file__).with_name("taxonomy.yml")
NO_RISK = "none"  # the risk model's class for calm messages


@dataclass(frozen=True)
class Kind:
    name: str
    level: str
    intent: str
    needs: tuple[str, ...]
    asks_if_safe: bool  # a crisis kind's first response asks "are you safe?"
    # kinds whose lexicon phrases, in a message of this kind, describe another
    # person ("she wants to die"), not the writer
    covers: frozenset[str]


@dataclass(frozen=True)
class Taxonomy:
    levels: tuple[str, ...]
    kinds: dict[str, Kind]
    classes: dict[str, str]  # training intent -> risk class (a kind)
    unlabelled: frozenset[str]
    check_in_intent: str
    check_in_yes_kinds: tuple[str, ...]
    partner_unsafe_kinds: tuple[str, ...]
    check_in_again_after_rise: float
    help_intent: str
    child_kind: str
    languages: tuple[str, ...]

    def higher(self, *levels: str | None) -> str | None:
        """The highest of the known levels given, or None."""
        known = [level for level in levels if level in self.levels]
        return max(known, key=self.levels.index) if known else None

    def level_of(self, kinds: Iterable[str]) -> str | None:
        return self.higher(*(self.kinds[k].level for k in kinds if k in self.kinds))

    def intent_for(self, kinds: Iterable[str]) -> str:
        """The intent whose rules answer these kinds: that of the most urgent
        kind, in the file's order."""
        wanted = set(kinds)
        ordered = [k for k in self.kinds.values() if k.name in wanted]
        urgent = max(ordered, key=lambda k: self.levels.index(k.level))
        return urgent.intent

    def covered_by(self, kinds: Iterable[str]) -> set[str]:
        """The kinds these kinds' messages only describe in someone else."""
        return {c for k in kinds if k in self.kinds for c in self.kinds[k].covers}

    def needs_for(self, kinds: Iterable[str]) -> list[str]:
        """Kinds of help, most urgent kind first, without repeats."""
        wanted = set(kinds)
        ordered = sorted(
            (k for k in self.kinds.values() if k.name in wanted),
            key=lambda k: -self.levels.index(k.level),
        )
        needs: list[str] = []
        for kind in ordered:
            needs += [n for n in kind.needs if n not in needs]
        return needs

    def risk_class(self, intent: str) -> str | None:
        """What a training example of this intent teaches the risk model:
        a kind, NO_RISK, or None for intents that teach nothing."""
        if intent in self.unlabelled:
            return None
        return self.classes.get(intent, NO_RISK)

    @property
    def safety_intents(self) -> frozenset[str]:
        """Intents whose rules escalate."""
        return frozenset(k.intent for k in self.kinds.values())

    @property
    def safety_path_intents(self) -> frozenset[str]:
        """Intents of a message on the safety path: those that escalate, the
        check-in's and "Get help now"'s. The detector gives a risky message
        one of them, whatever it asked."""
        return self.safety_intents | {self.check_in_intent, self.help_intent}

    def kinds_of_intent(self, intent: str) -> list[str]:
        """The kinds a safety intent stands for when it arrives without the
        detector's findings (a button, or a typed /intent)."""
        return [kind for i, kind in self.classes.items() if i == intent]


@cache
def load(path: Path = TAXONOMY) -> Taxonomy:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    kinds = {
        name: Kind(
            name,
            k["level"],
            k["intent"],
            tuple(k["needs"]),
            asks_if_safe=bool(k.get("asks_if_safe", True)),
            covers=frozenset(k.get("covers", ())),
        )
        for name, k in raw["kinds"].items()
    }
    taxonomy = Taxonomy(
        levels=tuple(raw["levels"]),
        kinds=kinds,
        classes=dict(raw["classes"]),
        unlabelled=frozenset(raw["unlabelled"]),
        check_in_intent=str(raw["check_in_intent"]),
        check_in_yes_kinds=tuple(raw["check_in_yes_kinds"]),
        partner_unsafe_kinds=tuple(raw["partner_unsafe_kinds"]),
        check_in_again_after_rise=float(raw["check_in_again_after_rise"]),
        help_intent=str(raw["help_intent"]),
        child_kind=str(raw["child_kind"]),
        languages=tuple(raw["languages"]),
    )
    _check(taxonomy)
    return taxonomy


def _check(taxonomy: Taxonomy) -> None:
    """Refuse a taxonomy that contradicts itself, at load, not mid-crisis."""
    for kind in taxonomy.kinds.values():
        if kind.level not in taxonomy.levels:
            raise ValueError(f"{TAXONOMY}: kind {kind.name!r} has level {kind.level!r}")
    named = [
        *taxonomy.classes.values(),
        taxonomy.child_kind,
        *taxonomy.check_in_yes_kinds,
        *taxonomy.partner_unsafe_kinds,
    ]
    named += [c for kind in taxonomy.kinds.values() for c in kind.covers]
    for name in named:
        if name not in taxonomy.kinds:
            raise ValueError(f"{TAXONOMY}: {name!r} is no kind")
