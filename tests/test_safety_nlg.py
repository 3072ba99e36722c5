"""The responses as the safety path needs them: in the person's language and
region, with a youth-support line for a young person, and "Get help now"
kept in view after an escalation."""

from __future__ import annotations

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from nlg.safety import SafetyNaturalLanguageGenerator
from tests.conftest import ROOT, as_read


@pytest.fixture(scope="module")
def real_domain():
    return Domain.load(ROOT / "domain.yml")


@pytest.fixture(scope="module")
def nlg(real_domain):
    return SafetyNaturalLanguageGenerator(None, real_domain)


def tracker_after(real_domain, text, risk=None, metadata=None, said=()):
    """A conversation whose latest message is `text`, then `said` bot texts."""
    parse = {"intent": {"name": "is_it_normal"}, "entities": [], "risk": risk or {}}
    events = [
        ActionExecuted("action_listen"),
        UserUttered(text, parse_data=parse, metadata=metadata or {}),
        *(BotUttered(t) for t in said),
    ]
    return DialogueStateTracker.from_events("test", events, slots=real_domain.slots)


def first_text(real_domain, name, **condition):
    for variation in real_domain.responses[name]:
        slots = {c["name"]: c["value"] for c in variation.get("condition") or []}
        if slots == condition:
            return variation["text"]
    raise KeyError(name)


def payloads(response):
    return [b["payload"] for b in response.get("buttons") or []]


@pytest.mark.parametrize("level", ["distress", "crisis"])
def test_after_an_escalation_topic_answers_offer_help(nlg, level):
    response = nlg.generate_from_slots(
        "utter_aftercare", {"distress_level": level}, "rest"
    )

    assert payloads(response) == ["/boundaries", "/talk_to_partner",
                                  "/healthy_relationship", "/get_help"]  # fmt: skip
    assert response["buttons"][-1]["title"] == "Get help now"


def test_before_any_escalation_answers_are_unchanged(nlg):
    response = nlg.generate_from_slots(
        "utter_aftercare", {"distress_level": None}, "rest"
    )

    assert "/get_help" not in payloads(response)


@pytest.mark.parametrize("response_name", ["utter_keep_talking", "utter_goodbye"])
def test_no_duplicate_and_no_button_where_there_were_none(nlg, response_name):
    response = nlg.generate_from_slots(
        response_name, {"distress_level": "crisis"}, "rest"
    )

    assert payloads(response).count("/get_help") == (
        response_name == "utter_keep_talking"
    )


@pytest.mark.parametrize("language", ["es", "fr", "de", "pt", "it"])
async def test_the_first_static_response_is_in_the_messages_language(
    nlg, real_domain, language
):
    tracker = tracker_after(real_domain, "...", risk={"language": language})

    response = await nlg.generate("utter_crisis_first_response", tracker, "rest")

    assert response["text"] == as_read(
        first_text(real_domain, "utter_crisis_first_response", language=language),
        language,
    )


@pytest.mark.parametrize(
    "country, number, line",
    [("GB", "999", "116 123"), ("US", "911", "988"), ("AU", "000", "13 11 14"),
     ("BR", "911 US", "findahelpline.com"), (None, "999 UK", "findahelpline.com")],
)  # fmt: skip
@pytest.mark.parametrize(
    "response_name",
    ["utter_crisis_first_response", "utter_crisis_again", "utter_not_safe",
     "utter_get_help_now"],
)  # fmt: skip
async def test_static_crisis_responses_name_the_regions_number_and_line(
    nlg, real_domain, response_name, country, number, line
):
    """Without the action server too: the channel's country hint is enough."""
    metadata = {"country": country} if country else None
    tracker = tracker_after(real_domain, "...", metadata=metadata)

    response = await nlg.generate(response_name, tracker, "rest")

    assert number in response["text"] and line in response["text"]
    assert len(response["text"]) <= 320  # two SMS segments


