"""Faults against the real servers: the action server crashing, Rasa restarting,
and many conversations at once. Speed is measured by `make bench`, not here."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from tests.conftest import as_read
from tests.crowd import CONVERSATION, crowd
from tests.servers import Deployment, restartable_assistant

# starts the assistant, a browser or a database: not in make test-fast
pytestmark = pytest.mark.servers

CONVERSATIONS = 50


def new_sender() -> str:
    return f"test-{uuid.uuid4().hex}"


def texts(replies: list[dict]) -> list[str]:
    return [reply.get("text") or "" for reply in replies]


def payloads(replies: list[dict]) -> list[str]:
    return [b.get("payload", "") for reply in replies for b in reply.get("buttons", [])]


def answer(domain: dict, response: str) -> str:
    return domain["responses"][response][0]["text"]


def user_texts(tracker: dict) -> list[str]:
    return [e["text"] for e in tracker["events"] if e["event"] == "user"]


@pytest.fixture(scope="module")
def deployment(tmp_path_factory) -> Iterator[Deployment]:
    with restartable_assistant(tmp_path_factory.mktemp("faults")) as deployment:
        yield deployment


@pytest.fixture
def servers(deployment: Deployment) -> Deployment:
    """Both servers up, whatever an earlier test left behind."""
    for service in (deployment.actions, deployment.rasa):
        if not service.running():
            service.start()
    return deployment


@pytest.mark.parametrize(
    "after_recovery, service",
    [
        ("i'm in the uk and i want to kill myself", "Samaritans"),
        ("i want to kill myself", "Find A Helpline"),
    ],
)
def test_crisis_contacts_arrive_while_the_action_server_is_down_and_all_help_after(
    after_recovery, service, servers, domain
):
    chat, sender = servers.assistant, new_sender()
    chat.say(sender, "why do i cry after sex?")

    servers.actions.kill()
    # say() raises on any HTTP error: nothing 500s while actions are down
    crisis = chat.say(sender, "i want to kill myself")
    topic = chat.say(sender, "is it normal to cry after sex?")

    assert texts(crisis) == [as_read(answer(domain, "utter_crisis_first_response"))]
    assert "999" in crisis[0]["text"]
    assert "findahelpline.com" in crisis[0]["text"]
    assert texts(topic) == [answer(domain, "utter_is_it_normal")]

    servers.actions.start()  # same port; Rasa is not restarted
    recovered = chat.say(sender, after_recovery)

    assert service in " ".join(texts(recovered))
    assert texts(recovered)[-1] == answer(domain, "utter_keep_talking")
    assert chat.tracker(sender)["slots"]["distress_level"] == "crisis"


def test_conversations_survive_a_restart_of_rasa(servers, domain):
    chat, escalated, plain = servers.assistant, new_sender(), new_sender()
    before = [
        "i feel so hopeless and i can't stop crying after sex",
        "what should i do after crying after sex",
    ]
    for message in before:
        chat.say(escalated, message)
    chat.say(plain, "why do women cry after sex")
    old_pid = servers.rasa.popen.pid if servers.rasa.popen else None

    servers.rasa.restart()  # SIGTERM, then a new process on the same port and db

    assert servers.rasa.popen is not None and servers.rasa.popen.pid != old_pid
    follow_up = chat.say(escalated, "what else can i do?")
    topic = chat.say(escalated, "why do i cry after sex?")
    plain_follow_up = chat.say(plain, "and what about men?")

    # the answer depends on the one given before the restart
    assert texts(follow_up) == [answer(domain, "utter_talk_to_partner")]
    assert texts(topic) == [answer(domain, "utter_causes_overview")]
    # "Get help now" stays, because distress_level came back with the conversation
    assert payloads(follow_up)[-1] == payloads(topic)[-1] == "/get_help"
    assert texts(plain_follow_up) == [answer(domain, "utter_gender_men")]
    assert "/get_help" not in payloads(plain_follow_up)
    tracker = chat.tracker(escalated)
    assert user_texts(tracker)[:2] == before
    assert tracker["slots"]["distress_level"] == "distress"


@pytest.mark.slow
async def test_fifty_concurrent_conversations_of_twenty_turns_are_all_answered(
    assistant,
):
    senders = [new_sender() for _ in range(CONVERSATIONS)]

    conversations = await crowd(assistant.url, senders)

    unanswered = [
        (sender, turn.message, turn.status, turn.error)
        for sender, turns in conversations.items()
        for turn in turns
        if not turn.answered
    ]
    assert unanswered == []
    # every reply went to its own sender, and each person got what one person
    # alone gets: no conversation leaked into another
    assert all(
        reply["recipient_id"] == sender
        for sender, turns in conversations.items()
        for turn in turns
        for reply in turn.replies
    )
    transcripts = {
        tuple(tuple(texts(turn.replies)) for turn in turns)
        for turns in conversations.values()
    }
    assert len(transcripts) == 1
    for sender in senders:
        assert user_texts(assistant.tracker(sender)) == list(CONVERSATION)
