"""Crisis and therapist services by region (safety/services.yml). Read by the
escalation action and by the response generator, which names the region's
crisis line even in the static first response."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import yaml

from safety.regions import in_language, international

SERVICES = Path(__file__).with_name("services.yml")


@cache
def _services() -> tuple[dict[str, Any], ...]:
    return tuple(yaml.safe_load(SERVICES.read_text(encoding="utf-8"))["services"])


def services_for(region: str | None, needs: list[str]) -> list[dict[str, Any]]:
    """Services in the region for each need, in the order of `needs`; where the
    region has none for a need, the international ones. No duplicates."""
    chosen: list[dict[str, Any]] = []
    for need in needs:
        local = [s for s in _services() if s["region"] == region and need in s["needs"]]
        fallback = [
            s
            for s in _services()
            if s["region"] == international() and need in s["needs"]
        ]
        for service in local or fallback:
            if service not in chosen:
                chosen.append(service)
    return chosen


def in_one_line(service: dict[str, Any], language: str | None) -> str:
    """'Samaritans (call 116 123, free, 24/7)': how a reply names it in text."""
    if "in_a_line" in service:
        return in_language(service["in_a_line"], language)
    label = in_language(service["contacts"][0]["label"], language)
    return f"{service['name']} ({label})"


def crisis_line(region: str | None, language: str | None) -> str:
    """The region's first crisis line in one line, else the international one."""
    [first, *_] = services_for(region, ["crisis_line"])
    return in_one_line(first, language)
