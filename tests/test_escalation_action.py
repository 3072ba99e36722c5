"""action_escalate_to_therapist: the right services, level and region, per case."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from rasa_sdk.events import SlotSet

from actions.escalation import ActionEscalateToTherapist
from actions.region import ActionSetRegion
from safety.regions import region_from_name
from safety.services import services_for
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
    """Each message's response, then the titles of its buttons."""
    return [
        [m["response"], *(b["title"] for b in m.get("buttons") or [])]
        for m in dispatcher.messages
    ]


@pytest.mark.parametrize(
    "turn, region, expected",
    [
        (
            distress_turn("express_suicidal_thoughts", ["suicide"], "crisis", entities=["england"]),
            "UK",
            [["utter_services_here", "Samaritans: Call 116 123", "Shout: Text SHOUT to 85258",
              "Lifeline NI: Call 0808 808 8000"],
             ["utter_keep_talking"]],
        ),
        (
            distress_turn("report_sexual_assault", ["assault"], "crisis",
                          metadata={"customData": {"country": "US"}}),
            "US",
            [["utter_services_here", "Call 1-800-656-4673"], ["utter_keep_talking"]],
        ),
        (
            distress_turn("express_distress", ["distress"], "distress", metadata={"country": "ie"}),
            "IE",
            [["utter_therapist_general"], ["utter_keep_talking"]],
        ),
        (
            distress_turn("express_distress", ["distress"], "distress", metadata={"country": "GB"}),
            "UK",
            [["utter_therapist_intro", "Find a therapist", "Find a therapist"],
             ["utter_keep_talking"]],
        ),
        (
            distress_turn("report_sexual_assault", ["child", "assault"], "crisis", entities=["uk"]),
            "UK",
            [["utter_services_here", "Call 0800 1111", "Chat online"],
             ["utter_keep_talking"]],
        ),
        (
            distress_turn("express_suicidal_thoughts", ["method"], "crisis",
                          metadata={"country": "AU"}, channel="twilio"),
            "AU",
            [["utter_services_here", "Call 13 11 14", "Text 0477 13 11 14"],
             ["utter_keep_talking"]],
        ),
        (
            distress_turn("express_suicidal_thoughts", ["suicide"], "crisis"),
            None,
            [["utter_services_anywhere", "Find a helpline"], ["utter_keep_talking"]],
        ),
        (
            distress_turn("report_abuse", ["abuse"], "crisis", entities=["usa"]),
            "US",
            [["utter_services_here", "The Hotline: Call 1-800-799-7233",
              "The Hotline: Text START to 88788", "The Hotline: Chat online",
              "RAINN: Call 1-800-656-4673"],
             ["utter_keep_talking"]],
        ),
        (
            distress_turn("report_abuse", ["abuse"], "crisis"),
            None,
            [["utter_services_anywhere_assault", "Find a helpline"], ["utter_keep_talking"]],
        ),
    ],
)  # fmt: skip
async def test_two_messages_follow_the_first_response_with_the_services_that_fit(
    turn, region, expected, dispatcher, tracker_from, domain
):
    tracker = tracker_from([turn])

    events = await ActionEscalateToTherapist().run(dispatcher, tracker, domain)

    assert names(dispatcher) == expected
    level = turn["parse_data"]["risk"]["level"]
    assert SlotSet("distress_level", level) in events
    assert (SlotSet("region", region) in events) == (region is not None)
    # the crisis first responses asked "Are you safe right now?"
    asked = "safe_now" if level == "crisis" else "nothing"
    assert SlotSet("pending_question", asked) in events


@pytest.mark.parametrize(
    "region", ["US", "UK", "AU", "CA", "IE", "FR", "DE", "PT", None]
)  # fmt: skip
@pytest.mark.parametrize(
    "kinds", [["suicide"], ["assault"], ["abuse"], ["child", "assault"], ["distress"]]
)
async def test_a_turn_never_offers_more_than_five_buttons(
    region, kinds, dispatcher, tracker_from, domain
):
    level = "distress" if kinds == ["distress"] else "crisis"
    metadata = {"country": region} if region else None
    turn = distress_turn("report_abuse", kinds, level, metadata=metadata)

    await ActionEscalateToTherapist().run(dispatcher, tracker_from([turn]), domain)

    assert len(dispatcher.messages) == 2  # after the rule's first response
    assert sum(len(m.get("buttons") or []) for m in dispatcher.messages) <= 5


@pytest.mark.parametrize("language", ["en", "es", "fr", "de", "pt", "it"])
@pytest.mark.parametrize(
    "region", ["US", "UK", "AU", "CA", "IE", "FR", "DE", "PT", None]
)  # fmt: skip
@pytest.mark.parametrize(
    "kinds", [["suicide"], ["assault"], ["abuse"], ["child", "assault"], ["distress"]]
)
async def test_every_message_of_the_turn_fits_two_sms_segments(
    region, kinds, language, dispatcher, tracker_from, domain
):
    level = "distress" if kinds == ["distress"] else "crisis"
    metadata = {"country": region} if region else None
    turn = distress_turn("report_abuse", kinds, level, metadata=metadata,
                         language=language)  # fmt: skip

    await ActionEscalateToTherapist().run(dispatcher, tracker_from([turn]), domain)

    for message in dispatcher.messages:
        filled = {k: v for k, v in message.items() if isinstance(v, str)}
        for variation in domain["responses"][message["response"]]:
            assert len(variation["text"].format(**filled)) <= 320


