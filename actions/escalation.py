"""Escalate to therapist and crisis resources when a message shows distress.

The rules in data/rules/safety.yml run this after a static first response
(acknowledgement, emergency number, "Are you safe right now?"), so a turn is at
most three messages. It never lowers the distress level, sends the services
matched to the problem (a crisis line, an assault, abuse or child-protection
service; therapists below crisis level) for the person's region as buttons on
one message that says which country they are for, in the person's language
where the service has wording for it, and keeps the conversation open. A later
crisis message gets only the invitation to keep talking, unless it calls for
services not sent yet.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from safety import taxonomy
from safety.regions import in_language, international, region_from_hints, region_name
from safety.services import services_for

RELATIONSHIP_TOPICS = {"cause_relationship", "couples_therapy", "talk_to_partner"}
CRISIS_NEEDS = ["crisis_line", "child_protection", "sexual_assault", "domestic_abuse"]
ADULT_ONLY_NEEDS = {"sexual_assault", "domestic_abuse"}
CHECK_IN_ANSWERS = {"affirm", "unsure"}  # a yes, or not a no, to the check-in
NOT_SAFE_ANSWERS = {"deny", "unsure"}  # to "do you feel safe with them?"
# A turn sends at most 5 buttons: these, and "Get help now".
MAX_SERVICE_BUTTONS = 4
# The services message's lines, so that with its sentence about the country it
# stays within two SMS segments (320 characters).
MAX_SERVICE_LINES = 215


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


def latest_intent(tracker: Tracker) -> str:
    return str((tracker.latest_message.get("intent") or {}).get("name"))


def detected_kinds(tracker: Tracker) -> list[str]:
    """The kinds of risk the latest turn shows: the detector's findings, else
    those of a safety intent sent by a button, else those of a yes to the
    check-in question, else those of a no to "do you feel safe with them?"."""
    safety = taxonomy.load()
    message = tracker.latest_message
    risk = message.get("risk") or {}
    intent = latest_intent(tracker)
    if risk.get("outcome") == "escalate":
        return list(risk.get("kinds") or [])
    if intent in safety.safety_intents:
        return safety.kinds_of_intent(intent)
    if (
        intent in CHECK_IN_ANSWERS
        and tracker.get_slot("pending_question") == "safety_check"
    ):
        return list(safety.check_in_yes_kinds)
    if (
        intent in NOT_SAFE_ANSWERS
        and tracker.get_slot("pending_question") == "safe_with_partner"
    ):
        return list(safety.partner_unsafe_kinds)
    return []


def send_resources(
    dispatcher: CollectingDispatcher,
    needs: list[str],
    region: str | None,
    language: str | None,
) -> None:
    """At most two messages after the rule's first response (a crisis turn is
    at most three): the services that fit the problem as link buttons, or
    therapists where none is needed, then an invitation to keep talking."""
    # below crisis level only a kind such as a past assault has these needs
    urgent = [n for n in needs if n in CRISIS_NEEDS]
    if "child_protection" in urgent:
        # a child gets child protection, not adult assault or abuse lines
        urgent = [n for n in urgent if n not in ADULT_ONLY_NEEDS]
    if urgent:
        send_services(
            dispatcher, services_for(region, urgent), region, language, urgent
        )
    else:
        therapists = services_for(
            region, [n for n in ("therapist", "couples") if n in needs]
        )
        if therapists:
            dispatcher.utter_message(
                response="utter_therapist_intro", **offer(therapists, language)
            )
        else:
            dispatcher.utter_message(response="utter_therapist_general")
    dispatcher.utter_message(response="utter_keep_talking")


def send_services(
    dispatcher: CollectingDispatcher,
    services: list[dict[str, Any]],
    region: str | None,
    language: str | None,
    needs: list[str],
) -> None:
    offered = offer(services, language)
    if region and region != international():
        dispatcher.utter_message(
            response="utter_services_here", region_name=region_name(region), **offered
        )
    elif ADULT_ONLY_NEEDS & set(needs):
        dispatcher.utter_message(response="utter_services_anywhere_assault", **offered)
    else:
        dispatcher.utter_message(response="utter_services_anywhere", **offered)


def offer(services: list[dict[str, Any]], language: str | None) -> dict[str, Any]:
    """The first few services' contacts as links (tel:, sms:, https:) that chat
    widgets render as tap-to-call buttons (the payload lets text-only channels
    show them too), and a line naming each of those services with its hours
    and who it is for: the response's {services}."""
    shown: list[tuple[dict[str, Any], list[dict[str, Any]]]] = []
    room, text_room = MAX_SERVICE_BUTTONS, MAX_SERVICE_LINES
    for service in services:
        contacts = service["contacts"][:room]
        text_room -= len(service_line(service, language)) + 1
        if not contacts or (shown and text_room < 0):
            break
        shown.append((service, contacts))
        room -= len(contacts)
    buttons = []
    for service, contacts in shown:
        # with two services, "Chat online" must say whose
        named = len(shown) > 1 and "short" in service
        for contact in contacts:
            uri = in_language(contact["uri"], language)
            label = in_language(contact["label"], language)
            title = f"{service['short']}: {label}" if named else label
            buttons.append(
                {"title": title, "type": "web_url", "url": uri, "payload": uri}
            )
    lines = [service_line(service, language) for service, _ in shown]
    return {"services": "\n".join(lines), "buttons": buttons}


def service_line(service: dict[str, Any], language: str | None) -> str:
    return f"{service['name']} ({in_language(service['hours'], language)})"


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
        needs_before = list(tracker.get_slot("help_needs") or [])
        # this message's needs first: the service that fits comes first
        needs = list(dict.fromkeys([*safety.needs_for(kinds), *needs_before]))
        if "therapist" not in needs:
            needs.append("therapist")
        asked = (tracker.latest_message.get("risk") or {}).get("asked")
        if asked in RELATIONSHIP_TOPICS and "couples" not in needs:
            needs.append("couples")
        region, language = region_of(tracker), language_of(tracker)
        asked_for_help = latest_intent(tracker) == safety.help_intent
        new_needs = set(needs) - set(needs_before)
        again = tracker.get_slot("distress_level") == "crisis"
        if again and not asked_for_help and not new_needs & set(CRISIS_NEEDS):
            # a later crisis message: the rule's utter_crisis_again repeated
            # the most urgent contact, and these services were sent already
            dispatcher.utter_message(response="utter_keep_talking")
        else:
            send_resources(dispatcher, needs, region, language)
        # the crisis first responses end with "Are you safe right now?", but
        # not those about someone else or the past
        asked_if_safe = (
            level == "crisis"
            and not asked_for_help
            and all(
                safety.kinds[k].asks_if_safe
                for k in safety.kinds_of_intent(latest_intent(tracker))
            )
        )
        events: list[EventType] = [
            SlotSet("distress_level", level),
            SlotSet("help_needs", needs),
            SlotSet("pending_question", "safe_now" if asked_if_safe else "nothing"),
        ]
        if region:
            events.append(SlotSet("region", region))
        if language:
            events.append(SlotSet("language", language))
        return events
