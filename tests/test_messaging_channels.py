"""Telegram, Slack, Messenger, SMS and WhatsApp against the real assistant.

The shared assistant has every channel on; its outgoing calls go to a fake of the
platforms' APIs on 127.0.0.1 (tests/fake_platforms.py). Webhooks are posted in
each platform's documented format, signed as the platform signs them, and the
tests read what the assistant sent back through the fake API and what it
stored through its tracker API.
"""

from __future__ import annotations

import json
import random
import time
import uuid
from typing import Any
from urllib.parse import urlencode

import pytest
import requests

from tests import fake_platforms as fake
from tests.conftest import asking_feedback

QUESTION = "is it normal to cry after sex?"


@pytest.fixture
def bot(assistant):
    """The shared assistant: all four channels are on, against the fake APIs
    (the `platforms` fixture in conftest.py)."""
    return assistant


def text_of(domain: dict[str, Any], response: str) -> str:
    return domain["responses"][response][0]["text"]


def replies_of(domain: dict[str, Any], response: str) -> list[dict[str, Any]]:
    return domain["responses"][response][0]["buttons"]


def first_answer(domain: dict[str, Any], response: str) -> str:
    """A topic answer as the first of a conversation: it asks for feedback."""
    return asking_feedback(domain, text_of(domain, response))


def first_answer_replies(domain: dict[str, Any], response: str) -> list[dict[str, Any]]:
    """Its quick replies, then 👍 and 👎."""
    return [*replies_of(domain, response), *replies_of(domain, "utter_ask_feedback")]


def user_turns(bot, sender: str, channel: str) -> list[dict[str, Any]]:
    events = bot.tracker(sender, channel)["events"]
    return [e for e in events if e["event"] == "user"]


def webhook(bot, channel: str) -> str:
    return f"{bot.url}/webhooks/{channel}/webhook"


# --- each platform's webhook, in its documented format --------------------------


def telegram(bot, update: dict, secret: str | None = fake.TELEGRAM_SECRET):
    headers = {} if secret is None else {"X-Telegram-Bot-Api-Secret-Token": secret}
    return requests.post(
        webhook(bot, "telegram"), json=update, headers=headers, timeout=60
    )


def telegram_message(chat_id: int, text: str) -> dict:
    user = {"id": chat_id, "is_bot": False, "first_name": "Sam", "language_code": "en"}
    return {
        "update_id": random.randint(1, 10**9),
        "message": {
            "message_id": 1365,
            "from": user,
            "chat": {"id": chat_id, "first_name": "Sam", "type": "private"},
            "date": int(time.time()),
            "text": text,
        },
    }


def telegram_tap(chat_id: int, data: str) -> dict:
    user = {"id": chat_id, "is_bot": False, "first_name": "Sam"}
    chat = {"id": chat_id, "first_name": "Sam", "type": "private"}
    return {
        "update_id": random.randint(1, 10**9),
        "callback_query": {
            "id": "4382bfdwdsb323b2d9",
            "from": user,
            "message": {"message_id": 1366, "from": user, "chat": chat,
                        "date": int(time.time()), "text": "..."},
            "chat_instance": "-1234567890",
            "data": data,
        },
    }  # fmt: skip


def slack(bot, body: bytes, content_type: str, sign=fake.sign_slack):
    headers = {"Content-Type": content_type, **sign(body)}
    return requests.post(webhook(bot, "slack"), data=body, headers=headers, timeout=60)


def slack_message(user: str, channel: str, text: str) -> bytes:
    event = {
        "type": "message", "channel": channel, "channel_type": "im", "user": user,
        "text": text, "ts": f"{time.time():.6f}", "event_ts": f"{time.time():.6f}",
    }  # fmt: skip
    return json.dumps({
        "token": "legacy-token", "team_id": "T061EG9R6", "api_app_id": "A0PNCHHK2",
        "event": event, "type": "event_callback", "event_id": "Ev0PV52K21",
        "event_time": int(time.time()), "authorizations": [{"user_id": "U0BOT"}],
    }).encode()  # fmt: skip


