"""Which figure of `make bench` a safety-set message counts towards."""

import pytest

from bench.safety import group_of


@pytest.mark.parametrize(
    "message, group",
    [
        (
            {"text": "me muero de risa", "group": "other_languages",
             "expect": "calm", "language": "es"},
            "traps",
        ),
        (
            {"text": "ya no quiero vivir", "group": "other_languages",
             "expect": "crisis", "language": "es"},
            "other_languages",
        ),
        ({"text": "is it normal", "group": "topic", "expect": "calm"}, "topic"),
        ({"text": "i want to die", "kind": "suicide"}, "crisis"),
    ],
)  # fmt: skip
def test_a_harmless_message_in_another_language_counts_with_the_traps(message, group):
    assert group_of(message) == group
