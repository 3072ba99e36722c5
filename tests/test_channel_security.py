"""Each messaging channel passes on only what its platform signed, and is off
(503, one log line naming the missing variables) without its variables.

In-process (tests/channel_app.py): the channel's webhook alone, with a handler
that records what would reach the bot, and the platforms' APIs faked.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time

import pytest
from rasa.core.channels.channel import InputChannel

from channels.facebook import HardenedFacebookInput
from channels.identity import key
from channels.slack import HardenedSlackInput
from channels.telegram import HardenedTelegramInput
from channels.twilio import HardenedTwilioInput
from tests import fake_platforms as fake
from tests.channel_app import serve
from tests.fake_platforms import FakePlatforms

CHANNELS: dict[str, type[InputChannel]] = {
    "telegram": HardenedTelegramInput,
    "slack": HardenedSlackInput,
    "facebook": HardenedFacebookInput,
    "twilio": HardenedTwilioInput,
}


@pytest.fixture(scope="module")
def platforms():
    with FakePlatforms.serve() as platforms:
        yield platforms


@pytest.fixture
def configured(platforms, monkeypatch):
    for name, value in platforms.env.items():
        monkeypatch.setenv(name, value)
    return platforms


def channel(name: str):
    return CHANNELS[name].from_credentials(None)


# --- Telegram -----------------------------------------------------------------

TELEGRAM_UPDATE = {
    "update_id": 10000,
    "message": {
        "message_id": 1365,
        "from": {"id": 1111111, "is_bot": False, "first_name": "Sam"},
        "chat": {"id": 1111111, "first_name": "Sam", "type": "private"},
        "date": 1441645532,
        "text": "is it normal to cry after sex?",
    },
}


@pytest.mark.parametrize(
    "secret, passed",
    [
        (fake.TELEGRAM_SECRET, True),
        (None, False),
        ("", False),
        ("wrong-secret", False),
        (fake.TELEGRAM_SECRET[:-1], False),
        (fake.TELEGRAM_SECRET + "x", False),
    ],
)
async def test_telegram_takes_only_updates_with_the_secret_token(
    secret, passed, configured
):
    headers = {} if secret is None else {"X-Telegram-Bot-Api-Secret-Token": secret}
    async with serve(channel("telegram")) as served:
        reply = await served.client.post(
            "/webhooks/telegram/webhook", json=TELEGRAM_UPDATE, headers=headers
        )

    assert reply.status_code == (200 if passed else 403)
    assert [m.text for m in served.received] == (
        ["is it normal to cry after sex?"] if passed else []
    )


async def test_telegram_webhook_is_set_with_the_secret_and_not_reset_without(
    configured,
):
    async with serve(channel("telegram")) as served:
        set_at_start = configured.called("setWebhook")[-1].body
        forged = await served.client.post("/webhooks/telegram/set_webhook")

    assert set_at_start["url"] == f"{fake.PUBLIC}/telegram/webhook"
    assert set_at_start["secret_token"] == fake.TELEGRAM_SECRET
    assert forged.status_code == 403


# --- Slack --------------------------------------------------------------------

SLACK_EVENT = {
    "token": "legacy-verification-token",
    "team_id": "T061EG9R6",
    "api_app_id": "A0PNCHHK2",
    "event": {
        "type": "message",
        "channel": "D024BE91L",
        "channel_type": "im",
        "user": "U2147483697",
        "text": "is it normal to cry after sex?",
        "ts": "1355517523.000005",
    },
    "type": "event_callback",
    "event_id": "Ev0PV52K21",
    "event_time": 1355517523,
}


def stale(seconds: int):
    return lambda body: fake.sign_slack(body, int(time.time()) - seconds)


@pytest.mark.parametrize(
    "sign, passed",
    [
        (fake.sign_slack, True),
        (stale(60), True),
        (lambda body: {}, False),
        (lambda body: fake.sign_slack(body, secret="not-the-secret"), False),
        (lambda body: fake.sign_slack(body + b" "), False),  # body changed
        (stale(6 * 60), False),
        (stale(-6 * 60), False),  # from the future
        (
            lambda body: {**fake.sign_slack(body), "X-Slack-Request-Timestamp": "x"},
            False,
        ),
    ],
)
async def test_slack_takes_only_fresh_requests_signed_with_the_secret(
    sign, passed, configured
):
    body = json.dumps(SLACK_EVENT).encode()
    headers = {"Content-Type": "application/json", **sign(body)}
    async with serve(channel("slack")) as served:
        reply = await served.client.post(
            "/webhooks/slack/webhook", content=body, headers=headers
        )
        await asyncio.sleep(0.1)  # Slack's handler passes messages on in a task

    assert reply.status_code == (200 if passed else 401)
    assert [m.text for m in served.received] == (
        ["is it normal to cry after sex?"] if passed else []
    )


async def test_slack_refuses_a_replayed_request(configured):
    body = json.dumps(SLACK_EVENT).encode()
    headers = {"Content-Type": "application/json", **fake.sign_slack(body)}
    async with serve(channel("slack")) as served:
        first = await served.client.post(
            "/webhooks/slack/webhook", content=body, headers=headers
        )
        again = await served.client.post(
            "/webhooks/slack/webhook", content=body, headers=headers
        )
        await asyncio.sleep(0.1)

    assert (first.status_code, again.status_code) == (200, 401)
    assert len(served.received) == 1


# --- Facebook Messenger -------------------------------------------------------

MESSENGER_EVENT = {
    "object": "page",
    "entry": [
        {
            "id": "1234567890",
            "time": 1458692752478,
            "messaging": [
                {
                    "sender": {"id": "2468013579"},
                    "recipient": {"id": "1234567890"},
                    "timestamp": 1458692752478,
                    "message": {
                        "mid": "m_abc",
                        "text": "is it normal to cry after sex?",
                    },
                },
                {
                    "sender": {"id": "2468013579"},
                    "recipient": {"id": "1234567890"},
                    "timestamp": 1458692752479,
                    "postback": {
                        "title": "Why does it happen?",
                        "payload": "/causes_overview",
                    },
                },
            ],
        }
    ],
}


@pytest.mark.parametrize(
    "sign, passed",
    [
        (fake.sign_facebook, True),
        (lambda body: {}, False),
        (
            lambda body: {
                "X-Hub-Signature": fake.sign_facebook(body)["X-Hub-Signature"]
            },
            False,
        ),
        (lambda body: fake.sign_facebook(body, secret="not-the-secret"), False),
        (lambda body: fake.sign_facebook(body + b" "), False),
        (lambda body: {"X-Hub-Signature-256": "sha256="}, False),
    ],
)
async def test_messenger_takes_only_events_signed_with_sha256(sign, passed, configured):
    body = json.dumps(MESSENGER_EVENT).encode()
    headers = {"Content-Type": "application/json", **sign(body)}
    async with serve(channel("facebook")) as served:
        reply = await served.client.post(
            "/webhooks/facebook/webhook", content=body, headers=headers
        )

    assert reply.status_code == (200 if passed else 403)
    # every event of the batch, the postback as its payload
    assert [m.text for m in served.received] == (
        ["is it normal to cry after sex?", "/causes_overview"] if passed else []
    )


@pytest.mark.parametrize(
    "token, status, body",
    [(fake.FACEBOOK_VERIFY, 200, "1158201444"), ("guess", 403, None), ("", 403, None)],
)
async def test_messenger_webhook_verification_needs_the_verify_token(
    token, status, body, configured
):
    params = {
        "hub.mode": "subscribe",
        "hub.verify_token": token,
        "hub.challenge": "1158201444",
    }
    async with serve(channel("facebook")) as served:
        reply = await served.client.get("/webhooks/facebook/webhook", params=params)

    assert reply.status_code == status
    assert body is None or reply.text == body


# --- Twilio (SMS and WhatsApp) --------------------------------------------------

SMS = {
    "MessageSid": "SM" + "1" * 32,
    "AccountSid": fake.TWILIO_SID,
    "From": "whatsapp:+447400123456",
    "To": "whatsapp:+14155238886",
    "Body": "is it normal to cry after sex?",
    "NumMedia": "0",
}
PUBLIC_URL = fake.TWILIO_WEBHOOK_URL
IN_PROCESS_URL = "http://testserver/webhooks/twilio/webhook"


@pytest.mark.parametrize(
    "webhook_url, sign, passed",
    [
        (PUBLIC_URL, lambda: fake.sign_twilio(PUBLIC_URL, SMS), True),
        # without TWILIO_WEBHOOK_URL, the URL the request came to
        ("", lambda: fake.sign_twilio(IN_PROCESS_URL, SMS), True),
        (PUBLIC_URL, lambda: fake.sign_twilio(IN_PROCESS_URL, SMS), False),
        (PUBLIC_URL, lambda: {}, False),
        (PUBLIC_URL, lambda: fake.sign_twilio(PUBLIC_URL, SMS, token="not-it"), False),
        (PUBLIC_URL, lambda: fake.sign_twilio(PUBLIC_URL, {**SMS, "To": "+1"}), False),
    ],
)  # fmt: skip
async def test_twilio_takes_only_requests_it_signed(
    webhook_url, sign, passed, configured, monkeypatch
):
    monkeypatch.setenv("TWILIO_WEBHOOK_URL", webhook_url)
    async with serve(channel("twilio")) as served:
        reply = await served.client.post(
            "/webhooks/twilio/webhook", data=SMS, headers=sign()
        )

    assert reply.status_code == (204 if passed else 403)
    assert [
        (m.text, m.sender_id, m.input_channel, m.metadata) for m in served.received
    ] == (
        [(SMS["Body"], key("whatsapp", SMS["From"]), "whatsapp", {"country": "GB"})]
        if passed
        else []
    )


# --- off without variables ------------------------------------------------------

REQUIRED = {
    "telegram": ("Telegram", ["TELEGRAM_ACCESS_TOKEN", "TELEGRAM_BOT_NAME",
                              "TELEGRAM_WEBHOOK_URL", "TELEGRAM_SECRET_TOKEN"]),
    "slack": ("Slack", ["SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET"]),
    "facebook": ("Facebook Messenger", ["FACEBOOK_VERIFY_TOKEN", "FACEBOOK_APP_SECRET",
                                        "FACEBOOK_PAGE_ACCESS_TOKEN"]),
    "twilio": ("Twilio (SMS and WhatsApp)", ["TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN",
                                             "TWILIO_NUMBER"]),
}  # fmt: skip


@pytest.mark.parametrize("name", CHANNELS)
@pytest.mark.parametrize("set_first", [False, True])
async def test_a_channel_without_its_variables_is_off_and_says_which(
    name, set_first, configured, monkeypatch, caplog
):
    title, required = REQUIRED[name]
    unset = required[1:] if set_first else required
    for variable in unset:
        monkeypatch.delenv(variable)
    caplog.set_level(logging.INFO, logger="channels.settings")

    off = channel(name)
    async with serve(off) as served:
        replies = [
            await served.client.post(f"/webhooks/{name}/webhook", json={}),
            await served.client.get(f"/webhooks/{name}/webhook"),
        ]

    assert off.get_output_channel() is None
    assert [r.status_code for r in replies] == [503, 503]
    assert "not configured" in replies[0].json()["error"]
    [line] = [r for r in caplog.records if r.name == "channels.settings"]
    assert line.getMessage() == f"{title} channel is off: {', '.join(unset)} not set."
    assert line.levelno == (logging.WARNING if set_first else logging.INFO)
    assert served.received == []