def slack_tap(user: str, channel: str, value: str) -> bytes:
    payload = {
        "type": "block_actions",
        "user": {"id": user, "username": "sam", "team_id": "T061EG9R6"},
        "api_app_id": "A0PNCHHK2",
        "container": {"type": "message", "message_ts": "1548261231.000200",
                      "channel_id": channel},
        "trigger_id": "12321423423.333649436676.d8c1bb837935619ccad0f624c448ffb3",
        "team": {"id": "T061EG9R6", "domain": "pct"},
        "channel": {"id": channel, "name": "directmessage"},
        "message": {"type": "message", "ts": "1548261231.000200", "text": "..."},
        "response_url": "https://hooks.slack.com/actions/T061EG9R6/1/abc",
        "actions": [{
            "action_id": "WaXA", "block_id": "=qXel", "type": "button",
            "text": {"type": "plain_text", "text": "Why does it happen?"},
            "value": value, "action_ts": "1548426417.840180",
        }],
    }  # fmt: skip
    return urlencode({"payload": json.dumps(payload)}).encode()


def messenger(bot, psid: str, event: dict, sign=fake.sign_facebook):
    body = json.dumps({
        "object": "page",
        "entry": [{"id": "1234567890", "time": int(time.time() * 1000), "messaging": [{
            "sender": {"id": psid}, "recipient": {"id": "1234567890"},
            "timestamp": int(time.time() * 1000), **event,
        }]}],
    }).encode()  # fmt: skip
    headers = {"Content-Type": "application/json", **sign(body)}
    return requests.post(
        webhook(bot, "facebook"), data=body, headers=headers, timeout=60
    )


def twilio(bot, sender: str, body: str, sign=fake.sign_twilio):
    to = (
        "whatsapp:+14155238886"
        if sender.startswith("whatsapp:")
        else fake.TWILIO_NUMBER
    )
    params = {
        "MessageSid": f"SM{uuid.uuid4().hex}", "AccountSid": fake.TWILIO_SID,
        "From": sender, "To": to, "Body": body, "NumMedia": "0", "NumSegments": "1",
        "ApiVersion": "2010-04-01",
    }  # fmt: skip
    headers = sign(fake.TWILIO_WEBHOOK_URL, params)
    return requests.post(
        webhook(bot, "twilio"), data=params, headers=headers, timeout=60
    )


def uk_mobile() -> str:
    return f"+447400{random.randint(0, 999999):06d}"


# --- Telegram -------------------------------------------------------------------


def test_telegram_webhook_is_set_with_the_secret_at_start(bot, platforms):
    [call] = platforms.called("setWebhook")

    assert call.body["url"] == f"{fake.PUBLIC}/telegram/webhook"
    assert call.body["secret_token"] == fake.TELEGRAM_SECRET


def test_telegram_answer_has_its_quick_replies_as_buttons_that_send_the_payload(
    bot, platforms, domain
):
    chat = random.randint(10**6, 10**9)

    assert telegram(bot, telegram_message(chat, QUESTION)).ok
    [answer] = platforms.sent_to(str(chat))
    assert telegram(bot, telegram_tap(chat, "/causes_overview")).ok
    [_, tapped] = platforms.sent_to(str(chat))

    assert answer.body["text"] == first_answer(domain, "utter_is_it_normal")
    keyboard = json.loads(answer.body["reply_markup"])["inline_keyboard"]
    assert keyboard == [
        [{"text": b["title"], "callback_data": b["payload"]}]
        for b in first_answer_replies(domain, "utter_is_it_normal")
    ]
    assert tapped.body["text"] == text_of(domain, "utter_causes_overview")
    assert platforms.called("answerCallbackQuery")[-1].body["callback_query_id"]


