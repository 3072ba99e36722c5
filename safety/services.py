"""Crisis and therapist services by region, from crisis_resources.yml."""

from __future__ import annotations

from typing import Any

from actions import data_files
from safety.regions import international


def _services() -> list[dict[str, Any]]:
    return list(data_files.load("crisis_resources.yml")["services"])


def in_language(value: Any, language: str | None) -> str:
    """A service's wording is one text, or one per language ("en" first)."""
    if isinstance(value, dict):
        return str(value.get(language or "en") or value["en"])
    return str(value)


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
