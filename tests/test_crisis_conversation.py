"""A crisis conversation against the real assistant: a short crisis turn with
the urgent contact first, "Are you safe right now?" as a real question, and a
later crisis message that does not resend everything."""

from __future__ import annotations

import uuid

import pytest

from safety.regions import region_from_name
from tests.conftest import as_read
from tests.servers import running_assistant

# starts the assistant, a browser or a database: not in make test-fast
pytestmark = pytest.mark.servers

REGIONS = {"US": ("911", "988"), "GB": ("999", "116 123"), "AU": ("000", "13 11 14"),
           None: ("999 UK", "findahelpline.com")}  # fmt: skip
CRISES = {
    "i want to kill myself": "utter_crisis_first_response",
    "i was raped last night": "utter_assault_first_response",
    "my boyfriend hits me when i cry after sex": "utter_abuse_first_response",
}


def new_sender() -> str:
    return f"test-{uuid.uuid4().hex}"


def text_of(domain, name, country=None):
    """The response as read in `country` (the widget's hint, "GB")."""
    return as_read(
        domain["responses"][name][0]["text"], None, region_from_name(country)
    )


def buttons(replies):
    return [b for r in replies for b in r.get("buttons") or []]


def crisis(assistant, country=None, message="i want to kill myself"):
    sender = new_sender()
    return sender, assistant.say(sender, message, country)


@pytest.mark.parametrize("country", REGIONS)
@pytest.mark.parametrize("message", CRISES)
def test_a_crisis_turn_is_three_short_messages_most_urgent_first(
    assistant, domain, country, message
):
    _, replies = crisis(assistant, country, message)

    assert len(replies) <= 3
    assert all(len(r.get("text") or "") <= 320 for r in replies)
    assert len(buttons(replies)) <= 5
    first = replies[0]["text"]
    assert first == text_of(domain, CRISES[message], country)
    assert REGIONS[country][0] in first and "Are you safe right now?" in first
    assert replies[-1]["text"] == text_of(domain, "utter_keep_talking")


@pytest.mark.parametrize("country", REGIONS)
def test_a_suicide_message_names_the_regions_crisis_line_at_once(assistant, country):
    _, replies = crisis(assistant, country)

    assert REGIONS[country][1] in replies[0]["text"]


@pytest.mark.parametrize(
    "country, first_service",
    [("US", "RAINN"), ("GB", "Rape Crisis"), ("AU", "1800RESPECT")],
)  # fmt: skip
def test_assault_names_sexual_assault_support_first(assistant, country, first_service):
    _, replies = crisis(assistant, country, "i told him to stop and he kept going")

    # the services message names the sexual-assault service first
    assert replies[1]["text"].startswith(first_service)


@pytest.mark.parametrize(
    "answer", ["no", "nope", "not really", "i don't know", "not sure"]
)
def test_no_to_are_you_safe_brings_the_emergency_number_and_crisis_line(
    assistant, domain, answer
):
    sender, _ = crisis(assistant, "GB")

    replies = assistant.say(sender, answer)

    assert [r["text"] for r in replies] == [text_of(domain, "utter_not_safe", "GB")]
    assert "999" in replies[0]["text"] and "116 123" in replies[0]["text"]
    assert "someone you trust" in replies[0]["text"]
    assert assistant.tracker(sender)["slots"]["pending_question"] == "nothing"


@pytest.mark.parametrize("answer", ["yes", "yeah im safe", "nah forget it im fine"])
def test_yes_or_im_fine_to_are_you_safe_is_acknowledged(assistant, domain, answer):
    sender, _ = crisis(assistant, "US")

    replies = assistant.say(sender, answer)

    assert [r["text"] for r in replies] == [text_of(domain, "utter_glad_safe")]
    assert "/get_help" in [b["payload"] for b in buttons(replies)]


def test_anything_else_after_are_you_safe_is_a_normal_message_with_help_in_view(
    assistant, domain
):
    sender, _ = crisis(assistant, "US")

    replies = assistant.say(sender, "why do i cry after sex?")

    assert replies[0]["text"] == domain["responses"]["utter_causes_overview"][0]["text"]
    assert buttons(replies)[-1]["payload"] == "/get_help"


def test_a_second_crisis_message_repeats_the_urgent_contact_not_the_burst(
    assistant, domain
):
    sender, _ = crisis(assistant, "GB")

    again = assistant.say(sender, "i have the pills in my hand")

    assert [r["text"] for r in again] == [
        text_of(domain, "utter_crisis_again", "GB"),
        text_of(domain, "utter_keep_talking"),
    ]
    assert "/get_help" in [b["payload"] for b in buttons(again)]


def test_without_the_action_server_the_static_response_knows_the_region(
    tmp_path, domain
):
    with running_assistant(tmp_path, with_actions=False) as no_actions:
        uk = no_actions.say(new_sender(), "i want to end my life tonight", "GB")
        us = no_actions.say(new_sender(), "i want to end my life tonight", "US")

    assert uk[0]["text"] == text_of(domain, "utter_crisis_first_response", "GB")
    assert "999" in uk[0]["text"] and "116 123" in uk[0]["text"]
    assert "911" in us[0]["text"] and "988" in us[0]["text"]


@pytest.mark.parametrize(
    "country, service",
    [("GB", "Childline"), ("US", "Childhelp"), ("CA", "Kids Help Phone")],
)  # fmt: skip
def test_a_child_gets_words_for_a_young_person_and_only_child_services(
    assistant, domain, country, service
):
    _, replies = crisis(
        assistant, country, "im 13 and my stepdad makes me do sexual stuff"
    )

    assert replies[0]["text"] == text_of(domain, "utter_child_first_response", country)
    assert replies[1]["text"].startswith(service)
    adult = ("Rape Crisis", "RAINN", "Domestic Violence", "therapist", "COSRT", "BACP")
    assert not any(a in r.get("text", "") for r in replies for a in adult)
