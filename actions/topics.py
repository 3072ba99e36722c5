"""What the actions know about topics: their titles and their answers."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional, Text

import yaml

TITLES_FILE = Path(__file__).with_name("topic_titles.yml")
OTHER_INTENT = "out_of_scope"


@lru_cache(maxsize=1)
def _titles_file() -> Dict[Text, Any]:
    with TITLES_FILE.open(encoding="utf-8") as handle:
        return dict(yaml.safe_load(handle))


def topic_titles() -> Dict[Text, Text]:
    """Button titles of the article's topics, by intent."""
    return dict(_titles_file()["topics"])


def something_else_title() -> Text:
    return str(_titles_file()["something_else"])


def topic_response(intent: Text) -> Text:
    return f"utter_{intent}"


def response_buttons(domain: Dict[Text, Any], response: Text) -> List[Dict[Text, Any]]:
    """Buttons of the first variation of a domain response ([] if none)."""
    variations = domain.get("responses", {}).get(response) or [{}]
    return list(variations[0].get("buttons") or [])


def intent_of_payload(payload: Text) -> Optional[Text]:
    """`/cause_hormones` -> `cause_hormones`; None for anything else."""
    if not payload.startswith("/"):
        return None
    name = payload[1:].split("{", 1)[0].strip()
    return name or None


def uttered_responses(events: List[Dict[Text, Any]]) -> Iterator[Text]:
    """Names of the domain responses the bot has sent, oldest first."""
    for event in events:
        if event.get("event") == "bot":
            name = (event.get("metadata") or {}).get("utter_action")
            if name:
                yield name
