"""The domain's responses, as the safety path needs them, in the one place
every response is generated (the domain's static ones and those the actions
send alike):

- in the person's language: the `language` slot, or the language the
  RiskDetector found in the message being answered, picks the response's
  variation, so even the rules' first, static response is in Spanish for a
  Spanish message, with no action server;
- for the person's region: the `region` slot, or the channel's hint, fills
  {emergency_number}, {crisis_line}, {abuse_line} and {therapist_directory}
  (safety/regions.yml, safety/services.yml), so a static response names 999
  and Samaritans in the UK, 911 and 988 in the US, and how to find them
  elsewhere;
- a young person who gets the ordinary answer also gets one youth-support line
  (utter_youth_support, safety/age.yml), and a child on the child-protection
  path a first response written for a young person;
- the answer to a calm question that used words of risk ("is it dissociation
  if i feel numb") ends with one gentle offer of support (utter_gentle_support);
- some topic answers end with "Was this helpful?" (nlg/feedback.py);
- once action_escalate_to_therapist has set `distress_level`, every response
  that offers quick replies also offers "Get help now" (utter_keep_talking's
  button, in the same language).
"""

from __future__ import annotations

from typing import Any

from rasa.core.nlg import TemplatedNaturalLanguageGenerator
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import BotUttered, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

from nlg.feedback import ASK_FEEDBACK, offers_feedback
from safety import taxonomy
from safety.regions import emergency_in_words, region_from_hints
from safety.services import first_line, therapist_directory

# A child on the child-protection path is spoken to as a young person.
CHILD_VERSION = {
    "utter_assault_first_response": "utter_child_first_response",
    "utter_abuse_first_response": "utter_child_first_response",
}
HELP_BUTTON_SOURCE = "utter_keep_talking"
HELP_PAYLOAD = "/get_help"
YOUTH_SUPPORT = "utter_youth_support"
GENTLE_SUPPORT = "utter_gentle_support"
RISK = "risk"  # the RiskDetector's parse-data key


class SafetyNaturalLanguageGenerator(TemplatedNaturalLanguageGenerator):
    def __init__(self, endpoint_config: EndpointConfig, domain: Domain) -> None:
        # Rasa first builds this with an empty domain, then again with the model's.
        super().__init__(domain.responses)

    async def generate(
        self,
        utter_action: str,
        tracker: DialogueStateTracker,
        output_channel: str,
        **kwargs: Any,
    ) -> dict[str, Any] | None:
        latest = tracker.latest_message
        risk = (latest.parse_data.get(RISK) if latest else None) or {}
        slots = context_slots(tracker.current_slot_values(), latest, risk)
        if taxonomy.load().child_kind in (risk.get("kinds") or []):
            utter_action = CHILD_VERSION.get(utter_action, utter_action)
        response = self.generate_from_slots(
            utter_action, slots, output_channel, **kwargs
        )
        if not response or not _first_reply_to(tracker):
            return response
        line = added_line(risk)
        if line is None and offers_feedback(tracker, utter_action):
            line = ASK_FEEDBACK
        if line:
            response = self._with_line(response, line, slots, output_channel)
        return response

    def generate_from_slots(
        self,
        utter_action: str,
        filled_slots: dict[str, Any],
        output_channel: str,
        **kwargs: Any,
    ) -> dict[str, Any] | None:
        response = super().generate_from_slots(
            utter_action, filled_slots, output_channel, **kwargs
        )
        if not response or not filled_slots.get("distress_level"):
            return response
        payloads = [str(b.get("payload", "")) for b in response.get("buttons") or []]
        if any(p.startswith("/") for p in payloads) and HELP_PAYLOAD not in payloads:
            help_button = self._help_button(filled_slots, output_channel)
            response["buttons"] = [*response["buttons"], help_button]
        return response

    def _help_button(
        self, slots: dict[str, Any], output_channel: str
    ) -> dict[str, Any]:
        source = self._random_response_for(HELP_BUTTON_SOURCE, output_channel, slots)
        buttons = (source or {}).get("buttons") or []
        return dict(next(b for b in buttons if b["payload"] == HELP_PAYLOAD))

    def _with_line(
        self,
        response: dict[str, Any],
        line: str,
        slots: dict[str, Any],
        output_channel: str,
    ) -> dict[str, Any]:
        added = self._random_response_for(line, output_channel, slots) or {}
        text = "\n\n".join(t for t in (response.get("text"), added.get("text")) if t)
        buttons = [*(response.get("buttons") or []), *(added.get("buttons") or [])]
        return {**response, "text": text, "buttons": buttons}


def added_line(risk: dict[str, Any]) -> str | None:
    """The line a first reply to this message ends with: a young person's
    support line, or a gentle offer after the answer to a calm question that
    used words of risk."""
    if risk.get("youth"):
        return YOUTH_SUPPORT
    if risk.get("gentle"):
        return GENTLE_SUPPORT
    return None


def context_slots(
    slots: dict[str, Any], latest: UserUttered | None, risk: dict[str, Any]
) -> dict[str, Any]:
    """The slots, with the language and region the conversation has shown so
    far even where no action has set them yet."""
    named = [
        str(e.get("value"))
        for e in (latest.entities if latest else [])
        if e.get("entity") == "country"
    ]
    metadata = latest.metadata if latest else None
    language = risk.get("language") or slots.get("language")
    region = region_from_hints(named, slots.get("region"), metadata)
    return {
        **slots,
        "language": language,
        "region": region,
        **regional_wording(region, language),
    }


def regional_wording(region: str | None, language: str | None) -> dict[str, str]:
    """What a static response fills in for the person's region."""
    return {
        "emergency_number": emergency_in_words(region, language),
        "crisis_line": first_line("crisis_line", region, language),
        "abuse_line": first_line("domestic_abuse", region, language),
        "therapist_directory": therapist_directory(region, language),
    }


def _first_reply_to(tracker: DialogueStateTracker) -> bool:
    """Nothing has been said yet since the person's latest message."""
    for event in reversed(tracker.events):
        if isinstance(event, UserUttered):
            return True
        if isinstance(event, BotUttered):
            return False
    return False
