"""Test-only action package: the product's actions, except that
action_set_region fails with the person's message in its exception, as a bug
could. `rasa run actions --actions tests.failing_actions` serves it; it never
ships (the product's action server serves `actions`)."""

from __future__ import annotations

import importlib
import pkgutil
from typing import Any, NoReturn

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

import actions

# every module of the product's package, as rasa_sdk imports it (with
# actions/log_privacy.py among them)
for module in pkgutil.walk_packages(actions.__path__, "actions."):
    importlib.import_module(module.name)


class FailingSetRegion(Action):
    """Defined after the product's action, so rasa_sdk registers it in its place."""

    def name(self) -> str:
        return "action_set_region"

    async def run(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: dict[str, Any],
    ) -> NoReturn:
        raise RuntimeError(f"could not handle {tracker.latest_message.get('text')!r}")
