"""The check-in actions: asked once per conversation unless the risk rises,
and "No, I'm okay" answers what the person had asked."""

from __future__ import annotations

import pytest
from rasa_sdk.events import SlotSet

from actions.check_in import (
    ActionAnswerAfterCheckIn,
    ActionCheckInAgain,
    ActionRecordCheckIn,
)
from tests.conftest import user_says


def uncertain(score, asked="is_it_normal", language="en"):
    event = user_says("express_possible_risk", "...")
    event["parse_data"]["risk"] = {"outcome": "check_in", "score": score,
                                   "asked": asked, "language": language}  # fmt: skip
    return event


def responses(dispatcher):
    return [m["response"] for m in dispatcher.messages]


async def test_asking_remembers_the_question_the_score_and_the_language(
    dispatcher, tracker_from, domain
):
    tracker = tracker_from([uncertain(0.7, language="es")])

    events = await ActionRecordCheckIn().run(dispatcher, tracker, domain)

    assert events == [
        SlotSet("pending_question", "safety_check"),
        SlotSet("safety_checked", True),
        SlotSet("safety_check_score", 0.7),
        SlotSet("question_before_check", "is_it_normal"),
        SlotSet("language", "es"),
    ]


async def test_only_a_topic_is_kept_as_the_question_asked(
    dispatcher, tracker_from, domain
):
    events = await ActionRecordCheckIn().run(
        dispatcher, tracker_from([uncertain(0.7, asked="nlu_fallback")]), domain
    )

    assert SlotSet("question_before_check", None) in events


@pytest.mark.parametrize(
    "score, asked, said",
    [
        (0.85, "is_it_normal", ["utter_safety_check"]),  # risen by 0.1 or more
        (0.75, "is_it_normal", ["utter_is_it_normal"]),
        (0.75, None, ["utter_after_check_in"]),
    ],
)
async def test_a_second_uncertain_message_is_asked_again_only_if_the_risk_rose(
    score, asked, said, dispatcher, tracker_from, domain
):
    tracker = tracker_from([uncertain(score, asked=asked)])
    tracker.slots.update(safety_checked=True, safety_check_score=0.7)

    events = await ActionCheckInAgain().run(dispatcher, tracker, domain)

    assert responses(dispatcher) == said
    asked_again = said == ["utter_safety_check"]
    assert (SlotSet("pending_question", "safety_check") in events) == asked_again
    assert (SlotSet("pending_question", "nothing") in events) == (not asked_again)


@pytest.mark.parametrize(
    "kept, said",
    [
        ("cause_hormones", ["utter_check_in_okay", "utter_cause_hormones"]),
        (None, ["utter_check_in_okay", "utter_affirm_ack"]),
        ("utter_greet", ["utter_check_in_okay", "utter_affirm_ack"]),  # not a topic
    ],
)
async def test_no_im_okay_gets_thanks_and_the_answer_to_what_was_asked(
    kept, said, dispatcher, tracker_from, domain
):
    tracker = tracker_from([user_says("deny", "no")])
    tracker.slots.update(pending_question="safety_check", question_before_check=kept)

    events = await ActionAnswerAfterCheckIn().run(dispatcher, tracker, domain)

    assert responses(dispatcher) == said
    assert events == [
        SlotSet("pending_question", "nothing"),
        SlotSet("question_before_check", None),
    ]
