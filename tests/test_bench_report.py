"""bench/report.py: the README's figures say when each was measured, so a
figure from an older run is never read as today's."""

from __future__ import annotations

from typing import Any

import pytest

from bench.report import markdown, summary, unseen_held_out

SERVED = {
    "rest_round_trip_ms": {"p50": 21.0, "p95": 35.0, "requests": 200},
    "nlu_parse_ms": {"p50": 11.0, "p95": 15.0},
    "held_out_outcomes_pct": {
        "right_answer": 90.0,
        "fallback": 5.0,
        "check_in": 2.0,
        "escalated": 1.0,
        "wrong_answer": 2.0,
    },
    "held_out_topic_placed_macro_f1": 0.93,
}


def serving_line(results: dict[str, Any]) -> str:
    return next(line for line in summary(results) if "REST round trip" in line)


@pytest.mark.parametrize(
    "extra, date",
    [
        # measured alone with `--only serving`, after the last full run
        ({"serving_measured": "2026-12-05 09:20 UTC"}, "2026-12-05 09:20 UTC"),
        # measured in the full run
        ({}, "2026-11-26 00:49 UTC"),
    ],
)
def test_the_serving_figures_carry_the_date_they_were_measured(extra, date):
    results = {**SERVED, "machine": {"date": "2026-11-26 00:49 UTC"}, **extra}

    line = serving_line(results)

    assert line.startswith(f"- measured {date}: REST round trip")
    assert "p50 21.0 ms" in line and "NLU parse p50 11.0 ms" in line


SCALED = {
    "date": "2026-12-05 12:30 UTC",
    "conversations": 50,
    "turns_each": 20,
    **{
        replicas: {
            "turns": 1000,
            "errors": 0,
            "turns_per_s": rate,
            "p50_ms": 900.0,
            "p95_ms": 2000.0,
            "max_ms": 3000.0,
        }
        for replicas, rate in (("1", 20.0), ("2", 25.0))
    },
}


def test_the_scale_out_figures_compare_one_replica_with_two():
    section = markdown({"replicas": SCALED})
    line = next(line for line in summary({"replicas": SCALED}) if "scale-out" in line)

    assert "| 1 | 1000 | 0 | 20.0 |" in section
    assert "| 2 | 1000 | 0 | 25.0 |" in section
    assert "1.25x the turns per second of one" in section
    assert line.startswith("- measured 2026-12-05 12:30 UTC: the scale-out profile")
    assert "20.0 turns/s with one replica and 25.0 with two" in line
    assert "0 and 0 of 1000 turns unanswered" in line


def test_the_held_out_line_says_what_a_person_gets_first_and_what_was_placed():
    results = {**SERVED, "machine": {"date": "2026-11-26 00:49 UTC"}}

    line = next(line for line in summary(results) if "held-out messages" in line)

    assert "90.0% of held-out messages get the right answer" in line
    assert "2.0% the safety check-in first, 1.0% an escalation" in line
    assert "macro-F1 0.930" in line


def test_the_held_out_sets_nobody_has_read_are_reported_beside_the_read_one():
    ours = {"accuracy": 0.9, "macro_f1": 0.91, "measured": "2026-12-05 14:30 UTC"}
    stock = {"accuracy": 0.94, "macro_f1": 0.94, "measured": "2026-11-26 00:49 UTC"}
    unseen = {
        "unseen_held_out": {
            "nlu_holdout_unseen_1": {"accuracy": 0.93, "macro_f1": 0.92},
            "nlu_holdout_unseen_2": {"accuracy": 0.89, "macro_f1": 0.90},
        }
    }
    both = "0.920 (nlu_holdout_unseen_1) and 0.900 (nlu_holdout_unseen_2)"

    for scores, shown in ((ours, False), ({**ours, **unseen}, True)):
        results = {
            "machine": {"date": "2026-12-05 14:30 UTC"},
            "intent_classification": {"ours": scores, "rasa_init": stock},
        }
        line = next(line for line in summary(results) if "macro-F1" in line)
        assert (f"nobody here has read {both};" in line) == shown
        listed = "\n".join(unseen_held_out(scores))
        assert ("- tests/nlu_holdout_unseen_2.yml: accuracy 0.890" in listed) == shown
