"""The length guard: created and loaded like any Rasa component, rejects bad config."""

from __future__ import annotations

import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.exceptions import InvalidConfigException
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from components.message_length_guard import TRUNCATED_FROM, MessageLengthGuard


@pytest.fixture
def graph_args(tmp_path):
    return {
        "model_storage": LocalModelStorage(tmp_path),
        "resource": Resource("length_guard"),
        "execution_context": ExecutionContext(GraphSchema({}), "test"),
    }


def config(**overrides):
    return {**MessageLengthGuard.get_default_config(), **overrides}


@pytest.mark.parametrize("construct", ["create", "load"])
def test_created_and_loaded_component_cut_long_text(construct, graph_args):
    guard = getattr(MessageLengthGuard, construct)(
        config(max_characters=10), **graph_args
    )
    long, short = Message({TEXT: "x" * 100_000}), Message({TEXT: "why cry?"})

    guard.process([long, short])

    assert long.get(TEXT) == "x" * 10
    assert long.get(TRUNCATED_FROM) == 100_000
    assert short.get(TEXT) == "why cry?"
    assert short.get(TRUNCATED_FROM) is None


def test_training_data_is_bounded_the_same_way(graph_args):
    guard = MessageLengthGuard.create(config(max_characters=5), **graph_args)
    data = TrainingData([Message({TEXT: "abcdefgh", "intent": "greet"})])

    guard.process_training_data(data)

    assert data.training_examples[0].get(TEXT) == "abcde"


def test_default_limit_keeps_a_long_real_question_whole(graph_args):
    guard = MessageLengthGuard.create(config(), **graph_args)
    question = "so last night my boyfriend and i finally slept together " * 20
    message = Message({TEXT: question})

    guard.process([message])

    assert message.get(TEXT) == question


@pytest.mark.parametrize("bad", [0, -5, "100", 2.5, True, None])
def test_bad_limit_is_rejected(bad, graph_args):
    with pytest.raises(InvalidConfigException, match="max_characters"):
        MessageLengthGuard.create(config(max_characters=bad), **graph_args)


@pytest.mark.parametrize(
    "text, safe",
    [
        ("\ud83d i want to kill myself", "\ufffd i want to kill myself"),
        ("half \udc22 emoji", "half \ufffd emoji"),
        ("whole 😢 emoji", "whole 😢 emoji"),
    ],
)
def test_half_an_emoji_is_replaced_so_spacy_can_read_the_text(text, safe, graph_args):
    guard = MessageLengthGuard.create(config(), **graph_args)
    message = Message({TEXT: text})

    guard.process([message])

    assert message.get(TEXT) == safe
