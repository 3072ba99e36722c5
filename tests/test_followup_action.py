"""'What else?' continues with the nearest related topic not yet shown."""

from __future__ import annotations

import pytest

from actions.followups import ActionSuggestMore
from actions.topics import topic_titles
from tests.conftest import bot_sends, user_says


def conversation(domain, *responses):
    events = []
    for response in responses:
        events += [
            user_says(response.removeprefix("utter_")),
            *bot_sends(response, domain),
        ]
    return [*events, user_says("ask_more", "what else can i do?")]


@pytest.mark.parametrize(
    "shown, expected",
    [
        (["utter_what_to_do"], "utter_talk_to_partner"),
        (["utter_what_to_do", "utter_talk_to_partner"], "utter_aftercare"),
        # the first related topic was already seen earlier: skip to the next one
        (["utter_talk_to_partner", "utter_what_to_do"], "utter_aftercare"),
        (["utter_gender_women"], "utter_gender_men"),
        # chit-chat answers in between do not hide the last topic
        (["utter_aftercare", "utter_thanks"], "utter_boundaries"),
    ],
)
async def test_continues_with_next_unseen_related_topic(
    shown, expected, dispatcher, tracker_from, domain
):
    tracker = tracker_from(conversation(domain, *shown))

    events = await ActionSuggestMore().run(dispatcher, tracker, domain)

    assert events == []
    assert [m["response"] for m in dispatcher.messages] == [expected]


async def test_without_a_topic_yet_explains_what_to_ask(
    dispatcher, tracker_from, domain
):
    tracker = tracker_from(conversation(domain, "utter_greet"))

    await ActionSuggestMore().run(dispatcher, tracker, domain)

    assert [m["response"] for m in dispatcher.messages] == ["utter_capabilities"]


async def test_when_every_topic_was_shown_says_so(dispatcher, tracker_from, domain):
    every_topic = [f"utter_{intent}" for intent in topic_titles()]
    tracker = tracker_from(conversation(domain, *every_topic))

    await ActionSuggestMore().run(dispatcher, tracker, domain)

    assert [m["response"] for m in dispatcher.messages] == ["utter_nothing_more"]
