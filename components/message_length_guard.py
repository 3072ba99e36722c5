"""Keep text the NLU pipeline cannot handle out of it.

- Length: a 100 KB message kept the stock pipeline busy for over a minute on a
  2-core machine. Questions fit in far fewer characters, so the text handed to
  the featurizers and classifiers is cut to `max_characters`.
- Half an emoji: a lone UTF-16 surrogate (JSON "\\ud83d") crashed spaCy, and a
  crisis message containing one got no reply at all; it becomes U+FFFD.

The tracker still stores the message as sent (Rasa builds the UserUttered
event from the original text, not from the processed one).
"""

from __future__ import annotations

import re
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.exceptions import InvalidConfigException
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

# Set on the message when its text was cut: the original length, and the whole
# text for components that must read all of it (the RiskDetector).
TRUNCATED_FROM = "truncated_from_characters"
UNTRUNCATED_TEXT = "untruncated_text"
LONE_SURROGATE = re.compile("[\ud800-\udfff]")  # a Python str has no valid pairs


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER], is_trainable=False
)
class MessageLengthGuard(GraphComponent):
    """Truncates message text to a configured number of characters and
    replaces lone surrogates."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {"max_characters": 2000}

    @classmethod
    def validate_config(cls, config: dict[str, Any]) -> None:
        limit = config.get("max_characters")
        if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
            raise InvalidConfigException(
                f"{cls.__name__}: 'max_characters' must be a positive integer, "
                f"got {limit!r}."
            )

    def __init__(self, config: dict[str, Any]) -> None:
        self.validate_config(config)
        self._max_characters: int = config["max_characters"]

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> MessageLengthGuard:
        return cls({**cls.get_default_config(), **config})

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            self._make_safe(message)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        self.process(training_data.training_examples)
        return training_data

    def _make_safe(self, message: Message) -> None:
        text = message.get(TEXT)
        if not isinstance(text, str):
            return
        text = LONE_SURROGATE.sub("\ufffd", text)
        message.set(TEXT, text)
        if len(text) > self._max_characters:
            message.set(TEXT, text[: self._max_characters])
            message.set(TRUNCATED_FROM, len(text))
            message.set(UNTRUNCATED_TEXT, text)
