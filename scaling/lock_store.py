"""Rasa's Redis lock store, with its ticket updates made atomic.

Rasa 3.6 issues a ticket by reading the lock from Redis, adding the ticket and
writing the lock back. Two replicas that receive a message for the same
conversation at the same moment both read "no lock", both take ticket 0 and
both go ahead: each saves the tracker it loaded, and one turn is lost (seen
in tests/test_scale_out.py). Here each read-modify-write of a conversation's
lock holds a short Redis mutex (redis-py's Lock: SET NX with an expiry).
"""

from __future__ import annotations

from rasa.core.lock_store import LOCK_LIFETIME, RedisLockStore
from rasa.utils.endpoints import EndpointConfig
from redis.lock import Lock

MUTEX_TIMEOUT_S = 5  # a crashed replica's mutex expires after this


class AtomicRedisLockStore(RedisLockStore):
    """`type: scaling.lock_store.AtomicRedisLockStore` in endpoints.yml, with
    the settings of Rasa's `redis` lock store (url, port, password, db ...)."""

    def __init__(self, endpoint_config: EndpointConfig) -> None:
        # Rasa builds custom lock stores from the endpoint config alone
        super().__init__(host=endpoint_config.url, **endpoint_config.kwargs)

    def _mutex(self, conversation_id: str) -> Lock:
        return self.red.lock(
            f"{self.key_prefix}{conversation_id}:mutex",
            timeout=MUTEX_TIMEOUT_S,
            blocking_timeout=MUTEX_TIMEOUT_S,
        )

    def issue_ticket(
        self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME
    ) -> int:
        with self._mutex(conversation_id):
            return super().issue_ticket(conversation_id, lock_lifetime)

    def finish_serving(self, conversation_id: str, ticket_number: int) -> None:
        with self._mutex(conversation_id):
            super().finish_serving(conversation_id, ticket_number)

    def cleanup(self, conversation_id: str, ticket_number: int) -> None:
        # finish_serving takes the mutex; the deletion must see no new ticket
        with self._mutex(conversation_id):
            RedisLockStore.finish_serving(self, conversation_id, ticket_number)
            if not self.is_someone_waiting(conversation_id):
                self.delete_lock(conversation_id)
