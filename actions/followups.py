"""Answer "what else?" with the next related topic the person has not seen yet."""

from __future__ import annotations

from collections import deque
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.topics import (
    intent_of_payload,
    response_buttons,
    topic_answers,
    topic_response,
    topic_titles,
    uttered_responses,
)


def next_unseen_topic(
    domain: dict[str, Any], last_response: str, seen: set[str]
) -> str | None:
    """Breadth-first walk over the answers' related-topic buttons.

    The buttons under each answer already say which topics come next, so the
    nearest one not yet shown is the natural "what else".
    """
    queue = deque([last_response])
    visited = {last_response}
    while queue:
        for button in response_buttons(domain, queue.popleft()):
            intent = intent_of_payload(str(button.get("payload", "")))
            if intent is None or intent not in topic_titles():
                continue
            response = topic_response(intent)
            if response not in seen:
                return response
            if response not in visited:
                visited.add(response)
                queue.append(response)
    return None


class ActionSuggestMore(Action):
    """Follows up on the last topic answer, or explains what can be asked."""

    def name(self) -> str:
        return "action_suggest_more"

    async def run(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: dict[str, Any],
    ) -> list[EventType]:
        answers = topic_answers()
        shown = [name for name in uttered_responses(tracker.events) if name in answers]
        if not shown:
            dispatcher.utter_message(response="utter_capabilities")
            return []
        following = next_unseen_topic(domain, shown[-1], set(shown))
        dispatcher.utter_message(response=following or "utter_nothing_more")
        return []
