"""Identifiers taken out of a user message before it is stored.

E-mail addresses, phone numbers (Google's libphonenumber finds them in text,
in any of its regions' formats), long digit runs such as card or account
numbers, links that may carry tokens, and IP addresses. The live turn never
sees this: only the stored copy is redacted.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import Any

import phonenumbers
import yaml

SETTINGS = Path(__file__).with_name("settings.yml")
# regions whose local formats are tried for numbers without a + prefix
PHONE_REGIONS = ("US", "GB", "IE", "AU", "IN", "CA")

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
URL = re.compile(r"\b(?:https?://|www\.)\S+", re.IGNORECASE)
IP = re.compile(r"\b(?:\d{1,3}\.){3}\d{1,3}\b")
# 7 or more digits, possibly grouped by spaces, dashes, dots or brackets: phone
# numbers libphonenumber does not call valid, cards, accounts, other ids
NUMBER = re.compile(r"(?<![\w+])\+?\(?\d(?:[ ().-]{0,2}\d){6,}\b")


@functools.cache
def settings() -> dict[str, Any]:
    return dict(yaml.safe_load(SETTINGS.read_text(encoding="utf-8")))


def _phone_spans(text: str) -> list[tuple[int, int]]:
    spans: set[tuple[int, int]] = set()
    for region in PHONE_REGIONS:
        for match in phonenumbers.PhoneNumberMatcher(
            text, region, leniency=phonenumbers.Leniency.VALID
        ):
            spans.add((match.start, match.end))
    return sorted(spans)


def redact(text: str) -> str:
    """The text with each identifier replaced by its placeholder."""
    if not text:
        return text
    marks = settings()["placeholders"]
    text = EMAIL.sub(marks["email"], text)
    text = URL.sub(marks["url"], text)
    text = IP.sub(marks["ip"], text)
    for start, end in reversed(_merge(_phone_spans(text))):
        text = text[:start] + marks["phone"] + text[end:]
    return NUMBER.sub(marks["number"], text)


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged
