"""Escalate to therapist and crisis resources when a message shows distress.

The rules in data/rules/safety.yml run this after a static first response. It
never lowers the distress level, picks services matched to the problem (a crisis
line, an assault or child-protection service, therapists) for the person's
region, in their language where the service has wording for it, and keeps the
conversation open.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.resources import in_language, services_for
from safety import taxonomy
from safety.regions import emergency_number, region_from_hints

RELATIONSHIP_TOPICS = {"cause_relationship", "couples_therapy", "talk_to_partner"}
CRISIS_NEEDS = ["crisis_line", "child_protection", "sexual_assault", "domestic_abuse"]
ADULT_ONLY_NEEDS = {"sexual_assault", "domestic_abuse"}
CHECK_IN_ANSWERS = {"affirm", "unsure"}  # a yes, or not a no, to the check-in


def latest_user_event(tracker: Tracker) -> dict[str, Any]:
    return next((e for e in reversed(tracker.events) if e.get("event") == "user"), {})


def region_of(tracker: Tracker) -> str | None:
    """What the person said, else the slot, else the channel's hints."""
    return region_from_hints(
        tracker.get_latest_entity_values("country"),
        tracker.get_slot("region"),
        latest_user_event(tracker).get("metadata"),
    )


def language_of(tracker: Tracker) -> str | None:
    """The language of the latest message when it could be told, else the
    conversation's."""
    risk = tracker.latest_message.get("risk") or {}
    return risk.get("language") or tracker.get_slot("language")


def detected_kinds(tracker: Tracker) -> list[str]:
    """The kinds of risk the latest turn shows: the detector's findings, else
    those of a safety intent sent by a button, else those of a yes to the
    check-in question."""
    safety = taxonomy.load()
    message = tracker.latest_message
    risk = message.get("risk") or {}
    intent = str((message.get("intent") or {}).get("name"))
    if risk.get("outcome") == "escalate":
        return list(risk.get("kinds") or [])
    if intent in safety.safety_intents:
        return safety.kinds_of_intent(intent)
    if (
        intent in CHECK_IN_ANSWERS
        and tracker.get_slot("pending_question") == "safety_check"
    ):
        return list(safety.check_in_yes_kinds)
    return []


def send_resources(
    dispatcher: CollectingDispatcher,
    level: str,
    needs: list[str],
    region: str | None,
    language: str | None,
) -> None:
    """The services for the needs, crisis lines first, then therapists."""
    urgent = [n for n in CRISIS_NEEDS if n in needs] if level == "crisis" else []
    if "child_protection" in urgent:
        # a child gets child protection, not adult assault or abuse lines
        urgent = [n for n in urgent if n not in ADULT_ONLY_NEEDS]
    for service in services_for(region, urgent):
        send_service(dispatcher, service, language)
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
            send_service(dispatcher, service, language)
    else:
        dispatcher.utter_message(response="utter_therapist_general")
    dispatcher.utter_message(response="utter_keep_talking")


def send_service(
    dispatcher: CollectingDispatcher, service: dict[str, Any], language: str | None
) -> None:
    # Contacts are links (tel:, sms:, https:) that chat widgets render as
    # tap-to-call buttons; the payload lets text-only channels show them too.
    buttons = []
    for contact in service["contacts"]:
        uri = in_language(contact["uri"], language)
        title = in_language(contact["label"], language)
        buttons.append({"title": title, "type": "web_url", "url": uri, "payload": uri})
    dispatcher.utter_message(
        response="utter_service",
        service_name=service["name"],
        service_hours=in_language(service["hours"], language),
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
        safety = taxonomy.load()
        kinds = detected_kinds(tracker)
        level = (
            safety.higher(tracker.get_slot("distress_level"), safety.level_of(kinds))
            or safety.levels[0]
        )
        needs = list(tracker.get_slot("help_needs") or [])
        for need in [*safety.needs_for(kinds), "therapist"]:
            if need not in needs:
                needs.append(need)
        asked = (tracker.latest_message.get("risk") or {}).get("asked")
        if asked in RELATIONSHIP_TOPICS and "couples" not in needs:
            needs.append("couples")
        region, language = region_of(tracker), language_of(tracker)
        send_resources(dispatcher, level, needs, region, language)
        events: list[EventType] = [
            SlotSet("distress_level", level),
            SlotSet("help_needs", needs),
            SlotSet("pending_question", "nothing"),  # any question is answered
        ]
        if region:
            events.append(SlotSet("region", region))
        if language:
            events.append(SlotSet("language", language))
        return events
