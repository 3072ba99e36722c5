"""The risk model: one calibrated score from the text and the lexicon.

Two stages, stacked:
1. two text models of different kinds over the taxonomy's risk classes and
   "none": TF-IDF of words (1-2-grams) and of characters (2-5-grams, which
   survive typos and other languages' inflections) into a multinomial logistic
   regression; and complement naive Bayes over the same TF-IDF of words (a
   second vocabulary cost 234 MB in every server). Naive Bayes weighs each
   word on its own evidence, where the regression learns the weights jointly,
   so the two err on different messages: on round 15's dev set (blind
   wording, never trained on), adding it raised the AUROC of risk against
   harmless traps from 0.973 to 0.981;
2. the stack: a small logistic regression over the text models' out-of-fold
   probabilities and the lexicon's evidence (phrases, hints, negated or
   figurative uses) that gives the probability that a message shows risk. It
   sees the message's most alarming clause and the whole message side by
   side: a clause that sounds alarming alone ("kill me now") is weighed
   against what the whole message says ("my mum can see my search history"),
   and one crisis clause inside a long question still counts.

Both learn from the NLU training data, plus long messages built by joining a
calm question and a risk clause, so that one crisis sentence inside a long
topic question is not diluted away. The two thresholds (check in, escalate)
are chosen on held-out predictions of the training data (k-fold: each message
scored by models that never saw it) for a given share of calm messages above
them, and so is the crisis share that puts an escalation at crisis level, for
a given share of escalated crisis messages that reach it: never on an
evaluation set.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np
import scipy.sparse as sp
from joblib import Parallel, delayed
from scipy.special import expit
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold
from sklearn.naive_bayes import ComplementNB
from sklearn.pipeline import FeatureUnion, Pipeline

from components import tfidf
from safety.lexicon import HINT, PHRASE, Evidence
from safety.taxonomy import NO_RISK
from safety.text import mark_negations, normalise

Example = tuple[str, str]  # (text, risk class)
# How a calm question and a risk clause are joined into one longer message.
JOINS = ("{calm} {risk}", "{risk}. {calm}", "{calm}, also {risk}", "{calm}? {risk}",
         "{risk} and {calm}", "{calm} btw {risk}")  # fmt: skip


@dataclass(frozen=True)
class Settings:
    kinds: tuple[str, ...]  # the lexicon's kinds, in a fixed order
    classes: tuple[str, ...]  # NO_RISK first, then the risk classes
    crisis_classes: tuple[str, ...]  # the classes of the taxonomy's crisis level
    negations: tuple[str, ...]  # every language's, as the text model marks them
    clause_breaks: tuple[str, ...]
    text_c: float
    naive_bayes_alpha: float
    stack_c: float
    folds: int
    escalate_calm_rate: float
    check_in_calm_rate: float
    signal_calm_rate: float
    crisis_level_rate: float
    joined_per_risk_example: float
    window_characters: int
    max_windows: int
    random_state: int


@dataclass(frozen=True)
class Thresholds:
    escalate: float
    check_in: float
    signal: float
    # an escalation is at crisis level when the crisis classes hold at least
    # this share of the text model's risk probability
    crisis_share: float


@dataclass(frozen=True)
class TextModels:
    regression: Pipeline
    naive_bayes: ComplementNB  # reads the regression's TF-IDF of words

    @property
    def vectorizers(self) -> dict[str, TfidfVectorizer]:
        return dict(self.regression.named_steps["features"].transformer_list)

    @property
    def words(self) -> TfidfVectorizer:
        return self.vectorizers["words"]


@dataclass(frozen=True)
class Reading:
    """What the text models make of one message: the regression's class
    probabilities for the whole message and for its most alarming piece, and
    naive Bayes's probability of risk for the same two."""

    whole: np.ndarray
    alarming: np.ndarray
    bayes_whole: float
    bayes_alarming: float


