"""Against the real assistant: someone worried about another person, a past
assault told calmly, a partner who gets angry at the tears, and a calm
question that uses a word of distress."""

from __future__ import annotations

import pytest

from tests.conftest import as_read
from tests.test_crisis_conversation import new_sender, text_of

ARE_YOU_SAFE = "Are you safe right now?"


@pytest.mark.parametrize(
    "message",
    [
        "my girlfriend said she wants to die after we had sex, how do i help her",
        "my best friend texted me goodbye and now she isnt answering",
    ],
)
def test_someone_worried_about_another_person_is_told_how_to_help(
    assistant, domain, message
):
    replies = assistant.say(new_sender(), message, "US")

    assert replies[0]["text"] == text_of(
        domain, "utter_someone_at_risk_first_response", "US"
    )
    assert "911" in replies[0]["text"] and "988" in replies[0]["text"]
    assert not any(ARE_YOU_SAFE in (r.get("text") or "") for r in replies)
    assert len(replies) <= 3


def test_a_past_assault_told_calmly_gets_survivor_support_not_the_emergency_number(
    assistant, domain
):
    sender = new_sender()
    replies = assistant.say(
        sender, "something happened to me years ago and now sex makes me cry", "GB"
    )

    assert replies[0]["text"] == text_of(
        domain, "utter_past_assault_first_response", "GB"
    )
    texts = " ".join(r.get("text") or "" for r in replies)
    assert "999" not in texts and ARE_YOU_SAFE not in texts
    assert replies[1]["text"].startswith("Rape Crisis")
    assert assistant.tracker(sender)["slots"]["distress_level"] == "distress"


@pytest.fixture
def angry_partner(assistant):
    sender = new_sender()
    replies = assistant.say(
        sender, "my boyfriend gets annoyed whenever i cry after sex, why", "US"
    )
    return sender, replies


def test_a_partner_who_gets_angry_brings_the_question_whether_they_feel_safe(
    angry_partner, domain
):
    _, replies = angry_partner

    [answer] = replies
    assert answer["text"] == as_read(
        domain["responses"]["utter_partner_angry"][0]["text"], None, "US"
    )
    assert "Domestic Violence Hotline" in answer["text"]  # the US abuse line
    assert [b["payload"] for b in answer["buttons"]] == ["/affirm", "/deny", "/unsure"]


@pytest.mark.parametrize("answer", ["not really", "no", "not sure"])
def test_not_feeling_safe_with_that_partner_gets_abuse_help(
    assistant, angry_partner, domain, answer
):
    sender, _ = angry_partner

    replies = assistant.say(sender, answer, "US")

    assert replies[0]["text"] == text_of(domain, "utter_abuse_first_response", "US")
    assert assistant.tracker(sender)["slots"]["distress_level"] == "crisis"


def test_feeling_safe_with_that_partner_gets_what_may_help(
    assistant, angry_partner, domain
):
    sender, _ = angry_partner

    replies = assistant.say(sender, "yes", "US")

    assert replies[0]["text"] == text_of(domain, "utter_partner_safe")
    assert assistant.tracker(sender)["slots"]["distress_level"] is None


def test_a_calm_question_with_a_distress_word_gets_its_answer_and_one_gentle_offer(
    assistant, domain
):
    replies = assistant.say(
        new_sender(), "is it dissociation if i feel a bit numb after sex?"
    )

    [reply] = replies
    gentle = domain["responses"]["utter_gentle_support"][0]["text"]
    assert reply["text"].endswith(gentle)
    assert reply["text"] != gentle  # the answer comes first
    assert "/express_distress" in [b["payload"] for b in reply["buttons"]]
