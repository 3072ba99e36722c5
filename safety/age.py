"""The age policy of safety/age.yml: whose age a message states, and whether it
calls for child protection or the ordinary answer with a youth-support line.
Pure Python over the normalised text (safety/text.py), English wording."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, cached_property
from pathlib import Path
from typing import Any

import yaml

from safety.text import normalise

POLICY = Path(__file__).with_name("age.yml")
CHILD_PROTECTION, YOUTH = "child_protection", "youth"
PARTNER_ADULT, PARTNER_OLDER = "partner_adult", "partner_older"
FAMILY, AUTHORITY, FORCE = "family", "authority", "force"
# what follows a number that makes it something other than an age
NOT_AN_AGE = (
    r"(?!\s*(?:years?|yrs?|months?|weeks?|days?|hours?|hrs?|minutes?|mins?|"
    r"times?|%|percent|ft|feet|foot|kgs?|lbs?|pounds?|cm|inches|miles?|km|"
    r"am\b|pm\b|o'?clock|:|/|\.\d|,\d|x\b))"
)
AGED = r"(?:\s*(?:years?|yrs?)[\s-]*old\b|\s*(?:yo|y/o)\b|\s*[fm]\b)?"
HEDGE = r"(?:(?:only|just|like|about|almost|nearly|barely)\s+)?"


@dataclass(frozen=True)
class AgeFinding:
    own_age: int | None
    partner_age: int | None
    signs: frozenset[str]
    sexual: bool
    verdict: str | None  # CHILD_PROTECTION, YOUTH, or None (an adult, or no age)

    @property
    def minor(self) -> bool:
        return self.verdict is not None


def _alternation(words: list[str]) -> str:
    ordered = sorted((re.escape(normalise(w)) for w in words), key=len, reverse=True)
    return r"\b(?:" + "|".join(ordered) + r")\b"


class AgePolicy:
    def __init__(self, raw: dict[str, Any]) -> None:
        self.raw = raw
        self.child_max = int(raw["child_max_age"])
        self.young_teen_max = int(raw["young_teen_max_age"])
        self.adult = int(raw["adult_age"])
        self.gap = int(raw["age_gap"])
        self.proximity = int(raw["proximity"])
        self.number_words = {str(k): int(v) for k, v in raw["number_words"].items()}

    @cached_property
    def _number(self) -> str:
        words = "|".join(sorted(self.number_words, key=len, reverse=True))
        return rf"(\d{{1,2}}|{words})"

    @cached_property
    def _own(self) -> list[re.Pattern[str]]:
        n = self._number
        self_words = r"(?:i'?m|i am|me|i just turned|i turned|just turned|aged?|as an?)"
        return [
            re.compile(
                rf"\b{self_words}\s+(?:an?\s+)?{HEDGE}\(?{n}\b{AGED}{NOT_AN_AGE}"
            ),
            re.compile(
                rf"^(?:hi|hey|hello|so|ok)?[\s,]*{n}\s*(?:years?[\s-]*old|yo|y/o)\b"
            ),
            re.compile(rf"(?:^|[(\[]){n}\s?/?\s?[fm](?=$|[\s)\],.!?:;])"),
            re.compile(rf"(?:^|[(\[])[fm]\s?{n}(?=$|[\s)\],.!?:;])"),
            re.compile(rf"\b{n}\s?[fm]\s+here\b"),
        ]

    @cached_property
    def _partner(self) -> list[re.Pattern[str]]:
        n, p = self._number, _alternation(self.raw["partners"])
        return [
            re.compile(rf"{p}(?:\s+who)?(?:\s+is|\s+was|'s|s)?\s+{HEDGE}\(?{n}\b{AGED}{NOT_AN_AGE}"),
            re.compile(rf"\b(?:an?|my|this|the)\s+{n}\s*(?:years?[\s-]*old|yrs?[\s-]*old|yo|y/o)\s+{p}"),
            re.compile(rf"{p}\s*\(\s*{n}\s*[mf]?\s*\)"),
        ]  # fmt: skip

    @cached_property
    def _gap(self) -> re.Pattern[str]:
        return re.compile(rf"\b{self._number}\s*(?:years?|yrs?)\s+older\b")

    @cached_property
    def _grades(self) -> list[tuple[re.Pattern[str], int, range]]:
        grades, me = self.raw["grades"], r"\b(?:i'?m|i am)\s+(?:a\s+|an\s+)?"
        us, uk = int(grades["us_grade_offset"]), int(grades["uk_year_offset"])
        nth = r"(\d{1,2})(?:st|nd|rd|th)"
        patterns = [
            (rf"{me}in\s+(?:the\s+)?{nth}\s+grade\b", us, range(5, 13)),
            (rf"\b{nth}\s+grader\b", us, range(5, 13)),
            (rf"{me}in\s+grade\s+(\d{{1,2}})\b", us, range(5, 13)),
            (rf"{me}in\s+year\s+(\d{{1,2}})\b", uk, range(7, 14)),
        ]
        return [(re.compile(p), offset, ages) for p, offset, ages in patterns]

    @cached_property
    def _named_grades(self) -> list[tuple[re.Pattern[str], int]]:
        me = r"\b(?:i'?m|i am)\s+(?:a\s+|an\s+)?(?:in\s+)?"
        return [
            (re.compile(me + re.escape(name.removeprefix("in ")) + r"\b"), int(age))
            for name, age in self.raw["grades"]["named"].items()
        ]

    @cached_property
    def _words(self) -> dict[str, re.Pattern[str]]:
        return {
            key: re.compile(_alternation(self.raw[key]))
            for key in ("family", "authority", "adults", "older", "force", "sexual")
        }

    @cached_property
    def _not_sexual(self) -> re.Pattern[str]:
        return re.compile(_alternation(self.raw["not_sexual"]))

    def _value(self, token: str) -> int:
        return int(token) if token.isdigit() else self.number_words[token]

    def _first_age(
        self, patterns: list[re.Pattern[str]], text: str, youngest: int
    ) -> int | None:
        for pattern in patterns:
            for match in pattern.finditer(text):
                age = self._value(match.group(1))
                if youngest <= age <= 99:
                    return age
        return None

    def own_age(self, text: str) -> int | None:
        age = self._first_age(self._own, text, youngest=5)
        if age is not None:
            return age
        for pattern, offset, allowed in self._grades:
            match = pattern.search(text)
            if match and int(match.group(1)) in allowed:
                return int(match.group(1)) + offset
        return next((age for p, age in self._named_grades if p.search(text)), None)

    def _near_sexual(self, key: str, text: str) -> bool:
        """A family member or person in authority named close to something
        sexual, counted in words."""
        sexual = [m.start() for m in self._words["sexual"].finditer(text)]
        for match in self._words[key].finditer(text):
            for at in sexual:
                between = text[min(at, match.start()) : max(at, match.start())]
                if len(between.split()) <= self.proximity:
                    return True
        return False

    def find(self, message: str) -> AgeFinding:
        text = self._not_sexual.sub(" ", normalise(message))
        own = self.own_age(text)
        partner = self._first_age(self._partner, text, youngest=10)
        gap_match = self._gap.search(text)
        gap = self._value(gap_match.group(1)) if gap_match else None
        if own is not None and partner is not None and partner != own:
            gap = max(gap or 0, partner - own)
        signs = set()
        if partner is not None and partner >= self.adult:
            signs.add(PARTNER_ADULT)
        if self._words["older"].search(text):
            signs.add(PARTNER_ADULT)
        if (gap is not None and gap >= self.gap) or self._words["adults"].search(text):
            signs.add(PARTNER_OLDER)
        for key, sign in (("family", FAMILY), ("authority", AUTHORITY)):
            if self._near_sexual(key, text):
                signs.add(sign)
        if self._words["force"].search(text):
            signs.add(FORCE)
        sexual = bool(self._words["sexual"].search(text))
        return AgeFinding(
            own, partner, frozenset(signs), sexual, self._verdict(own, signs, sexual)
        )

    def _verdict(self, own: int | None, signs: set[str], sexual: bool) -> str | None:
        if own is None or own >= self.adult:
            return None
        if own <= self.child_max:
            return CHILD_PROTECTION if sexual or signs else YOUTH
        # 16 and 17: an adult partner alone is not a sign, a much older one is
        counted = signs if own <= self.young_teen_max else signs - {PARTNER_ADULT}
        return CHILD_PROTECTION if counted else YOUTH


@cache
def load(path: Path = POLICY) -> AgePolicy:
    return AgePolicy(yaml.safe_load(path.read_text(encoding="utf-8")))
