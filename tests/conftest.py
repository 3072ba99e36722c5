"""Shared fixtures: the real domain, a dispatcher, and trackers built from events."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from rasa.shared.core.domain import Domain
from rasa_sdk import Tracker
from rasa_sdk.events import ActionExecuted, BotUttered, UserUttered
from rasa_sdk.executor import CollectingDispatcher

from nlg.safety import regional_wording
from tests.fake_platforms import FakePlatforms
from tests.servers import free_port, identity_secret, running_assistant

ROOT = Path(__file__).resolve().parents[1]


# A few training examples of the risk classes and of calm topics: enough for
# the risk detector to train in seconds.
RISK_EXAMPLES = {
    "express_suicidal_thoughts": [
        "i want to end my life", "i have a plan to kill myself tonight",
        "i dont want to be alive anymore", "i keep thinking about taking all my pills",
        "nobody would miss me if i was gone", "i wrote a goodbye note",
    ],
    "report_sexual_assault": [
        "he forced me to have sex", "i said no and he kept going",
        "i was raped at a party", "he did it while i was asleep",
        "i was too drunk to consent", "my ex coerced me into sex",
    ],
    "report_abuse": [
        "my husband hits me", "he threatens to kill me if i leave",
        "i am scared to go home, he gets violent", "she controls my money and phone",
        "he slapped me after sex", "my partner chokes me when we argue",
    ],
    "express_distress": [
        "i cant stop crying for days", "i feel completely hopeless",
        "i am having a panic attack", "i feel numb and empty all the time",
        "i hate myself so much", "i cant get out of bed anymore",
    ],
    "is_it_normal": [
        "is it normal to cry after sex", "is crying after sex normal",
        "do other people cry after sex", "am i weird for crying after sex",
        "how common is crying after sex", "is it ok that i tear up after sex",
    ],
    "cause_hormones": [
        "is it hormones", "does oxytocin make you cry", "is it hormonal",
        "could my hormones cause the tears", "hormones after sex", "is it my cycle",
    ],
    "greet": ["hi", "hello", "hey there", "good morning", "hiya", "hello bot"],
}  # fmt: skip


def small_config(**changes: Any) -> dict[str, Any]:
    """The risk detector's defaults with two folds: RISK_EXAMPLES are too
    few for five."""
    from components.risk_detector import RiskDetectorComponent

    return {**RiskDetectorComponent.get_default_config(), "folds": 2, **changes}


SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def sentences(text: str) -> list[str]:
    """A reply's sentences, as a reader counts them: lines joined, split after
    '.', '!' or '?'."""
    return SENTENCE_END.split(" ".join(text.split()))


def without_source(text: str) -> str:
    """An answer's body: its text without the closing "Source: ..." line."""
    return text.split("\nSource:")[0]


def as_read(text: str, language: str | None = None, region: str | None = None) -> str:
    """A response text as a person in `region` reads it: nlg/safety.py fills in
    the region's emergency number, crisis line and abuse line."""
    return text.format(**regional_wording(region, language))


def asking_feedback(domain: dict[str, Any], text: str) -> str:
    """A topic answer as the first of a conversation sends it: ending with
    "Was this answer helpful?" (nlg/feedback.py)."""
    return f"{text}\n\n{domain['responses']['utter_ask_feedback'][0]['text']}"


# Fixtures that start the assistant or the fake platforms: a test that uses
# one, even through another fixture, is not in the fast tier (make test-fast).
SERVER_FIXTURES = {"assistant", "platforms"}


def pytest_configure(config: pytest.Config) -> None:
    identity_secret()  # before any test computes a conversation's key


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if SERVER_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.servers)


@pytest.fixture(scope="session")
def domain() -> dict[str, Any]:
    """The project's domain as the action server receives it."""
    return Domain.load(ROOT / "domain.yml").as_dict()


@pytest.fixture
def dispatcher() -> CollectingDispatcher:
    return CollectingDispatcher()


def user_says(
    intent: str, text: str = "", ranking: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    """A user turn as Rasa sends it to the action server."""
    parse_data = {
        "text": text,
        "intent": {"name": intent, "confidence": 1.0},
        "intent_ranking": ranking or [{"name": intent, "confidence": 1.0}],
        "entities": [],
    }
    return UserUttered(text, parse_data)


def bot_sends(response: str, domain: dict[str, Any]) -> list[dict[str, Any]]:
    """The events of the bot sending one of the domain's responses."""
    variation = domain["responses"][response][0]
    data = {"buttons": variation.get("buttons")}
    return [
        ActionExecuted(response),
        BotUttered(variation.get("text"), data, {"utter_action": response}),
    ]


@pytest.fixture
def tracker_from() -> Callable[[list[dict[str, Any]]], Tracker]:
    """Build a tracker from explicit events; the last user turn is its latest."""

    def build(events: list[dict[str, Any]]) -> Tracker:
        user_turns = [event for event in events if event["event"] == "user"]
        latest = user_turns[-1]["parse_data"] if user_turns else {}
        return Tracker(
            "test-user", {}, latest, events, False, None, {}, "action_listen"
        )

    return build


@pytest.fixture(scope="session")
def web_origin() -> str:
    """Where the widget's demo page is served in tests (tests/test_widget.py)."""
    return f"http://127.0.0.1:{free_port()}"


@pytest.fixture(scope="session")
def platforms() -> Iterator[FakePlatforms]:
    """A fake of the messaging platforms' APIs on loopback: nothing real is called."""
    with FakePlatforms.serve() as platforms:
        yield platforms


@pytest.fixture(scope="session")
def assistant_workdir(tmp_path_factory) -> Path:
    """Where the shared assistant keeps its logs and conversations."""
    return tmp_path_factory.mktemp("servers")


@pytest.fixture(scope="session")
def assistant(assistant_workdir, web_origin, platforms):
    """The trained assistant, served for real (see tests/servers.py): the demo
    page's origin may open the socket.io channel, and every messaging channel is
    on, calling the fake platforms."""
    with running_assistant(
        assistant_workdir,
        extra_env={"WEBCHAT_ORIGINS": web_origin, **platforms.env},
    ) as served:
        yield served


@pytest.fixture(scope="session")
def spacy_model() -> Any:
    """The offline spaCy pipeline the assistant's config names."""
    import spacy
    from rasa.nlu.utils.spacy_utils import SpacyModel

    return SpacyModel(model=spacy.load("en_pct_lookup"), model_name="en_pct_lookup")


@pytest.fixture(scope="session")
def training_data() -> Any:
    """RISK_EXAMPLES as Rasa NLU training data."""
    from rasa.shared.nlu.constants import INTENT, TEXT
    from rasa.shared.nlu.training_data.message import Message
    from rasa.shared.nlu.training_data.training_data import TrainingData

    return TrainingData(
        [
            Message({TEXT: t, INTENT: i})
            for i, texts in RISK_EXAMPLES.items()
            for t in texts
        ]
    )