@dataclass(frozen=True)
class Scored:
    risk: float  # the stack's probability that the message shows risk
    classes: dict[str, float]  # the text model's probabilities, by class


@dataclass
class RiskModel:
    settings: Settings
    text_models: TextModels
    stack: LogisticRegression
    thresholds: Thresholds
    report: dict[str, Any] = field(default_factory=dict)

    def score(self, text: str, evidence: Evidence) -> Scored:
        reading = self._fast.read(pieces(self.settings, text))
        features = stack_features(self.settings, reading, evidence)
        risk = float(expit(features @ self.stack.coef_[0] + self.stack.intercept_[0]))
        classes = zip(self.settings.classes, reading.alarming.tolist(), strict=True)
        return Scored(risk, dict(classes))

    @cached_property
    def _fast(self) -> FastTextModels:
        return FastTextModels(self.text_models, self.settings)


class FastTextModels:
    """The fitted text models' own vocabularies, weights and coefficients,
    applied with scipy for one message at a time: sklearn's checks and joblib
    around each call cost about 3 ms a message, the arithmetic 0.3 ms. The
    results are the pipelines' predict_proba (tests/test_risk_detector.py)."""

    def __init__(self, models: TextModels, settings: Settings) -> None:
        self.settings = settings
        features = models.regression.named_steps["features"]
        self.vectorizers = [v for _, v in features.transformer_list]
        self.words = self.vectorizers.index(models.words)
        self.idf = [sp.diags(v.idf_, format="csr") for v in self.vectorizers]
        regression = models.regression.named_steps["classifier"]
        order = _class_order(regression, settings)
        self.coef = np.ascontiguousarray(regression.coef_[order].T)
        self.intercept = regression.intercept_[order]
        bayes = models.naive_bayes
        order = _class_order(bayes, settings)
        # complement naive Bayes is linear in the features: with two or more
        # classes its log-likelihoods are features @ feature_log_prob_.T,
        # softmaxed like a regression's
        self.bayes_coef = np.ascontiguousarray(bayes.feature_log_prob_[order].T)
        self.bayes_intercept = np.zeros(len(order))

    def _blocks(self, texts: list[str]) -> list[sp.csr_matrix]:
        prepared_texts = [prepared(self.settings, t) for t in texts]
        return [
            tfidf.sublinear_tfidf(CountVectorizer.transform(v, prepared_texts), idf)
            for v, idf in zip(self.vectorizers, self.idf, strict=True)
        ]

    def _regression(self, blocks: list[sp.csr_matrix]) -> np.ndarray:
        features = sp.hstack(blocks).tocsr()
        return tfidf.probabilities(features, self.coef, self.intercept)

    def _bayes(self, blocks: list[sp.csr_matrix]) -> np.ndarray:
        words = blocks[self.words]
        return tfidf.probabilities(words, self.bayes_coef, self.bayes_intercept)

    def probabilities(self, texts: list[str]) -> np.ndarray:
        return self._regression(self._blocks(texts))

    def bayes_probabilities(self, texts: list[str]) -> np.ndarray:
        return self._bayes(self._blocks(texts))

    def read(self, texts: list[str]) -> Reading:
        """`texts` are one message's pieces, the first the whole message
        (unless it is read in windows)."""
        blocks = self._blocks(texts)
        return _reading(self._regression(blocks), self._bayes(blocks))


def _class_order(classifier: Any, settings: Settings) -> list[int]:
    return [list(classifier.classes_).index(c) for c in settings.classes]


def _reading(rows: np.ndarray, bayes_rows: np.ndarray) -> Reading:
    """One message's Reading from its pieces' probabilities (column 0 is
    NO_RISK in both): the most alarming piece is the regression's."""
    alarming = int(np.argmin(rows[:, 0]))
    return Reading(
        whole=rows[0],
        alarming=np.asarray(rows[alarming]),
        bayes_whole=float(1 - bayes_rows[0, 0]),
        bayes_alarming=float(1 - bayes_rows[alarming, 0]),
    )


