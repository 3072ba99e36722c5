"""Logistic regression on TF-IDF-weighted features, as a Rasa intent classifier.

On the held-out set of 2026-11-26 a plain TF-IDF + logistic-regression
classifier beat DIET (macro-F1 0.965 against 0.94): some 40 examples per intent
suit a linear model (today's figures: bench/results/results.md).
Rasa's own LogisticRegressionClassifier sees the raw counts of all featurizers
glued together, where thousands of character n-grams drown the words, and a
fixed C=1.0. This subclass keeps its ranking and (skops) persistence, and puts
a sublinear TF-IDF per featurizer (each block normalised on its own) in front
of a configurable regression. The features still come from Rasa's featurizers,
so spaCy's lemmas and the character n-grams both reach the classifier.

It does not learn the safety intents: whether a message shows risk is the
RiskDetector's one decision (safety/), so this classifier only ever says which
topic a message asks about, and a risky message keeps the question it asked.
"""

from __future__ import annotations

import hashlib
from itertools import pairwise
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp
import skops.io
from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.logistic_regression_classifier import (
    LogisticRegressionClassifier,
)
from rasa.shared.exceptions import InvalidConfigException, RasaException
from rasa.shared.nlu.constants import (
    FEATURE_TYPE_SENTENCE,
    INTENT,
    INTENT_RANKING_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.features import Features
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from scipy.sparse import csr_matrix, hstack, vstack
from sklearn.compose import ColumnTransformer
from sklearn.feature_extraction.text import TfidfTransformer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline

from components import tfidf
from safety import taxonomy

# skops refuses types it does not know; TF-IDF keeps its idf as a sparse diagonal.
TRUSTED_TYPES = {"scipy.sparse._csr.csr_matrix"}
# the solvers whose model is one softmax over the intents, as ServedPipeline
# computes it (liblinear fits one model per intent instead)
MULTINOMIAL_SOLVERS = ("lbfgs", "newton-cg", "sag", "saga")


def _sentence_blocks(message: Message) -> list[Features]:
    """Sparse sentence features of the text, one block per featurizer, in a fixed
    order."""
    blocks = [
        f
        for f in message.features
        if f.attribute == TEXT and f.type == FEATURE_TYPE_SENTENCE and f.is_sparse()
    ]
    return sorted(blocks, key=lambda f: str(f.origin))


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True
)
class TfidfIntentClassifier(LogisticRegressionClassifier):
    """Sublinear TF-IDF, then L2-regularised logistic regression."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {
            **LogisticRegressionClassifier.get_default_config(),
            "C": 100.0,
            "max_iter": 2000,
            # leave the intents of safety/taxonomy.yml to the RiskDetector
            "leave_risk_to_the_risk_detector": True,
        }

    @classmethod
    def validate_config(cls, config: dict[str, Any]) -> None:
        for key in ("C", "max_iter"):
            value = config.get(key)
            if (
                isinstance(value, bool)
                or not isinstance(value, int | float)
                or value <= 0
            ):
                raise InvalidConfigException(
                    f"{cls.__name__}: '{key}' must be positive, got {value!r}."
                )
        if config.get("solver") not in MULTINOMIAL_SOLVERS:
            raise InvalidConfigException(
                f"{cls.__name__}: 'solver' must be one of {MULTINOMIAL_SOLVERS} "
                f"(a softmax over the intents), got {config.get('solver')!r}."
            )
        if not isinstance(config.get("leave_risk_to_the_risk_detector"), bool):
            raise InvalidConfigException(
                f"{cls.__name__}: 'leave_risk_to_the_risk_detector' must be true "
                "or false."
            )

    def __init__(
        self,
        config: dict[str, Any],
        name: str,
        model_storage: ModelStorage,
        resource: Resource,
    ) -> None:
        config = {**self.get_default_config(), **config}
        self.validate_config(config)
        super().__init__(config, name, model_storage, resource)
        self.clf = Pipeline(
            [
                ("tfidf", "passthrough"),  # per-featurizer blocks, set in train()
                (
                    "logreg",
                    LogisticRegression(
                        C=config["C"],
                        max_iter=config["max_iter"],
                        tol=config["tol"],
                        solver=config["solver"],
                        random_state=config["random_state"],
                        class_weight="balanced",
                    ),
                ),
            ]
        )

    def train(self, training_data: TrainingData) -> Resource:
        example = next((m for m in training_data.intent_examples if m.get(TEXT)), None)
        if example is not None:
            widths = [block.features.shape[1] for block in _sentence_blocks(example)]
            starts = np.cumsum([0, *widths]).tolist()
            per_block = ColumnTransformer(
                [
                    (
                        f"block{i}",
                        TfidfTransformer(sublinear_tf=True),
                        # a slice, not a list of indices: sklearn checks
                        # every listed index on every message (about 0.2 s
                        # for 200k columns), and a slice not at all
                        slice(start, end),
                    )
                    for i, (start, end) in enumerate(pairwise(starts))
                ]
            )
            self.clf.set_params(tfidf=per_block)
        return super().train(training_data)

    @classmethod
    def fingerprint_addon(cls, config: dict[str, Any]) -> str:
        """Retrain when this module changes: Rasa would otherwise reuse the
        cached classifier, built by the earlier code."""
        return hashlib.sha256(Path(__file__).read_bytes()).hexdigest()

    def _create_training_matrix(
        self, training_data: TrainingData
    ) -> tuple[csr_matrix, list[str]]:
        if not self.config["leave_risk_to_the_risk_detector"]:
            return super()._create_training_matrix(training_data)
        left = taxonomy.load().safety_intents
        kept = [m for m in training_data.intent_examples if m.get(INTENT) not in left]
        return super()._create_training_matrix(TrainingData(kept))

    def process(self, messages: list[Message]) -> list[Message]:
        # An empty or whitespace-only message has no features: like DIET, give it
        # no intent, so the dialogue falls back instead of crashing.
        featurized = [m for m in messages if _sentence_blocks(m)]
        for message in messages:
            if not _sentence_blocks(message):
                message.set(
                    INTENT, {"name": None, "confidence": 0.0}, add_to_output=True
                )
                message.set(INTENT_RANKING_KEY, [], add_to_output=True)
        if featurized:
            super().process(featurized)
        return messages

    def _create_X(self, messages: list[Message]) -> csr_matrix:
        rows = [hstack([b.features for b in _sentence_blocks(m)]) for m in messages]
        return vstack(rows).tocsr()

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> TfidfIntentClassifier:
        """Load the trained pipeline; unlike the parent, never fall back to an
        untrained classifier, which would answer every message with an error."""
        with model_storage.read_from(resource) as model_dir:
            path = model_dir / f"{resource.name}.skops"
            untrusted = set(skops.io.get_untrusted_types(file=path))
            if not untrusted <= TRUSTED_TYPES:
                raise RasaException(
                    f"{cls.__name__}: refusing to load {path}: untrusted types "
                    f"{sorted(untrusted - TRUSTED_TYPES)}."
                )
            component = cls(
                config, execution_context.node_name, model_storage, resource
            )
            pipeline = skops.io.load(path, trusted=sorted(untrusted))
        component.clf = ServedPipeline(pipeline)
        return component


class ServedPipeline:
    """The fitted pipeline's arithmetic for a loaded classifier, which reads one
    message at a time: sklearn's checks and joblib dispatch around each call
    cost several times the arithmetic (components/tfidf.py). In single
    precision: the coefficients (every intent times some 200k n-grams) are the
    server's largest object. The probabilities move by about 1e-7, and every
    evaluation message keeps its decision (tests/test_outcomes.py)."""

    def __init__(self, pipeline: Pipeline) -> None:
        logreg = pipeline.named_steps["logreg"]
        if len(logreg.classes_) < 3:  # two classes make a binary, not a softmax model
            raise RasaException("TfidfIntentClassifier needs three intents or more.")
        self.classes_ = logreg.classes_
        self.blocks = [
            (columns, sp.diags(transformer.idf_, format="csr", dtype=np.float32))
            for _, transformer, columns in pipeline.named_steps["tfidf"].transformers_
            if isinstance(transformer, TfidfTransformer)
        ]
        # C-ordered transpose: scipy would otherwise copy it for every message
        self.coefficients = np.ascontiguousarray(logreg.coef_.T, dtype=np.float32)
        self.intercept = logreg.intercept_

    def predict_proba(self, X: csr_matrix) -> np.ndarray:
        blocks = [
            tfidf.sublinear_tfidf(X[:, columns], idf, np.float32)
            for columns, idf in self.blocks
        ]
        features = hstack(blocks).tocsr()
        return tfidf.probabilities(features, self.coefficients, self.intercept)
