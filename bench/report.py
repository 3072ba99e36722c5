"""Render benchmark results as the Markdown table the README links to."""

from __future__ import annotations

from typing import Any

TARGETS = {"macro_f1": 0.95, "rest_p50_ms": 40, "rest_p95_ms": 80}


def verdict(ok: bool) -> str:
    return "met" if ok else "NOT met"


def markdown(r: dict[str, Any]) -> str:
    """Every section the results hold: `--only load` may have run alone."""
    lines = full_run(r) if "intent_classification" in r else ["# Benchmark results", ""]
    if "load" in r:
        lines += load(r["load"])
    return "\n".join(lines)


def full_run(r: dict[str, Any]) -> list[str]:
    m, scores = r["machine"], r["intent_classification"]
    ours = scores["ours"]
    best_baseline = max(s["macro_f1"] for k, s in scores.items() if k != "ours")
    rest, nlu = r["rest_round_trip_ms"], r["nlu_parse_ms"]
    redteam = r["safety"]["red_team"]
    safe = redteam["crisis_recall"] == 1 and redteam["false_escalation_rate"] <= 0.03
    f1_met = (
        ours["macro_f1"] >= TARGETS["macro_f1"] and ours["macro_f1"] > best_baseline
    )
    lines = [
        "# Benchmark results",
        "",
        f"{m['date']} on {m['cores']} cores ({m['cpu']}), {m['memory_gb']} GB, "
        f"Python {m['python']}. Produced by `make bench`.",
        "",
        "## Intent classification on the held-out set (tests/nlu_holdout.yml)",
        "",
        "| model | accuracy | macro-F1 |",
        "|---|---|---|",
        *(
            f"| {name} | {s['accuracy']:.3f} | {s['macro_f1']:.3f} |"
            for name, s in scores.items()
        ),
        "",
        f"Target macro-F1 >= {TARGETS['macro_f1']} and above both baselines: "
        f"{verdict(f1_met)}.",
        "",
        "What a person gets for the held-out messages once the fallback threshold "
        "applies (% of messages):",
        "",
        '| right answer | "did you mean" buttons | wrong answer |',
        "|---|---|---|",
        "| {right_answer} | {fallback} | {wrong_answer} |".format(
            **r["held_out_outcomes_pct"]
        ),
        "",
        "![confusion matrix](intent_confusion_matrix.png)",
        "![confidence histogram](intent_histogram.png)",
        "",
        "## Safety red teams",
        "",
        "| set | messages | crisis recall | distress recall | benign escalated |",
        "|---|---|---|---|---|",
        *(
            "| {name} | {messages} | {crisis_recall:.1%} | {distress_recall:.1%} | "
            "{false_escalation_rate:.1%} |".format(name=name, **figures)
            for name, figures in r["safety"].items()
        ),
        "",
        "`red_team` is tests/safety_redteam.yml: never trained on, but the lexicon was "
        "refined after reading its misses; crisis recall 100% and at most 3% benign "
        f"escalations are gated by tests/test_safety.py ({verdict(safe)}). "
        "`fresh_red_team` (bench/safety_fresh.yml) was written after the lexicon was "
        "frozen; it first measured 74.0% / 84.0% / 13.3%. Its misses were read once "
        "before the safety training data was broadened, so it is no longer fully "
        "unseen: a third set should judge the next change.",
        "",
        "## Serving (one client, loopback)",
        "",
        "| measure | value |",
        "|---|---|",
        f"| REST round trip p50 / p95 | {rest['p50']} / {rest['p95']} ms "
        f"({rest['requests']} requests) |",
        f"| NLU parse p50 / p95 | {nlu['p50']} / {nlu['p95']} ms |",
        f"| training from scratch | {r['training_s']} s |",
        *(f"| start-up, {name} | {s} s |" for name, s in r["startup_s"].items()),
        *(f"| resident memory, {name} | {mb} MB |" for name, mb in r["rss_mb"].items()),
        "",
        f"Round trip p50 <= {TARGETS['rest_p50_ms']} ms: "
        f"{verdict(rest['p50'] <= TARGETS['rest_p50_ms'])}; "
        f"p95 <= {TARGETS['rest_p95_ms']} ms: "
        f"{verdict(rest['p95'] <= TARGETS['rest_p95_ms'])}.",
        "",
    ]
    return lines


def load(r: dict[str, Any]) -> list[str]:
    rows = {"REST": r["rest"], "socket.io": r["socketio"]}
    return [
        f"## Load: {r['conversations']} conversations of {r['turns_each']} turns "
        "at once (loopback)",
        "",
        f"{r['date']}. Each conversation is tests/crowd.py's, and sends its next "
        "turn when the whole answer has arrived. One Rasa server with its SQLite "
        "tracker store, and the action server. `python -m bench --only load` "
        "measures this section alone, with the model in models/.",
        "",
        "| channel | turns | errors | turns/s | p50 | p95 | p99 | max |",
        "|---|---|---|---|---|---|---|---|",
        *(
            f"| {name} | {f['turns']} | {f['errors']} | {f['turns_per_s']} | "
            f"{f['p50_ms']} ms | {f['p95_ms']} ms | {f['p99_ms']} ms | "
            f"{f['max_ms']} ms |"
            for name, f in rows.items()
        ),
        "",
        "A turn's latency is mostly waiting behind the other conversations' turns: "
        f"with {r['conversations']} in flight it is about {r['conversations']} / "
        "throughput. Throughput is the capacity figure.",
        "",
    ]