def text_pipeline(settings: Settings) -> Pipeline:
    return Pipeline(
        [
            (
                "features",
                FeatureUnion(
                    [
                        (
                            "words",
                            TfidfVectorizer(
                                ngram_range=(1, 2),
                                sublinear_tf=True,
                                token_pattern=r"(?u)\b\w+\b",
                            ),
                        ),
                        (
                            "characters",
                            TfidfVectorizer(
                                analyzer="char_wb",
                                ngram_range=(2, 5),
                                sublinear_tf=True,
                            ),
                        ),
                    ]  # fmt: skip
                ),
            ),
            (
                "classifier",
                LogisticRegression(
                    C=settings.text_c,
                    max_iter=3000,
                    class_weight="balanced",
                    random_state=settings.random_state,
                ),
            ),
        ]
    )


def _log_odds_of_risk(risk: float) -> float:
    risk = float(np.clip(risk, 1e-6, 1 - 1e-6))
    return float(np.log(risk / (1 - risk)))


def stack_features(
    settings: Settings, reading: Reading, evidence: Evidence
) -> np.ndarray:
    """What the stack weighs: each text model's log-odds of risk of the most
    alarming piece and of the whole message, the regression's probability of
    each class (most alarming piece), then for each kind a strong phrase and a
    hint, and whether alarming words appeared only negated or figuratively."""
    phrases, hints = evidence.kinds(PHRASE), evidence.kinds(HINT)
    return np.array(
        [
            _log_odds_of_risk(1 - reading.alarming[0]),  # column 0 is NO_RISK
            _log_odds_of_risk(1 - reading.whole[0]),
            _log_odds_of_risk(reading.bayes_alarming),
            _log_odds_of_risk(reading.bayes_whole),
            *reading.alarming[1:],
            *(float(k in phrases) for k in settings.kinds),
            *(float(k in hints) for k in settings.kinds),
            float(evidence.harmless_only),
            float(evidence.figurative),
        ]
    )


def joined(
    examples: Sequence[Example], settings: Settings, rng: random.Random
) -> list[Example]:
    """The examples, plus long ones built from them: a calm question joined
    with a risk clause is risk of that clause's class."""
    calm = [
        text for text, label in examples if label == NO_RISK and len(text.split()) >= 4
    ]
    risky = [(text, label) for text, label in examples if label != NO_RISK]
    extra = []
    if calm:
        for text, label in risky:
            if rng.random() < settings.joined_per_risk_example:
                join = rng.choice(JOINS)
                extra.append((join.format(calm=rng.choice(calm), risk=text), label))
    return [*examples, *extra]


def prepared(settings: Settings, text: str) -> str:
    """What the text model reads: the normal form with negations marked."""
    return mark_negations(
        normalise(text),
        frozenset(settings.negations),
        frozenset(settings.clause_breaks),
    )


_CLAUSE_END = re.compile(r"[.!?;,\n]+\s*|\s+(?:but|because|bc|though|tho)\s+")
MIN_CLAUSE_WORDS = 3


