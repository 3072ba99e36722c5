"""One decision per message: escalate, check in, or answer.

The risk model's score (safety/model.py) against its two thresholds decides,
with rules that no score overrides: the age policy's child protection
(safety/age.py) always escalates; a lexicon phrase is never simply answered;
and a message the classifier did not understand is never left to the plain
"did you mean" menu when its score passes the weaker signal threshold. Those
get the check-in question instead, as does one it placed outside every topic
("out of scope"): "i walk on eggshells all the time at home" asks nothing
about crying after sex, and a faint sign of risk in it deserves the question.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from safety.age import CHILD_PROTECTION, YOUTH, AgePolicy
from safety.language import LanguageGuesser
from safety.lexicon import PHRASE, Lexicon
from safety.model import RiskModel, Scored, crisis_share
from safety.taxonomy import NO_RISK, Taxonomy

ESCALATE, CHECK_IN, ANSWER = "escalate", "check_in", "answer"
FALLBACK_INTENT = "nlu_fallback"
# what the intent classifier says of a message it could not place in a topic
UNPLACED_INTENTS = frozenset({FALLBACK_INTENT, "out_of_scope"})


@dataclass(frozen=True)
class Decision:
    outcome: str  # ESCALATE, CHECK_IN or ANSWER
    level: str | None  # for ESCALATE: a level of the taxonomy
    kinds: list[str]
    score: float
    signal: bool  # anything at all suggested risk
    language: str | None
    youth: bool  # a young person who gets the ordinary answer and a youth line
    # an answer to a message with words of risk ("numb", "dead"), even negated
    # or figurative: it ends with one gentle offer of support
    gentle: bool

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "score": round(self.score, 4)}


@dataclass(frozen=True)
class RiskDetector:
    taxonomy: Taxonomy
    lexicon: Lexicon
    model: RiskModel
    age_policy: AgePolicy
    languages: LanguageGuesser

    def decide(self, text: str, intent: str | None) -> Decision:
        """`intent` is what the intent classifier made of the message."""
        evidence = self.lexicon.find(text)
        scored = self.model.score(text, evidence)
        age = self.age_policy.find(text)
        thresholds = self.model.thresholds
        kinds = self._kinds(scored)
        # "she wants to die": when the text is about someone else at risk, the
        # lexicon's phrases describe them, not the writer
        covered = self.taxonomy.covered_by(kinds)
        kinds |= evidence.kinds(PHRASE) - covered
        signal = scored.risk >= thresholds.signal or bool(evidence.kinds(PHRASE))
        if age.verdict == CHILD_PROTECTION:
            outcome, kinds = ESCALATE, kinds | {self.taxonomy.child_kind}
        elif scored.risk >= thresholds.escalate:
            outcome = ESCALATE
            if age.minor and kinds & {"assault", "abuse"}:
                kinds |= {self.taxonomy.child_kind}
        elif scored.risk >= thresholds.check_in or (
            signal and intent in UNPLACED_INTENTS
        ):
            outcome = CHECK_IN
        else:
            outcome = ANSWER
        level = self.taxonomy.level_of(kinds) if outcome == ESCALATE else None
        return Decision(
            outcome=outcome,
            level=level,
            kinds=sorted(kinds) if outcome == ESCALATE else [],
            score=scored.risk,
            signal=signal,
            language=self.languages.guess(text, evidence),
            youth=age.verdict == YOUTH and outcome == ANSWER,
            gentle=outcome == ANSWER and (signal or bool(evidence.matches)),
        )

    def _kinds(self, scored: Scored) -> set[str]:
        """The text model's likeliest risk class; when the crisis classes hold
        the crisis share that training chose, the likeliest crisis class."""
        risky = {c: p for c, p in scored.classes.items() if c != NO_RISK}
        crisis = {
            c: p for c, p in risky.items() if self.taxonomy.kinds[c].level == "crisis"
        }
        if crisis and crisis_share(risky, crisis) >= self.model.thresholds.crisis_share:
            return {max(crisis, key=crisis.__getitem__)}
        return {max(risky, key=risky.__getitem__)} if risky else set()
