"""The two kinds of button our responses carry, for the channels that render them.

A quick reply has a payload (`/causes_overview`) that comes back as the next
message when tapped. A contact (actions/escalation.py `send_service`) is a link,
{"type": "web_url", "url": "tel:988" | "sms:988" | "https://..."}, and its
payload is the same URI, which must never come back as a message. Link buttons
on messaging platforms take web links only (Messenger also dials numbers with a
country code), so a phone or SMS contact goes into the text: its title carries
the number ("Call 116 123"), which phones make tappable.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

Button = dict[str, Any]


def is_link(button: Button) -> bool:
    return button.get("type") == "web_url" or "url" in button


def is_web_link(button: Button) -> bool:
    return is_link(button) and urlsplit(str(button["url"])).scheme in ("http", "https")


def is_contact(button: Button) -> bool:
    """A link no platform makes a button of: tel:, sms: ..."""
    return is_link(button) and not is_web_link(button)


def replies(buttons: list[Button]) -> list[Button]:
    return [b for b in buttons if not is_link(b)]


def line(link: Button) -> str:
    """A link as text: a contact's title has its number, a web link needs its URL."""
    title = str(link["title"])
    return f"{title}: {link['url']}" if is_web_link(link) else title


def with_contacts(text: str, buttons: list[Button]) -> str:
    """The text, then each phone or SMS contact on a line of its own."""
    return "\n".join([text, *(line(b) for b in buttons if is_contact(b))])
