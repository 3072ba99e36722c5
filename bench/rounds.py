"""Issue 9's rounds, counted the way the ship rule reads them (README, "How it
is measured"): the risk model trained in-process at several random states from
this tree's data and code, and what each decides for every message of every
set in bench/safety_sets.yml, summed over the sealed sets and over the read
ones, with how many sets meet each target. It writes and prints counts only,
never a message, so the sealed sets stay sealed.

Only the risk model varies. The intent each message gets from the classifier
(the decision reads whether it was placed in no topic) comes once from the
model in models/ through its server, cached in build/rounds/intents.json while
that model is unchanged; a candidate is counted with the shipped model's
intents (`--intents` that file). A random state takes about four minutes to
train; its model is kept in build/rounds/models/, so counting the same tree
again (as each new set asks of the shipped one) trains nothing.

    python -m bench.rounds NAME [--seeds 42 7 11] [--intents FILE]
    python -m bench.rounds --compare BASE.json CANDIDATE.json
"""

from __future__ import annotations

import argparse
import hashlib
import json
import tempfile
from collections import Counter
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from bench import safety

if TYPE_CHECKING:
    from components.risk_detector import RiskDetectorComponent

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "build" / "rounds"
MODELS = OUT / "models"  # each tree's risk models, by what they were trained from
SEEDS = (42, 7, 11)


def target_figure(number: int) -> str:
    """How many sets meet target `number` of bench.safety.TARGETS."""
    return f"target_{number}_met"


# the counts the ship rule compares, then what else explains a result
FIGURES = (
    "crisis_assault_answered",
    "distress_answered",
    "targets_met",
    "crisis_assault_not_at_crisis_level",
    "calm_escalated",
    "calm_checked",
    "crisis_assault",
    "distress",
    "calm",
    "sets",
    *(target_figure(number) for number in range(1, len(safety.TARGETS) + 1)),
)
Counts = dict[str, Counter[str]]
# build/rounds/intents.json: {"model": the model's sha256, "intents": {key: intent}}
Intents = dict[str, Any]


def figures(counts: Counts) -> Counter[str]:
    """One set's counts in the ship rule's terms."""
    empty: Counter[str] = Counter()
    crisis = counts.get("crisis", empty) + counts.get("assault", empty)
    distress = counts.get("distress", empty)
    calm = sum((counts.get(g, empty) for g in safety.CALM_GROUPS), Counter())
    met = {
        target_figure(number): int(t["met"])
        for number, t in safety.numbered_targets(counts).items()
    }
    return Counter(
        crisis_assault_answered=crisis["messages"] - crisis["escalated_or_checked"],
        distress_answered=distress["messages"] - distress["escalated_or_checked"],
        targets_met=sum(met.values()),
        crisis_assault_not_at_crisis_level=crisis["messages"]
        - crisis["escalated_crisis"],
        calm_escalated=calm["escalated"],
        calm_checked=calm["checked"],
        crisis_assault=crisis["messages"],
        distress=distress["messages"],
        calm=calm["messages"],
        sets=1,
        **met,
    )


def summed(rows: list[Counter[str]]) -> dict[str, int]:
    total = sum(rows, Counter())
    return {name: total[name] for name in FIGURES}


def pools(by_set: dict[str, dict[int, Counter[str]]]) -> dict[str, Any]:
    """Each pool's figures, summed over its sets, by random state and over all."""
    read = {entry["name"]: entry["read"] for entry in safety.registry()}
    out: dict[str, Any] = {}
    for pool, is_read in (("sealed", False), ("read", True)):
        rows = {n: seeds for n, seeds in by_set.items() if read[n] == is_read}
        seeds = sorted({s for by_seed in rows.values() for s in by_seed})
        out[pool] = {
            "summed": summed([row for by in rows.values() for row in by.values()]),
            "by_seed": {s: summed([by[s] for by in rows.values()]) for s in seeds},
        }
    return out


def classifier_intents(texts: list[str], model: Path, cache: Path) -> Intents:
    """Each text's intent from the classifier, before the risk detector: the
    top of the intent ranking, which the detector leaves as it was."""
    from tests.servers import running_assistant

    digest = hashlib.sha256(model.read_bytes()).hexdigest()
    saved = json.loads(cache.read_text()) if cache.exists() else {}
    if saved.get("model") != digest:
        saved = {"model": digest, "intents": {}}
    intents: dict[str, str] = saved["intents"]
    missing = sorted({t for t in texts if safety.key(t) not in intents})
    if missing:
        print(f"the classifier's intents of {len(missing)} messages ...", flush=True)
        with (
            tempfile.TemporaryDirectory() as tmp,
            running_assistant(Path(tmp), model, with_actions=False) as assistant,
        ):
            for text in missing:
                ranking = assistant.parse(text).get("intent_ranking") or [{}]
                intents[safety.key(text)] = str(ranking[0].get("name"))
        cache.parent.mkdir(parents=True, exist_ok=True)
        cache.write_text(json.dumps(saved))
    return saved


def _pipeline_entry(suffix: str) -> dict[str, Any]:
    pipeline = yaml.safe_load((ROOT / "config.yml").read_text())["pipeline"]
    return next(p for p in pipeline if str(p["name"]).endswith(suffix))


