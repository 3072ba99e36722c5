"""Escalate to therapist and crisis resources when a message shows distress.

The rules in data/rules/safety.yml run this after a static first response. It
never lowers the distress level, picks services matched to the problem (a crisis
line, an assault or child-protection service, therapists) for the person's
region, and keeps the conversation open.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.resources import emergency_number, region_from_name, services_for

LEVELS = ("distress", "crisis")  # rising
# what the DistressDetector found -> the help it calls for
NEED_FOR_KIND = {
    "suicide": "crisis_line",
    "self_harm": "crisis_line",
    "method": "crisis_line",
    "assault": "sexual_assault",
    "abuse": "domestic_abuse",
    "child": "child_protection",
    "distress": "therapist",
}
# when the trained intent alone escalated
DETECTION_FOR_INTENT: dict[str, tuple[str | None, list[str]]] = {
    "express_suicidal_thoughts": ("crisis", ["suicide"]),
    "report_sexual_assault": ("crisis", ["assault"]),
    "express_distress": ("distress", ["distress"]),
}
CRISIS_NEEDS = ["crisis_line", "child_protection", "sexual_assault", "domestic_abuse"]
ADULT_ONLY_NEEDS = {"sexual_assault", "domestic_abuse"}
RELATIONSHIP_TOPICS = {"cause_relationship", "couples_therapy", "talk_to_partner"}


def higher(*levels: str | None) -> str | None:
    known = [level for level in levels if level in LEVELS]
    return max(known, key=LEVELS.index) if known else None


def region_of(tracker: Tracker) -> str | None:
    """What the person said, else the slot, else the channel's hints."""
    for name in tracker.get_latest_entity_values("country"):
        return region_from_name(name)
    if tracker.get_slot("region"):
        return str(tracker.get_slot("region"))
    user: dict[str, Any] = next(
        (e for e in reversed(tracker.events) if e.get("event") == "user"), {}
    )
    # REST clients send {"customData": {...}}; socket.io hands over customData
    # itself; SMS and WhatsApp send the number's country (channels/twilio.py)
    metadata = user.get("metadata")
    metadata = metadata if isinstance(metadata, dict) else {}
    custom = metadata.get("customData")
    hint = (custom if isinstance(custom, dict) else metadata).get("country")
    return region_from_name(hint) if isinstance(hint, str) else None


def send_resources(
    dispatcher: CollectingDispatcher, level: str, needs: list[str], region: str | None
) -> None:
    """The services for the needs, crisis lines first, then therapists."""
    urgent = [n for n in CRISIS_NEEDS if n in needs] if level == "crisis" else []
    if "child_protection" in urgent:
        # a child gets child protection, not adult assault or abuse lines
        urgent = [n for n in urgent if n not in ADULT_ONLY_NEEDS]
    for service in services_for(region, urgent):
        send_service(dispatcher, service)
    number = emergency_number(region)
    if level == "crisis" and number:
        dispatcher.utter_message(response="utter_ask_if_safe", emergency_number=number)
    elif level == "crisis":
        dispatcher.utter_message(response="utter_ask_if_safe_anywhere")
    if region is None:
        dispatcher.utter_message(response="utter_ask_region")
    therapists = services_for(
        region, [n for n in ("therapist", "couples") if n in needs]
    )
    if therapists:
        dispatcher.utter_message(response="utter_therapist_intro")
        for service in therapists:
            send_service(dispatcher, service)
    else:
        dispatcher.utter_message(response="utter_therapist_general")
    dispatcher.utter_message(response="utter_keep_talking")


def send_service(dispatcher: CollectingDispatcher, service: dict[str, Any]) -> None:
    # Contacts are links (tel:, sms:, https:) that chat widgets render as
    # tap-to-call buttons; the payload lets text-only channels show them too.
    buttons = [
        {"title": c["label"], "type": "web_url", "url": c["uri"], "payload": c["uri"]}
        for c in service["contacts"]
    ]
    dispatcher.utter_message(
        response="utter_service",
        service_name=service["name"],
        service_hours=service["hours"],
        buttons=buttons,
    )


class ActionEscalateToTherapist(Action):
    def name(self) -> str:
        return "action_escalate_to_therapist"

    async def run(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: dict[str, Any],
    ) -> list[EventType]:
        message = tracker.latest_message
        intent = str((message.get("intent") or {}).get("name"))
        found = message.get("distress") or {}
        default_level, default_kinds = DETECTION_FOR_INTENT.get(intent, (None, []))
        detected_level = found.get("level") or default_level
        kinds = found.get("kinds") or default_kinds
        level = higher(tracker.get_slot("distress_level"), detected_level) or "distress"
        needs = list(tracker.get_slot("help_needs") or [])
        for need in [NEED_FOR_KIND[k] for k in kinds if k in NEED_FOR_KIND] + [
            "therapist"
        ]:
            if need not in needs:
                needs.append(need)
        if found.get("asked") in RELATIONSHIP_TOPICS and "couples" not in needs:
            needs.append("couples")
        region = region_of(tracker)
        send_resources(dispatcher, level, needs, region)
        events: list[EventType] = [
            SlotSet("distress_level", level),
            SlotSet("help_needs", needs),
        ]
        if region:
            events.append(SlotSet("region", region))
        return events
