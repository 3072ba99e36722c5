"""action_escalate_to_therapist: the right services, level and region, per case."""

from __future__ import annotations

import pytest
from rasa_sdk.events import SlotSet

from actions.escalation import ActionEscalateToTherapist
from actions.region import ActionSetRegion
from safety.regions import region_from_name
from tests.conftest import user_says


def distress_turn(
    intent, kinds, level, text="...", entities=(), metadata=None, channel=None,
    language=None,
):  # fmt: skip
    event = user_says(intent, text)
    event["parse_data"]["risk"] = {
        "outcome": "escalate", "level": level, "kinds": kinds, "asked": None,
        "language": language,
    }  # fmt: skip
    event["parse_data"]["entities"] = [
        {"entity": "country", "value": v} for v in entities
    ]
    event["metadata"] = metadata or {}
    event["input_channel"] = channel
    return event


def names(dispatcher):
    return [m.get("service_name") or m["response"] for m in dispatcher.messages]


@pytest.mark.parametrize(
    "turn, region, expected",
    [
        (
            distress_turn("express_suicidal_thoughts", ["suicide"], "crisis", entities=["england"]),
            "UK",
            ["Samaritans", "Shout", "utter_ask_if_safe", "utter_therapist_intro",
             "BACP Find a Therapist", "COSRT (psychosexual and relationship therapists)",
             "utter_keep_talking"],
        ),
        (
            distress_turn("report_sexual_assault", ["assault"], "crisis",
                          metadata={"customData": {"country": "US"}}),
            "US",
            ["RAINN National Sexual Assault Hotline", "utter_ask_if_safe",
             "utter_therapist_intro", "Psychology Today therapist finder",
             "utter_keep_talking"],
        ),
        (
            distress_turn("express_distress", ["distress"], "distress", metadata={"country": "ie"}),
            "IE",
            ["utter_therapist_general", "utter_keep_talking"],
        ),
        (
            distress_turn("report_sexual_assault", ["child", "assault"], "crisis", entities=["uk"]),
            "UK",
            ["Childline (under 19s)", "utter_ask_if_safe", "utter_therapist_intro",
             "BACP Find a Therapist", "COSRT (psychosexual and relationship therapists)",
             "utter_keep_talking"],
        ),
        (
            distress_turn("express_suicidal_thoughts", ["method"], "crisis",
                          metadata={"country": "AU"}, channel="twilio"),
            "AU",
            ["Lifeline", "utter_ask_if_safe", "utter_therapist_general",
             "utter_keep_talking"],
        ),
        (
            distress_turn("express_distress", ["distress"], "distress"),
            None,
            ["utter_ask_region", "utter_therapist_general", "utter_keep_talking"],
        ),
        (
            distress_turn("express_suicidal_thoughts", ["suicide"], "crisis"),
            None,
            ["Find A Helpline", "utter_ask_if_safe_anywhere", "utter_ask_region",
             "utter_therapist_general", "utter_keep_talking"],
        ),
    ],
)  # fmt: skip
async def test_services_match_the_problem_and_the_region(
    turn, region, expected, dispatcher, tracker_from, domain
):
    tracker = tracker_from([turn])

    events = await ActionEscalateToTherapist().run(dispatcher, tracker, domain)

    assert names(dispatcher) == expected
    level = turn["parse_data"]["risk"]["level"]
    assert SlotSet("distress_level", level) in events
    assert (SlotSet("region", region) in events) == (region is not None)


@pytest.mark.parametrize(
    "hint, region",
    [("GB", "UK"), ("gb", "UK"), ("US", "US"), ("CA", "CA"), ("AU", "AU"),
     ("IE", "IE"), ("IN", "IN"), ("FR", "FR"), ("BR", "INTL"), ("England", "UK"),
     (" ", None)],
)  # fmt: skip
def test_country_codes_and_names_find_the_region(hint, region):
    # ISO 3166 codes come from the SMS channel (phone numbers) and the widget.
    assert region_from_name(hint) == region


async def test_contacts_are_tap_to_call_links(dispatcher, tracker_from, domain):
    tracker = tracker_from([distress_turn("express_suicidal_thoughts", ["suicide"],
                                          "crisis", entities=["usa"])])  # fmt: skip

    await ActionEscalateToTherapist().run(dispatcher, tracker, domain)

    urls = [b["url"] for m in dispatcher.messages for b in m.get("buttons", [])]
    assert "tel:988" in urls and "sms:988" in urls


async def test_the_level_is_never_lowered(dispatcher, tracker_from, domain):
    tracker = tracker_from(
        [distress_turn("express_distress", ["distress"], "distress")]
    )
    tracker.slots["distress_level"] = "crisis"

    events = await ActionEscalateToTherapist().run(dispatcher, tracker, domain)

    assert SlotSet("distress_level", "crisis") in events


async def test_naming_a_country_later_shows_its_services(
    dispatcher, tracker_from, domain
):
    turn = user_says("inform_location", "i'm in ireland")
    turn["parse_data"]["entities"] = [{"entity": "country", "value": "ireland"}]
    tracker = tracker_from([turn])
    tracker.slots.update(
        distress_level="crisis", help_needs=["crisis_line", "therapist"]
    )

    events = await ActionSetRegion().run(dispatcher, tracker, domain)

    assert "Samaritans" in names(dispatcher)
    assert SlotSet("region", "IE") in events


async def test_a_yes_to_the_check_in_question_is_a_crisis(
    dispatcher, tracker_from, domain
):
    tracker = tracker_from([user_says("affirm", "yeah kinda")])
    tracker.slots["pending_question"] = "safety_check"

    events = await ActionEscalateToTherapist().run(dispatcher, tracker, domain)

    assert SlotSet("distress_level", "crisis") in events
    assert SlotSet("pending_question", "nothing") in events
    assert "Find A Helpline" in names(dispatcher)


@pytest.mark.parametrize(
    "intent, needs",
    [
        ("express_suicidal_thoughts", ["crisis_line", "therapist"]),
        ("report_abuse", ["domestic_abuse", "sexual_assault", "therapist"]),
        ("express_distress", ["therapist"]),
    ],
)
async def test_a_button_for_a_safety_intent_escalates_for_its_kind(
    intent, needs, dispatcher, tracker_from, domain
):
    tracker = tracker_from([user_says(intent, f"/{intent}")])

    events = await ActionEscalateToTherapist().run(dispatcher, tracker, domain)

    assert SlotSet("help_needs", needs) in events


async def test_the_services_speak_the_persons_language_where_they_can(
    dispatcher, tracker_from, domain
):
    turn = distress_turn("express_suicidal_thoughts", ["suicide"], "crisis",
                         metadata={"customData": {"country": "US"}}, language="es")  # fmt: skip

    events = await ActionEscalateToTherapist().run(
        dispatcher, tracker_from([turn]), domain
    )

    titles = [b["title"] for m in dispatcher.messages for b in m.get("buttons", [])]
    assert "Enviar AYUDA al 988" in titles
    assert "sms:988?body=AYUDA" in [b["url"] for m in dispatcher.messages
                                    for b in m.get("buttons", [])]  # fmt: skip
    assert SlotSet("language", "es") in events
