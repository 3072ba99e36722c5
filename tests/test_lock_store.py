"""The scale-out lock store: replicas that take a ticket for the same
conversation at the same moment get different tickets (real Redis)."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from rasa.core.lock_store import RedisLockStore
from rasa.utils.endpoints import EndpointConfig

from scaling.lock_store import AtomicRedisLockStore
from tests.services import Redis, redis_server

# starts the assistant, a browser or a database: not in make test-fast
pytestmark = pytest.mark.servers

REPLICAS = 8
ROUNDS = 10


@pytest.fixture(scope="module")
def redis(tmp_path_factory) -> Iterator[Redis]:
    with redis_server(tmp_path_factory.mktemp("redis")) as server:
        yield server


def replica(redis: Redis) -> AtomicRedisLockStore:
    config = EndpointConfig(
        url=redis.host, port=redis.port, password=redis.password, db=1
    )
    return AtomicRedisLockStore(endpoint_config=config)


def tickets_taken_at_once(stores: list[RedisLockStore], conversation: str) -> list[int]:
    start = threading.Barrier(len(stores))
    tickets: list[int] = []

    def take(store: RedisLockStore) -> None:
        start.wait()
        tickets.append(store.issue_ticket(conversation))

    threads = [threading.Thread(target=take, args=(s,)) for s in stores]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return tickets


def test_replicas_taking_tickets_at_once_each_get_their_own(redis):
    stores = [replica(redis) for _ in range(REPLICAS)]

    for round_ in range(ROUNDS):
        tickets = tickets_taken_at_once(stores, f"conversation-{round_}")

        assert sorted(tickets) == list(range(REPLICAS))


def test_a_finished_ticket_lets_the_next_one_in_and_the_last_removes_the_lock(redis):
    store = replica(redis)
    first, second = store.issue_ticket("c"), store.issue_ticket("c")

    store.cleanup("c", first)
    assert store.get_lock("c").is_locked(second) is False  # second's turn now

    store.cleanup("c", second)
    assert store.get_lock("c") is None
