"""The fallback offers the likeliest topics as buttons, then "Something else"."""

from __future__ import annotations

import pytest

from actions.fallback import ActionDefaultAskAffirmation
from actions.topics import topic_titles
from tests.conftest import user_says


def ranking(*names: str) -> list:
    return [{"name": n, "confidence": 0.3 - i * 0.05} for i, n in enumerate(names)]


@pytest.mark.parametrize(
    "predicted, offered",
    [
        (
            ranking(
                "nlu_fallback", "cause_hormones", "gender_women", "aftercare", "source"
            ),
            ["/cause_hormones", "/gender_women", "/aftercare"],
        ),
        # chit-chat intents are never offered as topics
        (
            ranking("nlu_fallback", "greet", "thanks", "boundaries", "deny"),
            ["/boundaries"],
        ),
        # nothing to go on (an empty message): where the greeting starts
        (
            ranking("nlu_fallback"),
            ["/what_is_pct", "/is_it_normal", "/causes_overview"],
        ),
        ([], ["/what_is_pct", "/is_it_normal", "/causes_overview"]),
    ],
)
async def test_offers_likeliest_topics_then_something_else_then_im_not_okay(
    predicted, offered, dispatcher, tracker_from, domain
):
    tracker = tracker_from([user_says("nlu_fallback", "hmm blah", predicted)])

    events = await ActionDefaultAskAffirmation().run(dispatcher, tracker, domain)

    assert events == []
    [message] = dispatcher.messages
    assert message["response"] == "utter_ask_affirmation"
    payloads = [button["payload"] for button in message["buttons"]]
    assert payloads == [*offered, "/out_of_scope", "/express_distress"]
    titles = [button["title"] for button in message["buttons"]]
    assert titles[-2:] == ["Something else", "I'm not okay"]
    assert all(title and not title.startswith("/") for title in titles)


def test_every_topic_has_a_title_and_an_answer(domain):
    for intent, title in topic_titles().items():
        assert title.strip()
        assert intent in domain["intents"]
        assert f"utter_{intent}" in domain["responses"]
