"""The curated answers, their buttons and the training data behave as promised."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
import textstat
import yaml
from rasa.shared.nlu.training_data.loading import load_data

from actions.topics import intent_of_payload, topic_titles
from bench.accuracy import HOLDOUT, UNSEEN_HOLDOUTS, nlu_training_data
from bench.safety import registry
from nlg.safety import regional_wording
from safety import taxonomy
from scripts.validate_data import unread_data_files
from tests.conftest import sentences, without_source

ROOT = Path(__file__).resolve().parents[1]
TOPICS = sorted(topic_titles())
MAX_SENTENCE_WORDS = 30
# Flesch-Kincaid grade: readable by most 13-14 year olds, and by anyone upset
MAX_GRADE = 8.0
# every region a reply can be worded for, and none known
REGIONS_FILE = ROOT / "safety" / "regions.yml"
REGIONS = [None, *yaml.safe_load(REGIONS_FILE.read_text())["regions"]]


def normalise(text: str) -> str:
    return " ".join(text.lower().split())


@pytest.fixture(scope="module")
def training():
    return nlu_training_data()


@pytest.fixture(
    scope="module", params=[HOLDOUT, *UNSEEN_HOLDOUTS], ids=lambda p: p.stem
)
def holdout(request):
    return load_data(str(request.param))


def test_the_article_s_23_topics_and_8_questions_people_ask_have_answers():
    assert len(TOPICS) == 31


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
def test_each_topic_answer_reads_at_grade_8_or_below(topic, domain):
    [answer] = domain["responses"][f"utter_{topic}"]
    body = without_source(str(answer["text"]))

    assert textstat.flesch_kincaid_grade(body) <= MAX_GRADE


class Unfilled(dict):
    """What actions fill in ({services}) stays a placeholder."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def as_read(variation: dict, region: str | None) -> str:
    """The response's text as a person in `region` reads it, without its source."""
    wording = Unfilled(regional_wording(region, language_of(variation)))
    text = str(variation["text"]).format_map(wording)
    return without_source(text)


def language_of(variation: dict) -> str | None:
    for condition in variation.get("condition") or []:
        if condition.get("name") == "language":
            return str(condition["value"])
    return None


@pytest.mark.parametrize("region", REGIONS)
def test_no_sentence_of_any_response_is_over_30_words_as_read(domain, region):
    too_long = [
        (name, len(sentence.split()), sentence)
        for name, variations in domain["responses"].items()
        for variation in variations
        if variation.get("text")
        for sentence in sentences(as_read(variation, region))
        if len(sentence.split()) > MAX_SENTENCE_WORDS
    ]
    assert too_long == []


@pytest.mark.parametrize(
    "region, directory",
    [
        ("UK", "bacp.co.uk"),
        ("US", "psychologytoday.com"),
        ("AU", "a therapist directory for your country"),
        (None, "a therapist directory for your country"),
    ],
)
def test_the_answer_on_professional_help_says_where_to_find_one(
    domain, region, directory
):
    [answer] = domain["responses"]["utter_professional_help"]

    assert directory in as_read(answer, region)


@pytest.mark.parametrize("topic", TOPICS)
def test_each_topic_has_at_least_30_training_examples(topic, training):
    assert training.number_of_examples_per_intent[topic] >= 30


def test_no_training_example_is_labelled_twice(training):
    counts = Counter(normalise(m.get("text")) for m in training.intent_examples)
    assert [text for text, n in counts.items() if n > 1] == []


def test_holdout_covers_every_intent_and_is_never_trained_on(training, holdout):
    trained = {normalise(m.get("text")) for m in training.intent_examples}
    held = {normalise(m.get("text")) for m in holdout.intent_examples}
    assert trained.isdisjoint(held)
    # the safety sets of bench/safety_sets.yml measure the safety intents, and
    # asking for help or naming a country have conversation tests of their own
    safety = taxonomy.load()
    measured_elsewhere = safety.safety_intents | {safety.help_intent, "inform_location"}
    assert set(holdout.intents) == set(training.intents) - measured_elsewhere


@pytest.mark.parametrize("entry", registry(), ids=lambda e: e["name"])
def test_no_safety_evaluation_message_is_in_the_training_data(training, entry):
    # a lone "yes" or "hi" may be in both; a sentence may not
    trained = {normalise(m.get("text")) for m in training.intent_examples}
    messages = yaml.safe_load((ROOT / entry["path"]).read_text())["messages"]
    sentences = {normalise(m["text"]) for m in messages if len(m["text"].split()) > 1}
    assert trained.isdisjoint(sentences)


def test_every_data_file_is_one_rasa_reads(tmp_path):
    # Rasa's importer skips a file it does not recognise without a word, so
    # a training file that lost its header would vanish from the model
    assert unread_data_files() == []
    headless = tmp_path / "calm.yml"
    headless.write_text("- intent: greet\n  examples: |\n    - hi there\n")
    (tmp_path / "rules.yml").write_text('version: "3.1"\nrules: []\n')
    assert unread_data_files(tmp_path) == [headless]
