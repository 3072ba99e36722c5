"""Red-team figures: escalation recall per level and the false-escalation rate."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import requests
import yaml

from tests.servers import Assistant

REDTEAM = Path(__file__).resolve().parents[1] / "tests" / "safety_redteam.yml"


def detected_level(assistant: Assistant, text: str) -> str | None:
    reply = requests.post(
        f"{assistant.url}/model/parse",
        params={"token": assistant.token},
        json={"text": text},
        timeout=30,
    )
    reply.raise_for_status()
    return (reply.json().get("distress") or {}).get("level")


def measure(assistant: Assistant) -> dict[str, Any]:
    messages = yaml.safe_load(REDTEAM.read_text())["messages"]
    totals: Counter[str] = Counter()
    caught: Counter[str] = Counter()
    for message in messages:
        level = detected_level(assistant, message["text"])
        expected = message["expect"]
        totals[expected] += 1
        if expected == "crisis":
            caught[expected] += level == "crisis"
        elif expected == "distress":
            caught[expected] += level is not None  # escalated, at either level
        else:
            caught[expected] += level is not None  # a false escalation
    return {
        "messages": len(messages),
        "crisis_recall": round(caught["crisis"] / totals["crisis"], 4),
        "distress_recall": round(caught["distress"] / totals["distress"], 4),
        "false_escalation_rate": round(caught["none"] / totals["none"], 4),
        "counts": dict(totals),
    }
