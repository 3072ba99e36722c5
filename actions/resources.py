"""Crisis and therapist services by region, from crisis_resources.yml."""

from __future__ import annotations

from typing import Any

from actions import data_files

INTERNATIONAL = "INTL"


def _resources() -> dict[str, Any]:
    return data_files.load("crisis_resources.yml")


def region_from_name(name: str | None) -> str | None:
    """'England' -> 'UK', 'GB' -> 'UK'; a country we have no services for -> 'INTL'.
    Names and ISO 3166 alpha-2 codes (the widget's and the SMS channel's hints)."""
    if not name or not name.strip():
        return None
    wanted = " ".join(name.lower().split())
    for code, names in _resources()["countries"].items():
        if wanted == code.lower() or wanted in names:
            return str(code)
    return INTERNATIONAL


def region_name(region: str) -> str:
    return str(_resources()["region_names"].get(region, "your country"))


def emergency_number(region: str | None) -> str | None:
    number = _resources()["emergency_numbers"].get(region or "")
    return str(number) if number else None


def services_for(region: str | None, needs: list[str]) -> list[dict[str, Any]]:
    """Services in the region for each need, in the order of `needs`; where the
    region has none for a need, the international ones. No duplicates."""
    chosen: list[dict[str, Any]] = []
    for need in needs:
        local = [
            s
            for s in _resources()["services"]
            if s["region"] == region and need in s["needs"]
        ]
        fallback = [
            s
            for s in _resources()["services"]
            if s["region"] == INTERNATIONAL and need in s["needs"]
        ]
        for service in local or fallback:
            if service not in chosen:
                chosen.append(service)
    return chosen
