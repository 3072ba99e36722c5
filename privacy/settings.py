"""privacy/settings.yml, read once: retention, redaction, the report and feedback."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import yaml

SETTINGS = Path(__file__).with_name("settings.yml")


@functools.cache
def settings() -> dict[str, Any]:
    return dict(yaml.safe_load(SETTINGS.read_text(encoding="utf-8")))


def keeps_what_was_missing() -> bool:
    """Whether a 👎 asks what was missing and the reply is kept."""
    return bool(settings()["feedback"]["keep_what_was_missing"])
