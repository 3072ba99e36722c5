"""The check-in: when the risk is uncertain the assistant asks, once, whether
the person is having thoughts of hurting themselves (utter_safety_check, sent
by the rules in data/rules/safety.yml so it needs no action server).

- action_record_check_in remembers that it asked, at which risk score, and
  the question the person had asked, for after their answer.
- action_check_in_again: a later uncertain message is asked again only if its
  risk rose; otherwise it gets the answer, with help in view.
- action_answer_after_check_in: "No, I'm okay" gets thanks and the answer to
  the question they had asked.
- action_close_question: the answer to "Are you safe right now?" has been
  answered by the rules' static response; a later yes or no is not read as
  another answer to it.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.escalation import language_of
from actions.topics import topic_response, topic_titles
from safety import taxonomy

SAFETY_CHECK, NOTHING = "safety_check", "nothing"  # values of pending_question


def risk_of(tracker: Tracker) -> dict[str, Any]:
    return dict(tracker.latest_message.get("risk") or {})


def asked_topic(tracker: Tracker) -> str | None:
    """The topic intent the latest message asked about, if it is a topic."""
    asked = risk_of(tracker).get("asked")
    return asked if asked in topic_titles() else None


def remember(tracker: Tracker) -> list[EventType]:
    events: list[EventType] = [
        SlotSet("pending_question", SAFETY_CHECK),
        SlotSet("safety_checked", True),
        SlotSet("safety_check_score", float(risk_of(tracker).get("score") or 0.0)),
        SlotSet("question_before_check", asked_topic(tracker)),
    ]
    language = language_of(tracker)
    if language:
        events.append(SlotSet("language", language))
    return events


class ActionRecordCheckIn(Action):
    def name(self) -> str:
        return "action_record_check_in"

    async def run(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: dict[str, Any],
    ) -> list[EventType]:
        return remember(tracker)


class ActionCheckInAgain(Action):
    def name(self) -> str:
        return "action_check_in_again"

    async def run(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: dict[str, Any],
    ) -> list[EventType]:
        score = float(risk_of(tracker).get("score") or 0.0)
        asked_at = float(tracker.get_slot("safety_check_score") or 0.0)
        if score >= asked_at + taxonomy.load().check_in_again_after_rise:
            dispatcher.utter_message(response="utter_safety_check")
            return remember(tracker)
        topic = asked_topic(tracker)
        dispatcher.utter_message(
            response=topic_response(topic) if topic else "utter_after_check_in"
        )
        return [SlotSet("pending_question", NOTHING)]


class ActionAnswerAfterCheckIn(Action):
    def name(self) -> str:
        return "action_answer_after_check_in"

    async def run(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: dict[str, Any],
    ) -> list[EventType]:
        dispatcher.utter_message(response="utter_check_in_okay")
        topic = tracker.get_slot("question_before_check")
        dispatcher.utter_message(
            response=topic_response(topic)
            if topic in topic_titles()
            else "utter_affirm_ack"
        )
        return [
            SlotSet("pending_question", NOTHING),
            SlotSet("question_before_check", None),
        ]


class ActionCloseQuestion(Action):
    def name(self) -> str:
        return "action_close_question"

    async def run(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: dict[str, Any],
    ) -> list[EventType]:
        return [SlotSet("pending_question", NOTHING)]
