"""The TF-IDF intent classifier: trained, persisted, loaded, and picky about config."""

from __future__ import annotations

import numpy as np
import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.featurizers.sparse_featurizer.count_vectors_featurizer import (
    CountVectorsFeaturizer,
)
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
from rasa.shared.exceptions import InvalidConfigException
from rasa.shared.nlu.constants import INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from components.tfidf_intent_classifier import TfidfIntentClassifier

EXAMPLES = {
    "gender_men": [
        "do men cry after sex",
        "my boyfriend cried is that normal for guys",
        "can guys get post sex blues",
        "why would a man cry after sex",
    ],
    "aftercare": [
        "should we cuddle after sex",
        "what is aftercare",
        "how long should we stay in bed together",
        "aftercare tips please",
    ],
    "greet": ["hi", "hello there", "hey", "good evening"],
}


@pytest.fixture
def storage(tmp_path):
    return LocalModelStorage(tmp_path)


def context(node: str) -> ExecutionContext:
    return ExecutionContext(GraphSchema({}), node_name=node)


@pytest.fixture
def training_data() -> TrainingData:
    return TrainingData(
        [
            Message({TEXT: text, INTENT: intent})
            for intent, texts in EXAMPLES.items()
            for text in texts
        ]
    )


@pytest.fixture
def featurize(storage, training_data):
    """Whitespace tokens, then word and character counts (as in config.yml),
    trained on the examples; returns a function that featurizes new messages."""
    tokenizer = WhitespaceTokenizer(WhitespaceTokenizer.get_default_config())
    featurizers = [
        CountVectorsFeaturizer.create(
            {**CountVectorsFeaturizer.get_default_config(), **config},
            storage,
            Resource(name),
            context(name),
        )
        for name, config in [
            ("words", {}),
            ("chars", {"analyzer": "char_wb", "min_ngram": 2, "max_ngram": 4}),
        ]
    ]
    tokenizer.process_training_data(training_data)
    for featurizer in featurizers:
        featurizer.train(training_data)
        featurizer.process_training_data(training_data)

    def run(text: str) -> Message:
        message = Message({TEXT: text})
        tokenizer.process([message])
        for featurizer in featurizers:
            featurizer.process([message])
        return message

    return run


@pytest.fixture
def trained(storage, training_data, featurize):
    resource = Resource("tfidf_classifier")
    classifier = TfidfIntentClassifier.create(
        TfidfIntentClassifier.get_default_config(), storage, resource, context("clf")
    )
    classifier.train(training_data)
    return classifier, resource


def predict(classifier, message):
    classifier.process([message])
    return message.get(INTENT)["name"], message.get("intent_ranking")


@pytest.mark.parametrize(
    "text, intent",
    [
        ("do guys cry after sex too", "gender_men"),
        ("is cuddling after sex good aftercare", "aftercare"),
        ("hello", "greet"),
    ],
)
def test_loaded_classifier_predicts_like_the_trained_one(
    text, intent, trained, storage, featurize
):
    classifier, resource = trained
    loaded = TfidfIntentClassifier.load(
        TfidfIntentClassifier.get_default_config(), storage, resource, context("clf")
    )

    trained_intent, trained_ranking = predict(classifier, featurize(text))
    loaded_intent, loaded_ranking = predict(loaded, featurize(text))

    assert trained_intent == loaded_intent == intent
    assert [r["name"] for r in loaded_ranking] == [r["name"] for r in trained_ranking]
    assert loaded_ranking[0]["confidence"] == pytest.approx(
        trained_ranking[0]["confidence"]
    )


@pytest.mark.parametrize(
    "text", ["do guys cry after sex too", "cuddle tips", "hello", "what is it"]
)
def test_a_loaded_classifier_serves_the_pipelines_probabilities_in_less_memory(
    text, trained, storage, featurize
):
    """The loaded classifier does the fitted pipeline's arithmetic itself, in
    single precision: the same probabilities to about 1e-7, with coefficients
    half the size, laid out so that no message copies them."""
    classifier, resource = trained
    loaded = TfidfIntentClassifier.load(
        TfidfIntentClassifier.get_default_config(), storage, resource, context("clf")
    )
    X = classifier._create_X([featurize(text)])

    served, fitted = loaded.clf.predict_proba(X), classifier.clf.predict_proba(X)

    assert list(loaded.clf.classes_) == list(classifier.clf.classes_)
    assert served == pytest.approx(fitted, abs=1e-5)
    assert loaded.clf.coefficients.dtype == np.float32
    assert loaded.clf.coefficients.flags.c_contiguous


def test_loading_without_a_trained_model_fails_loudly(storage):
    with pytest.raises(ValueError):
        TfidfIntentClassifier.load(
            TfidfIntentClassifier.get_default_config(),
            storage,
            Resource("none"),
            context("clf"),
        )


@pytest.mark.parametrize(
    "key, bad",
    [("C", 0), ("C", -1), ("C", "30"), ("max_iter", True), ("solver", "liblinear")],
)
def test_bad_config_is_rejected(key, bad, storage):
    config = {**TfidfIntentClassifier.get_default_config(), key: bad}
    with pytest.raises(InvalidConfigException, match=key):
        TfidfIntentClassifier.create(config, storage, Resource("x"), context("clf"))
