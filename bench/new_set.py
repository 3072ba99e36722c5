"""A new safety set, or new training data, kept apart from everything written
before: issue 9 never trains on an evaluation message, and a new set must be
wording nobody has seen. A message or example is dropped unread when it
equals, or shares eight consecutive words with, a safety set, a held-out or
red-team file, a training example, a candidate's data (`bench/candidates/`),
any `--also` file, or an earlier one of its own batch. It prints counts only,
never a message, so a sealed set stays sealed.

    python -m bench.new_set set OUT.yml HELPER.yml ... [--also FILE ...]
    python -m bench.new_set training OUT.yml HELPER.yml ... [--also FILE ...]

A helper's set file holds `messages` (text, group, expect, kind, language);
a helper's training file is Rasa NLU YAML. Register a new set in
bench/safety_sets.yml yourself: its note says who wrote it and how many were
dropped.
"""

from __future__ import annotations

import argparse
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import yaml
from rasa.shared.nlu.training_data.formats.rasa_yaml import RasaYAMLReader
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from safety.text import normalise

ROOT = Path(__file__).resolve().parents[1]
# Eight words in a row is a copied sentence, not a shared turn of phrase.
SHARED_WORDS = 8
SET_FIELDS = ("text", "group", "expect", "kind")  # and language, "en" if none
_WORD = re.compile(r"[\w']+")


def words(text: str) -> list[str]:
    return _WORD.findall(normalise(text))


def runs(text: str) -> set[tuple[str, ...]]:
    w = words(text)
    return {tuple(w[i : i + SHARED_WORDS]) for i in range(len(w) - SHARED_WORDS + 1)}


@dataclass
class Seen:
    """Every text compared against, whole and as runs of eight words."""

    whole: set[str] = field(default_factory=set)
    runs: set[tuple[str, ...]] = field(default_factory=set)

    def add(self, text: str) -> None:
        self.whole.add(" ".join(words(text)))
        self.runs |= runs(text)

    def holds(self, text: str) -> bool:
        return " ".join(words(text)) in self.whole or not self.runs.isdisjoint(
            runs(text)
        )


def examples_of(path: Path) -> list[Message]:
    """An NLU file's intent examples as Rasa reads them (entity annotations
    removed; regexes, lookups and synonyms are not messages)."""
    return list(RasaYAMLReader().read(path).intent_examples)


def texts_of(path: Path) -> list[str]:
    """The messages of a set or the examples of an NLU file; none of a file
    that is neither (stories, rules, a domain)."""
    content: dict[str, Any] = yaml.safe_load(path.read_text()) or {}
    if "messages" in content:
        return [str(m["text"]) for m in content["messages"]]
    if "nlu" in content:
        return [str(m.get("text")) for m in examples_of(path)]
    return []


def written_before(root: Path, also: Iterable[Path] = ()) -> Seen:
    files = [
        *root.glob("bench/safety_*.yml"),
        *root.glob("bench/candidates/*.yml"),
        *root.glob("tests/*.yml"),
        *root.glob("data/**/*.yml"),
        *also,
    ]
    seen = Seen()
    for path in files:
        for text in texts_of(path):
            seen.add(text)
    return seen


def keep_new(texts: Iterable[str], seen: Seen, dropped: Counter[str]) -> list[bool]:
    """Whether each text is new: written nowhere before, nor by an earlier
    kept text of the same batch."""
    batch = Seen()
    kept = []
    for text in texts:
        reason = (
            "written before"
            if seen.holds(text)
            else "twice in this batch"
            if batch.holds(text)
            else ""
        )
        if reason:
            dropped[reason] += 1
        else:
            batch.add(text)
        kept.append(not reason)
    return kept


def new_set(out: Path, helpers: list[Path], seen: Seen, written: str) -> Counter[str]:
    messages = [
        m for path in helpers for m in yaml.safe_load(path.read_text())["messages"]
    ]
    dropped: Counter[str] = Counter()
    new = keep_new((str(m["text"]) for m in messages), seen, dropped)
    kept = [
        {**{k: m[k] for k in SET_FIELDS}, "language": m.get("language", "en")}
        for m, ok in zip(messages, new, strict=True)
        if ok
    ]
    header = (
        f"# Written {written} by helpers who saw nothing in the repository; "
        "never trained on.\n"
    )
    body = {"written": written, "messages": kept}
    out.write_text(
        header + yaml.safe_dump(body, allow_unicode=True, sort_keys=False, width=10_000)
    )
    counts = Counter(f"kept {m['group']}, expect {m['expect']}" for m in kept)
    return dropped + counts


def new_training(out: Path, helpers: list[Path], seen: Seen) -> Counter[str]:
    examples = [m for path in helpers for m in examples_of(path)]
    dropped: Counter[str] = Counter()
    new = keep_new((str(m.get("text")) for m in examples), seen, dropped)
    kept = [m for m, ok in zip(examples, new, strict=True) if ok]
    # Rasa's writer groups the examples by intent
    out.write_text(TrainingData(training_examples=kept).nlu_as_yaml())
    return dropped + Counter(f"kept {m.get('intent')}" for m in kept)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m bench.new_set", description=__doc__
    )
    parser.add_argument("kind", choices=("set", "training"))
    parser.add_argument("out", type=Path)
    parser.add_argument("helpers", type=Path, nargs="+")
    parser.add_argument("--also", type=Path, nargs="*", default=[])
    parser.add_argument(
        "--written", default=datetime.now(timezone.utc).date().isoformat()
    )
    args = parser.parse_args(argv)
    seen = written_before(ROOT, args.also)
    if args.kind == "set":
        counts = new_set(args.out, args.helpers, seen, args.written)
    else:
        counts = new_training(args.out, args.helpers, seen)
    for what, n in sorted(counts.items()):
        print(f"{n:6d}  {what}")


if __name__ == "__main__":
    main()
