"""The stored events of the conversations a server answered lately, so that a
turn does not read and parse its whole conversation again (issue 14: turn 300
cost twice turn 1, nearly all of it the JSON of earlier events).

An entry is only used while the store still holds exactly what it describes:
the number of events of the conversation's latest session and the highest
event id among them, which any write changes (another replica's turn, a
deletion, the retention purge). Each retrieve checks both with one aggregate
query, so a stale entry is never served, only reloaded. Events are shared
between an entry and the trackers built from it; Rasa replays them into a new
tracker each turn and appends new events, it never changes old ones."""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass

from rasa.shared.core.events import Event


@dataclass(frozen=True)
class Stored:
    """What the store holds for a conversation's latest session."""

    events: int
    last_id: int | None


class RecentConversations:
    """At most `max_events` events in all, the least recently used
    conversations dropped first."""

    def __init__(self, max_events: int) -> None:
        self.max_events = max_events
        self._held = 0
        self._entries: OrderedDict[str, tuple[Stored, list[Event]]] = OrderedDict()

    def events(self, sender_id: str, stored: Stored) -> list[Event] | None:
        """The stored events, if the entry still describes the store."""
        entry = self._entries.get(sender_id)
        if entry is None or entry[0] != stored:
            return None
        self._entries.move_to_end(sender_id)
        return entry[1]

    def keep(self, sender_id: str, stored: Stored, events: list[Event]) -> None:
        self.forget(sender_id)
        if len(events) != stored.events or len(events) > self.max_events:
            return
        self._entries[sender_id] = (stored, events)
        self._held += len(events)
        while self._held > self.max_events:
            _, (_, dropped) = self._entries.popitem(last=False)
            self._held -= len(dropped)

    def extend(
        self, sender_id: str, before: int, added: list[Event], stored: Stored
    ) -> None:
        """After a save that found `before` events stored and added `added`:
        the entry grows, unless it did not describe those `before` events."""
        entry = self._entries.get(sender_id)
        if entry is None or entry[0].events != before:
            self.forget(sender_id)
            return
        self.keep(sender_id, stored, [*entry[1], *added])

    def forget(self, sender_id: str) -> None:
        entry = self._entries.pop(sender_id, None)
        if entry is not None:
            self._held -= len(entry[1])
