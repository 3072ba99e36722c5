"""Replies to a rating of an answer (the store records the rating itself,
privacy/feedback.py): after a 👎, "what was missing?" when the operator keeps
the answer (privacy/settings.yml), and thanks for it."""

from __future__ import annotations

from typing import Any

from rasa.shared.constants import DEFAULT_NLU_FALLBACK_INTENT_NAME
from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction
from rasa_sdk.executor import CollectingDispatcher

from actions.topics import uttered_responses
from privacy.feedback import ASK_WHAT_WAS_MISSING
from privacy.settings import keeps_what_was_missing


class ActionAcknowledgeUnhelpfulAnswer(Action):
    def name(self) -> str:
        return "action_acknowledge_unhelpful_answer"

    async def run(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: dict[str, Any],
    ) -> list[EventType]:
        asked = keeps_what_was_missing()
        dispatcher.utter_message(
            response=ASK_WHAT_WAS_MISSING if asked else "utter_feedback_not_helpful"
        )
        return []


class ActionThankForWhatWasMissing(Action):
    """The reply to "what was missing?" when it is no question the assistant
    knows; where nothing was asked, the usual "did you mean" or redirect."""

    def name(self) -> str:
        return "action_thank_for_what_was_missing"

    async def run(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: dict[str, Any],
    ) -> list[EventType]:
        said = list(uttered_responses(tracker.events))
        if said and said[-1] == ASK_WHAT_WAS_MISSING:
            dispatcher.utter_message(response="utter_thanks_for_what_was_missing")
            return []
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        if intent == DEFAULT_NLU_FALLBACK_INTENT_NAME:
            return [FollowupAction("action_two_stage_fallback")]
        dispatcher.utter_message(response="utter_out_of_scope")
        return []