async def test_a_short_answer_keeps_the_conversations_language(nlg, real_domain):
    tracker = tracker_after(real_domain, "sí", risk={"language": None})
    tracker.update_with_events([], real_domain)
    tracker.slots["language"].value = "es"

    response = await nlg.generate("utter_safety_check", tracker, "rest")

    assert response["buttons"][0]["title"] == "Sí"


async def test_the_help_button_is_in_the_conversations_language(nlg, real_domain):
    response = nlg.generate_from_slots(
        "utter_aftercare", {"distress_level": "crisis", "language": "de"}, "rest"
    )

    assert response["buttons"][-1] == {
        "title": "Jetzt Hilfe holen",
        "payload": "/get_help",
    }


@pytest.mark.parametrize(
    "metadata, contact",
    [
        ({"customData": {"country": "GB"}}, "tel:08001111"),
        ({"customData": {"country": "CA"}}, "sms:686868?body=CONNECT"),
        ({}, "https://findahelpline.com"),
    ],
)
async def test_a_young_person_gets_the_answer_and_one_youth_line_for_their_region(
    nlg, real_domain, metadata, contact
):
    tracker = tracker_after(real_domain, "im 16...", {"youth": True}, metadata)

    response = await nlg.generate("utter_is_it_normal", tracker, "rest")

    answer = real_domain.responses["utter_is_it_normal"][0]["text"]
    assert response["text"].startswith(answer + "\n\n")
    assert [b.get("url") for b in response["buttons"]][-1] == contact
    assert len(response["buttons"]) == 4  # the answer's three, and one line


@pytest.mark.parametrize(
    "risk, line",
    [
        ({"gentle": True}, "utter_gentle_support"),
        # a young person's support line is the one line that turn
        ({"gentle": True, "youth": True}, "utter_youth_support"),
        # a calm first answer asks for feedback instead (nlg/feedback.py)
        ({}, "utter_ask_feedback"),
    ],
)
async def test_an_answer_to_words_of_risk_ends_with_one_gentle_offer(
    nlg, real_domain, risk, line
):
    tracker = tracker_after(real_domain, "is it dissociation if i feel numb", risk)

    response = await nlg.generate("utter_when_serious", tracker, "rest")

    answer = real_domain.responses["utter_when_serious"][0]["text"]
    assert response["text"] == f"{answer}\n\n{first_text(real_domain, line)}"


async def test_the_youth_line_comes_once_a_turn(nlg, real_domain):
    tracker = tracker_after(real_domain, "im 16...", {"youth": True}, said=["first"])

    response = await nlg.generate("utter_is_it_normal", tracker, "rest")

    assert response["text"] == real_domain.responses["utter_is_it_normal"][0]["text"]


def crisis_variations():
    domain = Domain.load(ROOT / "domain.yml")
    for name, variations in domain.responses.items():
        for variation in variations:
            if "{emergency_number}" in variation.get("text", ""):
                [language] = [c["value"] for c in variation.get("condition") or []] or [
                    "en"
                ]
                yield pytest.param(variation["text"], language, id=f"{name}-{language}")


@pytest.mark.parametrize("text, language", crisis_variations())
def test_every_crisis_text_fits_two_sms_segments_in_every_region(text, language):
    regions = ["US", "UK", "CA", "AU", "IE", "FR", "DE", "PT", "ES", "IT", None]
    longest = max(len(as_read(text, language, region)) for region in regions)
    assert longest <= 320


@pytest.mark.parametrize(
    "name", ["utter_assault_first_response", "utter_abuse_first_response"]
)
async def test_a_child_is_spoken_to_as_a_young_person(nlg, real_domain, name):
    tracker = tracker_after(real_domain, "...", risk={"kinds": ["assault", "child"]})

    response = await nlg.generate(name, tracker, "rest")

    child = first_text(real_domain, "utter_child_first_response")
    assert response["text"] == as_read(child)
    assert "not your fault" in response["text"]
