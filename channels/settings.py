"""Every environment variable the channels read, in one place.

README.md lists them. Secrets only ever come from here, never from
credentials.yml, so a channel whose variables are missing is simply off.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass

logger = logging.getLogger(__name__)

# The demo page that `make run` serves (scripts/run.sh, WEB_PORT 8080).
DEFAULT_WEBCHAT_ORIGINS = ("http://localhost:8080", "http://127.0.0.1:8080")


def env(name: str) -> str | None:
    """The variable's value, or None when it is unset or blank."""
    value = os.environ.get(name, "").strip()
    return value or None


def missing(*names: str) -> list[str]:
    return [name for name in names if env(name) is None]


@dataclass(frozen=True)
class WebchatSettings:
    # Origins whose pages may open the socket.io connection (the widget's site).
    allowed_origins: tuple[str, ...]


# --- Conversation identity (channels/identity.py) -----------------------------
MIN_SECRET_LENGTH = 32


def identity_secret() -> str | None:
    """IDENTITY_SECRET, or the first line of the file IDENTITY_SECRET_FILE names
    (what `make run` generates); None when neither is set."""
    value = env("IDENTITY_SECRET")
    path = env("IDENTITY_SECRET_FILE")
    if value is None and path is not None:
        with open(path, encoding="utf-8") as file:
            value = file.readline().strip() or None
    return value


def webchat() -> WebchatSettings:
    origins = env("WEBCHAT_ORIGINS")
    return WebchatSettings(
        allowed_origins=tuple(o.strip() for o in origins.split(",") if o.strip())
        if origins
        else DEFAULT_WEBCHAT_ORIGINS
    )


# --- Messaging platforms ------------------------------------------------------
# Each function returns None when a required variable is unset, after one log
# line naming the missing ones: that channel is then off (its webhook answers
# 503). The *_API_URL and FACEBOOK_GRAPH_URL overrides are test/stub settings:
# they point the outgoing calls at a fake platform server instead of the real API.


def _required(channel: str, *names: str) -> list[str] | None:
    absent = missing(*names)
    if absent:
        # none set: the platform is simply not used; some set: likely a mistake
        log = logger.info if len(absent) == len(names) else logger.warning
        log("%s channel is off: %s not set.", channel, ", ".join(absent))
        return None
    return [os.environ[name].strip() for name in names]


@dataclass(frozen=True)
class TelegramSettings:
    access_token: str  # from @BotFather
    bot_name: str  # the bot's username; Rasa checks the token belongs to it
    webhook_url: str  # the public URL Telegram posts updates to
    # Telegram sends it back in X-Telegram-Bot-Api-Secret-Token (1-256 of A-Za-z0-9_-)
    secret_token: str
    api_url: str


def telegram() -> TelegramSettings | None:
    values = _required(
        "Telegram",
        "TELEGRAM_ACCESS_TOKEN",
        "TELEGRAM_BOT_NAME",
        "TELEGRAM_WEBHOOK_URL",
        "TELEGRAM_SECRET_TOKEN",
    )
    if values is None:
        return None
    token, name, url, secret = values
    api_url = env("TELEGRAM_API_URL") or "https://api.telegram.org"
    return TelegramSettings(token, name, url, secret, api_url)


@dataclass(frozen=True)
class SlackSettings:
    bot_token: str  # xoxb-...
    signing_secret: str  # signs every request Slack sends
    api_url: str  # slack_sdk's base_url, ending in /api/


def slack() -> SlackSettings | None:
    values = _required("Slack", "SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET")
    if values is None:
        return None
    token, secret = values
    return SlackSettings(
        token, secret, env("SLACK_API_URL") or "https://www.slack.com/api/"
    )


@dataclass(frozen=True)
class FacebookSettings:
    verify_token: str  # you choose it; Meta echoes it when the webhook is registered
    app_secret: str  # signs every webhook (X-Hub-Signature-256)
    page_access_token: str
    graph_url: str


def facebook() -> FacebookSettings | None:
    values = _required(
        "Facebook Messenger",
        "FACEBOOK_VERIFY_TOKEN",
        "FACEBOOK_APP_SECRET",
        "FACEBOOK_PAGE_ACCESS_TOKEN",
    )
    if values is None:
        return None
    verify, secret, token = values
    graph_url = env("FACEBOOK_GRAPH_URL") or "https://graph.facebook.com"
    return FacebookSettings(verify, secret, token, graph_url)


@dataclass(frozen=True)
class TwilioSettings:
    account_sid: str
    auth_token: str  # signs every webhook (X-Twilio-Signature)
    number: str  # replies go from the number written to; this one otherwise
    # The URL Twilio calls, as set in its console. The signature covers it, and
    # behind a proxy the server sees another one. Unset: the URL as received.
    webhook_url: str | None
    api_url: str


def twilio() -> TwilioSettings | None:
    values = _required(
        "Twilio (SMS and WhatsApp)",
        "TWILIO_ACCOUNT_SID",
        "TWILIO_AUTH_TOKEN",
        "TWILIO_NUMBER",
    )
    if values is None:
        return None
    sid, token, number = values
    api_url = env("TWILIO_API_URL") or "https://api.twilio.com"
    return TwilioSettings(sid, token, number, env("TWILIO_WEBHOOK_URL"), api_url)