def test_telegram_crisis_contacts_are_numbers_in_the_text_and_web_links_as_buttons(
    bot, platforms
):
    chat = random.randint(10**6, 10**9)

    assert telegram(
        bot, telegram_message(chat, "i'm in the uk and i want to kill myself")
    ).ok

    sent = platforms.sent_to(str(chat))
    texts = [c.body["text"] for c in sent]
    # at most three messages: the first response, the services, keep talking
    assert len(texts) <= 3
    assert "999" in texts[0] and "Samaritans (call 116 123" in texts[0]
    assert any("Samaritans: Call 116 123" in t for t in texts)
    assert any("Shout: Text SHOUT to 85258" in t for t in texts)
    keyboards = [
        json.loads(c.body["reply_markup"]) for c in sent if "reply_markup" in c.body
    ]
    buttons = [b for k in keyboards for row in k["inline_keyboard"] for b in row]
    assert all(b.get("url", "https:").startswith("https:") for b in buttons)
    assert all(b.get("callback_data", "/").startswith("/") for b in buttons)


# --- Slack ----------------------------------------------------------------------


def test_slack_url_verification_gets_the_challenge(bot):
    challenge = "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"
    body = {"token": "t", "challenge": challenge, "type": "url_verification"}

    reply = slack(bot, json.dumps(body).encode(), "application/json")

    assert reply.status_code == 200 and reply.text == challenge


def test_slack_answer_has_its_quick_replies_as_buttons_that_send_the_payload(
    bot, platforms, domain
):
    user, channel = (
        f"U{uuid.uuid4().hex[:8].upper()}",
        f"D{uuid.uuid4().hex[:8].upper()}",
    )

    assert slack(bot, slack_message(user, channel, QUESTION), "application/json").ok
    [answer] = platforms.wait_for(channel, 1)
    tap = slack_tap(user, channel, "/causes_overview")
    assert slack(bot, tap, "application/x-www-form-urlencoded").ok
    [_, tapped] = platforms.wait_for(channel, 2)

    section, actions = answer.body["blocks"]
    assert section["text"]["text"] == first_answer(domain, "utter_is_it_normal")
    assert [(e["text"]["text"], e["value"]) for e in actions["elements"]] == [
        (b["title"], b["payload"])
        for b in first_answer_replies(domain, "utter_is_it_normal")
    ]
    assert tapped.body["blocks"][0]["text"]["text"] == text_of(
        domain, "utter_causes_overview"
    )


def test_slack_crisis_contacts_are_link_buttons_that_send_nothing_back(bot, platforms):
    user, channel = (
        f"U{uuid.uuid4().hex[:8].upper()}",
        f"D{uuid.uuid4().hex[:8].upper()}",
    )

    message = slack_message(user, channel, "i want to kill myself")
    assert slack(bot, message, "application/json").ok

    sent = platforms.wait_for(channel, 3)
    assert len(sent) == 3  # a crisis turn is at most three messages
    blocks = [b for c in sent for b in c.body.get("blocks", [])]
    elements = [e for b in blocks if b["type"] == "actions" for e in b["elements"]]
    title = {"type": "plain_text", "text": "Find a helpline"}
    helpline = {"type": "button", "text": title, "url": "https://findahelpline.com"}
    assert helpline in elements
    assert all("value" not in e for e in elements if "url" in e)


# --- Facebook Messenger -----------------------------------------------------------


def test_messenger_answer_has_quick_replies_and_taps_send_the_payload(
    bot, platforms, domain
):
    psid = str(random.randint(10**15, 10**16))

    assert messenger(bot, psid, {"message": {"mid": "m_1", "text": QUESTION}}).ok
    [answer] = platforms.sent_to(psid)
    tap = {"payload": "/causes_overview"}
    quick_reply = {"message": {"mid": "m_2", "text": "Why?", "quick_reply": tap}}
    assert messenger(bot, psid, quick_reply).ok
    postback = {
        "postback": {"mid": "m_3", "title": "When to worry", "payload": "/when_serious"}
    }
    assert messenger(bot, psid, postback).ok

    [_, tapped, posted] = platforms.sent_to(psid)
    assert answer.body["message"]["text"] == first_answer(domain, "utter_is_it_normal")
    assert answer.body["message"]["quick_replies"] == [
        {"content_type": "text", "title": b["title"], "payload": b["payload"]}
        for b in first_answer_replies(domain, "utter_is_it_normal")
    ]
    assert answer.query["appsecret_proof"]
    assert tapped.body["message"]["text"] == text_of(domain, "utter_causes_overview")
    assert posted.body["message"]["text"] == text_of(domain, "utter_when_serious")


