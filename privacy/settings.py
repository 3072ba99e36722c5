"""privacy/settings.yml, read once: retention period and redaction placeholders."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import yaml

SETTINGS = Path(__file__).with_name("settings.yml")


@functools.cache
def settings() -> dict[str, Any]:
    return dict(yaml.safe_load(SETTINGS.read_text(encoding="utf-8")))
