"""How the messaging channels show buttons and read SMS and WhatsApp messages,
case by case (tests/test_messaging_channels.py has them end to end)."""

from __future__ import annotations

from typing import Any

import pytest
from rasa.shared.core.events import BotUttered
from rasa.shared.core.trackers import DialogueStateTracker

from channels.facebook import LinkMessengerOutput
from channels.twilio import chosen_option, country_of, opt_command


class RecordingClient:
    """Stands in for fbmessenger's client: keeps what would be posted."""

    def __init__(self) -> None:
        self.sent: list[dict[str, Any]] = []

    def send(self, payload: dict[str, Any], recipient_id: str, *_: Any) -> None:
        self.sent.append(payload)


def link(title: str, uri: str) -> dict[str, str]:
    # as actions/escalation.py send_service builds a contact
    return {"title": title, "type": "web_url", "url": uri, "payload": uri}


@pytest.mark.parametrize(
    "contacts, buttons, lines",
    [
        ([link("Call RAINN", "tel:+18006564673")],
         [{"type": "phone_number", "payload": "+18006564673", "title": "Call RAINN"}],
         []),
        ([link("Call 988", "tel:988"), link("Text 988", "sms:988"),
          link("Chat online", "https://988lifeline.org")],
         [{"type": "web_url", "url": "https://988lifeline.org",
           "title": "Chat online"}],
         ["Call 988", "Text 988"]),
        ([link(f"Site {n}", f"https://example.org/{n}") for n in range(4)],
         [{"type": "web_url", "url": f"https://example.org/{n}", "title": f"Site {n}"}
          for n in range(3)],
         ["Site 3: https://example.org/3"]),
    ],
)  # fmt: skip
async def test_messenger_contacts_are_template_buttons_where_messenger_can_dial(
    contacts, buttons, lines
):
    client = RecordingClient()

    await LinkMessengerOutput(client).send_text_with_buttons("1", "Service", contacts)

    [payload] = [m["attachment"]["payload"] for m in client.sent]
    assert payload["buttons"] == buttons
    assert payload["text"].split("\n") == ["Service", *lines]


async def test_messenger_quick_replies_fit_its_20_character_titles():
    client = RecordingClient()
    replies = [
        {"title": "Stress, anxiety or low mood", "payload": "/cause_underlying_issues"},
        {"title": "Hormones", "payload": "/cause_hormones"},
    ]

    await LinkMessengerOutput(client).send_text_with_buttons("1", "Causes", replies)

    assert client.sent == [
        {
            "text": "Causes",
            "quick_replies": [
                {"content_type": "text", "title": "Stress, anxiety or …",
                 "payload": "/cause_underlying_issues"},
                {"content_type": "text", "title": "Hormones",
                 "payload": "/cause_hormones"},
            ],
        }
    ]  # fmt: skip


@pytest.mark.parametrize(
    "sender, country",
    [
        ("+447400123456", "GB"),
        ("whatsapp:+447400123456", "GB"),
        ("+14165550123", "CA"),  # +1 with a Toronto area code
        ("+12025550123", "US"),
        ("whatsapp:+353861234567", "IE"),
        ("+61412345678", "AU"),
        ("+919876543210", "IN"),
        ("+33612345678", "FR"),
        ("+447700900123", None),  # reserved for drama, not a real number
        ("+80012345678", None),  # international freephone, no country
        ("not a number", None),
        ("", None),
    ],
)
def test_the_senders_country_comes_from_the_numbers_country_code(sender, country):
    assert country_of(sender) == country


@pytest.mark.parametrize(
    "body, opt_out_type, command",
    [
        ("STOP", None, "/opt_out"),
        (" stop ", None, "/opt_out"),
        ("Unsubscribe", None, "/opt_out"),
        ("quit", None, "/opt_out"),
        ("START", None, "/opt_in"),
        ("unstop", None, "/opt_in"),
        ("ALTO", "STOP", "/opt_out"),  # a keyword added with Advanced Opt-Out
        ("please stop", None, None),  # Twilio acts on the keyword alone
        ("how do I stop crying", None, None),
        ("start again", None, None),
        ("HELP", "HELP", None),
    ],
)
def test_only_a_keyword_alone_opts_out_or_in(body, opt_out_type, command):
    assert opt_command(body, opt_out_type) == command


def after_reply(buttons: list[dict[str, Any]]) -> DialogueStateTracker:
    return DialogueStateTracker.from_events(
        "+447400123456", [BotUttered("Topics", {"buttons": buttons})]
    )


CHOICES = [
    link("Call 116 123", "tel:116123"),  # contacts are not numbered
    {"title": "Why does it happen?", "payload": "/causes_overview"},
    {"title": "When to worry", "payload": "/when_serious"},
]


@pytest.mark.parametrize(
    "text, buttons, meant",
    [
        ("1", CHOICES, "/causes_overview"),
        (" 2 ", CHOICES, "/when_serious"),
        ("3", CHOICES, "3"),
        ("0", CHOICES, "0"),
        ("2 of them", CHOICES, "2 of them"),
        ("1", [], "1"),
    ],
)
def test_answering_a_number_picks_that_option_of_the_latest_reply(text, buttons, meant):
    assert chosen_option(text, after_reply(buttons)) == meant