def test_messenger_crisis_contacts_are_template_buttons_or_text(bot, platforms):
    psid = str(random.randint(10**15, 10**16))

    crisis = {
        "message": {"mid": "m_1", "text": "i'm in the us and i want to kill myself"}
    }
    assert messenger(bot, psid, crisis).ok

    messages = [c.body["message"] for c in platforms.sent_to(psid)]
    templates = [m["attachment"]["payload"] for m in messages if "attachment" in m]
    lifeline = next(t for t in templates if t["text"].startswith("988 Suicide"))
    assert "These services are for the US" in lifeline["text"]
    assert lifeline["text"].endswith("\nCall 988\nText 988")
    assert lifeline["buttons"] == [
        {"type": "web_url", "url": "https://988lifeline.org", "title": "Chat online"}
    ]


# --- Twilio: SMS and WhatsApp -------------------------------------------------------


def test_sms_answer_numbers_its_options_and_a_number_picks_one(bot, platforms, domain):
    number = uk_mobile()

    assert twilio(bot, number, QUESTION).ok
    assert twilio(bot, number, "1").ok

    [answer, picked] = platforms.sent_to(number)
    offered = first_answer_replies(domain, "utter_is_it_normal")
    options = [f"{i}. {b['title']}" for i, b in enumerate(offered, start=1)]
    assert answer.body["Body"] == "\n".join(
        [first_answer(domain, "utter_is_it_normal"), *options]
    )
    assert answer.body["From"] == fake.TWILIO_NUMBER
    assert picked.body["Body"].startswith(text_of(domain, "utter_causes_overview"))


@pytest.mark.parametrize(
    "sender, services",
    [
        (f"whatsapp:{uk_mobile()}", ["Samaritans: Call 116 123",
                                     "Shout: Text SHOUT to 85258", "999"]),
        (f"+1416555{random.randint(0, 9999):04d}",  # Toronto
         ["9-8-8 Suicide Crisis Helpline", "911"]),
        (f"+1202555{random.randint(0, 9999):04d}",  # Washington, DC
         ["988 Suicide & Crisis Lifeline", "911"]),
    ],
)  # fmt: skip
def test_crisis_by_sms_or_whatsapp_gets_the_services_of_the_numbers_country(
    sender, services, bot, platforms
):
    assert twilio(bot, sender, "i want to kill myself").ok

    messages = [c.body["Body"] for c in platforms.sent_to(sender)]
    sent = "\n".join(messages)
    assert all(service in sent for service in services)
    # at most three messages of at most two SMS segments each
    assert len(messages) <= 3 and all(len(m) <= 320 for m in messages)
    assert "tel:" not in sent and "sms:" not in sent


@pytest.mark.parametrize("whatsapp", [False, True])
def test_stop_silences_the_number_until_start(whatsapp, bot, platforms, domain):
    number = f"whatsapp:{uk_mobile()}" if whatsapp else uk_mobile()
    channel = "whatsapp" if whatsapp else "twilio"

    assert twilio(bot, number, "Stop").ok
    after_stop = [c.body["Body"] for c in platforms.sent_to(number)]
    stored = len(user_turns(bot, number, channel))
    assert twilio(bot, number, QUESTION).ok
    ignored = [c.body["Body"] for c in platforms.sent_to(number)][len(after_stop) :]
    stored_while_out = len(user_turns(bot, number, channel)) - stored
    assert twilio(bot, number, "START").ok
    assert twilio(bot, number, QUESTION).ok

    # On SMS Twilio itself confirms STOP and START; on WhatsApp we do.
    confirmations = ["utter_opted_out", "utter_opted_in"] if whatsapp else []
    expected = [text_of(domain, r) for r in confirmations[:1]]
    assert after_stop == expected
    assert (ignored, stored_while_out) == ([], 0)
    replies = [c.body["Body"] for c in platforms.sent_to(number)]
    assert replies[: len(confirmations)] == [text_of(domain, r) for r in confirmations]
    assert replies[-1].startswith(text_of(domain, "utter_is_it_normal"))


