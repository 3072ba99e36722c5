"""Keep "Get help now" one tap away for the rest of a conversation.

Once action_escalate_to_therapist has set `distress_level`, every response that
offers quick replies also offers the "Get help now" button of
utter_keep_talking. Doing it here, where all responses are generated, covers
the domain's static responses and the ones actions send alike, without a
second copy of every answer.
"""

from __future__ import annotations

from typing import Any

from rasa.core.nlg import TemplatedNaturalLanguageGenerator
from rasa.shared.core.domain import Domain
from rasa.utils.endpoints import EndpointConfig

HELP_BUTTON_SOURCE = "utter_keep_talking"
HELP_PAYLOAD = "/get_help"


class HelpButtonNaturalLanguageGenerator(TemplatedNaturalLanguageGenerator):
    def __init__(self, endpoint_config: EndpointConfig, domain: Domain) -> None:
        # Rasa first builds this with an empty domain, then again with the model's.
        super().__init__(domain.responses)

    def _help_button(self) -> dict[str, Any]:
        source = self.responses[HELP_BUTTON_SOURCE][0]["buttons"]
        return dict(next(b for b in source if b["payload"] == HELP_PAYLOAD))

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
            response["buttons"] = [*response["buttons"], self._help_button()]
        return response
