"""Where a turn's time goes: each stack that py-spy sampled from the Rasa server
or the action server, put in the one part of a turn a reader knows (a pipeline
component, a policy, the tracker store...), then ms per turn for each part.
Pure: bench/profiling.py runs the servers and py-spy."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from itertools import pairwise
from typing import Any, NamedTuple


class Frame(NamedTuple):
    function: str
    file: str


Stack = tuple[Frame, ...]  # from the thread's root to the running function

FRAME = re.compile(r"(?P<function>.+?) \((?P<file>.+?)(?::\d+)?\)")

IDLE = "idle"
# Where an event loop waits for work: uvloop under Sanic, or asyncio's selector.
LOOP_WAITS = {
    Frame("serve", "sanic/server/runners.py"),
    Frame("select", "selectors.py"),
}
GRAPH_NODE = Frame("__call__", "rasa/engine/graph.py")

CVF_FILE = "rasa/nlu/featurizers/sparse_featurizer/count_vectors_featurizer.py"
CVF_WORDS = "CountVectorsFeaturizer (words)"
CVF_CHARS = "CountVectorsFeaturizer (char_wb)"
# Both instances run the same code; only the n-gram function tells them apart.
CVF_EITHER = "CountVectorsFeaturizer (either: code both run)"
CVF_BY_NGRAMS = {"_word_ngrams": CVF_WORDS, "_char_wb_ngrams": CVF_CHARS}

# The file of each pipeline component's `process`, in config.yml's order.
COMPONENTS = {
    "components/message_length_guard.py": "MessageLengthGuard",
    "rasa/nlu/utils/spacy_utils.py": "SpacyNLP",
    "rasa/nlu/tokenizers/tokenizer.py": "SpacyTokenizer",
    CVF_FILE: CVF_EITHER,
    "components/tfidf_intent_classifier.py": "TfidfIntentClassifier",
    "rasa/nlu/extractors/regex_entity_extractor.py": "RegexEntityExtractor",
    "rasa/nlu/classifiers/fallback_classifier.py": "FallbackClassifier",
    "components/risk_detector.py": "RiskDetectorComponent",
}
NLU_OTHER = "NLU: Rasa around the components (graph runner, checks)"
POLICIES = {
    "rasa/core/policies/memoization.py": "MemoizationPolicy",
    "rasa/core/policies/rule_policy.py": "RulePolicy",
}
POLICIES_OTHER = "policies: Rasa around them (graph runner, ensemble)"
NLG = "response generator (NLG)"
ACTION_CALLS = "action-server calls, Rasa's side (tracker out, reply checked)"
STORE_READS = "tracker store: reads"
STORE_WRITES = "tracker store: writes"
DIALOGUE_OTHER = "dialogue: running actions, events and slots"
RASA_OTHER = "HTTP, Sanic and other"

TRACKER_IN = "reading the tracker and domain Rasa sent"
ACTIONS_CODE = "the actions' code (actions/)"
ACTION_SERVER_OTHER = "Sanic, HTTP and other"

# Every part of each process, in the order a turn meets them.
PARTS: dict[str, tuple[str, ...]] = {
    "rasa_server": (
        "MessageLengthGuard", "SpacyNLP", "SpacyTokenizer",
        CVF_WORDS, CVF_CHARS, CVF_EITHER,
        "TfidfIntentClassifier", "RegexEntityExtractor", "FallbackClassifier",
        "RiskDetectorComponent", NLU_OTHER,
        *POLICIES.values(), POLICIES_OTHER,
        NLG, ACTION_CALLS, STORE_READS, STORE_WRITES, DIALOGUE_OTHER, RASA_OTHER,
    ),
    "action_server": (TRACKER_IN, ACTIONS_CODE, ACTION_SERVER_OTHER),
}  # fmt: skip

PROCESSOR = "rasa/core/processor.py"
# What RemoteAction.run calls: the payload (the whole tracker and the domain),
# the HTTP request, and the checks and parsing of the reply.
REMOTE_CALLEES = {
    "_action_call_format",
    "request",
    "_validate_action_result",
    "deserialise_events",
}
TRACKER_STORES = {"rasa/core/tracker_store.py", "privacy/tracker_store.py"}
SENT_TRACKER = {
    Frame("json", "sanic/request.py"),
    Frame("load_json", "sanic/request.py"),
    Frame("from_dict", "rasa_sdk/interfaces.py"),
}


def frame(text: str) -> Frame:
    """py-spy's `function (file:line)`, without the line."""
    match = FRAME.fullmatch(text)
    return Frame(match["function"], match["file"]) if match else Frame(text, "")