async def test_a_later_crisis_message_does_not_resend_the_services(
    dispatcher, tracker_from, domain
):
    tracker = tracker_from([distress_turn("express_suicidal_thoughts", ["suicide"],
                                          "crisis", entities=["uk"])])  # fmt: skip
    tracker.slots.update(distress_level="crisis", help_needs=["crisis_line"])

    events = await ActionEscalateToTherapist().run(dispatcher, tracker, domain)

    assert names(dispatcher) == [["utter_keep_talking"]]
    assert SlotSet("pending_question", "safe_now") in events


async def test_a_later_crisis_of_a_new_kind_sends_its_services(
    dispatcher, tracker_from, domain
):
    tracker = tracker_from([distress_turn("report_sexual_assault", ["assault"],
                                          "crisis", entities=["usa"])])  # fmt: skip
    tracker.slots.update(distress_level="crisis", help_needs=["crisis_line"])

    await ActionEscalateToTherapist().run(dispatcher, tracker, domain)

    # the service for what this message tells comes first
    assert names(dispatcher)[0][:2] == [
        "utter_services_here",
        "RAINN: Call 1-800-656-4673",
    ]


@pytest.mark.parametrize(
    "hint, region",
    [("GB", "UK"), ("gb", "UK"), ("US", "US"), ("CA", "CA"), ("AU", "AU"),
     ("IE", "IE"), ("IN", "IN"), ("FR", "FR"), ("BR", "INTL"), ("England", "UK"),
     ("GG", "UK"), ("JE", "UK"), ("IM", "UK"),
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

    assert names(dispatcher)[0] == ["utter_services_here", "Call 116 123"]
    assert SlotSet("region", "IE") in events


async def test_a_yes_to_the_check_in_question_is_a_crisis(
    dispatcher, tracker_from, domain
):
    tracker = tracker_from([user_says("affirm", "yeah kinda")])
    tracker.slots["pending_question"] = "safety_check"

    events = await ActionEscalateToTherapist().run(dispatcher, tracker, domain)

    assert SlotSet("distress_level", "crisis") in events
    assert SlotSet("pending_question", "safe_now") in events
    assert "Find a helpline" in names(dispatcher)[0]


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


@pytest.mark.parametrize(
    "turn, level, expected",
    [
        (
            distress_turn("report_someone_at_risk", ["someone_else"], "crisis",
                          entities=["usa"]),
            "crisis",
            [["utter_services_here", "Call 988", "Text 988", "Chat online"],
             ["utter_keep_talking"]],
        ),
        (
            distress_turn("disclose_past_assault", ["past_assault"], "distress",
                          entities=["usa"]),
            "distress",
            # sexual-assault support (with counselling) first, not therapists
            [["utter_services_here", "Call 1-800-656-4673"],
             ["utter_keep_talking"]],
        ),
    ],
    ids=["someone else at risk", "a past assault"],
)  # fmt: skip
async def test_someone_else_or_the_past_is_not_asked_are_you_safe(
    turn, level, expected, dispatcher, tracker_from, domain
):
    events = await ActionEscalateToTherapist().run(
        dispatcher, tracker_from([turn]), domain
    )

    assert names(dispatcher) == expected
    assert SlotSet("distress_level", level) in events
    assert SlotSet("pending_question", "nothing") in events


async def test_a_past_assault_told_in_a_crisis_conversation_is_not_asked_are_you_safe(
    dispatcher, tracker_from, domain
):
    tracker = tracker_from(
        [distress_turn("disclose_past_assault", ["past_assault"], "distress")]
    )
    tracker.slots.update(distress_level="crisis", help_needs=["crisis_line"])

    events = await ActionEscalateToTherapist().run(dispatcher, tracker, domain)

    assert SlotSet("pending_question", "nothing") in events


@pytest.mark.parametrize("answer", ["deny", "unsure"])
async def test_not_feeling_safe_with_an_angry_partner_is_abuse(
    answer, dispatcher, tracker_from, domain
):
    tracker = tracker_from([user_says(answer, "not really")])
    tracker.slots.update(pending_question="safe_with_partner", region="UK")

    events = await ActionEscalateToTherapist().run(dispatcher, tracker, domain)

    assert SlotSet("distress_level", "crisis") in events
    assert (
        SlotSet("help_needs", ["domestic_abuse", "sexual_assault", "therapist"])
        in events
    )
    assert SlotSet("pending_question", "safe_now") in events
    assert names(dispatcher)[0][0] == "utter_services_here"


@pytest.mark.parametrize(
    "london_time, order",
    [
        ("10:30", ["Rape Crisis", "NI helpline", "Rape Crisis Scotland"]),
        ("19:30", ["Rape Crisis", "Rape Crisis Scotland", "NI helpline"]),
    ],
)
def test_a_service_closed_now_is_not_shown_before_an_open_one(london_time, order):
    # Rape Crisis Scotland's helpline is open in the evening only
    hour, minute = map(int, london_time.split(":"))
    winter_day = datetime(2026, 12, 1, hour, minute, tzinfo=timezone.utc)

    services = services_for("UK", ["sexual_assault"], at=winter_day)

    assert [s["short"] for s in services] == order


async def test_assault_in_the_uk_names_each_nations_service(
    dispatcher, tracker_from, domain
):
    turn = distress_turn(
        "report_sexual_assault", ["assault"], "crisis", entities=["uk"]
    )

    await ActionEscalateToTherapist().run(dispatcher, tracker_from([turn]), domain)

    # in an order that depends on which is open now
    [[response, *titles], keep_talking] = names(dispatcher)
    assert response == "utter_services_here"
    assert sorted(titles) == [
        "NI helpline: Call 0808 802 1414",
        "Rape Crisis Scotland: Call 08088 01 03 02",
        "Rape Crisis: Phone or chat online",
    ]
