"""Run every benchmark, print the figures, and write them to bench/results/.
`python -m bench --only load` (or `--only safety`, `--only paths`,
`--only profile`, `--only serving`, `--only accuracy`, `--only stock`,
`--only replicas`)
measures that part alone, with the model in models/, and updates only its
section. `--only accuracy` measures our model and the quick baseline; only a
full run retrains Rasa's stock pipeline (over an hour), and its row keeps the
date it was measured. `--only stock` serves ours side by side with the stock
`rasa init` bot (built once into build/stock-bot) and compares them against
issue 14's targets, in about 12 minutes; `--only replicas` measures the
scale-out profile with one and with two Rasa replicas."""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import subprocess
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from bench import (
    accuracy,
    load,
    paths,
    profiling,
    replicas,
    safety,
    serving,
    side_by_side,
)
from bench.report import markdown, summary
from tests.servers import MODEL, running_assistant

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
README = ROOT / "README.md"
FIGURES = re.compile(r"(<!-- bench:figures -->\n).*?(<!-- /bench:figures -->)", re.S)
PATH_TABLE = re.compile(r"(<!-- bench:paths -->\n).*?(<!-- /bench:paths -->)", re.S)


def machine() -> dict[str, Any]:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    memory_kb = int(Path("/proc/meminfo").read_text().split()[1])
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gb": round(memory_kb / 1024**2, 1),
        "python": platform.python_version(),
        "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
    }


def train_full_model(work: Path) -> tuple[Path, float]:
    """Train NLU and dialogue from scratch, as `make train` does, and time it."""
    started = time.perf_counter()
    subprocess.run(
        [
            str(ROOT / ".venv/bin/rasa"),
            "train",
            "--out",
            str(work),
            "--fixed-model-name",
            "bench",
            "--force",
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    return work / "bench.tar.gz", time.perf_counter() - started


def write(results: dict[str, Any]) -> None:
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    report = markdown(results)
    (RESULTS / "results.md").write_text(report)
    figures = "\n".join(summary(results))
    readme = FIGURES.sub(lambda m: f"{m[1]}{figures}\n{m[2]}", README.read_text())
    if "paths" in results:
        table = "\n".join(paths.table(results["paths"]))
        readme = PATH_TABLE.sub(lambda m: f"{m[1]}{table}\n{m[2]}", readme)
    README.write_text(readme)
    print(report)


def everything() -> dict[str, Any]:
    RESULTS.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        print("training the model from scratch ...", flush=True)
        model, train_s = train_full_model(work)
        print(
            "held-out accuracy, ours and baselines (trains the rasa init one) ...",
            flush=True,
        )
        scores = accuracy.run(model, RESULTS, work)
        print("serving: start-up, latency, memory, red-team ...", flush=True)
        with running_assistant(work, model) as assistant:
            served = serving.measure(assistant)
            safety_sets = safety.measure(assistant)
            print("what each safety path sends, by region ...", flush=True)
            received = paths.measure(assistant)
            print("load: 50 conversations at once, REST and socket.io ...", flush=True)
            crowded = load.measure(assistant)
            print("profile: where a turn's time goes, with py-spy ...", flush=True)
            profiled = profiling.measure(assistant)
        print("side by side with the stock rasa init bot ...", flush=True)
        beside = side_by_side.measure(model, RESULTS)
        print("scale-out: one and two replicas ...", flush=True)
        scaled = replicas.measure()
    return {
        "machine": machine(),
        "training_s": round(train_s, 1),
        "intent_classification": scores,
        "safety": safety_sets,
        "paths": received,
        **served,
        "load": crowded,
        "profile": profiled,
        STOCK: beside,
        REPLICAS: scaled,
    }


PARTS = {
    "load": load.measure,
    "paths": paths.measure,
    "profile": profiling.measure,
    "safety": safety.measure,
}
ACCURACY = "accuracy"
SERVING = "serving"  # its figures sit at the top level of the results
STOCK = "stock"  # starts ours and the stock bot itself
REPLICAS = "replicas"  # starts the scale-out profile itself, with models/'s model


def one_part(name: str) -> dict[str, Any]:
    """The earlier results with one section measured afresh, from the trained
    model."""
    previous = RESULTS / "results.json"
    results = json.loads(previous.read_text()) if previous.exists() else {}
    with tempfile.TemporaryDirectory() as tmp:
        print(f"{name} ...", flush=True)
        if name == STOCK:
            results[STOCK] = side_by_side.measure(MODEL, RESULTS)
            return results
        if name == REPLICAS:
            results[REPLICAS] = replicas.measure()
            return results
        if name == ACCURACY:  # needs no server
            scores = results.get("intent_classification", {})
            scores.update(accuracy.ours(MODEL, RESULTS, Path(tmp)))
            results["intent_classification"] = scores
            return results
        with running_assistant(Path(tmp), MODEL) as assistant:
            if name == SERVING:
                results.update(serving.measure(assistant))
            else:
                results[name] = PARTS[name](assistant)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument(
        "--only",
        choices=sorted([*PARTS, ACCURACY, SERVING, STOCK, REPLICAS]),
        help="measure only this part and update its section of the results",
    )
    args = parser.parse_args()
    write(one_part(args.only) if args.only else everything())


if __name__ == "__main__":
    main()