def samples(raw: str) -> Counter[Stack]:
    """py-spy's `--format raw`: a stack a line, `;` between frames, then its count."""
    counts: Counter[Stack] = Counter()
    for line in raw.splitlines():
        stack, _, count = line.rpartition(" ")
        if stack:
            counts[tuple(frame(f) for f in stack.split(";"))] += int(count)
    return counts


def _serves_turns(stack: Stack) -> bool:
    """Each server's turns run on its main thread's event loop; threads started
    with `threading` (the privacy purge) only wait."""
    return bool(stack) and stack[0] != Frame("_bootstrap", "threading.py")


def _calls(stack: Stack, function: str, file: str = PROCESSOR) -> bool:
    return Frame(function, file) in stack


def _graph_component(stack: Stack, names: dict[str, str], other: str) -> str:
    """The component whose method the graph node below the leafmost one runs."""
    nodes = [i for i, f in enumerate(stack) if f == GRAPH_NODE]
    if not nodes or nodes[-1] + 1 == len(stack):
        return other
    name = names.get(stack[nodes[-1] + 1].file, other)
    if name == CVF_EITHER:
        return next((CVF_BY_NGRAMS[f.function] for f in stack
                     if f.function in CVF_BY_NGRAMS), CVF_EITHER)  # fmt: skip
    return name


def _remote_action(stack: Stack) -> bool:
    """Rasa's side of a call to the action server: RemoteAction.run's payload,
    request and reply, and aiohttp's work on the connection."""
    return any(f.file.startswith("aiohttp/") for f in stack) or any(
        caller == Frame("run", "rasa/core/actions/action.py")
        and callee.function in REMOTE_CALLEES
        for caller, callee in pairwise(stack)
    )


def rasa_part(stack: Stack) -> str | None:
    """The part of a turn the Rasa server was in; None for a thread that serves
    no turns."""
    if not _serves_turns(stack):
        return None
    if stack[-1] in LOOP_WAITS:
        return IDLE
    if _calls(stack, "parse_message"):
        return _graph_component(stack, COMPONENTS, NLU_OTHER)
    if _calls(stack, "_predict_next_with_tracker"):
        return _graph_component(stack, POLICIES, POLICIES_OTHER)
    if any(f.file.startswith(("nlg/", "rasa/core/nlg/")) for f in stack):
        return NLG
    if _remote_action(stack):
        return ACTION_CALLS
    store = next((f for f in stack if f.file in TRACKER_STORES), None)
    if store is not None:
        return STORE_WRITES if store.function == "save" else STORE_READS
    if _calls(stack, "handle_message"):
        return DIALOGUE_OTHER
    return RASA_OTHER


def action_server_part(stack: Stack) -> str | None:
    """The part of a call the action server was in; None for a thread that
    serves no calls."""
    if not _serves_turns(stack):
        return None
    if stack[-1] in LOOP_WAITS:
        return IDLE
    if any(f.file.startswith("actions/") for f in stack):
        return ACTIONS_CODE
    if any(f in SENT_TRACKER for f in stack):
        return TRACKER_IN
    return ACTION_SERVER_OTHER


PART_OF: dict[str, Callable[[Stack], str | None]] = {
    "rasa_server": rasa_part,
    "action_server": action_server_part,
}


def tally(process: str, sampled: Counter[Stack]) -> Counter[str]:
    """Samples of each part of the thread that serves turns, idle included."""
    parts: Counter[str] = Counter()
    for stack, count in sampled.items():
        part = PART_OF[process](stack)
        if part is not None:
            parts[part] += count
    return parts


def breakdown(
    tallies: dict[str, Counter[str]], seconds: float, turns: int
) -> dict[str, Any]:
    """ms per turn of each part, from the tallies of both processes: its share
    of its process's samples, times the window, over the turns served in it.
    A turn's time is every part's but idle, both processes: Rasa's work on it
    and the action server's, which Rasa waits for (serving other turns
    meanwhile)."""
    sample_ms = {process: seconds * 1000 / max(1, tallies[process].total())
                 for process in PARTS}  # fmt: skip
    ms = {
        (process, part): tallies[process][part] * sample_ms[process] / turns
        for process, parts in PARTS.items()
        for part in parts
    }
    turn_ms = sum(ms.values())
    return {
        "turn_ms": round(turn_ms, 1),
        "idle_pct": {
            process: round(100 * counts[IDLE] / max(1, counts.total()), 1)
            for process, counts in tallies.items()
        },
        "parts": [
            {
                "process": process,
                "part": part,
                "ms_per_turn": round(value, 1),
                "share_pct": round(100 * value / turn_ms, 1) if turn_ms else 0.0,
            }
            for (process, part), value in ms.items()
        ],
    }
