"""Delete the conversation when the person asks ("delete my conversation").

The deletion itself happens where the conversation is stored: when the
tracker is saved after this action, privacy/tracker_store.py deletes every
stored event of the conversation and keeps only the confirmation sent here.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher


class ActionDeleteConversation(Action):
    def name(self) -> str:
        return "action_delete_conversation"

    async def run(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: dict[str, Any],
    ) -> list[EventType]:
        dispatcher.utter_message(response="utter_conversation_deleted")
        return []
