"""When a topic answer ends with "Was this helpful?" (utter_ask_feedback).

It follows the first topic answer of a conversation, then at most one answer
in `offer_every_answers` (privacy/settings.yml), so it does not nag. It never
comes once the conversation has touched the safety path (an escalation, the
check-in question, "I'm not okay" or "Get help now"): someone who may be in
crisis is not asked to rate an answer. privacy/feedback.py records the rating.
"""

from __future__ import annotations

from rasa.shared.core.events import BotUttered, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from actions.topics import topic_answers
from privacy.feedback import offered
from privacy.settings import settings
from safety import taxonomy

ASK_FEEDBACK = "utter_ask_feedback"


def offers_feedback(tracker: DialogueStateTracker, utter_action: str) -> bool:
    answers = topic_answers()
    if utter_action not in answers or tracker.get_slot("distress_level"):
        return False
    safety_path = taxonomy.load().safety_path_intents
    events = list(tracker.events)
    if any(isinstance(e, UserUttered) and e.intent_name in safety_path for e in events):
        return False
    every = int(settings()["feedback"]["offer_every_answers"])
    answered_since_offer = 0
    for event in reversed(events):
        if not isinstance(event, BotUttered):
            continue
        if offered(event):
            return answered_since_offer >= every - 1
        if (event.metadata or {}).get("utter_action") in answers:
            answered_since_offer += 1
    return True
