"""Retention without cron: a server's store deletes old conversations itself.

At start-up and then every `purge_every_hours` (privacy/settings.yml), the
conversations whose latest message is older than `retention_days` are deleted,
as `make purge` does. It runs in a thread of its own, so requests never wait
for it, and it logs counts only.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Protocol

from privacy.settings import settings

logger = logging.getLogger(__name__)

# One per process: Rasa builds a new store each time it loads a model (PUT /model).
_running: threading.Thread | None = None


class Purgeable(Protocol):
    def delete_older_than(self, days: float, now: float | None = None) -> int: ...


def _purge_forever(store: Purgeable) -> None:
    days = float(settings()["retention_days"])
    hours = float(settings()["purge_every_hours"])
    while True:
        try:
            deleted = store.delete_older_than(days)
            logger.info(
                "Retention: deleted %d conversation(s) older than %g days.",
                deleted,
                days,
            )
        except Exception:  # a database that is down now may be back next time
            logger.exception("Retention: the purge failed; next try in %g h.", hours)
        time.sleep(hours * 3600)


def start(store: Purgeable) -> None:
    """Purge now, in the background, and every `purge_every_hours` after,
    unless this process already does."""
    global _running
    if _running is not None and _running.is_alive():
        return
    # a daemon: it never holds up the server's exit
    _running = threading.Thread(
        target=_purge_forever, args=(store,), name="retention", daemon=True
    )
    _running.start()
