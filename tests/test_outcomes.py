"""The model in models/ decides every evaluation message as tests/decisions/
records: a change meant only to make turns cheaper (issue 14) keeps every
intent, safety outcome and first action. After a deliberate change to the
training data, `make outcomes` records the new decisions."""

from __future__ import annotations

import pytest

from tests import outcomes

pytestmark = pytest.mark.servers  # needs the trained model


@pytest.fixture(scope="module")
def recorded() -> dict[str, dict[str, str]]:
    return outcomes.record()


@pytest.mark.parametrize("name", outcomes.recorded_sets())
def test_every_evaluation_message_gets_the_recorded_decision(recorded, name):
    expected, got = outcomes.load(name), recorded.get(name, {})
    moved = [k for k, v in expected.items() if got.get(k) != v]
    assert len(moved) == 0, f"of {len(expected)} messages, these moved: {moved}"
    assert got.keys() == expected.keys(), "the set's messages changed: make outcomes"


def test_every_evaluation_set_is_recorded(recorded):
    assert sorted(recorded) == outcomes.recorded_sets(), "make outcomes"
