"""Identifiers taken out of a user message before it is stored.

E-mail addresses, phone numbers (Google's libphonenumber finds them in text,
in any of its regions' formats), long digit runs such as card or account
numbers, links that may carry tokens, and IP addresses. The live turn never
sees this: only the stored copy is redacted.
"""

from __future__ import annotations

import functools
import re

import phonenumbers

from privacy.settings import settings

# regions whose local formats are tried for a number without a + prefix
PHONE_REGIONS = ("US", "GB", "IE", "AU", "IN", "CA")

# the lookbehind makes each address match from its start only: without it a
# long run of word characters is rescanned from every position (quadratic)
EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
URL = re.compile(r"\b(?:https?://|www\.)\S+", re.IGNORECASE)
IP = re.compile(r"\b(?:\d{1,3}\.){3}\d{1,3}\b")
# digits grouped by spaces, dashes, dots or brackets: phone numbers, cards,
# accounts. Found by one regex pass, then checked by libphonenumber, which is
# far cheaper than its own text scanner on a long message.
DIGIT_RUN = re.compile(r"(?<![\w+])\+?\(?\d(?:[ ().-]{0,2}\d)+\b")
MIN_DIGITS = 7  # fewer: ages, years, short codes such as 988 or 85258


def _is_phone(candidate: str) -> bool:
    for region in PHONE_REGIONS:
        try:
            number = phonenumbers.parse(candidate, region)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(number):
            return True
    return False


def _digit_run(match: re.Match[str]) -> str:
    run = match.group()
    if sum(c.isdigit() for c in run) < MIN_DIGITS:
        return run
    marks = settings()["placeholders"]
    return str(marks["phone"] if _is_phone(run) else marks["number"])


def _logged_digit_run(match: re.Match[str]) -> str:
    # a log line's decimals (confidences, times) stay readable
    run = match.group()
    if "." in run and not _is_phone(run):
        return run
    return _digit_run(match)


@functools.lru_cache(maxsize=256)  # a tracker is saved, whole, several times a turn
def redact(text: str) -> str:
    """The text with each identifier replaced by its placeholder."""
    if not text:
        return text
    marks = settings()["placeholders"]
    text = EMAIL.sub(marks["email"], text)
    text = URL.sub(marks["url"], text)
    text = IP.sub(marks["ip"], text)
    return DIGIT_RUN.sub(_digit_run, text)


def redact_log_line(text: str) -> str:
    """The text with e-mail addresses, phone numbers and other long numbers
    replaced: for log lines (privacy/logs.py), which keep links, addresses and
    decimals, since those name the system rather than a person."""
    marks = settings()["placeholders"]
    return DIGIT_RUN.sub(_logged_digit_run, EMAIL.sub(marks["email"], text))
