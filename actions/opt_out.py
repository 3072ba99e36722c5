"""Record that an SMS or WhatsApp number opted out (STOP) or back in (START).

channels/twilio.py turns Twilio's keywords into /opt_out and /opt_in, and
passes nothing else on while `opted_out` is set. On SMS, Twilio itself
confirms (and blocks what we would send), so only WhatsApp gets our
confirmation, which says where to find emergency help.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

CONFIRMED_BY_US = "whatsapp"  # the input channel channels/twilio.py gives WhatsApp


class ActionOptOut(Action):
    opted_out = True
    confirmation = "utter_opted_out"

    def name(self) -> str:
        return "action_opt_out"

    async def run(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: dict[str, Any],
    ) -> list[EventType]:
        if tracker.get_latest_input_channel() == CONFIRMED_BY_US:
            dispatcher.utter_message(response=self.confirmation)
        return [SlotSet("opted_out", self.opted_out)]


class ActionOptIn(ActionOptOut):
    opted_out = False
    confirmation = "utter_opted_in"

    def name(self) -> str:
        return "action_opt_in"
