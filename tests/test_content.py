"""The curated answers, their buttons and the training data behave as promised."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from rasa.shared.nlu.training_data.loading import load_data

from actions.topics import intent_of_payload, topic_titles

ROOT = Path(__file__).resolve().parents[1]
TOPICS = sorted(topic_titles())


def normalise(text: str) -> str:
    return " ".join(text.lower().split())


@pytest.fixture(scope="module")
def training():
    files = [ROOT / "data" / "nlu.yml", *sorted((ROOT / "data" / "nlu").glob("*.yml"))]
    first, *rest = (load_data(str(path)) for path in files)
    return first.merge(*rest)


@pytest.fixture(scope="module")
def holdout():
    return load_data(str(ROOT / "tests" / "nlu_holdout.yml"))


def test_all_23_topics_of_the_article_are_covered():
    assert len(TOPICS) == 23


@pytest.mark.parametrize("topic", TOPICS)
def test_each_topic_answer_is_short_sourced_and_offers_related_buttons(topic, domain):
    [answer] = domain["responses"][f"utter_{topic}"]
    sentences = answer["text"].split("Source:")[0].count(". ") + 1
    assert 1 <= sentences <= 4
    assert "Source:" in answer["text"] or topic == "source"
    buttons = answer.get("buttons", [])
    assert 2 <= len(buttons) <= 3
    targets = [intent_of_payload(b["payload"]) for b in buttons]
    assert all(t in domain["intents"] and t != topic for t in targets)


@pytest.mark.parametrize("topic", TOPICS)
def test_each_topic_has_at_least_30_training_examples(topic, training):
    assert training.number_of_examples_per_intent[topic] >= 30


def test_no_training_example_is_labelled_twice(training):
    counts = Counter(normalise(m.get("text")) for m in training.intent_examples)
    assert [text for text, n in counts.items() if n > 1] == []


# measured by the red-team file (tests/safety_redteam.yml) instead
SAFETY_INTENTS = {
    "express_distress",
    "express_suicidal_thoughts",
    "report_sexual_assault",
    "get_help",
    "inform_location",
}


def test_holdout_covers_every_intent_and_is_never_trained_on(training, holdout):
    trained = {normalise(m.get("text")) for m in training.intent_examples}
    held = {normalise(m.get("text")) for m in holdout.intent_examples}
    assert trained.isdisjoint(held)
    assert set(holdout.intents) == set(training.intents) - SAFETY_INTENTS
