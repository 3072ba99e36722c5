"""action_opt_out / action_opt_in: the slot the Twilio channel's gate reads, and
a confirmation on WhatsApp only (on SMS, Twilio sends its own)."""

from __future__ import annotations

import pytest
from rasa_sdk.events import SlotSet

from actions.opt_out import ActionOptIn, ActionOptOut
from tests.conftest import user_says


def keyword_from(channel: str, intent: str) -> dict:
    event = user_says(intent, f"/{intent}")
    event["input_channel"] = channel
    return event


@pytest.mark.parametrize(
    "action, intent, channel, responses, opted_out",
    [
        (ActionOptOut(), "opt_out", "whatsapp", ["utter_opted_out"], True),
        (ActionOptOut(), "opt_out", "twilio", [], True),
        (ActionOptIn(), "opt_in", "whatsapp", ["utter_opted_in"], False),
        (ActionOptIn(), "opt_in", "twilio", [], False),
    ],
)
async def test_opting_out_and_back_in(
    action, intent, channel, responses, opted_out, dispatcher, tracker_from, domain
):
    tracker = tracker_from([keyword_from(channel, intent)])

    events = await action.run(dispatcher, tracker, domain)

    assert events == [SlotSet("opted_out", opted_out)]
    assert [m["response"] for m in dispatcher.messages] == responses
    for response in responses:
        assert response in domain["responses"]
