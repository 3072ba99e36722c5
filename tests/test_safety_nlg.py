"""After an escalation, answers with quick replies also offer "Get help now"."""

from __future__ import annotations

import pytest
from rasa.shared.core.domain import Domain

from nlg.help_button import HelpButtonNaturalLanguageGenerator
from tests.conftest import ROOT


@pytest.fixture(scope="module")
def nlg():
    return HelpButtonNaturalLanguageGenerator(None, Domain.load(ROOT / "domain.yml"))


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
