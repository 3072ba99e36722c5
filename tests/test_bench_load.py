"""bench/load.py: what counts as an error, and what as a turn without a reply."""

from __future__ import annotations

from bench.load import figures
from tests.crowd import Turn


def test_errors_are_turns_not_handled_and_silent_ones_are_counted_apart() -> None:
    turns = [
        Turn("a", 0.1, 200, [{"text": "hi"}]),
        Turn("b", 0.3, 200, []),  # handled, nothing said
        Turn("c", 0.2, 500, error="boom"),
        Turn("d", 120.0, error="TimeoutError()"),
    ]

    f = figures(turns, wall_s=2.0, planned=5)

    assert (f["turns"], f["errors"], f["silent"]) == (5, 3, 1)
    assert f["turns_per_s"] == 1.0
    assert (f["p50_ms"], f["max_ms"]) == (100.0, 300.0)
    # each error says what happened, alike ones counted together
    assert f["error_kinds"] == {
        "HTTP 500: boom": 1,
        "no HTTP answer: TimeoutError()": 1,
        "never taken": 1,
    }
