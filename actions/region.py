"""Remember the region a person names, and show its services if they need them."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.escalation import language_of, region_of, send_resources
from safety.regions import region_name


class ActionSetRegion(Action):
    def name(self) -> str:
        return "action_set_region"

    async def run(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: dict[str, Any],
    ) -> list[EventType]:
        region = region_of(tracker)
        if region is None:
            dispatcher.utter_message(response="utter_ask_region")
            return []
        if tracker.get_slot("distress_level"):
            needs = list(tracker.get_slot("help_needs") or ["therapist"])
            send_resources(dispatcher, needs, region, language_of(tracker))
        else:
            dispatcher.utter_message(
                response="utter_region_noted", region_name=region_name(region)
            )
        return [SlotSet("region", region)]
