"""First stage of the two-stage fallback: offer the likeliest topics as buttons."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.topics import (
    NOT_OKAY_INTENT,
    OTHER_INTENT,
    not_okay_title,
    something_else_title,
    topic_titles,
)

MAX_SUGGESTIONS = 3
STARTERS = "utter_greet"  # its buttons: where to begin when nothing else fits


class ActionDefaultAskAffirmation(Action):
    """Replaces Rasa's "Did you mean 'intent_name'?" with readable topic buttons."""

    def name(self) -> str:
        return "action_default_ask_affirmation"

    async def run(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: dict[str, Any],
    ) -> list[EventType]:
        titles = topic_titles()
        ranking = tracker.latest_message.get("intent_ranking") or []
        likeliest = [p["name"] for p in ranking if p.get("name") in titles]
        if not likeliest:  # nothing to go on, e.g. an empty message
            greeting = domain.get("responses", {}).get(STARTERS, [{}])[0]
            likeliest = [
                str(b["payload"]).removeprefix("/")
                for b in greeting.get("buttons", [])
                if str(b.get("payload", "")).removeprefix("/") in titles
            ]
        buttons = [
            {"title": titles[intent], "payload": f"/{intent}"}
            for intent in likeliest[:MAX_SUGGESTIONS]
        ]
        buttons.append({"title": something_else_title(), "payload": f"/{OTHER_INTENT}"})
        buttons.append({"title": not_okay_title(), "payload": f"/{NOT_OKAY_INTENT}"})
        dispatcher.utter_message(response="utter_ask_affirmation", buttons=buttons)
        return []
