"""The YAML files kept beside the actions that read them, each read once."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import yaml


@cache
def load(name: str) -> dict[str, Any]:
    with Path(__file__).with_name(name).open(encoding="utf-8") as handle:
        return dict(yaml.safe_load(handle))
