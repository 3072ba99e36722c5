"""The spaCy safety net: created and loaded like a Rasa component; it reads
negation and figures of speech, method words, symbols and minors."""

from __future__ import annotations

import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.exceptions import InvalidConfigException
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from components.distress_detector import DISTRESS, DistressDetector
from components.message_length_guard import UNTRUNCATED_TEXT


@pytest.fixture(scope="module")
def graph_args(tmp_path_factory):
    return {
        "model_storage": LocalModelStorage(tmp_path_factory.mktemp("storage")),
        "resource": Resource("distress_detector"),
        "execution_context": ExecutionContext(GraphSchema({}), "test"),
    }


@pytest.fixture(scope="module", params=["create", "load"])
def detector(request, graph_args):
    config = DistressDetector.get_default_config()
    return getattr(DistressDetector, request.param)(config, **graph_args)


def assess(
    detector, text, intent="is_it_normal", confidence=0.9, ranking=None, **extra
):
    predicted = {"name": intent, "confidence": confidence}
    message = Message(
        {
            TEXT: text,
            INTENT: predicted,
            INTENT_RANKING_KEY: ranking or [predicted],
            **extra,
        }
    )
    detector.process([message])
    return message


@pytest.mark.parametrize(
    "text, level, intent",
    [
        (
            "why do i cry after sex, also i want to kill myself",
            "crisis",
            "express_suicidal_thoughts",
        ),
        ("ive been saving up my tylenol", "crisis", "express_suicidal_thoughts"),
        ("i cry after sex 💊💊💊", "crisis", "express_suicidal_thoughts"),
        ("thinking about sucide again", "crisis", "express_suicidal_thoughts"),
        ("he forced me and i said no", "crisis", "report_sexual_assault"),
        ("im 14 and my stepdad touched me", "crisis", "report_sexual_assault"),
        ("i cant stop crying for days now", "distress", "express_distress"),
        ("i'm not ok, i want to die", "crisis", "express_suicidal_thoughts"),
    ],
)
def test_distress_overrides_the_intent_whatever_else_is_asked(
    detector, text, level, intent
):
    message = assess(detector, text)

    assert message.get(INTENT)["name"] == intent
    assert message.get(DISTRESS)["level"] == level
    assert message.get(DISTRESS)["asked"] == "is_it_normal"


@pytest.mark.parametrize(
    "text",
    [
        "i'm not suicidal at all, i just cry after sex",
        "no one forced me, i wanted it",
        "i could have died happy, then i cried",
        "it killed me to see her cry",
        "i nearly died laughing after",
        "i took ibuprofen for cramps, is that why i cried",
        "i'm 16 and my friend asked about homework",
        "i'm not sad at all",
    ],
)
def test_negations_and_figures_of_speech_do_not_escalate(detector, text):
    message = assess(detector, text)

    assert message.get(DISTRESS) is None
    assert message.get(INTENT)["name"] == "is_it_normal"


def test_the_classifier_layer_escalates_on_its_own(detector):
    message = assess(detector, "everything is grey", "express_distress", 0.8)

    assert message.get(DISTRESS)["sources"] == ["classifier"]


def test_the_classifier_layer_adds_up_the_safety_intents(detector):
    ranking = [
        {"name": "express_suicidal_thoughts", "confidence": 0.35},
        {"name": "express_distress", "confidence": 0.3},
        {"name": "is_it_normal", "confidence": 0.2},
    ]
    message = assess(detector, "everything is grey", "express_suicidal_thoughts", 0.35,
                     ranking=ranking)  # fmt: skip

    assert message.get(DISTRESS)["level"] == "crisis"


def test_the_classifier_layer_defers_to_a_negation(detector):
    message = assess(detector, "i never think about hurting myself",
                     "express_suicidal_thoughts", 0.8)  # fmt: skip

    assert message.get(DISTRESS) is None


def test_reads_the_whole_message_even_when_it_was_cut(detector):
    long = "a" * 5000 + " i want to kill myself"
    message = assess(detector, long[:2000], **{UNTRUNCATED_TEXT: long})

    assert message.get(DISTRESS)["level"] == "crisis"


@pytest.mark.parametrize(
    "bad",
    [
        {"classifier_threshold": 0},
        {"classifier_threshold": "x"},
        {"lexicon": "/nope.yml"},
    ],
)
def test_bad_config_is_rejected(bad, graph_args):
    with pytest.raises(InvalidConfigException):
        DistressDetector.create(
            {**DistressDetector.get_default_config(), **bad}, **graph_args
        )