def pieces(settings: Settings, text: str) -> list[str]:
    """The text, and its clauses when it has several, so "why do i cry after
    sex, lately i feel like giving up" is also read as "lately i feel like
    giving up"; a long text is read in windows instead, so one crisis sentence
    in pages of text still counts."""
    size = settings.window_characters
    if len(text) > size:
        step = size * 3 // 4
        starts = range(0, len(text) - size // 4, step)
        return [text[s : s + size] for s in starts][: settings.max_windows]
    clauses = [c for c in _CLAUSE_END.split(text) if len(c.split()) >= MIN_CLAUSE_WORDS]
    return [text, *clauses] if len(clauses) > 1 else [text]


def _readings(
    models: TextModels, settings: Settings, texts: list[str]
) -> list[Reading]:
    """Each text's Reading, its pieces read in one batch per model."""
    split = [pieces(settings, t) for t in texts]
    flat = [p for parts in split for p in parts]
    prepared_texts = [prepared(settings, t) for t in flat]
    rows = _ordered(models.regression, settings, prepared_texts)
    bayes_rows = _ordered(
        models.naive_bayes, settings, models.words.transform(prepared_texts)
    )
    out, at = [], 0
    for parts in split:
        end = at + len(parts)
        out.append(_reading(rows[at:end], bayes_rows[at:end]))
        at = end
    return out


def crisis_share(classes: dict[str, float], crisis: Collection[str]) -> float:
    """The crisis classes' share of the probability of any risk."""
    risky = sum(p for c, p in classes.items() if c != NO_RISK)
    return sum(classes.get(c, 0.0) for c in crisis) / risky if risky > 0 else 0.0


def _split_labels(examples: Sequence[Example]) -> tuple[list[str], list[str]]:
    return [t for t, _ in examples], [label for _, label in examples]


def _fit_text(settings: Settings, examples: Sequence[Example]) -> TextModels:
    texts, labels = _split_labels(examples)
    prepared_texts = [prepared(settings, t) for t in texts]
    regression = text_pipeline(settings).fit(prepared_texts, labels)
    models = TextModels(regression, ComplementNB(alpha=settings.naive_bayes_alpha))
    models.naive_bayes.fit(models.words.transform(prepared_texts), labels)
    return models


def _ordered(model: Any, settings: Settings, inputs: Any) -> np.ndarray:
    """predict_proba with the columns in the settings' class order."""
    raw = model.predict_proba(inputs)
    return np.asarray(raw[:, _class_order(model, settings)])


def _fold_readings(
    settings: Settings, fitted: Sequence[Example], texts: list[str]
) -> list[Reading]:
    return _readings(_fit_text(settings, fitted), settings, texts)


def _fits(
    settings: Settings, examples: Sequence[Example], rng: random.Random, jobs: int
) -> tuple[list[list[Example]], list[list[Reading]], TextModels]:
    """The k folds' held-out examples (and the long messages built from them)
    with their Readings by text models that never saw them (nor a message
    built from them), and the text models fitted on everything. The long
    messages are built here, in one order, so that the fits can run in
    parallel processes (`jobs` of them) and still give the same models."""
    labels = [label for _, label in examples]
    folds = StratifiedKFold(
        settings.folds, shuffle=True, random_state=settings.random_state
    )
    fitted, held = [], []
    for train, test in folds.split(np.zeros(len(labels)), labels):
        fitted.append(joined([examples[i] for i in train], settings, rng))
        held.append(joined([examples[i] for i in test], settings, rng))
    everything = joined(list(examples), settings, rng)
    *readings, models = Parallel(n_jobs=jobs)(
        [
            *(
                delayed(_fold_readings)(settings, f, [t for t, _ in h])
                for f, h in zip(fitted, held, strict=True)
            ),
            delayed(_fit_text)(settings, everything),
        ]
    )
    return held, readings, models


def _out_of_fold(
    settings: Settings,
    held: list[list[Example]],
    readings: list[list[Reading]],
    evidence_of: Callable[[str], Evidence],
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Stack features, labels (1 = risk, 2 = risk of a crisis class) and the
    crisis share of every held-out example."""
    rows, targets, shares = [], [], []
    for fold, fold_readings in zip(held, readings, strict=True):
        for (text, label), reading in zip(fold, fold_readings, strict=True):
            rows.append(stack_features(settings, reading, evidence_of(text)))
            classes = dict(zip(settings.classes, reading.alarming, strict=True))
            shares.append(crisis_share(classes, settings.crisis_classes))
            crisis = label in settings.crisis_classes
            targets.append(2 if crisis else int(label != NO_RISK))
    return np.array(rows), np.array(targets), np.array(shares)


def _fit_stack(
    settings: Settings, rows: np.ndarray, targets: np.ndarray
) -> LogisticRegression:
    stack = LogisticRegression(
        C=settings.stack_c, class_weight="balanced", max_iter=1000
    )
    return stack.fit(rows, targets)


def _threshold(calm_scores: np.ndarray, rate: float) -> float:
    """The lowest score that at most `rate` of the calm scores reach."""
    ordered = np.sort(calm_scores)[::-1]
    allowed = int(np.floor(rate * len(ordered)))
    return float(np.nextafter(ordered[allowed], 1.0)) if allowed < len(ordered) else 0.0


def _share_reached(shares: np.ndarray, rate: float) -> float:
    """The highest crisis share that at least `rate` of the held-out crisis
    messages reach; a share that outweighs distress when there are none."""
    if not len(shares):
        return 0.5
    ordered = np.sort(shares)
    return float(ordered[int(np.floor((1 - rate) * len(ordered)))])


def train(
    settings: Settings,
    examples: Sequence[Example],
    evidence_of: Callable[[str], Evidence],
    jobs: int,
) -> RiskModel:
    """Out-of-fold text-model probabilities for every example (and the long
    messages built from it) train the stack; the stack's own out-of-fold
    scores, each from models that never saw the example, choose the
    thresholds; then the text model learns from everything. `jobs` processes
    fit the text models; the model does not depend on how many.

    One set of bars serves every message. Round 29 of issue 9 chose a second
    set for messages the intent classifier places in no topic, on the calm
    examples of "out of scope" alone: those are the hardest calm messages,
    so the bars rose from 0.79 / 0.39 to 0.95 / 0.79, and on the sealed sets
    2.4 times as many crisis and assault messages were answered plainly."""
    held_out, readings, text_models = _fits(
        settings, examples, random.Random(settings.random_state), jobs
    )
    rows, labels, shares = _out_of_fold(settings, held_out, readings, evidence_of)
    targets = (labels > 0).astype(int)
    folds = StratifiedKFold(
        settings.folds, shuffle=True, random_state=settings.random_state
    )
    scores = np.zeros(len(targets))
    for fit, held in folds.split(rows, targets):
        fold_stack = _fit_stack(settings, rows[fit], targets[fit])
        scores[held] = fold_stack.predict_proba(rows[held])[:, 1]
    risky = targets == 1
    escalate = _threshold(scores[~risky], settings.escalate_calm_rate)
    escalated = scores >= escalate
    crisis, distress = escalated & (labels == 2), escalated & (labels == 1)
    thresholds = Thresholds(
        escalate=escalate,
        check_in=_threshold(scores[~risky], settings.check_in_calm_rate),
        signal=_threshold(scores[~risky], settings.signal_calm_rate),
        crisis_share=_share_reached(shares[crisis], settings.crisis_level_rate),
    )
    report = {
        "held_out_messages": len(targets),
        "held_out_risk_escalated": _share(scores[risky] >= thresholds.escalate),
        "held_out_risk_escalated_or_checked": _share(
            scores[risky] >= thresholds.check_in
        ),
        "held_out_calm_escalated": _share(scores[~risky] >= thresholds.escalate),
        "held_out_calm_escalated_or_checked": _share(
            scores[~risky] >= thresholds.check_in
        ),
        "held_out_crisis_escalated_at_crisis_level": _share(
            shares[crisis] >= thresholds.crisis_share
        ),
        "held_out_distress_escalated_at_crisis_level": _share(
            shares[distress] >= thresholds.crisis_share
        ),
    }
    stack = _fit_stack(settings, rows, targets)
    return RiskModel(settings, text_models, stack, thresholds, report)


def _share(hits: np.ndarray) -> float:
    return round(float(np.mean(hits)), 4) if len(hits) else 0.0
