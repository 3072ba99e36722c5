"""Crisis and therapist services by region (safety/services.yml). Read by the
escalation action and by the response generator, which names the region's
crisis line (or abuse line) even in a static response."""

from __future__ import annotations

from datetime import datetime, timezone
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import yaml

from safety.regions import in_language, international, unknown_therapist_directory

SERVICES = Path(__file__).with_name("services.yml")


@cache
def _services() -> tuple[dict[str, Any], ...]:
    return tuple(yaml.safe_load(SERVICES.read_text(encoding="utf-8"))["services"])


def services_for(
    region: str | None, needs: list[str], at: datetime | None = None
) -> list[dict[str, Any]]:
    """Services in the region for each need, in the order of `needs`, those
    closed `at` that time (now) after the open ones; where the region has none
    for a need, the international ones. No duplicates."""
    at = at or datetime.now(timezone.utc)
    chosen: list[dict[str, Any]] = []
    for need in needs:
        local = [s for s in _services() if s["region"] == region and need in s["needs"]]
        fallback = [
            s
            for s in _services()
            if s["region"] == international() and need in s["needs"]
        ]
        for service in sorted(local or fallback, key=lambda s: not is_open(s, at)):
            if service not in chosen:
                chosen.append(service)
    return chosen


def is_open(service: dict[str, Any], at: datetime) -> bool:
    """Whether a service with opening hours (`open`) is open at that time in
    its time zone; a service without them is always open."""
    hours = service.get("open")
    if not hours:
        return True
    local = at.astimezone(ZoneInfo(hours["time_zone"])).strftime("%H:%M")
    return bool(hours["from"] <= local < hours["to"])


def in_one_line(service: dict[str, Any], language: str | None) -> str:
    """'Samaritans (call 116 123, free, 24/7)': how a reply names it in text."""
    if "in_a_line" in service:
        return in_language(service["in_a_line"], language)
    label = in_language(service["contacts"][0]["label"], language)
    return f"{service['name']} ({label})"


def first_line(need: str, region: str | None, language: str | None) -> str:
    """The region's first service for `need` in one line, else the
    international one: the static responses' {crisis_line} and {abuse_line}."""
    [first, *_] = services_for(region, [need])
    return in_one_line(first, language)


def therapist_directory(region: str | None, language: str | None) -> str:
    """The region's therapist directory in one line; elsewhere, where to look:
    the static responses' {therapist_directory}."""
    found = services_for(region, ["therapist"])
    if not found:
        return unknown_therapist_directory(language)
    return in_one_line(found[0], language)
