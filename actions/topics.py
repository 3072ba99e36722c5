"""What the actions know about topics: their titles and their answers."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from actions import data_files

OTHER_INTENT = "out_of_scope"
NOT_OKAY_INTENT = "express_distress"


def _titles_file() -> dict[str, Any]:
    return data_files.load("topic_titles.yml")


def topic_titles() -> dict[str, str]:
    """Button titles of the article's topics, by intent."""
    return dict(_titles_file()["topics"])


def something_else_title() -> str:
    return str(_titles_file()["something_else"])


def not_okay_title() -> str:
    return str(_titles_file()["not_okay"])


def topic_response(intent: str) -> str:
    return f"utter_{intent}"


def topic_answers() -> set[str]:
    """The names of the topics' answers."""
    return {topic_response(intent) for intent in topic_titles()}


def response_buttons(domain: dict[str, Any], response: str) -> list[dict[str, Any]]:
    """Buttons of the first variation of a domain response ([] if none)."""
    variations = domain.get("responses", {}).get(response) or [{}]
    return list(variations[0].get("buttons") or [])


def intent_of_payload(payload: str) -> str | None:
    """`/cause_hormones` -> `cause_hormones`; None for anything else."""
    if not payload.startswith("/"):
        return None
    name = payload[1:].split("{", 1)[0].strip()
    return name or None


def uttered_responses(events: list[dict[str, Any]]) -> Iterator[str]:
    """Names of the domain responses the bot has sent, oldest first."""
    for event in events:
        if event.get("event") == "bot":
            name = (event.get("metadata") or {}).get("utter_action")
            if name:
                yield name
