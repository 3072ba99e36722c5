"""bench/rounds.py: one set's decisions become the ship rule's counts, the
sets sum into the sealed and the read pool, two results print side by side
(the decisions given, no model), and a tree's risk models, trained on a few
examples, are kept for the next count."""

from __future__ import annotations

import json
from collections import Counter

import pytest
from rasa.shared.nlu.constants import INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bench import rounds, safety
from components.risk_detector import RISK, RiskDetectorComponent
from tests.conftest import small_config

MESSAGES = [
    {"text": "crisis caught", "group": "crisis", "expect": "crisis"},
    {"text": "crisis missed", "group": "crisis", "expect": "crisis"},
    {"text": "assault checked", "group": "assault", "expect": "crisis"},
    {"text": "distress missed", "group": "distress", "expect": "distress"},
    {"text": "trap escalated", "group": "traps", "expect": "none"},
    {"text": "trap answered", "group": "traps", "expect": "none"},
    {"text": "topic checked", "group": "topic", "expect": "none"},
]
DECIDED = {
    "crisis caught": ("escalate", "crisis"),
    "crisis missed": ("answer", None),
    "assault checked": ("check_in", None),
    "distress missed": ("answer", None),
    "trap escalated": ("escalate", "distress"),
    "trap answered": ("answer", None),
    "topic checked": ("check_in", None),
}


def parse(text):
    outcome, level = DECIDED[text]
    return {"risk": {"outcome": outcome, "level": level}}


def test_one_sets_decisions_become_the_ship_rules_counts():
    got = rounds.figures(safety.count(parse, MESSAGES))

    assert got["crisis_assault_answered"] == 1
    assert got["distress_answered"] == 1
    assert got["crisis_assault_not_at_crisis_level"] == 2
    assert (got["calm_escalated"], got["calm_checked"], got["calm"]) == (1, 1, 3)
    assert (got["crisis_assault"], got["distress"], got["sets"]) == (3, 1, 1)
    # only "traps checked in <= 15%" (target 6) is met; no other-language group
    assert [got[f"target_{n}_met"] for n in range(1, 9)] == [0, 0, 0, 0, 0, 1, 0, 0]
    assert got["targets_met"] == 1


def test_a_set_without_some_groups_counts_them_as_none():
    only_calm = [m for m in MESSAGES if m["group"] in ("traps", "topic")]

    got = rounds.figures(safety.count(parse, only_calm))

    assert got["crisis_assault"] == got["crisis_assault_answered"] == 0
    assert got["calm"] == 3


def _registered(read):
    return next(e["name"] for e in safety.registry() if e["read"] == read)


def test_sets_sum_into_the_sealed_and_the_read_pool_by_random_state():
    sealed, read = _registered(False), _registered(True)
    one = rounds.figures(safety.count(parse, MESSAGES))
    by_set = {
        sealed: {42: one, 7: one + Counter(crisis_assault_answered=2)},
        read: {42: one, 7: one},
    }

    got = rounds.pools(by_set)

    assert got["sealed"]["summed"]["crisis_assault_answered"] == 4
    assert got["sealed"]["by_seed"][7]["crisis_assault_answered"] == 3
    assert got["read"]["summed"]["crisis_assault_answered"] == 2
    assert got["sealed"]["summed"]["sets"] == 2


def _result(name, answered):
    one = rounds.figures(safety.count(parse, MESSAGES))
    one["crisis_assault_answered"] = answered
    by_set = {_registered(False): {42: one}, _registered(True): {42: one}}
    newest = [e["name"] for e in safety.registry() if not e["read"]][-1]
    return {
        "name": name,
        "pools": rounds.pools(by_set),
        "sets": {newest: rounds.summed([one])},
    }


def test_two_results_print_side_by_side_with_the_newest_sealed_set():
    text = rounds.table([_result("base", 5), _result("candidate", 3)])

    newest = [e["name"] for e in safety.registry() if not e["read"]][-1]
    line = next(
        row for row in text.splitlines() if row.startswith("sealed: crisis_assault_an")
    )
    assert line.split()[-2:] == ["5", "3"]
    assert f"{newest}: crisis_assault_answered" in text
    assert text.splitlines()[0].split()[-2:] == ["base", "candidate"]


def test_a_run_without_a_name_or_results_to_compare_is_refused(monkeypatch):
    monkeypatch.setattr("sys.argv", ["python -m bench.rounds"])

    with pytest.raises(SystemExit):
        rounds.main()


def test_another_trees_intents_are_used_as_they_are_and_must_cover_every_message(
    tmp_path,
):
    path = tmp_path / "intents.json"
    given = {"model": "x", "intents": {safety.key("hi"): "nlu_fallback"}}
    path.write_text(json.dumps(given))

    assert rounds.given_intents(["hi"], path) == given
    with pytest.raises(SystemExit, match="lacks the intents of 1 messages"):
        rounds.given_intents(["hi", "hello"], path)


def test_a_tree_counted_again_reuses_its_risk_models(
    tmp_path, monkeypatch, spacy_model, training_data
):
    trainings = []
    train = RiskDetectorComponent.train

    def counted(self, *args):
        trainings.append(self._config["random_state"])
        return train(self, *args)

    monkeypatch.setattr(RiskDetectorComponent, "train", counted)
    settings = small_config()

    def decisions(component):
        messages = [
            Message({TEXT: t, INTENT: {"name": "nlu_fallback", "confidence": 1.0}})
            for t in ("i want to end my life", "is it normal to cry after sex")
        ]
        component.process(messages, spacy_model)
        return [m.get(RISK) for m in messages]

    first = rounds.trained_component(settings, training_data, spacy_model, tmp_path)
    again = rounds.trained_component(settings, training_data, spacy_model, tmp_path)
    assert trainings == [42]
    assert decisions(again) == decisions(first)

    other_seed = small_config(random_state=7)
    rounds.trained_component(other_seed, training_data, spacy_model, tmp_path)
    one_more = Message({TEXT: "am i odd", INTENT: "greet"})
    more = training_data.merge(TrainingData([one_more]))
    rounds.trained_component(settings, more, spacy_model, tmp_path)
    assert trainings == [42, 7, 42]