def trained_component(
    settings: dict[str, Any], data: Any, spacy_model: Any, cache: Path
) -> RiskDetectorComponent:
    """The risk detector trained with these settings on this data, read back
    from storage. A tree's model at one random state is stored under
    `cache`, keyed by what training reads (the data's fingerprint, the
    settings, and the code and taxonomy that Rasa's own fingerprint covers),
    so that counting the same tree again, as each new set asks of the
    shipped one, trains nothing."""
    from rasa.engine.graph import ExecutionContext, GraphSchema
    from rasa.engine.storage.local_model_storage import LocalModelStorage
    from rasa.engine.storage.resource import Resource

    from components.risk_detector import RiskDetectorComponent

    digest = hashlib.sha256()
    for part in (
        data.fingerprint(),
        json.dumps(settings, sort_keys=True),
        RiskDetectorComponent.fingerprint_addon(settings),
        spacy_model.model_name,
    ):
        digest.update(part.encode())
    directory = cache / digest.hexdigest()[:16]
    directory.mkdir(parents=True, exist_ok=True)
    storage, resource = LocalModelStorage(directory), Resource("risk_detector")
    context = ExecutionContext(GraphSchema({}), node_name="risk_detector")
    done = directory / "trained"
    if not done.exists():
        seed = settings["random_state"]
        print(f"training the risk model, random state {seed} ...", flush=True)
        trained = RiskDetectorComponent.create(settings, storage, resource, context)
        trained.train(data, spacy_model)
        done.touch()  # written last: a run cut short leaves no half model in use
    return RiskDetectorComponent.load(settings, storage, resource, context)


def risk_parsers(
    seeds: tuple[int, ...], intents: dict[str, str], cache: Path
) -> dict[int, Callable[[str], dict[str, Any]]]:
    """For each random state, the risk detector trained from this tree's NLU
    data (or stored from an earlier run of the same tree), as a parse
    function."""
    import spacy
    from rasa.nlu.utils.spacy_utils import SpacyModel
    from rasa.shared.nlu.constants import INTENT, TEXT
    from rasa.shared.nlu.training_data.message import Message

    from bench.accuracy import nlu_training_data
    from components.risk_detector import RISK, RiskDetectorComponent

    name = str(_pipeline_entry("SpacyNLP")["model"])
    spacy_model = SpacyModel(model=spacy.load(name), model_name=name)
    data = nlu_training_data()
    config = {
        k: v for k, v in _pipeline_entry("RiskDetectorComponent").items() if k != "name"
    }
    parsers: dict[int, Callable[[str], dict[str, Any]]] = {}
    for seed in seeds:
        settings = {
            **RiskDetectorComponent.get_default_config(),
            **config,
            "random_state": seed,
        }
        component = trained_component(settings, data, spacy_model, cache)

        def parse(
            text: str, component: RiskDetectorComponent = component
        ) -> dict[str, Any]:
            intent = {"name": intents[safety.key(text)], "confidence": 1.0}
            message = Message({TEXT: text, INTENT: intent})
            component.process([message], spacy_model)
            return {"risk": message.get(RISK)}

        parsers[seed] = parse
    return parsers


def given_intents(texts: list[str], path: Path) -> Intents:
    """Another tree's intents, used as they are."""
    given: Intents = json.loads(path.read_text())
    missing = {safety.key(t) for t in texts} - given["intents"].keys()
    if missing:
        raise SystemExit(
            f"{path} lacks the intents of {len(missing)} messages: run "
            "bench.rounds in the shipped model's tree first."
        )
    return given


def measure(
    name: str, seeds: tuple[int, ...], intents_file: Path | None
) -> dict[str, Any]:
    from tests.servers import MODEL

    sets = {
        entry["name"]: safety.messages_of(ROOT / entry["path"])
        for entry in safety.registry()
    }
    texts = [m["text"] for messages in sets.values() for m in messages]
    if intents_file is None:
        intents = classifier_intents(texts, MODEL, OUT / "intents.json")
    else:
        intents = given_intents(texts, intents_file)
    parsers = risk_parsers(seeds, intents["intents"], MODELS)
    by_set = {
        set_name: {
            seed: figures(safety.count(parse, messages))
            for seed, parse in parsers.items()
        }
        for set_name, messages in sets.items()
    }
    return {
        "name": name,
        "measured": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "seeds": list(seeds),
        "intents_of_model": intents["model"],
        "pools": pools(by_set),
        "sets": {n: summed(list(by.values())) for n, by in by_set.items()},
    }


def table(results: list[dict[str, Any]]) -> str:
    """The pools' summed figures side by side, then the newest sealed set's."""
    newest = [e["name"] for e in safety.registry() if not e["read"]][-1]
    rows = [("figure", *(r["name"] for r in results))]
    for pool in ("sealed", "read"):
        for figure in FIGURES:
            # results written before a figure existed show "-" for it
            values = [r["pools"][pool]["summed"].get(figure, "-") for r in results]
            rows.append((f"{pool}: {figure}", *map(str, values)))
    for figure in FIGURES[:3]:
        values = [r["sets"].get(newest, {}).get(figure, "-") for r in results]
        rows.append((f"{newest}: {figure}", *map(str, values)))
    width = max(len(row[0]) for row in rows)
    return "\n".join(
        f"{row[0]:<{width}}  " + "  ".join(f"{c:>12}" for c in row[1:]) for row in rows
    )


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.rounds", description=__doc__)
    parser.add_argument("name", nargs="?", help="what to call this tree's result")
    parser.add_argument("--seeds", type=int, nargs="+", default=list(SEEDS))
    parser.add_argument(
        "--intents",
        type=Path,
        help="another tree's build/rounds/intents.json (the shipped model's), used "
        "as it is; by default the model in models/ gives them",
    )
    parser.add_argument("--compare", type=Path, nargs="+", metavar="RESULT")
    args = parser.parse_args()
    if args.compare:
        print(table([json.loads(p.read_text()) for p in args.compare]))
        return
    if not args.name:
        parser.error("give a NAME, or --compare RESULT ...")
    result = measure(args.name, tuple(args.seeds), args.intents)
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"{args.name}.json"
    path.write_text(json.dumps(result, indent=1))
    print(table([result]))
    print(f"wrote {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
