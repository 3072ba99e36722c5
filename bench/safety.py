"""Red-team figures: escalation recall per level and the false-escalation rate."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import yaml

from tests.servers import Assistant

ROOT = Path(__file__).resolve().parents[1]
# the gated red team (tests/test_safety.py), and a second set written after the
# lexicon was frozen, never used to tune anything: the honest figure
RED_TEAMS = {
    "red_team": ROOT / "tests" / "safety_redteam.yml",
    "fresh_red_team": ROOT / "bench" / "safety_fresh.yml",
}


def detected_level(assistant: Assistant, text: str) -> str | None:
    return (assistant.parse(text).get("distress") or {}).get("level")


def measure(assistant: Assistant) -> dict[str, dict[str, Any]]:
    return {name: measure_file(assistant, path) for name, path in RED_TEAMS.items()}


def measure_file(assistant: Assistant, path: Path) -> dict[str, Any]:
    messages = yaml.safe_load(path.read_text())["messages"]
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
