"""safety/regions.yml: which region a person is in, and its emergency number.
Shared by the actions and the response generator."""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import Any

import yaml

REGIONS = Path(__file__).with_name("regions.yml")


@cache
def _table() -> dict[str, Any]:
    return dict(yaml.safe_load(REGIONS.read_text(encoding="utf-8")))


def international() -> str:
    return str(_table()["international"])


def region_from_name(name: str | None) -> str | None:
    """'England' -> 'UK', 'GB' -> 'UK'; a country we know nothing of -> INTL.
    Names and ISO 3166 alpha-2 codes (the widget's and the SMS channel's hints)."""
    if not name or not name.strip():
        return None
    wanted = " ".join(name.lower().split())
    for code, region in _table()["regions"].items():
        if wanted == code.lower() or wanted in region["names"]:
            return str(code)
    return international()


def region_name(region: str) -> str:
    return str(_table()["regions"].get(region, {}).get("called", "your country"))


def emergency_number(region: str | None) -> str | None:
    number = _table()["regions"].get(region or "", {}).get("emergency")
    return str(number) if number else None


def in_language(value: Any, language: str | None) -> str:
    """Wording in the data files is one text, or one per language ("en" first)."""
    if isinstance(value, dict):
        return str(value.get(language or "en") or value["en"])
    return str(value)


def emergency_in_words(region: str | None, language: str | None) -> str:
    """'999' in the UK; where the region is not known, how to find it."""
    return emergency_number(region) or in_language(
        _table()["unknown_emergency"], language
    )


def unknown_therapist_directory(language: str | None) -> str:
    return in_language(_table()["unknown_therapist_directory"], language)


def region_from_hints(
    named: Iterable[str], slot: object, metadata: object
) -> str | None:
    """What the person said (country entities), else the region slot, else the
    channel's hint: REST clients send {"customData": {...}}, socket.io hands
    over customData itself, SMS and WhatsApp send the number's country
    (channels/twilio.py)."""
    for name in named:
        return region_from_name(name)
    if slot:
        return str(slot)
    metadata = metadata if isinstance(metadata, dict) else {}
    custom = metadata.get("customData")
    hint = (custom if isinstance(custom, dict) else metadata).get("country")
    return region_from_name(hint) if isinstance(hint, str) else None