@pytest.mark.parametrize(
    "spoof", ["/opt_out", "delete my conversation", '/opt_in{"opted_out": true}']
)
def test_a_rest_client_naming_a_phone_number_cannot_touch_its_sms_conversation(
    spoof, bot, platforms, domain
):
    number = uk_mobile()
    assert twilio(bot, number, QUESTION).ok
    before = user_turns(bot, number, "twilio")

    spoofed = bot.say(number, spoof)
    assert twilio(bot, number, "i want to kill myself").ok

    # the REST "conversation" is its own; the SMS one kept its turns and got help
    assert user_turns(bot, number, "twilio")[: len(before)] == before
    assert len(user_turns(bot, number, "twilio")) == len(before) + 1
    assert not any("Get help now" in str(r) for r in spoofed)
    sent = "\n".join(c.body["Body"] for c in platforms.sent_to(number))
    assert "Samaritans" in sent


# --- refused: unsigned or forged ----------------------------------------------------


def bad_slack_signature(body: bytes) -> dict[str, str]:
    return fake.sign_slack(body, secret="not-the-secret")


def stale_slack_timestamp(body: bytes) -> dict[str, str]:
    return fake.sign_slack(body, int(time.time()) - 10 * 60)


def forged_telegram(bot, secret):
    chat = random.randint(10**6, 10**9)
    reply = telegram(bot, telegram_message(chat, "i want to kill myself"), secret)
    return ("telegram", str(chat)), str(chat), reply


def forged_slack(bot, sign):
    user, channel = (
        f"U{uuid.uuid4().hex[:8].upper()}",
        f"D{uuid.uuid4().hex[:8].upper()}",
    )
    body = slack_message(user, channel, "i want to kill myself")
    return ("slack", user), channel, slack(bot, body, "application/json", sign)


def forged_messenger(bot, sign):
    psid = str(random.randint(10**15, 10**16))
    return (
        ("facebook", psid),
        psid,
        messenger(bot, psid, {"message": {"mid": "m", "text": "hi"}}, sign),
    )


def forged_twilio(bot, sign):
    number = uk_mobile()
    return (
        ("twilio", number),
        number,
        twilio(bot, number, "i want to kill myself", sign),
    )


@pytest.mark.parametrize(
    "send, forgery, status",
    [
        (forged_telegram, "wrong-secret", 403),
        (forged_telegram, None, 403),
        (forged_slack, bad_slack_signature, 401),
        (forged_slack, lambda body: {}, 401),
        (forged_slack, stale_slack_timestamp, 401),
        (forged_messenger, lambda body: fake.sign_facebook(body, "not-it"), 403),
        (forged_messenger, lambda body: {}, 403),
        (forged_twilio, lambda url, params: fake.sign_twilio(url, params, "x"), 403),
        (forged_twilio, lambda url, params: {}, 403),
    ],
)  # fmt: skip
def test_unsigned_or_forged_requests_never_reach_the_bot(
    send, forgery, status, bot, platforms
):
    (channel, sender), recipient, reply = send(bot, forgery)
    time.sleep(0.5)  # Slack would answer from a background task

    assert reply.status_code == status
    assert platforms.sent_to(recipient) == []
    assert user_turns(bot, sender, channel) == []


def test_every_configured_channel_is_on(bot):
    """An off channel would answer 503 (tests/test_channel_security.py)."""
    for channel in ("telegram", "slack", "facebook", "twilio"):
        assert requests.get(f"{bot.url}/webhooks/{channel}/", timeout=10).json() == {
            "status": "ok"
        }
