"""Conversations over REST with the real, trained assistant."""

from __future__ import annotations

import uuid

import pytest

from tests.conftest import asking_feedback


def new_sender() -> str:
    return f"test-{uuid.uuid4().hex}"


def texts(replies):
    return [reply.get("text") for reply in replies]


def payloads(replies):
    return [b["payload"] for reply in replies for b in reply.get("buttons", [])]


def answer(domain, response):
    return domain["responses"][response][0]["text"]


# Messages that ask nothing clear; which of them the classifier reads as out of scope
# rather than not understood can change as it learns, so tests take those it
# does not understand.
UNCLEAR = ["zzkq vrrp mlop", "plorp zxqv", "xyzzy", "qwpo zmxn", "bnmv cxz", "sex"]


def not_understood(assistant, count=1):
    found = [
        text
        for text in UNCLEAR
        if assistant.parse(text)["intent"]["name"] == "nlu_fallback"
    ]
    assert len(found) >= count, "the classifier claims to understand them all"
    return found[:count]


def test_greeting_introduces_an_automated_non_therapist_with_topics(assistant, domain):
    replies = assistant.say(new_sender(), "hey there")

    assert texts(replies) == [answer(domain, "utter_greet")]
    assert "not a therapist" in replies[0]["text"]
    assert payloads(replies) == [
        "/what_is_pct",
        "/is_it_normal",
        "/causes_overview",
        "/what_to_do",
    ]


def test_topic_button_gets_its_curated_answer(assistant, domain):
    replies = assistant.say(new_sender(), "/aftercare")

    assert texts(replies) == [
        asking_feedback(domain, answer(domain, "utter_aftercare"))
    ]
    assert "/boundaries" in payloads(replies)


@pytest.mark.parametrize(
    "question, expected",
    [
        ("just had sex and im crying right now, what should i do", "in_the_moment"),
        ("could my ssri be why i cry after sex", "medication"),
        ("is crying after sex a sign of past trauma", "trauma_link"),
        ("does crying after sex mean i dont love him", "love_doubt"),
        ("how long does pct last", "how_long"),
        ("i cried after a one night stand, is that weird", "casual_sex"),
        ("is pct a mental illness", "is_it_a_disorder"),
        ("how can i stop it happening next time", "prevention"),
    ],
)
def test_a_calm_question_near_words_of_risk_gets_its_answer_not_an_escalation(
    question, expected, assistant, domain
):
    replies = assistant.say(new_sender(), question)

    assert texts(replies)[0] == asking_feedback(
        domain, answer(domain, f"utter_{expected}")
    )
    warnings = {answer(domain, r) for r in ("utter_safety_check", "utter_default")}
    assert warnings.isdisjoint(texts(replies))
    assert "/get_help" not in payloads(replies)


@pytest.mark.parametrize(
    "first, follow_up, expected",
    [
        ("why do women cry after sex", "and what about men?", "utter_gender_men"),
        (
            "what should i do after crying after sex",
            "what else can i do?",
            "utter_talk_to_partner",
        ),
        ("what is pct", "ok, tell me more", "utter_is_it_normal"),
    ],
)
def test_follow_up_questions_use_the_conversation_so_far(
    first, follow_up, expected, assistant, domain
):
    sender = new_sender()
    assistant.say(sender, first)

    replies = assistant.say(sender, follow_up)

    assert texts(replies) == [answer(domain, expected)]


def test_a_question_outside_the_topic_says_so_and_offers_im_not_okay(assistant, domain):
    replies = assistant.say(new_sender(), "what's the weather like in paris tomorrow")

    assert texts(replies) == [answer(domain, "utter_out_of_scope")]
    assert payloads(replies)[-1] == "/express_distress"


def test_not_understood_offers_topics_then_rephrasing_help_then_a_way_out(
    assistant, domain
):
    sender = new_sender()
    first, second = not_understood(assistant, 2)

    offer = assistant.say(sender, first)
    assert texts(offer) == [answer(domain, "utter_ask_affirmation")]
    assert payloads(offer)[-2:] == ["/out_of_scope", "/express_distress"]
    assert 3 <= len(payloads(offer)) <= 5

    rephrase = assistant.say(sender, "/out_of_scope")
    assert texts(rephrase) == [answer(domain, "utter_ask_rephrase")]

    second_offer = assistant.say(sender, second)
    assert texts(second_offer) == [answer(domain, "utter_ask_affirmation")]

    give_up = assistant.say(sender, "/out_of_scope")
    assert texts(give_up) == [answer(domain, "utter_default")]
    assert payloads(give_up)


def test_im_not_okay_on_the_menu_leads_to_support(assistant, domain):
    sender = new_sender()
    assistant.say(sender, *not_understood(assistant))

    replies = assistant.say(sender, "/express_distress")

    assert texts(replies)[0] == answer(domain, "utter_distress_first_response")
    assert assistant.tracker(sender)["slots"]["distress_level"] == "distress"


def test_picking_a_suggested_topic_answers_it(assistant, domain):
    sender = new_sender()
    offer = assistant.say(sender, *not_understood(assistant))

    replies = assistant.say(sender, payloads(offer)[0])

    topic = payloads(offer)[0].removeprefix("/")
    assert texts(replies) == [asking_feedback(domain, answer(domain, f"utter_{topic}"))]
